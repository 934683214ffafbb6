// Experiment charts webview. Receives ChartData (bins aggregated by the language server) and draws
// it with Chart.js (bundled, no eval, no inline styles), each chart beside a data table. Bars and
// table rows select their runs in the explorer; the canvas is keyboard navigable.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
  type ActiveElement, type ChartConfiguration, type ChartEvent, type TooltipItem,
} from 'chart.js';
import type { ChartBin, ChartData, Histogram } from '../core/charts';
import type { RunState } from '../core/model';
import { announce, applyStateColours, button, cssVar, fmt, h, onThemeChange, plural, stateBadge, stateColours, themeKind, vscodeApi } from './shared/dom';
import type { BarRef, ChartsState, FromChartsWebview, ToChartsWebview } from './shared/messages';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const vscode = vscodeApi<ChartsState>();
const post = (m: FromChartsWebview) => vscode.postMessage(m);
const root = document.getElementById('root')!;
const initial = JSON.parse(document.body.dataset.state ?? '{}') as ChartsState;
vscode.setState(vscode.getState() ?? initial);

let charts: Chart[] = [];
let current: ChartData | undefined;
let received = 0;

const ORDER: RunState[] = ['incomplete', 'failed', 'stale', 'running', 'degraded', 'pending', 'completed'];

interface Palette { states: Record<RunState, string>; fg: string; muted: string; grid: string; border: string; hc: boolean; font: string; started: string; ended: string }
function palette(): Palette {
  const hc = themeKind().startsWith('high-contrast');
  return {
    states: stateColours(), hc,
    fg: cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#cccccc')),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    border: hc ? cssVar('--vscode-contrastBorder', '#6fc3df') : cssVar('--vscode-editor-background', '#1e1e1e'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    started: cssVar('--vscode-charts-blue', '#1a85ff'),
    ended: cssVar('--vscode-charts-purple', '#a066d3'),
  };
}

/** A histogram's series: one per state present, stacked. */
function stateSeries(hist: Histogram, p: Palette) {
  const present = ORDER.filter((s) => hist.bins.some((b) => (b.byState[s] ?? 0) > 0));
  return present.map((s) => ({
    label: s, state: s, data: hist.bins.map((b) => b.byState[s] ?? 0), backgroundColor: p.states[s],
    borderColor: p.border, borderWidth: p.hc ? 1 : 0.5, borderSkipped: false as const,
    barPercentage: 1, categoryPercentage: 0.96,
  }));
}

function baseOptions(p: Palette, xTitle: string, onPick: (index: number, dataset: number) => void, stacked = true): ChartConfiguration<'bar'>['options'] {
  return {
    animation: false, responsive: true, maintainAspectRatio: false,
    font: { family: p.font },
    color: p.fg,
    interaction: { mode: 'nearest', intersect: true, axis: 'x' },
    plugins: {
      legend: { position: 'bottom', labels: { color: p.fg, boxWidth: 12, font: { family: p.font } } },
      tooltip: { enabled: true },
    },
    scales: {
      x: { stacked, title: { display: true, text: xTitle, color: p.muted }, ticks: { color: p.fg, autoSkip: true, maxRotation: 0 }, grid: { display: false }, border: { color: p.grid } },
      y: { stacked, beginAtZero: true, title: { display: true, text: 'runs', color: p.muted }, ticks: { color: p.fg, precision: 0 }, grid: { color: p.grid }, border: { color: p.grid } },
    },
    onClick: (_e: ChartEvent, els: ActiveElement[]) => { const el = els[0]; if (el) onPick(el.index, el.datasetIndex); },
    onHover: (e: ChartEvent, els: ActiveElement[]) => {
      const t = e.native?.target as HTMLElement | undefined;
      if (t) t.style.cursor = els.length ? 'pointer' : 'default';
    },
  };
}

function select(bar: BarRef): void { post({ type: 'select', bar }); }

