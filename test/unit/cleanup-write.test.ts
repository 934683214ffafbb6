// The write session under the cleanup: rollback and WAL files written through HOSTFS, seen by the
// native sqlite3 CLI afterwards (integrity ok, content as written, no sidecars left).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadSqlJs } from '../../src/core/db/sqljs';
import { openDatabase } from '../../src/core/db/open';
import { openWriteSession } from '../../src/core/db/write';

let dir: string;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-cleanup-write-')); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const sqlite = (file: string, sql: string): string => execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
const py = (code: string, ...args: string[]): string => execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' }).trim();

for (const mode of ['delete', 'wal'] as const) {
  test(`write session on a ${mode} database: native sqlite3 sees the commit, integrity ok, no sidecar left`, async () => {
    const file = path.join(dir, `${mode}.db`);
    py(`import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=${mode}')
c.execute('CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT)')
c.executemany('INSERT INTO t VALUES (?,?)', [(i, 'x'*300) for i in range(2000)]); c.commit(); c.close()`, file);
    const SQL = await loadSqlJs();
    const s = openWriteSession(SQL, file, { allowWal: true });
    try {
      assert.equal(s.walMode, mode === 'wal');
      s.exec('BEGIN IMMEDIATE');
      s.exec('DELETE FROM t WHERE i % 2 = 0');
      assert.equal(s.changes(), 1000);
      s.exec("UPDATE t SET v = 'changed' WHERE i = 1");
      s.exec('COMMIT');
      if (mode === 'wal') assert.ok(fs.existsSync(`${file}-wal`), 'the -wal is written while the session is open');
      assert.ok(!fs.existsSync(`${file}-shm`), 'exclusive locking mode needs no -shm');
    } finally { s.close(); }
    for (const x of ['-journal', '-wal', '-shm']) assert.ok(!fs.existsSync(file + x), `no ${x} left after close`);
    assert.equal(sqlite(file, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sqlite(file, 'SELECT count(*) FROM t'), '1000');
    assert.equal(sqlite(file, 'SELECT v FROM t WHERE i = 1'), 'changed');
    assert.equal(sqlite(file, 'PRAGMA journal_mode'), mode, 'the journal mode of the file is kept');
  });
}

test('write session refuses a database with a -journal beside it', async () => {
  const file = path.join(dir, 'j.db');
  sqlite(file, 'CREATE TABLE t (i); INSERT INTO t VALUES (1);');
  fs.writeFileSync(`${file}-journal`, 'x');
  const SQL = await loadSqlJs();
  assert.throws(() => openWriteSession(SQL, file, { allowWal: true }), /being written|journal/);
  fs.rmSync(`${file}-journal`);
});

test('through a symlink, the target\'s -wal and -journal are the ones read and written', async () => {
  const real = path.join(dir, 'target', 'w.db'), link = path.join(dir, 'links', 'w.db');
  fs.mkdirSync(path.dirname(real)); fs.mkdirSync(path.dirname(link));
  fs.symlinkSync(real, link);
  // 100 rows checkpointed, 200 more committed only in the -wal (the writer died before a checkpoint).
  py(`import sqlite3,sys,os
c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('PRAGMA journal_mode=wal'); c.execute('PRAGMA wal_autocheckpoint=0')
c.execute('CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT)')
c.executemany('INSERT INTO t VALUES (?,?)', [(i, 'x') for i in range(100)]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
c.execute('BEGIN'); c.executemany('INSERT INTO t VALUES (?,?)', [(i, 'y') for i in range(100, 300)]); c.execute('COMMIT')
os._exit(0)`, real);
  const reader = await openDatabase(link);
  try { assert.equal(reader.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n, 300, 'the committed WAL frames are seen through the link'); } finally { reader.close(); }
  const SQL = await loadSqlJs();
  const s = openWriteSession(SQL, link, { allowWal: true });
  try {
    assert.equal(s.walMode, true);
    s.exec('BEGIN IMMEDIATE'); s.exec('DELETE FROM t WHERE i >= 290'); s.exec('COMMIT');
  } finally { s.close(); }
  for (const x of ['-journal', '-wal', '-shm']) assert.ok(!fs.existsSync(link + x), `no ${x} beside the link`);
  assert.equal(sqlite(real, 'PRAGMA integrity_check'), 'ok');
  assert.equal(sqlite(real, 'SELECT count(*) FROM t'), '290');
});
