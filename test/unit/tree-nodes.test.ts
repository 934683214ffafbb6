// The explorer's model and nodes against a fake server: roots, labels, descriptions, paging,
// filters, grouping, and fine-grained live refresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TreeContext, TreeNode } from '../../src/client/tree/nodes/base';
import { DatabaseNode } from '../../src/client/tree/nodes/database';
import { ExperimentNode } from '../../src/client/tree/nodes/experiment';
import { GroupNode } from '../../src/client/tree/nodes/group';
import { LoadMoreNode, RunNode } from '../../src/client/tree/nodes/run';
import { ExplorerModel } from '../../src/client/tree/model';
import { DEFAULT_OPTIONS, type ViewOptions } from '../../src/client/tree/options';
import { FAKE_NOW, FakeSource, mlflowLike, panicLike, recipeLike, type FakeDb } from './tree-fake-source';

function setup(dbs: FakeDb[], opts: Partial<ViewOptions> = {}) {
  const source = new FakeSource(dbs);
  const options: ViewOptions = { ...DEFAULT_OPTIONS, ...opts };
  const ctx: TreeContext = { source, options: () => options, pageSize: () => 200, now: () => FAKE_NOW };
  const fired: (TreeNode[] | undefined)[] = [];
  const model = new ExplorerModel(ctx, (n) => fired.push(n));
  return { source, options, model, fired };
}
const labels = (nodes: TreeNode[]) => nodes.map((n) => n.item().label);

test('one database: its level is hidden, experiments are roots after "Recent runs"', async () => {
  const { model } = setup([panicLike()]);
  const roots = await model.roots();
  assert.deepEqual(labels(roots), ['Recent runs', 'E1', 'E2', 'Big']);
  const e2 = roots[2].item();
  assert.equal(e2.description, '11 runs · 7 incomplete');
  assert.deepEqual(e2.icon, { id: 'circle-slash', color: 'problemsErrorIcon.foreground' });
  assert.equal(e2.contextValue, 'experimentHealth:experiment:incomplete');
  assert.equal(e2.id, 'experimentHealth:///w/panic-tda/db/trajectory_data.sqlite/e2');
  assert.equal(e2.collapsible, 'collapsed');
  assert.equal(roots[1].item().icon?.id, 'pass');
  assert.equal(roots[0].item().contextValue, 'experimentHealth:recent');
});

test('runs of E2: readable ids, descriptions, icons, context values', async () => {
  const { model } = setup([panicLike()]);
  const e2 = (await model.roots())[2];
  const runs = await e2.children();
  assert.equal(runs.length, 11);
  const bad = runs.map((r) => r.item()).filter((i) => i.icon?.id === 'circle-slash');
  assert.equal(bad.length, 7);
  assert.equal(bad[0].description, '584/1000 · stopped 3 d ago · unknown');
  assert.equal(bad[0].contextValue, 'experimentHealth:run:incomplete');
  assert.match(bad[0].tooltip!, /SDXLTurbo/);
  const t = (runs[0] as RunNode).target;
  assert.equal(t?.kind, 'run');
  assert.equal(t?.path, '/w/panic-tda/db/trajectory_data.sqlite');
});

test('a 100,000-run experiment opens one page, then "Load more" appends the next', async () => {
  const { model, source, fired } = setup([panicLike()]);
  const big = (await model.roots())[3] as ExperimentNode;
  assert.equal(big.item().description, '100,000 runs · 100 failed');
  let kids = await big.children();
  assert.equal(kids.length, 201);
  const more = kids[200] as LoadMoreNode;
  assert.ok(more instanceof LoadMoreNode);
  assert.equal(more.item().label, 'Load 200 more…');
  assert.equal(more.item().description, '200 of 100,000 shown');
  assert.equal(more.item().contextValue, 'experimentHealth:loadMore');
  assert.deepEqual(source.calls.filter((c) => c.startsWith('runs big')), ['runs big 0+200']);
  const firstIds = kids.slice(0, 200).map((n) => n.id);
  await model.loadMore(more);
  assert.deepEqual(fired.at(-1), [big]);
  kids = await big.children();
  assert.equal(kids.length, 401);
  assert.deepEqual(kids.slice(0, 200).map((n) => n.id), firstIds, 'loaded nodes are kept (stable)');
  assert.equal(kids[0], (await big.children())[0], 'same node objects, no re-fetch');
  assert.deepEqual(source.calls.filter((c) => c.startsWith('runs big')), ['runs big 0+200', 'runs big 200+200']);
});

