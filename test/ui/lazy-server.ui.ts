// Journey: a window whose folder holds no database never starts the language server (it would cost
// ~40 MB for nothing); the first database that appears starts it and shows up in the Runs view.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot, startCodeServer, openWorkbench, type CodeServer, type Workbench } from './driver';
import { expectRunsView } from './steps';

/** Language servers started under this code-server (its extension host forks dist/server.js). */
function languageServersUnder(root: number): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (!inTree.has(r.pid) && inTree.has(r.ppid)) { inTree.add(r.pid); grew = true; }
  }
  const server = path.join(repoRoot, 'dist/server.js');
  return rows.filter((r) => inTree.has(r.pid) && r.args.includes(server)).length;
}

suite('UI: no database, no language server', function () {
  this.timeout(240_000);
  let server: CodeServer;
  let wb: Workbench;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-empty-ws-'));

  suiteSetup(async () => {
    server = await startCodeServer();
    wb = await openWorkbench(server, { folder, extensionDevelopmentPath: repoRoot });
  });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); fs.rmSync(folder, { recursive: true, force: true }); });

  test('an empty folder: the Runs view shows its welcome, and no server process runs', async () => {
    await expectRunsView(wb);
    await wb.page.locator('.part.sidebar', { hasText: 'No experiment databases found' }).waitFor({ timeout: 60_000 });
    await wb.page.waitForTimeout(5_000); // discovery has long finished
    assert.strictEqual(languageServersUnder(server.pid), 0, 'the language server was started for a folder without databases');
    await wb.screenshot('lazy-01-no-database');
  });

  test('a database appearing starts the server, and the view lists it', async () => {
    execFileSync('python3', ['-c', `import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.executescript("CREATE TABLE jobs (job_id TEXT PRIMARY KEY, status TEXT); INSERT INTO jobs VALUES ('a', 'running');"); c.close()`,
    path.join(folder, 'runs.sqlite')]);
    // The watcher (or discovery's one-minute look) finds it.
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /Other databases|runs\.sqlite/ }).first().waitFor({ timeout: 120_000 });
    assert.strictEqual(languageServersUnder(server.pid), 1, 'one language server once there is a database');
    await wb.screenshot('lazy-02-first-database');
  });
});
