package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
)

// TestVersionFromBuildInfo: `version` names the Go toolchain and the build's revision
// (or says it is unknown), never a placeholder.
func TestVersionFromBuildInfo(t *testing.T) {
	out, err := exec.Command(binary, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(out))
	if !strings.HasPrefix(line, "ptransform ") || !strings.Contains(line, runtime.Version()) || !strings.Contains(line, "revision ") || strings.Contains(line, "dev,") {
		t.Errorf("version printed %q", line)
	}
}

func TestDescribeBuild(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261122052420-67df251c4a0a"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "67df251c4a0a9f1fe1f3235cf65753545e64dd9c"},
		{Key: "vcs.time", Value: "2026-11-22T05:24:20Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		info    *debug.BuildInfo
		release string
		want    string
	}{
		{info, "", "v0.0.0-20261122052420-67df251c4a0a, revision 67df251c4a0a (modified), 2026-11-22T05:24:20Z, go1.26.8 linux/amd64"},
		{info, "v1.2.0", "v1.2.0, revision 67df251c4a0a (modified), 2026-11-22T05:24:20Z, go1.26.8 linux/amd64"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "", "(devel), revision unknown (not built from a git checkout), go1.26.8 linux/amd64"},
	} {
		if got := describeBuild(tc.info, tc.release, "go1.26.8 linux/amd64"); got != tc.want {
			t.Errorf("describeBuild(release %q) = %q, want %q", tc.release, got, tc.want)
		}
	}
}

// TestProgressNeverDrawsIntoData: the bar goes to a terminal stderr only, and not while
// the data goes to a terminal; a file or a FIFO is not one.
func TestProgressNeverDrawsIntoData(t *testing.T) {
	for _, tc := range []struct{ dataToTerminal, stderrTerminal, want bool }{
		{true, true, false}, {false, true, true}, {false, false, false}, {true, false, false},
	} {
		if got := showProgress(tc.dataToTerminal, tc.stderrTerminal); got != tc.want {
			t.Errorf("showProgress(data to terminal %v, stderr terminal %v) = %v", tc.dataToTerminal, tc.stderrTerminal, got)
		}
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.csv"), fifo, dir} {
		if dataToTerminal(path) {
			t.Errorf("dataToTerminal(%s) = true", path)
		}
	}
	// Opening the pseudo-terminal multiplexer (only opened, never written) gives a
	// terminal without one attached to the test.
	if _, err := os.Stat("/dev/ptmx"); err == nil && !dataToTerminal("/dev/ptmx") {
		t.Error("dataToTerminal(/dev/ptmx) = false")
	}
}

// TestStatsSummaryAndJSON: --stats prints one line of figures; --stats-json writes them
// for a scheduler, on failure too.
func TestStatsSummaryAndJSON(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("a,b\n1,2\nx,3\n4,5\n"), 0o644)
	statsPath := filepath.Join(dir, "stats.json")
	cmd := exec.Command(binary, "apply", "--stats", "--stats-json", statsPath, "--on-error", "skip", "-q",
		"-e", "c = a * 2", "--where", "b > 2", in, "-o", filepath.Join(dir, "out.csv"))
	stderr, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	line := regexp.MustCompile(`^ptransform: 1 input, 3 rows in, 1 rows out, 1 row errors, [0-9.]+m?s, [0-9.]+k? rows/s\n$`)
	if !line.Match(stderr) {
		t.Errorf("--stats printed %q", stderr)
	}
	var got map[string]any
	b, _ := os.ReadFile(statsPath)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("--stats-json: %v: %s", err, b)
	}
	for k, v := range map[string]any{"ok": true, "inputs": 1.0, "sources": 1.0, "rows_in": 3.0, "rows_out": 1.0, "row_errors": 1.0, "bytes_in": 12.0} {
		if got[k] != v {
			t.Errorf("--stats-json %s = %v, want %v (%s)", k, got[k], v, b)
		}
	}
	if _, ok := got["seconds"].(float64); !ok {
		t.Errorf("--stats-json has no seconds: %s", b)
	}

	cmd = exec.Command(binary, "apply", "--stats-json", statsPath, "-e", "c = a * 2", in, "-o", filepath.Join(dir, "out2.csv"))
	if err := cmd.Run(); err == nil {
		t.Fatal("a row error with --on-error fail succeeded")
	}
	b, _ = os.ReadFile(statsPath)
	got = nil
	if err := json.Unmarshal(b, &got); err != nil || got["ok"] != false || got["error"] == "" {
		t.Errorf("--stats-json of a failed run: %s (%v)", b, err)
	}
}

