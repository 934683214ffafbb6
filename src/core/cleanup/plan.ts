// Plan (read-only): re-derive the run states now, pick the runs the action applies to (never one
// with recent activity), follow what hangs off them, and count exactly the rows each table will
// lose or have changed. The same plan, rebuilt at execution time, is what the transaction does.
import type { SqlDatabase, SqlValue } from '../db/types';
import { profileOptions, runDoctor, type DoctorResult } from '../doctor/doctor';
import { checkedExpressions } from '../doctor/sql';
import { staleThresholdMinutes, type DoctorOptions } from '../doctor/options';
import { shownId } from '../ids';
import type { Run } from '../model';
import { detectProfile } from '../profiles/registry';
import type { ProfileSpec } from '../profiles/spec';
import { relationGraph, type Relation } from '../relations';
import { dbFingerprint } from './fingerprint';
import { closeOverOwned, nestedSql, topological, type TableOp } from './selection';
import { expr, idsJson, isWithoutRowid, Params, paramsFor, q, runIdExpr } from './sql';
import { renderScript } from './sql-script';
import type { CleanupAction, CleanupPlan, PlanParams, TableChange } from './types';
import { markStaleSet, resetStaleSet, softDeleteSet } from './values';

/** A plan plus what execution needs to do exactly it. */
export interface BuiltPlan {
  plan: CleanupPlan;
  /** Parents first; delete children-first by walking it backwards. */
  ops: TableOp[];
  params: SqlValue[];
  counts: Record<string, number>;
  profile?: ProfileSpec;
}

export interface BuildOptions {
  /** The fingerprint to record (execution takes it before opening its write session). */
  fingerprint?: string;
}

const WANTED: Partial<Record<CleanupAction, Run['state']>> = { 'delete-incomplete': 'incomplete', 'mark-stale': 'stale', 'reset-stale': 'stale' };

