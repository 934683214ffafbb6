// Compares the doctor's findings with a generator's expected_findings.json (the Python generator's
// and the project's TypeScript builders' share one format). Used by the crosscheck script and by
// the unit tests, each with its own `check` (print or assert).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDatabase } from '../../src/core/db';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';
import { defaultOptions } from '../../src/core/doctor/options';
import { compactId } from '../../src/core/ids';
import type { FindingCode, RunState } from '../../src/core/model';

export type Check = (name: string, got: unknown, want: unknown) => void;

/** Order-insensitive, id-format-insensitive form for comparison. */
export const normal = (v: unknown): unknown => (Array.isArray(v) ? v.map(normal).map((x) => (typeof x === 'string' ? compactId(x) : x)).sort() : v);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const runsIn = (r: DoctorResult, states: RunState[]) => r.runs.filter((x) => states.includes(x.state)).map((x) => x.id);
const findingRuns = (r: DoctorResult, code: FindingCode) => r.findings.filter((f) => f.code === code).map((f) => f.runId!);
const orphanRows = (r: DoctorResult, table: string, column?: string) => r.findings
  .filter((f) => f.code === 'orphan/rows' && f.table === table && (!column || f.details?.column === column)).reduce((n, f) => n + (f.count ?? 0), 0);

export async function doctorFor(file: string, exp: Json, offsetHours = 0): Promise<DoctorResult> {
  const db = await openDatabase(file);
  try {
    const options = defaultOptions(Date.parse(exp.reference_now_utc));
    options.staleAfterMinutes = (exp.stale_threshold_seconds ?? 3600) / 60;
    options.naive = { zone: 'local', utcOffsetMinutes: offsetHours * 60 };
    return runDoctor(db, options).result;
  } finally { db.close(); }
}

export async function checkPanic(dir: string, tag: string, check: Check): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'panic-tda/expected_findings.json'), 'utf8'));
  const r = await doctorFor(path.join(dir, exp.db_path), exp, exp.naive_timestamp_utc_offset_hours);
  const f = exp.findings;
  for (const state of ['completed', 'running', 'stale', 'pending'] as RunState[]) {
    check(`${tag} A experiments ${state}`, r.experiments.filter((e) => e.state === state && !e.missingRow).map((e) => e.id), f.experiments_by_state[state] ?? []);
  }
  const cat = f.runs_by_category;
  const cats = (...names: string[]) => names.flatMap((n) => cat[n] ?? []);
  check(`${tag} A runs completed`, runsIn(r, ['completed']), cats('complete', 'complete_duplicate_stop'));
  check(`${tag} A runs incomplete`, runsIn(r, ['incomplete']), cats('incomplete_stopped_early', 'incomplete_manual_deletion', 'complete_length_but_null_output'));
  check(`${tag} A runs in progress`, runsIn(r, ['running']), cats('in_progress'));
  check(`${tag} A runs not started`, runsIn(r, ['pending']), cats('not_started'));
  check(`${tag} A run/incomplete findings`, findingRuns(r, 'run/incomplete'), runsIn(r, ['incomplete']));
  const gaps = (exp.runs as Json[]).filter((x) => x.max_sequence !== null && x.invocations < x.max_sequence + 1).map((x) => x.id);
  check(`${tag} A run/sequence-gap`, findingRuns(r, 'run/sequence-gap'), gaps);
  check(`${tag} A orphan embeddings`, orphanRows(r, 'embedding'), f.orphans.embeddings_without_invocation.length);
  check(`${tag} A orphan persistence diagrams`, orphanRows(r, 'persistencediagram'), f.orphans.pds_without_run.length);
  check(`${tag} A orphan invocations (run gone)`, orphanRows(r, 'invocation', 'run_id'), f.orphans.invocations_without_run.length);
  check(`${tag} A orphan runs (experiment gone)`, orphanRows(r, 'run'), f.orphans.runs_without_experiment.length);
  check(`${tag} A dangling input invocations`, orphanRows(r, 'invocation', 'input_invocation_id'), f.orphans.dangling_input_invocation_id.length);
  // Derived data: what panic-tda's doctor reports, minus live experiments (their pipeline has
  // not reached those stages yet; flagging them would be noise) — a documented difference.
  const live = new Set(r.experiments.filter((e) => e.state === 'running').map((e) => compactId(e.id)));
  const pdWant: Record<string, number> = {};
  for (const p of exp.doctor_expected.persistence_diagrams as Json[]) {
    if (live.has(compactId(p.experiment_id))) continue;
    const k = `${compactId(p.experiment_id)}|${p.embedding_model}|${p.issue_type}`;
    pdWant[k] = (pdWant[k] ?? 0) + 1;
  }
  const kind = { 'artifact/missing': 'missing', 'artifact/duplicate': 'duplicate', 'artifact/invalid': 'invalid_model' } as Record<string, string>;
  const pdGot: Record<string, number> = {};
  for (const x of r.findings.filter((x) => x.table === 'persistencediagram' && x.code.startsWith('artifact/'))) {
    pdGot[`${compactId(x.experimentId!)}|${x.details?.model}|${kind[x.code]}`] = x.count ?? 0;
  }
  check(`${tag} A persistence diagram findings`, sorted(pdGot), sorted(pdWant));
  const embWant: Record<string, number> = {};
  const nullWant: Record<string, number> = {};
  for (const e of exp.doctor_expected.embeddings as Json[]) {
    if (live.has(compactId(e.experiment_id))) continue;
    for (const [model, m] of Object.entries(e.missing ?? {}) as [string, Json][]) embWant[`${compactId(e.experiment_id)}|${model}|missing`] = m.count;
    for (const m of e.mismatched ?? []) { const k = `${compactId(e.experiment_id)}|${m.embedding_model}|invalid`; embWant[k] = (embWant[k] ?? 0) + 1; }
    // null_vector is a count without the model; compare it as the experiment's total below.
    if (e.null_vector?.length) nullWant[compactId(e.experiment_id)] = e.null_vector.length;
  }
  const embGot: Record<string, number> = {};
  const nullGot: Record<string, number> = {};
  for (const x of r.findings.filter((x) => x.table === 'embedding' && x.code.startsWith('artifact/'))) {
    if (x.details?.reason === 'null-data') { nullGot[compactId(x.experimentId!)] = (nullGot[compactId(x.experimentId!)] ?? 0) + (x.count ?? 0); continue; }
    const k = `${compactId(x.experimentId!)}|${x.details?.model}|${x.code === 'artifact/missing' ? 'missing' : 'invalid'}`;
    embGot[k] = (embGot[k] ?? 0) + (x.count ?? 0);
  }
  check(`${tag} A embedding findings`, sorted(embGot), sorted(embWant));
  check(`${tag} A null vectors`, sorted(nullGot), sorted(nullWant));
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort());

