// Pure formatting for the run explorer: descriptions, counts, relative times, worst states,
// icons and tooltips. No `vscode` import, so plain-Node unit tests load it (test/unit/tree-*.test.ts).
import { localDateTime, shortDuration } from '../../core/doctor/time';
import { shownId, type IdStyle } from '../../core/ids';
import type { Experiment, Run, RunCounts, RunState } from '../../core/model';
import { DEFAULT_SEVERITY, type FindingCode } from '../../core/model';
import type { DatabaseSummary } from '../../shared/protocol';

/** The one compact duration the product writes (tree, report, CLI, panels). */
export { shortDuration };

/** Worst first: the experiment icon shows the first state it has runs in. */
export const WORST_FIRST: readonly RunState[] = ['stale', 'incomplete', 'failed', 'running', 'degraded', 'pending', 'completed'];

/** Order of the per-state counts in descriptions (`1000 runs · 300 incomplete · 2 stale`). */
export const COUNT_ORDER: readonly RunState[] = ['incomplete', 'stale', 'failed', 'degraded', 'running', 'pending'];

/** A theme icon id and theme colour id, turned into ThemeIcon/ThemeColor by the VS Code layer. */
export interface IconSpec { id: string; color?: string }

export const STATE_ICONS: Record<RunState, IconSpec> = {
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  running: { id: 'loading~spin', color: 'charts.blue' },
  stale: { id: 'warning', color: 'list.warningForeground' },
  incomplete: { id: 'circle-slash', color: 'problemsErrorIcon.foreground' },
  pending: { id: 'circle-outline', color: 'descriptionForeground' },
  degraded: { id: 'warning', color: 'charts.orange' },
};

export function stateIcon(state: RunState): IconSpec { return STATE_ICONS[state] ?? { id: 'circle-outline' }; }

/** The worst state among the experiment's own state and the states it has runs in. */
export function worstState(state: RunState | undefined, counts: RunCounts): RunState {
  for (const s of WORST_FIRST) if ((counts[s] ?? 0) > 0 || s === state) return s;
  return state ?? 'pending';
}

const nf = new Intl.NumberFormat('en-US');
/** `584`, `3220`, `100,000`: digits grouped from five digits on (`1000 runs`, as people write it). */
export function formatCount(n: number): string { return Math.abs(n) < 10_000 ? String(n) : nf.format(n); }

export function plural(n: number, one: string, many = `${one}s`): string { return `${formatCount(n)} ${n === 1 ? one : many}`; }

/** `1,000 runs · 300 incomplete · 2 stale` (states with no runs and `completed` are left out). */
export function countsText(total: number, counts: RunCounts): string {
  const parts = [plural(total, 'run')];
  for (const s of COUNT_ORDER) if ((counts[s] ?? 0) > 0) parts.push(`${formatCount(counts[s]!)} ${s}`);
  return parts.join(' · ');
}

/** Sum of all per-state counts. */
export function totalOf(counts: RunCounts): number { return Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0); }

/** Counts restricted to `states` (all when the filter is empty). */
export function matchingCount(counts: RunCounts, states: readonly RunState[]): number {
  if (!states.length) return totalOf(counts);
  return states.reduce((a, s) => a + (counts[s] ?? 0), 0);
}

