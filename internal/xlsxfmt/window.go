package xlsxfmt

import "fmt"

// CheckWindow tells whether --header-row and --range describe a readable part of a sheet,
// so that a caller can refuse them as a usage mistake before any workbook is opened. A
// header row past a sheet's last row is refused when a sheet is read: on CSV, whose
// lines have no such limit, --header-row N is line N.
func CheckWindow(headerRow int, rng string) error {
	win, err := parseRange(rng)
	if err != nil {
		return fmt.Errorf("--range: %w", err)
	}
	switch {
	case headerRow < 0:
		return fmt.Errorf("--header-row must be 1 or more, got %d", headerRow)
	case headerRow > 0 && rng != "" && !win.hasRow(headerRow):
		return fmt.Errorf("--header-row %d is outside --range %s", headerRow, rng)
	}
	return nil
}
