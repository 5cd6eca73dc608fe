package expr

// IsDate reports whether s (spaces around it ignored) is a date as date(x) reads it:
// YYYY-MM-DD naming a real calendar day. inspect's type inference uses it.
func IsDate(s string) bool {
	_, st, _ := parseISODate(s)
	return st == parsedOK
}

// IsDatetime reports whether s (spaces around it ignored) is a datetime as
// datetime(x) reads it: a date, or a date and a time with an optional zone.
func IsDatetime(s string) bool {
	_, st, _ := parseISODatetime(s)
	return st == parsedOK
}
