// The optuna profile on TypeScript-built Optuna storages, both datetime encodings (naive local for
// Optuna ≤ 4, naive UTC from 5) written at UTC+2, with and without heartbeats: states, liveness
// (heartbeat, else start), Optuna's own grace-period view beside ours, the encoding check.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openMemoryDatabase } from '../fixtures/memory-db';
import { buildPlan } from '../../src/core/cleanup/plan';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';
import { defaultOptions, type DoctorOptions } from '../../src/core/doctor/options';
import type { OptunaExpected } from '../fixtures/expected';
import { expectedCodes } from '../fixtures/expected';
import { buildOptuna, type OptunaOptions } from '../fixtures/systems/optuna';

const now = new Date('2026-09-01T08:00:00Z');
const TZ = 120; // the writer's machine: UTC+2

/** The setting as the server maps it: experimentHealth.optuna.datetimes → naiveByProfile.optuna. */
const setting = (encoding: 'local' | 'utc'): Partial<DoctorOptions> =>
  ({ naiveByProfile: { optuna: encoding === 'utc' ? { zone: 'utc' } : { zone: 'local', utcOffsetMinutes: TZ } } });

export async function optunaDoctor(o: Partial<OptunaOptions>, extra: Partial<DoctorOptions>): Promise<{ r: DoctorResult; e: OptunaExpected; bytes: Uint8Array }> {
  const b = await buildOptuna({ now, tzOffsetMinutes: TZ, ...o });
  const db = await openMemoryDatabase(b.bytes, 'optuna.db');
  try { return { r: runDoctor(db, { ...defaultOptions(now.getTime()), ...extra }).result, e: b.expected, bytes: b.bytes }; } finally { db.close(); }
}

const ids = (r: DoctorResult, s: string) => r.runs.filter((x) => x.state === s).map((x) => x.id).sort();
const str = (xs: number[]) => xs.map(String).sort();

describe('optuna profile', () => {
  for (const encoding of ['local', 'utc'] as const) for (const heartbeats of [true, false]) {
    test(`${encoding} datetimes, heartbeats ${heartbeats}: every expected state and finding, Optuna's view beside ours`, async () => {
      const { r, e } = await optunaDoctor({ encoding, heartbeats }, setting(encoding));
      assert.equal(r.profile, 'optuna');
      assert.equal(r.naiveTimestamps, encoding === 'utc' ? 'utc' : '+02:00', 'the report says which encoding was used (local: the writer\'s offset)');
      const f = e.findings;
      assert.deepEqual(ids(r, 'stale'), str(f.stale_running.map((x) => x.trial_id)));
      assert.deepEqual(ids(r, 'running'), str(f.running_recent.map((x) => x.trial_id)));
      assert.deepEqual(ids(r, 'failed'), str(f.failed));
      assert.deepEqual(ids(r, 'pending'), str(f.waiting));
      assert.equal(ids(r, 'completed').length, f.complete_count + f.pruned.length);
      for (const id of str(f.pruned)) assert.match(r.runs.find((x) => x.id === id)!.stopReason!, /^pruned at step \d+$/);
      // codes exactly as the fixture contract
      const want = expectedCodes(e);
      assert.deepEqual(r.findings.filter((x) => x.code === 'run/stale').map((x) => x.runId).sort(), want['run/stale']!.ids);
      assert.deepEqual(r.findings.filter((x) => x.code === 'run/failed').map((x) => x.runId).sort(), want['run/failed']!.ids);
      const orphans: Record<string, number> = {};
      for (const x of r.findings.filter((y) => y.code === 'orphan/rows')) orphans[x.table!] = (orphans[x.table!] ?? 0) + x.count!;
      assert.deepEqual(orphans, want['orphan/rows']!.rows);
      assert.deepEqual(Object.keys(want).sort(), [...new Set(r.findings.map((x) => x.code))].sort());
      // Optuna's own view
      assert.ok(r.notices.some((n) => n.includes(`naive ${encoding === 'local' ? 'local time (Optuna ≤ 4.x)' : 'UTC (Optuna ≥ 5.0)'}`)));
      assert.ok(!r.notices.some((n) => n.includes('look written by')), 'the right setting raises no encoding warning');
      const view = r.notices.find((n) => n.startsWith("Optuna's own view"));
      if (!heartbeats) { assert.equal(view, undefined); return; }
      assert.match(view!, /grace period (\d+) s = 2 × the ≈ (\d+) s heartbeat interval/);
      const grace = Number(/grace period (\d+) s/.exec(view!)![1]);
      assert.ok(grace >= 100 && grace <= 120, `grace ${grace} s from a 60 s interval`);
      assert.match(view!, new RegExp(`: ${f.optuna_rule_stale.length} running trial stale`));
      assert.match(view!, /1 running trial has no heartbeat, so Optuna would never fail it\./);
      for (const x of r.findings.filter((y) => y.code === 'run/stale')) {
        const o = (x.details as { optuna?: { staleByOptuna: boolean } }).optuna;
        assert.equal(o?.staleByOptuna ?? false, f.optuna_rule_stale.map(String).includes(x.runId!));
      }
    });
  }

  test('liveness: heartbeat when a row exists (UTC), else the start time in the file\'s encoding', async () => {
    const { r, e } = await optunaDoctor({ encoding: 'local' }, setting('local'));
    const stale = e.findings.stale_running;
    for (const s of stale) assert.equal(r.runs.find((x) => x.id === String(s.trial_id))!.lastActivityAt, new Date(Date.parse(s.last_activity_utc)).toISOString());
  });

  test('the wrong encoding setting is noticed from the heartbeats, and flips live/stale the way the reference warns', async () => {
    // written by Optuna 5 (UTC), read as local at UTC+2: starts look 2 h older
    const { r } = await optunaDoctor({ encoding: 'utc' }, setting('local'));
    assert.ok(r.notices.some((n) => /looks written by Optuna ≥ 5\.0/.test(n)), r.notices.join('\n'));
    // written by Optuna 4 at UTC+2, read as UTC on a machine at UTC+2 (Node follows TZ changes)
    const tz = process.env.TZ;
    process.env.TZ = 'Etc/GMT-2';
    try {
      const { r: r2 } = await optunaDoctor({ encoding: 'local' }, setting('utc'));
      assert.ok(r2.notices.some((n) => /looks written by Optuna ≤ 4\.x/.test(n)), r2.notices.join('\n'));
    } finally { if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz; }
  });

  test('no Optuna setting (auto): a file Optuna 5 created is read as UTC, and the note says why; a 4.x file as local', async () => {
    const five = await optunaDoctor({ encoding: 'utc' }, { naive: { zone: 'local', utcOffsetMinutes: TZ } });
    assert.equal(five.r.naiveTimestamps, 'utc');
    assert.deepEqual(ids(five.r, 'stale'), str(five.e.findings.stale_running.map((x) => x.trial_id)));
    assert.ok(five.r.notices.some((n) => /read as naive UTC \(Optuna ≥ 5\.0\), as version_info says Optuna 5\.0\.0 created the file/.test(n)), five.r.notices.join('\n'));
    const four = await optunaDoctor({ encoding: 'local' }, { naive: { zone: 'local', utcOffsetMinutes: TZ } });
    assert.equal(four.r.naiveTimestamps, '+02:00');
    assert.deepEqual(ids(four.r, 'stale'), str(four.e.findings.stale_running.map((x) => x.trial_id)));
    // Mark stale writes datetime_complete the way the file's writer does (UTC for Optuna 5).
    const db = await openMemoryDatabase(five.bytes, 'optuna.db');
    try {
      const plan = buildPlan(db, { action: 'mark-stale', target: { path: 'optuna.db' }, options: { ...defaultOptions(now.getTime()), naive: { zone: 'local', utcOffsetMinutes: TZ } } }).plan;
      assert.match(plan.sql, new RegExp(now.toISOString().slice(0, 19).replace('T', ' ')), plan.sql);
    } finally { db.close(); }
  });

  test('a global naive setting applies when no Optuna setting is given; other profiles ignore the Optuna one', async () => {
    const { r } = await optunaDoctor({ encoding: 'utc' }, { naive: { zone: 'utc' } });
    assert.equal(r.naiveTimestamps, 'utc');
    assert.ok(!r.notices.some((n) => n.includes('looks written by')));
  });
});

