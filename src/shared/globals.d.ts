/** The package version, inlined by esbuild.mjs. */
declare const PRODUCT_VERSION: string;
