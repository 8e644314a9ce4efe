// No Docker engine here: the compose file is checked by parsing it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ALL_SEARCH_ATTRIBUTES } from '../src/protocol/search-attributes.js';

type Service = {
  image?: string;
  build?: string;
  command?: unknown;
  environment?: Record<string, string>;
  depends_on?: unknown;
};

test('docker-compose.yml: Temporal on PostgreSQL, the UI, a nightshift worker, our search attributes', () => {
  const text = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
  const doc = parse(text) as { services: Record<string, Service> };
  const s = doc.services;
  assert.match(s['postgresql']?.image ?? '', /^postgres:/);
  assert.match(s['temporal']?.image ?? '', /^temporalio\/auto-setup:/);
  assert.equal(s['temporal']?.environment?.['DB'], 'postgres12');
  assert.match(s['temporal-ui']?.image ?? '', /^temporalio\/ui:/);
  assert.equal(s['nightshift-worker']?.build, '.');
  assert.deepEqual(s['nightshift-worker']?.command, ['worker']);
  assert.equal(s['nightshift-worker']?.environment?.['TEMPORAL_ADDRESS'], 'temporal:7233');
  for (const sa of ALL_SEARCH_ATTRIBUTES) assert.ok(text.includes(sa.name), `${sa.name} is registered`);
  assert.ok(!/sk-[a-z]+-[A-Za-z0-9]{8,}/.test(text), 'no API key in the compose file');
});
