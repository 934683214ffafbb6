// The Optuna builder: both datetime encodings, with and without heartbeats, exact DDL, SQL re-derivation.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { column, toMicros } from '../fixtures/build';
import { expectedCodes } from '../fixtures/expected';
import { integrity, openBytes, sameBytes } from '../fixtures/inspect';
import { OPTUNA_DDL } from '../fixtures/systems/optuna-ddl';
import { buildOptuna } from '../fixtures/systems/optuna';
import { parseAny, verify } from '../fixtures/verify';

const now = new Date('2026-09-01T08:00:00Z');

describe('optuna fixture', () => {
  for (const encoding of ['local', 'utc'] as const) for (const heartbeats of [true, false]) {
    test(`${encoding} datetimes, heartbeats ${heartbeats}`, async () => {
      const b = await buildOptuna({ now, encoding, heartbeats, tzOffsetMinutes: 120 });
      const db = await openBytes(b.bytes);
      assert.deepEqual(integrity(db), ['ok']);
      assert.deepEqual(column(db, 'SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid'), [...OPTUNA_DDL]);
      assert.deepEqual(column(db, 'SELECT schema_version || \' \' || library_version FROM version_info'), [`12 ${encoding === 'local' ? '4.5.0' : '5.0.0'}`]);
      assert.deepEqual(column(db, 'SELECT version_num FROM alembic_version'), ['v3.2.0.a']);
      for (const v of column<string>(db, 'SELECT datetime_start FROM trials WHERE datetime_start IS NOT NULL')) assert.match(v, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      // the live trial started 2–5 minutes before now on the writer's clock (local +120 min, or UTC)
      const newest = column<string>(db, "SELECT MAX(datetime_start) FROM trials WHERE state = 'RUNNING'")[0]!;
      const ageS = (toMicros(now) - parseAny(newest, encoding === 'local' ? 120 : 0)) / 1e6;
      assert.ok(ageS >= 120 && ageS <= 301, `${newest}: ${ageS} s`);
      assert.ok(Math.abs(toMicros(now) - parseAny(newest, encoding === 'local' ? 0 : 120)) / 1e6 > 3600, 'the other reading is hours off');
      assert.equal(Number(column(db, 'SELECT COUNT(*) FROM trial_heartbeats')[0]) > 0, heartbeats);
      const f = b.expected.findings;
      assert.equal(f.stale_running.length, 2); // killed optimize() trial + dead ask/tell trial
      assert.equal(f.running_recent.length, 1);
      assert.equal(f.optuna_rule_stale.length, heartbeats ? 1 : 0); // the ask/tell trial has no heartbeat
      assert.ok(f.failed.length >= 1 && f.pruned.length >= 2 && f.waiting.length === 1);
      assert.equal(b.expected.naive_timestamp_utc_offset_hours, encoding === 'local' ? 2 : 0);
      assert.deepEqual(expectedCodes(b.expected)['orphan/rows']?.rows, { study_directions: 1, trial_params: 3, trial_values: 3 });
      for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
    });
  }

  test('deterministic for seed + now', async () => {
    assert.ok(sameBytes((await buildOptuna({ now })).bytes, (await buildOptuna({ now })).bytes));
    assert.ok(!sameBytes((await buildOptuna({ now })).bytes, (await buildOptuna({ now, encoding: 'utc' })).bytes));
  });
});
