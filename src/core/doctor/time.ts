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

/** 'local', 'utc', or a fixed offset the way the setting spells it ('+10:00', '-05:30'). */
export function naiveLabel(n: NaiveTime): string {
  const m = n.utcOffsetMinutes;
  if (n.zone === 'utc' || m === undefined) return n.zone;
  const abs = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
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

/** `12 s`, `5 min`, `3 h`, `3 d`, `2 mo`, `1 y`: compact, as in `stopped 3 d ago`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  const d = Math.floor(h / 24);
  if (d < 60) return `${d} d`;
  const mo = Math.floor(d / 30);
  if (mo < 24) return `${mo} mo`;
  return `${Math.floor(d / 365)} y`;
}

/**
 * A time as every view shows it (tree tooltips, hovers, the CLI, the run details panel): the local
 * wall clock, `2025-11-20 13:00:05`. Text that is not a time is returned as it is.
 */
export function localDateTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "3 d ago", "12 min ago": for descriptions, reports and the CLI. */
export function ago(ms: number, now: number): string {
  return `${shortDuration(now - ms)} ago`;
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
