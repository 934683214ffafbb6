// User mappings ("generic" profiles) from settings or .vscode/experiment-health.json, validated
// against the JSON schema the extension ships (the editor validates the file with it too).
import Ajv from 'ajv';
import schema from '../../../media/experiment-health.schema.json';
import type { ProfileSpec, TimeSpec } from './spec';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFile = ajv.compile(schema);
const { $id: _id, ...anonymous } = schema;
const validateProfiles = ajv.compile({ ...anonymous, required: [], properties: undefined, type: 'array', items: { $ref: '#/definitions/profile' } });

export interface MappingResult { profiles: ProfileSpec[]; errors: string[] }

/** Parses the workspace mapping file; errors name the file and the JSON path. */
export function parseMappingFile(text: string, source: string): MappingResult {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) {
    return { profiles: [], errors: [`${source} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  if (!validateFile(data)) return { profiles: [], errors: describe(validateFile.errors, source) };
  return { profiles: normalise((data as { profiles: unknown[] }).profiles), errors: [] };
}

/** Validates the `experimentHealth.profiles` setting (an array of profiles). */
export function parseMappingSetting(value: unknown, source = 'experimentHealth.profiles'): MappingResult {
  if (value === undefined || value === null) return { profiles: [], errors: [] };
  if (!validateProfiles(value)) return { profiles: [], errors: describe(validateProfiles.errors, source) };
  return { profiles: normalise(value as unknown[]), errors: [] };
}

type AjvErrors = typeof validateFile.errors;

function describe(errors: AjvErrors, source: string): string[] {
  return (errors ?? []).slice(0, 10).map((e) => `${source}${e.instancePath ? ` at ${e.instancePath}` : ''}: ${e.message ?? 'invalid'}`);
}

/** Time columns may be written as a bare name; the engine wants { expr }. */
function normalise(raw: unknown[]): ProfileSpec[] {
  const time = (t: unknown): TimeSpec | undefined => (typeof t === 'string' ? { expr: t } : (t as TimeSpec | undefined));
  return raw.map((p) => {
    const spec = structuredClone(p) as ProfileSpec & { runs: Record<string, unknown>; experiments?: Record<string, unknown> };
    for (const k of ['startedAt', 'finishedAt', 'heartbeat'] as const) if (spec.runs[k] !== undefined) spec.runs[k] = time(spec.runs[k]);
    for (const k of ['startedAt', 'finishedAt'] as const) if (spec.experiments?.[k] !== undefined) spec.experiments[k] = time(spec.experiments[k]);
    for (const c of spec.children ?? []) if (c.activity) c.activity = c.activity.map((a) => time(a)!);
    return spec as ProfileSpec;
  });
}
