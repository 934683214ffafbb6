// Cross-check (not part of npm test: it needs ../shared): generates the Python fixtures for a few
// seeds, both panic-tda variants, with and without --tz-skew, runs our doctor on each database and
// compares its findings with the generator's expected_findings.json. Prints a line per check and
// exits non-zero on any difference.
//   node out/test/crosscheck/python-fixtures.js [--seeds 1234,7] [--keep DIR]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDatabase } from '../../src/core/db';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';
import { defaultOptions } from '../../src/core/doctor/options';
import { compactId } from '../../src/core/ids';
import type { FindingCode, RunState } from '../../src/core/model';

const GENERATOR = path.resolve(__dirname, '../../../../shared/fixtures/gen_fixtures.py');
let failures = 0, passes = 0;

function check(name: string, got: unknown, want: unknown): void {
  const g = JSON.stringify(normal(got)), w = JSON.stringify(normal(want));
  if (g === w) { passes++; console.log(`ok    ${name}`); return; }
  failures++;
  console.log(`DIFF  ${name}\n      got  ${g.slice(0, 600)}\n      want ${w.slice(0, 600)}`);
}
const normal = (v: unknown): unknown => (Array.isArray(v) ? v.map(normal).map((x) => (typeof x === 'string' ? compactId(x) : x)).sort() : v);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const runsIn = (r: DoctorResult, states: RunState[]) => r.runs.filter((x) => states.includes(x.state)).map((x) => x.id);
const findingRuns = (r: DoctorResult, code: FindingCode) => r.findings.filter((f) => f.code === code).map((f) => f.runId!);
const orphanRows = (r: DoctorResult, table: string, column?: string) => r.findings
  .filter((f) => f.code === 'orphan/rows' && f.table === table && (!column || f.details?.column === column)).reduce((n, f) => n + (f.count ?? 0), 0);

async function doctor(file: string, exp: Json, offsetHours = 0): Promise<DoctorResult> {
  const db = await openDatabase(file);
  try {
    const options = defaultOptions(Date.parse(exp.reference_now_utc));
    options.staleAfterMinutes = (exp.stale_threshold_seconds ?? 3600) / 60;
    options.naive = { zone: 'local', utcOffsetMinutes: offsetHours * 60 };
    return runDoctor(db, options).result;
  } finally { db.close(); }
}

async function panic(dir: string, tag: string): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'panic-tda/expected_findings.json'), 'utf8'));
  const r = await doctor(path.join(dir, exp.db_path), exp, exp.naive_timestamp_utc_offset_hours);
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
  for (const e of exp.doctor_expected.embeddings as Json[]) {
    if (live.has(compactId(e.experiment_id))) continue;
    for (const [model, m] of Object.entries(e.missing ?? {}) as [string, Json][]) embWant[`${compactId(e.experiment_id)}|${model}|missing`] = m.count;
    for (const m of e.mismatched ?? []) { const k = `${compactId(e.experiment_id)}|${m.embedding_model}|invalid`; embWant[k] = (embWant[k] ?? 0) + 1; }
    for (const m of e.null_vectors ?? []) { const k = `${compactId(e.experiment_id)}|${m.embedding_model}|invalid`; embWant[k] = (embWant[k] ?? 0) + 1; }
  }
  const embGot: Record<string, number> = {};
  for (const x of r.findings.filter((x) => x.table === 'embedding' && x.code.startsWith('artifact/'))) {
    const k = `${compactId(x.experimentId!)}|${x.details?.model}|${x.code === 'artifact/missing' ? 'missing' : 'invalid'}`;
    embGot[k] = (embGot[k] ?? 0) + (x.count ?? 0);
  }
  check(`${tag} A embedding findings`, sorted(embGot), sorted(embWant));
}

const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort());

async function ze(dir: string, tag: string): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'ze-benchmarks/expected_findings.json'), 'utf8'));
  const r = await doctor(path.join(dir, exp.db_path), exp);
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

async function recipe(dir: string, tag: string): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'recipe-runner/expected_findings.json'), 'utf8'));
  const r = await doctor(path.join(dir, exp.db_path), exp, exp.naive_timestamp_utc_offset_hours);
  const f = exp.findings;
  check(`${tag} C run/stale by activity`, findingRuns(r, 'run/stale'), f.stale_running_by_activity.map(String));
  check(`${tag} C running by activity`, runsIn(r, ['running']), f.running_now_by_activity.map(String));
  check(`${tag} C run/failed`, findingRuns(r, 'run/failed'), f.failed.map((x: Json) => String(x.recipe_run_id)));
  check(`${tag} C pending`, runsIn(r, ['pending']).length, f.pending_never_started.length + f.pending_with_leftover_children.recipe_run_ids.length);
  check(`${tag} C orphan session_runs`, orphanRows(r, 'session_runs', 'recipe_run_id'), f.orphans.session_runs_without_recipe_run.length);
  check(`${tag} C orphan instruction_runs`, orphanRows(r, 'instruction_runs', 'recipe_run_id'), f.orphans.instruction_runs_without_recipe_run);
  check(`${tag} C dangling session_run_id`, orphanRows(r, 'instruction_runs', 'session_run_id'), f.orphans.instruction_runs_without_session_run);
}

async function egregora(dir: string, tag: string): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'egregora/expected_findings.json'), 'utf8'));
  const r = await doctor(path.join(dir, exp.db_path), exp);
  const f = exp.findings;
  check(`${tag} D run/stale`, findingRuns(r, 'run/stale'), f.stale_running.map((x: Json) => x.run_id));
  check(`${tag} D running`, runsIn(r, ['running']), f.running_recent.map((x: Json) => x.run_id));
  check(`${tag} D run/failed`, findingRuns(r, 'run/failed'), f.failed.map((x: Json) => x.run_id));
  check(`${tag} D degraded`, runsIn(r, ['degraded']), f.degraded);
  check(`${tag} D completed`, runsIn(r, ['completed']).length, f.completed_count);
  check(`${tag} D orphan lineage`, orphanRows(r, 'lineage'), f.orphan_lineage_edges.length);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seeds = (args[args.indexOf('--seeds') + 1] && args.includes('--seeds') ? args[args.indexOf('--seeds') + 1] : '1234,7,99').split(',');
  if (!fs.existsSync(GENERATOR)) { console.log(`skipped: ${GENERATOR} not found (needs ../shared)`); return; }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-crosscheck-'));
  for (const seed of seeds) {
    for (const variant of ['create_all', 'migrated']) {
      for (const skew of [false, true]) {
        const dir = path.join(root, `${seed}-${variant}${skew ? '-skew' : ''}`);
        execFileSync('python3', [GENERATOR, dir, '--scale', 'small', '--seed', seed, '--panic-variant', variant, ...(skew ? ['--tz-skew'] : [])], { stdio: 'ignore' });
        const tag = `[seed ${seed} ${variant}${skew ? ' tz-skew' : ''}]`;
        try { await panic(dir, tag); } catch (e) { failures++; console.log(`FAIL  ${tag} A: ${(e as Error).message}`); }
        if (variant === 'create_all') { await ze(dir, tag); await recipe(dir, tag); await egregora(dir, tag); }
      }
    }
  }
  if (!args.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
  console.log(`${passes} passed, ${failures} failed`);
  process.exitCode = failures ? 1 : 0;
}

void main();
