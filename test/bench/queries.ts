// Reads queries.sql (shipped beside the bench bundle's source) into named statements.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BenchQuery { name: string; sql: string }

export const QUERIES_FILE = path.resolve(__dirname, '../../../test/bench/queries.sql'); // out/test/bench → repo

export function loadQueries(file = QUERIES_FILE): BenchQuery[] {
  const out: BenchQuery[] = [];
  let name: string | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^-- name: (\S+)/.exec(line);
    if (m) name = m[1];
    else if (name && line.trim() && !line.startsWith('--')) { out.push({ name, sql: line.trim().replace(/;$/, '') }); name = undefined; }
  }
  return out;
}
