package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/apply"
	"github.com/ptransform/ptransform/internal/rows"
)

// rowFlags are the flags that choose rows after --where (docs/rows.md).
func rowFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "distinct", Usage: "keep the first of each distinct row (all columns), in input order; takes no value: one row per key is --distinct-on"},
		&cli.StringFlag{Name: "distinct-on", Usage: "keep the first row, in input order, of each key of `KEYS`: columns or NAME=EXPR, comma-separated, compared as --group-by's"},
		&cli.Int64Flag{Name: "head", Usage: "keep the first `N` rows (after --where); the rest of the input is not read"},
		&cli.Int64Flag{Name: "tail", Usage: "keep the last `N` rows (after --where)"},
		&cli.Int64Flag{Name: "sample", Usage: "keep `N` rows drawn uniformly (all when fewer), in input order; the same for a --seed whatever --workers and --chunk-size"},
		&cli.Float64Flag{Name: "sample-fraction", Usage: "keep each row with probability `P` (0 < P <= 1), drawn as --sample's"},
		&cli.Int64Flag{Name: "seed", Usage: fmt.Sprintf("the `SEED` of --sample and --sample-fraction (default: %d)", rows.DefaultSeed)},
	}
}

// rowOptions reads the flags of rowFlags.
func rowOptions(c *cli.Context, o *apply.Options) error {
	o.Distinct = c.Bool("distinct")
	o.DistinctOn = c.String("distinct-on")
	if c.IsSet("distinct-on") && o.DistinctOn == "" {
		return errors.New("--distinct-on needs KEYS: columns or NAME=EXPR, comma-separated (whole rows are --distinct)")
	}
	if o.Distinct {
		// --distinct KEY reads KEY as an input: say what was meant before "no such file".
		// A missing path that looks like one (a directory, an extension) is left to the
		// run's own message.
		for _, in := range o.Inputs {
			if _, err := os.Stat(in); in != "-" && !strings.ContainsAny(in, "./\\") && errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("--distinct takes no value, and %s is no file: for the first row of each key write --distinct-on %s", in, in)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"head", &o.Head}, {"tail", &o.Tail}, {"sample", &o.Sample}, {"seed", &o.Seed}} {
		if !c.IsSet(f.name) {
			continue
		}
		n := c.Int64(f.name)
		if n < 0 && f.name != "seed" {
			return fmt.Errorf("--%s must be 0 or more rows, got %d", f.name, n)
		}
		*f.dst = &n
	}
	if c.IsSet("sample-fraction") {
		p := c.Float64("sample-fraction")
		if !(p > 0 && p <= 1) {
			return fmt.Errorf("--sample-fraction must be a probability above 0 and at most 1, got %v (--sample N keeps a number of rows)", p)
		}
		o.SampleFraction = &p
	}
	if o.Seed != nil && o.Sample == nil && o.SampleFraction == nil {
		return errors.New("--seed is the seed of --sample and --sample-fraction: give one of them")
	}
	return nil
}
