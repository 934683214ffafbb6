// Runs first (file order): nothing has called activate() yet. The demo workspace hides its
// databases from search (.vscode/settings.json), as users often do, and that also hides them from
// `workspaceContains` activation; the extension must start on its own anyway.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { engineEnv } from '../../src/core/engine/launch';
import type { ServerInfo } from '../../src/shared/protocol';

suite('activation', () => {
  test('starts by itself in a workspace whose databases are excluded from search', async function () {
    this.timeout(90_000);
    const exclude = vscode.workspace.getConfiguration('search').get<Record<string, boolean>>('exclude') ?? {};
    assert.ok(exclude['**/*.sqlite'] && exclude['**/*.db'], 'precondition: the demo workspace excludes its databases from search');
    const ext = vscode.extensions.getExtension('experiment-health.experiment-health')!;
    const deadline = Date.now() + 60_000;
    while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.strictEqual(ext.isActive, true, 'not active 60 s after the window opened, and nobody asked it to');
  });

  test('starts the language server with the engine environment (io_uring where the kernel has it)', async function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(60_000);
    let info: ServerInfo | undefined;
    for (let i = 0; i < 200 && !info; i++) {
      info = await vscode.commands.executeCommand<ServerInfo | undefined>('experimentHealth.test.serverInfo');
      if (!info) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(info, 'the language server answers');
    const environ = fs.readFileSync(`/proc/${info.pid}/environ`, 'utf8').split('\0');
    const expected = engineEnv(process.env).UV_USE_IO_URING;
    assert.strictEqual(environ.find((v) => v.startsWith('UV_USE_IO_URING='))?.slice('UV_USE_IO_URING='.length), expected,
      `the server's UV_USE_IO_URING is what engineEnv gives (${expected ?? 'unset'})`);
  });
});
