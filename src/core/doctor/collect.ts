// Reads a profile's experiments, runs and per-run child aggregates from the database. Child
// aggregates are the expensive part on big files, so they are kept per table with the highest
// rowid seen and, when the file only grew, extended with the new rows instead of rescanned.
import type { SqlDatabase, SqlValue } from '../db/types';
import type { ChildSpec, ProfileSpec, TimeSpec } from '../profiles/spec';
import type { DoctorOptions } from './options';
import type { TableMarks } from './incremental';
import { checkedExpressions, idText, num, q, rowOrder, shownValue, text } from './sql';
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
  /** Nested runs: the parent's id, and the newest activity of any descendant (see parents.ts). */
  parentId?: string; descendantActivity?: number;
}

/** What the children of one run add up to. */
export interface ChildAggregate {
  count: number; lastActivity?: number; minSeq?: number; maxSeq?: number; distinctSeq?: number;
  /** Rows with a step number (counted in `seen`): more than `distinctSeq` means a step logged twice. */
  seqRows?: number;
  /** Per named condition of the spec's `counts`. */
  flagged?: Record<string, number>;
  /** Step numbers seen (bitset), for exact distinct counts across incremental reads. */
  seen?: Uint8Array;
}

export interface ChildTableState {
  spec: ChildSpec;
  maxRowid: number;
  rowCount: number;
  byKey: Map<string, ChildAggregate>;
  /** The newest rows as last read (rowid → selected values), to see them filled in place later. */
  tail?: Map<number, SqlValue[]>;
}

/**
 * How many of the newest rows an incremental read looks at again: rows written first and filled
 * in later (panic-tda's older engine inserted an invocation, then set its output) are the ones
 * still in progress, which are the newest.
 */
export const TAIL_ROWS = 256;

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
  for (const k of ['label', 'config'] as const) e[k] = shownValue(e[k]!);
  const rows = db.all<Record<string, SqlValue>>(
    `SELECT ${e.id} AS id, ${e.label} AS label, ${e.config} AS config, ${e.startedAt} AS startedAt,
            ${e.finishedAt} AS finishedAt, ${e.hidden} AS hidden FROM ${q(spec.table)} t${rowOrder(db, spec.table)}`);
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

/** Text that is only shown (a traceback can be 200 MB): described instead of read when long. */
const SHOWN_TEXT = ['label', 'config', 'error', 'stopReason'] as const;

/**
 * `blind` receives the activity sources (table.expression) this file cannot answer: without them a
 * run that is alive can look stale.
 */
export function readRuns(db: SqlDatabase, profile: ProfileSpec, options: DoctorOptions, notices: string[], blind: string[] = []): RawRun[] {
  const spec = profile.runs;
  const refs = [...new Set((profile.children ?? []).map((c) => c.references).filter((r): r is string => !!r && r !== spec.id))];
  const e = checkedExpressions(db, spec.table, {
    id: spec.id, experimentId: spec.experimentId, label: spec.label, config: spec.config, status: spec.status?.expr,
    startedAt: spec.startedAt?.expr, finishedAt: spec.finishedAt?.expr, heartbeat: spec.heartbeat?.expr,
    stepsDone: spec.stepsDone, stepsExpected: spec.stepsExpected, error: spec.error, stopReason: spec.stopReason,
    model: spec.model, hidden: spec.hidden, startsSession: spec.sessions?.startsWhen, parent: spec.parent,
    ...Object.fromEntries(refs.map((r, i) => [`ref${i}`, r])),
  }, notices, (name, e, error) => {
    // A heartbeat table that does not exist is a feature never used (Optuna creates
    // trial_heartbeats only for storages with heartbeats): no heartbeats, not an unreadable one.
    if ((name === 'heartbeat' && !/no such table/.test(error)) || (name === 'startedAt' && spec.startIsActivity !== false)) blind.push(`${spec.table}.${e}`);
  });
  for (const k of SHOWN_TEXT) e[k] = shownValue(e[k]!);
  const cols = Object.entries(e).map(([name, sql]) => `${sql} AS ${q(name)}`).join(', ');
  const rows = db.all<Record<string, SqlValue>>(`SELECT ${cols} FROM ${q(spec.table)} t${rowOrder(db, spec.table)}`);
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
      startsSession: !!num(r.startsSession), parentId: idText(r.parent),
    });
  }
  return out;
}

