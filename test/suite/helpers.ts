// Shared by the extension-host suites that read diagnostics of the demo workspace.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const SCHEME = 'experiment-health-report';
export const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

export function reportDiagnostics(): [vscode.Uri, vscode.Diagnostic[]][] {
  return vscode.languages.getDiagnostics().filter(([uri]) => uri.scheme === SCHEME);
}
export function diagnosticsFor(dbFile: string): vscode.Diagnostic[] {
  return reportDiagnostics().find(([uri]) => uri.path === `${dbFile}.health`)?.[1] ?? [];
}
/** Per-run diagnostics (on run lines) of one code; summaries sit on experiment lines and start with a count. */
export const perRun = (d: vscode.Diagnostic[], code: string): vscode.Diagnostic[] =>
  d.filter((x) => x.code === code && !/^\d+ runs? in this experiment/.test(x.message));
/** The builder's expected findings for one system of the demo workspace. */
export const expected = (system: string) => JSON.parse(fs.readFileSync(path.join(ws(), system, 'expected_findings.json'), 'utf8'));

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
