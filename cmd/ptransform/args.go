package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed lets flags follow the inputs (`ptransform apply in.csv -o out.csv`), as
// users of such tools expect. urfave/cli v2 stops at the first positional argument, so
// the command's arguments are reordered: flags (with their values) first, then the
// positional ones, keeping the order within each group. "--" still ends the flags. A
// value flag given last keeps no value: the command fails with "flag needs an argument".
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue[name] {
			if i+1 == len(rest) {
				// The value is missing. Nothing may follow the flag, not even the "--"
				// before the inputs, which it would take as its value: the flag parser
				// then says "flag needs an argument", as with no inputs.
				return append([]string{args[0], args[1]}, flags...)
			}
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append([]string{args[0], args[1]}, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}