/** Lets the keyboard walk a chart's bars: ←/→ (Home/End) move between non-empty bars, Enter/Space selects their runs. */
function keyboard(canvas: HTMLCanvasElement, chart: Chart, describe: (i: number) => string, pick: (i: number) => void, count: number,
  nonEmpty: (i: number) => boolean = () => true): void {
  let i = -1;
  const stops = Array.from({ length: count }, (_, k) => k).filter(nonEmpty);
  const show = () => {
    const active = chart.data.datasets.map((_d, di) => ({ datasetIndex: di, index: i })).filter((a) => {
      const v = chart.data.datasets[a.datasetIndex]!.data[a.index];
      return typeof v === 'number' && v > 0;
    });
    const els = active.length ? active : [{ datasetIndex: 0, index: i }];
    chart.setActiveElements(els);
    chart.tooltip?.setActiveElements(els, { x: 0, y: 0 });
    chart.update('none');
    announce(describe(i));
  };
  canvas.addEventListener('keydown', (e) => {
    if (!stops.length) return;
    const at = stops.indexOf(i);
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') i = at < 0 ? stops[0]! : stops[Math.min(stops.length - 1, at + 1)]!;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') i = at < 0 ? stops[0]! : stops[Math.max(0, at - 1)]!;
    else if (e.key === 'Home') i = stops[0]!;
    else if (e.key === 'End') i = stops[stops.length - 1]!;
    else if ((e.key === 'Enter' || e.key === ' ') && i >= 0) { e.preventDefault(); pick(i); return; }
    else return;
    e.preventDefault();
    show();
  });
  canvas.addEventListener('blur', () => { chart.setActiveElements([]); chart.tooltip?.setActiveElements([], { x: 0, y: 0 }); chart.update('none'); });
}

function binSummary(b: ChartBin): string {
  return ORDER.filter((s) => b.byState[s]).map((s) => `${fmt(b.byState[s]!)} ${s}`).join(', ');
}

function exactValues(b: ChartBin): string | undefined {
  if (!b.values?.length) return undefined;
  const shown = b.values.map(([v, n]) => `${v} ×${fmt(n)}`).join(', ');
  const inTop = b.values.reduce((n, [, c]) => n + c, 0);
  return inTop < b.total ? `${shown}, …` : shown;
}

/** The exact span of values in a bin (584–586 inside 580–599). */
function valueSpan(b: ChartBin): string {
  if (!b.values?.length) return b.label;
  const vs = b.values.map(([v]) => v);
  const inTop = b.values.reduce((n, [, c]) => n + c, 0);
  if (inTop < b.total) return b.label;
  const lo = Math.min(...vs), hi = Math.max(...vs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function timeLabel(ms: number, width: number): string {
  const d = new Date(ms);
  return width >= 86_400_000 ? d.toLocaleDateString(undefined, { dateStyle: 'medium' }) : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function binLabels(hist: Histogram): string[] {
  return hist.kind === 'started' || hist.kind === 'ended' ? hist.bins.map((b) => timeLabel(b.lo, hist.width)) : hist.bins.map((b) => b.label);
}

/** A data table of a histogram: non-empty bins, counts per state, a Select button per row. */
function histTable(caption: string, hist: Histogram, labels: string[], pick: (i: number) => void, extra?: (b: ChartBin) => string | undefined): HTMLElement {
  const states = ORDER.filter((s) => hist.bins.some((b) => b.byState[s]));
  const rows = hist.bins.map((b, i) => ({ b, i })).filter(({ b }) => b.total > 0);
  const empty = hist.bins.length - rows.length;
  const table = h('table', { class: 'data' },
    h('caption', {}, caption, empty ? h('span', { class: 'muted' }, ` (${plural(empty, 'empty bin')} not listed)`) : null),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'bin'), ...states.map((s) => h('th', { scope: 'col', class: 'num' }, stateBadge(s))),
      h('th', { scope: 'col', class: 'num' }, 'total'), extra ? h('th', { scope: 'col' }, 'values') : null, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'select')))),
    h('tbody', {}, ...rows.map(({ b, i }) => h('tr', {},
      h('th', { scope: 'row' }, labels[i]!),
      ...states.map((s) => h('td', { class: 'num' }, b.byState[s] ? fmt(b.byState[s]!) : '')),
      h('td', { class: 'num' }, fmt(b.total)),
      extra ? h('td', { class: 'values' }, extra(b) ?? '') : null,
      h('td', {}, button('Select', () => pick(i), { secondary: true, ariaLabel: `Select the ${plural(b.total, 'run')} in ${labels[i]} in the explorer`, title: 'Select these runs in the explorer' })),
    ))));
  return h('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-label': `${caption}: data table` }, table);
}

