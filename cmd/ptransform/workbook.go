package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// workbookFlags are the flags apply and inspect share for reading a workbook's sheets.
func workbookFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "header-row", Usage: "1-based row `N` holding the header (CSV: line N); rows above it are skipped (default: Excel, the first row with a value; CSV, the first line)"},
		&cli.StringFlag{Name: "range", Usage: "Excel: read only this rectangle, e.g. `A1:F500`"},
		&cli.StringFlag{Name: "password-env", Usage: "Excel: read the password of an encrypted workbook from environment variable `VAR`"},
	}
}

// workbookRead is what workbookFlags ask for, checked.
type workbookRead struct {
	headerRow int
	rng       string
	password  string
}

func workbookReadOptions(c *cli.Context) (workbookRead, error) {
	w := workbookRead{headerRow: c.Int("header-row"), rng: c.String("range")}
	if c.IsSet("header-row") && w.headerRow < 1 {
		// 0 would be taken as the flag's absence: the first row with a value.
		return w, fmt.Errorf("--header-row is 1-based: the first row is 1, got %d (leave it out for the first row with a value)", w.headerRow)
	}
	if err := xlsxfmt.CheckWindow(w.headerRow, w.rng); err != nil {
		return w, err
	}
	if v := c.String("password-env"); v != "" {
		pw, ok := os.LookupEnv(v)
		if !ok {
			return w, fmt.Errorf("--password-env: environment variable %s is not set", v)
		}
		w.password = pw
	}
	return w, nil
}