export function parseTime(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** `3 d ago`, `just now` (under 5 s), `in 2 min` (clock skew: never a negative "ago"). */
export function ago(iso: string | undefined, now: number): string | undefined {
  const t = parseTime(iso);
  if (t === undefined) return undefined;
  const d = now - t;
  if (d < -5000) return `in ${shortDuration(-d)}`;
  if (d < 5000) return 'just now';
  return `${shortDuration(d)} ago`;
}

/** `584/1000`, `584 steps`, or nothing. */
export function stepsText(run: Pick<Run, 'stepsDone' | 'stepsExpected'>): string | undefined {
  if (run.stepsDone === undefined || run.stepsDone === null) return undefined;
  if (run.stepsExpected !== undefined && run.stepsExpected !== null) return `${formatCount(run.stepsDone)}/${formatCount(run.stepsExpected)}`;
  return plural(run.stepsDone, 'step');
}

/** The time phrase of a run: what happened last, and when. */
export function runTimeText(run: Run, now: number): string | undefined {
  const when = (verb: string, iso: string | undefined) => { const a = ago(iso, now); return a ? `${verb} ${a}` : undefined; };
  switch (run.state) {
    case 'running': return when('active', run.lastActivityAt ?? run.startedAt);
    case 'stale': return when('last active', run.lastActivityAt ?? run.startedAt);
    case 'pending': return when('queued', run.startedAt);
    case 'completed': return when('finished', run.finishedAt ?? run.lastActivityAt);
    case 'failed': return when('failed', run.finishedAt ?? run.lastActivityAt);
    case 'degraded': return when('finished', run.finishedAt ?? run.lastActivityAt);
    case 'incomplete': return when('stopped', run.finishedAt ?? run.lastActivityAt ?? run.startedAt);
  }
  return undefined;
}

export function firstLine(text: string | undefined, max = 60): string | undefined {
  if (!text) return undefined;
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0);
  if (!line) return undefined;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `584/1000 · stopped 3 d ago · unknown` */
export function runDescription(run: Run, now: number, opts: { experimentLabel?: string } = {}): string {
  const parts: (string | undefined)[] = [opts.experimentLabel, stepsText(run), runTimeText(run, now)];
  if (run.state === 'incomplete' || run.state === 'stale') parts.push(run.stopReason);
  if (run.state === 'failed' || run.state === 'degraded') parts.push(firstLine(run.error) ?? run.stopReason);
  return parts.filter((p): p is string => !!p).join(' · ');
}

/** The readable id, plus the system's own label when it says more than the id. */
export function runLabel(run: Run, shortId: string | undefined, idStyle?: IdStyle): string {
  const id = shortId ?? shownId(run.id, idStyle);
  if (!run.label) return id;
  if (run.label.includes(id) || run.label.includes(run.id)) return run.label;
  return `${id} · ${run.label}`;
}

/** `E2 · ['SDXLTurbo','Moondream']`; a long configuration is cut (the tooltip has all of it) so the counts stay visible. */
export function experimentLabel(e: Experiment, maxConfig = 48): string {
  if (!e.config) return e.label;
  const c = e.config.length > maxConfig ? `${e.config.slice(0, maxConfig - 1)}…` : e.config;
  return `${e.label} · ${c}`;
}

/** Findings that count as problems (warning or error severity) for the badge. */
export function problemCount(summaries: readonly DatabaseSummary[]): number {
  let n = 0;
  for (const s of summaries) {
    for (const [code, count] of Object.entries(s.findingCounts ?? {})) {
      const sev = DEFAULT_SEVERITY[code as FindingCode];
      if (sev === 'warning' || sev === 'error') n += count;
    }
  }
  return n;
}

/** Per-state run counts summed over databases (for the filter quick pick). */
export function sumCounts(list: readonly RunCounts[]): RunCounts {
  const out: RunCounts = {};
  for (const c of list) for (const [s, n] of Object.entries(c)) out[s as RunState] = (out[s as RunState] ?? 0) + (n ?? 0);
  return out;
}

/** `incomplete, stale` — the view description while a filter is active. */
export function filterDescription(states: readonly RunState[]): string | undefined {
  return states.length ? `${[...states].sort((a, b) => WORST_FIRST.indexOf(a) - WORST_FIRST.indexOf(b)).join(', ')}` : undefined;
}

/** The view's description: the state filter, and whether deleted rows are shown. */
export function viewDescription(states: readonly RunState[], showHidden: boolean): string | undefined {
  return [filterDescription(states), showHidden ? 'deleted shown' : undefined].filter(Boolean).join(' · ') || undefined;
}

// ---- tooltips (Markdown text; the VS Code layer wraps it in a MarkdownString) ----

/** Escapes Markdown so data (errors, configs) renders as text. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function localTime(iso: string | undefined, now: number): string | undefined {
  return parseTime(iso) === undefined ? undefined : `${localDateTime(iso)} (${ago(iso, now)})`;
}

function table(rows: [string, string | undefined][]): string {
  const kept = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  return ['| | |', '|---|---|', ...kept.map(([k, v]) => `| ${k} | ${v.replace(/\n/g, ' ')} |`)].join('\n');
}

export function runTooltip(run: Run, now: number, ctx: { shortId?: string; experimentLabel?: string; idStyle?: IdStyle }): string {
  const code = (s: string | undefined) => (s ? `\`${s.replace(/`/g, "'")}\`` : undefined);
  const head = `$(${stateIcon(run.state).id.replace('~spin', '')}) **Run ${md(ctx.shortId ?? shownId(run.id, ctx.idStyle))}** — ${run.state}`;
  const rows: [string, string | undefined][] = [
    ['id', code(shownId(run.id, ctx.idStyle))],
    ['label', run.label ? md(run.label) : undefined],
    ['experiment', ctx.experimentLabel ? md(ctx.experimentLabel) : code(shownId(run.experimentId, ctx.idStyle))],
    ['configuration', code(run.config)],
    ['steps', stepsText(run)],
    ['started', localTime(run.startedAt, now)],
    ['last activity', localTime(run.lastActivityAt, now)],
    ['finished', localTime(run.finishedAt, now)],
    ['stored status', code(run.rawStatus)],
    ['stop reason', run.stopReason ? md(run.stopReason) : undefined],
    ['error', run.error ? md(firstLine(run.error, 200)!) : undefined],
  ];
  return `${head}\n\n${table(rows)}`;
}

export function experimentTooltip(e: Experiment, now: number, idStyle?: IdStyle): string {
  const head = `$(${stateIcon(worstState(e.state, e.runCounts)).id.replace('~spin', '')}) **${md(e.label)}** — ${e.state}`;
  const rows: [string, string | undefined][] = [
    ['id', `\`${shownId(e.id, idStyle)}\``],
    ['configuration', e.config ? `\`${e.config.replace(/`/g, "'")}\`` : undefined],
    ['runs', countsText(e.runTotal, e.runCounts)],
    ['completed', e.runCounts.completed ? formatCount(e.runCounts.completed) : undefined],
    ['started', localTime(e.startedAt, now)],
    ['last activity', localTime(e.lastActivityAt, now)],
    ['finished', localTime(e.finishedAt, now)],
  ];
  const missing = e.missingRow ? '\n\n$(warning) The experiment row is gone; its runs were found through them.' : '';
  return `${head}\n\n${table(rows)}${missing}`;
}

export function databaseTooltip(s: DatabaseSummary): string {
  const rows: [string, string | undefined][] = [
    ['path', `\`${s.path.replace(/`/g, "'")}\``],
    ['profile', s.profile],
    ['status', s.status],
    ['experiments', s.status === 'ok' ? formatCount(s.experimentCount) : undefined],
    ['runs', s.status === 'ok' ? countsText(totalOf(s.runCounts), s.runCounts) : undefined],
    ['problems', s.status === 'ok' ? formatCount(problemCount([s])) : undefined],
    ['evaluated', localDateTime(s.evaluatedAt)],
  ];
  const findings = Object.entries(s.findingCounts ?? {}).filter(([, n]) => n > 0).map(([c, n]) => `\`${c}\` ${formatCount(n)}`).join(' · ');
  const parts = [`$(database) **${md(basename(s.path))}**`, table(rows)];
  if (findings) parts.push(findings);
  if (s.message) parts.push(md(s.message));
  if (s.notice) parts.push(`$(info) ${md(s.notice)}`);
  return parts.join('\n\n');
}

export function basename(p: string): string { return p.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? p; }

/** The database's own line: `panic-tda · 8 experiments · 12 problems`, or its status sentence. */
export function databaseDescription(s: DatabaseSummary): string {
  switch (s.status) {
    case 'ok': {
      const p = problemCount([s]);
      return [s.profile, plural(s.experimentCount, 'experiment'), p ? plural(p, 'problem') : 'no problems'].filter(Boolean).join(' · ');
    }
    case 'reading': return 'reading…';
    case 'not-experiment-db': return s.unreadable === 'empty' ? 'empty file' : s.unreadable ? 'not a SQLite database' : 'not an experiment database';
    case 'unknown-schema': return s.message ?? 'unknown schema: create a mapping to read it';
    case 'gone': return s.message ?? 'the file is gone';
    case 'error': return s.message ?? 'cannot be read';
  }
}

export function databaseIcon(s: DatabaseSummary): IconSpec {
  switch (s.status) {
    case 'ok': {
      const worst = worstState(undefined, s.runCounts);
      return { id: 'database', color: worst === 'completed' || worst === 'pending' || worst === 'running' ? undefined : stateIcon(worst).color };
    }
    case 'reading': return { id: 'loading~spin' };
    case 'not-experiment-db': return { id: 'database', color: 'disabledForeground' };
    case 'unknown-schema': return { id: 'question', color: 'list.warningForeground' };
    case 'gone': return { id: 'warning', color: 'list.warningForeground' };
    case 'error': return { id: 'error', color: 'problemsErrorIcon.foreground' };
  }
}
