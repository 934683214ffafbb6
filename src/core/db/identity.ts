// A file's identity: which file (dev/ino) and which version of it (size/mtime). The worker
// reopens when it changes; an open handle refuses to go on when dev/ino changed under it.
import * as fs from 'node:fs';

export interface FileIdentity { dev: number; ino: number; size: number; mtimeMs: number }

export function fileIdentity(file: string): FileIdentity {
  const s = fs.statSync(file);
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
}

export const sameFile = (a: FileIdentity, b: FileIdentity): boolean => a.dev === b.dev && a.ino === b.ino;

export const sameVersion = (a: FileIdentity, b: FileIdentity): boolean =>
  sameFile(a, b) && a.size === b.size && a.mtimeMs === b.mtimeMs;
