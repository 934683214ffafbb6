// The demo workspace writer: layout, README, settings, expected files, CLI arguments.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeDemo } from '../fixtures/demo';
import type { ExpectedFindings } from '../fixtures/expected';
import { integrity, openBytes } from '../fixtures/inspect';
import { verify } from '../fixtures/verify';

const now = new Date('2025-11-20T12:00:00Z');
const DBS = ['panic-tda/db/trajectory_data.sqlite', 'ze-benchmarks/benchmark-report/public/benchmarks.db', 'recipe-runner/data/llmcore.db',
  'egregora/.egregora/runs.sqlite', 'mlflow/mlflow.db', 'optuna/optuna.db'];

describe('demo workspace', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-demo-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes every database where the real tools put them, with README and settings', async () => {
    const res = await writeDemo(dir, { now, seed: 1234, tzOffsetMinutes: 0 });
    // SQLite databases, then egregora's runs.duckdb (+ .wal; read by test/unit/duckdb-reader.test.ts)
    assert.deepEqual(res.databases.map((d) => d.path), [...DBS, 'egregora-duckdb/.egregora/runs.duckdb']);
    assert.ok(fs.existsSync(path.join(dir, 'egregora-duckdb/.egregora/runs.duckdb.wal')));
    let total = 0;
    for (const rel of DBS) {
      const bytes = fs.readFileSync(path.join(dir, rel));
      total += bytes.length;
      const system = rel.split('/')[0]!;
      const e = JSON.parse(fs.readFileSync(path.join(dir, system, 'expected_findings.json'), 'utf8')) as ExpectedFindings;
      assert.equal(e.db_path, rel);
      const db = await openBytes(system === 'panic-tda' ? new Uint8Array([...bytes.subarray(0, 18), 1, 1, ...bytes.subarray(20)]) : bytes);
      assert.deepEqual(integrity(db), ['ok'], rel);
      for (const c of verify(db, e)) assert.deepEqual(c.got, c.want, `${rel}: ${c.name}`);
    }
    assert.ok(total < 15_000_000, `demo is ${total} bytes`);
    assert.ok(fs.existsSync(path.join(dir, 'ze-benchmarks/benchmark-report/public/db-version.json')));
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    for (const s of ['panic-tda', 'ze-benchmarks', 'recipe-runner', 'egregora', 'mlflow', 'optuna', '`run/stale`', '584/584/585/586', '2025-11-20T12:00:00.000Z']) {
      assert.ok(readme.includes(s), s);
    }
    assert.ok(JSON.parse(fs.readFileSync(path.join(dir, '.vscode/settings.json'), 'utf8'))['search.exclude']);
  });

  test('CLI: --now/--tz-offset are honoured, bad arguments exit 2', () => {
    const cli = path.join(__dirname, '../fixtures/demo.js');
    const out = execFileSync(process.execPath, [cli, dir, '--now', '2026-01-02T03:04:05Z', '--tz-offset', '600', '--systems', 'recipe-runner'],
      { encoding: 'utf8' });
    assert.match(out, /now 2026-01-02T03:04:05.000Z, tz offset 600 min/);
    const e = JSON.parse(fs.readFileSync(path.join(dir, 'recipe-runner/expected_findings.json'), 'utf8')) as ExpectedFindings;
    assert.equal(e.reference_now_utc, '2026-01-02T03:04:05Z');
    assert.equal(e.naive_timestamp_utc_offset_hours, 10);
    assert.equal(spawnSync(process.execPath, [cli], { encoding: 'utf8' }).status, 2);
    assert.equal(spawnSync(process.execPath, [cli, dir, '--now', 'soon'], { encoding: 'utf8' }).status, 2);
    const bad = spawnSync(process.execPath, [cli, dir, '--systems', 'wandb'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown wandb/);
  });
});
