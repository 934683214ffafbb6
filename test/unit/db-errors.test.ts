// Bad inputs give a typed EngineError with one clear sentence, and never touch the file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { codeForErrno, EngineError, fromFsError, type EngineErrorCode } from '../../src/core/db/errors';
import { buildDatabaseBytes } from '../fixtures/memory-db';
import { openDatabase } from '../../src/core/db/open';

let dir: string;
let good: Buffer;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-db-errors-'));
  good = Buffer.from(await buildDatabaseBytes(`
    PRAGMA page_size = 1024;
    CREATE TABLE run (id INTEGER PRIMARY KEY, note TEXT);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
    INSERT INTO run SELECT i, printf('run %d of many, padded to fill pages', i) FROM n;`));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Snapshot { sha256: string; mtimeMs: number; size: number }
function snapshot(f: string): Snapshot | null {
  try {
    const s = fs.statSync(f);
    return { sha256: s.isFile() ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : 'dir', mtimeMs: s.mtimeMs, size: s.size };
  } catch { return null; }
}

function write(name: string, bytes: Buffer | string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

/** Opens (and reads) `file`, expects `code`, and checks the file is byte-identical afterwards. */
async function expectError(file: string, code: EngineErrorCode, sentence?: RegExp | string, sql = 'SELECT count(*) FROM run'): Promise<EngineError> {
  const before = snapshot(file);
  let caught: unknown;
  try {
    const db = await openDatabase(file);
    try { db.all(sql); } finally { db.close(); }
  } catch (e) { caught = e; }
  assert.ok(caught instanceof EngineError, `expected EngineError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  // one sentence naming the file, then the next step: no stack, no SQLite jargon only
  assert.match(caught.message, new RegExp(`^${path.basename(file).replace(/\./g, '\\.')} `));
  assert.ok(caught.message.split('. ').length <= 3 && caught.message.endsWith('.'), caught.message);
  if (typeof sentence === 'string') assert.equal(caught.message, sentence);
  else if (sentence) assert.match(caught.message, sentence);
  assert.deepEqual(snapshot(file), before, 'the file is untouched');
  for (const s of ['-journal', '-wal', '-shm']) assert.ok(!fs.existsSync(file + s), `no ${s} was created`);
  return caught;
}

test('missing file → not-found', async () => {
  await expectError(path.join(dir, 'missing.db'), 'not-found', /does not exist .*Check the path/);
});

test('directory → is-directory', async () => {
  const d = path.join(dir, 'folder.db');
  fs.mkdirSync(d);
  await expectError(d, 'is-directory', /is a directory/);
});

test('empty file → empty', async () => {
  await expectError(write('empty.db', ''), 'empty', /is empty/);
});

test('not a SQLite file → not-sqlite, with the documented sentence', async () => {
  await expectError(write('data.db', 'id,name\n1,hello\n'.repeat(100)), 'not-sqlite',
    "data.db is not a SQLite database (its first bytes are not 'SQLite format 3'). Check the path or the databases setting.");
});

test('truncated file (header says more pages than the file has) → truncated', async () => {
  await expectError(write('cut.db', good.subarray(0, Math.floor(good.length / 2))), 'truncated', /shorter than its header says/);
  await expectError(write('cut-header.db', good.subarray(0, 60)), 'truncated');
});

test('corrupt pages → corrupt', async () => {
  const bad = Buffer.from(good);
  for (let p = 2; p * 1024 < bad.length; p += 2) bad.fill(0xa5, (p - 1) * 1024, (p - 1) * 1024 + 1024); // smash every other page
  await expectError(write('corrupt.db', bad), 'corrupt', /damaged/, 'SELECT sum(length(note)) FROM run');
});

test('corrupt schema page → corrupt at open', async () => {
  const bad = Buffer.from(good);
  bad.fill(0x5a, 100, 1024); // page 1 after the header: sqlite_schema's b-tree
  await expectError(write('corrupt-schema.db', bad), 'corrupt');
});

test('a file format it cannot read → unsupported', async () => {
  const v3 = Buffer.from(good); v3[18] = 3; v3[19] = 3; // newer read/write version
  await expectError(write('future.db', v3), 'unsupported', /file format read version 3/);
  const schema5 = Buffer.from(good); schema5.writeUInt32BE(5, 44);
  await expectError(write('schema5.db', schema5), 'unsupported', /schema format 5/);
  const page = Buffer.from(good); page.writeUInt16BE(1000, 16); // not a power of two
  await expectError(write('pagesize.db', page), 'unsupported', /page size 1000/);
});

test('permission denied → permission-denied', async (t) => {
  if (process.getuid?.() === 0) { t.skip('running as root: chmod 000 does not stop root from reading; the errno mapping is tested below'); return; }
  const f = write('locked.db', good);
  fs.chmodSync(f, 0o000);
  try { await expectError(f, 'permission-denied', /permission denied/); } finally { fs.chmodSync(f, 0o644); }
});

test('errno mapping: EACCES/EPERM → permission-denied and friends', () => {
  assert.equal(codeForErrno('EACCES'), 'permission-denied');
  assert.equal(codeForErrno('EPERM'), 'permission-denied');
  assert.equal(codeForErrno('ENOENT'), 'not-found');
  assert.equal(codeForErrno('EISDIR'), 'is-directory');
  assert.equal(codeForErrno('EIO'), 'io');
  const e = fromFsError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), '/x/data.db');
  assert.equal(e.code, 'permission-denied');
  assert.equal(e.message, 'data.db cannot be read: permission denied. Give your user read access to the file and its folder.');
});

test('file deleted while open → changed-while-open', async () => {
  const f = write('deleted.db', good);
  const db = await openDatabase(f);
  try {
    assert.equal(db.all('SELECT * FROM run').length, 2000);
    fs.unlinkSync(f);
    assert.throws(() => db.all('SELECT * FROM run'), (e: unknown) => e instanceof EngineError && e.code === 'changed-while-open' && /deleted or replaced/.test(e.message));
  } finally { db.close(); }
  assert.ok(!fs.existsSync(f));
});

test('file replaced while open → changed-while-open, and the new file is untouched', async () => {
  const f = write('replaced.db', good);
  const db = await openDatabase(f);
  try {
    db.all('SELECT count(*) FROM run');
    const other = write('replacement.tmp', good);
    fs.renameSync(other, f);
    const before = snapshot(f);
    assert.throws(() => db.all('SELECT count(*) FROM run'), (e: unknown) => e instanceof EngineError && e.code === 'changed-while-open');
    assert.deepEqual(snapshot(f), before);
  } finally { db.close(); }
  assert.ok(fs.existsSync(f), 'close() left the replacement alone');
});

test('errors survive JSON (the worker boundary) with code and sentence', () => {
  const e = fromFsError(Object.assign(new Error('x'), { code: 'ENOENT' }), '/a/b.db');
  const back = EngineError.fromJSON(JSON.parse(JSON.stringify(e)));
  assert.ok(back instanceof EngineError);
  assert.equal(back.code, 'not-found');
  assert.equal(back.message, e.message);
});
