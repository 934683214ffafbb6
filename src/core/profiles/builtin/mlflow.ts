import type { ProfileSpec } from '../spec';

// MLflow tracking store (mlflow.db, SQLAlchemy on SQLite; more-systems.md §1). Every expression
// uses only columns and tables present at every schema revision from 2019 to 2026 (runs.name,
// status, start_time, end_time, lifecycle_stage, experiment_id; tags; metrics.timestamp), so one
// profile reads any file; columns added later (runs.deleted_time, experiments.creation_time) are
// only written by cleanups, and only when present. Times are epoch milliseconds.
const tag = (key: string): string =>
  `(SELECT g.value FROM tags g WHERE g.run_uuid = t.run_uuid AND g."key" = '${key}')`;

export const mlflow: ProfileSpec = {
  name: 'mlflow',
  title: 'MLflow',
  description: 'MLflow tracking store (experiments → runs, nested runs through mlflow.parentRunId; soft delete).',
  detect: [
    { table: 'experiments', columns: ['experiment_id', 'name', 'lifecycle_stage'] },
    { table: 'runs', columns: ['run_uuid', 'experiment_id', 'status', 'start_time', 'end_time', 'lifecycle_stage'] },
    { table: 'metrics', columns: ['run_uuid', 'timestamp'] },
    { table: 'tags', columns: ['run_uuid', 'key', 'value'] },
  ],
  priority: 10,
  experiments: {
    table: 'experiments',
    id: 'experiment_id',
    label: 'name',
    // Deleted experiments (and so all their runs) are hidden by default and never flagged.
    hidden: "t.lifecycle_stage = 'deleted'",
  },
  runs: {
    table: 'runs',
    id: 'run_uuid',
    experimentId: 'experiment_id',
    label: `coalesce(nullif(t.name, ''), ${tag('mlflow.runName')})`,
    config: tag('mlflow.source.name'),
    // SCHEDULED is allowed by the CHECK but never written by the SQL store itself.
    status: {
      expr: 'status',
      map: { RUNNING: 'running', SCHEDULED: 'pending', FINISHED: 'completed', FAILED: 'failed', KILLED: 'incomplete' },
      otherwise: 'failed',
    },
    startedAt: { expr: 'start_time' },
    // A resumed run is RUNNING with its old end_time: end_time is activity, never a "finished" flag.
    finishedAt: { expr: 'end_time' },
    // MLflow has no heartbeat: the newest metric point (system metrics every 10 s when enabled) of a
    // RUNNING run, looked up per run through index_metrics_run_uuid instead of a scan of the largest
    // table. latest_metrics is not activity (max-step rule, resumed runs).
    heartbeat: { expr: "CASE WHEN t.status = 'RUNNING' THEN (SELECT max(m.timestamp) FROM metrics m WHERE m.run_uuid = t.run_uuid) END" },
    startIsActivity: true,
    // MLflow stores no error text: the run's description (note) is the only free text there is.
    error: `CASE WHEN t.status = 'FAILED' THEN ${tag('mlflow.note.content')} END`,
    stopReason: "CASE WHEN t.status = 'KILLED' THEN 'killed (interrupted)' END",
    hidden: "t.lifecycle_stage = 'deleted'",
    parent: tag('mlflow.parentRunId'),
  },
  // Children (metrics, latest_metrics, params, tags, logged_model_metrics) come from the schema's
  // NOT NULL foreign keys: orphans and hard-delete cascades follow MLflow's own ORM cascades.
  // inputs/input_tags have no foreign key: polymorphic links, ('DATASET', id) → ('RUN', run) or
  // ('RUN_OUTPUT', run) → ('MODEL_OUTPUT', id). A hard-deleted run takes the links naming it
  // (more-systems.md §1.8), which mlflow gc would leave dangling.
  relations: [
    { table: 'inputs', column: 'destination_id', references: { table: 'runs', column: 'run_uuid' }, kind: 'owned', when: "t.destination_type = 'RUN'" },
    { table: 'inputs', column: 'source_id', references: { table: 'runs', column: 'run_uuid' }, kind: 'owned', when: "t.source_type IN ('RUN', 'RUN_OUTPUT')" },
    { table: 'input_tags', column: 'input_uuid', references: { table: 'inputs', column: 'input_uuid' }, kind: 'owned' },
  ],
  cleanup: {
    // What MlflowClient.set_terminated(run_id, "KILLED") writes: status and end_time (now, ms).
    markStale: { status: 'KILLED', finishedAt: { column: 'end_time', format: 'epoch-ms' } },
    statusColumn: 'status',
    // What delete_run / delete_experiment / restore_run write, so the UI and `mlflow gc` agree.
    softDelete: {
      runs: { set: { lifecycle_stage: 'deleted' }, time: { column: 'deleted_time', format: 'epoch-ms' } },
      experiments: { set: { lifecycle_stage: 'deleted' }, time: { column: 'last_update_time', format: 'epoch-ms' } },
      restoreRuns: { set: { lifecycle_stage: 'active', deleted_time: null } },
    },
  },
};
