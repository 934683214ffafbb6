// The language server: every database is read here (through the engine's worker thread), never
// in the extension host, so a huge database cannot freeze the editor.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { EngineClient } from '../core/engine/client';
import {
  CloseDatabaseRequest, DatabasesChangedNotification, DatabasesRequest, ExperimentsRequest, FindingsRequest, GroupsRequest,
  OpenDatabaseRequest, ReportLocationRequest, ReportRequest, RunDetailsRequest, RunsRequest, ServerInfoRequest, WorkspaceDatabasesRequest,
  type DatabaseSummary,
} from '../shared/protocol';
import { registerCharts } from './charts';
import { registerCleanup } from './cleanup';
import { registerFeatures } from './features';
import { runGroups, runsPage } from './queries';
import { DatabaseSession, type DatabaseEngine, type SessionHost } from './session';
import { DuckDbEngine, isDuckDbPath } from '../core/duckdb/engine';

const connection = createConnection(ProposedFeatures.all);
const engine = new EngineClient(path.join(__dirname, 'engine-worker.js'));
// DuckDB files get their own reader, started only when one is opened and stopped when idle.
let duck: DuckDbEngine | undefined;
/** The DuckDB reader stops after a minute without calls (EH_DUCKDB_IDLE_MS: tests measure memory after it). */
const duckIdleMs = () => { const n = Number(process.env.EH_DUCKDB_IDLE_MS); return Number.isFinite(n) && n >= 1000 ? n : 60_000; };
const engineFor = (p: string): DatabaseEngine => (isDuckDbPath(p) ? (duck ??= new DuckDbEngine({ workerPath: path.join(__dirname, 'duckdb-worker.js'), idleMs: duckIdleMs() })) : engine);
const sessions = new Map<string, DatabaseSession>();
let folders: string[] = [];

const pendingChanges = new Set<string>();
let flush: NodeJS.Timeout | undefined;
const host: SessionHost = {
  connection, engineFor,
  workspaceFolders: () => folders,
  // Coalesce change notifications: one per 100 ms at most, naming every changed database.
  changed: (p) => {
    pendingChanges.add(p);
    flush ??= setTimeout(() => {
      flush = undefined;
      const paths = [...pendingChanges];
      pendingChanges.clear();
      void connection.sendNotification(DatabasesChangedNotification, { paths });
    }, 100);
  },
  log: (level, message) => connection.console[level === 'warn' ? 'warn' : level](message),
};

connection.onInitialize((params) => {
  folders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      documentSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'Experiment Health', version: PRODUCT_VERSION },
  };
});

connection.onDidChangeConfiguration(() => { for (const s of sessions.values()) void s.evaluate('settings changed'); });
connection.onRequest(ServerInfoRequest, () => {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1e5) / 10;
  return { version: PRODUCT_VERSION, pid: process.pid, node: process.version, memory: { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) }, duckdbReader: !!duck?.running };
});

function open(p: string, explicit: boolean): DatabaseSession {
  const abs = path.resolve(p);
  let s = sessions.get(abs);
  if (!s) {
    s = new DatabaseSession(abs, host, explicit);
    sessions.set(abs, s);
    void s.evaluate('opened');
  } else if (explicit) s.explicit = true;
  return s;
}

function summaries(): DatabaseSummary[] {
  return [...sessions.values()].map((s) => s.summary()).sort((a, b) => a.path.localeCompare(b.path));
}

connection.onRequest(WorkspaceDatabasesRequest, async ({ paths, named = [] }) => {
  const wanted = new Set(paths.map((p) => path.resolve(p)));
  const namedSet = new Set(named.map((p) => path.resolve(p)));
  for (const [p, s] of sessions) if (!wanted.has(p) && !s.explicit) { s.dispose(); sessions.delete(p); }
  const opened = [...wanted].map((p) => open(p, false));
  for (const s of opened) {
    const wasNamed = s.named;
    s.named = namedSet.has(s.path);
    if (s.named !== wasNamed && s.evaluatedAt && (s.named ? s.unreadable : s.status === 'error')) void s.evaluate('named in settings');
  }
  // Answer once the first evaluation of each database is done, so the first tree is complete.
  await Promise.all(opened.map((s) => (s.evaluatedAt ? undefined : s.evaluate('first read'))));
  return summaries();
});

connection.onRequest(OpenDatabaseRequest, async ({ path: p }) => {
  const s = open(p, true);
  // A file listed quietly as "not a database" (found by the search) now gets its error: the user asked for it.
  if (!s.evaluatedAt || s.unreadable) await s.evaluate('opened');
  return s.summary();
});

connection.onRequest(CloseDatabaseRequest, ({ path: p }) => {
  const abs = path.resolve(p);
  sessions.get(abs)?.dispose();
  sessions.delete(abs);
  host.changed(abs);
});

connection.onRequest(DatabasesRequest, () => summaries());
const sessionFor = (p: string) => sessions.get(path.resolve(p));
connection.onRequest(ExperimentsRequest, ({ path: p, showHidden }) => sessionFor(p)?.resultFor(showHidden)?.experiments ?? []);
connection.onRequest(RunsRequest, (params) => {
  const r = sessionFor(params.path)?.resultFor(params.showHidden);
  return r ? runsPage(r, params) : { runs: [], total: 0, shortIds: {} };
});
connection.onRequest(GroupsRequest, (params) => {
  const r = sessionFor(params.path)?.resultFor(params.showHidden);
  return r ? runGroups(r, params) : [];
});
connection.onRequest(FindingsRequest, ({ path: p }) => sessionFor(p)?.result?.findings ?? []);
connection.onRequest(ReportRequest, ({ path: p }) => {
  const s = sessionFor(p);
  return { text: s?.report.text ?? `# Experiment Health — ${path.basename(p)}\n\nThis database is not open. Run "Experiment Health: Open Database…".\n` };
});
connection.onRequest(ReportLocationRequest, ({ path: p, experimentId, runId }) => {
  const s = sessionFor(p);
  if (!s) return null;
  const line = (runId !== undefined ? s.report.runLine.get(runId) : undefined)
    ?? (experimentId !== undefined ? s.report.experimentLine.get(experimentId) : undefined) ?? 0;
  return { uri: s.reportUri, line };
});

connection.onRequest(RunDetailsRequest, async ({ path: p, runId }) => {
  const s = sessionFor(p);
  const r = s?.result;
  const run = r?.runs.find((x) => x.id === runId);
  if (!s || !r || !run) return null;
  const details = await engineFor(s.path).call('runDetails', { path: s.path, runId, profile: r.profile, profiles: s.profiles });
  const columns: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(details?.columns ?? {})) {
    columns[k] = v instanceof Uint8Array ? `<${v.length.toLocaleString('en-US')} bytes>` : typeof v === 'bigint' ? v.toString() : v;
  }
  return {
    run, shortId: r.shortIds[run.id] ?? run.id, experimentLabel: r.experiments.find((e) => e.id === run.experimentId)?.label,
    columns, childCounts: details?.childCounts ?? {}, findings: s.findingsFor(undefined, runId),
    staleAfterMinutes: r.staleAfterMinutes, profile: r.profile,
  };
});

registerFeatures(connection, sessionFor);
registerCleanup(connection, engine, sessionFor, () => folders, () => duck ?? new DuckDbEngine({ workerPath: path.join(__dirname, 'duckdb-worker.js') }));
registerCharts(connection, sessionFor);

connection.onShutdown(async () => {
  for (const s of sessions.values()) s.dispose();
  sessions.clear();
  await engine.dispose();
  await duck?.dispose();
});

connection.listen();
