// Experiment chart aggregation (src/core/charts.ts): bins, states, groups, time and duration,
// id caps, selection predicates, and 100,000 runs in well under a second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateCharts, selectRunIds, stepWidth, type ChartData, type ChartInput } from '../../src/core/charts';
import type { Run, RunState } from '../../src/core/model';

const T0 = Date.parse('2026-11-09T12:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const NET_A = "['SDXLTurbo', 'Moondream']", NET_B = "['FluxSchnell', 'BLIP2']";

/** An E2-like experiment: 300 SDXLTurbo/Moondream runs stopped at 584–586 of 1000, the rest complete. */
function e2(nTrunc = 300, nComplete = 150): ChartInput {
  const runs: Run[] = [];
  for (let i = 0; i < nTrunc; i++) {
    const start = T0 + i * MIN;
    runs.push({ id: `t${i}`, experimentId: 'E2', state: 'incomplete', config: NET_A, stepsDone: [584, 584, 584, 585, 586][i % 5], stepsExpected: 1000,
      startedAt: iso(start), lastActivityAt: iso(start + 40 * MIN), stopReason: 'unknown' });
  }
  for (let i = 0; i < nComplete; i++) {
    const start = T0 + i * MIN;
    runs.push({ id: `c${i}`, experimentId: 'E2', state: 'completed', config: i % 2 ? NET_A : NET_B, stepsDone: 1000, stepsExpected: 1000,
      startedAt: iso(start), finishedAt: iso(start + 70 * MIN), lastActivityAt: iso(start + 70 * MIN) });
  }
  runs.push({ id: 'other', experimentId: 'E1', state: 'completed', stepsDone: 3, stepsExpected: 3 });
  return { path: '/x.sqlite', now: iso(T0 + 30 * 24 * 60 * MIN), experiments: [{ id: 'E2', label: 'E2', state: 'completed' }], runs };
}

const binOf = (d: ChartData, step: number) => d.steps.bins.find((b) => b.lo <= step && step < b.hi)!;

test('bin widths: integer steps when the range is small, 1-2-5 ranges otherwise', () => {
  assert.equal(stepWidth(10, 60), 1);
  assert.equal(stepWidth(59, 60), 1);
  assert.equal(stepWidth(60, 60), 2);
  assert.equal(stepWidth(1000, 60), 20);
  assert.equal(stepWidth(100_000, 60), 2000);
});

test('E2: the 584–586 spike lands in one bin of a 0–1000 histogram, coloured by state', () => {
  const d = aggregateCharts(e2(), 'E2');
  assert.equal(d.total, 450);
  assert.equal(d.stepsExpected, 1000);
  assert.equal(d.steps.width, 20);
  assert.equal(d.steps.bins[0]!.lo, 0);
  const spike = binOf(d, 584);
  assert.equal(spike, binOf(d, 586), '584 and 586 share a bin');
  assert.equal(spike.label, '580–599');
  assert.equal(spike.total, 300);
  assert.deepEqual(spike.byState, { incomplete: 300 });
  assert.deepEqual(spike.values, [[584, 180], [585, 60], [586, 60]]);
  const full = d.steps.bins[d.steps.bins.length - 1]!;
  assert.equal(full.label, '1000');
  assert.deepEqual(full.byState, { completed: 150 });
  // every other bin is empty: the spike is the story
  assert.equal(d.steps.bins.filter((b) => b.total > 0).length, 2);
  assert.equal(d.steps.missing, 0);
  assert.equal(d.states.map((s) => `${s.state} ${s.count}`).join(', '), 'incomplete 300, completed 150');
});

test('small ranges get one bin per step', () => {
  const runs: Run[] = [0, 1, 2, 2, 5].map((n, i) => ({ id: `r${i}`, experimentId: 'e', state: n === 5 ? 'completed' : 'incomplete', stepsDone: n, stepsExpected: 5 }));
  const d = aggregateCharts({ path: 'p', now: iso(T0), experiments: [], runs }, 'e');
  assert.deepEqual(d.steps.bins.map((b) => `${b.label}:${b.total}`), ['0:1', '1:1', '2:2', '3:0', '4:0', '5:1']);
  assert.equal(d.steps.bins[2]!.values, undefined);
});

test('configurations: one step histogram each, on the same edges, when there are several', () => {
  const d = aggregateCharts(e2(), 'E2');
  assert.deepEqual(d.groups.map((g) => [g.label, g.total]), [[NET_B, 75], [NET_A, 375]]);
  const a = d.groups.find((g) => g.key === NET_A)!;
  assert.equal(a.steps.bins.length, d.steps.bins.length);
  assert.equal(a.steps.bins[29]!.total, 300);
  assert.equal(a.steps.bins[29]!.label, '580–599');
  const b = d.groups.find((g) => g.key === NET_B)!;
  assert.equal(b.steps.bins[29]!.total, 0);
  // a single configuration: no groups
  const one = aggregateCharts({ ...e2(), runs: e2().runs.map((r) => ({ ...r, config: 'x' })) }, 'E2');
  assert.deepEqual(one.groups, []);
});

test('starts and ends over time share edges; durations use start to end', () => {
  const d = aggregateCharts(e2(), 'E2');
  assert.equal(d.started.bins.length, d.ended.bins.length);
  assert.equal(d.started.bins[0]!.lo, d.ended.bins[0]!.lo);
  assert.equal(d.started.bins.reduce((n, b) => n + b.total, 0), 450);
  // incomplete runs end at their last activity; all 450 runs ended
  assert.equal(d.ended.bins.reduce((n, b) => n + b.total, 0), 450);
  assert.ok(d.started.bins.length <= 60);
  // durations: 40 min (incomplete) and 70 min (completed)
  const dur = d.duration;
  const at = (ms: number) => dur.bins.find((b) => b.lo <= ms && ms < b.hi)!;
  assert.deepEqual(at(40 * MIN).byState, { incomplete: 300 });
  assert.deepEqual(at(70 * MIN).byState, { completed: 150 });
  assert.match(at(40 * MIN).label, /min|h/);
});

test('runs without steps or times are counted as missing, not dropped silently', () => {
  const runs: Run[] = [{ id: 'a', experimentId: 'e', state: 'pending' }, { id: 'b', experimentId: 'e', state: 'running', stepsDone: 4, startedAt: iso(T0), lastActivityAt: iso(T0 + MIN) }];
  const d = aggregateCharts({ path: 'p', now: iso(T0), experiments: [], runs }, 'e');
  assert.equal(d.steps.missing, 1);
  assert.equal(d.started.missing, 1);
  assert.equal(d.ended.missing, 2, 'a running run has not ended');
  assert.equal(d.duration.bins.reduce((n, b) => n + b.total, 0), 1, 'running: duration so far');
  const none = aggregateCharts({ path: 'p', now: iso(T0), experiments: [], runs: [runs[0]!] }, 'e');
  assert.deepEqual(none.steps.bins, []);
  assert.equal(none.steps.missing, 1);
});

test('ids are capped per bin and state; selectRunIds returns every run of a bar', () => {
  const input = e2();
  const d = aggregateCharts(input, 'E2', { idCap: 25 });
  const spike = binOf(d, 585);
  assert.equal(spike.ids.incomplete!.length, 25);
  const all = selectRunIds(input.runs, 'E2', { chart: 'steps', lo: spike.lo, hi: spike.hi, state: 'incomplete' });
  assert.equal(all.total, 300);
  assert.equal(all.ids.length, 300);
  assert.deepEqual(all.ids.slice(0, 25), spike.ids.incomplete);
  const byConfig = selectRunIds(input.runs, 'E2', { chart: 'steps', lo: 1000, hi: 1020, config: NET_B });
  assert.equal(byConfig.total, 75);
  assert.equal(selectRunIds(input.runs, 'E2', { chart: 'state', state: 'completed' }, 10).ids.length, 10);
  const dur = d.duration.bins.find((b) => b.total > 0)!;
  assert.equal(selectRunIds(input.runs, 'E2', { chart: 'duration', lo: dur.lo, hi: dur.hi }).total, dur.total);
  const st = d.started.bins.find((b) => b.total > 0)!;
  assert.equal(selectRunIds(input.runs, 'E2', { chart: 'started', lo: st.lo, hi: st.hi }).total, st.total);
});

function synthetic(n: number): ChartInput {
  const states: RunState[] = ['completed', 'completed', 'completed', 'incomplete', 'failed', 'running', 'stale'];
  const nets = ['A', 'B', 'C', 'D'];
  const runs: Run[] = new Array(n);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const state = states[i % states.length]!;
    const start = T0 + Math.floor(rnd() * 30 * 24 * 60) * MIN;
    const steps = state === 'completed' ? 1000 : state === 'incomplete' ? 584 + (i % 3) : Math.floor(rnd() * 1000);
    const r: Run = { id: `${i.toString(16).padStart(32, '0')}`, experimentId: 'big', state, config: nets[i % 4], stepsDone: steps, stepsExpected: 1000,
      startedAt: iso(start), lastActivityAt: iso(start + Math.floor(rnd() * 600) * MIN) };
    if (state === 'completed' || state === 'failed') r.finishedAt = r.lastActivityAt;
    runs[i] = r;
  }
  return { path: 'big', now: iso(T0 + 40 * 24 * 60 * MIN), experiments: [{ id: 'big', label: 'big' }], runs };
}

