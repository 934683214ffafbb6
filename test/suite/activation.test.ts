// Runs first (file order): nothing has called activate() yet. The demo workspace hides its
// databases from search (.vscode/settings.json), as users often do, and that also hides them from
// `workspaceContains` activation; the extension must start on its own anyway.
import * as assert from 'assert';
import * as vscode from 'vscode';

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
});
