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

/**
 * Whether `opened` (taken once our write session had the file open) is still the version
 * `checked` (the one the preflight and the plan saw): identical, except that opening a WAL
 * database may have created its empty -wal. sql.js takes no locks, so a program that opens,
 * writes and closes in between is seen only this way.
 */
export function onlyOurOpen(checked: string, opened: string): boolean {
  if (checked === opened) return true;
  const a = checked.split('|'), b = opened.split('|');
  return a.length === b.length && a.every((x, i) => x === b[i] || (i === 1 && x === '-' && b[i]!.startsWith('0@')));
}
