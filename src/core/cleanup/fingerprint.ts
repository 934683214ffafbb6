// Which version of which file a plan was made on: the header's change counter, the -wal and
// -journal size/mtime (consistent.ts), and the file's identity, size and mtime. A commit by
// anyone (in WAL mode the change counter moves only when page 1 changes, but a checkpoint
// rewrites the file), a VACUUM or a replaced file changes it.
import * as fs from 'node:fs';
import { fingerprint } from '../db/consistent';

export function dbFingerprint(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${fingerprint(file)}|${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
