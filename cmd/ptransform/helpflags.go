package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Help text layout: a flag's names in a column of flagColumn characters, its usage
// beside them, wrapped so that no line of `ptransform help CMD` is wider than helpWidth.
// urfave/cli's template indents each flag by 3 and the lines after a flag's first by 6.
const (
	helpWidth  = 100
	flagIndent = 3
	flagColumn = 26
)

// flagHelp formats one flag for the help text: "-o, --output PATH  usage (default: x)".
// The default is shown only when it says something: not for an off switch, a zero or an
// empty value, nor when the usage already describes the default.
func flagHelp(f cli.Flag) string {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return ""
	}
	placeholder, usage := splitPlaceholder(df.GetUsage())
	if df.TakesValue() && placeholder == "" {
		placeholder = "value"
	}
	var names []string
	for _, n := range df.Names() {
		if len(n) == 1 {
			names = append([]string{"-" + n}, names...)
		} else {
			names = append(names, "--"+n)
		}
	}
	head := strings.Join(names, ", ")
	if len(names[0]) > 2 {
		head = "    " + head // long names line up whether a short one comes first or not
	}
	if placeholder != "" {
		head += " " + placeholder
	}
	if def := strings.Trim(df.GetDefaultText(), `"`); def != "" && def != "false" && def != "0" && !strings.Contains(usage, "default") {
		usage += " (default: " + def + ")"
	}
	lines := wrapWords(usage, helpWidth-flagIndent-flagColumn)
	pad := strings.Repeat(" ", flagIndent+flagColumn-6)
	var b strings.Builder
	if len(head) <= flagColumn-2 {
		b.WriteString(head + strings.Repeat(" ", flagColumn-len(head)) + lines[0])
		lines = lines[1:]
	} else {
		b.WriteString(head)
	}
	for _, l := range lines {
		b.WriteString("\n" + pad + l)
	}
	return b.String()
}

// splitPlaceholder takes the `PLACEHOLDER` out of a usage string, as urfave/cli does:
// the first back-quoted word names the flag's value and is kept, unquoted, in the text.
func splitPlaceholder(usage string) (placeholder, text string) {
	start := strings.IndexByte(usage, '`')
	if start < 0 {
		return "", usage
	}
	end := strings.IndexByte(usage[start+1:], '`')
	if end < 0 {
		return "", usage
	}
	placeholder = usage[start+1 : start+1+end]
	return placeholder, usage[:start] + placeholder + usage[start+2+end:]
}

// wrapWords cuts text into lines of at most width characters, at spaces.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}
