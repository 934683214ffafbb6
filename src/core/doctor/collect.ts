// Reads a profile's experiments, runs and per-run child aggregates from the database. Child
// aggregates are the expensive part on big files, so they are kept per table with the highest
// rowid seen and, when the file only grew, extended with the new rows instead of rescanned.
import type { SqlDatabase, SqlValue } from '../db/types';
import type { ChildSpec, ProfileSpec, TimeSpec } from '../profiles/spec';
import type { DoctorOptions } from './options';
import { checkedExpressions, idText, num, q, text } from './sql';
import { parseTimestamp, type NaiveTime } from './time';

export interface RawExperiment {
  id: string; label?: string; config?: string; startedAt?: number; finishedAt?: number; hidden: boolean;
}

export interface RawRun {
  id: string; experimentId?: string; label?: string; config?: string; rawStatus?: string;
  startedAt?: number; finishedAt?: number; heartbeat?: number;
  stepsDone?: number; stepsExpected?: number; error?: string; stopReason?: string; model?: string; hidden: boolean;
  /** Sessions only: this run starts a new pipeline; and the pipeline's label once grouped. */
  startsSession?: boolean; experimentLabel?: string;
  /** Key used by child tables (differs from id when children reference another column). */
  keys: Map<string, string>;
}

/** What the children of one run add up to. */
export interface ChildAggregate {
  count: number; lastActivity?: number; minSeq?: number; maxSeq?: number; distinctSeq?: number;
  /** Per named condition of the spec's `counts`. */
  flagged?: Record<string, number>;
}

export interface ChildTableState {
  spec: ChildSpec;
  maxRowid: number;
  rowCount: number;
  byKey: Map<string, ChildAggregate>;
}

/** Below this many rows a child table is simply aggregated again. */
export const INCREMENTAL_MIN_ROWS = 50_000;

export function naiveFor(spec: TimeSpec | undefined, options: DoctorOptions): NaiveTime {
  return spec?.naive === 'utc' ? { zone: 'utc' } : options.naive;
}

export function readExperiments(db: SqlDatabase, profile: ProfileSpec, options: DoctorOptions, notices: string[]): RawExperiment[] {
  const spec = profile.experiments;
  if (!spec || !db.tables().includes(spec.table)) return [];
  const e = checkedExpressions(db, spec.table, {
    id: spec.id, label: spec.label, config: spec.config,
    startedAt: spec.startedAt?.expr, finishedAt: spec.finishedAt?.expr, hidden: spec.hidden,
  }, notices);
  const rows = db.all<Record<string, SqlValue>>(
    `SELECT ${e.id} AS id, ${e.label} AS label, ${e.config} AS config, ${e.startedAt} AS startedAt,
            ${e.finishedAt} AS finishedAt, ${e.hidden} AS hidden FROM ${q(spec.table)} t ORDER BY t.rowid`);
  const out: RawExperiment[] = [];
  for (const r of rows) {
    const id = idText(r.id);
    if (id === undefined) continue;
    out.push({
      id, label: text(r.label), config: text(r.config),
      startedAt: parseTimestamp(r.startedAt, naiveFor(spec.startedAt, options)),
      finishedAt: parseTimestamp(r.finishedAt, naiveFor(spec.finishedAt, options)),
      hidden: !!num(r.hidden),
    });
  }
  return out;
}

export function readRuns(db: SqlDatabase, profile: ProfileSpec, options: DoctorOptions, notices: string[]): RawRun[] {
  const spec = profile.runs;
  const refs = [...new Set((profile.children ?? []).map((c) => c.references).filter((r): r is string => !!r && r !== spec.id))];
  const e = checkedExpressions(db, spec.table, {
    id: spec.id, experimentId: spec.experimentId, label: spec.label, config: spec.config, status: spec.status?.expr,
    startedAt: spec.startedAt?.expr, finishedAt: spec.finishedAt?.expr, heartbeat: spec.heartbeat?.expr,
    stepsDone: spec.stepsDone, stepsExpected: spec.stepsExpected, error: spec.error, stopReason: spec.stopReason,
    model: spec.model, hidden: spec.hidden, startsSession: spec.sessions?.startsWhen,
    ...Object.fromEntries(refs.map((r, i) => [`ref${i}`, r])),
  }, notices);
  const cols = Object.entries(e).map(([name, sql]) => `${sql} AS ${q(name)}`).join(', ');
  const rows = db.all<Record<string, SqlValue>>(`SELECT ${cols} FROM ${q(spec.table)} t ORDER BY t.rowid`);
  const out: RawRun[] = [];
  for (const r of rows) {
    const id = idText(r.id);
    if (id === undefined) continue;
    const keys = new Map<string, string>([[spec.id, id]]);
    refs.forEach((ref, i) => { const k = idText(r[`ref${i}`]); if (k !== undefined) keys.set(ref, k); });
    out.push({
      id, experimentId: idText(r.experimentId), label: text(r.label), config: text(r.config), rawStatus: text(r.status),
      startedAt: parseTimestamp(r.startedAt, naiveFor(spec.startedAt, options)),
      finishedAt: parseTimestamp(r.finishedAt, naiveFor(spec.finishedAt, options)),
      heartbeat: parseTimestamp(r.heartbeat, naiveFor(spec.heartbeat, options)),
      stepsDone: num(r.stepsDone), stepsExpected: num(r.stepsExpected),
      error: text(r.error), stopReason: text(r.stopReason), model: text(r.model), hidden: !!num(r.hidden), keys,
      startsSession: !!num(r.startsSession),
    });
  }
  return out;
}

