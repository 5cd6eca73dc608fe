// DuckDB peer for scripts/bench.sh, through @duckdb/node-api (installed by the script).
//   node duck_job.mjs JOB IN.csv OUT
// JOB: identity | select | derive | filter | upper | date | lookup | group | groups |
// topn | sort (CSV out) | jsonl |
// parquet | parquet-default (DuckDB's default settings) | parquet-in (IN is Parquet, OUT CSV).
// lookup joins the orders IN.csv with the products file named by $PRODUCTS.
import { DuckDBInstance } from '@duckdb/node-api';
const [job, inp, out] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const q = (s) => s.replace(/'/g, "''");
const src = job === 'parquet-in' ? `read_parquet('${q(inp)}')` : `read_csv('${q(inp)}')`;
const csv = '(FORMAT csv, HEADER)';
const jobs = {
  identity: [`SELECT * FROM ${src}`, csv],
  select: [`SELECT id, name, b, a AS amount FROM ${src}`, csv],
  derive: [`SELECT *, a * b AS total FROM ${src}`, csv],
  filter: [`SELECT id, name, a * b AS total FROM ${src} WHERE b > 500`, csv],
  upper: [`SELECT * REPLACE (upper(name) AS name) FROM ${src}`, csv],
  date: [`SELECT * REPLACE (strftime(date, '%d/%m/%Y') AS date) FROM ${src}`, csv],
  lookup: [`SELECT o.*, p.name, p.price FROM ${src} o LEFT JOIN read_csv('${q(process.env.PRODUCTS ?? '')}') p USING (product_id)`, csv],
  group: [`SELECT category, count(*) AS n, sum(a) AS s, avg(b) AS m, max(c) AS mx, min(c) AS mn FROM ${src} GROUP BY category`, csv],
  groups: [`SELECT id % 1000000 AS g, count(*) AS n, sum(a) AS s, avg(b) AS m, max(c) AS mx, min(c) AS mn FROM ${src} GROUP BY g`, csv],
  topn: [`SELECT * FROM ${src} ORDER BY a DESC LIMIT 100`, csv],
  sort: [`SELECT * FROM ${src} ORDER BY date`, csv],
  jsonl: [`SELECT * FROM ${src}`, '(FORMAT json)'],
  parquet: [`SELECT * FROM ${src}`, '(FORMAT parquet, COMPRESSION zstd)'],
  'parquet-default': [`SELECT * FROM ${src}`, '(FORMAT parquet)'],
  'parquet-in': [`SELECT * FROM ${src}`, csv],
};
if (!jobs[job]) { console.error(`job must be one of ${Object.keys(jobs).join(', ')}`); process.exit(2); }
const [sel, fmt] = jobs[job];
await con.run(`COPY (${sel}) TO '${q(out)}' ${fmt}`);
