// Reads a Parquet or CSV file with DuckDB (@duckdb/node-api) for the tests:
//   node duckdb_read.cjs FILE.parquet|FILE.csv 'SELECT ... FROM t'
// prints {"types": [[name, type], ...], "rows": [[...], ...]} where t is the file; BIGINT
// values come as strings (exact), DOUBLE as JSON numbers.
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const [file, select] = process.argv.slice(2);
  const con = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = file.endsWith('.csv') ? 'read_csv' : 'read_parquet';
  await con.run(`CREATE VIEW t AS SELECT * FROM ${reader}('${file.replace(/'/g, "''")}')`);
  const described = await con.runAndReadAll('DESCRIBE t');
  const types = described.getRowObjectsJson().map((r) => [r.column_name, r.column_type]);
  const rows = (await con.runAndReadAll(select)).getRowsJson();
  process.stdout.write(JSON.stringify({ types, rows }));
})().catch((e) => { console.error(String(e)); process.exit(1); });
