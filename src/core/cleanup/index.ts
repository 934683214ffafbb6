// Public surface of the cleanup engine: plan → preflight → execute (archive, transaction,
// verify) → undo. Synchronous over sql.js; the engine worker and the CLI call these.
export * from './types';
export { buildPlan, isActive, type BuiltPlan } from './plan';
export { preflight } from './preflight';
export { executeCleanup, comparePlans, PLAN_CHANGED, type ExecuteHooks } from './execute';
export { undoInfo, undoCleanup, lastCleanup, type UndoParams } from './undo';
export { renderScript } from './sql-script';
export { defaultArchiveDirectory, listManifests, readManifest, type Manifest } from './archive';
export { dbFingerprint } from './fingerprint';
