// Experiment charts, aggregated where the data is (the language server): a chart of 100,000 runs
// ships a few hundred bins, each with its counts per state and at most `idCap` run ids per state
// (enough to select a bar's runs in the explorer; the full list is one `selectRunIds` away).
// Pure: no vscode, no I/O, one pass per chart.
import { RUN_STATES, type Run, type RunState } from './model';

/** States in the order charts stack and list them: problems first, then live, then done. */
export const CHART_STATE_ORDER: readonly RunState[] = ['incomplete', 'failed', 'stale', 'running', 'degraded', 'pending', 'completed'];

export type ChartKind = 'steps' | 'duration' | 'started' | 'ended' | 'state';

export interface ChartBin {
  /** Inclusive lower edge (steps, milliseconds of duration, or epoch ms). */
  lo: number;
  /** Exclusive upper edge. */
  hi: number;
  /** `584`, `580–599`, `5–10 min`, or an ISO time for time bins (the webview shows local time). */
  label: string;
  total: number;
  byState: Partial<Record<RunState, number>>;
  /** Run ids per state, each list capped (ChartData.idCap, or smallIdCap in per-configuration and time
   *  charts, durations): compare its length with byState to know whether more runs stand behind the bar. */
  ids: Partial<Record<RunState, string[]>>;
  /** Steps only, bins wider than one step: the exact values in the bin, most frequent first (≤ 5). */
  values?: [value: number, count: number][];
}

export interface Histogram {
  kind: Exclude<ChartKind, 'state'>;
  /** Bin width in the kind's unit (steps, ms); 1 for integer-step bins. */
  width: number;
  bins: ChartBin[];
  /** Runs with no value for this chart (no step count, no start time…). */
  missing: number;
}

export interface StateCount { state: RunState; count: number; ids: string[] }

export interface ConfigGroup {
  key: string;
  label: string;
  total: number;
  byState: Partial<Record<RunState, number>>;
  /** Same bin edges as ChartData.steps, so the groups compare bar for bar. */
  steps: Histogram;
}

export interface ChartData {
  path: string;
  experimentId: string;
  experimentLabel: string;
  experimentState?: RunState;
  profile?: string;
  /** The evaluation's "now" (ISO), and when the server evaluated the database (ISO). */
  now: string;
  evaluatedAt?: string;
  total: number;
  /** The most common steps-expected value, when runs have one. */
  stepsExpected?: number;
  states: StateCount[];
  steps: Histogram;
  /** One per configuration (network, model…) when the runs have more than one; else empty. */
  groups: ConfigGroup[];
  /** Configurations beyond the ones in `groups` (largest first are kept). */
  groupsOmitted: number;
  started: Histogram;
  /** Same bin edges as `started`. */
  ended: Histogram;
  duration: Histogram;
  idCap: number;
  smallIdCap: number;
  /** Time the server spent aggregating, in ms. */
  aggregationMs: number;
}

/** Which runs a bar stands for: the same predicates the aggregation bins by. */
export interface RunSelector {
  chart: ChartKind;
  /** Bin edges (ignored for 'state'). */
  lo?: number;
  hi?: number;
  state?: RunState;
  /** Only runs with this configuration ('' = none). */
  config?: string;
}

export interface ChartOptions {
  /** Run ids kept per bin and state in the main step histogram and by state (default 25). */
  idCap?: number;
  /** Run ids kept per bin and state in per-configuration, time and duration histograms (default min(idCap, 10)). */
  smallIdCap?: number;
  /** Configurations charted separately at most (default 12). */
  maxGroups?: number;
  /** Bins at most per histogram (default 60 for steps and time, 40 for durations). */
  maxBins?: number;
}

const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;
const DURATION_WIDTHS = [1000, 2000, 5000, 10_000, 15_000, 30_000, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];
const TIME_WIDTHS = [MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY,
  7 * DAY, 14 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];
const ENDED: ReadonlySet<RunState> = new Set(['completed', 'failed', 'incomplete', 'degraded']);

