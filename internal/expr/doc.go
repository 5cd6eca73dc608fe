// Package expr compiles and evaluates ptransform's expressions: `--expr 'NAME = EXPR'`
// assignments and `--where 'EXPR'` filters. docs/expressions.md is the full reference;
// every example in it runs as a test.
//
// Compile parses the texts, resolves column names against the input header and
// type-checks, so every mistake that needs no data is reported before any is read:
//
//	total = price * qyt        →  unknown column "qyt" (did you mean "qty"?)
//	total = (price *           →  --expr: expected a value, found end of expression
//	                                total = (price *
//	                                                ^
//	x = upper(1)               →  --expr: upper needs text for argument 1, got a int literal; ...
//
// The language, in brief:
//
//   - columns: `price`, `unit_cost`, or any header text in backticks (`Unit Price`);
//     `_row`, `_file`, `_sheet` give the row's position and source;
//   - literals: 42, 2.5, 1e6, "text" or 'text' (escapes \n \t \" \uXXXX; a doubled
//     quote), true, false, null;
//   - operators, loosest first: c ? a : b, ??, or ||, and &&, not !, comparisons and
//     in [..], ~ (concatenation), + -, * / %, unary -, ** (power);
//   - functions for strings, regular expressions (RE2, compiled once), numbers,
//     conversions and dates (strftime layouts).
//
// Values: input cells are text (an empty cell is null) and are read as a number, date or
// boolean only where an operator or function needs one, each from its own text:
// `qty > 3` reads qty's cells as numbers. Two texts compare by one rule, per row
// (compareText, shared with min and max): as numbers where both read as numbers, else as
// datetimes where both read as dates, else as text; ints and floats compare exactly.
// Text read as a number is a float64; literals and int() keep exact int64 arithmetic,
// whose overflow is an error. Null propagates: `price * empty` is null, `empty > 1` is null, and a null
// filter drops the row; `and`/`or` follow SQL's three-valued logic.
//
// Evaluation is column at a time: each chunk's Arrow columns are read into typed
// vectors, and kernels chosen once per (operator, operand type) at Compile run over
// whole vectors with a per-row null/error mask. A text column used as a number is
// parsed once per chunk, however often it appears. An Evaluator owns the scratch
// vectors and is reused across chunks by one worker. Errors in the data (a cell that is
// not a number, a division by zero) are per-row values that follow Options.OnError,
// and are reported with file, sheet, line, column and value (RowError). Filters that
// read no assigned column run before the assignments, which are then computed only
// for the rows the filters keep (Evaluator.Apply), as SQL's WHERE before its SELECT.
package expr
