// Loads sql.js once per process. We load its debug build, patched at bundle time by esbuild.mjs to
// export the Emscripten FS (the in-place file system needs it); the .wasm is copied beside every
// bundle, so it is found next to the running script.
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import initSqlJs = require('sql.js/dist/sql-wasm-debug.js');

/** The subset of the sql.js module we use, plus the FS our bundle exports. */
export type SqlJs = Awaited<ReturnType<typeof initSqlJs>> & { FS: EmscriptenFS };

// Emscripten's FS has no published types; we describe only what we call.
export interface EmscriptenFS {
  mkdir(path: string): void;
  rmdir(path: string): void;
  mount(type: unknown, opts: { root: string }, mountpoint: string): void;
  unmount(mountpoint: string): void;
  writeFile(path: string, data: string | Uint8Array): void;
  unlink(path: string): void;
  createNode(parent: unknown, name: string, mode: number, dev: number): any;
  isDir(mode: number): boolean;
  /** Drops a cached directory entry so the next lookup asks the file system again. */
  hashRemoveNode(node: unknown): void;
  ErrnoError: new (errno: number) => Error;
}

let loading: Promise<SqlJs> | undefined;
let loaded: SqlJs | undefined;

/** The module once loadSqlJs() has resolved (the worker loads it before taking requests). */
export function loadedSqlJs(): SqlJs | undefined {
  return loaded;
}

export function loadSqlJs(): Promise<SqlJs> {
  loading ??= (initSqlJs as unknown as (config: object) => Promise<SqlJs>)({
    locateFile: (file: string) => path.join(__dirname, file),
    printErr: () => undefined, // Emscripten notices; errors reach us as exceptions
    print: () => undefined,
  }).then((SQL) => {
    if (!SQL.FS) throw new Error('sql.js was loaded without its FS export; build with esbuild.mjs');
    loaded = SQL;
    return SQL;
  });
  return loading;
}
