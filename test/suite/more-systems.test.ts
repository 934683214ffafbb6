// MLflow, Optuna and egregora's DuckDB file in the real VS Code: the same codes and quick fixes
// as every other system, from the demo workspace's databases.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ServerInfo } from '../../src/shared/protocol';
import { diagnosticsFor, expected, perRun, SCHEME, until as untilEvery, ws } from './helpers';

interface TreeItem { id: string; label: string; description?: string; contextValue: string; icon?: string; collapsible: string; children?: TreeItem[] }
const snapshot = (expand: string[], depth: number) =>
  vscode.commands.executeCommand<{ items: TreeItem[]; description?: string }>('experimentHealth.test.treeSnapshot', { expand, depth });
function findItem(items: TreeItem[], pred: (i: TreeItem) => boolean): TreeItem | undefined {
  for (const i of items) {
    if (pred(i)) return i;
    const inner = i.children && findItem(i.children, pred);
    if (inner) return inner;
  }
  return undefined;
}

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

  test('MLflow in the explorer: child runs nested under their parent; deleted runs and experiments only with Show Deleted', async () => {
    const db = path.join(ws(), 'mlflow/mlflow.db');
    const e = expected('mlflow').findings;
    await until('mlflow diagnostics', () => diagnosticsFor(db).length > 0);
    const dbId = `experimentHealth://${db.replace(/\\/g, '/')}`;
    const children = async (expand: string[], label: string): Promise<TreeItem[]> => {
      await vscode.commands.executeCommand('experimentHealth.explorer.reload');
      const s = await snapshot([dbId, ...expand], 6);
      const found = findItem(s.items, (i) => i.label === label || i.id === label);
      assert.ok(found?.children, `${label} in the tree: ${JSON.stringify(s.items.map((i) => i.label))}`);
      return found!.children!;
    };
    const endsWith = (items: TreeItem[], id: string) => items.find((i) => i.id.endsWith(`/${id}`));
    try {
      // Nesting: the sweep driver holds its child runs; a run whose parent was purged stays on top.
      const sweep = await children(['hpo-sweep'], 'hpo-sweep');
      const driver = endsWith(sweep, e.running_alive_through_children[0]);
      assert.ok(driver, `driver at the top: ${sweep.map((i) => i.id).join()}`);
      const n = Number(/^(\d+) child runs/.exec(driver!.description ?? '')?.[1]);
      assert.ok(n >= 2, driver!.description);
      assert.strictEqual(driver!.collapsible, 'collapsed');
      for (const orphan of e.orphan_child_runs as string[]) assert.ok(endsWith(sweep, orphan), 'a run whose parent is gone stays at the top level');
      const nested = await children(['hpo-sweep', driver!.id], driver!.id);
      assert.strictEqual(nested.length, n);
      assert.ok(nested.every((i) => i.id.startsWith(`${driver!.id}/`)), 'child ids nest under the parent (stable)');
      assert.strictEqual(sweep.length + n, sweep.length + nested.length);

      // Deleted rows: hidden by default, shown marked (and without cleanups) on request.
      const mnist = await children(['mnist-cnn'], 'mnist-cnn');
      for (const id of e.deleted_runs as string[]) assert.ok(!mnist.some((i) => i.id.endsWith(`/${id}`)), `deleted run ${id} hidden by default`);
      await vscode.commands.executeCommand('experimentHealth.showDeleted');
      const all = await children(['mnist-cnn'], 'mnist-cnn');
      const shown = (e.deleted_runs as string[]).map((id) => endsWith(all, id)).filter((i): i is TreeItem => !!i);
      assert.ok(shown.length > 0, `some deleted runs of mnist-cnn are shown: ${all.map((i) => i.id).join()}`);
      assert.ok(shown.every((i) => i.contextValue === 'experimentHealth:run:deleted' && i.icon === 'trash'), JSON.stringify(shown));
      const s = await snapshot([dbId], 2);
      const dbItem = findItem(s.items, (i) => i.id === dbId)!;
      assert.ok(dbItem.children!.some((i) => i.contextValue === 'experimentHealth:experiment:deleted'), 'the deleted experiment is listed');
      assert.match(s.description ?? '', /deleted shown/);
    } finally {
      await vscode.commands.executeCommand('experimentHealth.hideDeleted');
    }
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

    // Memory: the reader's worker (and its WebAssembly memory) goes when idle (EH_DUCKDB_IDLE_MS, 5 s here).
    const info = () => vscode.commands.executeCommand<ServerInfo>('experimentHealth.test.serverInfo');
    const withReader = await info();
    let idle = withReader;
    for (let i = 0; i < 100 && idle.duckdbReader; i++) { await new Promise((r) => setTimeout(r, 300)); idle = await info(); }
    console.log(`[memory] language server rss ${withReader.memory.rssMb} MB (heap ${withReader.memory.heapUsedMb} MB) with the DuckDB reader ${withReader.duckdbReader ? 'running' : 'already stopped'}; `
      + `${idle.memory.rssMb} MB (heap ${idle.memory.heapUsedMb} MB) after it went idle`);
    assert.strictEqual(idle.duckdbReader, false, 'the DuckDB reader stops when idle');
  });
});