test('100,000 runs aggregate in well under a second into a small payload', () => {
  const input = synthetic(100_000);
  // best of three, in CPU time as well as wall time: the machine may be busy with other work
  let d!: ChartData, ms = Infinity, cpu = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    d = aggregateCharts(input, 'big');
    const c = process.cpuUsage(c0);
    ms = Math.min(ms, performance.now() - t0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  const bytes = JSON.stringify(d).length;
  console.log(`# 100,000 runs: aggregated in ${ms.toFixed(0)} ms (${cpu.toFixed(0)} ms CPU), ${(bytes / 1024).toFixed(0)} KiB of JSON, ${d.steps.bins.length} step bins, ${d.groups.length} groups`);
  assert.ok(cpu < 1000, `took ${cpu} ms of CPU (${ms} ms wall)`); // typically 150–350 ms
  assert.equal(d.total, 100_000);
  assert.equal(d.steps.bins.reduce((n, b) => n + b.total, 0), 100_000);
  assert.ok(d.steps.bins.length <= 60);
  assert.ok(bytes < 750_000, `${bytes} bytes`);
  // the ids shipped are a small fraction of 100,000 × 2 charts
  const spike = binOf(d, 585);
  assert.equal(spike.byState.incomplete, input.runs.filter((r) => r.state === 'incomplete').length);
  assert.equal(spike.ids.incomplete!.length, 25);
});
