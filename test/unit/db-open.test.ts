// Opening in place: same rows as the file, header facts, read-only fences, close() safety.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../src/core/db/errors';
import { readHeader } from '../../src/core/db/header';
import { createHostFs } from '../../src/core/db/hostfs';
import { buildDatabaseBytes, openMemoryDatabase } from '../fixtures/memory-db';
import { openDatabase } from '../../src/core/db/open';
import { loadSqlJs } from '../../src/core/db/sqljs';

const FIXTURE_SQL = `
  PRAGMA page_size = 4096;
  CREATE TABLE experiment (id TEXT PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE run (id INTEGER PRIMARY KEY, experiment_id TEXT NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
                    max_length INTEGER DEFAULT 100, payload BLOB);
  CREATE INDEX run_exp ON run(experiment_id);
  INSERT INTO experiment VALUES ('e1', 'first'), ('e2', 'second');
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
  INSERT INTO run SELECT i, CASE WHEN i % 3 = 0 THEN 'e2' ELSE 'e1' END, i % 7, randomblob(500) FROM n;`;

let dir: string;
let dbFile: string;

interface Snapshot { sha256: string; mtimeMs: number; size: number }
const snapshot = (f: string): Snapshot => {
  const s = fs.statSync(f);
  return { sha256: createHash('sha256').update(fs.readFileSync(f)).digest('hex'), mtimeMs: s.mtimeMs, size: s.size };
};
const sidecars = (f: string): string[] => ['-journal', '-wal', '-shm'].filter((s) => fs.existsSync(f + s));

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-db-open-'));
  dbFile = path.join(dir, 'data.db');
  fs.writeFileSync(dbFile, await buildDatabaseBytes(FIXTURE_SQL));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('opens the file in place and reads the same rows as the sqlite3 CLI', async () => {
  const before = snapshot(dbFile);
  const db = await openDatabase(dbFile);
  try {
    const rows = db.all<{ experiment_id: string; n: number }>('SELECT experiment_id, count(*) AS n FROM run GROUP BY 1 ORDER BY 1');
    const cli = execFileSync('sqlite3', [dbFile, 'SELECT experiment_id, count(*) FROM run GROUP BY 1 ORDER BY 1'], { encoding: 'utf8' });
    assert.equal(rows.map((r) => `${r.experiment_id}|${r.n}`).join('\n'), cli.trim());
    assert.deepEqual(db.tables(), ['experiment', 'run']);
    assert.deepEqual(db.get<{ n: number }>('SELECT count(*) AS n FROM run WHERE max_length = ?', [3]), { n: 429 });
    assert.equal(db.get('SELECT 1 AS x WHERE 0'), undefined);
    const fk = db.foreignKeys('run');
    assert.deepEqual(fk, [{ from: 'experiment_id', table: 'experiment', to: 'id', onDelete: 'CASCADE', onUpdate: 'NO ACTION' }]);
    assert.deepEqual(db.columns('run').map((c) => [c.name, c.type, c.notNull, c.primaryKey]),
      [['id', 'INTEGER', false, 1], ['experiment_id', 'TEXT', true, 0], ['max_length', 'INTEGER', false, 0], ['payload', 'BLOB', false, 0]]);
    // the main database is the user's file, not a copy
    const list = db.all<{ name: string; file: string }>('PRAGMA database_list');
    assert.equal(list[0]!.name, 'main');
    assert.match(list[0]!.file, /\/data\.db$/);
    assert.ok(db.hostFs.stats.preads > 0, 'reads went through HOSTFS');
  } finally { db.close(); }
  assert.deepEqual(snapshot(dbFile), before);
});

test('read-ahead serves a scan from 64 KiB blocks; a lookup elsewhere reads one page', async () => {
  const db = await openDatabase(dbFile);
  try {
    db.all('SELECT sum(length(payload)) FROM run');
    const { preads, hits, preadBytes, directReads } = db.hostFs.stats;
    assert.ok(hits > preads, `expected more cache hits than reads, got ${hits} hits / ${preads} reads`);
    const blockBytes = (preads - directReads) * 65536;
    assert.ok(blockBytes > 0 && blockBytes >= preadBytes * 0.9, `a scan reads mostly whole blocks: ${blockBytes} of ${preadBytes} bytes`);
  } finally { db.close(); }
  const lookups = await openDatabase(dbFile);
  try {
    // Rows by id, far apart: each lands outside the blocks read so far.
    const max = lookups.get<{ n: number }>('SELECT max(id) AS n FROM run')!.n;
    const before = { ...lookups.hostFs.stats };
    for (let id = max; id > 0; id -= Math.ceil(max / 20)) lookups.get('SELECT length(payload) FROM run WHERE id = ?', [id]);
    const direct = lookups.hostFs.stats.directReads - before.directReads;
    const bytes = lookups.hostFs.stats.preadBytes - before.preadBytes;
    assert.ok(direct > 0, 'lookups read single pages');
    assert.ok(bytes < (lookups.hostFs.stats.preads - before.preads) * 65536, 'not a 64 KiB block per lookup');
  } finally { lookups.close(); }
});

