// The command line end to end: a real process on a real file, checking output shape and exit codes.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { engineEnv, LEAN_HEAP_FLAGS } from '../../src/core/engine/launch';
import { buildEgregora } from '../fixtures/systems/egregora';
import { buildMlflow } from '../fixtures/systems/mlflow';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const now = '2025-11-20T12:00:00Z';

function cli(...args: string[]) {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function zeFile(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-'));
  return (await buildZeBenchmarks({ now: new Date(now) })).write(dir);
}

test('doctor --json prints exactly the documented shape and exits 1 when there are problems', async () => {
  const db = await zeFile();
  const before = fs.readFileSync(db);
  const r = cli('doctor', db, '--json', '--now', now);
  assert.equal(r.code, 1, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).filter((k) => k !== 'notices'), ['database', 'profile', 'now', 'staleAfterMinutes', 'experiments', 'findings']);
  assert.ok(j.notices === undefined || (Array.isArray(j.notices) && j.notices.length > 0), 'notices only when there are some');
  assert.equal(j.profile, 'ze-benchmarks');
  for (const e of j.experiments) assert.deepEqual(Object.keys(e), ['id', 'label', 'state', 'runCounts']);
  const allowed = ['code', 'severity', 'experimentId', 'runId', 'table', 'count', 'message', 'details'];
  for (const f of j.findings) {
    assert.ok(Object.keys(f).every((k) => allowed.includes(k)), Object.keys(f).join());
    assert.ok(Object.values(f).every((v) => v !== null), 'absent keys are omitted, not null');
  }
  assert.ok(j.findings.some((f: { code: string }) => f.code === 'run/stale'));
  assert.deepEqual(fs.readFileSync(db), before, 'reading never writes');
});

test('doctor exits 0 on a healthy database, 2 on an unreadable one, with one clear sentence', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-'));
  const notDb = path.join(dir, 'notes.db');
  fs.writeFileSync(notDb, 'hello, this is not sqlite at all, but it is long enough to have a header of 100 bytes.............');
  const bad = cli('doctor', notDb);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^experiment-health: notes\.db is not a SQLite database/);
  assert.doesNotMatch(bad.err, /\n\s+at /, 'no stack trace');
  const missing = cli('doctor', path.join(dir, 'nope.db'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /does not exist/);
  const usage = cli('doctor', notDb, '--stale-after=-3');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--stale-after -3 must be/);
  // --json: the error as JSON on stdout as well
  const json = cli('doctor', notDb, '--json');
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(json.out), { error: { code: 'not-sqlite', message: JSON.parse(json.out).error.message } });
  assert.match(JSON.parse(json.out).error.message, /notes\.db is not a SQLite database/);
});

test('a known system missing a column is named with what is missing; --json stays JSON in every command', async () => {
  const file = await zeFile();
  execFileSync('sqlite3', [file, 'DROP INDEX idx_runs_status; ALTER TABLE benchmark_runs DROP COLUMN status']);
  const text = cli('doctor', file, '--now', now);
  assert.equal(text.code, 2);
  assert.match(text.out, /This looks like a ze-benchmarks database, but it lacks benchmark_runs\.status/);
  for (const args of [['doctor'], ['runs'], ['show', 'x']]) {
    const r = cli(...args.slice(0, 1), file, ...args.slice(1), '--json', '--now', now);
    assert.equal(r.code, 2, args.join(' '));
    const j = JSON.parse(r.out) as { notices?: string[]; profile?: string };
    assert.equal(j.profile, undefined);
    assert.match((j.notices ?? []).join('\n'), /looks like a ze-benchmarks database/, args.join(' '));
  }
});

test('runs --tail and show by unique prefix', async () => {
  const db = await zeFile();
  const list = cli('runs', db, '--json', '--tail', '3', '--now', now);
  assert.equal(list.code, 0, list.err);
  const runs = JSON.parse(list.out);
  assert.equal(runs.length, 3);
  assert.ok(runs[0].startedAt >= runs[1].startedAt, 'newest first');
  const show = cli('show', db, runs[0].id.slice(0, 13), '--json', '--now', now);
  assert.equal(show.code, 0, show.err);
  const detail = JSON.parse(show.out);
  assert.equal(detail.run.id, runs[0].id);
  assert.equal(detail.columns.run_id, runs[0].id);
  const text = cli('runs', db, '--state', 'stale,failed', '--now', now);
  assert.equal(text.code, 0);
  assert.match(text.out.split('\n')[0], /^run\s+state\s+label/);
  assert.equal(cli('runs', db, '--state', 'bogus').code, 2);
});

test('--naive-timestamps takes an offset west of UTC as a separate argument and says which it used', async () => {
  const db = await zeFile();
  for (const args of [['--naive-timestamps', '-05:00'], ['--naive-timestamps=-05:00']]) {
    const r = cli('doctor', db, '--now', now, ...args);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /naive timestamps -05:00/);
  }
  assert.match(cli('doctor', db, '--now', now, '--naive-timestamps', '+10:00').out, /naive timestamps \+10:00/);
  assert.match(cli('doctor', db, '--now', now).out, /naive timestamps local/);
});

