// The engine's cleanup methods through a real worker: plan → preflight → execute → undoInfo → undo.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import '../../src/core/engine/cleanup-handlers'; // the method types
import { EngineClient } from '../../src/core/engine/client';
import { buildRecipeRunner } from '../fixtures/systems/recipe-runner';
import { NOW, OPTIONS, rowHashes, tmpDir, writeDb } from './cleanup-helpers';

const dir = tmpDir('engine');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('engine worker: cleanupPlan, cleanupPreflight, cleanupExecute, undoInfo, undo', async () => {
  const worker = path.join(__dirname, 'engine-worker.js');
  const file = writeDb(dir, 'rr.db', (await buildRecipeRunner({ now: NOW })).bytes);
  const rows = rowHashes(file);
  const client = new EngineClient(worker);
  try {
    const plan = await client.call('cleanupPlan', { action: 'reset-stale', target: { path: file }, options: OPTIONS });
    assert.ok(plan.runIds.length >= 2 && !plan.refusal);
    assert.equal((await client.call('cleanupPreflight', { path: file })).ok, true);
    const report = await client.call('cleanupExecute', { plan, archive: true, options: OPTIONS });
    assert.ok(report.verified, report.message);
    const info = await client.call('undoInfo', { path: file });
    assert.ok(info && !info.refusal);
    const undone = await client.call('undo', { path: file, archive: info!.archive });
    assert.ok(undone.verified);
    assert.deepEqual(rowHashes(file), rows);
  } finally { await client.dispose(); }
});