export function buildPlan(db: SqlDatabase, params: PlanParams, opts: BuildOptions = {}): BuiltPlan {
  const { action, target, options } = params;
  const fingerprint = opts.fingerprint ?? dbFingerprint(db.path);
  const base: CleanupPlan = {
    action, target, database: db.path, profile: '', title: titleFor(action), runIds: [], excluded: [], changes: [], totalRows: 0,
    archiveBytes: 0, fingerprint, sql: '', options,
  };
  if (params.profiles?.length) base.profiles = params.profiles;
  const refuse = (reason: string, profile?: ProfileSpec): BuiltPlan =>
    ({ plan: { ...base, profile: profile?.name ?? base.profile, refusal: reason }, ops: [], params: [], counts: {}, profile });

  // Deleting an experiment reaches all its runs, the soft-deleted ones too.
  const doctor = runDoctor(db, action === 'delete-experiment' ? { ...options, showHidden: true } : options, params.profiles ?? []).result;
  if (doctor.status !== 'ok' || !doctor.profile) return refuse('No profile matches this database, so Experiment Health cannot tell what a run is here.');
  const profile = detectProfile(doctor.tables, params.profiles ?? [], doctor.profile)!;
  base.profile = profile.name;
  if (profile.idsShownAs) base.idStyle = profile.idsShownAs;

  const picked = pickRuns(doctor, profile, params);
  if (typeof picked === 'string') return refuse(picked, profile);
  base.excluded = picked.excluded;
  base.title = picked.title;

  const graph = relationGraph(db, profile);
  const p = new Params();
  const ops = new Map<string, TableOp>();
  const resetWarnings: string[] = [];
  const runsTable = profile.runs.table;
  // Ids as the doctor names them: a blob id is its lowercase hex (idText), so it is matched that way too.
  const idIn = (ids: string[]): string => {
    const e = runIdExpr(profile), json = p.add(runIdsJson(db, profile, ids));
    return `(${e} IN (SELECT value FROM json_each(${json})) OR (typeof(${e}) = 'blob' AND lower(hex(${e})) IN (SELECT value FROM json_each(${json}))))`;
  };
  const live = doctor.runs.filter((r) => isActive(r, options, profile.name)).map((r) => r.id);

  // A system that deletes softly (MLflow) gets what its own delete writes, unless the user asked
  // for a hard delete explicitly; then rows go, children first, as its own purge does.
  const soft = profile.cleanup?.softDelete && !params.hardDelete ? profile.cleanup.softDelete : undefined;
  const naive = profileOptions(db, options, profile).naive;
  const softSet = (table: string, write: NonNullable<typeof soft>['runs']) => softDeleteSet(db, table, write, p, options.now, naive);
  switch (action) {
    case 'delete-incomplete': case 'delete-runs': {
      if (!picked.runs.length) break;
      const where = [{ kind: 'where' as const, where: idIn(picked.runs) }];
      if (soft) {
        const set = softSet(runsTable, soft.runs);
        if (typeof set === 'string') return refuse(`Cannot mark the runs deleted: ${set}.`, profile);
        ops.set(runsTable, { table: runsTable, kind: 'update', parts: where, set });
      } else ops.set(runsTable, { table: runsTable, kind: 'delete', parts: where });
      break;
    }
    case 'delete-experiment': {
      const e = profile.experiments;
      const exp = doctor.experiments.find((x) => x.id === target.experimentId);
      const expWhere = (table: string, column: string) => {
        const col = /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) ? column : undefined;
        const json = col ? idsJson(db, table, col, [exp!.id]) : JSON.stringify([exp!.id]);
        return `${expr(column)} IN (SELECT value FROM json_each(${p.add(json)}))`;
      };
      if (e && exp && !exp.missingRow && doctor.tables.some((t) => t.name === e.table)) {
        const parts = [{ kind: 'where' as const, where: expWhere(e.table, e.id) }];
        if (soft && soft.experiments) {
          const set = softSet(e.table, soft.experiments);
          if (typeof set === 'string') return refuse(`Cannot mark the experiment deleted: ${set}.`, profile);
          ops.set(e.table, { table: e.table, kind: 'update', parts, set });
        } else if (!soft) ops.set(e.table, { table: e.table, kind: 'delete', parts });
      }
      if (soft && exp && profile.runs.experimentId) {
        // MLflow's delete_experiment marks every run of it deleted, the ones deleted before too.
        const set = softSet(runsTable, soft.runs);
        if (typeof set === 'string') return refuse(`Cannot mark the runs deleted: ${set}.`, profile);
        ops.set(runsTable, { table: runsTable, kind: 'update', parts: [{ kind: 'where', where: expWhere(runsTable, profile.runs.experimentId) }], set });
      } else if (picked.runs.length) ops.set(runsTable, { table: runsTable, kind: 'delete', parts: [{ kind: 'where', where: idIn(picked.runs) }] });
      break;
    }
    case 'mark-stale': case 'reset-stale': {
      if (!picked.runs.length) break;
      const set = action === 'mark-stale'
        ? markStaleSet(db, profile, p, { now: options.now, naive, staleMinutes: staleThresholdMinutes(options, profile.name, undefined) })
        : resetStaleSet(db, profile, p);
      if (typeof set === 'string') return refuse(`Cannot ${action === 'mark-stale' ? 'mark stale runs' : 'reset stale runs'}: ${set}.`, profile);
      // Only while still stored as running and not deleted, as the systems' own writes say (MLflow
      // `AND status='RUNNING' AND lifecycle_stage='active'`, Optuna `AND state='RUNNING'`): a run
      // that finished after the plan is not overwritten, and the counts stop the plan's SQL script.
      const running = Object.entries(profile.runs.status?.map ?? {}).filter(([, state]) => state === 'running').map(([raw]) => raw);
      const guards = [
        ...(running.length && profile.runs.status ? [`(${expr(profile.runs.status.expr)}) IN (SELECT value FROM json_each(${p.add(JSON.stringify(running))}))`] : []),
        ...(profile.runs.hidden ? [`NOT coalesce((${expr(profile.runs.hidden)}), 0)`] : []),
      ];
      ops.set(runsTable, { table: runsTable, kind: 'update', parts: [{ kind: 'where', where: [idIn(picked.runs), ...guards].join(' AND ') }], set });
      if (action === 'reset-stale') {
        const rules = (profile.cleanup?.resetStale?.deleteChildren ?? []).flatMap((rule) => {
          const child = (profile.children ?? []).find((c) => c.table === rule.table);
          return child && doctor.tables.some((t) => t.name === child.table) ? [{ rule, child }] : [];
        });
        // Which child rows are finished work to keep is told by columns an older writer may lack
        // (recipe-runner before V3.1 has no instruction_runs.session_run_id; it also keeps no
        // finished sessions on a restart): then every child row of the reset runs goes, as its
        // own cleanup does.
        const missing: string[] = [];
        for (const { rule } of rules) {
          if (!rule.when) continue;
          let unreadable: string | undefined;
          checkedExpressions(db, rule.table, { when: rule.when }, [], (_name, _e, error) => {
            unreadable = /no such (?:table|column): (\S+)/.exec(error)?.[1]?.replace(/^\w+\./, '') ?? error;
          });
          if (unreadable === undefined) continue;
          if (rule.whenUnreadable !== 'all') return refuse(`Cannot reset stale runs: which ${rule.table} rows to delete cannot be read from this file (${unreadable}).`, profile);
          missing.push(`${rule.table}.${unreadable}`);
        }
        if (missing.length) {
          resetWarnings.push(`Every ${rules.map((r) => r.rule.table).join(' and ')} row of the reset runs is deleted, finished ones too: this file has no ${missing.join(', ')} `
            + `(an older ${profile.title}) to tell which rows are finished work, and deleting them all is what its own cleanup of a stale run does.`);
        }
        for (const { rule, child } of rules) {
          ops.set(child.table, { table: child.table, kind: 'delete', parts: [{ kind: 'child', column: child.key, parent: runsTable,
            parentColumn: child.references ?? profile.runs.id, ...(rule.when && !missing.length ? { and: rule.when } : {}) }] });
        }
      }
      break;
    }
    case 'delete-orphans': {
      const wanted = target.tables?.length ? new Set(target.tables) : undefined;
      for (const r of graph) {
        if (r.kind !== 'owned' || r.table === r.parentTable || (wanted && !wanted.has(r.table))) continue;
        let where = `t.${q(r.column)} IS NOT NULL${r.when ? ` AND (${r.when})` : ''} AND NOT EXISTS (SELECT 1 FROM ${q(r.parentTable)} p WHERE p.${q(r.parentColumn)} = t.${q(r.column)})`;
        if (r.table === runsTable && live.length) where += ` AND NOT (${idIn(live)})`;
        const op = ops.get(r.table) ?? { table: r.table, kind: 'delete' as const, parts: [] };
        op.parts.push({ kind: 'where', where });
        ops.set(r.table, op);
      }
      break;
    }
  }

  const conflict = closeOverOwned(ops, graph);
  if (conflict) return refuse(`This cleanup cannot be done safely: ${conflict}.`, profile);
  for (const t of ops.keys()) {
    if (isWithoutRowid(db, t)) return refuse(`${t} is a WITHOUT ROWID table, which this cleanup does not handle.`, profile);
    const triggers = db.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?", [t])?.n ?? 0;
    if (triggers) return refuse(`${t} has triggers, which could change rows this plan does not show; clean it up with your own tool.`, profile);
  }
  const ordered = topological(ops);
  if (!ordered) return refuse('The relations between the affected tables form a cycle, so there is no safe order to delete them in.', profile);

  // Count, per table, exactly the rows the transaction will select.
  const counts: Record<string, number> = {};
  for (const op of ordered) {
    const sql = `SELECT count(*) AS n FROM (${nestedSql(ops, op.table)})`;
    counts[op.table] = db.get<{ n: number }>(sql, paramsFor(sql, p.values))?.n ?? 0;
  }
  const runIds = ops.has(runsTable) ? selectedRunIds(db, profile, nestedSql(ops, runsTable), p.values) : [];
  const activeHit = runIds.filter((id) => live.includes(id));
  if (activeHit.length) {
    return refuse(`This cleanup would reach ${activeHit.length} run${activeHit.length === 1 ? '' : 's'} with recent activity (${activeHit.slice(0, 3).map((id) => shownId(id, profile.idsShownAs)).join(', ')}); stop them first or narrow the selection.`, profile);
  }
  const changes: TableChange[] = [...ordered].reverse().map((op) => ({
    table: op.table, deleted: op.kind === 'delete' ? counts[op.table]! : 0, updated: op.kind === 'update' ? counts[op.table]! : 0,
  }));
  const plan: CleanupPlan = {
    ...base,
    title: finalTitle(action, picked.title, runIds.length, changes),
    runIds,
    changes,
    totalRows: changes.reduce((n, c) => n + c.deleted + c.updated, 0),
    archiveBytes: estimateArchive(db, ordered, ops, counts, p.values),
  };
  const warnings = [...resetWarnings, ...danglingReferences(db, graph, ops, counts, p.values)];
  const deleting = action === 'delete-incomplete' || action === 'delete-runs' || action === 'delete-experiment';
  if (deleting && soft) {
    plan.softDelete = true;
    warnings.unshift(`${profile.title} deletes softly: the rows stay and are marked deleted, exactly as ${profile.title}'s own "delete" does, so its UI can restore them and its own purge (e.g. \`mlflow gc\`) removes them. The setting experimentHealth.hardDelete removes the rows instead.`);
  } else if (deleting && params.hardDelete && profile.cleanup?.softDelete) {
    plan.hardDelete = true;
    warnings.unshift(`Hard delete (experimentHealth.hardDelete is on): the rows are removed, children first, instead of being marked deleted; ${profile.title} cannot restore them (our archive can).`);
  }
  if (warnings.length) plan.warnings = warnings;
  const built: BuiltPlan = { plan, ops: ordered, params: p.values, counts, profile };
  plan.sql = renderScript(built);
  return built;
}