test('a reader that goes away (| head) ends the output quietly', async () => {
  const db = await zeFile();
  // `true` exits without reading, so every write meets a closed pipe.
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" runs "${db}" --now ${now} | true`], { encoding: 'utf8' });
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  assert.equal(r.status, 0);
});

test('show describes a huge blob or text column instead of reading it; small values are shown as stored', async () => {
  const db = await zeFile();
  const id = JSON.parse(cli('runs', db, '--json', '--tail', '1', '--now', now).out)[0].id as string;
  execFileSync('python3', ['-c', `import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute('ALTER TABLE benchmark_runs ADD COLUMN big BLOB'); c.execute('ALTER TABLE benchmark_runs ADD COLUMN notes TEXT')
c.execute("UPDATE benchmark_runs SET big = zeroblob(300000000), notes = ? WHERE run_id = ?", ('n' * 100000, sys.argv[2])); c.commit()`, db, id]);
  const r = spawnSync('python3', ['-c', `import resource,subprocess,sys
p=subprocess.run(sys.argv[1:], capture_output=True); sys.stdout.write(p.stdout.decode()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`,
  process.execPath, CLI, 'show', db, id, '--json', '--now', now], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const peakMb = Number(lines.pop()) / 1024;
  const detail = JSON.parse(lines.join('\n'));
  assert.equal(detail.columns.big, '<blob, 300000000 bytes, too long to show>');
  assert.equal(detail.columns.notes, '<text, 100000 bytes, too long to show>');
  assert.equal(detail.columns.run_id, id);
  assert.ok(peakMb < 250, `show peaked at ${peakMb.toFixed(0)} MB for a 300 MB value`);
});

test("a run's 150 MB error text is described, not read: the doctor's memory stays flat", async () => {
  const db = (await buildEgregora({ now: new Date(now), seed: 7 })).write(fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-big-')));
  const id = JSON.parse(cli('runs', db, '--json', '--tail', '1', '--now', now).out)[0].id as string;
  execFileSync('python3', ['-c', `import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE runs SET status = 'failed', error = ? WHERE run_id = ?", ('Traceback\\n' * 15000000, sys.argv[2])); c.commit()`, db, id]);
  const r = spawnSync('python3', ['-c', `import resource,subprocess,sys
p=subprocess.run(sys.argv[1:], capture_output=True); sys.stdout.write(p.stdout.decode()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`,
  process.execPath, CLI, 'runs', db, '--json', '--now', now], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const peakMb = Number(lines.pop()) / 1024;
  const run = (JSON.parse(lines.join('\n')) as { id: string; state: string; error?: string }[]).find((x) => x.id === id);
  assert.equal(run?.state, 'failed');
  assert.equal(run?.error, '<text, 150000000 bytes, too long to show>');
  assert.ok(peakMb < 150, `the CLI peaked at ${peakMb.toFixed(0)} MB reading a 150 MB error`);
});

test('control characters from the database reach the terminal escaped, never raw', async () => {
  const db = await zeFile();
  const id = JSON.parse(cli('runs', db, '--json', '--tail', '1', '--now', now).out)[0].id as string;
  execFileSync('python3', ['-c', `import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE benchmark_runs SET status = 'failed', metadata = ? WHERE run_id = ?", ('{"error":"boom \\\\u001b[2J\\\\u001b[31mRED\\\\u0007 \\\\ue0008mHIDDEN"}', sys.argv[2])); c.commit()`, db, id]);
  for (const args of [['doctor', db], ['show', db, id]]) {
    const r = cli(...args, '--now', now);
    assert.doesNotMatch(r.out, /[\x07\x1b]/, `${args[0]}: no raw ESC or BEL`);
    assert.match(r.out, /boom \\x1b\[2J\\x1b\[31mRED\\x07/, `${args[0]}: shown escaped`);
  }
  assert.match(JSON.parse(cli('show', db, id, '--json', '--now', now).out).run.error, /\x1b\[2J/, 'JSON keeps the value as stored');
});

test('doctor on a WAL database that another process commits to many times a second: a result every time, never an error', async () => {
  const db = await zeFile();
  execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA journal_mode=WAL"); c.close()', db]);
  const writer = spawn('python3', ['-c', `import sqlite3,sys,time,uuid
c=sqlite3.connect(sys.argv[1], isolation_level=None)  # checkpoints every 1000 pages, as by default
print('ready', flush=True)
end=time.time()+60
while time.time()<end:
    c.execute('BEGIN IMMEDIATE')
    for _ in range(40): c.execute("INSERT INTO evaluation_results(run_id, evaluator_name, score, max_score) VALUES (?, 'e', 1, 1)", (uuid.uuid4().hex,))
    c.execute('COMMIT'); time.sleep(0.02)`, db], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => writer.stdout.once('data', resolve));
    const codes: (number | null)[] = [];
    for (let i = 0; i < 8; i++) {
      const r = spawnSync(process.execPath, [CLI, 'doctor', db, '--json', '--now', now], { encoding: 'utf8' });
      codes.push(r.status);
      assert.notEqual(r.status, 2, `run ${i}: ${r.stderr}`);
      assert.equal(JSON.parse(r.stdout).profile, 'ze-benchmarks');
    }
  } finally { writer.kill(); }
});

test('arguments that are not what they claim are refused with one sentence, exit 2', async () => {
  const db = await zeFile();
  for (const [args, why] of [
    [['--now', '1'], /--now 1 is not an ISO date-time/], [['--now', 'Nov 20 2025'], /not an ISO date-time/], [['--now', '2025-02-30T00:00:00Z'], /not an ISO date-time/],
    [['--stale-after', '0.001'], /between 1 and 525600/], [['--stale-after', '0x10'], /between 1 and 525600/], [['--stale-after', '-5'], /between 1 and 525600/],
    [['--naive-timestamps', '+99:99'], /at most ±14:00/], [['--profile', 'nope'], /--profile nope is not a profile; known: .*ze-benchmarks/],
  ] as const) {
    const r = cli('doctor', db, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.err, why);
  }
  assert.equal(cli('doctor', db, '--now', '2025-11-20').code, 1, 'a plain date is a date-time at local midnight');
  assert.equal(cli('doctor', db, '--now', '2025-11-20T12:00:00+10:00').code, 1);
  const forcedJson = JSON.parse(cli('doctor', db, '--profile', 'optuna', '--now', now, '--json').out);
  assert.match(forcedJson.notices?.[0] ?? '', /The profile optuna was chosen/, '--json carries the notes too');
  const wrong = cli('doctor', db, '--profile', 'optuna', '--now', now);
  assert.equal(wrong.code, 2);
  assert.match(wrong.out, /The profile optuna was chosen, but this database lacks what it reads: table studies; table trials\./);
});

test('the read-only commands run in a child started with the lean heap flags and the engine environment', async () => {
  const db = await zeFile();
  // A preload (inherited through NODE_OPTIONS) records what each CLI process was started with.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-launch-'));
  const preload = path.join(dir, 'record.cjs');
  fs.writeFileSync(preload, `require('fs').appendFileSync(${JSON.stringify(path.join(dir, 'seen.jsonl'))},
    JSON.stringify({ execArgv: process.execArgv, ioUring: process.env.UV_USE_IO_URING ?? null }) + '\\n');`);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${preload}` };
  delete env.UV_USE_IO_URING;
  const r = spawnSync(process.execPath, [CLI, 'doctor', db, '--json', '--now', now], { encoding: 'utf8', env });
  assert.equal(r.status, 1, r.stderr);
  const seen = fs.readFileSync(path.join(dir, 'seen.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { execArgv: string[]; ioUring: string | null });
  assert.equal(seen.length, 2, 'the CLI, then the child it relaunched');
  assert.deepEqual(seen[1]!.execArgv.slice(0, LEAN_HEAP_FLAGS.length), [...LEAN_HEAP_FLAGS]);
  assert.equal(seen[1]!.ioUring, engineEnv(env).UV_USE_IO_URING ?? null, 'the child has the engine environment');
  assert.equal(seen[0]!.ioUring, null, 'the parent was started without it');
});

test('--experiment takes the name the tables show (an MLflow experiment), a soft-deleted one too for a cleanup', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-'));
  const file = (await buildMlflow({ now: new Date(now), revision: 'head' })).write(dir);
  const [id, name] = execFileSync('sqlite3', [file, "SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'active' AND experiment_id IN (SELECT experiment_id FROM runs) LIMIT 1"], { encoding: 'utf8' }).trim().split('|');
  const runs = cli('runs', file, '--experiment', name!, '--json', '--now', now);
  assert.equal(runs.code, 0, runs.err);
  const listed = JSON.parse(runs.out) as { experimentId: string }[];
  assert.ok(listed.length > 0 && listed.every((r) => r.experimentId === id));
  const deleted = execFileSync('sqlite3', [file, "SELECT name FROM experiments WHERE lifecycle_stage = 'deleted' LIMIT 1"], { encoding: 'utf8' }).trim();
  if (deleted) {
    const plan = cli('cleanup', file, '--action', 'delete-experiment', '--experiment', deleted, '--hard', '--json', '--now', now);
    assert.equal(plan.code, 0, plan.err);
    assert.match((JSON.parse(plan.out) as { title: string }).title, /Delete experiment/);
  }
  const none = cli('runs', file, '--experiment', 'no such experiment', '--now', now);
  assert.equal(none.code, 2);
  assert.match(none.err, /No experiment has the id or name no such experiment/);
});

test('a cleanup in a folder whose mode allows no writes is refused before anything is written (root included)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cli-ro-'));
  const file = (await buildZeBenchmarks({ now: new Date(now) })).write(dir);
  const folder = path.dirname(file);
  fs.chmodSync(folder, 0o555);
  try {
    const r = cli('cleanup', file, '--action', 'mark-stale', '--yes', '--now', now);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /or its folder is not writable/);
    assert.ok(!fs.existsSync(path.join(folder, '.experiment-health')), 'no archive folder left behind');
  } finally { fs.chmodSync(folder, 0o755); }
});
