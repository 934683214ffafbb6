// What a write session (cleanup or undo) owes the file around its transaction. sql.js takes no
// locks, so a program that opens, writes and closes between the preflight and BEGIN is seen only
// by the file itself; and once COMMIT has happened, nothing may be reported as "not done".
import type { WriteSession } from '../db/write';
import { dbFingerprint } from './fingerprint';

/**
 * Call right after opening `session` on `file`, with the fingerprint the preflight (and the plan)
 * accepted. Throws `changed()` if the file moved meanwhile; returns the check to run right before
 * BEGIN, which throws the same way and drops the read-ahead cache.
 */
export function guardWrite(session: WriteSession, file: string, checked: string, changed: () => Error): () => void {
  const opened = dbFingerprint(file);
  if (!onlyOurOpen(checked, opened)) { session.close(); throw changed(); }
  return () => {
    if (dbFingerprint(file) !== opened) throw changed();
    session.hostFs.invalidate(); // nothing cached from before the check serves the transaction
  };
}

/**
 * Whether `opened` is still the version `checked`: identical, except that opening a WAL database
 * may have created its empty -wal.
 */
export function onlyOurOpen(checked: string, opened: string): boolean {
  if (checked === opened) return true;
  const a = checked.split('|'), b = opened.split('|');
  return a.length === b.length && a.every((x, i) => x === b[i] || (i === 1 && x === '-' && b[i]!.startsWith('0@')));
}

/** Closes a write session; a failure after COMMIT goes into `problems` (the change is made), before it is thrown. */
export function closeWrite(session: WriteSession, committed: boolean, problems: string[]): void {
  try { session.close(); } catch (e) {
    if (!committed) throw e;
    problems.push(`closing the database after the commit failed (${e instanceof Error ? e.message : String(e)})`);
  }
}
