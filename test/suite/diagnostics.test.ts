// The language server's diagnostics in the real VS Code, on the demo workspace: the Problems
// panel content per database, the report line behind a diagnostic, quick-fix arguments, and the
// live paths (settings, another process appending, the file deleted).
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { diagnosticsFor, expected, perRun, reportDiagnostics, SCHEME, until, ws } from './helpers';

suite('diagnostics', function () {
  this.timeout(120_000);
  const panicDb = () => path.join(ws(), 'panic-tda/db/trajectory_data.sqlite');
  const zeDb = () => path.join(ws(), 'ze-benchmarks/benchmark-report/public/benchmarks.db');

  suiteSetup(async () => {
    await vscode.extensions.getExtension('experiment-health.experiment-health')!.activate();
    await until('diagnostics for the demo databases', () => reportDiagnostics().length >= 4, 90_000);
  });

  test('panic-tda: incomplete runs, gaps, artifacts, orphans and stale experiments', async () => {
    const d = await until('panic-tda diagnostics', () => { const x = diagnosticsFor(panicDb()); return x.length ? x : undefined; });
    const e = expected('panic-tda').findings;
    const incomplete = [...e.runs_by_category.incomplete_stopped_early, ...e.runs_by_category.incomplete_manual_deletion, ...e.runs_by_category.complete_length_but_null_output];
    assert.strictEqual(perRun(d, 'run/incomplete').length, incomplete.length);
    assert.ok(d.every((x) => x.source === 'Experiment Health'));
    assert.strictEqual(d.filter((x) => x.code === 'experiment/stale').length, e.experiments_by_state.stale.length);
    const orphanTables = d.filter((x) => x.code === 'orphan/rows').map((x) => x.message.split(' ')[1]).sort();
    for (const t of ['embedding', 'invocation', 'persistencediagram', 'run']) assert.ok(orphanTables.includes(t), `orphan/rows for ${t}: ${orphanTables}`);
    assert.ok(perRun(d, 'run/sequence-gap').length >= 1);
    assert.ok(d.some((x) => x.code === 'artifact/missing') && d.some((x) => x.code === 'artifact/invalid'));
  });

  test('ze-benchmarks, recipe-runner, egregora: stale, failed and incomplete runs', async () => {
    const ze = await until('ze diagnostics', () => { const x = diagnosticsFor(zeDb()); return x.length ? x : undefined; });
    const z = expected('ze-benchmarks').findings;
    assert.strictEqual(perRun(ze, 'run/stale').length, z.stale_running.length);
    assert.strictEqual(perRun(ze, 'run/failed').length, z.failed.length);
    assert.strictEqual(perRun(ze, 'run/failed')[0].severity, vscode.DiagnosticSeverity.Information);
    const rr = await until('recipe-runner diagnostics', () => { const x = diagnosticsFor(path.join(ws(), 'recipe-runner/data/llmcore.db')); return x.length ? x : undefined; });
    assert.strictEqual(perRun(rr, 'run/stale').length, expected('recipe-runner').findings.stale_running_by_activity.length);
    const eg = await until('egregora diagnostics', () => { const x = diagnosticsFor(path.join(ws(), 'egregora/.egregora/runs.sqlite')); return x.length ? x : undefined; });
    assert.strictEqual(perRun(eg, 'run/stale').length, expected('egregora').findings.stale_running.length);
  });

  test('a diagnostic opens the report at its line, which names the run', async () => {
    const [uri, d] = reportDiagnostics().find(([u]) => u.path === `${panicDb()}.health`)!;
    const incomplete = perRun(d, 'run/incomplete')[0];
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { selection: incomplete.range });
    assert.strictEqual(doc.languageId, 'experiment-health-report');
    const line = doc.lineAt(incomplete.range.start.line).text;
    assert.match(line, /^ {2}run \S+ {2}incomplete {2}\d+\/\d+/);
    const id = /^ {2}run (\S+)/.exec(line)![1];
    assert.ok(incomplete.message.includes(id), `${incomplete.message} names ${id}`);
  });

  test('the quick fix of an incomplete run carries the path, experiment and run id', async () => {
    const [uri] = reportDiagnostics().find(([u]) => u.path === `${panicDb()}.health`)!;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // Ask with the diagnostics as they are now (the server re-publishes them as time passes).
    let incomplete!: vscode.Diagnostic;
    let actions: vscode.CodeAction[] = [];
    for (let i = 0; i < 20 && !actions.some((a) => a.command?.command === 'experimentHealth.deleteIncompleteRuns'); i++) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      incomplete = perRun(diagnosticsFor(panicDb()), 'run/incomplete')[0];
      actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, incomplete.range);
    }
    const fix = actions.find((a) => a.command?.command === 'experimentHealth.deleteIncompleteRuns');
    assert.ok(fix, `actions: ${actions.map((a) => a.title)}`);
    const target = fix!.command!.arguments![0];
    assert.strictEqual(target.path, panicDb());
    assert.strictEqual(target.runIds.length, 1);
    assert.ok(typeof target.experimentId === 'string' && target.experimentId.length > 0);
    const line = doc.lineAt(incomplete.range.start.line).text;
    const shown = /^ {2}run (\S+)/.exec(line)![1].replace(/-/g, '');
    assert.ok(target.runIds[0].replace(/-/g, '').startsWith(shown), `${target.runIds[0]} starts with ${shown}`);
  });

  test('hover, outline and code lenses of the report', async () => {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `${panicDb()}.health` });
    const doc = await vscode.workspace.openTextDocument(uri);
    const runLine = doc.getText().split('\n').findIndex((l) => /^ {2}run .* incomplete /.test(l));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(runLine, 4));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /\*\*Run\*\*.*incomplete/);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.ok(symbols.length >= 5 && symbols.some((s) => s.children.length > 0));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((l) => l.command?.command === 'experimentHealth.deleteIncompleteRuns'));
  });

  suite('live', () => {
    const live = () => path.join(ws(), 'scratch', 'live.db');
    suiteSetup(() => {
      fs.mkdirSync(path.dirname(live()), { recursive: true });
      fs.copyFileSync(zeDb(), live());
    });
    suiteTeardown(async () => {
      await vscode.workspace.getConfiguration('experimentHealth').update('staleAfterMinutes', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(path.dirname(live()), { recursive: true, force: true });
    });

    test('a new database is discovered; raising the stale threshold changes the findings', async () => {
      const before = await until('diagnostics for the copied database', () => { const x = perRun(diagnosticsFor(live()), 'run/stale'); return x.length ? x : undefined; }, 90_000);
      assert.ok(before.length >= 1);
      await vscode.workspace.getConfiguration('experimentHealth').update('staleAfterMinutes', 525_600, vscode.ConfigurationTarget.Workspace);
      await until('no stale runs with a one-year threshold', () => perRun(diagnosticsFor(live()), 'run/stale').length === 0 && diagnosticsFor(live()).length > 0);
      await vscode.workspace.getConfiguration('experimentHealth').update('staleAfterMinutes', undefined, vscode.ConfigurationTarget.Workspace);
      await until('stale runs back with the default', () => perRun(diagnosticsFor(live()), 'run/stale').length === before.length);
    });

    test('rows appended by another process show up within 3 s', async () => {
      const stale = () => perRun(diagnosticsFor(live()), 'run/stale').length;
      const n = await until('baseline', () => stale() || undefined);
      const t0 = Date.now();
      execFileSync('python3', ['-c', `import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
c.execute("insert into benchmark_runs(run_id,batchId,suite,scenario,tier,agent,model,status,started_at) values ('appended-run',NULL,'s','c','L1','a','m','running',datetime('now','-3 hours'))")
c.commit()`, live()]);
      await until('the appended stale run', () => stale() === n + 1, 3_000);
      console.log(`[diagnostics] appended row visible after ${Date.now() - t0} ms`);
    });

    test('deleting the database clears its diagnostics and says so', async () => {
      await until('diagnostics present', () => diagnosticsFor(live()).length > 0);
      fs.rmSync(live());
      await until('diagnostics cleared', () => diagnosticsFor(live()).length === 0, 10_000);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `${live()}.health` }));
      assert.match(doc.getText(), /deleted or moved|not open/);
    });
  });
});
