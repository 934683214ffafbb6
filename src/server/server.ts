import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { ServerInfoRequest } from '../shared/protocol';

// The language server: every database is read here (through the engine's worker thread), never
// in the extension host, so a huge database cannot freeze the editor.
const connection = createConnection(ProposedFeatures.all);

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Full },
  serverInfo: { name: 'Experiment Health', version: PRODUCT_VERSION },
}));

connection.onRequest(ServerInfoRequest, () => ({ version: PRODUCT_VERSION, pid: process.pid, node: process.version }));

connection.listen();
