// Pure formatting of the run explorer (src/client/tree/format.ts, contextValues.ts, ids.ts, options.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Run } from '../../src/core/model';
import type { DatabaseSummary } from '../../src/shared/protocol';
import { databaseContextValue, experimentContextValue, runContextValue } from '../../src/client/tree/contextValues';
import {
  ago, countsText, databaseDescription, experimentLabel, experimentTooltip, filterDescription, formatCount, md, problemCount, runDescription, runLabel,
  runTooltip, shortDuration, stateIcon, stepsText, worstState, WORST_FIRST,
} from '../../src/client/tree/format';
import { databaseId, experimentId, groupId, runId } from '../../src/client/tree/ids';
import { sanitizeOptions, sanitizePageSize } from '../../src/client/tree/options';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const h = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const run = (over: Partial<Run>): Run => ({ id: '01a1c1228c53757a935e728bcf9dfaf6', experimentId: 'e2', state: 'completed', ...over });

test('the incomplete run description reads like the issue: 584/1000 · stopped 3 d ago · unknown', () => {
  const r = run({ state: 'incomplete', stepsDone: 584, stepsExpected: 1000, lastActivityAt: iso(NOW - 72 * h - 60_000), stopReason: 'unknown' });
  assert.equal(runDescription(r, NOW), '584/1000 · stopped 3 d ago · unknown');
});

test('run descriptions per state', () => {
  assert.equal(runDescription(run({ state: 'running', stepsDone: 138, stepsExpected: 200, lastActivityAt: iso(NOW - 90_000), stopReason: 'unknown' }), NOW),
    '138/200 · active 1 min ago');
  assert.equal(runDescription(run({ state: 'stale', lastActivityAt: iso(NOW - 5 * h) }), NOW), 'last active 5 h ago');
  assert.equal(runDescription(run({ state: 'completed', stepsDone: 200, stepsExpected: 200, finishedAt: iso(NOW - 2 * h) }), NOW), '200/200 · finished 2 h ago');
  assert.equal(runDescription(run({ state: 'failed', finishedAt: iso(NOW - 30 * 60_000), error: '\n  Traceback (most recent call last):\n  File x' }), NOW),
    'failed 30 min ago · Traceback (most recent call last):');
  assert.equal(runDescription(run({ state: 'pending' }), NOW), '');
  assert.equal(runDescription(run({ state: 'pending', startedAt: iso(NOW - 3 * 24 * h) }), NOW), 'queued 3 d ago');
  assert.equal(runDescription(run({ state: 'completed', stepsDone: 3 }), NOW, { experimentLabel: 'E1' }), 'E1 · 3 steps');
});

test('relative times are compact and never negative', () => {
  assert.equal(shortDuration(12_000), '12 s');
  assert.equal(shortDuration(59 * 60_000), '59 min');
  assert.equal(shortDuration(47 * h), '47 h');
  assert.equal(shortDuration(49 * h), '2 d');
  assert.equal(shortDuration(90 * 24 * h), '3 mo');
  assert.equal(shortDuration(800 * 24 * h), '2 y');
  assert.equal(ago(iso(NOW - 1000), NOW), 'just now');
  assert.equal(ago(iso(NOW + 120_000), NOW), 'in 2 min');
  assert.equal(ago(undefined, NOW), undefined);
  assert.equal(ago('not a date', NOW), undefined);
});

test('counts: 1000 runs · 300 incomplete · 2 stale; big numbers grouped', () => {
  assert.equal(countsText(1000, { completed: 698, incomplete: 300, stale: 2 }), '1000 runs · 300 incomplete · 2 stale');
  assert.equal(countsText(1, { completed: 1 }), '1 run');
  assert.equal(countsText(100_000, { running: 3, failed: 12, pending: 5 }), '100,000 runs · 12 failed · 3 running · 5 pending');
  assert.equal(formatCount(3220), '3220');
  assert.equal(stepsText({ stepsDone: 584, stepsExpected: 1000 }), '584/1000');
  assert.equal(stepsText({ stepsDone: 1 }), '1 step');
});

test('worst state: stale > incomplete > failed > running > degraded > pending > completed', () => {
  assert.deepEqual([...WORST_FIRST], ['stale', 'incomplete', 'failed', 'running', 'degraded', 'pending', 'completed']);
  assert.equal(worstState('completed', { completed: 4, incomplete: 7 }), 'incomplete');
  assert.equal(worstState('completed', { incomplete: 7, stale: 1 }), 'stale');
  assert.equal(worstState('stale', { completed: 4 }), 'stale'); // the experiment's own state counts
  assert.equal(worstState('pending', {}), 'pending');
  assert.equal(worstState('running', { failed: 1, running: 3 }), 'failed');
  assert.equal(worstState('completed', { degraded: 1, pending: 2 }), 'degraded');
});

