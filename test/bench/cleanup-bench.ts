// Cleanup bench: delete the incomplete runs of one experiment of the ~1 GB panic-tda fixture.
//   node esbuild.mjs --tests && node out/test/bench/cleanup-bench.js [DB] [--experiment ID] [--work DIR]
// DB defaults to .bench/fixtures-large/panic-tda/db/trajectory_data.sqlite (made by test/bench/run.sh).
// The source file is never written: each run works on its own copy. Compared:
//   native    the plan's own SQL script (materialise, DELETE children-first, count checks) run by `sqlite3 -bail`
//   engine    executeCleanup with the archive off, then on (transaction phase and end to end, which adds
//             the re-plan — the doctor over the whole file — and the read-only verification)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildPlan } from '../../src/core/cleanup/plan';
import { executeCleanup } from '../../src/core/cleanup/execute';
import type { CleanupReport } from '../../src/core/cleanup/types';
import { openDatabaseSync } from '../../src/core/db/open';
import { loadSqlJs } from '../../src/core/db/sqljs';
import type { DoctorOptions } from '../../src/core/doctor/options';
import { runDoctor } from '../../src/core/doctor/doctor';

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const wantedExperiment = opt('--experiment');
const work = path.resolve(opt('--work') ?? path.join(process.cwd(), '.bench', 'cleanup'));
const source = path.resolve(args[0] ?? path.join(process.cwd(), '.bench/fixtures-large/panic-tda/db/trajectory_data.sqlite'));
const options: DoctorOptions = { now: Date.parse('2025-11-20T12:00:00Z'), staleAfterMinutes: 60, naive: { zone: 'utc' } };

function copy(name: string): string {
  const dir = path.join(work, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, path.basename(source));
  fs.copyFileSync(source, file);
  return file;
}

async function main(): Promise<void> {
  if (!fs.existsSync(source)) throw new Error(`${source} does not exist: run test/bench/run.sh once (it generates the 1 GB fixture)`);
  const SQL = await loadSqlJs();
  const mb = (fs.statSync(source).size / 1e6).toFixed(0);
  // Which experiment: the one with the most incomplete runs (or --experiment).
  let experiment = wantedExperiment;
  if (!experiment) {
    const db = openDatabaseSync(SQL, source);
    try {
      const r = runDoctor(db, options).result;
      experiment = [...r.experiments].sort((a, b) => (b.runCounts.incomplete ?? 0) - (a.runCounts.incomplete ?? 0))[0]?.id;
    } finally { db.close(); }
  }
  if (!experiment) throw new Error('no experiment with incomplete runs');
  const planOn = (file: string) => {
    const db = openDatabaseSync(SQL, file);
    const t = Date.now();
    try { return { built: buildPlan(db, { action: 'delete-incomplete', target: { path: file, experimentId: experiment }, options }), ms: Date.now() - t }; } finally { db.close(); }
  };

  const nativeFile = copy('native');
  const p0 = planOn(nativeFile);
  const plan = p0.built.plan;
  console.log(`${path.basename(source)} (${mb} MB), experiment ${experiment}: ${plan.title}`);
  console.log(`  plan (read-only, doctor included): ${p0.ms} ms; ${plan.changes.map((c) => `${c.table} -${c.deleted}`).join(', ')}`);
  const script = path.join(work, 'plan.sql');
  fs.writeFileSync(script, `.timer off\n${plan.sql}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sqlite3', ['-bail', nativeFile], { input: fs.readFileSync(script), encoding: 'utf8' });
  const nativeMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`native sqlite3 failed: ${r.stderr}`);
  const nativeOk = execFileSync('sqlite3', [nativeFile, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();

  const runs: { name: string; report: CleanupReport; planMs: number }[] = [];
  for (const archive of [false, true]) {
    const file = copy(archive ? 'engine-archive' : 'engine');
    const p = planOn(file);
    const report = executeCleanup(SQL, { plan: p.built.plan, archive, options });
    if (!report.verified) throw new Error(report.message);
    const ok = execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
    if (ok !== 'ok') throw new Error(`integrity_check after the engine: ${ok}`);
    runs.push({ name: archive ? 'engine, archive on' : 'engine, archive off', report, planMs: p.ms });
  }
  const txOff = runs[0]!.report.timings!.transaction!;
  console.log(`  native sqlite3 (the same SQL, process wall): ${nativeMs.toFixed(0)} ms (integrity ${nativeOk})`);
  for (const x of runs) {
    const t = x.report.timings!;
    const tx = (t.transaction ?? 0) + (t.archive ?? 0);
    console.log(`  ${x.name}: transaction${t.archive !== undefined ? ' + archive' : ''} ${tx} ms (${(tx / nativeMs).toFixed(2)}× native); `
      + `end to end ${x.report.elapsedMs} ms (${Object.entries(t).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  }
  console.log(`  ratio engine transaction (archive off) / native: ${(txOff / nativeMs).toFixed(2)}×`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exitCode = 2; });