test('read-ahead stops for a forward walk that uses one page per block, and keeps going for a dense one', async () => {
  // An index's leaves scattered through a big file: each read continues the last one (within a
  // block) but lands in a new block. Reading 64 KiB for each read 520 MB for a 48 MB index.
  const SQL = await loadSqlJs();
  const FS = SQL.FS as typeof SQL.FS & { open(p: string, f: string): unknown; read(s: unknown, b: Uint8Array, o: number, n: number, p: number): number; close(s: unknown): void };
  const file = path.join(dir, 'pages.bin');
  fs.writeFileSync(file, Buffer.alloc(16 * 1024 * 1024, 7));
  const walk = (stride: number, reads: number): { blockReads: number; directReads: number; bytes: number } => {
    const mnt = `/t-readahead-${stride}`;
    const hfs = createHostFs(SQL.FS, { dbName: 'pages.bin', writable: false, blockSize: 65536, maxBlocks: 16 });
    FS.mkdir(mnt);
    FS.mount(hfs.type, { root: dir }, mnt);
    try {
      const stream = FS.open(`${mnt}/pages.bin`, 'r');
      const page = new Uint8Array(4096);
      for (let i = 0; i < reads; i++) assert.equal(FS.read(stream, page, 0, 4096, i * stride), 4096);
      FS.close(stream);
    } finally { FS.unmount(mnt); FS.rmdir(mnt); }
    const st = hfs.stats;
    return { blockReads: st.preads - st.directReads, directReads: st.directReads, bytes: st.preadBytes };
  };
  const sparse = walk(60 * 1024, 200); // one page per 64 KiB block, each within a block of the last
  assert.ok(sparse.blockReads <= 16, `a few blocks while it learns, then page reads: ${JSON.stringify(sparse)}`);
  assert.ok(sparse.bytes < 200 * 4096 * 3, `reads about what was asked for: ${sparse.bytes} bytes for 200 pages`);
  const dense = walk(4096, 2000); // every page in turn: a table scan
  assert.ok(dense.directReads <= 1, `a dense scan reads blocks (the first page aside): ${JSON.stringify(dense)}`);
  assert.equal(dense.blockReads, Math.ceil((2000 * 4096) / 65536));
});

test('header inspection reports the facts of the file', async () => {
  const h = readHeader(dbFile);
  const cli = (p: string): number => Number(execFileSync('sqlite3', [dbFile, `PRAGMA ${p}`], { encoding: 'utf8' }).trim());
  assert.equal(h.pageSize, cli('page_size'));
  assert.equal(h.pageCount, cli('page_count'));
  assert.equal(h.fileSize, h.pageSize * h.pageCount!);
  assert.equal(h.journalMode, 'rollback');
  assert.equal(h.textEncoding, 'utf-8');
  assert.equal(h.schemaFormat, 4);
  assert.ok(h.sqliteVersion >= 3_000_000 && h.sqliteVersion < 4_000_000, `version ${h.sqliteVersion}`);
  assert.equal(h.changeCounter, fs.readFileSync(dbFile).readUInt32BE(24));
  assert.deepEqual([h.wal.exists, h.shm.exists, h.journal.exists], [false, false, false]);
});

test('close() never unlinks the user file, in read and in write mode', async () => {
  for (const mode of ['read', 'write'] as const) {
    const copy = path.join(dir, `close-${mode}.db`);
    fs.copyFileSync(dbFile, copy);
    const db = await openDatabase(copy, { mode });
    db.all('SELECT count(*) FROM run');
    db.close();
    db.close(); // idempotent
    assert.ok(fs.existsSync(copy), `${mode}: the database file still exists after close()`);
    assert.equal(fs.statSync(copy).size, fs.statSync(dbFile).size);
  }
});

