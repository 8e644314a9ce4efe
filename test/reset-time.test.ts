import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextClockTime, parseResetTime } from '../src/agents/reset-time.js';

const now = Date.UTC(2026, 10, 24, 13, 0, 0); // 13:00 UTC = 13:00 in Lisbon (winter)

test('epoch marker: "usage limit reached|<epoch>"', () => {
  assert.equal(parseResetTime('Claude AI usage limit reached|1795500000', now), 1_795_500_000_000);
});

test('"resets 3pm (Europe/Lisbon)" is the next 15:00 in that zone', () => {
  assert.equal(
    parseResetTime("You've hit your limit · resets 3pm (Europe/Lisbon)", now),
    Date.UTC(2026, 10, 24, 15, 0),
  );
  assert.equal(
    parseResetTime('resets 9am (America/New_York)', now),
    Date.UTC(2026, 10, 24, 14, 0),
    'later today: 09:00 EST',
  );
  assert.equal(
    parseResetTime('resets 7am (America/New_York)', now),
    Date.UTC(2026, 10, 25, 12, 0),
    'tomorrow: 07:00 EST',
  );
});

test('"try again at 3:28 PM" uses the local zone; a time already past means tomorrow', () => {
  assert.equal(
    parseResetTime("You've hit your usage limit. try again at 3:28 PM.", now),
    Date.UTC(2026, 10, 24, 15, 28),
  );
  assert.equal(nextClockTime(12, 0, 'UTC', now), Date.UTC(2026, 10, 25, 12, 0));
});

test('retry-after seconds, and nothing when the text names no reset', () => {
  assert.equal(parseResetTime('429 Too Many Requests; retry-after: 30', now), now + 30_000);
  assert.equal(parseResetTime('API Error: Request rejected (429) · Rate limited', now), undefined);
});
