// DuckDB peer for scripts/bench.sh, through @duckdb/node-api (installed by the script).
//   node duck_job.mjs identity|select|derive|filter IN.csv OUT.csv
import { DuckDBInstance } from '@duckdb/node-api';
const [job, inp, out] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const q = (s) => s.replace(/'/g, "''");
const src = `read_csv('${q(inp)}')`;
const sel = {
  identity: `SELECT * FROM ${src}`,
  select: `SELECT id, name, b, a AS amount FROM ${src}`,
  derive: `SELECT *, a * b AS total FROM ${src}`,
  filter: `SELECT id, name, a * b AS total FROM ${src} WHERE b > 500`,
}[job];
if (!sel) { console.error('job must be identity, select, derive or filter'); process.exit(2); }
await con.run(`COPY (${sel}) TO '${q(out)}' (FORMAT csv, HEADER)`);
