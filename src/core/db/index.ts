// Public surface of the database layer.
export * from './types';
export { EngineError, engineError, codeForErrno, type EngineErrorCode, type SerializedEngineError } from './errors';
export { readHeader, readChangeCounter } from './header';
export { openDatabase, openDatabaseSync, type FileDatabase } from './open';
export { readConsistent, fingerprint, TORN_READ_MESSAGE, type ConsistentResult, type ConsistentSource } from './consistent';
export { fileIdentity, type FileIdentity } from './identity';
export { loadSqlJs } from './sqljs';