/** Recent activity: never treated as stale, never deleted by a cleanup. */
export function isActive(run: Run, options: DoctorOptions, profile: string): boolean {
  if (run.state === 'running') return true;
  if (!run.lastActivityAt) return false;
  const minutes = staleThresholdMinutes(options, profile, run.config);
  return options.now - Date.parse(run.lastActivityAt) < minutes * 60_000;
}

interface Picked { runs: string[]; excluded: { runId: string; reason: string }[]; title: string }

function pickRuns(doctor: DoctorResult, profile: ProfileSpec, params: PlanParams): Picked | string {
  const { action, target, options } = params;
  const excluded: Picked['excluded'] = [];
  const expLabel = (id: string) => doctor.experiments.find((e) => e.id === id)?.label ?? shownId(id, profile.idsShownAs);
  if (target.experimentId !== undefined && !doctor.experiments.some((e) => e.id === target.experimentId)) {
    return `There is no experiment ${target.experimentId} in this database (any more).`;
  }
  if (action === 'delete-orphans') return { runs: [], excluded, title: 'Delete orphaned rows' };
  if (action === 'delete-runs' && !target.runIds?.length) return 'Deleting selected runs needs the runs to delete.';
  if (action === 'delete-experiment' && target.experimentId === undefined) return 'Deleting an experiment needs the experiment.';
  if (action === 'delete-experiment' && profile.experiments?.deletable === false) {
    return `In ${profile.title} databases an experiment (${profile.experiments.table}) is a definition other runs reuse, so it is not deleted; select its runs and use "Delete Runs…" instead.`;
  }
  if ((action === 'delete-runs' || action === 'delete-incomplete') && profile.cleanup?.runsKept) return `${profile.cleanup.runsKept}.`;
  if (action === 'mark-stale' && !profile.cleanup?.markStale) {
    return `${profile.title} runs have no status to mark: ${profile.derive === 'panic-tda' ? 'their state is derived from their invocations; delete the incomplete runs instead' : 'this profile offers no "mark stale"'}.`;
  }
  if (action === 'reset-stale' && !profile.cleanup?.resetStale) return `${profile.title} runs cannot be reset to pending (the profile offers no "reset stale").`;
  if ((action === 'mark-stale' || action === 'reset-stale') && doctor.unreadActivity?.length) {
    return `Which runs are stale cannot be told here: their activity in ${doctor.unreadActivity.join(', ')} cannot be read from this file (a renamed or dropped column?), so a run still alive could be caught. Fix the mapping or the file first.`;
  }

  const named = target.runIds ? new Set(target.runIds) : undefined;
  const known = new Set(doctor.runs.map((r) => r.id));
  for (const id of target.runIds ?? []) if (!known.has(id)) excluded.push({ runId: id, reason: 'no such run in the database (any more)' });
  // Hidden (soft-deleted) runs are only ever touched when named one by one, or when their
  // experiment goes: a hard-deleted experiment must not leave runs pointing at its reusable id.
  const scope = doctor.runs.filter((r) => (target.experimentId === undefined || r.experimentId === target.experimentId) && (!named || named.has(r.id))
    && (!r.hidden || (named && action === 'delete-runs') || action === 'delete-experiment'));
  const wanted = WANTED[action];
  const runs: string[] = [];
  // An experiment live while none of its runs is (panic-tda's embeddings stage) is still writing
  // rows that hang off its runs: they are not deleted under it.
  const busy = new Map(doctor.experiments.filter((e) => e.state === 'running' && !doctor.runs.some((r) => r.experimentId === e.id && r.state === 'running'))
    .map((e) => [e.id, e]));
  for (const r of scope) {
    const live = action !== 'delete-experiment' && action !== 'mark-stale' && action !== 'reset-stale' ? busy.get(r.experimentId) : undefined;
    if (live) {
      if (named || !wanted || r.state === wanted) {
        excluded.push({ runId: r.id, reason: `its experiment is still running${minutesAgo(live.lastActivityAt, options.now, 'last activity ')}, writing rows that belong to its runs` });
      }
      continue;
    }
    const minutes = staleThresholdMinutes(options, profile.name, r.config);
    if (isActive(r, options, profile.name)) {
      if (named || !wanted || r.state === wanted || action === 'delete-experiment') {
        const ago = minutesAgo(r.lastActivityAt, options.now);
        // A run that has ended is not "still running": it is left alone until the threshold passes,
        // in case the program that wrote it is still writing its last rows.
        const why = r.state === 'running' ? `still running within the ${minutes}-minute stale threshold`
          : `its last activity is within the ${minutes}-minute stale threshold, so it is left alone until that has passed`;
        excluded.push({ runId: r.id, reason: `recent activity${ago}: ${why}` });
      }
      continue;
    }
    if (wanted && r.state !== wanted) {
      if (named) excluded.push({ runId: r.id, reason: `is ${r.state}, not ${wanted}` });
      continue;
    }
    runs.push(r.id);
  }
  if (action === 'delete-experiment' && excluded.length) {
    return `Experiment ${expLabel(target.experimentId!)} has ${excluded.length} run${excluded.length === 1 ? '' : 's'} with recent activity; wait until it has stopped before deleting it.`;
  }
  // Live without a live run: work that writes no run rows (panic-tda's embeddings stage).
  const stillRunning = action === 'delete-experiment' ? busy.get(target.experimentId!) : undefined;
  if (stillRunning) {
    return `Experiment ${expLabel(stillRunning.id)} is still running${minutesAgo(stillRunning.lastActivityAt, options.now, 'last activity ')}; wait until it has stopped before deleting it.`;
  }
  const where = target.experimentId !== undefined ? ` of ${expLabel(target.experimentId)}` : '';
  return { runs, excluded, title: `${titleFor(action)}${where}` };
}

