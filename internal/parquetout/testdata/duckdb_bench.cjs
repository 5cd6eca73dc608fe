// DuckDB's side of parquetout's figures (not run by the tests):
//   NODE_PATH=$(npm root -g) node duckdb_bench.cjs IN.csv OUT.parquet THREADS zstd|snappy [copy-only]
// prints the seconds (s: wall, cpu: the process's CPU time) of COPY (SELECT * FROM read_csv(IN)) TO OUT (the bar), of
// loading the CSV into a table, and of COPY table TO OUT (DuckDB's Parquet encoding alone,
// to set beside BenchmarkEncode); with copy-only, the first alone (for inputs of 10M rows).
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const [inp, out, threads, codec, only] = process.argv.slice(2);
  const con = await (await DuckDBInstance.create(':memory:', { threads: String(threads) })).connect();
  const q = (s) => `'${s.replace(/'/g, "''")}'`;
  const time = async (sql) => {
    const t = process.hrtime.bigint(), c = process.cpuUsage();
    await con.run(sql);
    const u = process.cpuUsage(c);
    return { s: Number(process.hrtime.bigint() - t) / 1e9, cpu: (u.user + u.system) / 1e6 };
  };
  const csvToParquet = await time(`COPY (SELECT * FROM read_csv(${q(inp)})) TO ${q(out)} (FORMAT parquet, COMPRESSION ${codec})`);
  if (only === 'copy-only') {
    console.log(JSON.stringify({ threads: Number(threads), codec, csvToParquet }));
    return;
  }
  const load = await time(`CREATE TABLE t AS SELECT * FROM read_csv(${q(inp)})`);
  const encode = await time(`COPY t TO ${q(out)} (FORMAT parquet, COMPRESSION ${codec})`);
  console.log(JSON.stringify({ threads: Number(threads), codec, csvToParquet, load, encode }));
})().catch((e) => { console.error(String(e)); process.exit(1); });
