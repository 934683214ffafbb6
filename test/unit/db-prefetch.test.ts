// B-tree-aware prefetch (src/core/db/prefetch.ts): the interior-page parser against real b-trees,
// the disk-wait switch, the helper thread, and HOSTFS asking for children without changing results.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/core/db/open';
import { engineEnv } from '../../src/core/engine/launch';
import { DiskWaits, interiorChildren, Prefetcher } from '../../src/core/db/prefetch';
import { buildDatabaseBytes } from '../fixtures/memory-db';

const PAGE = 1024; // small pages: a few thousand rows make three-level trees
const FIXTURE_SQL = `
  PRAGMA page_size = ${PAGE};
  CREATE TABLE run (id INTEGER PRIMARY KEY, experiment_id TEXT NOT NULL, note TEXT);
  CREATE INDEX run_exp ON run(experiment_id, id);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
  INSERT INTO run SELECT i, printf('exp-%03d', i % 37), hex(randomblob(20)) FROM n;`;
const ROWS = 6000;

let dir: string;
let dbFile: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-prefetch-'));
  dbFile = path.join(dir, 'data.db');
  fs.writeFileSync(dbFile, await buildDatabaseBytes(FIXTURE_SQL));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const readPage = (fd: number, pgno: number): Buffer => {
  const b = Buffer.alloc(PAGE);
  fs.readSync(fd, b, 0, PAGE, (pgno - 1) * PAGE);
  return b;
};

// SQLite varints (rowids here stay far below 2^53).
const varintLength = (b: Buffer, at: number): number => { let n = 1; while (n < 9 && b[at + n - 1]! & 0x80) n++; return n; };
const varint = (b: Buffer, at: number): number => {
  let v = 0;
  for (let i = 0; i < 8; i++) { const x = b[at + i]!; v = v * 128 + (x & 0x7f); if (!(x & 0x80)) return v; }
  return v * 256 + b[at + 8]!;
};

/** Walks a b-tree with interiorChildren alone: pages visited and cells seen (an index keeps keys in interior cells too). */
function walk(fd: number, root: number): { pages: number[]; cells: number; leafCells: number; depth: number } {
  const pages: number[] = [];
  let cells = 0, leafCells = 0, depth = 0;
  const visit = (pgno: number, level: number): void => {
    const page = readPage(fd, pgno);
    pages.push(pgno);
    depth = Math.max(depth, level);
    const n = page.readUInt16BE(3);
    cells += n;
    const kids = interiorChildren(page, 0);
    if (!kids) { leafCells += n; return; }
    assert.equal(kids.length, n + 1, 'one child per cell plus the right-most');
    for (const k of kids) visit(k, level + 1);
  };
  visit(root, 1);
  return { pages, cells, leafCells, depth };
}

test('interiorChildren finds every page of a table and an index b-tree, in key order', async () => {
  const db = await openDatabase(dbFile);
  const roots = Object.fromEntries(db.all<{ name: string; rootpage: number }>('SELECT name, rootpage FROM sqlite_schema').map((r) => [r.name, r.rootpage]));
  const pageCount = db.get<{ n: number }>('SELECT page_count AS n FROM pragma_page_count()')!.n;
  db.close();
  const fd = fs.openSync(dbFile, 'r');
  try {
    const table = walk(fd, roots.run!);
    assert.ok(table.depth >= 2, `the table tree has interior pages (depth ${table.depth})`);
    assert.equal(table.leafCells, ROWS, 'table rows live in leaf cells only');
    const index = walk(fd, roots.run_exp!);
    assert.ok(index.depth >= 3, `the index is three levels deep (depth ${index.depth})`);
    assert.equal(index.cells, ROWS, 'an index keeps one entry per row, in interior and leaf cells');
    const all = [...table.pages, ...index.pages];
    assert.equal(new Set(all).size, all.length, 'no page reached twice');
    assert.ok(all.every((p) => p >= 2 && p <= pageCount), 'every child is a page of the file');
    // Key order: the table's leaves, visited depth-first, start at increasing rowids.
    const firstRowids = table.pages.map((p) => readPage(fd, p)).filter((pg) => pg[0] === 0x0d)
      .map((pg) => { const cell = pg.readUInt16BE(8); return varint(pg, cell + varintLength(pg, cell)); });
    assert.ok(firstRowids.length > 2);
    assert.deepEqual(firstRowids, [...firstRowids].sort((a, b) => a - b));
    assert.equal(firstRowids[0], 1);
    // Page 1 is sqlite_schema's root; its b-tree header follows the 100-byte file header.
    const page1 = readPage(fd, 1);
    assert.equal(interiorChildren(page1, 100), undefined, 'a one-page schema is a leaf');
    assert.equal(interiorChildren(page1, 0), undefined, 'the file header is not a b-tree page');
  } finally { fs.closeSync(fd); }
});

test('interiorChildren refuses a page whose cell pointers run off the page', () => {
  const page = new Uint8Array(512);
  page[0] = 0x05; // table interior
  page[3] = 0; page[4] = 2; // two cells
  page[12] = 0x01; page[13] = 0xff; // first cell at 511: its 4-byte child number does not fit
  assert.equal(interiorChildren(page, 0), undefined);
  page[12] = 0x01; page[13] = 0x00; page[14] = 0x01; page[15] = 0x10;
  page.set([0, 0, 0, 7], 0x100); page.set([0, 0, 0, 8], 0x110); page.set([0, 0, 0, 9], 8);
  assert.deepEqual(interiorChildren(page, 0), [7, 8, 9]);
});

