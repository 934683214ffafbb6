// How the processes that run the engine are started (the language server, the CLI's read-only
// commands): their Node flags and environment.
import * as os from 'node:os';

// Scans make short-lived objects by the million; V8's defaults size the heap for throughput and
// hold on to what was churned, not what is live:
// - a small young generation (2 MB semi-spaces instead of 16);
// - old space grown by 30 % over the live size at each full GC, instead of up to 4x: the 9.7 GB
//   doctor keeps ~10 MB live but let garbage reach ~44 MB between collections. Measured with the
//   CLI: peak RSS 150-175 → 121-126 MB in the same 24-25 s.
// The first flag must stay the young generation's: the CLI looks for it to know it was relaunched.
// test/bench/run.sh passes the same flags to its server-memory measure (a shell line, not an import).
export const LEAN_HEAP_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=30'] as const;

/** libuv's own floor for io_uring: older kernels' submission thread could spin a core. */
const IO_URING_SINCE = [5, 10, 186] as const;

/**
 * The environment for an engine process: `env` with libuv's io_uring turned on where it is safe.
 *
 * The prefetch helper (src/core/db/prefetch.ts) keeps 16 reads in flight so a cold scan's disk
 * waits overlap SQLite's work. Without io_uring, libuv runs each of them on its 4-thread pool: 4 in
 * flight at most, and a thread hand-off on either side of each. Measured here on the 9.7 GB bench
 * file, cold: 34 → 67 pages read per ms, and the bench run 4.2-4.6 s → 3.8-4.0 s (sqlite3 3.1-3.5).
 * Node 20 turned io_uring off by default because it ignores setuid() (CVE-2024-22017), which these
 * processes never call. libuv reads UV_USE_IO_URING once, as the process starts, hence an
 * environment rather than a call; where the kernel or a seccomp filter refuses io_uring, libuv falls
 * back to its threads. A value the user set is kept.
 */
export function engineEnv(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, release: string = os.release()): NodeJS.ProcessEnv {
  if (platform !== 'linux' || env.UV_USE_IO_URING !== undefined || !kernelAtLeast(release, IO_URING_SINCE)) return env;
  return { ...env, UV_USE_IO_URING: '1' };
}

/** Whether a kernel release such as "6.1.0-18-amd64" or "5.10.186-1" is at least `min`. */
export function kernelAtLeast(release: string, min: readonly number[]): boolean {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) return false;
  const have = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < min.length; i++) if (have[i] !== min[i]) return have[i]! > min[i]!;
  return true;
}
