// A cleanup cancelled mid-transaction leaves a hot journal; `recover` rolls it back (only when
// no other process holds the files), so the database is exactly as before and readable again.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EngineClient } from '../../src/core/engine/client';

const py = (code: string, ...args: string[]) => execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' });

test('recover rolls back the hot journal of an interrupted write, and only then', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-recover-'));
  const db = path.join(dir, 'runs.db');
  py(`import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("create table runs(id integer primary key, payload blob)")
c.executemany("insert into runs(payload) values (randomblob(3000))", [()]*2000); c.commit()`, db);
  const before = py('import sqlite3,sys,hashlib; c=sqlite3.connect(sys.argv[1]); print(hashlib.sha256(repr(c.execute("select * from runs order by id").fetchall()).encode()).hexdigest())', db);
  // A writer that dies mid-transaction after its dirty pages reached the file.
  const dying = spawnSync('python3', ['-c', `import sqlite3,sys,os
c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute("pragma cache_size=10"); c.execute("begin immediate")
c.execute("delete from runs where id % 2 = 0"); os._exit(9)`, db]);
  assert.equal(dying.status, 9);
  assert.ok(fs.existsSync(`${db}-journal`), 'the interrupted write left a hot journal');
  const engine = new EngineClient(path.join(__dirname, 'engine-worker.js'));
  try {
    await assert.rejects(engine.call('query', { path: db, sql: 'SELECT count(*) AS n FROM runs' }), /being written|busy|journal/i);
    const r = await engine.call('recover', { path: db });
    assert.equal(r.recovered, true, r.message);
    assert.ok(!fs.existsSync(`${db}-journal`));
    const q = await engine.call('query', { path: db, sql: 'SELECT count(*) AS n FROM runs' });
    assert.equal(q.rows[0].n, 2000);
    const after = py('import sqlite3,sys,hashlib; c=sqlite3.connect(sys.argv[1]); print(hashlib.sha256(repr(c.execute("select * from runs order by id").fetchall()).encode()).hexdigest())', db);
    assert.equal(after, before, 'exactly the original rows');
    assert.equal(py('import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma integrity_check").fetchone()[0])', db).trim(), 'ok');
    assert.equal((await engine.call('recover', { path: db })).recovered, false, 'nothing left to recover');
  } finally { await engine.dispose(); }
});

test('recover after a cancelled write marks the archive that write left as never applied, and only that one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-recover-manifest-'));
  const db = path.join(dir, 'runs.db');
  py('import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table runs(id integer primary key)"); c.commit()', db);
  const archive = path.join(dir, '.experiment-health', 'archive');
  const manifest = (name: string, time: string) => {
    fs.mkdirSync(path.join(archive, name), { recursive: true });
    const file = path.join(archive, name, 'manifest.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, database: db, identity: { dev: 0, ino: 0 }, action: 'delete-runs', title: name, target: { path: db },
      runIds: [], changes: [], time, status: 'archived', fingerprintBefore: '', archive: 'archive.sqlite', tables: [] }));
    return file;
  };
  const older = manifest('older', '2025-01-01T00:00:00.000Z'); // a crash we know nothing about: left for the user to check
  const since = new Date().toISOString();
  const cancelled = manifest('cancelled', new Date(Date.now() + 5).toISOString());
  const engine = new EngineClient(path.join(__dirname, 'engine-worker.js'));
  try {
    const r = await engine.call('recover', { path: db, since });
    assert.equal(r.recovered, false, 'no journal to roll back');
    const status = (f: string) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { status: string }).status;
    assert.equal(status(cancelled), 'failed');
    assert.equal(status(older), 'archived');
  } finally { await engine.dispose(); }
});