test('DiskWaits turns on after a few slow reads and off after a window of fast ones', () => {
  const w = new DiskWaits();
  const slow = DiskWaits.SLOW_MS * 10, fast = DiskWaits.SLOW_MS / 10;
  for (let i = 0; i < DiskWaits.WINDOW - 1; i++) assert.equal(w.note(fast), false);
  assert.equal(w.active, false, 'pages the OS holds: no prefetch');
  w.note(fast); // a window ends
  const started: boolean[] = [];
  for (let i = 0; i < DiskWaits.ENOUGH; i++) started.push(w.note(slow));
  assert.deepEqual(started, [...Array(DiskWaits.ENOUGH - 1).fill(false), true], 'turned on once, at the ENOUGH-th slow read');
  assert.equal(w.active, true);
  assert.equal(w.note(slow), false, 'already on');
  for (let i = DiskWaits.ENOUGH + 1; i < DiskWaits.WINDOW; i++) w.note(fast);
  assert.equal(w.active, true, 'stays on for the window that saw the slow reads');
  for (let i = 0; i < DiskWaits.WINDOW; i++) w.note(fast);
  assert.equal(w.active, false, 'a whole window without waits turns it off');
  assert.equal(new DiskWaits(true).active, true, 'always: on from the start');
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('the helper thread reads what it is asked for, and survives a closed fd', async () => {
  const p = new Prefetcher();
  const fd = fs.openSync(dbFile, 'r');
  const closed = fs.openSync(dbFile, 'r');
  fs.closeSync(closed);
  try {
    p.request(closed, [[0, PAGE]]);
    const pages = Array.from({ length: 40 }, (_, i) => [i * PAGE, PAGE] as const);
    p.request(fd, pages);
    await until(() => p.read === 41);
    assert.equal(p.requested, 41);
    p.request(fd, pages.slice(0, 5)); // still serving after the failed read
    await until(() => p.read === 46);
    assert.equal(p.dropped, 0);
    // Run again by the next test in a process started the way engine processes are.
    if (process.env.EH_EXPECT_IO_URING) assert.ok(ioUringRings() > 0, "the helper's reads went through io_uring");
  } finally {
    fs.closeSync(fd);
    p.dispose();
  }
});

/** io_uring instances this process holds (libuv makes one per event loop at its first file operation). */
function ioUringRings(): number {
  return fs.readdirSync('/proc/self/fd').filter((f) => {
    try { return fs.readlinkSync(`/proc/self/fd/${f}`).includes('io_uring'); } catch { return false; }
  }).length;
}

test('in a process started with engineEnv, the helper reads through io_uring where this machine allows it', { skip: process.platform !== 'linux' || process.env.EH_EXPECT_IO_URING !== undefined }, () => {
  // Whether io_uring works here at all: a plain process forced on, after one asynchronous read.
  const probe = spawnSync(process.execPath, ['-e', `require('fs').read(require('fs').openSync(process.execPath, 'r'), Buffer.alloc(16), 0, 16, 0, () => {
    console.log(require('fs').readdirSync('/proc/self/fd').filter((f) => { try { return require('fs').readlinkSync('/proc/self/fd/' + f).includes('io_uring'); } catch { return false; } }).length);
  })`], { env: { ...process.env, UV_USE_IO_URING: '1' }, encoding: 'utf8' });
  const available = Number(probe.stdout.trim()) > 0;
  const env = engineEnv({ ...process.env, EH_EXPECT_IO_URING: available ? '1' : '' });
  delete env.NODE_TEST_CONTEXT; // a test run of its own, reporting to us in plain text
  if (available) assert.equal(env.UV_USE_IO_URING, '1', 'engineEnv turns io_uring on where the kernel has it');
  const child = spawnSync(process.execPath, ['--test', '--test-name-pattern=the helper thread reads', __filename], { env, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stdout + child.stderr);
  assert.match(child.stdout, /# pass 1\b/);
});

test('HOSTFS asks for the children of looked-up interior pages, and results do not change', async () => {
  const sql = 'SELECT experiment_id, count(*) AS n, sum(id) AS s FROM run INDEXED BY run_exp GROUP BY 1';
  const before = fs.readFileSync(dbFile);
  const plain = await openDatabase(dbFile);
  const expected = plain.all(sql);
  plain.close();

  const db = await openDatabase(dbFile, { prefetchAlways: true });
  try {
    assert.deepEqual(db.all(sql), expected);
    assert.equal(expected.length, 37);
    assert.ok(db.hostFs.stats.prefetchRequests > 10, `children asked for (${db.hostFs.stats.prefetchRequests})`);
    assert.deepEqual(db.get('SELECT note IS NOT NULL AS ok FROM run WHERE id = 4321'), { ok: 1 });
  } finally { db.close(); }
  assert.ok(fs.readFileSync(dbFile).equals(before), 'the file is unchanged');
});