/** 1, 2, 5, 10, 20, 50… : the first width giving at most `maxBins` bins over [0, max]. */
export function stepWidth(max: number, maxBins: number): number {
  if (max + 1 <= maxBins) return 1;
  for (let p = 1; ; p *= 10) for (const m of [1, 2, 5]) if (Math.ceil((max + 1) / (m * p)) <= maxBins) return m * p;
}

function pickWidth(span: number, widths: number[], maxBins: number): number {
  for (const w of widths) if (Math.floor(span / w) + 1 <= maxBins) return w;
  const last = widths[widths.length - 1]!;
  return Math.ceil((span + 1) / maxBins / last) * last;
}

export function formatDuration(ms: number): string {
  if (ms < MIN) return `${Math.round(ms / 1000)} s`;
  if (ms < HOUR) return `${+(ms / MIN).toFixed(1)} min`;
  if (ms < DAY) return `${+(ms / HOUR).toFixed(1)} h`;
  return `${+(ms / DAY).toFixed(1)} d`;
}

function durationLabel(lo: number, hi: number): string {
  // "5–10 min", "1–2 h": one unit for both ends, chosen by the upper edge
  const unit = hi <= MIN ? ['s', 1000] as const : hi <= HOUR ? ['min', MIN] as const : hi <= DAY ? ['h', HOUR] as const : ['d', DAY] as const;
  const f = (v: number) => String(+(v / unit[1]).toFixed(2));
  return `${f(lo)}–${f(hi)} ${unit[0]}`;
}

/** Builds a histogram over fixed edges; `value` is NaN for runs without one. */
class Binner {
  readonly bins: ChartBin[];
  missing = 0;
  private readonly exact?: Map<number, number>[];
  constructor(readonly kind: Histogram['kind'], readonly origin: number, readonly width: number, count: number,
    label: (lo: number, hi: number) => string, private readonly idCap: number, exactValues = false) {
    this.bins = Array.from({ length: count }, (_, i) => {
      const lo = origin + i * width, hi = lo + width;
      return { lo, hi, label: label(lo, hi), total: 0, byState: {}, ids: {} };
    });
    if (exactValues && width > 1) this.exact = this.bins.map(() => new Map());
  }
  add(value: number, run: Run): void {
    if (!Number.isFinite(value)) { this.missing++; return; }
    let i = Math.floor((value - this.origin) / this.width);
    if (i < 0) i = 0; else if (i >= this.bins.length) i = this.bins.length - 1;
    const b = this.bins[i]!;
    b.total++;
    b.byState[run.state] = (b.byState[run.state] ?? 0) + 1;
    const ids = b.ids[run.state] ??= [];
    if (ids.length < this.idCap) ids.push(run.id);
    if (this.exact) { const m = this.exact[i]!; m.set(value, (m.get(value) ?? 0) + 1); }
  }
  done(): Histogram {
    if (this.exact) this.bins.forEach((b, i) => {
      if (b.total) b.values = [...this.exact![i]!].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 5);
    });
    return { kind: this.kind, width: this.width, bins: this.bins, missing: this.missing };
  }
}

const empty = (kind: Histogram['kind'], missing: number): Histogram => ({ kind, width: 1, bins: [], missing });

/** Per run, the numbers every chart bins by, parsed once into typed arrays (no per-run objects). */
interface Facts { runs: Run[]; steps: Float64Array; start: Float64Array; end: Float64Array; duration: Float64Array }

function factsOf(runs: Run[]): Facts {
  const n = runs.length;
  const f: Facts = { runs, steps: new Float64Array(n), start: new Float64Array(n), end: new Float64Array(n), duration: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const run = runs[i]!;
    const start = run.startedAt ? Date.parse(run.startedAt) : NaN;
    // the last known moment: finished, else the last activity (often the start string itself: parse once)
    const lastIso = run.finishedAt ?? run.lastActivityAt;
    const last = lastIso === undefined ? NaN : lastIso === run.startedAt ? start : Date.parse(lastIso);
    f.start[i] = start;
    // ended: finished, or the last activity of a run in an ended state
    f.end[i] = run.finishedAt !== undefined || ENDED.has(run.state) ? last : NaN;
    // duration: start to end, or to the last activity for runs still going (running, stale)
    f.duration[i] = last - start >= 0 ? last - start : NaN;
    f.steps[i] = typeof run.stepsDone === 'number' ? run.stepsDone : NaN;
  }
  return f;
}