test('a storage without the trial_heartbeats table (never used heartbeats) reads fine; the note says what is missing', async () => {
  const b = await buildOptuna({ now, tzOffsetMinutes: TZ, heartbeats: false });
  const db = await openMemoryDatabase(b.bytes, 'optuna.db');
  try {
    db.exec('DROP TABLE trial_heartbeats');
    const r = runDoctor(db, { ...defaultOptions(now.getTime()), ...setting('local') }).result;
    assert.equal(r.profile, 'optuna');
    assert.ok(r.runs.length > 0);
    const note = r.notices.find((n) => n.includes('trial_heartbeats'));
    assert.match(note ?? '', /heartbeat is not read, because this file has no table trial_heartbeats\.$/);
    assert.doesNotMatch(r.notices.join('\n'), /SELECT|CASE WHEN/, 'no built-in SQL in what the user reads');
    assert.ok(!r.notices.some((n) => /Check the SQL/.test(n)), r.notices.join('\n'));
    // No heartbeats is not unreadable activity: stale trials stay warnings, and can be marked.
    assert.deepEqual(r.unreadActivity ?? [], []);
    assert.ok(r.findings.some((f) => f.code === 'run/stale' && f.severity === 'warning'), 'a stale trial is a warning');
    assert.equal(buildPlan(db, { action: 'mark-stale', target: { path: 'optuna.db' }, options: { ...defaultOptions(now.getTime()), ...setting('local') } }).plan.refusal, undefined);
  } finally { db.close(); }
});

test("without a finished trial to estimate the heartbeat interval from, Optuna's own verdict is unknown, not 'alive'", async () => {
  const b = await buildOptuna({ now, tzOffsetMinutes: TZ, heartbeats: true });
  const db = await openMemoryDatabase(b.bytes, 'optuna.db');
  try {
    db.exec("DELETE FROM trial_heartbeats WHERE trial_id IN (SELECT trial_id FROM trials WHERE state IN ('COMPLETE', 'PRUNED'))");
    const r = runDoctor(db, { ...defaultOptions(now.getTime()), ...setting('local') }).result;
    const view = r.notices.find((n) => n.startsWith("Optuna's own view"));
    assert.match(view ?? '', /grace period unknown: no finished trial .*\): which running trials it would fail cannot be told; ours/);
    const stale = r.findings.filter((f) => f.code === 'run/stale' && (f.details as { optuna?: unknown }).optuna);
    assert.ok(stale.length > 0);
    for (const f of stale) assert.equal((f.details as { optuna: { staleByOptuna?: boolean } }).optuna.staleByOptuna, undefined);
  } finally { db.close(); }
});
