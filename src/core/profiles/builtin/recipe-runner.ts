import type { ProfileSpec } from '../spec';

// The recipe runner (llmcore.db). recipe_runs.started_at is the queue (INSERT) time, so
// liveness comes from the children's timestamps (naive local, written by the runner).
export const recipeRunner: ProfileSpec = {
  name: 'recipe-runner',
  title: 'recipe runner',
  description: 'Recipe runner database (recipe_runs → session_runs → instruction_runs).',
  detect: [
    { table: 'recipe_runs', columns: ['recipe_run_id', 'recipe_id', 'status', 'started_at'] },
    { table: 'session_runs', columns: ['session_run_id', 'recipe_run_id', 'session_number', 'status'] },
  ],
  priority: 10,
  // Runs are grouped by recipe; a recipe is a reusable definition, not something cleanup deletes.
  experiments: { table: 'recipes', id: 'recipe_id', label: "coalesce(canonical_code, 'recipe ' || recipe_id)", deletable: false },
  runs: {
    table: 'recipe_runs',
    id: 'recipe_run_id',
    experimentId: 'recipe_id',
    label: "'run ' || recipe_run_id || ' · variation ' || variation_id || ' · batch ' || batch_id",
    config: "'batch ' || batch_id",
    status: {
      expr: 'upper(status)',
      map: { PENDING: 'pending', RUNNING: 'running', SUCCESS: 'completed', FAILED: 'failed', ERROR: 'failed', PARTIAL: 'incomplete' },
      otherwise: 'failed',
    },
    startedAt: { expr: 'started_at', naive: 'utc' },
    finishedAt: { expr: 'completed_at', naive: 'local' },
    startIsActivity: false,
    stepsDone: 'completed_steps',
    stepsExpected: 'total_steps',
    error: 'error_details',
  },
  children: [
    { table: 'session_runs', key: 'recipe_run_id', activity: [{ expr: 'started_at', naive: 'local' }, { expr: 'completed_at', naive: 'local' }],
      unfinishedWhen: "upper(coalesce(status, '')) <> 'SUCCESS'" },
    { table: 'instruction_runs', key: 'recipe_run_id', activity: [{ expr: 'timestamp', naive: 'local' }] },
  ],
  cleanup: {
    // What the runner's own cleanup_stale_runs does, minus its bugs (liveness by children).
    // The runner's cleanup_stale_runs resets RUNNING runs to PENDING with started_at NULL and
    // deletes the sessions that did not succeed with their steps (V3.1 resumes a run by reusing
    // its session rows and skipping SUCCESS ones). Unlike the runner, stale means "no activity
    // in the children for the threshold", not "queued more than an hour ago".
    resetStale: {
      status: 'PENDING',
      clear: ['started_at'],
      deleteChildren: [
        { table: 'session_runs', when: "upper(coalesce(t.status, '')) <> 'SUCCESS'" },
        // Runners before V3.1 write no session_run_id (and re-insert every session on a restart).
        { table: 'instruction_runs', when: "t.session_run_id IS NULL OR t.session_run_id NOT IN (SELECT s.session_run_id FROM session_runs s WHERE upper(coalesce(s.status, '')) = 'SUCCESS')",
          whenUnreadable: 'all' },
      ],
    },
    markStale: { status: 'FAILED', finishedAt: { column: 'completed_at', format: 'iso-local' }, errorText: 'error_details' },
  },
};
