// panic-tda runs carry no status: a run is complete when it has all max_length invocations with
// outputs (stop reason 'length') or stopped on a repeated output with a fixed seed ('duplicate');
// otherwise its stop reason is 'unknown' and the experiment's state says whether it is still in
// progress or stopped early. Derived data (embeddings, persistence diagrams) is checked per
// configured model, the way panic-tda's own doctor does, but without its LIMIT 100.
import type { SqlDatabase, SqlValue } from '../db/types';
import type { Finding, RunState } from '../model';
import type { ProfileSpec } from '../profiles/spec';
import { INCREMENTAL_MIN_ROWS, naiveFor, TAIL_ROWS, type ChildTableState, type RawRun } from './collect';
import type { DoctorOptions } from './options';
import { stepsDone, toRun, type DerivedExperiment, type DerivedRun } from './states';
import { idText, num, tableExists, text } from './sql';
import { staleThresholdMinutes } from './options';
import { incrementalCounts, keyOf, type CountCache, type TableMark, type TableMarks } from './incremental';
import { parseTimestamp } from './time';
import { pushTo } from '../collections';

export function derivePanicRun(
  run: RawRun, experiment: DerivedExperiment | undefined, children: ChildTableState[], profile: ProfileSpec,
  options: DoctorOptions, duplicateStopped: Map<string, number>,
): DerivedRun {
  const invocations = children.find((c) => c.spec.table === 'invocation')?.byKey.get(run.id);
  const done = stepsDone(run, profile, children) ?? 0;
  const expected = run.stepsExpected;
  const noOutput = invocations?.flagged?.noOutput ?? 0;
  const activityMs = children.reduce<number | undefined>((last, c) => {
    const t = c.byKey.get(run.id)?.lastActivity;
    return t !== undefined && (last === undefined || t > last) ? t : last;
  }, undefined);
  let stopReason: string;
  let state: RunState;
  const loop = duplicateStopped.get(run.id);
  if (expected !== undefined && done === expected && noOutput === 0) { stopReason = 'length'; state = 'completed'; }
  else if (loop !== undefined) { stopReason = `duplicate (loop of ${loop})`; state = 'completed'; }
  else {
    stopReason = 'unknown';
    const live = experiment?.state === 'running' || experiment?.state === 'pending';
    if (done === 0) state = experiment?.state === 'completed' ? 'incomplete' : 'pending';
    else if (live && done < (expected ?? Infinity)) state = 'running';
    else state = 'incomplete';
  }
  const threshold = staleThresholdMinutes(options, profile.name, run.model ?? run.config);
  const out = toRun({ ...run, stopReason }, state, activityMs, threshold, done);
  if (noOutput) out.error = `${noOutput} invocation${noOutput === 1 ? '' : 's'} without output`;
  return out;
}

/**
 * Runs with a fixed seed (seed ≠ -1) stop at the first repeated output: find which ones did,
 * with the loop length. Only such runs are examined, each in one pass over its invocations in
 * step order: outputs are keyed by their text, or by an image's length and first bytes (read from
 * the row, without its overflow pages); only an image whose key repeats is compared whole, in SQL.
 * (A self-join comparing every pair of outputs took ~100 s on a 10 GB file.)
 */