test('state icons use theme icons and theme colours', () => {
  assert.deepEqual(stateIcon('running'), { id: 'loading~spin', color: 'charts.blue' });
  assert.deepEqual(stateIcon('completed'), { id: 'pass', color: 'testing.iconPassed' });
  assert.deepEqual(stateIcon('failed'), { id: 'error', color: 'testing.iconFailed' });
  assert.deepEqual(stateIcon('stale'), { id: 'warning', color: 'list.warningForeground' });
  assert.deepEqual(stateIcon('incomplete'), { id: 'circle-slash', color: 'problemsErrorIcon.foreground' });
  assert.equal(stateIcon('pending').id, 'circle-outline');
  assert.equal(stateIcon('degraded').id, 'warning');
});

test('run labels: readable id, plus the system label when it adds something', () => {
  assert.equal(runLabel(run({}), '01a1c122-8c53-75'), '01a1c122-8c53-75');
  assert.equal(runLabel(run({ id: 'c44f04b8-1111', label: 'window_3' }), 'c44f04b8'), 'c44f04b8 · window_3');
  assert.equal(runLabel(run({ id: '19', label: 'run 19 · variation 109 · batch 1' }), '19'), 'run 19 · variation 109 · batch 1');
  assert.equal(runLabel(run({}), undefined, 'uuid'), '01a1c122-8c53-757a-935e-728bcf9dfaf6');
  assert.equal(runLabel(run({}), undefined), '01a1c122-8c53-757a-935e-728bcf9dfaf6'.replace(/-/g, ''), 'as stored unless the system prints UUIDs dashed');
});

const summary = (over: Partial<DatabaseSummary>): DatabaseSummary => ({
  path: '/w/panic-tda/db/trajectory_data.sqlite', reportUri: 'x', status: 'ok', profile: 'panic-tda', experimentCount: 8,
  runCounts: { completed: 20, incomplete: 9 }, findingCounts: {}, ...over,
});

test('contextValues match the menus scheme', () => {
  assert.equal(databaseContextValue(summary({ findingCounts: { 'orphan/rows': 4 } })), 'experimentHealth:database:incomplete:orphans');
  assert.equal(databaseContextValue(summary({ profile: 'recipe-runner', runCounts: { stale: 3, pending: 1 } })), 'experimentHealth:database:stale:canReset');
  assert.equal(databaseContextValue(summary({ status: 'error', message: 'x' })), 'experimentHealth:database:error');
  assert.equal(databaseContextValue(summary({ status: 'gone' })), 'experimentHealth:database:error');
  assert.equal(databaseContextValue(summary({ status: 'unknown-schema' })), 'experimentHealth:database:unknownSchema');
  assert.equal(databaseContextValue(summary({ status: 'not-experiment-db' })), 'experimentHealth:database:unknownSchema:other');
  // a file found that is not SQLite at all: listed quietly, and Create Mapping… (unknownSchema) is not offered
  const thumbs = summary({ status: 'not-experiment-db', unreadable: 'not-sqlite' });
  assert.equal(databaseContextValue(thumbs), 'experimentHealth:database:other');
  assert.ok(!/^experimentHealth:database:unknownSchema/.test(databaseContextValue(thumbs)) && !/^experimentHealth:database:error/.test(databaseContextValue(thumbs)));
  assert.equal(databaseDescription(thumbs), 'not a SQLite database');
  assert.equal(databaseDescription(summary({ status: 'not-experiment-db', unreadable: 'empty' })), 'empty file');
  const e = { id: 'e', label: 'e', state: 'completed' as const, runTotal: 3, runCounts: { incomplete: 1, stale: 2 } };
  assert.equal(experimentContextValue(e, 'panic-tda'), 'experimentHealth:experiment:incomplete:stale');
  assert.equal(experimentContextValue({ ...e, runCounts: { completed: 3 } }, 'recipe-runner'), 'experimentHealth:experiment:canReset');
  assert.equal(runContextValue(run({ state: 'stale' }), 'recipe-runner'), 'experimentHealth:run:stale:stale:canReset');
  assert.equal(runContextValue(run({ state: 'incomplete' }), 'panic-tda'), 'experimentHealth:run:incomplete');
  // the package.json when-clauses, applied
  const resetStale = /^experimentHealth:(experiment|database|run).*:stale.*:canReset/;
  const deleteIncomplete = /^experimentHealth:(experiment|database).*:incomplete/;
  assert.ok(resetStale.test(runContextValue(run({ state: 'stale' }), 'recipe-runner')));
  assert.ok(!resetStale.test(runContextValue(run({ state: 'stale' }), 'ze-benchmarks')));
  assert.ok(deleteIncomplete.test(experimentContextValue(e, 'panic-tda')));
  assert.ok(!/^experimentHealth:database:error/.test(databaseContextValue(summary({}))));
  // Delete Run… is not offered where the profile never deletes single runs (Optuna trials)
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
  const when = manifest.contributes.menus['view/item/context']!.find((m) => m.command === 'experimentHealth.deleteRuns')!.when!;
  const deleteRuns = new RegExp(/viewItem =~ \/(.*)\/$/.exec(when)![1]!);
  assert.ok(!deleteRuns.test(runContextValue(run({ state: 'failed' }), 'optuna')));
  assert.ok(deleteRuns.test(runContextValue(run({ state: 'failed' }), 'mlflow')));
  assert.ok(!deleteRuns.test(runContextValue(run({ state: 'failed', hidden: true }), 'mlflow')));
});

