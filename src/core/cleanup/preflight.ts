// Preflight: before any write, make sure no other process has the database (or its -wal, -shm,
// -journal) open. sql.js takes no file locks, so this check is what keeps a cleanup from
// corrupting a database another program is writing (reference: sqljs-in-place.md §7).
//   Linux: every /proc/<pid>/fd symlink, plus /proc/locks (fcntl/flock locks on the files'
//          inodes, which also shows processes of other users whose fds we cannot list).
//   macOS and other Unix: `lsof -F pcn` on the files that exist.
//   Windows: no per-process check is available without admin tools. We refuse when a -wal/-shm
//          or -journal exists and when the file was modified in the last 10 seconds, and say so.
// Always: refuse when a -journal exists (a live writer or an interrupted write), DuckDB files
// and anything that is not a writable SQLite file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAt } from '../db/header';
import type { PreflightResult, ProcessHolder } from './types';

export interface PreflightOptions {
  /** Processes to ignore (default: this one). */
  ignorePids?: number[];
  platform?: NodeJS.Platform;
  /** Inside our own transaction: the -journal beside the database is ours. */
  ownJournal?: boolean;
}

const SUFFIXES = ['', '-wal', '-shm', '-journal'];

export function preflight(file: string, opts: PreflightOptions = {}): PreflightResult {
  const abs = path.resolve(file);
  const platform = opts.platform ?? process.platform;
  const ignore = new Set(opts.ignorePids ?? [process.pid]);
  const refuse = (reason: string, method: string, holders: ProcessHolder[] = []): PreflightResult => ({ ok: false, holders, reason, method });

  let real: string;
  try { real = fs.realpathSync(abs); } catch { return refuse(`${path.basename(abs)} does not exist.`, 'file check'); }
  const head = readAt(real, 0, 16);
  if (head.length >= 12 && head.toString('latin1', 8, 12) === 'DUCK') {
    return refuse(`${path.basename(abs)} is a DuckDB file; Experiment Health reads DuckDB files but never writes them.`, 'file check');
  }
  if (head.toString('latin1', 0, 16) !== 'SQLite format 3\0') return refuse(`${path.basename(abs)} is not a SQLite database.`, 'file check');
  // Mode bits too: root passes access(2) on a read-only folder, but SQLite in sql.js goes by the
  // bits and could not create its -journal there.
  const writable = (p: string) => { try { fs.accessSync(p, fs.constants.W_OK); return (fs.statSync(p).mode & 0o222) !== 0; } catch { return false; } };
  if (!writable(real) || !writable(path.dirname(real))) {
    return refuse(`${path.basename(abs)} or its folder is not writable${process.getuid?.() === 0 ? ' (its mode allows no writes)' : ' by you'}, so it cannot be cleaned up.`, 'file check');
  }
  const files = SUFFIXES.map((s) => real + s);
  if (!opts.ownJournal && fs.existsSync(`${real}-journal`)) {
    return refuse(`${path.basename(abs)}-journal exists: another program is writing the database, or a write was interrupted. `
      + `If no program uses it, open it once with sqlite3 (e.g. sqlite3 "${abs}" "PRAGMA integrity_check") to roll the interrupted write back, then retry.`, 'file check');
  }

  let holders: ProcessHolder[];
  let method: string;
  if (platform === 'linux' && fs.existsSync('/proc/self/fd')) {
    holders = [...procFdHolders(files, ignore), ...procLockHolders(files, ignore)];
    method = 'Linux: scanned /proc/*/fd and /proc/locks for the database, -wal, -shm and -journal (processes of other users are seen only through their locks)';
  } else if (platform === 'win32') {
    method = 'Windows: no per-process check is available; refused when -wal/-shm/-journal files exist or the file changed in the last 10 s';
    holders = [];
    // Inside our own transaction the -journal or -wal is ours and so is the last write; a -shm
    // never is (our WAL sessions keep the wal-index in memory), so one means another program.
    if (opts.ownJournal) {
      if (fs.existsSync(`${real}-shm`)) return refuse(`${path.basename(abs)}-shm appeared during the cleanup, so another program opened the database.`, method);
      return { ok: true, holders, method: `${method}; inside our own write: a -shm only` };
    }
    const sidecar = files.slice(1).find((f) => fs.existsSync(f));
    if (sidecar) return refuse(`${path.basename(sidecar)} exists, so a program probably has the database open.`, method);
    if (Date.now() - fs.statSync(real).mtimeMs < 10_000) return refuse(`${path.basename(abs)} changed in the last 10 seconds, so a program is probably writing it.`, method);
  } else {
    const l = lsofHolders(files, ignore);
    if (!l) return refuse('Cannot check which programs use the database on this system (lsof is not available).', 'lsof (unavailable)');
    holders = l;
    method = 'lsof -F pcn on the database, -wal, -shm and -journal';
  }
  holders = dedupe(holders);
  if (holders.length) {
    const h = holders[0]!;
    const others = new Set(holders.map((x) => x.pid)).size - 1; // one process often holds the -wal and -shm too
    const more = others > 0 ? ` (and ${others} more process${others === 1 ? '' : 'es'})` : '';
    return refuse(`${path.basename(abs)} is open in another program: pid ${h.pid} (${h.command})${more}. Stop it, or run the plan as SQL yourself.`, method, holders);
  }
  return { ok: true, holders: [], method };
}

