// npm run bench: our engine vs the native sqlite3 CLI on the same files and queries, cold and
// warm; wall time, peak RSS, ratio, open + list tables. Targets from issue #3 are checked.
// Later: the doctor's own timing (dist/cli.js doctor FILE --json) when dist/cli.js exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dropCaches, measure, type Measured } from './measure';
import { loadQueries } from './queries';

const TARGETS = { rssMb: 150, coldRatio: 1.3, warmRatio: 2.5, openTablesMs: 50 };
const root = path.resolve(__dirname, '../../..');
const engineRun = path.join(__dirname, 'engine-run.js');

interface EngineOut { firstOpenMs: number; openTablesMs: number; queries: { name: string; ms: number; rows: number }[]; vmHwmMb: number | null }

function runEngine(file: string): { m: Measured; out: EngineOut } {
  const m = measure([process.execPath, engineRun, file]);
  if (m.status !== 0) throw new Error(`engine run failed: ${m.stderr}`);
  return { m, out: JSON.parse(m.stdout.trim().split('\n').pop()!) as EngineOut };
}

function runCli(file: string): { m: Measured; rows: number[] } {
  // One ".print" marker after each query lets us count each query's rows.
  const script = loadQueries().map((q) => `${q.sql};\n.print @@end`).join('\n');
  const m = measure(['sqlite3', '-readonly', file], script);
  if (m.status !== 0) throw new Error(`sqlite3 failed: ${m.stderr}`);
  const rows = m.stdout.split('@@end\n').slice(0, -1).map((s) => s.split('\n').filter(Boolean).length);
  return { m, rows };
}

const f1 = (n: number): string => n.toFixed(2);
const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

function benchFile(file: string): boolean {
  const gb = fs.statSync(file).size / 1e9;
  console.log(`\n== ${path.relative(root, file)} (${gb.toFixed(2)} GB)`);
  let pass = true;
  for (const cache of ['cold', 'warm'] as const) {
    if (cache === 'cold' && !dropCaches()) continue;
    if (cache === 'warm') runCli(file); // warm the page cache
    const eng = runEngine(file);
    if (cache === 'cold') dropCaches();
    const cli = runCli(file);
    const ratio = eng.m.wallS / cli.m.wallS;
    const same = eng.out.queries.every((q, i) => q.rows === cli.rows[i]);
    const target = cache === 'cold' ? TARGETS.coldRatio : TARGETS.warmRatio;
    console.log(`${cache}: engine ${f1(eng.m.wallS)} s, ${eng.m.maxRssMb.toFixed(0)} MB peak | sqlite3 ${f1(cli.m.wallS)} s, ` +
      `${cli.m.maxRssMb.toFixed(0)} MB | ratio ${f1(ratio)}× (target ≤ ${target}: ${mark(ratio <= target)}) | ` +
      `RSS ≤ ${TARGETS.rssMb} MB: ${mark(eng.m.maxRssMb <= TARGETS.rssMb)} | rows match: ${mark(same)}`);
    for (const [i, q] of eng.out.queries.entries()) console.log(`   ${q.name.padEnd(34)} ${(q.ms / 1000).toFixed(2).padStart(7)} s  ${q.rows} rows (sqlite3: ${cli.rows[i]})`);
    console.log(`   open + list tables ${eng.out.openTablesMs.toFixed(1)} ms (target ≤ ${TARGETS.openTablesMs}: ${mark(eng.out.openTablesMs <= TARGETS.openTablesMs)}); ` +
      `first open through a new worker ${eng.out.firstOpenMs.toFixed(0)} ms`);
    pass &&= ratio <= target && eng.m.maxRssMb <= TARGETS.rssMb && same && eng.out.openTablesMs <= TARGETS.openTablesMs;
  }
  doctor(file);
  return pass;
}

/** The doctor's own timing, once the CLI exists. */
function doctor(file: string): void {
  const cli = path.join(root, 'dist/cli.js');
  if (!fs.existsSync(cli)) { console.log('doctor: dist/cli.js not built yet, skipped'); return; }
  const limit = Number(process.env.BENCH_DOCTOR_TIMEOUT ?? 600);
  const m = measure([process.execPath, cli, 'doctor', file, '--json'], undefined, limit);
  console.log(`doctor (warm): ${f1(m.wallS)} s, ${m.maxRssMb.toFixed(0)} MB peak, ` +
    `${m.status === 124 ? `timed out after ${limit} s` : `exit ${m.status}`} (target RSS ≤ ${TARGETS.rssMb} MB: ${mark(m.maxRssMb <= TARGETS.rssMb)})`);
}

/** Full (cold), unchanged and after-append evaluations in one engine process (issue targets). */
function doctorIncremental(file: string): boolean {
  const m = measure([process.execPath, path.join(__dirname, 'doctor-run.js'), file], undefined, Number(process.env.BENCH_DOCTOR_TIMEOUT ?? 600));
  if (m.status !== 0) { console.log(`doctor (incremental): failed (exit ${m.status}): ${m.stderr.slice(-500)}`); return false; }
  const d = JSON.parse(m.stdout.trim().split('\n').pop()!) as { cold: boolean; fullMs: number; runs: number; findings: number; unchangedMs: number;
    unchangedReused: boolean; appendedInvocations: number; appendedMs: number; appendedReused: boolean; appendedRuns: number; peakRssMb: number };
  const share = d.appendedMs / d.fullMs;
  const okFull = d.fullMs <= 6000, okRss = m.maxRssMb <= TARGETS.rssMb, okSame = d.unchangedMs <= 100, okAppend = share <= 0.1;
  console.log(`doctor through the engine worker (${d.runs} runs, ${d.findings} findings):\n` +
    `   full ${d.cold ? 'cold' : 'warm (caches not dropped)'} ${f1(d.fullMs / 1000)} s (target ≤ 6 s: ${mark(okFull)}); peak RSS ${m.maxRssMb.toFixed(0)} MB (≤ ${TARGETS.rssMb}: ${mark(okRss)})\n` +
    `   unchanged ${d.unchangedMs.toFixed(0)} ms (≤ 100 ms: ${mark(okSame)}; reused ${d.unchangedReused})\n` +
    `   after one run appended (${d.appendedInvocations} invocations + embeddings) ${d.appendedMs.toFixed(0)} ms = ${(share * 100).toFixed(1)} % of the full scan (≤ 10 %: ${mark(okAppend)}); runs ${d.runs} → ${d.appendedRuns}`);
  return okFull && okRss && okSame && okAppend;
}

const files = process.argv.slice(2);
if (!files.length) { console.error('usage: bench.js FILE...'); process.exit(2); }
let ok = true;
for (const f of files) ok = benchFile(f) && ok;
// The first file is the ~1 GB panic-tda fixture (run.sh); the incremental rows are measured on it.
if (files[0]) { console.log(`\n== doctor on ${path.relative(root, files[0])}`); ok = doctorIncremental(files[0]) && ok; }
console.log(`\n${ok ? 'all targets met' : 'some targets missed (see MISSED above)'}`);
