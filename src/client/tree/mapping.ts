// "Create Mapping…": a profile skeleton guessed from the tables and columns the server found in
// a database of unknown schema, and its addition to `.vscode/experiment-health.json` (appended to
// `profiles`, never replacing what is there). Plain TypeScript, unit-tested.
import type { RunState } from '../../core/model';
import type { ChildSpec, ProfileSpec, RunsSpec } from '../../core/profiles/spec';
import { basename } from './format';

export interface TableInfo { name: string; columns: string[] }

const RUN_TABLE = /(^|_)(runs?|trials?|jobs?|tasks?|executions?|attempts?)$/i;
const EXPERIMENT_TABLE = /(^|_)(experiments?|stud(y|ies)|batch(es)?|projects?|sweeps?|pipelines?|recipes?|suites?)$/i;
const ID = /^(id|uuid|run_id|trial_id|job_id|task_id)$/i;
const STATUS = /^(status|state|run_status|job_status)$/i;
const STARTED = /^(started_at|start_time|start_ts|started|start|begin_time|created_at|created|datetime_start)$/i;
const FINISHED = /^(finished_at|ended_at|end_time|completed_at|end_ts|finished|ended|stopped_at|datetime_complete)$/i;
const HEARTBEAT = /(heartbeat|updated_at|last_update|last_seen|modified_at|last_activity)/i;
const LABEL = /^(name|label|title|run_name|display_name)$/i;
const CONFIG = /^(config|configuration|model|model_name|network|scenario|suite|variant)$/i;
const ERROR = /^(error|errors|error_message|error_details|exception|traceback|failure_reason)$/i;
const STEPS_DONE = /^(steps?|completed_steps|steps_done|progress|iteration|iterations|epoch|current_step)$/i;
const STEPS_EXPECTED = /^(total_steps|max_steps|max_length|num_steps|epochs|total_epochs|max_iterations)$/i;
const TIME = /(^|_)(at|time|ts|timestamp|date|datetime)$/i;

/** Stored status values commonly seen, mapped to the unified states (edit to match yours). */
export const STATUS_GUESS: Record<string, RunState> = {
  pending: 'pending', queued: 'pending', scheduled: 'pending', waiting: 'pending', created: 'pending',
  running: 'running', started: 'running', active: 'running', in_progress: 'running',
  completed: 'completed', complete: 'completed', success: 'completed', succeeded: 'completed', finished: 'completed', done: 'completed',
  failed: 'failed', failure: 'failed', error: 'failed', crashed: 'failed',
  killed: 'incomplete', interrupted: 'incomplete', cancelled: 'incomplete', canceled: 'incomplete', incomplete: 'incomplete', timeout: 'incomplete',
  degraded: 'degraded', partial: 'degraded',
};

