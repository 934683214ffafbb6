// Built-in profiles and detection. User mappings (generic profiles) are validated elsewhere and
// passed in, so detection treats them exactly like the built-in ones.
import type { SqlDatabase } from '../db/types';
import { egregora } from './builtin/egregora';
import { mlflow } from './builtin/mlflow';
import { optuna } from './builtin/optuna';
import { panicTda } from './builtin/panic-tda';
import { recipeRunner } from './builtin/recipe-runner';
import { zeBenchmarks } from './builtin/ze-benchmarks';
import type { ProfileSpec } from './spec';

export const BUILTIN_PROFILES: readonly ProfileSpec[] = [panicTda, zeBenchmarks, recipeRunner, egregora, mlflow, optuna];

export interface SchemaTable { name: string; columns: string[] }

export function describeSchema(db: SqlDatabase): SchemaTable[] {
  return db.tables().filter((t) => !t.startsWith('sqlite_')).map((name) => ({ name, columns: db.columns(name).map((c) => c.name) }));
}

/** What the schema lacks of the profile's detection rules: "table t" or "t.a, b"; empty when it matches. */
export function unmet(profile: ProfileSpec, schema: SchemaTable[]): string[] {
  const byName = new Map(schema.map((t) => [t.name, new Set(t.columns)]));
  return profile.detect.flatMap((d) => {
    const cols = byName.get(d.table);
    if (!cols) return [`table ${d.table}`];
    const missing = (d.columns ?? []).filter((c) => !cols.has(c));
    return missing.length ? [`${d.table}.${missing.join(', ')}`] : [];
  });
}

export function matches(profile: ProfileSpec, schema: SchemaTable[]): boolean {
  return unmet(profile, schema).length === 0;
}

/** The best matching profile: user mappings first, then priority, then the most specific. */
export function detectProfile(schema: SchemaTable[], userProfiles: readonly ProfileSpec[] = [], forced?: string): ProfileSpec | undefined {
  const all = [...userProfiles, ...BUILTIN_PROFILES];
  if (forced) return all.find((p) => p.name === forced);
  const candidates = all.filter((p) => matches(p, schema));
  const user = new Set(userProfiles);
  candidates.sort((a, b) => Number(user.has(b)) - Number(user.has(a))
    || (b.priority ?? 0) - (a.priority ?? 0) || b.detect.length - a.detect.length);
  return candidates[0];
}

export function profileNames(userProfiles: readonly ProfileSpec[] = []): string[] {
  return [...userProfiles, ...BUILTIN_PROFILES].map((p) => p.name);
}

/**
 * For a file no profile matches: the profile it comes closest to (every table it detects by is
 * there, a few columns are not), with what is missing, so the user hears "looks like MLflow, but
 * runs.end_time is missing" rather than only "unknown schema".
 */
export function nearestProfile(schema: SchemaTable[], userProfiles: readonly ProfileSpec[] = []): { profile: ProfileSpec; missing: string[] } | undefined {
  const tables = new Set(schema.map((t) => t.name));
  let best: { profile: ProfileSpec; missing: string[] } | undefined;
  for (const profile of [...userProfiles, ...BUILTIN_PROFILES]) {
    if (!profile.detect.every((d) => tables.has(d.table))) continue;
    const missing = unmet(profile, schema);
    const count = missing.join(', ').split(', ').length;
    if (missing.length && count <= 3 && (!best || count < best.missing.join(', ').split(', ').length)) best = { profile, missing };
  }
  return best;
}
