// Journey: the packaged extension. `npm run package` made experiment-health.vsix; it installs into a
// fresh extensions dir with code-server's --install-extension, and the workbench then activates it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installVsix, openWorkbench, repoRoot, startCodeServer, type CodeServer, type Workbench } from './driver';
import { expectLogChannel, expectRunsView } from './steps';

suite('UI: packaged .vsix', () => {
  const vsix = path.join(repoRoot, 'experiment-health.vsix');
  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-ext-'));
  let server: CodeServer;
  let wb: Workbench;

  // Without the package the other steps cannot run: one failure, not three.
  suiteSetup('npm run package produced experiment-health.vsix', () => {
    assert.ok(fs.existsSync(vsix), `${vsix} missing: npm run package failed or did not run`);
    assert.ok(fs.statSync(vsix).size > 10_000, 'the .vsix is suspiciously small');
  });
  suiteTeardown(async () => { await wb?.close(); server?.kill(); fs.rmSync(extensionsDir, { recursive: true, force: true }); });

  test('it installs with --install-extension into a fresh extensions dir', () => {
    const out = installVsix(vsix, extensionsDir);
    assert.match(out, /successfully installed/i, out);
    const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('experiment-health.experiment-health-'));
    assert.strictEqual(installed.length, 1, `installed: ${fs.readdirSync(extensionsDir).join(', ')}`);
    assert.ok(fs.existsSync(path.join(extensionsDir, installed[0], 'dist/extension.js')), 'dist/extension.js not in the package');
  });

  test('the workbench activates it: Runs view and log channel', async () => {
    server = await startCodeServer({ extensionsDir });
    wb = await openWorkbench(server); // no payload: an ordinary user's workbench
    await expectRunsView(wb);
    await wb.screenshot('vsix-01-runs-view');
    await wb.runCommand('Experiment Health: Show Log');
    await expectLogChannel(wb);
    await wb.screenshot('vsix-02-show-log');
  });
});
