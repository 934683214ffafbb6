// The FS export is a patch of one exact sql.js file: fail loudly when node_modules changes it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadSqlJs } from '../../src/core/db/sqljs';

const root = path.resolve(__dirname, '../../..'); // out/test/unit → repo root

test('node_modules sql.js debug build matches sqljs-pin.json', () => {
  const pin = JSON.parse(fs.readFileSync(path.join(root, 'src/core/db/sqljs-pin.json'), 'utf8')) as { version: string; file: string; sha256: string };
  const file = path.join(root, pin.file);
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  assert.equal(sha256, pin.sha256,
    `${pin.file} changed (sha256 ${sha256}); the FS export patch was verified for sql.js ${pin.version}. Re-verify it and update sqljs-pin.json.`);
  const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/sql.js/package.json'), 'utf8')) as { version: string };
  assert.equal(installed.version, pin.version, 'installed sql.js version differs from the pinned one');
});

test('the bundled sql.js exports its Emscripten FS', async () => {
  const SQL = await loadSqlJs();
  assert.equal(typeof SQL.FS.mount, 'function');
  assert.equal(typeof SQL.FS.createNode, 'function');
  assert.equal(typeof SQL.FS.hashRemoveNode, 'function');
});
