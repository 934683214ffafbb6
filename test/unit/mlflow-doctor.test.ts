// The mlflow profile on the TypeScript-built mlflow.db at every schema revision the reference
// describes (2019 … 2026): states, activity through metrics and child runs, nested runs, notes,
// soft-deleted runs and deleted experiments (hidden, never flagged; shown on request), orphans.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openMemoryDatabase } from '../fixtures/memory-db';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';
import { defaultOptions, type DoctorOptions } from '../../src/core/doctor/options';
import { buildMlflow, type MlflowOptions } from '../fixtures/systems/mlflow';
import type { MlflowExpected } from '../fixtures/expected';
import { expectedCodes } from '../fixtures/expected';

const now = new Date('2026-09-01T08:00:00Z');
const REVISIONS = ['head', '2025', '2022', '2019'] as const;

export async function mlflowDoctor(o: Partial<MlflowOptions> = {}, extra: Partial<DoctorOptions> = {}): Promise<{ r: DoctorResult; e: MlflowExpected; bytes: Uint8Array }> {
  const b = await buildMlflow({ now, ...o });
  const db = await openMemoryDatabase(b.bytes, 'mlflow.db');
  try {
    const r = runDoctor(db, { ...defaultOptions(now.getTime()), ...extra }).result;
    return { r, e: b.expected, bytes: b.bytes };
  } finally { db.close(); }
}

const sorted = (xs: string[]) => [...xs].sort();
const ids = (r: DoctorResult, state: string) => sorted(r.runs.filter((x) => x.state === state && !x.hidden).map((x) => x.id));