/**
 * Aggregates one child table per run key. With `previous`, only rows past its highest rowid are
 * read and merged — valid when the table only grew, which the caller checks by row count.
 */
export function aggregateChildren(
  db: SqlDatabase, spec: ChildSpec, options: DoctorOptions, notices: string[], previous?: ChildTableState,
): ChildTableState | undefined {
  if (!db.tables().includes(spec.table)) return undefined;
  const activity = spec.activity ?? [];
  const e = checkedExpressions(db, spec.table, {
    key: spec.key, seq: spec.steps?.sequence,
    ...Object.fromEntries(activity.map((a, i) => [`a${i}`, a.expr])),
    ...Object.fromEntries(Object.entries(spec.counts ?? {}).map(([name, cond]) => [`c_${name}`, `(${cond})`])),
  }, notices);
  const countNames = Object.keys(spec.counts ?? {}).filter((n) => e[`c_${n}`] !== 'NULL');
  if (e.key === 'NULL') return undefined;
  const counts = db.get<{ n: number; maxRowid: number | null }>(`SELECT count(*) AS n, max(rowid) AS maxRowid FROM ${q(spec.table)}`);
  const rowCount = counts?.n ?? 0;
  const maxRowid = counts?.maxRowid ?? 0;
  if (previous && rowCount === previous.rowCount && maxRowid === previous.maxRowid) return previous;
  // Appending is the common change on big tables; small tables (whose rows are also updated in
  // place, e.g. a session's completed_at) are simply read again.
  let since: number | undefined;
  if (previous && rowCount >= INCREMENTAL_MIN_ROWS && maxRowid > previous.maxRowid) {
    const added = db.get<{ n: number }>(`SELECT count(*) AS n FROM ${q(spec.table)} WHERE rowid > ?`, [previous.maxRowid])?.n ?? 0;
    if (previous.rowCount + added === rowCount) since = previous.maxRowid;
  }
  const seqCols = spec.steps?.sequence && e.seq !== 'NULL'
    ? `, min(${e.seq}) AS minSeq, max(${e.seq}) AS maxSeq, count(DISTINCT ${e.seq}) AS distinctSeq` : '';
  const maxCols = activity.map((_, i) => `, max(${e[`a${i}`]}) AS a${i}`).join('')
    + countNames.map((n) => `, sum(CASE WHEN ${e[`c_${n}`]} THEN 1 ELSE 0 END) AS ${q(`c_${n}`)}`).join('');
  const rows = db.all<Record<string, SqlValue>>(
    `SELECT ${e.key} AS k, count(*) AS n${seqCols}${maxCols} FROM ${q(spec.table)} t
     ${since !== undefined ? 'WHERE t.rowid > ?' : ''} GROUP BY 1`, since !== undefined ? [since] : []);
  const byKey = since !== undefined ? new Map(previous!.byKey) : new Map<string, ChildAggregate>();
  for (const r of rows) {
    const key = idText(r.k);
    if (key === undefined) continue;
    let last: number | undefined;
    activity.forEach((a, i) => {
      const t = parseTimestamp(r[`a${i}`], naiveFor(a, options));
      if (t !== undefined && (last === undefined || t > last)) last = t;
    });
    const fresh: ChildAggregate = { count: num(r.n) ?? 0, lastActivity: last,
      minSeq: num(r.minSeq), maxSeq: num(r.maxSeq), distinctSeq: num(r.distinctSeq) };
    if (countNames.length) fresh.flagged = Object.fromEntries(countNames.map((n) => [n, num(r[`c_${n}`]) ?? 0]));
    const old = byKey.get(key);
    byKey.set(key, old ? mergeAggregates(old, fresh) : fresh);
  }
  return { spec, maxRowid, rowCount, byKey };
}

function mergeAggregates(a: ChildAggregate, b: ChildAggregate): ChildAggregate {
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  const min = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  return {
    count: a.count + b.count,
    lastActivity: max(a.lastActivity, b.lastActivity),
    minSeq: min(a.minSeq, b.minSeq),
    maxSeq: max(a.maxSeq, b.maxSeq),
    // Appended steps are new step numbers in every system we read; a full scan corrects it.
    distinctSeq: a.distinctSeq === undefined ? b.distinctSeq : a.distinctSeq + (b.distinctSeq ?? 0),
    flagged: a.flagged || b.flagged ? Object.fromEntries([...new Set([...Object.keys(a.flagged ?? {}), ...Object.keys(b.flagged ?? {})])]
      .map((k) => [k, (a.flagged?.[k] ?? 0) + (b.flagged?.[k] ?? 0)])) : undefined,
  };
}
