// Ids as people read and paste them: the way the system itself prints them. panic-tda stores
// UUIDs as 32 hex chars but prints them dashed (Python's str(UUID)); MLflow stores and prints its
// run ids as 32 hex chars (uuid4().hex), and a dashed one pasted into `mlflow runs` is not found.
// panic-tda's UUIDv7 ids share their first 8+ characters (a timestamp), so a short form must be
// as long as it takes to tell the ids of one set apart.

const HEX32 = /^[0-9a-f]{32}$/i;

/** How a system prints its ids: 'uuid' = 32 hex digits shown dashed 8-4-4-4-12; absent = as stored. */
export type IdStyle = 'uuid';

export function dashed(id: string): string {
  return HEX32.test(id) ? `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`.toLowerCase() : id;
}

/** The id as the system prints it. */
export function shownId(id: string, style: IdStyle | undefined): string {
  return style === 'uuid' ? dashed(id) : id;
}

/** Normalises a pasted id for lookup: dashes and case do not matter for hex UUIDs. */
export function compactId(id: string): string {
  const undashed = id.replace(/-/g, '');
  return /^[0-9a-f]+$/i.test(undashed) ? undashed.toLowerCase() : id;
}

/**
 * Shortest prefix (of the shown form, at least `min` chars) that is unique within `ids`. `keep`:
 * the short forms given last time, kept while still unique, so a run's short id does not change
 * under the user's eyes when other runs go (a cleanup) or come.
 */
export function readableIds(ids: Iterable<string>, style: IdStyle | undefined, min = 8, keep?: ReadonlyMap<string, string>): Map<string, string> {
  const list = [...new Set(ids)];
  const shown = list.map((id) => shownId(id, style));
  const out = new Map<string, string>();
  if (list.every((id) => id.length <= 12)) { list.forEach((id, i) => out.set(id, shown[i])); return out; }
  const sorted = [...shown].sort();
  /** How many shown ids start with `p` (they sit together in sorted order). */
  const startingWith = (p: string): number => {
    const from = lowerBound(sorted, p);
    let n = 0;
    while (from + n < sorted.length && sorted[from + n]!.startsWith(p)) n++;
    return n;
  };
  const need = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) {
    let len = min;
    for (const j of [i - 1, i + 1]) {
      if (j < 0 || j >= sorted.length) continue;
      let k = 0;
      while (k < sorted[i].length && sorted[i][k] === sorted[j][k]) k++;
      len = Math.max(len, k + 1);
    }
    need.set(sorted[i], Math.min(len, sorted[i].length));
  }
  list.forEach((id, i) => {
    const before = keep?.get(id);
    if (before !== undefined && shown[i].startsWith(before) && startingWith(before) === 1) { out.set(id, before); return; }
    let s = shown[i].slice(0, need.get(shown[i]));
    if (s.endsWith('-')) s = shown[i].slice(0, s.length + 1);
    out.set(id, s);
  });
  return out;
}

/** Finds the one id matching a pasted id or unique prefix (dashes and case ignored for hex). */
export function matchId(ids: Iterable<string>, wanted: string): { id?: string; candidates: string[] } {
  const w = compactId(wanted);
  const candidates: string[] = [];
  for (const id of ids) {
    const c = compactId(id);
    if (c === w) return { id, candidates: [id] };
    if (c.startsWith(w)) candidates.push(id);
  }
  return candidates.length === 1 ? { id: candidates[0], candidates } : { candidates };
}

function lowerBound(sorted: readonly string[], x: string): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
}
