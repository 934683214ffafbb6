// Runs a command and reports wall time and peak RSS of the child (via python3's getrusage,
// which works where /usr/bin/time is missing), plus its stdout.
import { spawnSync } from 'node:child_process';

export interface Measured { wallS: number; maxRssMb: number; stdout: string; status: number | null; stderr: string }

const WRAPPER = `
import resource, subprocess, sys, time, json
t = time.perf_counter()
try: p = subprocess.run(sys.argv[2:], stdin=sys.stdin, capture_output=True, timeout=float(sys.argv[1]) or None)
except subprocess.TimeoutExpired as e: p = subprocess.CompletedProcess(e.cmd, 124, e.stdout or b'', b'timed out')
w = time.perf_counter() - t
sys.stdout.write(json.dumps(dict(wall=w, rss=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status=p.returncode,
  out=p.stdout.decode(errors='replace'), err=p.stderr.decode(errors='replace')[-2000:])))
`;

/** `timeoutS` 0 = none; a timed-out child reports status 124. `env`: the child's environment. */
export function measure(cmd: string[], input?: string, timeoutS = 0, env?: NodeJS.ProcessEnv): Measured {
  const r = spawnSync('python3', ['-c', WRAPPER, String(timeoutS), ...cmd], { input, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`measure failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { wall: number; rss: number; status: number; out: string; err: string };
  return { wallS: j.wall, maxRssMb: j.rss / 1024, stdout: j.out, status: j.status, stderr: j.err };
}

/** Drops the OS page cache; false (with the reason printed once) when not permitted. */
let dropNote = false;
export function dropCaches(): boolean {
  const r = spawnSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (!dropNote) { console.log(`note: cannot drop caches (${r.stderr.trim()}); "cold" rows are skipped`); dropNote = true; }
  return false;
}
