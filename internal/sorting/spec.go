package sorting

import (
	"fmt"
	"strings"

	"github.com/ptransform/ptransform/internal/table"
)

// Key is one sort key of a --sort spec: a column and a direction.
type Key struct {
	Column     int // index among the stage's input columns
	Descending bool
}

// ParseKeys reads a --sort spec against the column names: comma-separated names, each
// ascending, or descending with a leading "-". A leading "+" says ascending explicitly,
// which is how a column whose name starts with "-" is named ("+-x"). Names resolve as
// they do everywhere (table.FindColumn); an unknown one is an error with a suggestion,
// and so is a column named twice.
func ParseKeys(spec string, names []string) ([]Key, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("--sort: no column given (want COL or -COL, comma-separated)")
	}
	var keys []Key
	seen := make(map[int]bool)
	for _, item := range strings.Split(spec, ",") {
		name := strings.TrimSpace(item)
		desc := false
		switch {
		case strings.HasPrefix(name, "-"):
			desc, name = true, name[1:]
		case strings.HasPrefix(name, "+"):
			name = name[1:]
		}
		if name == "" {
			return nil, fmt.Errorf("--sort: empty column name in %q (want COL or -COL, comma-separated)", spec)
		}
		col, err := table.FindColumn(name, names)
		if err == nil && col < 0 {
			err = table.UnknownColumnError(name, names)
		}
		if err != nil {
			return nil, fmt.Errorf("--sort: %w", err)
		}
		if seen[col] {
			return nil, fmt.Errorf("--sort: column %q is named twice", names[col])
		}
		seen[col] = true
		keys = append(keys, Key{Column: col, Descending: desc})
	}
	return keys, nil
}
