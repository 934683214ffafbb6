// A thin facade over the VS Code UI (vscode-dvc's src/vscode/*): command handlers take a `Ui`, so
// tests can answer quick picks and read the clipboard without a person.
import * as vscode from 'vscode';

export interface PickItem<T> { label: string; description?: string; detail?: string; value: T; picked?: boolean }

export interface Ui {
  pickOne<T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T | undefined>;
  pickMany<T>(items: PickItem<T>[], options: { title: string; placeHolder?: string }): Promise<T[] | undefined>;
  copy(text: string): Promise<void>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  warn(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string, ...actions: string[]): Promise<string | undefined>;
  /** Modal question; resolves with the chosen action, undefined when cancelled. */
  ask(message: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  status(message: string, ms?: number): void;
}

export const vscodeUi: Ui = {
  async pickOne(items, options) {
    const picked = await vscode.window.showQuickPick(items.map((i) => ({ ...i, label: i.label })), { ...options, matchOnDescription: true });
    return picked?.value;
  },
  async pickMany(items, options) {
    const picked = await vscode.window.showQuickPick(items, { ...options, canPickMany: true, matchOnDescription: true });
    return picked?.map((p) => p.value);
  },
  async copy(text) { await vscode.env.clipboard.writeText(text); },
  info: (m, ...a) => Promise.resolve(vscode.window.showInformationMessage(m, ...a)),
  warn: (m, ...a) => Promise.resolve(vscode.window.showWarningMessage(m, ...a)),
  error: (m, ...a) => Promise.resolve(vscode.window.showErrorMessage(m, ...a)),
  ask: (m, detail, ...a) => Promise.resolve(vscode.window.showWarningMessage(m, { modal: true, detail }, ...a)),
  status(m, ms = 3000) { vscode.window.setStatusBarMessage(m, ms); },
};