test('filter by state hides experiments without such runs and filters runs', async () => {
  const { model, options } = setup([panicLike()]);
  options.states = ['incomplete'];
  model.optionsChanged();
  const roots = await model.roots();
  assert.deepEqual(labels(roots), ['Recent runs', 'E2']);
  const runs = await roots[1].children();
  assert.equal(runs.length, 7);
  options.states = ['stale'];
  model.optionsChanged();
  const none = await model.roots();
  assert.equal(none.length, 1);
  assert.equal(none[0].item().label, 'No runs are stale');
  assert.equal(none[0].item().command?.command, 'experimentHealth.clearFilter');
});

test('group by configuration, then by state', async () => {
  const { model, options } = setup([panicLike()]);
  options.groupBy = 'config';
  const e2 = (await model.roots())[2];
  const groups = await e2.children();
  assert.deepEqual(labels(groups), ["['FluxDev','BLIP2']", "['SDXLTurbo','Moondream']"]);
  const g = groups[1] as GroupNode;
  assert.equal(g.item().description, '7 runs · 7 incomplete');
  assert.equal(g.item().contextValue, 'experimentHealth:group');
  assert.equal(g.item().icon?.id, 'circle-slash');
  assert.equal((await g.children()).length, 7);
  assert.equal(g.target, undefined, 'a group never widens a cleanup');
  options.groupBy = 'state';
  model.optionsChanged();
  const byState = await (await model.roots())[2].children();
  assert.deepEqual(labels(byState), ['incomplete', 'completed'], 'problems first, as the server orders states');
  assert.deepEqual(byState.map((g) => g.item().description), ['7 runs', '4 runs']);
});

test('recent runs span experiments, newest first, with the experiment in the description', async () => {
  const { model } = setup([panicLike('/p.db', 3)]);
  const recent = (await model.roots())[0];
  const runs = await recent.children();
  assert.match(runs[0].item().description ?? '', /^Big · /);
  assert.equal(runs.length, 18);
});

test('several databases: database level shown; error, unknown schema and other databases', async () => {
  const err: FakeDb = { summary: { path: '/w/broken.db', reportUri: 'x', status: 'error', message: 'The file is not a database (header is wrong).', experimentCount: 0, runCounts: {}, findingCounts: {} }, experiments: [], runs: [] };
  const unk: FakeDb = { summary: { path: '/w/mine.sqlite', reportUri: 'x', status: 'unknown-schema', message: 'No profile matches its tables: create a mapping.', experimentCount: 0, runCounts: {}, findingCounts: {}, tables: [{ name: 'runs', columns: ['id'] }] }, experiments: [], runs: [] };
  const other: FakeDb = { summary: { path: '/w/cache.db', reportUri: 'x', status: 'not-experiment-db', experimentCount: 0, runCounts: {}, findingCounts: {} }, experiments: [], runs: [] };
  const { model } = setup([panicLike(), recipeLike(), err, unk, other]);
  const roots = await model.roots();
  assert.deepEqual(labels(roots), ['broken.db', 'mine.sqlite', 'trajectory_data.sqlite', 'llmcore.db', 'Other databases']);
  const e = roots[0].item();
  assert.equal(e.contextValue, 'experimentHealth:database:error');
  assert.equal(e.description, 'The file is not a database (header is wrong).');
  assert.equal(e.icon?.id, 'error');
  assert.equal(e.command?.command, 'experimentHealth.showLog');
  assert.equal(e.collapsible, 'none');
  assert.equal(roots[1].item().contextValue, 'experimentHealth:database:unknownSchema');
  assert.equal(roots[2].item().contextValue, 'experimentHealth:database:incomplete:orphans');
  assert.equal(roots[2].item().description, 'panic-tda · 3 experiments · 11 problems');
  assert.equal(roots[3].item().contextValue, 'experimentHealth:database:stale:canReset');
  const exp = (await roots[3].children())[1];
  assert.equal(exp.item().contextValue, 'experimentHealth:experiment:stale:canReset');
  const runs = await exp.children();
  assert.equal(runs[0].item().contextValue, 'experimentHealth:run:stale:stale:canReset');
  assert.equal(runs[0].item().label, 'run 1 · variation 101 · batch 1');
  const others = await roots[4].children();
  assert.equal(others[0].item().description, 'not an experiment database');
  assert.equal(others[0].item().contextValue, 'experimentHealth:database:unknownSchema:other');
  // parents for reveal
  assert.equal(runs[0].parent, exp);
  assert.equal(exp.parent, roots[3]);
});

