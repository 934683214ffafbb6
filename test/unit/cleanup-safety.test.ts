// Safety: while another process (python3's sqlite3) has the database open — rollback journal or
// WAL, idle or mid-transaction — every action refuses, naming the process, and the files are
// byte-identical afterwards. Plus: a plan made before the database changed is refused at execution.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { after, before, test } from 'node:test';
import { executeCleanup, PLAN_CHANGED } from '../../src/core/cleanup/execute';
import { preflight } from '../../src/core/cleanup/preflight';
import { undoCleanup } from '../../src/core/cleanup/undo';
import { CLEANUP_ACTIONS, type CleanupAction } from '../../src/core/cleanup/types';
import { loadSqlJs } from '../../src/core/db/sqljs';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';
import { NOW, OPTIONS, plan, py, roundTrip, sqlite3, tmpDir, writeDb } from './cleanup-helpers';

const dir = tmpDir('safety');
let sqlJs: Awaited<ReturnType<typeof loadSqlJs>> | undefined;
const SQL = () => sqlJs!;
before(async () => { sqlJs = await loadSqlJs(); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const HOLDER = String.raw`
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('SELECT count(*) FROM sqlite_master').fetchone()
print('open', flush=True)
for line in sys.stdin:
    if line.strip() == 'begin':
        c.execute('BEGIN IMMEDIATE'); c.execute("UPDATE %s SET rowid = rowid WHERE rowid IN (SELECT rowid FROM %s LIMIT 5)" % (sys.argv[2], sys.argv[2]))
        print('in-transaction', flush=True)
    elif line.strip() == 'quit':
        break
c.close()
`;

class Holder {
  readonly lines: AsyncIterator<string>;
  constructor(readonly proc: ChildProcessWithoutNullStreams) { this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator](); }
  static async start(file: string, table: string): Promise<Holder> {
    const h = new Holder(spawn('python3', ['-c', HOLDER, file, table]));
    assert.equal((await h.lines.next()).value, 'open');
    return h;
  }
  async send(cmd: string): Promise<string> { this.proc.stdin.write(`${cmd}\n`); return String((await this.lines.next()).value); }
  async stop(): Promise<void> { this.proc.stdin.end('quit\n'); await new Promise((r) => this.proc.once('exit', r)); }
}

const snapshot = (file: string): Record<string, string> => Object.fromEntries(['', '-wal', '-shm', '-journal']
  .filter((s) => fs.existsSync(file + s)).map((s) => [s || 'db', createHash('sha256').update(fs.readFileSync(file + s)).digest('hex')]));

const ACTIONS: [CleanupAction, object][] = CLEANUP_ACTIONS.map((a) => [a, {}]);

for (const [mode, build, runsTable] of [['rollback', buildZeBenchmarks, 'benchmark_runs'], ['WAL', buildPanicTda, 'run']] as const) {
  test(`${mode}: with a python3 connection open, every action refuses naming it, and the files stay byte-identical`, async () => {
    const file = writeDb(dir, `held-${mode}.sqlite`, (await build({ now: NOW })).bytes);
    if (mode === 'WAL') sqlite3(file, 'PRAGMA journal_mode=WAL');
    const SQL = await loadSqlJs();
    // Plans made before the holder connects (read-only, so they are allowed any time).
    const plans = await Promise.all(ACTIONS.map(async ([a]) => {
      const target = a === 'delete-runs' ? { runIds: [sqlite3(file, `SELECT ${runsTable === 'run' ? 'id' : 'run_id'} FROM ${runsTable} LIMIT 1`)] }
        : a === 'delete-experiment' ? { experimentId: sqlite3(file, runsTable === 'run' ? 'SELECT experiment_id FROM run LIMIT 1' : 'SELECT batchId FROM batch_runs LIMIT 1') } : {};
      return (await plan(file, a, target)).plan;
    }));
    const holder = await Holder.start(file, runsTable);
    try {
      const pf = preflight(file);
      assert.equal(pf.ok, false);
      assert.ok(pf.holders.some((h) => h.pid === holder.proc.pid && /python3/.test(h.command)), `names the python process: ${JSON.stringify(pf.holders)}`);
      assert.match(pf.reason ?? '', new RegExp(`pid ${holder.proc.pid}`));
      assert.doesNotMatch(pf.reason ?? '', /more process/, 'one process holding the database and its -wal/-shm is one process');
      const before = snapshot(file);
      for (const p of plans.filter((x) => !x.refusal)) {
        assert.throws(() => executeCleanup(SQL, { plan: p, archive: true, options: OPTIONS }), (e: Error) => /open in another program/.test(e.message), p.action);
      }
      assert.deepEqual(snapshot(file), before, 'database and sidecars byte-identical');
      // Mid-transaction (a live journal or uncommitted WAL frames): still refused, still untouched.
      assert.equal(await holder.send('begin'), 'in-transaction');
      const during = snapshot(file);
      for (const p of plans.filter((x) => !x.refusal)) assert.throws(() => executeCleanup(SQL, { plan: p, archive: false, options: OPTIONS }), p.action);
      assert.deepEqual(snapshot(file), during);
    } finally { await holder.stop(); }
    assert.equal(sqlite3(file, 'PRAGMA integrity_check'), 'ok');
    assert.ok(!fs.existsSync(`${dir}/.experiment-health`) || fs.readdirSync(`${dir}/.experiment-health/archive`).length === 0, 'no archive was written');
  });
}

test('a -journal beside the database (a writer or an interrupted write) is refused', async () => {
  const file = writeDb(dir, 'journal.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  fs.writeFileSync(`${file}-journal`, Buffer.alloc(512, 1));
  const pf = preflight(file);
  assert.equal(pf.ok, false);
  assert.match(pf.reason ?? '', /-journal exists/);
  fs.rmSync(`${file}-journal`);
});

test('a plan confirmed before the database changed is refused at execution, and nothing changes', async () => {
  const file = writeDb(dir, 'changed.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  const p = (await plan(file, 'delete-incomplete')).plan;
  py(`import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE benchmark_runs SET status='incomplete' WHERE status='failed'"); c.commit(); c.close()`, file);
  const before = snapshot(file);
  assert.throws(() => executeCleanup(SQL(), { plan: p, archive: true, options: OPTIONS }), (e: Error) => e.message.startsWith(PLAN_CHANGED));
  assert.deepEqual(snapshot(file), before);
});

test('undo refuses when a restored row\'s key exists again', async () => {
  const file = writeDb(dir, 'undo.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  const { report } = await roundTrip(file, 'delete-orphans', {}, { undo: false });
  const arc = JSON.parse(fs.readFileSync(report.archive!.manifest, 'utf8')) as { tables: { table: string }[] };
  assert.ok(arc.tables.length);
  // Put a row back by hand with one of the archived ids: undo must refuse.
  const id = sqlite3(report.archive!.file, 'SELECT _eh_rowid FROM evaluation_results LIMIT 1');
  sqlite3(file, `INSERT INTO evaluation_results (id, run_id, evaluator_name, score, max_score) VALUES (${id}, 'again', 'x', 1, 1)`);
  const before = snapshot(file);
  assert.throws(() => undoCleanup(SQL(), { path: file, archive: report.archive!.manifest }), /exist again/);
  assert.deepEqual(snapshot(file), before);
});


for (const mode of ['rollback', 'WAL'] as const) test(`${mode}: a program that writes between the plan check and BEGIN (open, write, close) stops the cleanup; its write survives`, async () => {
  const file = writeDb(dir, `sneaky-${mode}.sqlite`, (await buildZeBenchmarks({ now: NOW })).bytes);
  if (mode === 'WAL') sqlite3(file, 'PRAGMA journal_mode=WAL');
  const p = (await plan(file, 'delete-incomplete')).plan;
  assert.ok(p.totalRows > 0);
  const edit = "UPDATE benchmark_runs SET model = 'edited by hand' WHERE rowid = (SELECT min(rowid) FROM benchmark_runs WHERE status = 'completed')";
  let after: Record<string, string> = {};
  assert.throws(() => executeCleanup(SQL(), { plan: p, archive: true, options: OPTIONS }, {
    // Our session is open; the preflight is behind us. A one-shot writer gets in, counts unchanged.
    onOpen: () => { sqlite3(file, edit); after = snapshot(file); },
  }), (e: Error) => e.message.startsWith(PLAN_CHANGED) && /another program wrote/.test(e.message));
  assert.equal(sqlite3(file, "SELECT count(*) FROM benchmark_runs WHERE model = 'edited by hand'"), '1', 'the other program\'s write is there');
  assert.deepEqual(snapshot(file), after, 'nothing else changed');
  assert.equal(sqlite3(file, 'PRAGMA integrity_check'), 'ok');
  assert.deepEqual(manifestsOf(file).map((m) => m.status), ['failed'], 'its archive is not taken for an applied cleanup');
});

const manifestsOf = (file: string) => fs.readdirSync(`${dir}/.experiment-health/archive`).map((d) => `${dir}/.experiment-health/archive/${d}/manifest.json`)
  .filter((m) => fs.existsSync(m)).map((m) => JSON.parse(fs.readFileSync(m, 'utf8')) as { database: string; status: string })
  .filter((m) => m.database === file);

test('a cleanup cancelled at its commit point rolls back; its archive says it was never applied', async () => {
  const file = writeDb(dir, 'commit-point.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  const p = (await plan(file, 'delete-incomplete')).plan;
  const before = snapshot(file);
  let asked = 0;
  assert.throws(() => executeCleanup(SQL(), { plan: p, archive: true, options: OPTIONS }, { enterCommit: () => { asked++; return false; } }),
    (e: Error & { code?: string }) => e.code === 'cancelled');
  assert.equal(asked, 1);
  assert.deepEqual(snapshot(file), before);
  assert.deepEqual(manifestsOf(file).map((m) => m.status), ['failed']);
  // Allowed to commit, the same plan runs to its verified report.
  const report = executeCleanup(SQL(), { plan: p, archive: true, options: OPTIONS }, { enterCommit: () => true });
  assert.ok(report.verified, report.message);
});

test('Windows: the files decide before our write; inside it, our own -journal and fresh write are not taken for another program', async () => {
  const file = writeDb(dir, 'win.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  fs.utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  assert.equal(preflight(file, { platform: 'win32' }).ok, true);
  fs.writeFileSync(`${file}-wal`, '');
  assert.match(preflight(file, { platform: 'win32' }).reason ?? '', /win\.sqlite-wal exists/);
  fs.rmSync(`${file}-wal`);
  fs.utimesSync(file, new Date(), new Date());
  assert.match(preflight(file, { platform: 'win32' }).reason ?? '', /changed in the last 10 seconds/);
  fs.writeFileSync(`${file}-journal`, Buffer.alloc(512, 1)); // ours, mid-transaction
  assert.equal(preflight(file, { platform: 'win32', ownJournal: true }).ok, true);
  fs.writeFileSync(`${file}-shm`, ''); // never ours: another program opened the file in WAL mode
  assert.match(preflight(file, { platform: 'win32', ownJournal: true }).reason ?? '', /-shm appeared during the cleanup/);
  fs.rmSync(`${file}-journal`);
  fs.rmSync(`${file}-shm`);
});

test('undo with its archive file gone refuses in one sentence and creates nothing', async () => {
  const file = writeDb(dir, 'gone-archive.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  const { report } = await roundTrip(file, 'delete-orphans', {}, { undo: false });
  fs.rmSync(report.archive!.file);
  const before = snapshot(file);
  assert.throws(() => undoCleanup(SQL(), { path: file, archive: report.archive!.manifest }), /Cannot undo: its archive .* is gone\./);
  assert.ok(!fs.existsSync(report.archive!.file), 'no empty archive was created in its place');
  assert.deepEqual(snapshot(file), before);
});

test('undo: a program that writes between its preflight and BEGIN stops it; the write survives and undo can be tried again', async () => {
  const file = writeDb(dir, 'sneaky-undo.sqlite', (await buildZeBenchmarks({ now: NOW })).bytes);
  const { report } = await roundTrip(file, 'mark-stale', {}, { undo: false });
  const edit = "UPDATE benchmark_runs SET model = 'edited by hand' WHERE rowid = (SELECT min(rowid) FROM benchmark_runs WHERE status = 'completed')";
  let after: Record<string, string> = {};
  assert.throws(() => undoCleanup(SQL(), { path: file, archive: report.archive!.manifest }, { onOpen: () => { sqlite3(file, edit); after = snapshot(file); } }),
    /Not undoing: another program wrote the database just now; nothing was changed/);
  assert.deepEqual(snapshot(file), after, 'nothing else changed');
  assert.equal(sqlite3(file, "SELECT count(*) FROM benchmark_runs WHERE model = 'edited by hand'"), '1');
  const undone = undoCleanup(SQL(), { path: file, archive: report.archive!.manifest });
  assert.ok(undone.verified, undone.message);
});
