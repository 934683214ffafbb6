// Human output for the terminal: aligned tables, colour only when stdout is a TTY.
import { randomBytes } from 'node:crypto';
import { localDateTime } from '../core/doctor/time';
import type { RunState, Severity } from '../core/model';

const useColour = () => !!process.stdout.isTTY && !process.env.NO_COLOR;
// Colour is written as a private marker (U+E000, a per-process nonce, the code, 'm'), turned into
// the real escape code by terminalSafe only after every control character that came from a
// database has been escaped. The nonce keeps a database from forging a marker.
const MARK = `\uE000${randomBytes(6).toString('hex')}`;
const MARK_RE = new RegExp(`${MARK}(\\d+)m`, 'g');
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const paint = (code: number) => (s: string) => (useColour() ? `${MARK}${code}m${s}${MARK}0m` : s);
export const bold = paint(1);
export const dim = paint(2);
const red = paint(31), green = paint(32), yellow = paint(33), blue = paint(34), magenta = paint(35), cyan = paint(36);

const STATE_COLOUR: Record<RunState, (s: string) => string> = {
  completed: green, running: cyan, stale: yellow, incomplete: red, failed: magenta, pending: dim, degraded: yellow,
};
export const stateText = (s: RunState) => STATE_COLOUR[s](s);

const SEVERITY_COLOUR: Record<Severity, (s: string) => string> = { error: red, warning: yellow, information: blue, hint: dim };
export const severityText = (s: Severity) => SEVERITY_COLOUR[s](s);

/**
 * Text from a database can carry control characters: an ESC sequence could clear the screen, move
 * the cursor or hide lines. Every control character except newline and tab is shown escaped
 * (\x1b); then `paint`'s colour markers become real colour codes.
 */
export function terminalSafe(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(MARK_RE, '\x1b[$1m');
}

/** Visible width of text that may carry colour codes. */
const width = (s: string) => s.replace(MARK_RE, '').replace(CONTROL, '\\xNN').length; // as terminalSafe prints it

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - width(c)))).join('  ').trimEnd();
  return [bold(line(headers)), ...rows.map(line)].join('\n');
}

export function localTime(iso: string | undefined): string {
  return localDateTime(iso) ?? '';
}

export function duration(fromIso?: string, toIso?: string): string {
  if (!fromIso || !toIso) return '';
  const s = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  if (s < 0) return '';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
