import type { ProfileSpec } from '../spec';

// Optuna RDB storage on SQLite (more-systems.md §2). Studies → trials; states are the stored enum
// names. trials.datetime_* are naive LOCAL time up to Optuna 4.x and naive UTC from Optuna 5.0
// (nothing in the file says which): they follow the naive-timestamp setting for this profile
// (DoctorOptions.naiveByProfile.optuna, default local). Heartbeats are always UTC.
export const optuna: ProfileSpec = {
  name: 'optuna',
  title: 'Optuna',
  description: 'Optuna RDB storage (studies → trials; heartbeats when the storage had heartbeat_interval).',
  detect: [
    { table: 'studies', columns: ['study_id', 'study_name'] },
    { table: 'trials', columns: ['trial_id', 'study_id', 'state', 'datetime_start', 'datetime_complete'] },
  ],
  priority: 10,
  experiments: { table: 'studies', id: 'study_id', label: 'study_name' },
  runs: {
    table: 'trials',
    id: 'trial_id',
    experimentId: 'study_id',
    label: "'trial ' || t.number",
    // PRUNED is a normal, deliberate early stop: completed, with the step it was pruned at.
    status: {
      expr: 'state',
      map: { RUNNING: 'running', WAITING: 'pending', COMPLETE: 'completed', PRUNED: 'completed', FAIL: 'failed' },
      otherwise: 'failed',
    },
    startedAt: { expr: 'datetime_start' },
    finishedAt: { expr: 'datetime_complete' },
    // Liveness: the heartbeat (UTC) when the trial has a row, else its start time (startIsActivity
    // false makes the start count only when there is no other evidence).
    heartbeat: { expr: '(SELECT h.heartbeat FROM trial_heartbeats h WHERE h.trial_id = t.trial_id)', naive: 'utc' },
    startIsActivity: false,
    // Optuna ≤ 2.3 stored the reason of a failure; later versions only log it.
    error: "CASE WHEN t.state = 'FAIL' THEN (SELECT json_extract(a.value_json, '$') FROM trial_system_attributes a WHERE a.trial_id = t.trial_id AND a.\"key\" = 'fail_reason') END",
    stopReason: "CASE WHEN t.state = 'PRUNED' THEN 'pruned' || coalesce(' at step ' || (SELECT max(v.step) FROM trial_intermediate_values v WHERE v.trial_id = t.trial_id), '') END",
  },
  children: [
    // Reported steps (no timestamps; step numbers are the user's, so gaps are not errors).
    { table: 'trial_intermediate_values', key: 'trial_id', steps: {} },
  ],
  // delete_study's ORM cascades (SQLite's foreign keys are never enabled by Optuna).
  relations: [
    { table: 'trials', column: 'study_id', references: { table: 'studies', column: 'study_id' }, kind: 'owned' },
    { table: 'study_user_attributes', column: 'study_id', references: { table: 'studies', column: 'study_id' }, kind: 'owned' },
    { table: 'study_system_attributes', column: 'study_id', references: { table: 'studies', column: 'study_id' }, kind: 'owned' },
    { table: 'trial_params', column: 'trial_id', references: { table: 'trials', column: 'trial_id' }, kind: 'owned' },
    { table: 'trial_user_attributes', column: 'trial_id', references: { table: 'trials', column: 'trial_id' }, kind: 'owned' },
    { table: 'trial_system_attributes', column: 'trial_id', references: { table: 'trials', column: 'trial_id' }, kind: 'owned' },
  ],
  derive: 'optuna',
  cleanup: {
    // What fail_stale_trials writes: state FAIL, datetime_complete = now in the file's encoding.
    markStale: { status: 'FAIL', finishedAt: { column: 'datetime_complete', format: 'naive-local-micro' } },
    statusColumn: 'state',
    // §2.3/§2.7: no API deletes a trial; trials.number counts the study's earlier trials.
    runsKept: 'Optuna never deletes single trials: a trial\'s number counts the study\'s earlier trials, so after a deletion the next trial repeats a number. Mark stale trials as failed, or delete the whole study',
  },
};
