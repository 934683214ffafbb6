// A fake language server for the explorer's unit tests: databases, experiments and runs in
// memory, answering the explorer's requests the way the protocol says (paging, filters, groups).
import type { Experiment, Run, RunState } from '../../src/core/model';
import type { DatabaseSummary, GroupsParams, RunGroup, RunsPage, RunsParams } from '../../src/shared/protocol';
import type { ExplorerSource } from '../../src/client/tree/nodes/base';
import { RUN_STATES } from '../../src/core/model';

export interface FakeDb { summary: DatabaseSummary; experiments: Experiment[]; runs: Run[] }

export class FakeSource implements ExplorerSource {
  readonly calls: string[] = [];
  constructor(public dbs: FakeDb[]) {}
  db(path: string): FakeDb { const d = this.dbs.find((x) => x.summary.path === path); if (!d) throw new Error(`no database ${path}`); return d; }

  async databases(): Promise<DatabaseSummary[]> { this.calls.push('databases'); return this.dbs.map((d) => structuredClone(d.summary)); }
  async experiments(path: string): Promise<Experiment[]> { this.calls.push(`experiments ${path}`); return structuredClone(this.db(path).experiments); }
  async runs(p: RunsParams): Promise<RunsPage> {
    this.calls.push(`runs ${p.experimentId ?? '*'} ${p.offset}+${p.limit}${p.states ? ` ${p.states.join(',')}` : ''}${p.config !== undefined ? ` config=${p.config}` : ''}`);
    let list = this.db(p.path).runs.filter((r) => (p.experimentId === undefined || r.experimentId === p.experimentId)
      && (!p.states || p.states.includes(r.state)) && (p.config === undefined || (r.config ?? '') === p.config));
    if (p.experimentId === undefined || p.sort === 'started') list = [...list].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    else if (p.sort === 'state') list = [...list].sort((a, b) => a.state.localeCompare(b.state));
    else if (p.sort === 'steps') list = [...list].sort((a, b) => (a.stepsDone ?? 0) - (b.stepsDone ?? 0));
    const page = list.slice(p.offset, p.offset + p.limit);
    return { runs: structuredClone(page), total: list.length, shortIds: Object.fromEntries(page.map((r) => [r.id, r.id.slice(0, 8)])) };
  }
  async groups(p: GroupsParams): Promise<RunGroup[]> {
    this.calls.push(`groups ${p.experimentId} ${p.by}`);
    const runs = this.db(p.path).runs.filter((r) => r.experimentId === p.experimentId && (!p.states || p.states.includes(r.state)));
    const map = new Map<string, RunGroup>();
    for (const r of runs) {
      const key = p.by === 'state' ? r.state : r.config ?? '';
      const g = map.get(key) ?? { key, label: key || '(no configuration)', count: 0, runCounts: {} };
      g.count++; g.runCounts[r.state] = (g.runCounts[r.state] ?? 0) + 1;
      map.set(key, g);
    }
    const out = [...map.values()];
    return p.by === 'state' ? out.sort((a, b) => RUN_STATES.indexOf(a.key as RunState) - RUN_STATES.indexOf(b.key as RunState)) : out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Recomputes experiment and database counts from the runs (after a test changed runs). */
  recount(path: string): void {
    const d = this.db(path);
    d.summary.runCounts = {};
    for (const e of d.experiments) {
      e.runCounts = {}; e.runTotal = 0;
      for (const r of d.runs.filter((x) => x.experimentId === e.id)) { e.runCounts[r.state] = (e.runCounts[r.state] ?? 0) + 1; e.runTotal++; }
    }
    for (const r of d.runs) d.summary.runCounts[r.state] = (d.summary.runCounts[r.state] ?? 0) + 1;
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