test('read mode refuses writes and leaves no journal behind', async () => {
  const before = snapshot(dbFile);
  const db = await openDatabase(dbFile);
  try {
    assert.equal(db.get<{ query_only: number }>('PRAGMA query_only')!.query_only, 1);
    assert.throws(() => db.exec("INSERT INTO experiment VALUES ('e3', 'x')"), (e: unknown) => e instanceof EngineError && e.code === 'read-only');
    db.exec('PRAGMA query_only = 0'); // even past the pragma, the file system refuses
    assert.throws(() => db.exec('DELETE FROM run'), (e: unknown) => e instanceof EngineError && e.code === 'read-only');
    assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM run')!.n, 3000);
  } finally { db.close(); }
  assert.deepEqual(snapshot(dbFile), before);
  assert.deepEqual(sidecars(dbFile), []);
});

test('the mounted file system refuses write opens, unlink and truncate unless writable', async () => {
  const SQL = await loadSqlJs();
  const FS = SQL.FS as typeof SQL.FS & { open(p: string, f: string): unknown; truncate(p: string, n: number): void; readFile(p: string): Uint8Array };
  const before = snapshot(dbFile);
  for (const writable of [false, true]) {
    const mnt = `/t-hostfs-${writable}`;
    const hfs = createHostFs(SQL.FS, { dbName: 'data.db', writable, blockSize: 65536, maxBlocks: 4 });
    FS.mkdir(mnt);
    FS.mount(hfs.type, { root: dir }, mnt);
    try {
      assert.equal(FS.readFile(`${mnt}/data.db`).length, before.size, 'reads the real file');
      assert.throws(() => FS.unlink(`${mnt}/data.db`), 'the database itself can never be unlinked');
      assert.throws(() => FS.writeFile(`${mnt}/other.txt`, 'x'), 'no other file may be created');
      if (!writable) {
        assert.throws(() => FS.open(`${mnt}/data.db`, 'r+'));
        assert.throws(() => FS.truncate(`${mnt}/data.db`, 0));
        assert.throws(() => FS.writeFile(`${mnt}/data.db-journal`, 'x'));
      } else {
        FS.writeFile(`${mnt}/data.db-journal`, 'journal'); // the write session may create and remove its journal
        assert.ok(fs.existsSync(`${dbFile}-journal`));
        FS.unlink(`${mnt}/data.db-journal`);
        assert.ok(!fs.existsSync(`${dbFile}-journal`));
      }
    } finally { FS.unmount(mnt); FS.rmdir(mnt); }
  }
  assert.deepEqual(snapshot(dbFile), before);
  assert.ok(!fs.existsSync(path.join(dir, 'other.txt')));
});

test('write mode writes through a journal and leaves a sound file', async () => {
  const copy = path.join(dir, 'write.db');
  fs.copyFileSync(dbFile, copy);
  const db = await openDatabase(copy, { mode: 'write' });
  try {
    db.exec('BEGIN; DELETE FROM run WHERE max_length = 0; COMMIT;');
  } finally { db.close(); }
  assert.deepEqual(sidecars(copy), []);
  assert.equal(execFileSync('sqlite3', [copy, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
  assert.equal(execFileSync('sqlite3', [copy, 'SELECT count(*) FROM run'], { encoding: 'utf8' }).trim(), String(3000 - 428));
});

test('write mode refuses WAL databases and files with a journal beside them', async () => {
  const wal = path.join(dir, 'wal.db');
  fs.copyFileSync(dbFile, wal);
  execFileSync('sqlite3', [wal, 'PRAGMA journal_mode=WAL']);
  const w = snapshot(wal);
  await assert.rejects(openDatabase(wal, { mode: 'write' }), (e: unknown) => e instanceof EngineError && e.code === 'unsupported');
  assert.deepEqual(snapshot(wal), w);
  const j = path.join(dir, 'journal.db');
  fs.copyFileSync(dbFile, j);
  fs.writeFileSync(`${j}-journal`, '');
  await assert.rejects(openDatabase(j, { mode: 'write' }), (e: unknown) => e instanceof EngineError && e.code === 'busy-writer');
  assert.equal(fs.readFileSync(`${j}-journal`).length, 0, 'the journal was left alone');
});

test('an in-memory database from bytes has the same API', async () => {
  const db = await openMemoryDatabase(fs.readFileSync(dbFile));
  try {
    assert.deepEqual(db.tables(), ['experiment', 'run']);
    assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM run')!.n, 3000);
    db.exec("INSERT INTO experiment VALUES ('e3', 'x')"); // memory copies are writable
    assert.equal(db.all('SELECT * FROM experiment').length, 3);
    assert.equal(db.get<{ n: number }>('SELECT count(*) AS n FROM run WHERE id = ?', [10n])!.n, 1);
  } finally { db.close(); }
});
