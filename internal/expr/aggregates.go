package expr

import "strings"

// aggregates are the aggregate functions of --agg (package aggregate), which fold the
// rows of a group into one value. Called in a per-row expression they are an error
// that says where they belong. min and max are not here: with several arguments they
// are the row's own scalar functions.
var aggregates = map[string]bool{
	"count": true, "count_distinct": true, "sum": true, "mean": true, "stddev": true,
	"variance": true, "median": true, "quantile": true, "approx_quantile": true,
	"mode": true, "string_agg": true, "any": true, "all": true, "first": true, "last": true,
}

// IsAggregate reports whether name is an aggregate function of --agg.
func IsAggregate(name string) bool { return aggregates[strings.ToLower(name)] }
