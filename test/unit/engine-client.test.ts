// EngineClient ↔ worker: typed requests, typed errors across the boundary, cancellation.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../src/core/db/errors';
import { buildDatabaseBytes } from '../fixtures/memory-db';
import { EngineClient } from '../../src/core/engine/client';
import { handlers } from '../../src/core/engine/handlers';

let dir: string;
let file: string;
let client: EngineClient;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-engine-'));
  file = path.join(dir, 'runs.db');
  fs.writeFileSync(file, await buildDatabaseBytes(`
    CREATE TABLE experiment (id TEXT PRIMARY KEY);
    CREATE TABLE run (id INTEGER PRIMARY KEY, experiment_id TEXT, data BLOB);
    INSERT INTO experiment VALUES ('a'), ('b');
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
    INSERT INTO run SELECT i, CASE WHEN i % 2 THEN 'a' ELSE 'b' END, x'00ff' FROM n;`));
  client = new EngineClient();
});
after(async () => { await client.dispose(); fs.rmSync(dir, { recursive: true, force: true }); });

const isCode = (code: string) => (e: unknown): boolean => e instanceof EngineError && e.code === code;

test('handlers registry exposes open, tables, query, close', () => {
  for (const m of ['open', 'tables', 'query', 'close']) assert.equal(typeof handlers[m], 'function', m);
});

test('open returns header info and tables; query returns rows; close closes', async () => {
  const opened = await client.call('open', { path: file });
  assert.deepEqual(opened.tables, ['experiment', 'run']);
  assert.equal(opened.header.journalMode, 'rollback');
  assert.equal(opened.header.pageSize, 4096);
  assert.deepEqual(await client.call('tables', { path: file }), ['experiment', 'run']);
  const q = await client.call('query', { path: file, sql: 'SELECT experiment_id AS e, count(*) AS n FROM run WHERE id > ? GROUP BY 1 ORDER BY 1', params: [100] });
  assert.deepEqual(q, { rows: [{ e: 'a', n: 200 }, { e: 'b', n: 200 }], consistent: true });
  const blob = await client.call('query', { path: file, sql: 'SELECT data FROM run LIMIT 1' });
  assert.deepEqual([...(blob.rows[0]!.data as Uint8Array)], [0, 255]);
  assert.deepEqual(await client.call('close', { path: file }), { closed: true });
  assert.deepEqual(await client.call('close', { path: file }), { closed: false });
});

test('errors cross the boundary as EngineError with code and sentence', async () => {
  await assert.rejects(client.call('open', { path: path.join(dir, 'nope.db') }),
    (e: unknown) => isCode('not-found')(e) && /^nope\.db does not exist/.test((e as Error).message));
  const text = path.join(dir, 'notes.db');
  fs.writeFileSync(text, 'hello');
  await assert.rejects(client.call('open', { path: text }), isCode('not-sqlite'));
  await assert.rejects(client.call('query', { path: file, sql: 'DELETE FROM run' }), isCode('read-only'));
  await assert.rejects(client.call('query', { path: file, sql: 'SELECT * FROM missing_table' }), isCode('sql-error'));
  await assert.rejects(client.request('no-such-method', { path: file }), isCode('bad-request'));
  assert.equal((await client.call('query', { path: file, sql: 'SELECT count(*) AS n FROM run' })).rows[0]!.n, 500, 'still usable after errors');
});

test('a long scan can be cancelled; requests queued behind it still complete', async () => {
  const started = client.workersStarted;
  const ac = new AbortController();
  const long = client.call('query', { path: file,
    sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) SELECT count(*) FROM n' }, { signal: ac.signal });
  const queued = client.call('query', { path: file, sql: 'SELECT count(*) AS n FROM experiment' });
  const alsoCancelled = new AbortController();
  const dropped = assert.rejects(client.call('tables', { path: file }, { signal: alsoCancelled.signal }), isCode('cancelled'));
  alsoCancelled.abort(); // cancelled while still waiting in the queue
  await dropped;
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  ac.abort();
  await assert.rejects(long, isCode('cancelled'));
  assert.ok(Date.now() - t0 < 1000, 'cancellation is prompt');
  assert.deepEqual((await queued).rows, [{ n: 2 }]);
  assert.equal(client.workersStarted, started + 1, 'a new worker was started lazily for the queued request');
});

test('the worker reopens a database whose file was replaced', async () => {
  const f = path.join(dir, 'swap.db');
  fs.writeFileSync(f, await buildDatabaseBytes('CREATE TABLE one (x); INSERT INTO one VALUES (1);'));
  assert.deepEqual((await client.call('open', { path: f })).tables, ['one']);
  const tmp = path.join(dir, 'swap.tmp');
  fs.writeFileSync(tmp, await buildDatabaseBytes('CREATE TABLE two (x); CREATE TABLE three (y);'));
  fs.renameSync(tmp, f);
  assert.deepEqual(await client.call('tables', { path: f }), ['three', 'two']);
  fs.unlinkSync(f);
  await assert.rejects(client.call('tables', { path: f }), isCode('not-found'));
});

test('a write past its commit point cannot be cancelled: the cancel is ignored and its result arrives', async () => {
  const writer = new EngineClient(path.join(__dirname, 'commit-point-worker.js'));
  try {
    // Cancelled while still before its commit point: rolled back, and the worker is replaced.
    const early = new AbortController();
    const rolledBack = writer.request('fakeWrite', { beforeMs: 1500, afterMs: 0 }, { signal: early.signal });
    await new Promise((r) => setTimeout(r, 300));
    early.abort();
    await assert.rejects(rolledBack, isCode('cancelled'));
    // Cancelled after it: the same call completes, on the same worker.
    await writer.request('fakeWrite', { beforeMs: 0, afterMs: 0 }); // a fresh worker is up and loaded
    const started = writer.workersStarted;
    const late = new AbortController();
    const committed = writer.request('fakeWrite', { beforeMs: 0, afterMs: 1500 }, { signal: late.signal });
    await new Promise((r) => setTimeout(r, 300));
    late.abort();
    assert.deepEqual(await committed, { committed: true });
    assert.deepEqual(await writer.request('fakeWrite', { beforeMs: 0, afterMs: 0 }), { committed: true });
    assert.equal(writer.workersStarted, started, 'the worker was not terminated: the next request ran on it');
  } finally { await writer.dispose(); }
});