test('live: one run changed → only that run node re-renders, nothing else is re-read', async () => {
  const db = panicLike('/p.db', 500);
  const { model, source, fired } = setup([db]);
  const roots = await model.roots();
  const e2 = roots[2];
  const before = await e2.children();
  await (roots[3]).children(); // Big loaded too
  source.calls.length = 0;
  // a run's activity moved, nothing structural
  db.runs.find((r) => r.id === 'e2okf00000000'.replace('f', ''))!.finishedAt = new Date(FAKE_NOW - 1000).toISOString();
  await model.databasesChanged(['/p.db']);
  assert.equal(fired.length, 1);
  const changed = fired[0]!;
  assert.ok(Array.isArray(changed));
  assert.deepEqual(changed.map((n) => n.id), [before.find((n) => n.id.endsWith('/e2ok00000000'))!.id]);
  assert.deepEqual(source.calls, ['databases', 'experiments /p.db', 'runs e2 0+200', 'runs big 0+200']);
  // the same node objects are kept (stable identity keeps expansion and selection)
  assert.equal((await e2.children())[0], before[0]);
});

test('live: a run turned incomplete → experiment counts and its children update; filter moves experiments', async () => {
  const db = panicLike('/p.db', 3);
  const { model, fired, source } = setup([db]);
  const roots = await model.roots();
  const e1 = roots[1] as ExperimentNode;
  await e1.children();
  const r = db.runs.find((x) => x.experimentId === 'e1')!;
  r.state = 'incomplete';
  source.recount('/p.db');
  await model.databasesChanged(['/p.db']);
  const last = fired.at(-1)!;
  assert.ok(last.includes(e1), 'experiment re-rendered');
  assert.equal(e1.item().description, '4 runs · 1 incomplete');
  assert.equal(e1.item().icon?.id, 'circle-slash');
  // a new experiment appears: with the database level hidden, the roots change
  db.experiments.push({ id: 'e9', label: 'E9', state: 'pending', runCounts: {}, runTotal: 0 });
  await model.databasesChanged(['/p.db']);
  assert.equal(fired.at(-1), undefined);
  assert.deepEqual(labels(await model.roots()), ['Recent runs', 'E1', 'E2', 'Big', 'E9']);
});

test('live: with several databases only the changed database is re-read', async () => {
  const a = panicLike('/a.db', 3); const b = recipeLike('/b.db');
  const { model, fired, source } = setup([a, b]);
  const roots = await model.roots();
  await roots[0].children(); await roots[1].children();
  source.calls.length = 0;
  a.experiments.push({ id: 'e9', label: 'E9', state: 'pending', runCounts: {}, runTotal: 0 });
  a.summary.experimentCount = 4;
  await model.databasesChanged(['/a.db']);
  assert.deepEqual(source.calls, ['databases', 'experiments /a.db']);
  assert.deepEqual(fired.at(-1)?.map((n) => n.id), [roots[0].id]);
  assert.ok(roots[0] instanceof DatabaseNode);
  assert.equal(roots[0].item().description, 'panic-tda · 4 experiments · 11 problems');
  // a database appears: the roots change
  source.dbs.push(recipeLike('/c.db'));
  await model.databasesChanged(['/c.db']);
  assert.equal(fired.at(-1), undefined);
  assert.equal((await model.roots()).length, 3);
});