/** " (last activity 3 min ago)", or nothing without a time. */
const minutesAgo = (iso: string | undefined, now: number, what = ''): string =>
  (iso ? ` (${what}${Math.max(0, Math.round((now - Date.parse(iso)) / 60_000))} min ago)` : '');

function titleFor(action: CleanupAction): string {
  return {
    'delete-incomplete': 'Delete incomplete runs', 'mark-stale': 'Mark stale runs as ended', 'reset-stale': 'Reset stale runs to pending',
    'delete-orphans': 'Delete orphaned rows', 'delete-runs': 'Delete selected runs', 'delete-experiment': 'Delete experiment',
  }[action];
}

function finalTitle(action: CleanupAction, title: string, runs: number, changes: TableChange[]): string {
  const n = (k: number, w: string) => `${k.toLocaleString('en-US')} ${w}${k === 1 ? '' : 's'}`;
  const where = / of (.*)$/.exec(title)?.[1];
  const of = where ? ` of ${where}` : '';
  const rows = changes.reduce((a, c) => a + c.deleted + c.updated, 0);
  const tables = changes.filter((c) => c.deleted || c.updated).length;
  const hanging = rows - runs ? ` and ${n(rows - runs, 'row')} that hang off them` : '';
  switch (action) {
    case 'delete-incomplete': return `Delete ${n(runs, 'incomplete run')}${of}${hanging}`;
    case 'delete-runs': return `Delete ${n(runs, 'selected run')}${hanging}`;
    case 'mark-stale': return `Mark ${n(runs, 'stale run')}${of} as ended`;
    case 'reset-stale': return `Reset ${n(runs, 'stale run')}${of} to pending${rows > runs ? `, deleting ${n(rows - runs, 'unfinished child row')}` : ''}`;
    case 'delete-orphans': return `Delete ${n(rows, 'orphaned row')} in ${n(tables, 'table')}`;
    case 'delete-experiment': return `Delete experiment ${where ?? ''} with ${n(runs, 'run')} (${n(rows, 'row')} in all)`.replace('  ', ' ');
  }
}

