// Timestamps as the systems write them: naive local wall time, SQLite's CURRENT_TIMESTAMP (UTC
// without a zone), ISO with 'T' or 'Z', DuckDB's '+00', epoch seconds or milliseconds. Everything
// becomes epoch milliseconds (UTC) so rules compare like with like.

/** How to read a timestamp that carries no zone. */
export interface NaiveTime {
  /** 'local': the wall time of the machine that wrote it (assumed to be this one); 'utc'. */
  zone: 'local' | 'utc';
  /** Overrides the local zone with a fixed offset east of UTC, e.g. +600 for Canberra. */
  utcOffsetMinutes?: number;
}

const TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses one stored value. Returns undefined for NULL or anything unparseable, so a bad
 * timestamp never turns into a plausible wrong time.
 */
export function parseTimestamp(value: unknown, naive: NaiveTime): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return fromEpoch(Number(s));
  const m = TEXT.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0; // truncate to ms, no float rounding
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms] as const;
  if (fields[1] > 11 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 60) return undefined;
  const utc = Date.UTC(...fields);
  if (zone) return utc - zoneOffsetMinutes(zone) * 60_000;
  if (naive.zone === 'utc') return utc;
  if (naive.utcOffsetMinutes !== undefined) return utc - naive.utcOffsetMinutes * 60_000;
  return new Date(...fields).getTime(); // local wall time, with this machine's DST rules
}

/** Epoch numbers: milliseconds when they are too big to be seconds (anything after 1973). */
function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n > 1e11 ? Math.round(n) : Math.round(n * 1000);
}

function zoneOffsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

export function toIso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** "3 d ago", "12 min ago": for descriptions and reports. */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Formats a time the way a naive column of this encoding stores it (used when cleanup writes). */
export function formatNaive(ms: number, naive: NaiveTime, style: 'space' | 'T' | 'micro'): string {
  const offset = naive.zone === 'utc' ? 0 : naive.utcOffsetMinutes ?? -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + offset * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  if (style === 'T') return `${date}T${time}.${p(d.getUTCMilliseconds(), 3)}000`;
  if (style === 'micro') return `${date} ${time}.${p(d.getUTCMilliseconds(), 3)}000`;
  return `${date} ${time}`;
}
