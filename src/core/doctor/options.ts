import type { NaiveTime } from './time';

export interface DoctorOptions {
  /** Evaluation time (epoch ms). Every rule takes it explicitly so results are reproducible. */
  now: number;
  /** Minutes without activity after which a running run or experiment is stale. */
  staleAfterMinutes: number;
  /** Per-profile overrides of the stale threshold (minutes), by profile name. */
  staleAfterByProfile?: Record<string, number>;
  /** Per-model or per-network overrides (minutes): key matched against the run's model/network text. */
  staleAfterByModel?: Record<string, number>;
  /** How timestamps without a zone that the system writes in local time are read. */
  naive: NaiveTime;
  /** Force a profile by name instead of detecting one. */
  profile?: string;
  /**
   * Per-profile reading of naive timestamps, overriding `naive` for that profile (e.g. Optuna ≥ 5
   * writes naive UTC: { optuna: { zone: 'utc' } }). The result's `naiveTimestamps` says which was used.
   */
  naiveByProfile?: Record<string, NaiveTime>;
  /** Include hidden rows (soft-deleted runs, deleted experiments), marked `hidden` and never flagged. */
  showHidden?: boolean;
}

export const DEFAULT_STALE_MINUTES = 60;

export function defaultOptions(now = Date.now()): DoctorOptions {
  return { now, staleAfterMinutes: DEFAULT_STALE_MINUTES, naive: { zone: 'local' } };
}

/** The stale threshold for one run: the most specific override wins. */
export function staleThresholdMinutes(options: DoctorOptions, profile: string, model: string | undefined): number {
  if (model && options.staleAfterByModel) {
    for (const [key, minutes] of Object.entries(options.staleAfterByModel)) {
      if (model.includes(key)) return minutes;
    }
  }
  return options.staleAfterByProfile?.[profile] ?? options.staleAfterMinutes;
}

/** The options as they apply to one profile (its own naive-time reading, when set). */
export function optionsForProfile(options: DoctorOptions, profile: string): DoctorOptions {
  const naive = options.naiveByProfile?.[profile];
  return naive ? { ...options, naive } : options;
}