describe('mlflow profile', () => {
  test('run ids are shown as MLflow prints them: 32 hex digits without dashes, short forms their prefixes', async () => {
    const { r } = await mlflowDoctor();
    assert.equal(r.idStyle, undefined);
    const hex = r.runs.filter((x) => /^[0-9a-f]{32}$/.test(x.id));
    assert.ok(hex.length > 3, 'the fixture has uuid4().hex run ids');
    for (const x of hex) assert.ok(x.id.startsWith(r.shortIds[x.id]!) && !r.shortIds[x.id]!.includes('-'), `${x.id} shown as ${r.shortIds[x.id]}`);
  });

  for (const revision of REVISIONS) {
    test(`revision ${revision}: detected, every finding the builder expects and no other, no notices`, async () => {
      const { r, e } = await mlflowDoctor({ revision });
      assert.equal(r.profile, 'mlflow');
      assert.deepEqual(r.notices, [], 'key on columns present in every revision');
      const f = e.findings;
      assert.deepEqual(ids(r, 'stale'), sorted(f.stale_running.map((x) => x.run_uuid)));
      assert.deepEqual(ids(r, 'running'), sorted(f.running_recent.map((x) => x.run_uuid)));
      assert.deepEqual(ids(r, 'failed'), sorted(f.failed));
      assert.deepEqual(ids(r, 'incomplete'), sorted(f.killed));
      assert.deepEqual(ids(r, 'pending'), sorted(f.scheduled ?? []));
      assert.equal(ids(r, 'completed').length, f.finished_count);
      // codes and orphan rows exactly as the fixture's contract says
      const want = expectedCodes(e);
      const got: Record<string, { ids: string[]; rows?: Record<string, number> }> = {};
      for (const fd of r.findings) {
        const g = (got[fd.code] ??= { ids: [] });
        if (fd.code === 'orphan/rows') { g.rows = { ...g.rows, [fd.table!]: (g.rows?.[fd.table!] ?? 0) + (fd.count ?? 0) }; if (!g.ids.includes(fd.table!)) g.ids.push(fd.table!); }
        else g.ids.push(fd.runId!);
      }
      for (const g of Object.values(got)) { g.ids.sort(); if (g.rows) g.rows = Object.fromEntries(Object.entries(g.rows).sort()); }
      assert.deepEqual(got, want);
      // nothing deleted is shown or flagged by default
      const shown = new Set(r.runs.map((x) => x.id));
      for (const id of f.deleted_runs) assert.ok(!shown.has(id), `deleted run ${id} hidden`);
      assert.ok(!r.experiments.some((x) => f.deleted_experiments.map(String).includes(x.id)));
    });
  }

  test('the killed run is incomplete (interrupted); the failed run carries its note; a SCHEDULED run is pending', async () => {
    const { r, e } = await mlflowDoctor();
    const killed = r.runs.find((x) => x.id === e.findings.killed[0])!;
    assert.equal(killed.rawStatus, 'KILLED');
    assert.match(r.findings.find((x) => x.runId === killed.id)!.message, /ended incomplete: killed \(interrupted\)\.$/);
    const [failedId, note] = Object.entries(e.findings.failed_notes!)[0]!;
    assert.equal(r.runs.find((x) => x.id === failedId)!.error, note);
    assert.match(r.findings.find((x) => x.code === 'run/failed' && x.runId === failedId)!.message, /failed: CUDA out of memory/);
    assert.equal(r.runs.find((x) => x.id === e.findings.scheduled![0])!.rawStatus, 'SCHEDULED');
  });

  test('nested runs: children carry parentRunId; the driver lives through its children and goes stale with them', async () => {
    const { r, e } = await mlflowDoctor();
    const driverId = e.findings.running_alive_through_children[0]!;
    const driver = r.runs.find((x) => x.id === driverId)!;
    assert.equal(driver.state, 'running');
    const kids = r.runs.filter((x) => x.parentRunId === driverId);
    assert.equal(kids.length, 6);
    assert.equal(driver.lastActivityAt, kids.map((k) => k.lastActivityAt!).sort().at(-1));
    // two hours later the live child is silent too: the driver becomes stale with it
    const b = await buildMlflow({ now });
    const db = await openMemoryDatabase(b.bytes);
    const later = runDoctor(db, defaultOptions(now.getTime() + 2 * 3600_000)).result;
    assert.equal(later.runs.find((x) => x.id === driverId)!.state, 'stale');
    // the child whose parent was purged names it, and is reported once as information
    const orphan = r.runs.find((x) => x.id === e.findings.orphan_child_runs[0])!;
    assert.ok(orphan.parentRunId && !r.runs.some((x) => x.id === orphan.parentRunId));
    const f = r.findings.find((x) => x.code === 'orphan/rows' && x.table === 'runs')!;
    assert.equal(f.severity, 'information');
    assert.deepEqual(f.details?.runIds, [orphan.id]);
  });

  test('resumed run: RUNNING with an old end_time is live through its fresh metrics (not latest_metrics)', async () => {
    const { r, bytes } = await mlflowDoctor();
    const db = await openMemoryDatabase(bytes);
    const id = String(db.get<{ id: string }>("SELECT run_uuid AS id FROM runs WHERE status = 'RUNNING' AND end_time IS NOT NULL AND lifecycle_stage = 'active'")!.id);
    const run = r.runs.find((x) => x.id === id)!;
    assert.equal(run.state, 'running');
    assert.ok(now.getTime() - Date.parse(run.lastActivityAt!) < 10 * 60_000);
  });

  test('showHidden: soft-deleted runs and the deleted experiment appear marked hidden, never flagged, not counted', async () => {
    const { r, e } = await mlflowDoctor({}, { showHidden: true });
    const hidden = r.runs.filter((x) => x.hidden).map((x) => x.id);
    assert.deepEqual(sorted(hidden), sorted(e.findings.deleted_runs));
    assert.ok(!r.findings.some((f) => f.runId && hidden.includes(f.runId)), 'hidden runs are never flagged');
    const deletedExp = r.experiments.find((x) => x.id === String(e.findings.deleted_experiments[0]))!;
    assert.equal(deletedExp.hidden, true);
    assert.equal(deletedExp.runTotal, 3);
    const mnist = r.experiments.find((x) => x.label === 'mnist-cnn')!;
    assert.equal(mnist.hiddenRuns, 2);
    // a soft-deleted run that still says RUNNING is shown with its derived state, but not reported
    const deletedRunning = r.runs.find((x) => x.hidden && x.rawStatus === 'RUNNING')!;
    assert.equal(deletedRunning.state, 'stale');
    // the default view has the same findings as before
    const { r: plain } = await mlflowDoctor();
    assert.deepEqual(r.findings.map((f) => f.message), plain.findings.map((f) => f.message));
    assert.deepEqual(mnist.runCounts, plain.experiments.find((x) => x.label === 'mnist-cnn')!.runCounts);
  });

  test('per-revision specifics: 2019 has no KILLED, 2025/head have deleted_time', async () => {
    for (const revision of REVISIONS) {
      const b = await buildMlflow({ now, revision });
      const db = await openMemoryDatabase(b.bytes);
      const cols = db.columns('runs').map((c) => c.name);
      assert.equal(cols.includes('deleted_time'), revision === 'head' || revision === '2025', revision);
      assert.equal(b.expected.findings.killed.length, revision === '2019' ? 0 : 1);
      assert.equal(db.tables().length, { head: 48, '2025': 23, '2022': 12, '2019': 12 }[revision], revision);
    }
  });
});
