// duckdb-wasm's stock NODE_RUNTIME opens EVERY file O_CREAT|O_RDWR and cannot open a file
// read-only at all (reference/duckdb-wasm.md). This runtime opens local files O_RDONLY, returns
// "missing" only for ENOENT when DuckDB allows it, and refuses every write-side operation
// (truncate, remove, move, mkdir), so nothing a user's DuckDB file or its folder holds can be
// changed by us. It touches internals of the pinned version (resolveFileInfo, _fileInfoCache,
// _filesById): DUCKDB_WASM_VERSION is checked at load and by test/unit/duckdb-runtime.test.ts.
import * as fs from 'node:fs';

/** The exact duckdb-wasm version this override was written for (package.json pins it). */
export const DUCKDB_WASM_VERSION = '1.32.0';

// DuckDB's FileFlags (duckdb/common/file_open_flags.hpp as exposed by duckdb-wasm).
const FILE_FLAGS_WRITE = 2, FILE_FLAGS_FILE_CREATE = 8, FILE_FLAGS_FILE_CREATE_NEW = 16, FILE_FLAGS_NULL_IF_NOT_EXISTS = 128;
const NODE_FS = 1; // DuckDBDataProtocol.NODE_FS

/* eslint-disable @typescript-eslint/no-explicit-any -- duckdb-wasm's runtime is untyped internals */
export interface DuckModule { failWith(mod: any, message: string): void; NODE_RUNTIME: any; PACKAGE_VERSION: string }

/** Files opened so far (path → open count), for tests and the log: never opened for writing. */
export const openedReadOnly = new Map<string, number>();

export function readOnlyRuntime(duck: DuckModule): any {
  if (duck.PACKAGE_VERSION !== DUCKDB_WASM_VERSION) {
    throw new Error(`@duckdb/duckdb-wasm ${duck.PACKAGE_VERSION} is not the pinned ${DUCKDB_WASM_VERSION}: re-verify src/core/duckdb/runtime.ts`);
  }
  const R = duck.NODE_RUNTIME;
  for (const k of ['resolveFileInfo', '_fileInfoCache', '_filesById', 'openFile', 'readFile', 'closeFile']) {
    if (!(k in R)) throw new Error(`duckdb-wasm NODE_RUNTIME has no ${k}: the read-only override does not fit this version`);
  }
  const refuse = (name: string) => (mod: any): number => { duck.failWith(mod, `read-only: ${name} refused by Experiment Health`); return 0; };
  return {
    ...R,
    openFile(mod: any, fileId: number, flags: number): number {
      R._fileInfoCache.delete(fileId);
      const info = R.resolveFileInfo(mod, fileId);
      if (info?.dataProtocol !== NODE_FS) return R.openFile(mod, fileId, flags); // buffers registered in memory
      if (flags & (FILE_FLAGS_WRITE | FILE_FLAGS_FILE_CREATE | FILE_FLAGS_FILE_CREATE_NEW)) {
        duck.failWith(mod, `read-only: ${info.dataUrl} cannot be opened for writing`);
        return 0;
      }
      let fd: number;
      try { fd = fs.openSync(info.dataUrl, 'r'); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && flags & FILE_FLAGS_NULL_IF_NOT_EXISTS) return 0;
        duck.failWith(mod, String(e));
        return 0;
      }
      openedReadOnly.set(info.dataUrl, (openedReadOnly.get(info.dataUrl) ?? 0) + 1);
      R._filesById.set(info.fileId, fd);
      const out = mod._malloc(16);
      mod.HEAPF64[out >> 3] = fs.fstatSync(fd).size;
      mod.HEAPF64[(out >> 3) + 1] = 0;
      return out;
    },
    writeFile: refuse('write'),
    truncateFile: refuse('truncate'),
    removeFile: refuse('remove'),
    moveFile: refuse('move'),
    createDirectory: refuse('mkdir'),
    removeDirectory: refuse('rmdir'),
  };
}