// TestHelpFitsIn100Columns: every help page wraps at 100 columns and shows no default
// that says nothing ("(default: false)", "(default: 0)") or twice.
func TestHelpFitsIn100Columns(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "apply"}, {"help", "inspect"}, {"help", "completion"}} {
		out, err := exec.Command(binary, args...).Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if len([]rune(line)) > 100 {
				t.Errorf("%v: line of %d columns: %q", args, len([]rune(line)), line)
			}
			if strings.Contains(line, "(default: false)") || strings.Contains(line, "(default: 0)") || strings.Count(line, "default") > 1 {
				t.Errorf("%v: useless default: %q", args, line)
			}
		}
	}
}

// TestManPageMentionsEveryFlag: `ptransform man` renders a section-1 page from the
// command definitions, so every flag of every command is in it.
func TestManPageMentionsEveryFlag(t *testing.T) {
	out, err := exec.Command(binary, "man").Output()
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	if !strings.HasPrefix(page, ".nh\n.TH ptransform 1") {
		t.Errorf("not a section-1 man page: %.60q", page)
	}
	for _, cmd := range newApp().Commands {
		if !strings.Contains(page, ".SH "+cmd.Name) && !strings.Contains(page, ".SH "+strings.ToUpper(cmd.Name)) {
			t.Errorf("man page has no section for %s", cmd.Name)
		}
		for _, f := range cmd.Flags {
			name := f.Names()[0]
			if !strings.Contains(page, `\fB--`+name+`\fP`) && !strings.Contains(page, `\fB--`+name+`, `) {
				t.Errorf("man page does not mention %s --%s", cmd.Name, name)
			}
		}
	}
}

// TestCompletionScripts: each shell gets a script; bash's, run for real, completes a
// flag prefix from the binary's own definitions.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, err := exec.Command(binary, "completion", shell).Output()
		if err != nil || !strings.Contains(string(out), "ptransform") {
			t.Errorf("completion %s: %v %.80q", shell, err, out)
		}
	}
	if err := exec.Command(binary, "completion", "tcsh").Run(); err == nil || err.(*exec.ExitError).ExitCode() != 2 {
		t.Errorf("completion tcsh: %v, want exit status 2", err)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to run the bash completion")
	}
	script := `source <("$BIN" completion bash)
COMP_WORDS=("$BIN" apply --sel); COMP_CWORD=2; _ptransform_complete; echo "${COMPREPLY[*]}"
COMP_WORDS=("$BIN" insp); COMP_CWORD=1; _ptransform_complete; echo "${COMPREPLY[*]}"`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "BIN="+binary)
	out, err := cmd.Output()
	if err != nil || string(out) != "--select\ninspect\n" {
		t.Errorf("bash completion gave %q (%v), want --select and inspect", out, err)
	}
}

// TestInspectEncryptedWorkbook: inspect takes --password-env like apply.
func TestInspectEncryptedWorkbook(t *testing.T) {
	book := "../../../shared/corpus/xlsx/excelize/encryptSHA1.xlsx"
	if _, err := os.Stat(book); err != nil {
		t.Skip("corpus not available")
	}
	cmd := exec.Command(binary, "inspect", "--password-env", "PTRANSFORM_TEST_PASSWORD", "--json", book)
	cmd.Env = append(os.Environ(), "PTRANSFORM_TEST_PASSWORD=password")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"SECRET"`) {
		t.Errorf("inspect --password-env: %v: %s", err, out)
	}
	cmd = exec.Command(binary, "inspect", "--password-env", "PTRANSFORM_TEST_UNSET_VARIABLE", book)
	if err := cmd.Run(); err == nil || err.(*exec.ExitError).ExitCode() != 2 {
		t.Errorf("inspect --password-env with an unset variable: %v, want exit status 2", err)
	}
}
