// A fake language server for the explorer's unit tests: databases, experiments and runs in
// memory, answered by the server's own queries (paging, filters, groups, nesting, hidden rows).
import type { Experiment, Run } from '../../src/core/model';
import type { DoctorResult } from '../../src/core/doctor/doctor';
import type { DatabaseSummary, ExperimentsParams, GroupsParams, RunGroup, RunsPage, RunsParams } from '../../src/shared/protocol';
import type { ExplorerSource } from '../../src/client/tree/nodes/base';
import { runGroups, runsPage, withoutHidden } from '../../src/server/queries';

export interface FakeDb { summary: DatabaseSummary; experiments: Experiment[]; runs: Run[] }

export class FakeSource implements ExplorerSource {
  readonly calls: string[] = [];
  constructor(public dbs: FakeDb[]) {}
  db(path: string): FakeDb { const d = this.dbs.find((x) => x.summary.path === path); if (!d) throw new Error(`no database ${path}`); return d; }

  /** The database as the server's session holds it (short ids: the first 8 characters). */
  private result(path: string, showHidden: boolean | undefined): DoctorResult {
    const d = this.db(path);
    const all = { experiments: d.experiments, runs: d.runs, shortIds: Object.fromEntries(d.runs.map((r) => [r.id, r.id.slice(0, 8)])) } as unknown as DoctorResult;
    return showHidden ? all : withoutHidden(all);
  }

  async databases(): Promise<DatabaseSummary[]> { this.calls.push('databases'); return this.dbs.map((d) => structuredClone(d.summary)); }
  async experiments(p: ExperimentsParams): Promise<Experiment[]> {
    this.calls.push(`experiments ${p.path}${p.showHidden ? ' +hidden' : ''}`);
    return structuredClone(this.result(p.path, p.showHidden).experiments);
  }
  async runs(p: RunsParams): Promise<RunsPage> {
    this.calls.push(`runs ${p.experimentId ?? '*'}${p.parentRunId ? `>${p.parentRunId}` : ''} ${p.offset}+${p.limit}${p.states ? ` ${p.states.join(',')}` : ''}${p.config !== undefined ? ` config=${p.config}` : ''}`);
    return structuredClone(runsPage(this.result(p.path, p.showHidden), p));
  }
  async groups(p: GroupsParams): Promise<RunGroup[]> {
    this.calls.push(`groups ${p.experimentId} ${p.by}`);
    return structuredClone(runGroups(this.result(p.path, p.showHidden), p));
  }

  /** Recomputes experiment and database counts from the runs (after a test changed runs). */
  recount(path: string): void {
    const d = this.db(path);
    d.summary.runCounts = {};
    const counted = d.runs.filter((r) => !r.hidden); // as the doctor counts: hidden runs are not
    for (const e of d.experiments) {
      e.runCounts = {}; e.runTotal = 0;
      for (const r of counted.filter((x) => x.experimentId === e.id)) { e.runCounts[r.state] = (e.runCounts[r.state] ?? 0) + 1; e.runTotal++; }
    }
    for (const r of counted) d.summary.runCounts[r.state] = (d.summary.runCounts[r.state] ?? 0) + 1;
  }
}

const NOW = Date.parse('2026-11-23T12:00:00Z');
export const FAKE_NOW = NOW;
const iso = (ms: number) => new Date(ms).toISOString();