test('badge counts warning and error findings only', () => {
  assert.equal(problemCount([summary({ findingCounts: { 'run/incomplete': 9, 'run/failed': 5, 'orphan/rows': 4 } }),
    summary({ path: '/b', findingCounts: { 'run/stale': 1 } })]), 14);
});

test('database descriptions and filter description', () => {
  assert.equal(databaseDescription(summary({ findingCounts: { 'run/incomplete': 9 } })), 'panic-tda · 8 experiments · 9 problems');
  assert.equal(databaseDescription(summary({ status: 'not-experiment-db' })), 'not an experiment database');
  assert.equal(databaseDescription(summary({ status: 'error', message: 'The file is not a database.' })), 'The file is not a database.');
  assert.equal(filterDescription(['pending', 'incomplete', 'stale']), 'stale, incomplete, pending');
  assert.equal(filterDescription([]), undefined);
});

test('tooltips are Markdown with escaped data', () => {
  const t = runTooltip(run({ state: 'failed', config: "['SDXLTurbo','Moondream']", error: 'bad | *thing*', stepsDone: 3, stepsExpected: 10 }), NOW,
    { shortId: '01a1c122', experimentLabel: 'E2' });
  assert.match(t, /\*\*Run 01a1c122\*\* — failed/);
  assert.match(t, /\| steps \| 3\/10 \|/);
  assert.match(t, /bad \\\| \\\*thing\\\*/);
  assert.equal(md('a_b'), 'a\\_b');
  assert.match(experimentTooltip({ id: 'x', label: 'E8', state: 'completed', runTotal: 2, runCounts: { completed: 2 }, missingRow: true }, NOW), /row is gone/);
});

test('experiment labels: id or name, then the configuration, cut when long', () => {
  const e = { id: 'x', label: 'E2', state: 'completed' as const, runTotal: 1, runCounts: {} };
  assert.equal(experimentLabel(e), 'E2');
  assert.equal(experimentLabel({ ...e, config: "['SDXLTurbo','Moondream']" }), "E2 · ['SDXLTurbo','Moondream']");
  assert.equal(experimentLabel({ ...e, config: 'x'.repeat(100) }).length, 'E2 · '.length + 48);
});

test('stable ids', () => {
  const db = databaseId('/w/a.db');
  assert.equal(db, 'experimentHealth:///w/a.db');
  assert.equal(experimentId('/w/a.db', 'e/1'), 'experimentHealth:///w/a.db/e%2F1');
  assert.equal(runId(experimentId('/w/a.db', 'e'), 'r'), 'experimentHealth:///w/a.db/e/r');
  assert.equal(groupId('X', 'config', "['A','B']"), "X#config=%5B'A'%2C'B'%5D");
});

test('options restore defensively', () => {
  assert.deepEqual(sanitizeOptions(undefined), { groupBy: 'none', sortBy: 'started', states: [], showHidden: false });
  assert.deepEqual(sanitizeOptions({ groupBy: 'config', sortBy: 'bogus', states: ['stale', 'nope'], showHidden: 'yes' }),
    { groupBy: 'config', sortBy: 'started', states: ['stale'], showHidden: false });
  assert.equal(sanitizeOptions({ showHidden: true }).showHidden, true);
  assert.equal(sanitizePageSize(undefined), 200);
  assert.equal(sanitizePageSize(3), 10);
  assert.equal(sanitizePageSize(1e9), 5000);
});
