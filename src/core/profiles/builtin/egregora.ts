import type { ProfileSpec } from '../spec';

// egregora run tracking (the SQLite variant of runs.duckdb). No experiment table: consecutive
// runs from an ingestion stage on form one pipeline. Its CHECK constraint allows no
// 'incomplete', so stale runs are marked failed with an explanatory error. Detection asks only
// for what every shape has: input_fingerprint was removed on 2025-11-18 (systems.md §D), and the
// real files of December 2025 have runs without it (nor any PK, NOT NULL or CHECK).
export const egregora: ProfileSpec = {
  name: 'egregora',
  title: 'egregora',
  description: 'egregora run tracking (runs, lineage).',
  detect: [
    { table: 'runs', columns: ['run_id', 'stage', 'status', 'started_at', 'finished_at'] },
  ],
  priority: 10,
  runs: {
    table: 'runs',
    id: 'run_id',
    sessions: { startsWhen: "stage = 'ingestion'", gapMinutes: 12 * 60, label: 'pipeline' },
    label: 'stage',
    config: 'stage',
    status: { expr: 'lower(status)', map: { running: 'running', completed: 'completed', failed: 'failed', degraded: 'degraded' }, otherwise: 'failed' },
    startedAt: { expr: 'started_at', naive: 'utc' },
    finishedAt: { expr: 'finished_at', naive: 'utc' },
    startIsActivity: true,
    error: 'error',
  },
  relations: [
    { table: 'lineage', column: 'child_run_id', references: { table: 'runs', column: 'run_id' }, kind: 'owned' },
    { table: 'lineage', column: 'parent_run_id', references: { table: 'runs', column: 'run_id' }, kind: 'owned' },
  ],
  cleanup: {
    markStale: { status: 'failed', finishedAt: { column: 'finished_at', format: 'utc-offset' }, errorText: 'error' },
  },
};
