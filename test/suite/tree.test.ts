// The run explorer in the real VS Code, against the demo workspace (test/demo-workspace, written by
// `node out/test/fixtures/demo.js test/demo-workspace` just before the run, so its live runs are live).
// The tree is read through the test-only command `experimentHealth.test.treeSnapshot`, which
// renders the provider's items (label, description, contextValue, icon, children on demand).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { diagnosticsFor } from './helpers';

interface Item {
  id: string; label: string; description?: string; contextValue?: string; icon?: string; color?: string;
  collapsible: 'none' | 'collapsed' | 'expanded'; tooltip?: string; children?: Item[];
}
interface Summary { path: string; status: string; profile?: string; findingCounts: Record<string, number>; message?: string; tables?: unknown[] }
interface Snapshot {
  databases: Summary[]; options: { groupBy: string; sortBy: string; states: string[] }; description?: string;
  badge?: { value: number; tooltip: string }; items: Item[]; timings: Record<string, number>;
}

const EXTENSION_ID = 'experiment-health.experiment-health';
const snapshot = (expand: string[] = [], depth = 4) =>
  vscode.commands.executeCommand<Snapshot>('experimentHealth.test.treeSnapshot', { expand, depth });
const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const DB = {
  panic: 'panic-tda/db/trajectory_data.sqlite',
  ze: 'ze-benchmarks/benchmark-report/public/benchmarks.db',
  recipe: 'recipe-runner/data/llmcore.db',
  egregora: 'egregora/.egregora/runs.sqlite',
};
const dbId = (rel: string) => `experimentHealth://${path.join(folder(), rel).replace(/\\/g, '/')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server has read the given databases (status ok), reloading the tree meanwhile. */
async function waitForDatabases(rels: string[], status = 'ok', timeoutMs = 90_000): Promise<Snapshot> {
  const t0 = Date.now();
  let last: Snapshot | undefined;
  for (;;) {
    await vscode.commands.executeCommand('experimentHealth.explorer.reload');
    last = await snapshot();
    const ok = rels.every((r) => last!.databases.some((d) => d.path === path.join(folder(), r) && d.status === status));
    if (ok) return last;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`databases not ${status} after ${timeoutMs} ms: ${JSON.stringify(last.databases.map((d) => [d.path, d.status, d.message]))}`);
    }
    await sleep(500);
  }
}

function find(items: Item[] | undefined, pred: (i: Item) => boolean): Item | undefined {
  for (const i of items ?? []) {
    if (pred(i)) return i;
    const hit = find(i.children, pred);
    if (hit) return hit;
  }
  return undefined;
}
const byId = (s: Snapshot, id: string) => find(s.items, (i) => i.id === id);

suite('run explorer', function () {
  this.timeout(180_000);

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('experimentHealth.clearFilter');
    await vscode.commands.executeCommand('experimentHealth.groupBy', 'none');
    await vscode.commands.executeCommand('experimentHealth.sortBy', 'started');
    await waitForDatabases(Object.values(DB));
    // and every other database of the demo read too (the demo grows: mlflow, optuna…)
    for (let i = 0; i < 120 && (await snapshot()).databases.some((d) => d.status === 'reading'); i++) {
      await sleep(500);
      await vscode.commands.executeCommand('experimentHealth.explorer.reload');
    }
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('experimentHealth').update('pageSize', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('experimentHealth.clearFilter');
    await vscode.commands.executeCommand('experimentHealth.groupBy', 'none');
  });

  test('four databases: one root each, with profile, counts and context values', async () => {
    const s = await snapshot();
    const roots = s.items.filter((i) => i.contextValue?.startsWith('experimentHealth:database') && !i.contextValue.includes(':other'));
    const readable = s.databases.filter((d) => d.status !== 'not-experiment-db').map((d) => path.basename(d.path)).sort();
    assert.deepStrictEqual(roots.map((r) => r.label).sort(), readable, 'one root per experiment database');
    for (const name of ['benchmarks.db', 'llmcore.db', 'runs.sqlite', 'trajectory_data.sqlite']) assert.ok(readable.includes(name), name);
    const panic = byId(s, dbId(DB.panic))!;
    assert.match(panic.description!, /^panic-tda · 8 experiments · \d+ problems$/);
    assert.strictEqual(panic.contextValue, 'experimentHealth:database:incomplete:orphans');
    assert.strictEqual(panic.collapsible, 'expanded');
    const ze = byId(s, dbId(DB.ze))!;
    assert.strictEqual(ze.contextValue, 'experimentHealth:database:incomplete:stale:orphans');
    const recipe = byId(s, dbId(DB.recipe))!;
    assert.strictEqual(recipe.contextValue, 'experimentHealth:database:stale:canReset:orphans');
    const eg = byId(s, dbId(DB.egregora))!;
    assert.strictEqual(eg.contextValue, 'experimentHealth:database:stale:orphans');
  });

  test('the badge shows the number of problems', async () => {
    const s = await snapshot();
    let n = 0;
    for (const d of s.databases) for (const [code, c] of Object.entries(d.findingCounts)) if (code !== 'run/failed') n += c;
    assert.ok(n > 0);
    assert.deepStrictEqual(s.badge, { value: n, tooltip: `${n} problems` });
  });

  test('panic-tda experiments: labels, counts, worst-state icons', async () => {
    const s = await snapshot([dbId(DB.panic)]);
    const kids = byId(s, dbId(DB.panic))!.children!;
    assert.strictEqual(kids[0].label, 'Recent runs');
    assert.strictEqual(kids[0].contextValue, 'experimentHealth:recent');
    const exps = kids.slice(1);
    assert.strictEqual(exps.length, 8);
    const [e1, e2, e3, e4, e5, e6, e7, e8] = exps;
    assert.deepStrictEqual([e1.description, e1.icon, e1.contextValue], ['4 runs', 'pass', 'experimentHealth:experiment']);
    assert.deepStrictEqual([e2.description, e2.icon, e2.color, e2.contextValue],
      ['11 runs · 7 incomplete', 'circle-slash', 'problemsErrorIcon.foreground', 'experimentHealth:experiment:incomplete']);
    assert.deepStrictEqual([e3.description, e3.icon], ['8 runs · 4 running', 'loading~spin']);
    assert.strictEqual(e4.icon, 'warning', 'E4 is stale');
    assert.strictEqual(e4.description, '6 runs · 2 incomplete · 2 pending');
    assert.strictEqual(e5.icon, 'warning', 'E5 is stale');
    assert.deepStrictEqual([e6.description, e6.icon, e6.collapsible], ['0 runs', 'circle-outline', 'none']);
    assert.deepStrictEqual([e7.description, e7.icon], ['2 runs', 'pass']);
    assert.match(e8.label, /\(missing\)/);
    assert.match(e2.tooltip!, /\*\*.*\*\* — completed/);
  });

  test('E2 expanded: incomplete runs with steps, when they stopped and why', async () => {
    const s0 = await snapshot([dbId(DB.panic)]);
    const e2 = byId(s0, dbId(DB.panic))!.children![2];
    const s = await snapshot([dbId(DB.panic), e2.id]);
    const runs = byId(s, e2.id)!.children!;
    assert.strictEqual(runs.length, 11);
    const incomplete = runs.filter((r) => r.icon === 'circle-slash');
    assert.strictEqual(incomplete.length, 7);
    for (const r of incomplete) {
      assert.match(r.description!, /^\d+\/1000 · stopped \d+ (d|h) ago · unknown$/, r.description);
      assert.strictEqual(r.contextValue, 'experimentHealth:run:incomplete');
      assert.ok(r.id.startsWith(`${e2.id}/`), 'stable id under its experiment');
      assert.match(r.label, /^[0-9a-f]{8}-[0-9a-f-]+$/, 'a readable id');
    }
    assert.ok(incomplete.some((r) => r.description!.startsWith('584/1000')));
    const done = runs.filter((r) => r.icon === 'pass');
    assert.strictEqual(done.length, 4);
    assert.ok(done.every((r) => /^1000\/1000 · finished/.test(r.description!)));
    assert.match(incomplete[0].tooltip!, /\| configuration \| `\[/);
  });

  test('running runs spin; stale recipe runs offer reset', async () => {
    const s0 = await snapshot([dbId(DB.panic), dbId(DB.recipe)]);
    const e3 = byId(s0, dbId(DB.panic))!.children![3];
    const r1099 = byId(s0, dbId(DB.recipe))!.children!.find((e) => e.label.startsWith('extract_credit_risk_skills_v1'))!;
    const s = await snapshot([dbId(DB.panic), dbId(DB.recipe), e3.id, r1099.id]);
    const running = byId(s, e3.id)!.children!.filter((r) => r.icon === 'loading~spin');
    assert.strictEqual(running.length, 4);
    assert.ok(running.every((r) => /^\d+\/200 · active .* ago$|^\d+\/200 · active just now$/.test(r.description!)), running.map((r) => r.description).join('; '));
    const stale = byId(s, r1099.id)!.children!.filter((r) => r.icon === 'warning');
    assert.strictEqual(stale.length, 2);
    assert.ok(stale.every((r) => r.contextValue === 'experimentHealth:run:stale:stale:canReset'));
    assert.strictEqual(r1099.contextValue, 'experimentHealth:experiment:stale:canReset');
  });

  test('ze-benchmarks and egregora: states and counts', async () => {
    const s = await snapshot([dbId(DB.ze), dbId(DB.egregora)]);
    const ze = byId(s, dbId(DB.ze))!.children!.slice(1);
    assert.strictEqual(ze.length, 7);
    assert.ok(ze.some((e) => e.description === '9 runs · 2 incomplete · 4 failed' && e.icon === 'circle-slash'));
    assert.ok(ze.some((e) => e.description === '1 run · 1 stale' && e.contextValue === 'experimentHealth:experiment:stale'));
    const eg = byId(s, dbId(DB.egregora))!.children!.slice(1);
    assert.ok(eg.length >= 3, eg.map((e) => e.label).join(', '));
    assert.ok(eg.every((e) => e.label.startsWith('pipeline ')));
    assert.ok(eg.some((e) => e.icon === 'warning' && /· 1 stale/.test(e.description!)), 'the crashed pipeline is stale');
    assert.ok(eg.some((e) => /· 1 running/.test(e.description!)), 'the live pipeline has a running run');
    assert.ok(eg.some((e) => /· 1 degraded/.test(e.description!)), 'the degraded run is counted');
  });

  test('paging: page size from the setting, "Load more" appends', async () => {
    await vscode.workspace.getConfiguration('experimentHealth').update('pageSize', 10, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('experimentHealth.explorer.reload');
      const s0 = await snapshot([dbId(DB.panic)]);
      const e2 = byId(s0, dbId(DB.panic))!.children![2];
      let runs = byId(await snapshot([dbId(DB.panic), e2.id]), e2.id)!.children!;
      assert.strictEqual(runs.length, 11);
      const more = runs[10];
      assert.deepStrictEqual([more.label, more.description, more.contextValue], ['Load 1 more…', '10 of 11 shown', 'experimentHealth:loadMore']);
      await vscode.commands.executeCommand('experimentHealth.loadMore', more.id);
      runs = byId(await snapshot([dbId(DB.panic), e2.id]), e2.id)!.children!;
      assert.strictEqual(runs.length, 11);
      assert.ok(runs.every((r) => r.contextValue !== 'experimentHealth:loadMore'));
      // recent runs page the same way
      const recentId = `${dbId(DB.panic)}#recent`;
      const recent = byId(await snapshot([dbId(DB.panic), recentId]), recentId)!.children!;
      assert.strictEqual(recent.length, 11);
      assert.match(recent[10].description!, /^10 of \d+ shown$/);
    } finally {
      await vscode.workspace.getConfiguration('experimentHealth').update('pageSize', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('experimentHealth.explorer.reload');
    }
  });

  test('filter by state: description, hidden experiments and databases, clear', async () => {
    await vscode.commands.executeCommand('experimentHealth.filterByState', ['incomplete']);
    try {
      // The tree follows the server: give a database still being read a moment to settle.
      let s = await snapshot(['*'], 2);
      const visible = (x: typeof s) => x.items.filter((i) => i.contextValue?.startsWith('experimentHealth:database') && !i.contextValue.includes(':other')).map((i) => i.label).sort();
      // Databases with incomplete runs, plus those that cannot be read (errors and deleted files
      // stay in view whatever the filter, so their message is not hidden).
      const expectedDbs = (x: typeof s) => x.databases.filter((d) => d.status === 'ok'
        ? ((d as unknown as { runCounts: Record<string, number> }).runCounts.incomplete ?? 0) > 0 : d.status !== 'not-experiment-db')
        .map((d) => path.basename(d.path)).sort();
      for (let i = 0; i < 50 && JSON.stringify(visible(s)) !== JSON.stringify(expectedDbs(s)); i++) {
        await new Promise((r) => setTimeout(r, 200));
        s = await snapshot(['*'], 2);
      }
      assert.strictEqual(s.description, 'incomplete');
      assert.deepStrictEqual(s.options.states, ['incomplete']);
      const dbs = visible(s);
      assert.deepStrictEqual(dbs, expectedDbs(s), JSON.stringify(s.databases.map((d) => [path.basename(d.path), d.status, (d as unknown as { runCounts: unknown }).runCounts])));
      const okDbs = s.databases.filter((d) => d.status === 'ok' && dbs.includes(path.basename(d.path))).map((d) => path.basename(d.path));
      assert.ok(okDbs.includes('benchmarks.db') && okDbs.includes('trajectory_data.sqlite') && !okDbs.includes('llmcore.db') && !okDbs.includes('runs.sqlite'), okDbs.join(', '));
      const panicExps = byId(s, dbId(DB.panic))!.children!.slice(1);
      assert.deepStrictEqual(panicExps.map((e) => e.description), ['11 runs · 7 incomplete', '6 runs · 2 incomplete · 2 pending']);
      const e2 = panicExps[0];
      assert.strictEqual(e2.children!.length, 7);
      assert.ok(e2.children!.every((r) => r.icon === 'circle-slash'));
      const recent = byId(s, `${dbId(DB.panic)}#recent`)!.children!;
      assert.strictEqual(recent.length, 9);
    } finally {
      await vscode.commands.executeCommand('experimentHealth.clearFilter');
    }
    const s = await snapshot();
    assert.strictEqual(s.description, undefined);
    assert.strictEqual(s.items.filter((i) => i.contextValue?.startsWith('experimentHealth:database:') || i.contextValue === 'experimentHealth:database').length >= 4, true);
  });

  test('group by configuration, then by state; remembered in the workspace', async () => {
    await vscode.commands.executeCommand('experimentHealth.groupBy', 'config');
    try {
      const s0 = await snapshot([dbId(DB.panic)]);
      const e2 = byId(s0, dbId(DB.panic))!.children![2];
      const s = await snapshot([dbId(DB.panic), e2.id, '*'], 4);
      assert.strictEqual(s.options.groupBy, 'config');
      const groups = byId(s, e2.id)!.children!;
      assert.ok(groups.every((g) => g.contextValue === 'experimentHealth:group'));
      const sdxl = groups.find((g) => /SDXLTurbo/.test(g.label) && /Moondream/.test(g.label))!;
      assert.ok(sdxl, groups.map((g) => g.label).join(' | '));
      assert.match(sdxl.description!, /^6 runs · 5 incomplete$/);
      assert.strictEqual(groups.reduce((a, g) => a + g.children!.length, 0), 11);
      await vscode.commands.executeCommand('experimentHealth.groupBy', 'state');
      const byState = byId(await snapshot([dbId(DB.panic), e2.id]), e2.id)!.children!;
      assert.deepStrictEqual(byState.map((g) => [g.label, g.description]).sort(), [['completed', '4 runs'], ['incomplete', '7 runs']]);
    } finally {
      await vscode.commands.executeCommand('experimentHealth.groupBy', 'none');
    }
  });

  test('copy id copies the dashed id of the selected runs', async () => {
    const s0 = await snapshot([dbId(DB.panic)]);
    const e2 = byId(s0, dbId(DB.panic))!.children![2];
    await vscode.commands.executeCommand('experimentHealth.test.treeReveal', e2.id);
    const runs = byId(await snapshot([dbId(DB.panic), e2.id]), e2.id)!.children!;
    const reveal = await vscode.commands.executeCommand<{ ms: number }>('experimentHealth.test.treeReveal', runs[0].id);
    assert.ok(reveal, 'the run node is found');
    await vscode.commands.executeCommand('experimentHealth.copyId');
    const text = await vscode.env.clipboard.readText();
    assert.match(text, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test("copy id copies an MLflow run's id as MLflow prints it: 32 hex digits, no dashes", async () => {
    const rel = 'mlflow/mlflow.db';
    await waitForDatabases([rel]);
    const db = byId(await snapshot([dbId(rel)]), dbId(rel))!;
    const experiments = db.children!.filter((c) => c.contextValue?.startsWith('experimentHealth:experiment'));
    let run: { id: string } | undefined;
    for (const e of experiments) {
      await vscode.commands.executeCommand('experimentHealth.test.treeReveal', e.id);
      run = byId(await snapshot([dbId(rel), e.id]), e.id)?.children?.find((c) => c.contextValue?.startsWith('experimentHealth:run'));
      if (run) break;
    }
    assert.ok(run, 'an MLflow run node');
    assert.ok(await vscode.commands.executeCommand('experimentHealth.test.treeReveal', run.id), 'the run node is found');
    await vscode.commands.executeCommand('experimentHealth.copyId');
    assert.match(await vscode.env.clipboard.readText(), /^[0-9a-f]{32}$/);
  });

  test('a database that cannot be read is one error item; an unknown schema offers Create Mapping…; files that are not databases stay quiet', async () => {
    const broken = path.join(folder(), 'broken.db');
    const unknown = path.join(folder(), 'mine.sqlite');
    // Found by the search but not databases at all: another program's .db, a file not written yet.
    const thumbs = path.join(folder(), 'index.db'); // say, a Berkeley DB or an OLE file
    const empty = path.join(folder(), 'pending.sqlite');
    fs.writeFileSync(thumbs, Buffer.from('\xd0\xcf\x11\xe0 not sqlite'.padEnd(2048, '\0'), 'latin1'));
    fs.writeFileSync(empty, '');
    const mapping = path.join(folder(), '.vscode', 'experiment-health.json');
    const hadMapping = fs.existsSync(mapping);
    fs.writeFileSync(broken, Buffer.from('SQLite format 3\0'.padEnd(4096, 'x')));
    // a real SQLite file with tables no profile knows: built with the engine's sql.js
    const { buildDatabaseBytes } = await import('../fixtures/memory-db');
    fs.writeFileSync(unknown, await buildDatabaseBytes(`CREATE TABLE jobs (job_id TEXT PRIMARY KEY, status TEXT, started_at TEXT, ended_at TEXT, model TEXT);
      CREATE TABLE job_metrics (job_id TEXT, step INTEGER, ts TEXT); INSERT INTO jobs VALUES ('a', 'running', '2025-01-01 00:00:00', NULL, 'm');`));
    try {
      const deadline = Date.now() + 60_000;
      let s: Snapshot;
      for (;;) {
        await vscode.commands.executeCommand('experimentHealth.explorer.reload');
        s = await snapshot(['*'], 1);
        const b = s.databases.find((d) => d.path === broken); const u = s.databases.find((d) => d.path === unknown);
        const quiet = [thumbs, empty].map((f) => s.databases.find((d) => d.path === f));
        if (b && u && b.status !== 'reading' && u.status !== 'reading' && quiet.every((d) => d && d.status !== 'reading')) break;
        if (Date.now() > deadline) throw new Error(`broken/unknown databases not read: ${JSON.stringify(s.databases.map((d) => [d.path, d.status]))}`);
        await sleep(500);
      }
      const err = s.items.find((i) => i.label === 'broken.db')!;
      assert.strictEqual(err.contextValue, 'experimentHealth:database:error');
      assert.strictEqual(err.icon, 'error');
      assert.strictEqual(err.collapsible, 'none');
      assert.ok(err.description && err.description.length > 10, `the engine's sentence: ${err.description}`);
      const other = s.items.find((i) => i.label === 'Other databases')!;
      assert.ok(other, 'unmatched databases are listed quietly under "Other databases"');
      const mine = other.children!.find((c) => c.label === 'mine.sqlite')!;
      assert.match(mine.contextValue!, /^experimentHealth:database:unknownSchema/);
      assert.strictEqual(mine.description, 'not an experiment database');
      for (const [file, description] of [[thumbs, 'not a SQLite database'], [empty, 'empty file']] as const) {
        const item = other.children!.find((c) => c.label === path.basename(file));
        assert.ok(item, `${path.basename(file)} is listed under Other databases: ${JSON.stringify(other.children!.map((c) => c.label))}`);
        assert.strictEqual(item.description, description);
        assert.strictEqual(item.contextValue, 'experimentHealth:database:other', 'no error, and no Create Mapping…');
        assert.ok(!s.items.some((i) => i.label === path.basename(file)), 'not among the experiment databases');
        assert.deepStrictEqual(diagnosticsFor(file), [], 'no problem reported for it');
      }
      assert.ok(diagnosticsFor(broken).length === 1, 'the broken database still has its one error');
      // Create Mapping… on it drafts .vscode/experiment-health.json with a guessed profile,
      // unsaved: nothing is written until the user saves it
      if (!hadMapping) {
        const node = await vscode.commands.executeCommand('experimentHealth.test.treeReveal', mine.id);
        assert.ok(node);
        await vscode.commands.executeCommand('experimentHealth.createMapping');
        const draft = vscode.window.activeTextEditor!.document;
        assert.strictEqual(draft.uri.scheme, 'untitled');
        assert.ok(!fs.existsSync(mapping), 'nothing is written before the user saves');
        const json = JSON.parse(draft.getText());
        assert.strictEqual(json.profiles.length, 1);
        assert.strictEqual(json.profiles[0].name, 'mine');
        assert.strictEqual(json.profiles[0].runs.table, 'jobs');
        assert.strictEqual(json.profiles[0].runs.id, 'job_id');
        assert.deepStrictEqual(json.profiles[0].children, [{ table: 'job_metrics', key: 'job_id', activity: [{ expr: 'ts' }] }]);
        assert.strictEqual(draft.uri.fsPath, mapping);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      // Last, as they make the list refresh (and a refresh can move the tree's selection).
      // Opened on purpose, the same file is an error with the engine's sentence.
      const opened = await vscode.commands.executeCommand<{ status: string; message?: string }>('experimentHealth.openDatabase', vscode.Uri.file(thumbs));
      assert.strictEqual(opened?.status, 'error');
      assert.match(opened?.message ?? '', /is not a SQLite database/);
      // Named one by one in the databases setting, the empty file is an error too.
      const config = vscode.workspace.getConfiguration('experimentHealth');
      const before = config.inspect<string[]>('databases')!.workspaceValue;
      await config.update('databases', [...(before ?? config.get<string[]>('databases')!), empty], vscode.ConfigurationTarget.Workspace);
      try {
        const until = Date.now() + 30_000;
        let named: { status: string; message?: string } | undefined;
        while (Date.now() < until && named?.status !== 'error') {
          await sleep(300);
          named = (await snapshot([], 0)).databases.find((d) => d.path === empty);
        }
        assert.strictEqual(named?.status, 'error', JSON.stringify(named));
        assert.match(named?.message ?? '', /is empty \(0 bytes\)/);
      } finally {
        await config.update('databases', before, vscode.ConfigurationTarget.Workspace);
      }
    } finally {
      if (!hadMapping) fs.rmSync(mapping, { force: true });
      fs.rmSync(broken, { force: true });
      fs.rmSync(unknown, { force: true });
      await vscode.commands.executeCommand('experimentHealth.closeDatabase', thumbs); // opened on purpose: stays open otherwise
      fs.rmSync(thumbs, { force: true });
      fs.rmSync(empty, { force: true });
    }
  });

  // Needs DatabasesChangedNotification to reach the explorer (no reload, no polling: the list is
  // neither empty nor reading here). vscode-languageclient keeps one handler per notification.
  test('live: a database added to the workspace appears, and goes, without a manual refresh', async () => {
    const dir = path.join(folder(), 'live-test');
    const copy = path.join(dir, 'copy.sqlite');
    fs.mkdirSync(dir, { recursive: true });
    await snapshot([dbId(DB.egregora)]);
    try {
      fs.copyFileSync(path.join(folder(), DB.egregora), copy);
      let s: Snapshot | undefined;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        s = await snapshot();
        if (s.items.some((i) => i.id === dbId('live-test/copy.sqlite') && /^egregora · 5 experiments/.test(i.description ?? ''))) break;
        await sleep(500);
      }
      assert.ok(s!.items.some((i) => i.id === dbId('live-test/copy.sqlite')),
        `the new database did not appear: ${JSON.stringify(s!.items.map((i) => [i.label, i.description]))}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const deadline = Date.now() + 30_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = !(await snapshot()).items.some((i) => i.id === dbId('live-test/copy.sqlite') && !/gone/.test(i.description ?? ''));
      if (!gone) await sleep(500);
    }
    assert.ok(gone, 'the deleted database is still listed as readable');
  });

  test('first page of an experiment is shown quickly after expand', async () => {
    const s0 = await snapshot([dbId(DB.panic)]);
    const e2 = byId(s0, dbId(DB.panic))!.children![2];
    await vscode.commands.executeCommand('experimentHealth.test.treeReveal', dbId(DB.panic)); // the view is visible
    await vscode.commands.executeCommand('experimentHealth.explorer.reload');
    await snapshot([dbId(DB.panic)]);
    const r = await vscode.commands.executeCommand<{ ms: number; firstPageMs?: number }>('experimentHealth.test.treeReveal', e2.id);
    console.log(`[tree] E2 (11 runs): reveal+expand ${r.ms} ms, first page ${r.firstPageMs} ms`);
    assert.ok(r.firstPageMs !== undefined && r.firstPageMs <= 300, `first page took ${r.firstPageMs} ms`);
  });
});

// Performance (EH_TREE_PERF=1, workspace EH_WORKSPACE holding big panic-tda-shaped databases):
// time from expand to first page for every experiment, printed, not asserted beyond the 300 ms goal.
suite('run explorer performance', function () {
  this.timeout(600_000);
  if (!process.env.EH_TREE_PERF) return;

  test('first page of each experiment after expand', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const deadline = Date.now() + 540_000;
    let s: Snapshot;
    for (;;) {
      await vscode.commands.executeCommand('experimentHealth.explorer.reload');
      s = await snapshot();
      if (s.databases.length && s.databases.every((d) => d.status !== 'reading')) break;
      if (Date.now() > deadline) throw new Error('databases not read in time');
      await sleep(2000);
    }
    const experiments = s.items.filter((i) => i.contextValue?.startsWith('experimentHealth:experiment'));
    assert.ok(experiments.length > 0, JSON.stringify(s.items.map((i) => [i.label, i.contextValue])));
    const results: string[] = [];
    for (const e of experiments) {
      for (const round of [1, 2, 3]) {
        await vscode.commands.executeCommand('experimentHealth.explorer.reload');
        await snapshot();
        const r = await vscode.commands.executeCommand<{ ms: number; firstPageMs?: number }>('experimentHealth.test.treeReveal', e.id);
        results.push(`${e.label} (${e.description}) round ${round}: first page ${r.firstPageMs} ms, reveal+expand ${r.ms} ms`);
      }
    }
    for (const line of results) console.log(`[tree-perf] ${line}`);
    fs.mkdirSync(path.join(folder(), '..'), { recursive: true });
    fs.writeFileSync(path.join(process.env.EH_TREE_PERF_OUT ?? path.join(folder(), 'tree-perf.txt')), `${results.join('\n')}\n`);
  });
});
