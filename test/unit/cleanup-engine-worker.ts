// Test worker: the engine worker with the cleanup methods registered (what worker.ts will be once
// it imports '../core/engine/cleanup-handlers').
import '../../src/core/engine/cleanup-handlers';
import '../../src/core/engine/worker';
