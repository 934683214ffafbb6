// sql.js is patched at bundle time (src/build/sqljs.mjs) for one exact version: fail loudly when
// node_modules changes it, and check that the patched memcmp compares exactly like musl's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { MEMCMP_ORIGINAL, patchMemcmp } from '../../src/build/sqljs.mjs';
import { loadSqlJs } from '../../src/core/db/sqljs';

const root = path.resolve(__dirname, '../../..'); // out/test/unit → repo root
const pin = JSON.parse(fs.readFileSync(path.join(root, 'src/core/db/sqljs-pin.json'), 'utf8')) as
  { version: string; file: string; sha256: string; wasm: string; wasmSha256: string };
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('node_modules sql.js (glue and wasm) matches sqljs-pin.json', () => {
  for (const [file, expected] of [[pin.file, pin.sha256], [pin.wasm, pin.wasmSha256]]) {
    const actual = sha256(fs.readFileSync(path.join(root, file)));
    assert.equal(actual, expected, `${file} changed (sha256 ${actual}); the patches were verified for sql.js ${pin.version}. Re-verify them and update sqljs-pin.json.`);
  }
  const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/sql.js/package.json'), 'utf8')) as { version: string };
  assert.equal(installed.version, pin.version, 'installed sql.js version differs from the pinned one');
});

test('the bundled sql.js exports its Emscripten FS', async () => {
  const SQL = await loadSqlJs();
  assert.equal(typeof SQL.FS.mount, 'function');
  assert.equal(typeof SQL.FS.createNode, 'function');
  assert.equal(typeof SQL.FS.hashRemoveNode, 'function');
});

test('growing the WebAssembly heap logs nothing (the debug build warns on every growth)', async () => {
  const SQL = await loadSqlJs();
  const warned: unknown[][] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { warned.push(args); };
  const db = new SQL.Database();
  try {
    // 64 MiB in an attached :memory: database (its pages live in SQLite's heap, unlike sql.js's
    // own database file in MEMFS): the heap (~21 MB at start) has to grow several times.
    db.run("ATTACH ':memory:' AS m");
    db.run('CREATE TABLE m.big(b BLOB)');
    db.run('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64) INSERT INTO m.big SELECT randomblob(1048576) FROM n');
    assert.equal(db.exec('SELECT sum(length(b)) FROM m.big')[0].values[0][0], 64 * 1048576);
  } finally { db.close(); console.warn = warn; }
  assert.deepEqual(warned, []);
});

test('the wasm beside the bundle is the pinned one with only memcmp replaced', () => {
  const original = fs.readFileSync(path.join(root, pin.wasm));
  const bundled = fs.readFileSync(path.join(__dirname, 'sql-wasm-debug.wasm'));
  assert.ok(bundled.equals(patchMemcmp(original)), 'out/test/unit/sql-wasm-debug.wasm is not the patched pinned wasm');
  assert.ok(!bundled.includes(Buffer.from(MEMCMP_ORIGINAL, 'hex')), 'the original memcmp is still there');
  assert.throws(() => patchMemcmp(bundled), /expected one memcmp body/, 'patching twice must be refused');
});

test('patched memcmp: SQLite compares and sorts text and blobs exactly as bytes compare', async () => {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    // Shared prefixes of every length up to 40 (ids that differ late, in the 8-byte steps and in
    // the tail), values of every length, and the high-bit bytes a signed compare would get wrong.
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const values: Buffer[] = [Buffer.alloc(0)];
    for (let i = 0; i < 3000; i++) {
      const prefix = Buffer.from('0190f3a2c4d5e6f708192a3b4c5d6e7f8899aabb'.slice(0, rnd(41)));
      const rest = Buffer.from(Array.from({ length: rnd(12) }, () => (rnd(4) === 0 ? 0x80 + rnd(128) : 0x30 + rnd(10))));
      values.push(Buffer.concat([prefix, rest]));
    }
    db.run('CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)');
    const ins = db.prepare('INSERT INTO t(id, b) VALUES (?, ?)');
    values.forEach((v, i) => ins.run([i, new Uint8Array(v)]));
    ins.free();
    db.run('CREATE INDEX t_b ON t(b)');
    const sorted = db.exec('SELECT id FROM t ORDER BY b, id')[0].values.map((r) => values[Number(r[0])]);
    const expected = [...values].sort(Buffer.compare);
    assert.deepEqual(sorted.map((b) => b.toString('hex')), expected.map((b) => b.toString('hex')));

    const pairs = db.exec(`SELECT x.id, y.id, (x.b < y.b) - (x.b > y.b) FROM t x JOIN t y ON y.id = (x.id * 7919) % ${values.length}`)[0].values;
    for (const [x, y, cmp] of pairs) {
      assert.equal(cmp, Buffer.compare(values[Number(y)], values[Number(x)]), `compare ${values[Number(x)].toString('hex')} / ${values[Number(y)].toString('hex')}`);
    }
    // Index lookups: each value found by equality through the index (a b-tree search of memcmps).
    const look = db.prepare('SELECT count(*) FROM t INDEXED BY t_b WHERE b = ?');
    for (const v of values.filter((_, i) => i % 10 === 0)) {
      look.bind([new Uint8Array(v)]); look.step();
      assert.equal(look.get()[0], values.filter((w) => w.equals(v)).length);
      look.reset();
    }
    look.free();
  } finally { db.close(); }
});
