// A live writer mid-transaction and torn reads: we get a clear busy-writer error or a consistent
// read, the writer's COMMIT succeeds and the file checks ok afterwards.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileHash, PythonWriter } from './python-writer';
import { readConsistent, TORN_READ_MESSAGE } from '../../src/core/db/consistent';
import { EngineError, engineError } from '../../src/core/db/errors';
import { buildDatabaseBytes } from '../fixtures/memory-db';
import { openDatabase, openDatabaseSync, type FileDatabase } from '../../src/core/db/open';
import { loadSqlJs, type SqlJs } from '../../src/core/db/sqljs';

const WRITER = String.raw`
import sqlite3, sys
path, mode = sys.argv[1], sys.argv[2]
c = sqlite3.connect(path, isolation_level=None)
c.execute('PRAGMA journal_mode=' + mode)
c.execute('CREATE TABLE t (i INTEGER PRIMARY KEY, v BLOB)')
c.execute('BEGIN'); c.executemany('INSERT INTO t VALUES (?, randomblob(600))', [(i,) for i in range(20000)]); c.execute('COMMIT')
if mode == 'wal': c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'begin':     # spill dirty pages: a hot-looking journal and overwritten pages in the file
        c.execute('PRAGMA cache_size=10'); c.execute('BEGIN IMMEDIATE'); c.execute('DELETE FROM t WHERE i < 15000')
        print('in-transaction', flush=True)
    elif cmd == 'commit':
        try: c.execute('COMMIT'); print('committed', flush=True)
        except Exception as e: print('commit failed: %s' % e, flush=True)
    elif cmd == 'churn':   # many small commits
        for k in range(300):
            c.execute('UPDATE t SET v = randomblob(600) WHERE i = ?', (15000 + k % 5000,))
        print('churned', flush=True)
    elif cmd == 'check':
        print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('SELECT count(*) FROM t').fetchone()[0], flush=True)
    elif cmd == 'quit':
        break
c.close()
`;

const Writer = { start: (file: string, mode: 'delete' | 'wal') => PythonWriter.start(WRITER, file, mode) };

let dir: string;
let SQL: SqlJs;
before(async () => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-db-live-')); SQL = await loadSqlJs(); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const hash = fileHash;

/** The engine's way to read: fresh connection per retry, torn-read checks. */
function readCount(file: string): { n?: number; code?: string; consistent?: boolean } {
  let db: FileDatabase | undefined;
  const src = { path: file, current: () => (db ??= openDatabaseSync(SQL, file)), reopen: () => { db?.close(); db = openDatabaseSync(SQL, file); return db; } };
  try {
    const r = readConsistent(src, (d) => d.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, { attempts: 3, waitMs: 20 });
    return { n: r.value, consistent: r.consistent };
  } catch (e) {
    assert.ok(e instanceof EngineError, String(e));
    return { code: e.code };
  } finally { db?.close(); }
}

for (const mode of ['delete', 'wal'] as const) {
  test(`live writer in BEGIN IMMEDIATE (${mode} mode): busy-writer or a consistent read, then COMMIT ok`, async (t) => {
    const file = path.join(dir, `live-${mode}.db`);
    const w = Writer.start(file, mode);
    try {
      assert.equal(await w.next(), 'ready');
      assert.equal(await w.send('begin'), 'in-transaction');
      const side = mode === 'wal' ? `${file}-wal` : `${file}-journal`;
      assert.ok(fs.existsSync(side) && fs.statSync(side).size > 0, `${side} holds the open transaction`);
      const sideHash = hash(side);
      const r = readCount(file);
      t.diagnostic(`reader got ${JSON.stringify(r)}`);
      if (r.code !== undefined) assert.equal(r.code, 'busy-writer');
      else assert.deepEqual(r, { n: 20000, consistent: true }, 'only the committed state may be seen');
      assert.equal(hash(side), sideHash, 'the writer\'s journal/WAL was not touched');
      assert.equal(await w.send('commit'), 'committed');
      assert.equal(await w.send('check'), 'ok 5000');
      assert.deepEqual(readCount(file), { n: 5000, consistent: true });
    } finally { assert.equal(await w.stop(), 0); }
  });
}

test('reads during many small commits are consistent or flagged, never wrong silently', async (t) => {
  const file = path.join(dir, 'churn.db');
  const w = Writer.start(file, 'delete');
  try {
    assert.equal(await w.next(), 'ready');
    const churn = w.send('churn');
    let done = false;
    void churn.then(() => { done = true; });
    const seen: string[] = [];
    while (!done) {
      const r = readCount(file);
      seen.push(r.code ?? `${r.n}:${r.consistent}`);
      if (r.code === undefined && r.consistent) assert.equal(r.n, 20000);
      else if (r.code !== undefined) assert.equal(r.code, 'busy-writer');
      await new Promise((res) => setImmediate(res));
    }
    assert.equal(await churn, 'churned');
    assert.ok(seen.length > 0);
    t.diagnostic(`${seen.length} reads: ${[...new Set(seen)].join(', ')}`);
    assert.equal(await w.send('check'), 'ok 20000');
  } finally { assert.equal(await w.stop(), 0); }
});

// Deterministic checks of the helper: a "writer" that bumps the change counter during reads.
async function counterFile(name: string): Promise<string> {
  const f = path.join(dir, name);
  fs.writeFileSync(f, await buildDatabaseBytes('CREATE TABLE t (i); INSERT INTO t VALUES (1), (2);'));
  return f;
}
function bump(file: string): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(4);
  fs.readSync(fd, b, 0, 4, 24);
  b.writeUInt32BE(b.readUInt32BE(0) + 1);
  fs.writeSync(fd, b, 0, 4, 24);
  fs.closeSync(fd);
}

