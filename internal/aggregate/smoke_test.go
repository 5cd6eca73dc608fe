package aggregate

import "testing"

func TestSmoke(t *testing.T) {
	header := []string{"region", "price", "qty"}
	rows := parseRows(`
EU,1.5,2
US,2,3
EU,,4
,7,1
US,0.1,5`)
	st := mustCompile(t, "region", []string{"n = count(); s = sum(price); q = sum(qty); m = mean(price * qty); lo = min(price); f = first(price); l = last(qty); d = count_distinct(region); sa = string_agg(qty, '-'); md = median(qty); v = variance(qty); ap = approx_quantile(qty, 0.5); mo = mode(qty)"}, header)
	out, err := run(t, st, header, rows, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + format(out))
}
