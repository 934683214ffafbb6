// What "mark stale" and "reset stale" write, in the file's own encodings: the profile says which
// status value and columns; the time is written the way the system itself writes it
// (CURRENT_TIMESTAMP-style UTC text, Python's naive local isoformat, DuckDB's '+00' text, epoch ms).
import type { SqlDatabase } from '../db/types';
import { formatNaive, type NaiveTime } from '../doctor/time';
import type { CleanupSpec, ProfileSpec, SoftDeleteWrite } from '../profiles/spec';
import { Params, q } from './sql';

type TimeFormat = NonNullable<NonNullable<CleanupSpec['markStale']>['finishedAt']>['format'];

export function formatTime(ms: number, format: TimeFormat, naive: NaiveTime): string | number {
  const utc = (withMs: boolean): string => {
    const iso = new Date(ms).toISOString(); // 2025-11-20T12:00:00.123Z
    return `${iso.slice(0, 10)} ${iso.slice(11, withMs ? 23 : 19)}`;
  };
  switch (format) {
    case 'sqlite-utc': return utc(false);
    case 'epoch-ms': return ms;
    case 'iso-local': return formatNaive(ms, naive, 'T');
    case 'naive-local-micro': return formatNaive(ms, naive, 'micro');
    case 'utc-offset': return `${utc(true).replace(/\.?0+$/, '')}+00`; // DuckDB renders TIMESTAMPTZ like this
  }
}

/** The stored status column cleanups write, or undefined when the profile cannot say. */
export function statusColumn(profile: ProfileSpec): string | undefined {
  if (profile.cleanup?.statusColumn) return profile.cleanup.statusColumn;
  const e = profile.runs.status?.expr.trim();
  if (!e) return undefined;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(e)) return e;
  return /^(?:upper|lower|trim)\(\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*\)$/i.exec(e)?.[1];
}

/**
 * A CHECK constraint on the status column that does not allow `value` (egregora's runs table
 * allows no 'incomplete'): returns the allowed values, or undefined when the value is fine.
 */
export function checkForbids(db: SqlDatabase, table: string, column: string, value: string): string[] | undefined {
  const sql = db.get<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [table])?.sql ?? '';
  const re = new RegExp(`CHECK\\s*\\(\\s*["\`\\[]?${column}["\`\\]]?\\s+IN\\s*\\(([^)]*)\\)`, 'ig');
  for (const m of sql.matchAll(re)) {
    const allowed = [...m[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'"));
    if (!allowed.includes(value)) return allowed;
  }
  return undefined;
}

export interface WriteContext { now: number; naive: NaiveTime; staleMinutes: number }

/** SET list of "mark stale". */
export function markStaleSet(db: SqlDatabase, profile: ProfileSpec, params: Params, ctx: WriteContext): { column: string; sql: string }[] | string {
  const spec = profile.cleanup?.markStale;
  const status = statusColumn(profile);
  if (!spec || !status) return `${profile.title} has no status this cleanup could write`;
  const table = profile.runs.table;
  const columns = new Set(db.columns(table).map((c) => c.name));
  for (const c of [status, spec.finishedAt?.column, spec.metadataJson, spec.errorText]) {
    if (c && !columns.has(c)) return `${table} has no column ${c}`;
  }
  const forbidden = checkForbids(db, table, status, spec.status);
  if (forbidden) return `${table}.${status} only allows ${forbidden.join(', ')} (a CHECK constraint), not '${spec.status}'`;
  const when = new Date(ctx.now).toISOString().replace(/\.\d+Z$/, 'Z');
  const set: { column: string; sql: string }[] = [{ column: status, sql: params.add(spec.status) }];
  if (spec.finishedAt) {
    // The time of marking, as MLflow's set_terminated and Optuna's fail_stale_trials write it: an
    // end time left by an earlier attempt of a resumed run is not when this one ended.
    set.push({ column: spec.finishedAt.column, sql: params.add(formatTime(ctx.now, spec.finishedAt.format, ctx.naive)) });
  }
  if (spec.metadataJson) {
    // The shape ze-benchmarks' INCOMPLETE-RUNS-PLAN gives markStaleRunsIncomplete(): the reason
    // and the original status merged into the run's metadata object.
    const m = q(spec.metadataJson);
    const reason = `Marked ${spec.status} by Experiment Health: no activity for more than ${ctx.staleMinutes} minutes (stale)`;
    set.push({ column: spec.metadataJson, sql: `json_set(CASE WHEN ${m} IS NULL THEN '{}' WHEN json_valid(${m}) AND json_type(${m}) = 'object' THEN ${m} `
      + `ELSE json_object('original_metadata', ${m}) END, '$.reason', ${params.add(reason)}, '$.stage', 'stale-cleanup', `
      + `'$.incomplete', json('true'), '$.original_status', ${q(status)}, '$.marked_at', ${params.add(when)})` });
  }
  if (spec.errorText) {
    const text = `StaleRunError: no activity for more than ${ctx.staleMinutes} minutes; marked ${spec.status} by Experiment Health at ${when}`;
    const e = q(spec.errorText);
    set.push({ column: spec.errorText, sql: `CASE WHEN ${e} IS NULL OR ${e} = '' THEN ${params.add(text)} ELSE ${e} || char(10) || ${params.add(text)} END` });
  }
  return set;
}

/** SET list of "reset stale" (status back to pending, start time cleared). */
export function resetStaleSet(db: SqlDatabase, profile: ProfileSpec, params: Params): { column: string; sql: string }[] | string {
  const spec = profile.cleanup?.resetStale;
  const status = statusColumn(profile);
  if (!spec || !status) return `${profile.title} runs cannot be reset to pending`;
  const table = profile.runs.table;
  const columns = new Set(db.columns(table).map((c) => c.name));
  for (const c of [status, ...(spec.clear ?? [])]) if (!columns.has(c)) return `${table} has no column ${c}`;
  const forbidden = checkForbids(db, table, status, spec.status);
  if (forbidden) return `${table}.${status} only allows ${forbidden.join(', ')}, not '${spec.status}'`;
  return [{ column: status, sql: params.add(spec.status) }, ...(spec.clear ?? []).map((c) => ({ column: c, sql: 'NULL' }))];
}

/**
 * SET list of a soft delete (or restore): the profile's constant columns, plus the time of the
 * deletion in the system's encoding when the file has that column (MLflow files from before 2022
 * have no runs.deleted_time).
 */
export function softDeleteSet(db: SqlDatabase, table: string, write: SoftDeleteWrite, params: Params, now: number, naive: NaiveTime): { column: string; sql: string }[] | string {
  const columns = new Set(db.columns(table).map((c) => c.name));
  const set: { column: string; sql: string }[] = [];
  for (const [column, value] of Object.entries(write.set)) {
    if (!columns.has(column)) return `${table} has no column ${column}`;
    set.push({ column, sql: value === null ? 'NULL' : params.add(value) });
  }
  if (write.time && columns.has(write.time.column)) set.push({ column: write.time.column, sql: params.add(formatTime(now, write.time.format, naive)) });
  return set;
}
