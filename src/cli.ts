#!/usr/bin/env node
// experiment-health: the command line over the same engine as the extension.
//   doctor <db> [--json] [--now ISO] [--stale-after MIN] [--profile NAME] [--naive-timestamps local|utc|+HH:MM] [--optuna-datetimes auto|local|utc] [--mapping FILE]
//   runs <db> [--state S[,S]] [--experiment ID] [--tail N] [--json]
//   show <db> <run-id-or-unique-prefix> [--json]
//   cleanup <db> --action A [--experiment ID] [--run ID…] [--table T…] [--dry-run] [--yes] [--json] [--sql] [--archive-dir DIR] [--hard]
//   undo <db> [--yes] [--json] [--archive-dir DIR]
// Exit codes: 0 no warnings or errors, 1 problems found, 2 the database cannot be read (or bad usage).
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { EngineError } from './core/db';
import { doctorJson, doctorText, hasProblems, withDoctor } from './cli/doctor';
import { doctorOptions, userProfiles, UsageError } from './cli/options';
import { findRun, runsText, selectRuns, showText } from './cli/runs';
import { cleanupCommand, undoCommand } from './cli/cleanup';
import { engineEnv, LEAN_HEAP_FLAGS } from './core/engine/launch';
import { profileNames } from './core/profiles/registry';
import { terminalSafe } from './cli/format';

// A scan makes short-lived rows by the million: LEAN_HEAP_FLAGS keep peak RSS near what the doctor
// holds (1 GB doctor: ~165 -> ~132 MB with a small young generation). A shebang cannot pass node
// flags portably and v8.setFlagsFromString comes too late for the heap's sizes, so the CLI runs
// itself once more with the flags and the engine's environment (~40 ms), passing stdio, exit code
// and signals through. Only the read-only commands: a cleanup stays one process, so killing it can
// never leave a writer running on.
function relaunchWithFlags(): number | undefined {
  const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
  if (!['doctor', 'runs', 'show'].includes(command ?? '')) return undefined;
  const youngGeneration = LEAN_HEAP_FLAGS[0].split('=')[0]; // present: we are the relaunched child, or the user chose
  if (process.execArgv.some((a) => a.startsWith(youngGeneration)) || process.env.EXPERIMENT_HEALTH_NO_RELAUNCH) return undefined;
  const r = spawnSync(process.execPath, [...LEAN_HEAP_FLAGS, ...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env: engineEnv() });
  if (r.error) return undefined; // could not start a child: run here, with the default heap
  if (r.signal) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}

const USAGE = `usage: experiment-health <command> <database> [options]

commands:
  doctor <db>            report every problem (exit 1 when there are warnings or errors)
  runs <db>              list runs, newest first
  show <db> <run-id>     every column, timings, error text and child rows of one run
  cleanup <db> --action delete-incomplete|mark-stale|reset-stale|delete-orphans|delete-runs|delete-experiment
                         print the plan (default, --dry-run); --yes applies it after a preflight
                         (archive first, one transaction, verify); exit 0 done, 1 refused, 2 error
  undo <db>              show the last cleanup; --yes restores its archived rows

options:
  --json                         machine-readable output
  --now ISO                      evaluate as of this time (default: now)
  --stale-after MINUTES          stale threshold (default 60)
  --profile NAME                 force a profile instead of detecting it
  --naive-timestamps local|utc|+HH:MM   how times without a zone are read (default local)
  --optuna-datetimes auto|local|utc   Optuna's datetime_* columns: local (Optuna <= 4), UTC (Optuna >= 5),
                                 or auto (default: UTC when version_info says Optuna >= 5 created the file)
  --mapping FILE                 a mapping file (default .vscode/experiment-health.json)
  --state S[,S]  --experiment ID  --tail N    filters for runs
  --run ID (repeatable)  --table T (repeatable)  --yes  --dry-run  --sql  --archive-dir DIR   for cleanup/undo
  --hard                         MLflow: remove the rows instead of marking them deleted (MLflow's own delete)
`;

