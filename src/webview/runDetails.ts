// Run details webview: every column, timings, why the run is in its state, its error text, child
// rows per table, steps done versus expected, and the cleanups that apply (buttons that run the
// extension's cleanup commands, so the usual plan → confirm → archive contract applies).
import type { RunState } from '../core/model';
import { ago, applyStateColours, button, duration, fmt, h, localTime, onThemeChange, plural, stateBadge, themeKind, vscodeApi } from './shared/dom';
import type { FromRunDetailsWebview, RunDetailsState, RunDetailsView, ToRunDetailsWebview } from './shared/messages';

const vscode = vscodeApi<RunDetailsState>();
const post = (m: FromRunDetailsWebview) => vscode.postMessage(m);
const root = document.getElementById('root')!;
const initial = JSON.parse(document.body.dataset.state ?? '{}') as RunDetailsState;
vscode.setState(vscode.getState() ?? initial);

const WHY: Record<RunState, string> = {
  completed: 'The run finished with every step it was expected to do.',
  failed: 'The run ended with an error.',
  incomplete: 'The run ended (it is not running) without doing every step it was expected to do, or was marked incomplete.',
  stale: 'The run claims to be running, but nothing was written for it for longer than the stale threshold: its process most likely died.',
  running: 'The run is running: it was active within the stale threshold.',
  pending: 'The run is queued and has not started.',
  degraded: 'The run finished, but reported degraded results.',
};

function row(label: string, value: Node | string | undefined): HTMLElement | null {
  if (value === undefined || value === '') return null;
  return h('div', { class: 'kv' }, h('dt', {}, label), h('dd', {}, value));
}

function timeWithAgo(iso: string | undefined, now: number): HTMLElement | undefined {
  const t = iso ? Date.parse(iso) : NaN;
  if (!iso) return undefined;
  if (Number.isNaN(t)) return h('span', {}, iso);
  return h('span', {}, h('time', { datetime: iso, title: iso }, localTime(iso)!), h('span', { class: 'muted' }, ` (${ago(Math.max(0, now - t))} ago)`));
}

function sectionEl(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'details-section', 'aria-labelledby': `h-${id}`, id }, h('h2', { id: `h-${id}` }, title), ...children);
}