export async function checkZe(dir: string, tag: string, check: Check): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'ze-benchmarks/expected_findings.json'), 'utf8'));
  const r = await doctorFor(path.join(dir, exp.db_path), exp);
  const f = exp.findings;
  check(`${tag} B run/stale`, findingRuns(r, 'run/stale'), f.stale_running.map((x: Json) => x.run_id));
  check(`${tag} B running`, runsIn(r, ['running']), f.running_recent.map((x: Json) => x.run_id));
  check(`${tag} B run/failed`, findingRuns(r, 'run/failed'), f.failed.map((x: Json) => x.run_id));
  check(`${tag} B run/incomplete`, findingRuns(r, 'run/incomplete'), f.incomplete.map((x: Json) => x.run_id));
  check(`${tag} B completed`, runsIn(r, ['completed']).length, f.completed_count);
  check(`${tag} B orphan evaluation rows`, orphanRows(r, 'evaluation_results'), f.orphans.evaluation_results_rows);
  check(`${tag} B orphan telemetry rows`, orphanRows(r, 'run_telemetry') > 0, f.orphans.run_telemetry_run_ids.length > 0);
  check(`${tag} B runs with a missing batch`, orphanRows(r, 'benchmark_runs', 'batchId'), f.orphans.benchmark_runs_with_missing_batch.length);
  const liveBatches = new Set(r.experiments.filter((e) => e.state === 'running').map((e) => e.id));
  check(`${tag} B experiment/stale (batches never completed, not live)`, r.findings.filter((x) => x.code === 'experiment/stale').map((x) => x.experimentId),
    f.batches_never_completed.map((b: Json) => b.batchId).filter((id: string) => !liveBatches.has(id)));
  check(`${tag} B no lexical false positives`, findingRuns(r, 'run/stale').filter((id) => f.naive_lexical_stale_false_positives.run_ids.includes(id)), []);
}

export async function checkRecipe(dir: string, tag: string, check: Check): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'recipe-runner/expected_findings.json'), 'utf8'));
  const r = await doctorFor(path.join(dir, exp.db_path), exp, exp.naive_timestamp_utc_offset_hours);
  const f = exp.findings;
  check(`${tag} C run/stale by activity`, findingRuns(r, 'run/stale'), f.stale_running_by_activity.map(String));
  check(`${tag} C running by activity`, runsIn(r, ['running']), f.running_now_by_activity.map(String));
  check(`${tag} C run/failed`, findingRuns(r, 'run/failed'), f.failed.map((x: Json) => String(x.recipe_run_id)));
  check(`${tag} C pending`, runsIn(r, ['pending']).length, f.pending_never_started.length + f.pending_with_leftover_children.recipe_run_ids.length);
  check(`${tag} C orphan session_runs`, orphanRows(r, 'session_runs', 'recipe_run_id'), f.orphans.session_runs_without_recipe_run.length);
  check(`${tag} C orphan instruction_runs`, orphanRows(r, 'instruction_runs', 'recipe_run_id'), f.orphans.instruction_runs_without_recipe_run);
  check(`${tag} C dangling session_run_id`, orphanRows(r, 'instruction_runs', 'session_run_id'), f.orphans.instruction_runs_without_session_run);
}

export async function checkEgregora(dir: string, tag: string, check: Check): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'egregora/expected_findings.json'), 'utf8'));
  const r = await doctorFor(path.join(dir, exp.db_path), exp);
  const f = exp.findings;
  check(`${tag} D run/stale`, findingRuns(r, 'run/stale'), f.stale_running.map((x: Json) => x.run_id));
  check(`${tag} D running`, runsIn(r, ['running']), f.running_recent.map((x: Json) => x.run_id));
  check(`${tag} D run/failed`, findingRuns(r, 'run/failed'), f.failed.map((x: Json) => x.run_id));
  check(`${tag} D degraded`, runsIn(r, ['degraded']), f.degraded);
  check(`${tag} D completed`, runsIn(r, ['completed']).length, f.completed_count);
  check(`${tag} D orphan lineage`, orphanRows(r, 'lineage'), f.orphan_lineage_edges.length);
}