function procFdHolders(files: string[], ignore: Set<number>): ProcessHolder[] {
  const wanted = new Set(files);
  const out: ProcessHolder[] = [];
  let pids: string[];
  try { pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return out; }
  for (const p of pids) {
    const pid = Number(p);
    if (ignore.has(pid)) continue;
    let fds: string[];
    try { fds = fs.readdirSync(`/proc/${p}/fd`); } catch { continue; } // gone, or another user's
    for (const fd of fds) {
      let target: string;
      try { target = fs.readlinkSync(`/proc/${p}/fd/${fd}`); } catch { continue; }
      if (wanted.has(target)) out.push({ pid, command: commandLine(pid), file: target });
    }
  }
  return out;
}

function procLockHolders(files: string[], ignore: Set<number>): ProcessHolder[] {
  const inodes = new Map<number, string>();
  for (const f of files) { try { inodes.set(fs.statSync(f).ino, f); } catch { /* absent */ } }
  let text: string;
  try { text = fs.readFileSync('/proc/locks', 'utf8'); } catch { return []; }
  const out: ProcessHolder[] = [];
  for (const line of text.split('\n')) {
    // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128" (OFD locks show pid -1)
    const m = /^\d+:\s+(\S+)\s+\S+\s+\S+\s+(-?\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/i.exec(line.replace(/->\s*/, ''));
    if (!m) continue;
    const pid = Number(m[2]), ino = Number(m[3]);
    const file = inodes.get(ino);
    if (!file || ignore.has(pid)) continue;
    out.push({ pid, command: pid > 0 ? commandLine(pid) : `(an ${m[1]} lock of an unknown process)`, file });
  }
  return out;
}

function lsofHolders(files: string[], ignore: Set<number>): ProcessHolder[] | undefined {
  const existing = files.filter((f) => fs.existsSync(f));
  let text: string;
  try {
    text = execFileSync('lsof', ['-F', 'pcn', '--', ...existing], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; code?: string };
    if (err.code === 'ENOENT') return undefined;
    text = err.stdout ?? ''; // exit status 1: nothing found
  }
  const out: ProcessHolder[] = [];
  let pid = 0, command = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    else if (line.startsWith('c')) command = line.slice(1);
    else if (line.startsWith('n') && pid && !ignore.has(pid)) out.push({ pid, command: commandLine(pid) || command, file: line.slice(1) });
  }
  return out;
}

function commandLine(pid: number): string {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const s = raw.split('\0').filter(Boolean).join(' ');
    if (s) return s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch { /* not Linux, or gone */ }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { return '(unknown command)'; }
}

function dedupe(holders: ProcessHolder[]): ProcessHolder[] {
  const seen = new Set<string>();
  return holders.filter((h) => { const k = `${h.pid}|${h.file}`; if (seen.has(k)) return false; seen.add(k); return true; });
}