function render(d: RunDetailsView): void {
  const t0 = performance.now();
  const r = d.run;
  const now = Date.now();
  root.replaceChildren();
  root.removeAttribute('aria-busy');
  const sections: string[] = [];

  root.append(h('header', { class: 'panel-header' },
    h('div', {}, h('h1', {}, `Run ${d.shortId} `, stateBadge(r.state)),
      h('p', { class: 'muted' }, [r.label, d.experimentLabel ? `experiment ${d.experimentLabel}` : undefined, r.config, d.profile].filter(Boolean).join(' · '))),
    h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Run actions' },
      ...d.actions.map((a, i) => button(a.label, () => post({ type: 'action', action: a.action }), { title: a.title, secondary: i > 0 && a.action === 'delete-runs' })),
      button('Show in Explorer', () => post({ type: 'command', command: 'reveal' }), { secondary: true }),
      button('Experiment Charts', () => post({ type: 'command', command: 'charts' }), { secondary: true }),
      button('Reveal in Health Report', () => post({ type: 'command', command: 'report' }), { secondary: true }),
      button('Copy Id', () => post({ type: 'command', command: 'copyId' }), { secondary: true, title: r.id }),
      button('Refresh', () => post({ type: 'command', command: 'refresh' }), { secondary: true }))));

  // why it is in this state
  const lastMs = r.lastActivityAt ? Date.parse(r.lastActivityAt) : NaN;
  const idle = Number.isNaN(lastMs) ? undefined : now - lastMs;
  const threshold = `${fmt(d.staleAfterMinutes)} min`;
  const whyList = h('dl', { class: 'kv-list' },
    row('state', h('span', {}, stateBadge(r.state), ' ', WHY[r.state] ?? '')),
    row('stored status', r.rawStatus ? h('code', {}, r.rawStatus) : undefined),
    row('stop reason', r.stopReason),
    row('last activity', timeWithAgo(r.lastActivityAt, now)),
    row('stale threshold', (r.state === 'stale' || r.state === 'running') && idle !== undefined
      ? `${threshold}: no activity for ${ago(idle)}, ${idle > d.staleAfterMinutes * 60_000 ? 'over' : 'within'} the threshold`
      : `${threshold} (a run that claims to run with no activity for longer is stale)`));
  const findings = d.findings.length ? h('ul', { class: 'findings' }, ...d.findings.map((f) =>
    h('li', { class: `finding sev-${f.severity}` }, h('code', {}, f.code), ' ', f.message))) : null;
  root.append(sectionEl('why', `Why ${r.state}`, whyList, findings)); sections.push('why');

  // steps
  if (r.stepsDone !== undefined || r.stepsExpected !== undefined) {
    const done = r.stepsDone ?? 0, exp = r.stepsExpected;
    const pct = exp ? Math.min(100, (100 * done) / exp) : undefined;
    const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': exp ?? done, 'aria-valuenow': done,
      'aria-label': exp ? `${done} of ${exp} steps` : `${done} steps` }, h('div', { class: `progress-fill state-${r.state}` }));
    (bar.firstChild as HTMLElement).style.width = `${pct ?? 100}%`; // CSSOM: allowed by the CSP (no inline style attribute)
    root.append(sectionEl('steps', 'Steps', bar,
      h('p', {}, exp !== undefined ? `${fmt(done)} of ${fmt(exp)} steps (${pct!.toFixed(1)}%)${done < exp ? `: ${fmt(exp - done)} not done` : ''}.` : `${fmt(done)} steps done (no expected count).`)));
    sections.push('steps');
  }

  // timings
  const start = r.startedAt ? Date.parse(r.startedAt) : NaN;
  const end = r.finishedAt ? Date.parse(r.finishedAt) : NaN;
  const ran = !Number.isNaN(start) ? (!Number.isNaN(end) ? end - start : !Number.isNaN(lastMs) ? lastMs - start : undefined) : undefined;
  root.append(sectionEl('timings', 'Timings', h('dl', { class: 'kv-list' },
    row('started', timeWithAgo(r.startedAt, now) ?? h('span', { class: 'muted' }, 'not recorded')),
    row('last activity', timeWithAgo(r.lastActivityAt, now)),
    row('finished', timeWithAgo(r.finishedAt, now) ?? h('span', { class: 'muted' }, r.state === 'running' || r.state === 'stale' ? 'not yet' : 'not recorded')),
    row(Number.isNaN(end) ? 'duration so far' : 'duration', ran !== undefined && ran >= 0 ? duration(ran) : undefined),
    row('idle for', Number.isNaN(end) && idle !== undefined && r.state !== 'completed' ? ago(idle) : undefined))));
  sections.push('timings');

  // error text
  if (r.error) {
    const pre = h('pre', { class: 'error-text', tabindex: '0', 'aria-label': 'Error text' }, r.error);
    root.append(sectionEl('error', 'Error', pre,
      h('div', { class: 'toolbar' }, button('Copy Error', () => { void navigator.clipboard?.writeText(r.error!); }, { secondary: true }))));
    sections.push('error');
  }

  // child rows
  const children = Object.entries(d.childCounts);
  root.append(sectionEl('children', 'Rows hanging off this run', children.length
    ? h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'table'), h('th', { scope: 'col', class: 'num' }, 'rows'))),
      h('tbody', {}, ...children.map(([t, n]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, t)), h('td', { class: 'num' }, fmt(n))))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'total'), h('td', { class: 'num' }, fmt(children.reduce((k, [, n]) => k + n, 0))))))
    : h('p', { class: 'muted' }, 'No child tables are known for this profile.')));
  sections.push('children');

  // every column
  const cols = Object.entries(d.columns);
  root.append(sectionEl('columns', `All columns (${plural(cols.length, 'column')})`, h('table', { class: 'data columns' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'column'), h('th', { scope: 'col' }, 'value'))),
    h('tbody', {}, ...cols.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, k)),
      h('td', { class: v === null ? 'muted' : 'value' }, v === null ? 'NULL' : String(v))))))));
  sections.push('columns');

  requestAnimationFrame(() => post({ type: 'rendered', ms: performance.now() - t0, sections, theme: themeKind() }));
}

function message(text: string): void {
  root.removeAttribute('aria-busy');
  root.replaceChildren(h('p', { class: 'error', role: 'alert' }, text), button('Try Again', () => post({ type: 'command', command: 'refresh' }), { secondary: true }));
}

window.addEventListener('message', (e: MessageEvent<ToRunDetailsWebview>) => {
  const m = e.data;
  if (m.type === 'loading') root.setAttribute('aria-busy', 'true');
  else if (m.type === 'data') { vscode.setState(m.state); const y = window.scrollY; render(m.data); window.scrollTo(0, y); }
  else if (m.type === 'error') { if (m.state) vscode.setState(m.state); message(m.message); }
});

applyStateColours();
onThemeChange(applyStateColours);
post({ type: 'ready' });
