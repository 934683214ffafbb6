// MLflow, Optuna and egregora's DuckDB file in the real VS Code: the same codes and quick fixes
// as every other system, from the demo workspace's databases.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { diagnosticsFor, expected, perRun, SCHEME, until as untilEvery, ws } from './helpers';

/** These databases take longer to read (DuckDB compiles its WebAssembly first). */
const until = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000) => untilEvery(what, probe, timeoutMs, 200);

suite('more systems', function () {
  this.timeout(180_000);
  suiteSetup(() => vscode.extensions.getExtension('experiment-health.experiment-health')!.activate());

  test('MLflow: stale RUNNING, KILLED as incomplete, FAILED with its note; deleted runs never flagged', async () => {
    const db = path.join(ws(), 'mlflow/mlflow.db');
    const d = await until('mlflow diagnostics', () => { const x = diagnosticsFor(db); return x.length ? x : undefined; });
    const e = expected('mlflow').findings;
    assert.strictEqual(perRun(d, 'run/stale').length, e.stale_running.length);
    assert.strictEqual(perRun(d, 'run/incomplete').length, e.killed.length);
    const failed = perRun(d, 'run/failed');
    assert.strictEqual(failed.length, e.failed.length);
    assert.ok(failed[0].message.includes('CUDA out of memory'), failed[0].message);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `${db}.health` }));
    const stale = perRun(d, 'run/stale')[0];
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, stale.range);
    const mark = actions.find((a) => a.command?.command === 'experimentHealth.markStaleRuns');
    assert.ok(mark, actions.map((a) => a.title).join());
    assert.strictEqual(mark!.command!.arguments![0].runIds[0].replace(/-/g, ''), e.stale_running[0].run_uuid);
  });

  test('Optuna: stale trials by heartbeat or start time, failed trials', async () => {
    const db = path.join(ws(), 'optuna/optuna.db');
    const d = await until('optuna diagnostics', () => { const x = diagnosticsFor(db); return x.length ? x : undefined; });
    const e = expected('optuna').findings;
    assert.strictEqual(perRun(d, 'run/stale').length, e.stale_running.length);
    assert.strictEqual(perRun(d, 'run/failed').length, e.failed.length);
  });

  test('egregora runs.duckdb is read (read-only) with the same findings as its SQLite variant', async function () {
    const db = path.join(ws(), 'egregora-duckdb/.egregora/runs.duckdb');
    if (!fs.existsSync(db)) { console.log('[more systems] no runs.duckdb in the demo workspace'); this.skip(); }
    const before = fs.readFileSync(db);
    const d = await until('duckdb diagnostics', () => { const x = diagnosticsFor(db); return x.length ? x : undefined; }, 120_000);
    assert.ok(perRun(d, 'run/stale').length >= 1, d.map((x) => `${x.code} ${x.message}`).join('\n'));
    assert.ok(fs.readFileSync(db).equals(before), 'the DuckDB file is byte-identical');
  });
});
