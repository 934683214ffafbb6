// Which version of which file a plan was made on: the header's change counter, the -wal and
// -journal size/mtime (consistent.ts), and the file's identity and size. A commit by anyone,
// a VACUUM or a replaced file changes it.
import * as fs from 'node:fs';
import { fingerprint } from '../db/consistent';

export function dbFingerprint(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${fingerprint(file)}|${s.dev}:${s.ino}:${s.size}`;
  } catch {
    return 'missing';
  }
}
