import type * as vscode from 'vscode';
import { DatabasesChangedNotification, DatabasesRequest, ExperimentsRequest, GroupsRequest, RunsRequest } from '../../shared/protocol';
import type { ServerConnection } from '../languageClient';
import type { ExplorerSource } from './nodes/base';

/** The explorer's data, asked of the language server (all SQL runs there). */
export function serverSource(connection: ServerConnection): ExplorerSource {
  return {
    // Before the server runs (no database found yet) there is nothing to list: the welcome view shows.
    databases: () => (connection.started ? connection.request(DatabasesRequest) : Promise.resolve([])),
    experiments: (params) => connection.request(ExperimentsRequest, params),
    runs: (params) => connection.request(RunsRequest, params),
    groups: (params) => connection.request(GroupsRequest, params),
  };
}

/**
 * Subscribes to DatabasesChangedNotification. vscode-languageclient keeps ONE handler per
 * notification method (a second onNotification replaces the first), so when the connection offers
 * a shared event (`onDatabasesChanged`) we use it; otherwise we register the handler directly.
 */
export function onDatabasesChanged(connection: ServerConnection, listener: (paths: string[]) => void): vscode.Disposable {
  const shared = (connection as unknown as { onDatabasesChanged?: vscode.Event<{ paths: string[] }> }).onDatabasesChanged;
  if (typeof shared === 'function') return shared((e) => listener(e.paths));
  return connection.client.onNotification(DatabasesChangedNotification, (e) => listener(e.paths));
}
