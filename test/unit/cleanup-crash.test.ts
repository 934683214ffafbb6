// Crash safety: SIGKILL the process doing a cleanup in the middle of its transaction; the native
// sqlite3 CLI then finds the database intact (integrity_check ok) with exactly the original rows,
// and the archive manifest says the cleanup was not applied.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, test } from 'node:test';
import { listManifests } from '../../src/core/cleanup/archive';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { NOW, rowHashes, roundTrip, sqlite3, tmpDir, writeDb } from './cleanup-helpers';

const dir = tmpDir('crash');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const mode of ['rollback', 'WAL'] as const) {
  test(`${mode}: SIGKILL mid-transaction leaves the original database, intact`, async () => {
    const file = writeDb(dir, `crash-${mode}.sqlite`, (await buildPanicTda({ now: NOW })).bytes);
    sqlite3(file, `PRAGMA journal_mode=${mode === 'WAL' ? 'WAL' : 'DELETE'}`);
    const original = rowHashes(file);
    const originalBytes = fs.readFileSync(file);
    const child = spawn(process.execPath, [path.join(__dirname, 'cleanup-crash-child.js'), file, 'delete-incomplete'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    assert.equal((await lines.next()).value, 'mid', 'the child reached the middle of its transaction');
    const sidecar = mode === 'WAL' ? `${file}-wal` : `${file}-journal`;
    assert.ok(fs.existsSync(sidecar), `a ${path.basename(sidecar)} exists mid-transaction`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    if (mode === 'rollback') {
      assert.ok(fs.statSync(`${file}-journal`).size > 0, 'a hot journal was left behind');
      const changed = !fs.readFileSync(file).equals(originalBytes);
      assert.ok(changed, 'dirty pages had reached the database file (so the rollback really mattered)');
    }
    assert.equal(sqlite3(file, 'PRAGMA integrity_check'), 'ok');
    assert.deepEqual(rowHashes(file), original, 'exactly the original rows');
    const [m] = listManifests(file);
    assert.equal(m?.manifest.status, 'archived', 'the manifest says: archived, not applied');
    // And the next cleanup runs normally.
    await roundTrip(file, 'delete-incomplete', {}, { undo: false });
  });
}