/**
 * Aggregates one child table per run key in one sequential scan (NOT INDEXED: walking an index
 * in key order would fetch rows in random order, which is ruinous through a file read in place),
 * folding rows in JavaScript so memory stays flat whatever the table's size. With `previous`,
 * only rows past its highest rowid are read and merged — when the table only grew.
 */
export function aggregateChildren(
  db: SqlDatabase, spec: ChildSpec, options: DoctorOptions, notices: string[], previous: ChildTableState | undefined,
  marks: TableMarks, incrementalMinRows = INCREMENTAL_MIN_ROWS, blind: string[] = [],
): ChildTableState | undefined {
  if (!db.tables().includes(spec.table)) return undefined;
  const activity = spec.activity ?? [];
  const countNames = Object.keys(spec.counts ?? {});
  const e = checkedExpressions(db, spec.table, {
    key: spec.key, seq: spec.steps?.sequence,
    ...Object.fromEntries(activity.map((a, i) => [`a${i}`, a.expr])),
    ...Object.fromEntries(countNames.map((name) => [`c_${name}`, `(${spec.counts![name]})`])),
  }, notices, (name, e) => { if (/^a\d+$/.test(name)) blind.push(`${spec.table}.${e}`); });
  if (e.key === 'NULL') return undefined;
  const { rows: rowCount, maxRowid, noRowid } = marks.get(spec.table);
  // Small tables are read again even when their counts did not move: their rows are also
  // updated in place (a session's completed_at). Big ones are appended to, and only re-read
  // past the previous highest rowid when that is all that happened, plus their newest rows
  // (TAIL_ROWS), which may have been filled in since.
  let since: number | undefined;
  if (previous && rowCount >= incrementalMinRows && marks.appendedSince(spec.table, { rows: previous.rowCount, maxRowid: previous.maxRowid }) !== undefined) {
    since = previous.maxRowid;
  }
  const byKey = since !== undefined ? cloneAggregates(previous!.byKey) : new Map<string, ChildAggregate>();
  const cols = [e.key, e.seq ?? 'NULL', ...activity.map((_, i) => e[`a${i}`]), ...countNames.map((n) => e[`c_${n}`]), noRowid ? 'NULL' : 't.rowid'];
  const naive = activity.map((a) => naiveFor(a, options));
  const rawMax = new Map<string, SqlValue[]>();
  const tail = new Map<number, SqlValue[]>();
  const tailFrom = maxRowid - TAIL_ROWS;
  const foldActivity = (key: string, v: SqlValue[]) => {
    if (!activity.length) return;
    let maxes = rawMax.get(key);
    if (!maxes) rawMax.set(key, (maxes = activity.map(() => null)));
    for (let i = 0; i < activity.length; i++) if (later(v[2 + i], maxes[i], naive[i])) maxes[i] = v[2 + i];
  };
  const flag = (agg: ChildAggregate, name: string, by: number) => { agg.flagged ??= {}; agg.flagged[name] = (agg.flagged[name] ?? 0) + by; };
  const fold = (v: SqlValue[]) => {
    const rowid = v[v.length - 1];
    if (typeof rowid === 'number' && rowid > tailFrom) tail.set(rowid, v);
    const key = idText(v[0]);
    if (key === undefined) return;
    let agg = byKey.get(key);
    if (!agg) byKey.set(key, (agg = { count: 0 }));
    agg.count++;
    const seq = v[1];
    if (typeof seq === 'number' && Number.isInteger(seq)) {
      agg.minSeq = agg.minSeq === undefined ? seq : Math.min(agg.minSeq, seq);
      agg.maxSeq = agg.maxSeq === undefined ? seq : Math.max(agg.maxSeq, seq);
      if (seq >= 0 && seq < MAX_BITSET_STEP) { agg.seen = markSeen(agg.seen, seq); agg.seqRows = (agg.seqRows ?? 0) + 1; }
    }
    foldActivity(key, v);
    for (let i = 0; i < countNames.length; i++) if (v[2 + activity.length + i]) flag(agg, countNames[i]!, 1);
  };
  if (since !== undefined) {
    if (!refold(previous!.tail)) { since = undefined; byKey.clear(); rawMax.clear(); tail.clear(); } // a row changed beyond repair: read it all
    else if (maxRowid === previous!.maxRowid && sameTail(previous!.tail, tail)) return previous!; // nothing new, nothing filled in
  }
  db.each(`SELECT ${cols.join(', ')} FROM ${q(spec.table)} t NOT INDEXED${since !== undefined ? ' WHERE t.rowid > ?' : ''}`,
    since !== undefined ? [since] : [], fold);

  /**
   * The previous tail read again: a row filled in since (a flag turned off or on, a later
   * activity time) adjusts its run's aggregate. False when a row's run or step changed.
   */
  function refold(before: Map<number, SqlValue[]> | undefined): boolean {
    if (!before?.size) return true;
    let ok = true;
    db.each(`SELECT ${cols.join(', ')} FROM ${q(spec.table)} t WHERE t.rowid > ? AND t.rowid <= ?`, [Math.min(...before.keys()) - 1, since!], (v) => {
      const rowid = Number(v[v.length - 1]);
      if (rowid > tailFrom) tail.set(rowid, v);
      const old = before.get(rowid);
      if (!old || !ok) return;
      if (!sameValue(old[0], v[0]) || !sameValue(old[1], v[1])) { ok = false; return; }
      const key = idText(v[0]);
      const agg = key === undefined ? undefined : byKey.get(key);
      if (!agg || key === undefined) return;
      foldActivity(key, v);
      for (let i = 0; i < countNames.length; i++) {
        const was = !!old[2 + activity.length + i], is = !!v[2 + activity.length + i];
        if (was !== is) flag(agg, countNames[i]!, is ? 1 : -1);
      }
    });
    return ok;
  }
  for (const [key, maxes] of rawMax) {
    const agg = byKey.get(key)!;
    maxes.forEach((raw, i) => {
      const t = parseTimestamp(raw, naive[i]);
      if (t !== undefined && (agg.lastActivity === undefined || t > agg.lastActivity)) agg.lastActivity = t;
    });
  }
  for (const agg of byKey.values()) if (agg.seen) agg.distinctSeq = popcount(agg.seen);
  return { spec, maxRowid, rowCount, byKey, tail };
}

