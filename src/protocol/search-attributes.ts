import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes: registered on the dev server by `nightshift dev` and the tests.
export const SA = {
  backend: defineSearchAttributeKey('NightshiftBackend', SearchAttributeType.KEYWORD),
  kind: defineSearchAttributeKey('NightshiftKind', SearchAttributeType.KEYWORD),
  lane: defineSearchAttributeKey('NightshiftLane', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('NightshiftStatus', SearchAttributeType.KEYWORD),
};
export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);
