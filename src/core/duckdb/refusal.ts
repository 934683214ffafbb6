// Cleanups on DuckDB files are out of scope for now. Where the user asks for one (palette, tree
// menu, quick fix), the plan comes back refused with the reason and the SQL to run themselves
// with the duckdb CLI once egregora has stopped.
import type { CleanupPlan, PlanParams } from '../cleanup/types';

export type DuckPlanParams = Pick<PlanParams, 'action' | 'target' | 'options'>;

export const DUCKDB_CLEANUP_REFUSAL = 'Cleanups are not available for DuckDB files yet: Experiment Health reads runs.duckdb strictly read-only. '
  + 'To mark stale runs failed yourself, stop egregora and run the SQL below with the duckdb CLI.';

export function duckCleanupRefusal(params: DuckPlanParams): CleanupPlan {
  const ids = params.target.runIds ?? [];
  const where = ids.length ? `run_id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')})` : "status = 'running' AND started_at < now() - INTERVAL 1 HOUR";
  const sql = params.action === 'mark-stale'
    ? `-- duckdb ${params.target.path}\nUPDATE runs SET status = 'failed', finished_at = now(),\n  error = coalesce(error || chr(10), '') || 'StaleRunError: marked failed by hand'\nWHERE ${where};\n`
    : `-- Experiment Health does not write DuckDB files. Back up ${params.target.path} before changing it with the duckdb CLI.\n`;
  return {
    action: params.action, target: params.target, database: params.target.path, profile: 'egregora',
    title: 'Cleanups are not available for DuckDB files', runIds: [], excluded: [], changes: [], totalRows: 0, archiveBytes: 0,
    fingerprint: '', sql, refusal: DUCKDB_CLEANUP_REFUSAL, options: params.options,
  };
}
