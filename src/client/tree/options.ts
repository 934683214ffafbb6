// View options of the run explorer (grouping, sort, state filter), persisted per workspace.
import { RUN_STATES, type RunState } from '../../core/model';
import type { RunSort } from '../../shared/protocol';

export type GroupBy = 'none' | 'config' | 'state';
export interface ViewOptions {
  groupBy: GroupBy;
  sortBy: RunSort;
  states: RunState[];
  /** Show hidden rows: soft-deleted runs and deleted experiments (MLflow), never flagged. */
  showHidden: boolean;
}

export const DEFAULT_OPTIONS: ViewOptions = { groupBy: 'none', sortBy: 'started', states: [], showHidden: false };
export const OPTIONS_KEY = 'experimentHealth.explorer.options';
export const DEFAULT_PAGE_SIZE = 200;

export const GROUP_LABELS: Record<GroupBy, string> = { none: 'None', config: 'Configuration', state: 'State' };
export const SORT_LABELS: Record<RunSort, string> = { started: 'Start Time (newest first)', state: 'State (problems first)', steps: 'Steps' };

/** Restores options saved by an older or a newer version: unknown values fall back to defaults. */
export function sanitizeOptions(raw: unknown): ViewOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof ViewOptions, unknown>>;
  const groupBy = (['none', 'config', 'state'] as const).find((g) => g === o.groupBy) ?? DEFAULT_OPTIONS.groupBy;
  const sortBy = (['started', 'state', 'steps'] as const).find((s) => s === o.sortBy) ?? DEFAULT_OPTIONS.sortBy;
  const states = Array.isArray(o.states) ? RUN_STATES.filter((s) => (o.states as unknown[]).includes(s)) : [];
  return { groupBy, sortBy, states, showHidden: o.showHidden === true };
}

export function isRunStateList(v: unknown): v is RunState[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && (RUN_STATES as readonly string[]).includes(s));
}

export function sanitizePageSize(v: unknown): number {
  const n = typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : DEFAULT_PAGE_SIZE;
  return Math.min(5000, Math.max(10, n));
}
