// `experiment-health cleanup` and `undo` as a real process: dry run by default (nothing written),
// --json prints the CleanupPlan, --yes applies (exit 0), refusals exit 1 with the SQL script,
// undo shows then restores. Never prompts (stdin is not a TTY here).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, test } from 'node:test';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';
import { NOW, rowHashes, sqlite3, tmpDir, writeDb } from './cleanup-helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const dir = tmpDir('cli');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
  const r = spawnSync(process.execPath, [CLI, ...args, '--now', NOW.toISOString(), '--naive-timestamps', 'utc'], { encoding: 'utf8', input: '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('cleanup: dry run by default, --json plan, --yes applies, undo restores', async () => {
  const file = writeDb(dir, 'ze.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  const before = sha(file), rows = rowHashes(file);
  const dry = cli('cleanup', file, '--action', 'delete-incomplete');
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /Delete \d+ incomplete runs/);
  assert.match(dry.out, /Dry run: nothing was changed/);
  assert.equal(sha(file), before, 'the dry run wrote nothing');
  const json = cli('cleanup', file, '--action', 'delete-incomplete', '--json');
  const plan = JSON.parse(json.out) as { changes: { table: string; deleted: number }[]; runIds: string[]; sql: string };
  assert.ok(plan.runIds.length > 0 && plan.sql.includes('BEGIN IMMEDIATE'));
  const yes = cli('cleanup', file, '--action', 'delete-incomplete', '--yes');
  assert.equal(yes.code, 0, yes.err + yes.out);
  assert.match(yes.out, /Verified/);
  assert.equal(sqlite3(file, "SELECT count(*) FROM benchmark_runs WHERE status = 'incomplete'"), '0');
  const show = cli('undo', file);
  assert.equal(show.code, 0);
  assert.match(show.out, /restored/);
  const undo = cli('undo', file, '--yes');
  assert.equal(undo.code, 0, undo.err + undo.out);
  assert.deepEqual(rowHashes(file), rows);
  assert.equal(cli('undo', file, '--yes').code, 1, 'nothing left to undo');
});

test('cleanup --yes refuses (exit 1) while python3 holds the database, and writes the plan as SQL', async () => {
  const file = writeDb(dir, 'held.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  const py = spawn('python3', ['-c', 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1]); c.execute("select 1 from benchmark_runs").fetchone(); print("open", flush=True); sys.stdin.read()', file]);
  try {
    assert.equal((await readline.createInterface({ input: py.stdout })[Symbol.asyncIterator]().next()).value, 'open');
    const before = sha(file);
    const r = cli('cleanup', file, '--action', 'mark-stale', '--yes');
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, new RegExp(`pid ${py.pid}`));
    const script = /The plan as SQL, to run yourself once that program has stopped: (\S+)/.exec(r.out)?.[1];
    assert.ok(script && fs.readFileSync(script, 'utf8').includes('UPDATE "benchmark_runs"'));
    assert.equal(sha(file), before);
  } finally { py.stdin.end(); await new Promise((res) => py.once('exit', res)); }
});

test('the plan as SQL, run with the native sqlite3, does exactly what the plan says', async () => {
  const file = writeDb(dir, 'script.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  const plan = JSON.parse(cli('cleanup', file, '--action', 'delete-orphans', '--json').out) as { sql: string; changes: { table: string; deleted: number }[] };
  const before = rowHashes(file);
  const r = spawnSync('sqlite3', ['-bail', file], { input: plan.sql, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const now = rowHashes(file);
  for (const c of plan.changes) assert.equal(Object.keys(before[c.table]!).length - Object.keys(now[c.table]!).length, c.deleted, c.table);
  // Run again: the counts no longer match, so the script stops and rolls back.
  const again = spawnSync('sqlite3', ['-bail', file], { input: plan.sql, encoding: 'utf8' });
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /CHECK constraint failed/);
  assert.deepEqual(rowHashes(file), now);
});

test('usage errors exit 2; an unknown run is left alone and reported', async () => {
  const file = writeDb(dir, 'usage.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  assert.equal(cli('cleanup', file).code, 2);
  assert.equal(cli('cleanup', file, '--action', 'nope').code, 2);
  const before = sha(file);
  const noArchive = cli('cleanup', file, '--action', 'delete-incomplete', '--yes', '--no-archive');
  assert.equal(noArchive.code, 2);
  assert.match(noArchive.out + noArchive.err, /--no-archive is not offered: every cleanup archives the rows it changes first/);
  assert.equal(sha(file), before, 'nothing written');
  const r = cli('cleanup', file, '--action', 'delete-runs', '--run', 'ffffffff-0000', '--json');
  assert.equal(r.code, 0);
  assert.match(r.out, /no such run/);
});

test('an archive folder that cannot be made is one sentence, exit 2, the database untouched', async () => {
  const file = writeDb(dir, 'ze-archive.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  const before = sha(file);
  const aFile = path.join(dir, 'not-a-folder');
  fs.writeFileSync(aFile, 'x');
  for (const [where, why] of [[aFile, /is a file, not a folder/], [path.join(aFile, 'sub'), /is a file, not a folder/], ['/proc/eh-nope', /cannot be created there|permission denied/]] as const) {
    const r = spawnSync(process.execPath, [CLI, 'cleanup', file, '--action', 'delete-incomplete', '--yes', '--archive-dir', where,
      '--now', NOW.toISOString(), '--naive-timestamps', 'utc'], { encoding: 'utf8', input: '', timeout: 60_000 });
    assert.equal(r.status, 2, `${where}: ${r.stderr}`);
    assert.match(r.stderr, /Cannot create the archive folder/);
    assert.match(r.stderr, why);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
  }
  assert.equal(sha(file), before, 'nothing was changed');
});

test('the mark-stale plan as SQL, run after a stale run finished, stops and leaves that run as it finished', async () => {
  const file = writeDb(dir, 'race.db', (await buildZeBenchmarks({ now: NOW })).bytes);
  const plan = JSON.parse(cli('cleanup', file, '--action', 'mark-stale', '--json').out) as { sql: string; runIds: string[]; changes: { table: string; updated: number }[] };
  assert.ok(plan.runIds.length > 0);
  // The "stale" run was alive after all: it finishes before the user runs the script.
  const id = plan.runIds[0]!;
  spawnSync('sqlite3', [file, `UPDATE benchmark_runs SET status = 'completed', completed_at = '2025-11-20 12:05:00' WHERE run_id = '${id}'`]);
  const before = rowHashes(file);
  const r = spawnSync('sqlite3', ['-bail', file], { input: plan.sql, encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'the script stops');
  assert.deepEqual(rowHashes(file), before, 'nothing changed, the finished run included');
});