export function findDuplicateStops(db: SqlDatabase, runs: RawRun[], only?: Set<string>): Map<string, number> {
  const out = new Map<string, number>();
  if (!db.columns('run').some((c) => c.name === 'seed')) return out;
  const columns = new Set(db.columns('invocation').map((c) => c.name));
  const hasText = columns.has('output_text'), hasImage = columns.has('output_image_data');
  if (!hasText && !hasImage) return out;
  const fixed = db.all<{ id: SqlValue }>('SELECT id FROM run WHERE seed IS NOT NULL AND seed <> -1');
  const known = new Set(runs.map((r) => r.id));
  const sql = `SELECT sequence_number, ${hasText ? 'output_text' : 'NULL'}, ${hasImage ? 'length(output_image_data), hex(substr(output_image_data, 1, 64))' : 'NULL, NULL'}
                 FROM invocation WHERE run_id = ? ORDER BY sequence_number`;
  const sameImage = (runId: SqlValue, a: number, b: number): boolean => db.get<{ same: number | null }>(
    `SELECT (SELECT output_image_data FROM invocation WHERE run_id = ?1 AND sequence_number = ?2)
          = (SELECT output_image_data FROM invocation WHERE run_id = ?1 AND sequence_number = ?3) AS same`, [runId, a, b])?.same === 1;
  for (const row of fixed) {
    const id = idText(row.id);
    if (id === undefined || !known.has(id) || (only && !only.has(id))) continue;
    const texts = new Map<string, number>();          // text → first step with it
    const images = new Map<string, number[]>();       // length:head → steps with it, ascending
    let found: { first: number; again: number } | undefined;
    db.each(sql, [row.id], (v) => {
      if (found) return;
      const step = Number(v[0]);
      let first: number | undefined;
      if (typeof v[1] === 'string' || v[1] instanceof Uint8Array) {
        const key = typeof v[1] === 'string' ? `t${v[1]}` : `b${Buffer.from(v[1]).toString('hex')}`;
        const seen = texts.get(key);
        if (seen !== undefined && seen < step) first = seen; else if (seen === undefined) texts.set(key, step);
      }
      if (v[2] !== null && v[2] !== undefined) {
        const key = `${String(v[2])}:${String(v[3])}`;
        const earlier = images.get(key);
        const same = earlier?.find((a) => a < step && (first === undefined || a < first) && sameImage(row.id, a, step));
        if (same !== undefined) first = same;
        if (earlier) earlier.push(step); else images.set(key, [step]);
      }
      if (first !== undefined) found = { first, again: step };
    });
    if (found) out.set(id, found.again - found.first);
  }
  return out;
}

/**
 * findDuplicateStops, kept between evaluations: reused while invocation and run are unchanged;
 * when they only grew, only the runs that got new invocations (or are new) are examined again
 * (on a 9.7 GB file the whole pass takes about 6 s, for every evaluation), with those of the
 * newest TAIL_ROWS invocations, whose outputs may have been filled in since. Small tables: always.
 */
export function duplicateStops(
  db: SqlDatabase, runs: RawRun[], marks: TableMarks, caches: PanicCaches, minRows = INCREMENTAL_MIN_ROWS,
): Map<string, number> {
  const tables = ['invocation', 'run'];
  const now = Object.fromEntries(tables.map((t) => [t, marks.get(t)]));
  const prev = caches.duplicateStops;
  let loops: Map<string, number>;
  // As for the children's aggregates: a small table is read again, its rows may be filled in place.
  if (prev && now.invocation!.rows >= minRows && tables.every((t) => prev.marks[t] && marks.appendedSince(t, prev.marks[t]) !== undefined)) {
    // New rows, and the newest ones before them, which may have had their output filled in since.
    const again = new Set<string>();
    const add = (v: SqlValue[]) => { const id = idText(v[0]); if (id !== undefined) again.add(id); };
    db.each('SELECT DISTINCT run_id FROM invocation WHERE rowid > ?', [prev.marks.invocation!.maxRowid - TAIL_ROWS], add);
    db.each('SELECT id FROM run WHERE rowid > ?', [prev.marks.run!.maxRowid], add);
    loops = new Map([...prev.loops].filter(([id]) => !again.has(id)));
    for (const [id, n] of findDuplicateStops(db, runs, again)) loops.set(id, n);
    if (loops.size === prev.loops.size && [...loops].every(([id, n]) => prev.loops.get(id) === n)) loops = prev.loops;
  } else loops = findDuplicateStops(db, runs);
  caches.duplicateStops = { marks: now, loops };
  return loops;
}

const isImageModel = (model: string) => /vision/i.test(model);

function jsonList(v: string | undefined): string[] {
  if (!v) return [];
  try { const x = JSON.parse(v); return Array.isArray(x) ? x.map(String) : []; } catch { return []; }
}

/** Experiments whose derived data should exist: finished, or stuck (not live, not pending). */
const expectsArtifacts = (e: DerivedExperiment) => e.state === 'completed' || e.state === 'stale';

