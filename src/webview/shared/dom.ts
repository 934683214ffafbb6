// Small DOM helpers for the panels' webviews: no framework, no innerHTML with data (text only),
// theme colours read from VS Code's --vscode-* variables.
import { localDateTime } from '../../core/doctor/time';
import type { RunState } from '../../core/model';

export interface VsCodeApi<S> { postMessage(message: unknown): void; getState(): S | undefined; setState(state: S): void }
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;
let api: VsCodeApi<unknown> | undefined;
export function vscodeApi<S>(): VsCodeApi<S> { return (api ??= acquireVsCodeApi<unknown>()) as VsCodeApi<S>; }

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** `h('button', { class: 'x', onclick: fn }, 'text')`: attributes as strings, `on*` as listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** Says something to screen readers (the page's polite live region). */
export function announce(text: string): void {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

export function themeKind(): 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** An opaque version of a CSS colour (#rgb, #rrggbb, #rrggbbaa, rgb(a)): some themes give their
 *  chart colours an alpha, which turns bars muddy over the editor background. */
export function opaque(colour: string): string {
  const c = colour.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c)?.[1];
  if (hex && (hex.length === 4 || hex.length === 8)) return `#${hex.length === 4 ? hex.slice(0, 3) : hex.slice(0, 6)}`;
  const rgba = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,/i.exec(c);
  if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
  return c;
}

/** The colour of each state, from the theme's chart palette (the same hues the tree's icons use). */
export function stateColours(): Record<RunState, string> {
  return {
    completed: opaque(cssVar('--vscode-charts-green', '#388a34')),
    failed: opaque(cssVar('--vscode-charts-red', '#e51400')),
    incomplete: opaque(cssVar('--vscode-charts-orange', '#d18616')),
    stale: opaque(cssVar('--vscode-charts-yellow', '#bf8803')),
    running: opaque(cssVar('--vscode-charts-blue', '#1a85ff')),
    degraded: opaque(cssVar('--vscode-charts-purple', '#652d90')),
    pending: opaque(cssVar('--vscode-descriptionForeground', '#717171')),
  };
}

/** Publishes the state colours as --eh-state-<state> for the CSS (badges, progress bars). CSSOM
 *  setProperty is allowed by the content security policy (no inline style attribute). */
export function applyStateColours(): void {
  for (const [s, c] of Object.entries(stateColours())) document.documentElement.style.setProperty(`--eh-state-${s}`, c);
}

/** Calls `fn` when the theme changes (VS Code swaps the body's classes and the root's variables). */
export function onThemeChange(fn: () => void): void {
  // our own --eh-* properties (applyStateColours) live on the same element: leave them out
  const key = () => `${document.body.className}|${(document.documentElement.getAttribute('style') ?? '').replace(/--eh-[^;]*;?\s*/g, '')}`;
  let last = key();
  const check = () => {
    const now = key();
    if (now !== last) { last = now; fn(); }
  };
  const mo = new MutationObserver(check);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

const nf = new Intl.NumberFormat(undefined);
export const fmt = (n: number): string => nf.format(n);
export const plural = (n: number, one: string, many = `${one}s`): string => `${fmt(n)} ${n === 1 ? one : many}`;

/** The product's one compact duration ("3 d"), shared with the tree, report and CLI. */
export { shortDuration as ago } from '../../core/doctor/time';

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (d) return `${d} d ${hh} h ${mm} min`;
  if (hh) return `${hh} h ${mm} min`;
  if (mm) return `${mm} min ${ss} s`;
  return `${ss} s`;
}

export const localTime = localDateTime;

export function stateBadge(state: RunState): HTMLElement {
  return h('span', { class: `badge state-${state}` }, state);
}

export function button(label: string, onclick: () => void, opts: { title?: string; secondary?: boolean; ariaLabel?: string } = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: opts.secondary ? 'secondary' : undefined, title: opts.title, 'aria-label': opts.ariaLabel, onclick: () => onclick() }, label);
}