/** A panic-tda-like database: E1 clean, E2 with 7 incomplete SDXLTurbo/Moondream runs, and a 100,000-run experiment. */
export function panicLike(path = '/w/panic-tda/db/trajectory_data.sqlite', bigRuns = 100_000): FakeDb {
  const runs: Run[] = [];
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  for (let i = 0; i < 4; i++) runs.push({ id: `e1run${hex(i)}`, experimentId: 'e1', state: 'completed', config: "['SDXLTurbo','BLIP2']", stepsDone: 100, stepsExpected: 100, startedAt: iso(NOW - 100 * 3600_000 + i), finishedAt: iso(NOW - 90 * 3600_000) });
  for (let i = 0; i < 7; i++) runs.push({ id: `e2bad${hex(i)}`, experimentId: 'e2', state: 'incomplete', config: "['SDXLTurbo','Moondream']", stepsDone: 584 + (i % 3), stepsExpected: 1000, startedAt: iso(NOW - 80 * 3600_000 + i), lastActivityAt: iso(NOW - 72 * 3600_000 - 60_000), stopReason: 'unknown' });
  for (let i = 0; i < 4; i++) runs.push({ id: `e2ok${hex(i)}`, experimentId: 'e2', state: 'completed', config: "['FluxDev','BLIP2']", stepsDone: 1000, stepsExpected: 1000, startedAt: iso(NOW - 79 * 3600_000 + i), finishedAt: iso(NOW - 70 * 3600_000) });
  for (let i = 0; i < bigRuns; i++) runs.push({ id: `big${hex(i)}`, experimentId: 'big', state: i % 1000 === 0 ? 'failed' : 'completed', config: i % 2 ? 'A' : 'B', stepsDone: 10, stepsExpected: 10, startedAt: iso(NOW - 50 * 3600_000 + i * 1000) });
  const db: FakeDb = {
    summary: { path, reportUri: `experiment-health-report:${path}.health`, status: 'ok', profile: 'panic-tda', experimentCount: 3, runCounts: {}, findingCounts: { 'run/incomplete': 7, 'orphan/rows': 4, 'run/failed': 100 } },
    experiments: [
      { id: 'e1', label: 'E1', state: 'completed', runCounts: {}, runTotal: 0 },
      { id: 'e2', label: 'E2', state: 'completed', runCounts: {}, runTotal: 0 },
      { id: 'big', label: 'Big', state: 'completed', runCounts: {}, runTotal: 0 },
    ],
    runs,
  };
  const src = new FakeSource([db]);
  src.recount(path);
  return db;
}

export function recipeLike(path = '/w/recipe-runner/data/llmcore.db'): FakeDb {
  const runs: Run[] = [
    { id: '1', experimentId: '1099', state: 'stale', label: 'run 1 · variation 101 · batch 1', config: 'batch 1', stepsDone: 0, stepsExpected: 2, lastActivityAt: iso(NOW - 5 * 3600_000), rawStatus: 'RUNNING' },
    { id: '2', experimentId: '1099', state: 'pending', label: 'run 2 · variation 101 · batch 1', config: 'batch 1', rawStatus: 'PENDING' },
  ];
  const db: FakeDb = {
    summary: { path, reportUri: 'x', status: 'ok', profile: 'recipe-runner', experimentCount: 1, runCounts: {}, findingCounts: { 'run/stale': 1 } },
    experiments: [{ id: '1099', label: 'extract_credit_risk_skills_v1', state: 'stale', runCounts: {}, runTotal: 0 }],
    runs,
  };
  new FakeSource([db]).recount(path);
  return db;
}

/**
 * An MLflow-like database: a driver run with three child runs (one with a child of its own), a run
 * whose parent was purged, a soft-deleted run, and a deleted experiment.
 */
export function mlflowLike(path = '/w/mlflow/mlflow.db'): FakeDb {
  const at = (h: number) => iso(NOW - h * 3600_000);
  const run = (id: string, experimentId: string, state: Run['state'], startH: number, extra: Partial<Run> = {}): Run =>
    ({ id, experimentId, state, startedAt: at(startH), ...extra });
  const runs: Run[] = [
    run('driver00', '2', 'running', 3, { lastActivityAt: at(0.01) }),
    run('child001', '2', 'completed', 2.9, { parentRunId: 'driver00' }),
    run('child002', '2', 'completed', 2.8, { parentRunId: 'driver00' }),
    run('child003', '2', 'running', 0.2, { parentRunId: 'driver00', lastActivityAt: at(0.01) }),
    run('grandc01', '2', 'completed', 0.1, { parentRunId: 'child003' }),
    run('orphan01', '2', 'completed', 200, { parentRunId: 'purged00' }),
    run('deleted1', '2', 'incomplete', 100, { hidden: true }),
    run('oldrun01', '3', 'completed', 500, { hidden: true }),
  ];
  const db: FakeDb = {
    summary: { path, reportUri: 'x', status: 'ok', profile: 'mlflow', experimentCount: 1, runCounts: {}, findingCounts: {} },
    experiments: [
      { id: '2', label: 'hpo-sweep', state: 'running', runCounts: {}, runTotal: 0, hiddenRuns: 1 },
      { id: '3', label: 'old-baseline', state: 'completed', runCounts: {}, runTotal: 0, hidden: true },
    ],
    runs,
  };
  new FakeSource([db]).recount(path);
  db.experiments[1]!.runCounts = { completed: 1 }; db.experiments[1]!.runTotal = 1; // a hidden experiment counts its own runs
  return db;
}
