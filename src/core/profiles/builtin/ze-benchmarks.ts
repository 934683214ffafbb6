import type { ProfileSpec } from '../spec';

// ze-benchmarks harness (better-sqlite3). Batches are the experiments. started_at/completed_at
// are CURRENT_TIMESTAMP (UTC text); batch times are epoch milliseconds.
export const zeBenchmarks: ProfileSpec = {
  name: 'ze-benchmarks',
  title: 'ze-benchmarks',
  description: 'ze-benchmarks harness database (batch_runs → benchmark_runs → evaluation_results, run_telemetry).',
  detect: [
    { table: 'benchmark_runs', columns: ['run_id', 'status', 'started_at', 'completed_at', 'suite', 'scenario'] },
  ],
  priority: 10,
  experiments: {
    table: 'batch_runs',
    id: 'batchId',
    startedAt: { expr: 'createdAt' },
    finishedAt: { expr: 'completedAt' },
  },
  runs: {
    table: 'benchmark_runs',
    id: 'run_id',
    experimentId: 'batchId',
    label: "suite || '/' || scenario || ' · ' || tier",
    config: "agent || coalesce(' · ' || model, '')",
    model: 'model',
    status: { expr: 'status', map: { running: 'running', completed: 'completed', failed: 'failed', incomplete: 'incomplete' }, otherwise: 'failed' },
    startedAt: { expr: 'started_at', naive: 'utc' },
    finishedAt: { expr: 'completed_at', naive: 'utc' },
    startIsActivity: true,
    error: "CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.error') END",
    stopReason: "CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.reason') END",
  },
  children: [
    { table: 'evaluation_results', key: 'run_id', references: 'run_id', activity: [{ expr: 'created_at', naive: 'utc' }] },
    { table: 'run_telemetry', key: 'run_id', references: 'run_id' },
  ],
  cleanup: {
    // What ze-benchmarks' own INCOMPLETE-RUNS-PLAN specifies for markStaleRunsIncomplete().
    markStale: { status: 'incomplete', finishedAt: { column: 'completed_at', format: 'sqlite-utc' }, metadataJson: 'metadata' },
  },
};