const OPTIONS = {
  json: { type: 'boolean' }, now: { type: 'string' }, 'stale-after': { type: 'string' }, profile: { type: 'string' },
  'naive-timestamps': { type: 'string' }, mapping: { type: 'string' }, state: { type: 'string' },
  experiment: { type: 'string' }, tail: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  action: { type: 'string' }, run: { type: 'string', multiple: true }, table: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, sql: { type: 'boolean' }, 'no-archive': { type: 'boolean' }, 'archive-dir': { type: 'string' },
  hard: { type: 'boolean' }, 'optuna-datetimes': { type: 'string' },
} as const;

/**
 * `--naive-timestamps -05:00`: parseArgs takes a value starting with '-' for an option and
 * refuses it as ambiguous. A value that starts with '-' and a digit is never an option: join it.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && (OPTIONS as Record<string, { type: string }>)[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: joinNegativeValues(argv), allowPositionals: true, strict: true, options: OPTIONS });
  const [command, file, ...rest] = positionals;
  if (values.help || !command) { process.stdout.write(USAGE); return command ? 0 : 2; }
  if (!file) throw new UsageError(`${command} needs a database path.`);
  const options = doctorOptions(values);
  const profiles = userProfiles(values.mapping);
  if (options.profile && !profileNames(profiles).includes(options.profile)) {
    throw new UsageError(`--profile ${options.profile} is not a profile; known: ${profileNames(profiles).join(', ')}.`);
  }
  const out = (s: string) => { const safe = values.json ? s : terminalSafe(s); process.stdout.write(safe.endsWith('\n') ? safe : `${safe}\n`); };

  switch (command) {
    case 'doctor':
      return withDoctor(file, options, profiles, (r) => {
        out(values.json ? JSON.stringify(doctorJson(r), null, 2) : doctorText(r));
        return r.status === 'unknown-schema' ? 2 : hasProblems(r) ? 1 : 0;
      });
    case 'runs': {
      const tail = values.tail === undefined ? undefined : Number(values.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) throw new UsageError(`--tail ${values.tail} must be a positive whole number.`);
      return withDoctor(file, options, profiles, (r) => {
        if (r.status === 'unknown-schema') { out(values.json ? JSON.stringify(doctorJson(r), null, 2) : doctorText(r)); return 2; }
        const runs = selectRuns(r, { state: values.state, experiment: values.experiment, tail });
        out(values.json ? JSON.stringify(runs, null, 2) : runsText(r, runs));
        return 0;
      });
    }
    case 'show': {
      const wanted = rest[0];
      if (!wanted) throw new UsageError('show needs a run id or a unique prefix of one.');
      return withDoctor(file, options, profiles, async (r, detailsOf) => {
        if (r.status === 'unknown-schema') { out(values.json ? JSON.stringify(doctorJson(r), null, 2) : doctorText(r)); return 2; }
        const run = findRun(r, wanted);
        const details = (await detailsOf(run.id, r.profile)) ?? { columns: {}, childCounts: {} };
        if (values.json) {
          const columns = Object.fromEntries(Object.entries(details.columns).map(([k, v]) => [k, v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === 'bigint' ? String(v) : v]));
          out(JSON.stringify({ run, columns, childCounts: details.childCounts, findings: r.findings.filter((f) => f.runId === run.id) }, null, 2));
        } else out(showText(r, run, details.columns, details.childCounts));
        return 0;
      });
    }
    case 'cleanup':
      return cleanupCommand(file, values, options, profiles, out);
    case 'undo':
      return undoCommand(file, values, out);
    default:
      throw new UsageError(`Unknown command ${command}.`);
  }
}

// `experiment-health runs db | head`: the reader went away; that is the end, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

const relaunched = relaunchWithFlags();
if (relaunched !== undefined) process.exitCode = relaunched;
else main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof EngineError || e instanceof UsageError) {
    process.stderr.write(`experiment-health: ${terminalSafe(e.message)}\n`);
    // --json readers get the error as JSON too, not an empty stdout.
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: e instanceof EngineError ? e.code : 'usage', message: e.message } }, null, 2)}\n`);
  }
  else if (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) process.stderr.write(`experiment-health: ${e.message}\n${USAGE}`);
  else process.stderr.write(`experiment-health: unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 2;
});
