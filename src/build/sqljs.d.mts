// Types for the build-time sql.js patches (plain ESM so esbuild.mjs can import them).
export const MEMCMP_ORIGINAL: string;
export function patchMemcmp(wasm: Buffer): Buffer;
export function sqlJsGluePlugin(root: string): { name: string; setup(build: unknown): void };
export function patchedSqlJsWasm(root: string): Buffer;
