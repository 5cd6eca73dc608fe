package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocCommandsAreShell: every command line that README.md, docs/*.md and the help of
// each command show is valid shell (bash -n), so a user can paste it: an unquoted
// `--group-by month=format_date(date, "%Y-%m")` is a bash syntax error before ptransform
// even runs.
func TestDocCommandsAreShell(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	texts := map[string]string{}
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range append(docs, "../../README.md") {
		if filepath.Base(path) == "performance.md" { // a log of measurements, not a manual
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(path)] = string(b)
	}
	for _, c := range newApp().Commands {
		texts["help "+c.Name] = c.UsageText
	}
	checked := 0
	for where, text := range texts {
		for _, cmd := range shownCommands(text) {
			checked++
			if out, err := exec.Command(bash, "-n", "-c", cmd).CombinedOutput(); err != nil {
				t.Errorf("%s: not valid shell (%v): %s\n%s", where, err, out, cmd)
			}
		}
	}
	t.Logf("%d commands checked", checked)
	if checked < 80 {
		t.Errorf("found only %d commands in the docs and help: the scan missed them", checked)
	}
}

// shownCommands returns the commands a text shows: lines of code (in a fenced block
// other than yaml or examples, or indented by 4 spaces or more) that run ptransform,
// each with the lines a trailing backslash or pipe continues it onto.
func shownCommands(text string) []string {
	var cmds []string
	lines := strings.Split(text, "\n")
	fenced, skipped := false, false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fenced = !fenced
			skipped = fenced && (strings.HasPrefix(trimmed, "```yaml") || strings.HasPrefix(trimmed, "```examples"))
			continue
		}
		code := fenced && !skipped || strings.HasPrefix(line, "    ")
		if !code || !runsPtransform(trimmed) {
			continue
		}
		cmd := line
		for (strings.HasSuffix(strings.TrimSpace(cmd), `\`) || strings.HasSuffix(strings.TrimSpace(cmd), "|")) && i+1 < len(lines) {
			i++
			cmd += "\n" + lines[i]
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// runsPtransform tells a command line that runs ptransform from prose, comments, option
// lists, synopses ("ptransform man   the manual page (roff)": a wide gap, then words) and
// the messages ptransform prints ("ptransform: ...").
func runsPtransform(line string) bool {
	if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
		return false
	}
	if _, after, gap := strings.Cut(line, "   "); gap && !strings.HasPrefix(strings.TrimSpace(after), "#") {
		return false
	}
	for _, start := range []string{"ptransform apply ", "ptransform inspect ", "ptransform completion ", "ptransform man"} {
		if strings.HasPrefix(line, start) {
			return true
		}
	}
	return strings.Contains(line, "| ptransform apply") || strings.Contains(line, "| ptransform inspect")
}