test('a failing request surfaces (the VS Code layer turns it into an error item) and can be retried', async () => {
  const db = panicLike('/p.db', 3);
  const { model, source } = setup([db]);
  const e2 = (await model.roots())[2];
  const orig = source.runs.bind(source);
  source.runs = async () => { throw new Error('server busy'); };
  await assert.rejects(e2.children(), /server busy/);
  source.runs = orig;
  e2.reset();
  assert.equal((await e2.children()).length, 11);
});

test('no experiment database: the others are roots, each offering Create Mapping…', async () => {
  const other: FakeDb = { summary: { path: '/w/notes.sqlite', reportUri: 'x', status: 'not-experiment-db', message: 'No profile matches this database (tables: notes). Create a mapping to read it.', experimentCount: 0, runCounts: {}, findingCounts: {}, tables: [{ name: 'notes', columns: ['id'] }] }, experiments: [], runs: [] };
  const { model } = setup([other]);
  const roots = await model.roots();
  assert.deepEqual(labels(roots), ['notes.sqlite']);
  assert.match(roots[0].item().contextValue, /^experimentHealth:database:unknownSchema/);
  assert.match(roots[0].item().tooltip!, /Create a mapping/);
});

test('nested runs sit under their parent (paged like an experiment); a purged parent leaves the run at the top; a filter lists flat', async () => {
  const { model, options, source } = setup([mlflowLike()]);
  const [, sweep] = await model.roots();
  assert.equal(sweep.item().label, 'hpo-sweep');
  const top = await sweep.children();
  assert.deepEqual(top.map((n) => (n as RunNode).run.id), ['driver00', 'orphan01'], 'children of a present parent are nested; the deleted run is hidden');
  const driver = top[0] as RunNode;
  assert.equal(driver.item().collapsible, 'collapsed');
  assert.match(driver.item().description!, /^3 child runs · /);
  const kids = await driver.children();
  assert.deepEqual(kids.map((n) => (n as RunNode).run.id), ['child003', 'child002', 'child001'], 'newest first');
  assert.equal(kids[0].id, `${driver.id}/child003`, 'ids nest, so expansion survives refresh');
  assert.equal(top[1].item().collapsible, 'none');
  const grand = await kids[0].children();
  assert.deepEqual(grand.map((n) => (n as RunNode).run.id), ['grandc01']);
  assert.ok(source.calls.includes('runs 2>driver00 0+200') && source.calls.includes('runs 2>child003 0+200'));
  // A state filter shows every matching run, flat.
  options.states = ['completed'];
  model.optionsChanged();
  const [, filtered] = await model.roots();
  assert.deepEqual((await filtered.children()).map((n) => (n as RunNode).run.id).sort(), ['child001', 'child002', 'grandc01', 'orphan01']);
});

test('Show Deleted: soft-deleted runs and deleted experiments appear, marked, without cleanups; hidden again by default', async () => {
  const { model, options } = setup([mlflowLike()]);
  assert.deepEqual(labels(await model.roots()), ['Recent runs', 'hpo-sweep'], 'the deleted experiment is hidden by default');
  options.showHidden = true;
  model.optionsChanged();
  const roots = await model.roots();
  assert.deepEqual(labels(roots), ['Recent runs', 'hpo-sweep', 'old-baseline']);
  const old = roots[2].item();
  assert.equal(old.description, 'deleted · 1 run');
  assert.equal(old.icon?.id, 'trash');
  assert.equal(old.contextValue, 'experimentHealth:experiment:deleted');
  assert.match(roots[1].item().description!, /1 deleted run$/);
  const deleted = (await roots[1].children()).find((n) => (n as RunNode).run.id === 'deleted1')!;
  assert.ok(deleted, 'the soft-deleted run is listed');
  const item = deleted.item();
  assert.match(item.description!, /^deleted · /);
  assert.equal(item.icon?.id, 'trash');
  assert.equal(item.contextValue, 'experimentHealth:run:deleted', 'no state flags: no cleanup menus match');
  options.showHidden = false;
  model.optionsChanged();
  assert.ok(!(await (await model.roots())[1].children()).some((n) => (n as RunNode).run.id === 'deleted1'));
});
