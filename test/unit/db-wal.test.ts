// WAL databases: opened read-only, committed WAL frames visible, the live writer undisturbed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileHash, PythonWriter } from './python-writer';
import { readHeader } from '../../src/core/db/header';
import { openDatabase } from '../../src/core/db/open';

// A python3 writer that keeps WAL frames un-checkpointed, then waits for commands on stdin.
const WRITER = String.raw`
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute('CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT)')
c.execute('BEGIN'); c.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'x' * 200) for i in range(1000)]); c.execute('COMMIT')
c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
c.execute('BEGIN'); c.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'y' * 200) for i in range(1000, 1500)]); c.execute('COMMIT')
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == 'begin':   # uncommitted frames in the WAL (small cache forces them out)
        c.execute('PRAGMA cache_size=2'); c.execute('BEGIN IMMEDIATE')
        c.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'z' * 200) for i in range(1500, 3000)])
        print('in-transaction', flush=True)
    elif cmd == 'commit':
        c.execute('COMMIT'); print('committed', flush=True)
    elif cmd == 'check':
        print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('SELECT count(*) FROM t').fetchone()[0], flush=True)
    elif cmd == 'quit':
        break
c.close()
`;

const Writer = { start: (file: string) => PythonWriter.start(WRITER, file) };

let dir: string;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-db-wal-')); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const hash = fileHash;
const state = (f: string): string[] => ['', '-wal', '-shm'].map((s) => `${s}:${hash(f + s)}:${fs.statSync(f + s).mtimeMs}`);

test('reads committed WAL frames read-only; header inspection sees the WAL', async () => {
  const file = path.join(dir, 'wal.db');
  const w = Writer.start(file);
  try {
    assert.equal(await w.next(), 'ready');
    const h = readHeader(file);
    assert.equal(h.journalMode, 'wal');
    assert.equal(h.readVersion, 2);
    assert.ok(h.wal.exists && h.wal.size > 100_000, `un-checkpointed -wal expected, got ${h.wal.size} bytes`);
    assert.ok(h.shm.exists);
    const before = state(file);
    const db = await openDatabase(file);
    try {
      assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, 1500, 'the 500 WAL-only rows are visible');
      assert.equal(db.get<{ n: number }>("SELECT count(*) AS n FROM t WHERE v LIKE 'y%'")!.n, 500);
    } finally { db.close(); }
    assert.deepEqual(state(file), before, 'database, -wal and -shm untouched');

    // an open transaction's frames are not visible; its commit still succeeds afterwards
    assert.equal(await w.send('begin'), 'in-transaction');
    const db2 = await openDatabase(file);
    try { assert.equal(db2.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, 1500); } finally { db2.close(); }
    assert.equal(await w.send('commit'), 'committed');
    assert.equal(await w.send('check'), 'ok 3000');
    const db3 = await openDatabase(file);
    try { assert.equal(db3.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, 3000); } finally { db3.close(); }
  } finally { assert.equal(await w.stop(), 0); }
});

test('a WAL database with no -wal beside it (no writer connected) opens read-only and follows a writer that appears', async () => {
  const file = path.join(dir, 'closed-wal.db');
  const py = (code: string): string => execFileSync('python3', ['-c', code, file], { encoding: 'utf8' });
  py(`import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL'); c.execute('CREATE TABLE t (i)')
c.executemany('INSERT INTO t VALUES (?)', [(i,) for i in range(700)]); c.commit(); c.close()`);
  assert.ok(!fs.existsSync(`${file}-wal`) && !fs.existsSync(`${file}-shm`));
  assert.equal(readHeader(file).journalMode, 'wal');
  const before = `${hash(file)}:${fs.statSync(file).mtimeMs}`;
  const db = await openDatabase(file);
  try {
    assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, 700);
    assert.equal(`${hash(file)}:${fs.statSync(file).mtimeMs}`, before, 'untouched');
    assert.ok(!fs.existsSync(`${file}-wal`) && !fs.existsSync(`${file}-shm`), 'no -wal/-shm created');
    // a writer connects and leaves frames in the WAL: the same handle now reads through the WAL
    const writer = PythonWriter.start(`import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute('INSERT INTO t VALUES (1000)'); print('ready', flush=True); sys.stdin.readline(); c.close()`, file);
    assert.equal(await writer.next(), 'ready');
    assert.ok(fs.existsSync(`${file}-wal`));
    assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM t')!.n, 701);
    await writer.stop();
  } finally { db.close(); }
});

test('a WAL database copied without its -shm is read with its committed WAL frames; no -shm is created', async () => {
  const file = path.join(dir, 'no-shm.db');
  execFileSync('python3', ['-c', `import sqlite3,sys,os
c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute('CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT)'); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
c.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'x') for i in range(700)])
os._exit(0)`, file]);
  fs.rmSync(`${file}-shm`);
  const before = [hash(file), hash(`${file}-wal`)];
  const db = await openDatabase(file);
  try { assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n, 700); } finally { db.close(); }
  assert.ok(!fs.existsSync(`${file}-shm`), 'reading created no -shm');
  assert.deepEqual([hash(file), hash(`${file}-wal`)], before, 'reading changed nothing');
});
