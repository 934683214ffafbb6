// Node flags for the processes that run the engine (the language server, the CLI's read-only
// commands). Scans make short-lived objects by the million; V8's defaults size the heap for
// throughput and hold on to what was churned, not what is live:
// - a small young generation (2 MB semi-spaces instead of 16);
// - old space grown by 30 % over the live size at each full GC, instead of up to 4x: the 9.7 GB
//   doctor keeps ~10 MB live but let garbage reach ~44 MB between collections. Measured with the
//   CLI: peak RSS 150-175 → 121-126 MB in the same 24-25 s.
// The first flag must stay the young generation's: the CLI looks for it to know it was relaunched.
// test/bench/run.sh passes the same flags to its server-memory measure (a shell line, not an import).
export const LEAN_HEAP_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=30'] as const;