/**
 * What the artifact checks keep between evaluations. `embeddingTop`: per run, the highest rowid
 * among its embeddings, kept by the same scan as the counts.
 */
export interface PanicCaches {
  embeddings?: CountCache; nullVectors?: CountCache; embeddingTop?: Map<string, number>;
  duplicateStops?: { marks: Record<string, TableMark>; loops: Map<string, number> };
}

/**
 * When the newest embedding of these runs (an experiment's) was written. The embeddings stage
 * runs after every run ended, for hours on real files, and writes nothing but embedding rows
 * (systems.md §A: last activity is the latest of invocations, embeddings and persistence
 * diagrams). Embeddings are appended, so the newest is the one with the highest rowid: the
 * counting scan (which reads only the index) notes it per run, and one row is read here.
 */
export function latestEmbeddingMs(
  db: SqlDatabase, runIds: string[], marks: TableMarks, caches: PanicCaches, options: DoctorOptions,
): number | undefined {
  if (!tableExists(db, 'embedding') || !db.columns('embedding').some((c) => c.name === 'completed_at')) return undefined;
  caches.embeddings = embeddingCounts(db, marks, caches);
  const rowid = Math.max(0, ...runIds.map((id) => caches.embeddingTop?.get(id) ?? 0));
  if (!rowid) return undefined;
  const row = db.get<{ s: SqlValue; c: SqlValue }>('SELECT started_at AS s, completed_at AS c FROM embedding WHERE rowid = ?', [rowid]);
  const naive = naiveFor({ expr: 'completed_at', naive: 'local' }, options);
  const times = [parseTimestamp(row?.c, naive), parseTimestamp(row?.s, naive)].filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

export function panicArtifactFindings(
  db: SqlDatabase, experiments: Map<string, DerivedExperiment>, children: ChildTableState[], runs: DerivedRun[],
  marks: TableMarks, caches: PanicCaches,
): Finding[] {
  const findings: Finding[] = [];
  if (!tableExists(db, 'experimentconfig')) return findings;
  const models = new Map<string, string[]>();
  for (const row of db.all<{ id: SqlValue; m: SqlValue }>('SELECT id, embedding_models AS m FROM experimentconfig')) {
    const id = idText(row.id);
    if (id !== undefined) models.set(id, jsonList(text(row.m)));
  }
  const runExperiment = new Map(runs.map((r) => [r.id, r.experimentId]));
  const checked = (expId: string | undefined) => {
    const e = expId === undefined ? undefined : experiments.get(expId);
    return e && !e.missingRow && expectsArtifacts(e) ? e : undefined;
  };

  if (tableExists(db, 'embedding')) {
    const invocations = children.find((c) => c.spec.table === 'invocation');
    const invOfType = (run: string, type: 'TEXT' | 'IMAGE') => invocations?.byKey.get(run)?.flagged?.[type === 'TEXT' ? 'text' : 'image'] ?? 0;
    type Acc = { missing: number; duplicate: number; mismatched: number; invalidModel: number; nullData: number };
    const perExpModel = new Map<string, Acc>();
    const acc = (exp: string, model: string) => {
      const k = `${exp}|${model}`;
      let a = perExpModel.get(k);
      if (!a) perExpModel.set(k, (a = { missing: 0, duplicate: 0, mismatched: 0, invalidModel: 0, nullData: 0 }));
      return a;
    };
    const embedded = new Map<string, number>();
    caches.embeddings = embeddingCounts(db, marks, caches);
    for (const [key, n] of caches.embeddings.counts) {
      const [run, model, type] = key.split('|');
      const e = checked(runExperiment.get(run));
      if (!e) continue;
      const configured = models.get(e.id) ?? [];
      const wantType = isImageModel(model) ? 'IMAGE' : 'TEXT';
      if (!configured.includes(model)) acc(e.id, model).invalidModel += n;
      else if (type !== wantType) acc(e.id, model).mismatched += n;
      else embedded.set(`${run}|${model}`, (embedded.get(`${run}|${model}`) ?? 0) + n);
    }
    caches.nullVectors = nullVectors(db, marks, caches.nullVectors);
    for (const [key, n] of caches.nullVectors.counts) {
      const [run, model] = key.split('|');
      const e = checked(runExperiment.get(run));
      if (e) acc(e.id, model).nullData += n;
    }
    for (const run of runs) {
      const e = checked(run.experimentId);
      if (!e) continue;
      for (const model of models.get(e.id) ?? []) {
        const want = invOfType(run.id, isImageModel(model) ? 'IMAGE' : 'TEXT');
        const have = embedded.get(`${run.id}|${model}`) ?? 0;
        if (want > have) acc(e.id, model).missing += want - have;
        // More embeddings of a model than invocations to embed: duplicates (possible only where
        // the unique (invocation, model) constraint is missing).
        if (have > want && want > 0) acc(e.id, model).duplicate += have - want;
      }
    }
    for (const [key, a] of perExpModel) {
      const [exp, model] = key.split('|');
      const base = { experimentId: exp, table: 'embedding' };
      if (a.missing) findings.push({ ...base, code: 'artifact/missing', severity: 'warning', count: a.missing,
        message: `${a.missing} ${a.missing === 1 ? 'invocation has' : 'invocations have'} no ${model} embedding.`, details: { model, kind: 'embedding' } });
      if (a.duplicate) findings.push({ ...base, code: 'artifact/duplicate', severity: 'warning', count: a.duplicate,
        message: `${a.duplicate} duplicate ${model} embedding${s(a.duplicate)}.`, details: { model, kind: 'embedding' } });
      if (a.mismatched) findings.push({ ...base, code: 'artifact/invalid', severity: 'warning', count: a.mismatched,
        message: `${a.mismatched} ${model} embedding${s(a.mismatched)} on invocations of the wrong type.`, details: { model, kind: 'embedding', reason: 'mismatched-type' } });
      if (a.invalidModel) findings.push({ ...base, code: 'artifact/invalid', severity: 'warning', count: a.invalidModel,
        message: `${a.invalidModel} embedding${s(a.invalidModel)} from ${model}, which the experiment does not configure.`, details: { model, kind: 'embedding', reason: 'unconfigured-model' } });
      if (a.nullData) findings.push({ ...base, code: 'artifact/invalid', severity: 'warning', count: a.nullData,
        message: `${a.nullData} ${model} embedding${s(a.nullData)} with a NULL vector.`, details: { model, kind: 'embedding', reason: 'null-data' } });
    }
  }

  if (tableExists(db, 'persistencediagram')) {
    const pds = new Map<string, { n: number; nulls: number }>();
    const hasData = db.columns('persistencediagram').some((c) => c.name === 'diagram_data');
    for (const r of db.all<{ run: SqlValue; model: SqlValue; n: number; nulls: number }>(
      `SELECT run_id AS run, embedding_model AS model, count(*) AS n, ${hasData ? "sum(typeof(diagram_data) = 'null')" : '0'} AS nulls
         FROM persistencediagram GROUP BY 1, 2`)) {
      pds.set(`${idText(r.run)}|${String(r.model)}`, { n: r.n, nulls: num(r.nulls) ?? 0 });
    }
    type PdAcc = { missing: string[]; duplicate: string[]; invalid: string[] };
    const perExpModel = new Map<string, PdAcc>();
    const acc = (exp: string, model: string) => {
      const k = `${exp}|${model}`;
      let a = perExpModel.get(k);
      if (!a) perExpModel.set(k, (a = { missing: [], duplicate: [], invalid: [] }));
      return a;
    };
    const byRun = new Map<string, string[]>();
    for (const key of pds.keys()) {
      const [run, model] = key.split('|');
      pushTo(byRun, run, model);
    }
    for (const run of runs) {
      const e = checked(run.experimentId);
      if (!e) continue;
      const configured = models.get(e.id) ?? [];
      for (const model of configured) {
        const p = pds.get(`${run.id}|${model}`);
        if (!p || p.nulls === p.n) acc(e.id, model).missing.push(run.id);
        else if (p.n > 1) acc(e.id, model).duplicate.push(run.id);
      }
      for (const model of byRun.get(run.id) ?? []) if (!configured.includes(model)) acc(e.id, model).invalid.push(run.id);
    }
    for (const [key, a] of perExpModel) {
      const [exp, model] = key.split('|');
      const base = { experimentId: exp, table: 'persistencediagram' };
      if (a.missing.length) findings.push({ ...base, code: 'artifact/missing', severity: 'warning', count: a.missing.length,
        message: `${a.missing.length} ${a.missing.length === 1 ? 'run has' : 'runs have'} no ${model} persistence diagram.`, details: { model, kind: 'persistence-diagram', runIds: a.missing } });
      if (a.duplicate.length) findings.push({ ...base, code: 'artifact/duplicate', severity: 'warning', count: a.duplicate.length,
        message: `${a.duplicate.length} ${a.duplicate.length === 1 ? 'run has' : 'runs have'} more than one ${model} persistence diagram.`, details: { model, kind: 'persistence-diagram', runIds: a.duplicate } });
      if (a.invalid.length) findings.push({ ...base, code: 'artifact/invalid', severity: 'warning', count: a.invalid.length,
        message: `${a.invalid.length} ${a.invalid.length === 1 ? 'run has' : 'runs have'} a persistence diagram for ${model}, which the experiment does not configure.`, details: { model, kind: 'persistence-diagram', reason: 'unconfigured-model', runIds: a.invalid } });
    }
  }
  return findings;
}

const s = (n: number) => (n === 1 ? '' : 's');

/**
 * Embeddings per (run, model, invocation type). The scan walks invocations in file order and
 * probes the (invocation_id, embedding_model) index for each; rows stream through JavaScript so no
 * sorter grows in SQLite's memory. The connection's own 16 MiB page cache (open.ts) serves the
 * probes: a 32 MiB one here measured no faster, and its pages stay in the WebAssembly heap for
 * good (peak RSS +10–25 MB on 1 GB and 9.7 GB).
 */
function embeddingCounts(db: SqlDatabase, marks: TableMarks, caches: PanicCaches): CountCache {
  return incrementalCounts(marks, ['embedding', 'invocation'], caches.embeddings, (since, add) => {
    const top = new Map(since !== undefined ? caches.embeddingTop : undefined); // the previous state's stays as it was
    caches.embeddingTop = top;
    const each = (v: SqlValue[]) => {
      const run = idText(v[0]) ?? '', rowid = Number(v[3]);
      add(keyOf(run, v[2], v[1]));
      if (rowid > (top.get(run) ?? 0)) top.set(run, rowid);
    };
    if (since !== undefined) {
      // Only new embeddings: walk them by rowid and look their invocation up.
      db.each(`SELECT i.run_id, upper(i.type), e.embedding_model, e.rowid FROM embedding e JOIN invocation i ON i.id = e.invocation_id
                WHERE e.rowid > ?`, [since], each);
      return;
    }
    db.each(`SELECT i.run_id, upper(i.type), e.embedding_model, e.rowid FROM invocation i NOT INDEXED JOIN embedding e ON e.invocation_id = i.id`, [], each);
  });
}

/** NULL vectors per (run, model): one pass over embedding rows' headers, lookups only for hits. */
function nullVectors(db: SqlDatabase, marks: TableMarks, previous?: CountCache): CountCache {
  const vector = db.columns('embedding').find((c) => c.name === 'vector');
  if (!vector || vector.notNull) return { marks: {}, counts: new Map() }; // NOT NULL after migration c9611d0e807d
  return incrementalCounts(marks, ['embedding', 'invocation'], previous, (since, add) => {
    db.each(`SELECT i.run_id, e.embedding_model FROM embedding e NOT INDEXED JOIN invocation i ON i.id = e.invocation_id
              WHERE typeof(e.vector) = 'null'${since !== undefined ? ' AND e.rowid > ?' : ''}`, since !== undefined ? [since] : [],
    (v) => add(keyOf(idText(v[0]) ?? '', v[1])));
  });
}