function runIdsJson(db: SqlDatabase, profile: ProfileSpec, ids: string[]): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(profile.runs.id) ? idsJson(db, profile.runs.table, profile.runs.id, ids) : JSON.stringify(ids);
}

function selectedRunIds(db: SqlDatabase, profile: ProfileSpec, rowidSql: string, params: SqlValue[]): string[] {
  const sql = `SELECT ${runIdExpr(profile)} AS id FROM ${q(profile.runs.table)} t WHERE t.rowid IN (${rowidSql}) ORDER BY t.rowid`;
  return db.all<{ id: SqlValue }>(sql, paramsFor(sql, params))
    .map((r) => (r.id instanceof Uint8Array ? Buffer.from(r.id).toString('hex') : String(r.id)));
}

/** Bytes the archive will take: rows × the average size of up to 200 of them. */
function estimateArchive(db: SqlDatabase, ops: TableOp[], all: Map<string, TableOp>, counts: Record<string, number>, params: SqlValue[]): number {
  let total = 0;
  for (const op of ops) {
    const n = counts[op.table] ?? 0;
    if (!n) continue;
    const size = db.columns(op.table).map((c) => `coalesce(length(CAST(${q(c.name)} AS BLOB)), 0) + 2`).join(' + ') || '0';
    const sql = `SELECT avg(${size}) AS a FROM (SELECT * FROM ${q(op.table)} WHERE rowid IN (${nestedSql(all, op.table)}) LIMIT 200)`;
    const avg = db.get<{ a: number | null }>(sql, paramsFor(sql, params))?.a ?? 0;
    total += Math.round(n * (avg + 12));
  }
  return total;
}

/** Rows left in place that will point at deleted rows (references, not ownership). */
function danglingReferences(db: SqlDatabase, graph: Relation[], ops: Map<string, TableOp>, counts: Record<string, number>, params: SqlValue[]): string[] {
  const out: string[] = [];
  for (const r of graph) {
    const parent = ops.get(r.parentTable);
    if (r.kind !== 'reference' || parent?.kind !== 'delete' || !counts[r.parentTable]) continue;
    const self = ops.get(r.table);
    const sql = `SELECT count(*) AS n FROM ${q(r.table)} t WHERE t.${q(r.column)} IN (SELECT p.${q(r.parentColumn)} FROM ${q(r.parentTable)} p WHERE p.rowid IN (${nestedSql(ops, r.parentTable)}))`
      + (r.when ? ` AND (${r.when})` : '')
      + (self?.kind === 'delete' ? ` AND t.rowid NOT IN (${nestedSql(ops, r.table)})` : '');
    const n = db.get<{ n: number }>(sql, paramsFor(sql, params))?.n ?? 0;
    if (n) out.push(`${n} ${r.table} row${n === 1 ? '' : 's'} will refer to deleted ${r.parentTable} rows through ${r.column} (left as they are)`);
  }
  return out;
}