test('readConsistent: retries when the change counter moved, flags the last result when it keeps moving', async () => {
  const file = await counterFile('torn.db');
  const db = await openDatabase(file);
  let reopens = 0;
  const src = { path: file, current: () => db, reopen: () => { reopens++; return db; } };
  try {
    let calls = 0;
    const once = readConsistent(src, (d) => { if (calls++ === 0) bump(file); return d.all('SELECT i FROM t').length; }, { waitMs: 1 });
    assert.deepEqual(once, { value: 2, consistent: true, attempts: 2 });
    assert.equal(reopens, 1, 'the retry used a fresh connection');
    let n = 0;
    const always = readConsistent(src, () => { bump(file); return ++n; }, { attempts: 3, waitMs: 1 });
    assert.deepEqual(always, { value: 3, consistent: false, attempts: 3, message: TORN_READ_MESSAGE });
    assert.equal(TORN_READ_MESSAGE, 'the database is being written; showing the last consistent result');
  } finally { db.close(); }
});

test('readConsistent: corrupt-looking errors while a writer is active are retried, then busy-writer', async () => {
  const file = await counterFile('busy.db');
  const db = await openDatabase(file);
  const src = { path: file, current: () => db, reopen: () => db };
  try {
    let calls = 0;
    assert.throws(() => readConsistent(src, () => { calls++; bump(file); throw engineError('corrupt', file, 'database disk image is malformed'); }, { attempts: 3, waitMs: 1 }),
      (e: unknown) => e instanceof EngineError && e.code === 'busy-writer' && /being written/.test(e.message));
    assert.equal(calls, 3);
    calls = 0; // a plain SQL error is not retried
    assert.throws(() => readConsistent(src, (d) => { calls++; return d.all('SELECT nope FROM t'); }),
      (e: unknown) => e instanceof EngineError && e.code === 'sql-error');
    assert.equal(calls, 1);
    calls = 0; // corruption with no writer in sight is real corruption
    assert.throws(() => readConsistent(src, () => { calls++; throw engineError('corrupt', file); }),
      (e: unknown) => e instanceof EngineError && e.code === 'corrupt');
    assert.equal(calls, 1);
  } finally { db.close(); }
});