interface Section { section: HTMLElement; canvas: HTMLCanvasElement }
function section(id: string, title: string, note: string | HTMLElement | null, ariaLabel: string, table: HTMLElement, small = false): Section {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${ariaLabel} Use the arrow keys to move between bars, Enter to select their runs.`, tabindex: '0' });
  const sec = h('section', { class: `chart-section${small ? ' small' : ''}`, 'aria-labelledby': `h-${id}`, id },
    h(small ? 'h3' : 'h2', { id: `h-${id}` }, title),
    note ? h('p', { class: 'note' }, note) : null,
    h('div', { class: 'chart-row' }, h('div', { class: 'chart-box' }, canvas), table));
  return { section: sec, canvas };
}

function histogramChart(sec: Section, hist: Histogram, labels: string[], p: Palette, xTitle: string, pickBar: (bin: number, state?: RunState) => void,
  extraFooter?: (b: ChartBin) => string | undefined): Chart {
  const series = stateSeries(hist, p);
  const cfg: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: { labels, datasets: series },
    options: baseOptions(p, xTitle, (i, di) => pickBar(i, series[di]?.state)),
  };
  cfg.options!.plugins!.tooltip = {
    callbacks: {
      title: (items: TooltipItem<'bar'>[]) => `${xTitle}: ${labels[items[0]?.dataIndex ?? 0]}`,
      label: (item: TooltipItem<'bar'>) => `${item.dataset.label}: ${plural(item.parsed.y ?? 0, 'run')}`,
      footer: (items: TooltipItem<'bar'>[]) => {
        const b = hist.bins[items[0]?.dataIndex ?? 0];
        if (!b) return '';
        const lines = [`total: ${plural(b.total, 'run')}`];
        const extra = extraFooter?.(b);
        if (extra) lines.push(extra);
        lines.push('Click to select these runs in the explorer');
        return lines;
      },
    },
  };
  const chart = new Chart(sec.canvas, cfg);
  keyboard(sec.canvas, chart, (i) => { const b = hist.bins[i]!; return `${labels[i]}: ${plural(b.total, 'run')}${b.total ? ` (${binSummary(b)})` : ''}`; },
    (i) => pickBar(i), hist.bins.length, (i) => hist.bins[i]!.total > 0);
  return chart;
}

/** One sentence that says what the picture shows: the biggest cluster of problem runs. */
function headline(d: ChartData): string | undefined {
  const problem: RunState[] = ['incomplete', 'failed', 'stale'];
  let best: ChartBin | undefined, n = 0;
  for (const b of d.steps.bins) {
    const c = problem.reduce((k, s) => k + (b.byState[s] ?? 0), 0);
    if (c > n) { n = c; best = b; }
  }
  if (!best || n < 2) return undefined;
  const share = Math.round((100 * n) / d.total);
  const states = problem.filter((s) => best!.byState[s]).join('/');
  return `${plural(n, 'run')} (${share}% of ${fmt(d.total)}) stopped at step ${valueSpan(best)}${d.stepsExpected ? ` of ${fmt(d.stepsExpected)}` : ''} (${states}).`;
}

function render(d: ChartData): void {
  const t0 = performance.now();
  for (const c of charts) c.destroy();
  charts = [];
  const p = palette();
  Chart.defaults.color = p.fg;
  Chart.defaults.font.family = p.font;
  root.replaceChildren();
  root.removeAttribute('aria-busy');
  let bars = 0, tables = 0;
  // Build the whole page first, then draw the charts: creating a chart measures its box, and
  // interleaving that with DOM writes would force a layout per chart.
  const later: (() => Chart)[] = [];

  const evaluated = d.evaluatedAt ? new Date(d.evaluatedAt).toLocaleTimeString() : undefined;
  root.append(h('header', { class: 'panel-header' },
    h('div', {}, h('h1', {}, d.experimentLabel, ' ', d.experimentState ? stateBadge(d.experimentState) : null),
      h('p', { class: 'muted' }, [plural(d.total, 'run'), d.profile, d.stepsExpected !== undefined ? `${fmt(d.stepsExpected)} steps expected` : undefined,
        evaluated ? `read at ${evaluated}` : undefined].filter(Boolean).join(' · '))),
    h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Chart actions' }, button('Refresh', () => post({ type: 'refresh' }), { secondary: true, title: 'Read the database again' }))));
  const line = headline(d);
  if (line) root.append(h('p', { class: 'headline', role: 'note' }, line));
  const selected = h('p', { class: 'selected muted', id: 'selected', 'aria-live': 'polite' });
  root.append(selected);
  if (!d.total) { root.append(h('p', {}, 'This experiment has no runs yet.')); finish(t0, 0, 0); return; }

  // 1. step reached
  if (d.steps.bins.length) {
    const labels = binLabels(d.steps);
    const pick = (bin: number, state?: RunState) => select({ chart: 'steps', bin, ...(state ? { state } : {}) });
    const note = [`Bins of ${d.steps.width === 1 ? 'one step' : `${fmt(d.steps.width)} steps`}, coloured by state.`,
      d.steps.missing ? `${plural(d.steps.missing, 'run')} without a step count not shown.` : ''].join(' ');
    const sec = section('steps', 'Step reached', note, `Histogram of the step each of the ${fmt(d.total)} runs reached, stacked by state. ${line ?? ''}`,
      histTable('Step reached', d.steps, labels, (i) => pick(i), exactValues));
    root.append(sec.section);
    later.push(() => histogramChart(sec, d.steps, labels, p, 'step reached', pick, (b) => { const v = exactValues(b); return v ? `exact: ${v}` : undefined; }));
    bars += d.steps.bins.length; tables++;
  } else {
    root.append(h('section', { class: 'chart-section' }, h('h2', {}, 'Step reached'), h('p', { class: 'muted' }, 'These runs record no step counts.')));
  }

  // 2. per configuration
  if (d.groups.length) {
    const grid = h('div', { class: 'groups' });
    root.append(h('section', { class: 'chart-section', 'aria-labelledby': 'h-groups' },
      h('h2', { id: 'h-groups' }, `Step reached by configuration (${d.groups.length}${d.groupsOmitted ? ` largest of ${d.groups.length + d.groupsOmitted}` : ''})`), grid));
    d.groups.forEach((g, gi) => {
      const labels = binLabels(g.steps);
      const pick = (bin: number, state?: RunState) => select({ chart: 'steps', bin, group: g.key, ...(state ? { state } : {}) });
      const counts = ORDER.filter((s) => g.byState[s]).map((s) => `${fmt(g.byState[s]!)} ${s}`).join(', ');
      const sec = section(`group-${gi}`, g.label, `${plural(g.total, 'run')}: ${counts}`, `Step reached for configuration ${g.label}: ${counts}.`,
        histTable(`Step reached, ${g.label}`, g.steps, labels, (i) => pick(i), exactValues), true);
      grid.append(sec.section);
      later.push(() => histogramChart(sec, g.steps, labels, p, 'step reached', pick, (b) => { const v = exactValues(b); return v ? `exact: ${v}` : undefined; }));
      bars += g.steps.bins.length; tables++;
    });
  }

  // 3. runs by state
  {
    const labels = d.states.map((s) => s.state);
    const pick = (i: number) => { const s = d.states[i]; if (s) select({ chart: 'state', bin: i, state: s.state }); };
    const table = h('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-label': 'Runs by state: data table' }, h('table', { class: 'data' },
      h('caption', {}, 'Runs by state'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'state'), h('th', { scope: 'col', class: 'num' }, 'runs'), h('th', { scope: 'col', class: 'num' }, 'share'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'select')))),
      h('tbody', {}, ...d.states.map((s, i) => h('tr', {}, h('th', { scope: 'row' }, stateBadge(s.state)), h('td', { class: 'num' }, fmt(s.count)),
        h('td', { class: 'num' }, `${((100 * s.count) / d.total).toFixed(1)}%`),
        h('td', {}, button('Select', () => pick(i), { secondary: true, ariaLabel: `Select the ${plural(s.count, s.state + ' run')} in the explorer` })))))));
    const sec = section('states', 'Runs by state', null, `Runs by state: ${d.states.map((s) => `${s.count} ${s.state}`).join(', ')}.`, table);
    root.append(sec.section);
    const cfg: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets: [{ label: 'runs', data: d.states.map((s) => s.count), backgroundColor: d.states.map((s) => p.states[s.state]), borderColor: p.border, borderWidth: p.hc ? 1 : 0 }] },
      options: { ...baseOptions(p, 'runs', (i) => pick(i), false), indexAxis: 'y' },
    };
    cfg.options!.plugins!.legend = { display: false };
    cfg.options!.scales = {
      x: { beginAtZero: true, ticks: { color: p.fg, precision: 0 }, grid: { color: p.grid }, title: { display: true, text: 'runs', color: p.muted } },
      y: { ticks: { color: p.fg }, grid: { display: false } },
    };
    cfg.options!.interaction = { mode: 'nearest', intersect: true, axis: 'y' };
    cfg.options!.plugins!.tooltip = { callbacks: {
      label: (item: TooltipItem<'bar'>) => `${plural(d.states[item.dataIndex]!.count, 'run')} (${((100 * d.states[item.dataIndex]!.count) / d.total).toFixed(1)}%)`,
      footer: () => 'Click to select these runs in the explorer',
    } };
    later.push(() => {
      const chart = new Chart(sec.canvas, cfg);
      keyboard(sec.canvas, chart, (i) => `${d.states[i]!.state}: ${plural(d.states[i]!.count, 'run')}`, pick, d.states.length);
      return chart;
    });
    bars += d.states.length; tables++;
  }

  // 4. starts and ends over time
  if (d.started.bins.length) {
    const labels = binLabels(d.started);
    const pick = (chart: 'started' | 'ended', bin: number) => select({ chart, bin });
    const rows = d.started.bins.map((b, i) => ({ s: b, e: d.ended.bins[i]!, i })).filter(({ s, e }) => s.total || e.total);
    const table = h('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-label': 'Starts and ends over time: data table' }, h('table', { class: 'data' },
      h('caption', {}, 'Starts and ends', rows.length < labels.length ? h('span', { class: 'muted' }, ` (${plural(labels.length - rows.length, 'quiet period')} not listed)`) : null),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'from'), h('th', { scope: 'col', class: 'num' }, 'started'), h('th', { scope: 'col', class: 'num' }, 'ended'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'select')))),
      h('tbody', {}, ...rows.map(({ s, e, i }) => h('tr', {}, h('th', { scope: 'row' }, labels[i]!),
        h('td', { class: 'num', title: binSummary(s) }, s.total ? fmt(s.total) : ''), h('td', { class: 'num', title: binSummary(e) }, e.total ? fmt(e.total) : ''),
        h('td', { class: 'actions' },
          s.total ? button('Started', () => pick('started', i), { secondary: true, ariaLabel: `Select the ${plural(s.total, 'run')} started ${labels[i]}` }) : null,
          e.total ? button('Ended', () => pick('ended', i), { secondary: true, ariaLabel: `Select the ${plural(e.total, 'run')} ended ${labels[i]}` }) : null))))));
    const notes = [d.started.missing ? `${plural(d.started.missing, 'run')} without a start time.` : '', d.ended.missing ? `${plural(d.ended.missing, 'run')} not ended (or no end time).` : ''].filter(Boolean).join(' ');
    const width = d.started.width;
    const sec = section('timeline', 'Starts and ends over time', `Per ${width >= 86_400_000 ? `${width / 86_400_000} d` : width >= 3_600_000 ? `${width / 3_600_000} h` : `${width / 60_000} min`}. ${notes}`,
      `Runs started and ended over time, in ${labels.length} periods.`, table);
    root.append(sec.section);
    const cfg: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets: [
        { label: 'started', data: d.started.bins.map((b) => b.total), backgroundColor: p.started, borderColor: p.border, borderWidth: p.hc ? 1 : 0 },
        { label: 'ended', data: d.ended.bins.map((b) => b.total), backgroundColor: p.ended, borderColor: p.border, borderWidth: p.hc ? 1 : 0 },
      ] },
      options: baseOptions(p, 'time', (i, di) => pick(di === 0 ? 'started' : 'ended', i), false),
    };
    cfg.options!.plugins!.tooltip = { callbacks: {
      label: (item: TooltipItem<'bar'>) => {
        const b = (item.datasetIndex === 0 ? d.started : d.ended).bins[item.dataIndex]!;
        return `${item.dataset.label}: ${plural(b.total, 'run')}${b.total ? ` (${binSummary(b)})` : ''}`;
      },
      footer: () => 'Click to select these runs in the explorer',
    } };
    later.push(() => {
      const chart = new Chart(sec.canvas, cfg);
      keyboard(sec.canvas, chart, (i) => `${labels[i]}: ${fmt(d.started.bins[i]!.total)} started, ${fmt(d.ended.bins[i]!.total)} ended`,
        (i) => pick(d.started.bins[i]!.total ? 'started' : 'ended', i), labels.length, (i) => d.started.bins[i]!.total + d.ended.bins[i]!.total > 0);
      return chart;
    });
    bars += labels.length * 2; tables++;
  }

  // 5. durations
  if (d.duration.bins.length) {
    const labels = binLabels(d.duration);
    const pick = (bin: number, state?: RunState) => select({ chart: 'duration', bin, ...(state ? { state } : {}) });
    const sec = section('duration', 'Duration', `From start to end (or to the last activity for runs still going).${d.duration.missing ? ` ${plural(d.duration.missing, 'run')} without both times not shown.` : ''}`,
      `Histogram of run durations, stacked by state.`, histTable('Duration', d.duration, labels, (i) => pick(i)));
    root.append(sec.section);
    later.push(() => histogramChart(sec, d.duration, labels, p, 'duration', pick));
    bars += labels.length; tables++;
  }
  void root.getBoundingClientRect().height; // lay the page out once, before the charts measure their boxes
  const tDom = performance.now();
  let firstChart: number | undefined;
  for (const make of later) { charts.push(make()); firstChart ??= performance.now() - t0; }
  finish(t0, bars, tables, { domMs: tDom - t0, firstChartMs: firstChart ?? 0, chartsMs: performance.now() - tDom });
}

function finish(t0: number, bars: number, tables: number, phases = { domMs: 0, firstChartMs: 0, chartsMs: 0 }): void {
  // measure to the next painted frame: what the user waits for
  requestAnimationFrame(() => setTimeout(() => {
    post({ type: 'rendered', ms: performance.now() - t0, charts: charts.length, bars, tables, theme: themeKind(), ...phases });
  }, 0));
}

function message(text: string, cls = 'muted'): void {
  for (const c of charts) c.destroy();
  charts = [];
  root.removeAttribute('aria-busy');
  root.replaceChildren(h('p', { class: cls, role: cls === 'error' ? 'alert' : undefined }, text),
    button('Try Again', () => post({ type: 'refresh' }), { secondary: true }));
}

window.addEventListener('message', (e: MessageEvent<ToChartsWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading': root.setAttribute('aria-busy', 'true'); return;
    case 'data': {
      received++;
      current = m.data;
      vscode.setState(m.state);
      // keep the scroll position across live updates
      const y = window.scrollY;
      render(m.data);
      if (received > 1) window.scrollTo(0, y);
      return;
    }
    case 'error': message(m.message, 'error'); return;
    case 'selected': {
      const el = document.getElementById('selected');
      if (el) el.textContent = m.message;
      announce(m.message);
      return;
    }
  }
});

applyStateColours();
onThemeChange(() => { applyStateColours(); if (current) render(current); });
post({ type: 'ready' });