function stepsBinner(steps: Float64Array, maxBins: number, idCap: number, stepsExpected: number | undefined): Binner | undefined {
  let max = -Infinity;
  for (let i = 0; i < steps.length; i++) if (steps[i]! > max) max = steps[i]!; // NaN compares false
  if (max === -Infinity) return undefined;
  max = Math.max(max, stepsExpected ?? 0, 0);
  const width = stepWidth(max, maxBins);
  const count = Math.floor(max / width) + 1;
  return new Binner('steps', 0, width, count, (lo, hi) => (width === 1 ? String(lo) : `${lo}–${Math.min(hi - 1, max)}`).replace(/^(\d+)–\1$/, '$1'), idCap, true);
}

function mostCommon(values: Iterable<number | undefined>): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) if (typeof v === 'number') counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined, n = 0;
  for (const [v, c] of counts) if (c > n || (c === n && v > best!)) { best = v; n = c; }
  return best;
}

export interface ChartInput {
  path: string;
  now: string;
  profile?: string;
  evaluatedAt?: string;
  experiments: { id: string; label: string; state?: RunState }[];
  runs: readonly Run[];
}

/** Aggregates one experiment's runs into chart data. */
export function aggregateCharts(input: ChartInput, experimentId: string, options: ChartOptions = {}): ChartData {
  const t0 = performance.now();
  const idCap = options.idCap ?? 25;
  const smallCap = options.smallIdCap ?? Math.min(idCap, 10);
  const maxGroups = options.maxGroups ?? 12;
  const runs = input.runs.filter((r) => r.experimentId === experimentId);
  const facts = factsOf(runs);
  const exp = input.experiments.find((e) => e.id === experimentId);
  const stepsExpected = mostCommon(runs.map((r) => r.stepsExpected));

  // runs by state
  const stateIds = new Map<RunState, string[]>(), stateCounts = new Map<RunState, number>();
  for (const r of runs) {
    stateCounts.set(r.state, (stateCounts.get(r.state) ?? 0) + 1);
    const ids = stateIds.get(r.state) ?? [];
    if (ids.length < idCap) ids.push(r.id);
    stateIds.set(r.state, ids);
  }
  const order = [...CHART_STATE_ORDER, ...RUN_STATES.filter((s) => !CHART_STATE_ORDER.includes(s))];
  const states = order.filter((s) => stateCounts.has(s)).map((s) => ({ state: s, count: stateCounts.get(s)!, ids: stateIds.get(s)! }));

  // step reached: overall and per configuration, on the same edges
  const sb = stepsBinner(facts.steps, options.maxBins ?? 60, idCap, stepsExpected);
  let steps: Histogram = empty('steps', runs.length);
  const configs = new Map<string, number[]>();
  for (let i = 0; i < runs.length; i++) {
    const k = runs[i]!.config ?? '';
    const list = configs.get(k);
    if (list) list.push(i); else configs.set(k, [i]);
  }
  const groups: ConfigGroup[] = [];
  let groupsOmitted = 0;
  if (sb) {
    for (let i = 0; i < runs.length; i++) sb.add(facts.steps[i]!, runs[i]!);
    steps = sb.done();
  }
  if (configs.size > 1) {
    const sorted = [...configs].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    groupsOmitted = Math.max(0, sorted.length - maxGroups);
    for (const [key, fs] of sorted.slice(0, maxGroups).sort((a, b) => a[0].localeCompare(b[0]))) {
      const byState: Partial<Record<RunState, number>> = {};
      for (const i of fs) byState[runs[i]!.state] = (byState[runs[i]!.state] ?? 0) + 1;
      let h: Histogram = empty('steps', fs.length);
      if (sb) {
        const gb = new Binner('steps', 0, sb.width, sb.bins.length, (lo) => sb.bins[Math.round(lo / sb.width)]!.label, smallCap, true);
        for (const i of fs) gb.add(facts.steps[i]!, runs[i]!);
        h = gb.done();
      }
      groups.push({ key, label: key || '(no configuration)', total: fs.length, byState, steps: h });
    }
  }

  // starts and ends over time, on shared edges
  let tmin = Infinity, tmax = -Infinity;
  for (let i = 0; i < runs.length; i++) {
    const a = facts.start[i]!, b = facts.end[i]!; // NaN compares false
    if (a < tmin) tmin = a; if (a > tmax) tmax = a; if (b < tmin) tmin = b; if (b > tmax) tmax = b;
  }
  let started = empty('started', runs.length), ended = empty('ended', runs.length);
  if (tmin <= tmax) {
    const width = pickWidth(tmax - tmin, TIME_WIDTHS, options.maxBins ?? 60);
    const origin = Math.floor(tmin / width) * width;
    const count = Math.floor((tmax - origin) / width) + 1;
    const label = (lo: number) => new Date(lo).toISOString().replace(/:00\.000Z$/, 'Z');
    const sbn = new Binner('started', origin, width, count, label, smallCap), ebn = new Binner('ended', origin, width, count, label, smallCap);
    for (let i = 0; i < runs.length; i++) { sbn.add(facts.start[i]!, runs[i]!); ebn.add(facts.end[i]!, runs[i]!); }
    started = sbn.done(); ended = ebn.done();
  }

  // durations
  let dmax = -Infinity;
  for (let i = 0; i < runs.length; i++) if (facts.duration[i]! > dmax) dmax = facts.duration[i]!;
  let duration = empty('duration', runs.length);
  if (dmax >= 0) {
    const width = pickWidth(dmax, DURATION_WIDTHS, Math.min(options.maxBins ?? 40, 40));
    const db = new Binner('duration', 0, width, Math.floor(dmax / width) + 1, durationLabel, smallCap);
    for (let i = 0; i < runs.length; i++) db.add(facts.duration[i]!, runs[i]!);
    duration = db.done();
  }

  const data: ChartData = {
    path: input.path, experimentId, experimentLabel: exp?.label ?? experimentId, now: input.now,
    total: runs.length, states, steps, groups, groupsOmitted, started, ended, duration, idCap, smallIdCap: smallCap, aggregationMs: 0,
  };
  if (exp?.state) data.experimentState = exp.state;
  if (input.profile) data.profile = input.profile;
  if (input.evaluatedAt) data.evaluatedAt = input.evaluatedAt;
  if (stepsExpected !== undefined) data.stepsExpected = stepsExpected;
  data.aggregationMs = Math.round((performance.now() - t0) * 10) / 10;
  return data;
}

/** Every run id a bar stands for (the bins' id lists are capped), up to `limit`. */
export function selectRunIds(runs: readonly Run[], experimentId: string, sel: RunSelector, limit = 10_000): { ids: string[]; total: number } {
  const ids: string[] = [];
  let total = 0;
  const lo = sel.lo ?? -Infinity, hi = sel.hi ?? Infinity;
  for (const r of runs) {
    if (r.experimentId !== experimentId) continue;
    if (sel.state !== undefined && r.state !== sel.state) continue;
    if (sel.config !== undefined && (r.config ?? '') !== sel.config) continue;
    if (sel.chart !== 'state') {
      const f = factsOf([r]);
      const v = (sel.chart === 'steps' ? f.steps : sel.chart === 'duration' ? f.duration : sel.chart === 'started' ? f.start : f.end)[0]!;
      if (!Number.isFinite(v) || v < lo || v >= hi) continue;
    }
    total++;
    if (ids.length < limit) ids.push(r.id);
  }
  return { ids, total };
}
