import * as vscode from 'vscode';

/** Base for anything that owns VS Code resources: register them once, dispose them together. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.owned.splice(0).reverse()) {
      try { d.dispose(); } catch { /* one failing disposal must not keep the rest alive */ }
    }
  }
}