function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

function sameTail(a: Map<number, SqlValue[]> | undefined, b: Map<number, SqlValue[]>): boolean {
  if (!a || a.size !== b.size) return !a?.size && !b.size;
  for (const [rowid, v] of b) {
    const w = a.get(rowid);
    if (!w || w.length !== v.length || w.some((x, i) => !sameValue(x, v[i]!))) return false;
  }
  return true;
}

/** Whether stored time `a` is later than `b`. Same-format text compares as text (fast); anything else is parsed. */
function later(a: SqlValue, b: SqlValue, naive: NaiveTime): boolean {
  if (a === null || a === undefined) return false;
  if (b === null || b === undefined) return parseTimestamp(a, naive) !== undefined;
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length && a[10] === b[10]) return a > b;
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  return (parseTimestamp(a, naive) ?? -Infinity) > (parseTimestamp(b, naive) ?? -Infinity);
}

/** Step numbers seen, as a bitset: exact distinct counts in a few bytes per step. */
const MAX_BITSET_STEP = 1 << 24;
/** Marks step `seq` (0 ≤ seq < MAX_BITSET_STEP, checked by the caller). */
function markSeen(seen: Uint8Array | undefined, seq: number): Uint8Array {
  const byte = seq >> 3;
  if (!seen || seen.length <= byte) {
    const grown = new Uint8Array(Math.max(byte + 1, (seen?.length ?? 0) * 2, 16));
    if (seen) grown.set(seen);
    seen = grown;
  }
  seen[byte] |= 1 << (seq & 7);
  return seen;
}

function popcount(bits: Uint8Array): number {
  let n = 0;
  for (let b of bits) while (b) { n += b & 1; b >>= 1; }
  return n;
}

function cloneAggregates(m: Map<string, ChildAggregate>): Map<string, ChildAggregate> {
  const out = new Map<string, ChildAggregate>();
  for (const [k, a] of m) out.set(k, { ...a, flagged: a.flagged && { ...a.flagged }, seen: a.seen && a.seen.slice() });
  return out;
}