/** A column as a SQL expression: bare when it is a plain identifier, quoted otherwise. */
export function col(name: string): string { return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`; }

const singular = (t: string) => t.replace(/ies$/i, 'y').replace(/(ch|sh|x)es$/i, '$1').replace(/s$/i, '');
const find = (cols: string[], re: RegExp) => cols.find((c) => re.test(c));

/** `my_runs.db` → `my-runs` (a valid profile name). */
export function profileName(dbPath: string): string {
  const base = basename(dbPath).replace(/\.(sqlite3?|db3?|duckdb)$/i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return base || 'my-database';
}

function scoreRunTable(t: TableInfo): number {
  let s = 0;
  if (RUN_TABLE.test(t.name)) s += 4;
  if (find(t.columns, STATUS)) s += 3;
  if (find(t.columns, STARTED)) s += 1;
  if (find(t.columns, FINISHED)) s += 1;
  if (find(t.columns, ID)) s += 1;
  if (/^(sqlite_|alembic|migrations?$)/i.test(t.name)) s -= 10;
  return s;
}

function idColumn(t: TableInfo): string {
  const own = `${singular(t.name)}_id`.toLowerCase();
  return find(t.columns, ID) ?? t.columns.find((c) => c.toLowerCase() === own) ?? t.columns.find((c) => /_id$/i.test(c)) ?? t.columns[0] ?? 'rowid';
}

/** Guesses a profile from the tables: runs table, experiments table, key columns, child tables. */
export function mappingSkeleton(dbPath: string, tables: readonly TableInfo[]): ProfileSpec {
  const usable = tables.filter((t) => !/^sqlite_/i.test(t.name));
  const runsTable = [...usable].sort((a, b) => scoreRunTable(b) - scoreRunTable(a))[0] ?? { name: 'runs', columns: ['id', 'status', 'started_at', 'finished_at'] };
  const rc = runsTable.columns;
  const runId = idColumn(runsTable);
  const runs: RunsSpec = { table: runsTable.name, id: col(runId) };

  const expTable = usable.find((t) => t !== runsTable && EXPERIMENT_TABLE.test(t.name));
  let experiments: ProfileSpec['experiments'];
  if (expTable) {
    const expId = idColumn(expTable);
    const fk = rc.find((c) => c.toLowerCase() === `${singular(expTable.name)}_id`.toLowerCase())
      ?? rc.find((c) => /^(experiment|study|batch|project|sweep|pipeline|recipe|suite)_?id$/i.test(c));
    if (fk) {
      runs.experimentId = col(fk);
      experiments = { table: expTable.name, id: col(expId) };
      const l = find(expTable.columns, LABEL);
      if (l) experiments.label = col(l);
      const s = find(expTable.columns, STARTED); if (s) experiments.startedAt = { expr: col(s) };
      const f = find(expTable.columns, FINISHED); if (f) experiments.finishedAt = { expr: col(f) };
    }
  }
  if (!runs.experimentId) {
    const fk = rc.find((c) => /^(experiment|study|batch|project|sweep|pipeline|group)_?(id|name)$/i.test(c));
    if (fk) runs.experimentId = col(fk);
  }
  const label = find(rc, LABEL); if (label) runs.label = col(label);
  const config = find(rc, CONFIG); if (config) runs.config = col(config);
  const status = find(rc, STATUS);
  if (status) runs.status = { expr: `lower(${col(status)})`, map: { ...STATUS_GUESS } };
  const started = find(rc, STARTED); if (started) runs.startedAt = { expr: col(started) };
  const finished = find(rc, FINISHED); if (finished) runs.finishedAt = { expr: col(finished) };
  const hb = rc.find((c) => HEARTBEAT.test(c) && c !== started && c !== finished); if (hb) runs.heartbeat = { expr: col(hb) };
  const done = find(rc, STEPS_DONE); if (done) runs.stepsDone = col(done);
  const expected = find(rc, STEPS_EXPECTED); if (expected) runs.stepsExpected = col(expected);
  const error = find(rc, ERROR); if (error) runs.error = col(error);

  // child tables: anything with a column naming the run (run_id, <runs singular>_id)
  const keyNames = new Set(['run_id', `${singular(runsTable.name)}_id`.toLowerCase(), runId.toLowerCase()].filter((k) => k !== 'id'));
  const children: ChildSpec[] = [];
  for (const t of usable) {
    if (t === runsTable || t === expTable) continue;
    const key = t.columns.find((c) => keyNames.has(c.toLowerCase()));
    if (!key) continue;
    const child: ChildSpec = { table: t.name, key };
    if (runId.toLowerCase() !== 'id' && key.toLowerCase() !== runId.toLowerCase()) child.references = runId;
    const times = t.columns.filter((c) => TIME.test(c));
    if (times.length) child.activity = times.map((c) => ({ expr: col(c) }));
    children.push(child);
  }

  const detectColumns = [runId, status, started].filter((c): c is string => !!c && rc.includes(c));
  const spec: ProfileSpec = {
    name: profileName(dbPath),
    title: basename(dbPath),
    description: `Mapping for ${basename(dbPath)} (generated by Create Mapping…; check every guess).`,
    detect: [{ table: runsTable.name, ...(detectColumns.length ? { columns: detectColumns } : {}) }],
    ...(experiments ? { experiments } : {}),
    runs,
    ...(children.length ? { children } : {}),
  };
  return spec;
}

export type MergeResult =
  | { ok: true; text: string; name: string; created: boolean }
  | { ok: false; error: string };

/**
 * Adds `profile` to the mapping file's text (undefined: the file does not exist yet). Existing
 * profiles are kept; a name already taken gets a numeric suffix.
 */
export function addProfile(existing: string | undefined, profile: ProfileSpec): MergeResult {
  if (existing === undefined || existing.trim() === '') {
    return { ok: true, text: `${JSON.stringify({ profiles: [profile] }, null, 2)}\n`, name: profile.name, created: true };
  }
  let data: unknown;
  try { data = JSON.parse(existing); } catch (e) {
    return { ok: false, error: `it is not plain JSON (${e instanceof Error ? e.message : String(e)}); fix it or add the profile by hand` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: 'it does not hold a JSON object' };
  const obj = data as { profiles?: unknown };
  if (obj.profiles !== undefined && !Array.isArray(obj.profiles)) return { ok: false, error: '"profiles" is not an array' };
  const profiles = (obj.profiles ?? []) as { name?: unknown }[];
  const taken = new Set(profiles.map((p) => p?.name));
  let name = profile.name;
  for (let i = 2; taken.has(name); i++) name = `${profile.name}-${i}`;
  obj.profiles = [...profiles, { ...profile, name }];
  return { ok: true, text: `${JSON.stringify(obj, null, 2)}\n`, name, created: false };
}

/** Line (0-based) where the profile named `name` starts in `text`, for revealing it. */
export function profileLine(text: string, name: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(`"name": ${JSON.stringify(name)}`));
  return Math.max(0, i);
}
