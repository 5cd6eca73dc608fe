package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of what -o and --errors do with each kind of path (README.md, "Output
// files"). Devices, FIFOs and sockets are private ones made under t.TempDir(): a test
// must never write to the machine's own.

type runResult struct {
	stdout, stderr string
	code           int
}

func runPtransform(t *testing.T, stdin io.Reader, args ...string) runResult {
	t.Helper()
	return runPtransformOf(t, binary, stdin, args...)
}

// runPtransformOf is runPtransform with the binary bin (binary or plainBinary).
func runPtransformOf(t *testing.T, bin string, stdin io.Reader, args ...string) runResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return runResult{stdout.String(), stderr.String(), code}
}

const smallCSV = "a,b\n1,x\n2,y\n"

func writeInput(t *testing.T, dir string) string {
	t.Helper()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte(smallCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	return in
}

// mknod makes a private character device, or skips the test where that is not allowed.
func mknod(t *testing.T, path string, major, minor uint32) {
	t.Helper()
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, int(major<<8|minor)); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o666); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
}

func fileNamesIn(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestOutputToCharDevice: `-o mynull` (a copy of /dev/null) writes into the device and
// leaves it a device, for -o and --errors.
func TestOutputToCharDevice(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	null := filepath.Join(dir, "mynull")
	mknod(t, null, 1, 3)
	r := runPtransform(t, nil, "apply", "-q", in, "-o", null, "-e", "c = number(b)", "--on-error", "null", "--errors", null)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	st, err := os.Lstat(null)
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("mynull is now %v (%v), want the character device", st.Mode(), err)
	}
	if names := fileNamesIn(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v", names)
	}
}

// TestOutputToFullDevice: a device that is full fails the run, it does not exit 0.
func TestOutputToFullDevice(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	full := filepath.Join(dir, "myfull")
	mknod(t, full, 1, 7)
	for _, format := range []string{"csv", "tsv", "jsonl", "xlsx", "parquet"} {
		r := runPtransform(t, nil, "apply", in, "-o", full, "--to", format)
		if r.code != 1 || !strings.Contains(r.stderr, "no space left") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("--to %s: exit %d, stderr %q; want 1 and one line saying no space left", format, r.code, r.stderr)
		}
	}
}

// TestErrorsFileNotLeftWhenOutputFails: the --errors file is committed after the output,
// so an output that cannot be written leaves no errors file describing it.
func TestErrorsFileNotLeftWhenOutputFails(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	full := filepath.Join(dir, "myfull")
	mknod(t, full, 1, 7)
	errs := filepath.Join(dir, "errors.csv")
	r := runPtransform(t, nil, "apply", in, "-o", full, "-e", "c = number(b)", "--on-error", "null", "--errors", errs)
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(errs); err == nil {
		t.Fatal("the --errors file was written although the output failed")
	}
}

// TestErrorsFileFailureReported: when the output is in place but the --errors file cannot
// be written, the run says so and fails.
func TestErrorsFileFailureReported(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	full := filepath.Join(dir, "myfull")
	mknod(t, full, 1, 7)
	out := filepath.Join(dir, "out.csv")
	r := runPtransform(t, nil, "apply", in, "-o", out, "-e", "c = number(b)", "--on-error", "null", "--errors", full)
	if r.code != 1 || !strings.Contains(r.stderr, "the output was written, but not the --errors file") || !strings.Contains(r.stderr, "no space left") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "a,b,c\n") {
		t.Fatalf("output holds %q", b)
	}
}

// TestOutputToFIFO: a FIFO given as -o is written into, for its reader, and stays a FIFO.
func TestOutputToFIFO(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	r := runPtransform(t, nil, "apply", in, "-o", fifo)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	select {
	case s := <-got:
		if s != smallCSV {
			t.Fatalf("the FIFO's reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the FIFO's reader got nothing")
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("fifo is now %v", st.Mode())
	}
}

// TestOutputToSocket: a Unix socket given as -o is connected to and written into.
func TestOutputToSocket(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("cannot listen on a Unix socket: %v", err)
	}
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(c)
		got <- string(b)
	}()
	if r := runPtransform(t, nil, "apply", in, "-o", sock); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	select {
	case s := <-got:
		if s != smallCSV {
			t.Fatalf("the socket's reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the socket's reader got nothing")
	}
}

// TestOutputFIFOWithoutReaderHonoursSignals: waiting for a FIFO output's reader, the run
// still ends on SIGTERM, with status 143.
func TestOutputFIFOWithoutReaderHonoursSignals(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	code, stderr := signalDuringRun(t, exec.Command(binary, "apply", in, "-o", fifo), syscall.SIGTERM)
	if code != 143 || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 143 and interrupted", code, stderr)
	}
}

// TestBlockedInputsHonourSignals: blocked opening an input FIFO that no one writes, or
// waiting for the first block of a pipe that sends nothing, the run ends on a signal
// with the conventional status.
func TestBlockedInputsHonourSignals(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.fifo")
	mkfifo(t, fifo)
	code, _ := signalDuringRun(t, exec.Command(binary, "apply", "--from", "csv", fifo), syscall.SIGHUP)
	if code != 129 {
		t.Errorf("input FIFO without a writer, SIGHUP: exit %d, want 129", code)
	}
	cmd := exec.Command(binary, "apply", "-")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if code, _ := signalDuringRun(t, cmd, syscall.SIGINT); code != 130 {
		t.Errorf("silent stdin pipe, SIGINT: exit %d, want 130", code)
	}
}

// signalDuringRun starts cmd, sends sig once it has had time to block, and returns the
// exit status and stderr; the run must end within a few seconds of the signal.
func signalDuringRun(t *testing.T, cmd *exec.Cmd, sig syscall.Signal) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitBlocked(cmd.Process.Pid)
	cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), stderr.String()
		}
		return 0, stderr.String()
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v: still running 10 s after %v", cmd.Args, sig)
		return 0, ""
	}
}

// waitBlocked waits until a thread of process pid is blocked opening a FIFO or reading a
// pipe, which it gets to after setting its signal handlers; where the kernel does not
// say (wchan), it waits a second.
func waitBlocked(pid int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		for _, task := range tasks {
			switch b, _ := os.ReadFile(task); string(b) {
			case "wait_for_partner", "pipe_read", "anon_pipe_read":
				return
			}
		}
		if len(tasks) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
}

// TestOutputThroughSymlink: a symbolic link given as -o or --errors stays a link, and
// its target (in another directory) gets the output and keeps its mode; a dangling
// link's target is created.
func TestOutputThroughSymlink(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	in := writeInput(t, dir)
	target := filepath.Join(elsewhere, "real.csv")
	if err := os.WriteFile(target, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.csv")
	os.Symlink(target, link)
	errTarget := filepath.Join(elsewhere, "errors.csv") // does not exist yet
	errLink := filepath.Join(dir, "errors.csv")
	os.Symlink("../"+filepath.Base(elsewhere)+"/errors.csv", errLink)
	r := runPtransform(t, nil, "apply", in, "-o", link, "-e", "c = number(b)", "--on-error", "null", "--errors", errLink)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, l := range []string{link, errLink} {
		if st, err := os.Lstat(l); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link", filepath.Base(l))
		}
	}
	if b, _ := os.ReadFile(target); !strings.HasPrefix(string(b), "a,b,c\n") {
		t.Errorf("the link's target holds %q", b)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o640 {
		t.Errorf("the link's target has mode %v, want 0640", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(errTarget); !strings.Contains(string(b), "not a number") {
		t.Errorf("the dangling link's target holds %q", b)
	}
	if names := fileNamesIn(t, elsewhere); strings.Join(names, ",") != "errors.csv,real.csv" {
		t.Errorf("the targets' directory holds %v", names)
	}
}

// TestOutputKeepsModeAndOwner: a replaced file keeps its mode and, where the process
// may set it, its owner and group.
func TestOutputKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	out := filepath.Join(dir, "out.csv")
	os.WriteFile(out, []byte("old\n"), 0o600)
	os.Chmod(out, 0o604)
	uid, gid := os.Getuid(), os.Getgid()
	if os.Chown(out, 1234, 5678) == nil {
		uid, gid = 1234, 5678
	}
	if r := runPtransform(t, nil, "apply", in, "-o", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	st, _ := os.Stat(out)
	s := st.Sys().(*syscall.Stat_t)
	if st.Mode().Perm() != 0o604 || int(s.Uid) != uid || int(s.Gid) != gid {
		t.Fatalf("mode %v owner %d:%d, want 0604 %d:%d", st.Mode().Perm(), s.Uid, s.Gid, uid, gid)
	}
}

// TestOutputReadOnlyRefused: a read-only output is not replaced (as cp without -f), even
// by root.
func TestOutputReadOnlyRefused(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	out := filepath.Join(dir, "out.csv")
	os.WriteFile(out, []byte("keep\n"), 0o444)
	r := runPtransform(t, nil, "apply", in, "-o", out)
	if r.code != 1 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("exit %d, stderr %q; want 1 and read-only", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep\n" {
		t.Fatalf("read-only output replaced by %q", b)
	}
}

// TestOutputHardLinkWarns: replacing a file that has other hard links says that they keep
// the old content.
func TestOutputHardLinkWarns(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	out, other := filepath.Join(dir, "out.csv"), filepath.Join(dir, "other.csv")
	os.WriteFile(out, []byte("old\n"), 0o644)
	if err := os.Link(out, other); err != nil {
		t.Skip(err)
	}
	r := runPtransform(t, nil, "apply", in, "-o", out)
	if r.code != 0 || !strings.Contains(r.stderr, "hard links") {
		t.Fatalf("exit %d, stderr %q; want a warning about hard links", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != smallCSV {
		t.Errorf("out.csv holds %q", b)
	}
}

// TestOutputLongName: an output name of 250 characters works: the temporary name does
// not grow with it.
func TestOutputLongName(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	out := filepath.Join(dir, strings.Repeat("n", 246)+".csv")
	for range 2 { // created, then replaced
		if r := runPtransform(t, nil, "apply", in, "-o", out); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != smallCSV {
		t.Fatalf("output holds %q", b)
	}
}

// TestOutputIsInputAnySpelling: an output that is an input is refused whatever the
// spelling (symbolic link, hard link, ./, ..), for -o and --errors, and when standard
// input is the output file.
func TestOutputIsInputAnySpelling(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	in := writeInput(t, dir)
	os.Symlink(in, filepath.Join(dir, "link.csv"))
	if err := os.Link(in, filepath.Join(dir, "hard.csv")); err != nil {
		t.Fatal(err)
	}
	spellings := []string{
		filepath.Join(dir, "link.csv"),
		filepath.Join(dir, "hard.csv"),
		dir + "/./in.csv",
		sub + "/../in.csv",
	}
	for _, out := range spellings {
		for _, flag := range []string{"-o", "--errors"} {
			r := runPtransform(t, nil, "apply", in, flag, out)
			if r.code != 2 || !strings.Contains(r.stderr, "also an input") {
				t.Errorf("%s %s: exit %d, stderr %q; want 2 and also an input", flag, out, r.code, r.stderr)
			}
		}
	}
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := runPtransform(t, f, "apply", "-", "-o", in)
	if r.code != 2 || !strings.Contains(r.stderr, "also an input") {
		t.Errorf("apply - -o in.csv < in.csv: exit %d, stderr %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(in); string(b) != smallCSV {
		t.Fatalf("the input was changed to %q", b)
	}
}

// TestErrorsSameAsOutputRefused: --errors naming the output file (in any spelling) is
// refused: one would overwrite the other.
func TestErrorsSameAsOutputRefused(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	out := filepath.Join(dir, "out.csv")
	for _, errs := range []string{out, dir + "/./out.csv"} {
		r := runPtransform(t, nil, "apply", in, "-o", out, "--errors", errs)
		if r.code != 2 || !strings.Contains(r.stderr, "--errors") {
			t.Errorf("--errors %s: exit %d, stderr %q; want 2", errs, r.code, r.stderr)
		}
	}
	if names := fileNamesIn(t, dir); strings.Join(names, ",") != "in.csv" {
		t.Errorf("directory holds %v", names)
	}
}

// TestErrorsDashIsStderr: --errors - writes the error list to standard error, even with
// --quiet, and creates no file named "-".
func TestErrorsDashIsStderr(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	cmd := exec.Command(binary, "apply", "-q", in, "-e", "c = number(b)", "--on-error", "null", "--errors", "-")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err, stderr.String())
	}
	want := "file,sheet,row,expression,column,value,message\n" +
		in + ",,2,--expr c,b,x,not a number\n" + in + ",,3,--expr c,b,y,not a number\n"
	if stderr.String() != want {
		t.Fatalf("stderr %q, want %q", stderr.String(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Fatal("a file named - was created")
	}
}

// TestErrorsInRowOrder: the --errors file is in row order, then expression order,
// byte-identical for any workers and chunk size; one bad cell used by two expressions
// gives two lines told apart by the expression column.
func TestErrorsInRowOrder(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("id,v\n")
	for i := range 5000 {
		v := fmt.Sprint(i)
		if i%7 == 3 {
			v = "bad"
		}
		fmt.Fprintf(&b, "%d,%s\n", i, v)
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	var want []byte
	for _, variant := range [][]string{{"1", "64MiB"}, {"2", "1KiB"}, {"4", "300"}, {"3", "4KiB"}} {
		errs := filepath.Join(dir, "errors.csv")
		r := runPtransform(t, nil, "apply", "-q", "--workers", variant[0], "--chunk-size", variant[1], in, "-o", filepath.Join(dir, "out.csv"),
			"--on-error", "null", "-e", "double = number(v) * 2", "-e", "next = number(v) + 1", "--errors", errs)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		got, _ := os.ReadFile(errs)
		if want == nil {
			want = got
			continue
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("--workers %s --chunk-size %s: errors file differs (first difference at byte %d)", variant[0], variant[1], firstDiff(got, want))
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(lines) != 1+2*714 || !strings.HasPrefix(lines[1], in+",,5,--expr double,v,bad,") || !strings.HasPrefix(lines[2], in+",,5,--expr next,v,bad,") ||
		!strings.HasPrefix(lines[3], in+",,12,--expr double,") {
		t.Fatalf("%d lines, starting %q", len(lines), lines[:min(4, len(lines))])
	}
}

// TestSignalsCleanUp: SIGINT, SIGTERM and SIGHUP while a run is writing end it with
// statuses 130, 143 and 129 and one line on stderr, the old output untouched and no
// temporary file left; so does SIGKILL; for every output format.
func TestSignalsCleanUp(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		ext  string
	}{{syscall.SIGINT, 130, "csv"}, {syscall.SIGTERM, 143, "csv"}, {syscall.SIGHUP, 129, "csv"}, {syscall.SIGKILL, -1, "csv"},
		{syscall.SIGINT, 130, "jsonl"}, {syscall.SIGINT, 130, "xlsx"}, {syscall.SIGINT, 130, "parquet"},
		{syscall.SIGTERM, 143, "xlsx"}, {syscall.SIGKILL, -1, "parquet"}} {
		dir := t.TempDir()
		out := filepath.Join(dir, "out."+tc.ext)
		os.WriteFile(out, []byte("previous report\n"), 0o644)
		cmd := exec.Command(binary, "apply", "-", "-o", out)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		io.WriteString(stdin, "a,b\n")
		// A typed output samples its schema from up to 1 MiB of rows before it starts.
		for i := range 200000 {
			fmt.Fprintf(stdin, "%d,x\n", i)
		}
		waitForTempFile(t, cmd.Process.Pid, dir)
		cmd.Process.Signal(tc.sig)
		err = cmd.Wait()
		stdin.Close()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != tc.code {
			t.Errorf("%v, %s: exit %v, want %d (stderr %q)", tc.sig, tc.ext, err, tc.code, stderr.String())
		}
		if msg := stderr.String(); tc.sig != syscall.SIGKILL && (!strings.Contains(msg, "interrupted") || strings.Count(msg, "\n") != 1) {
			t.Errorf("%v: stderr %q, want one line saying the run was interrupted", tc.sig, msg)
		}
		if b, _ := os.ReadFile(out); string(b) != "previous report\n" {
			t.Errorf("%v: output changed to %q", tc.sig, b)
		}
		if names := fileNamesIn(t, dir); strings.Join(names, ",") != "out."+tc.ext {
			t.Errorf("%v: directory holds %v", tc.sig, names)
		}
	}
}

// TestStaleTemporaryRemoved: a temporary file left by a run that died is removed by the
// next run writing to the directory; one of a live process is not.
func TestStaleTemporaryRemoved(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	dead := filepath.Join(dir, ".ptransform-999999999-0badf00d.tmp")
	live := filepath.Join(dir, fmt.Sprintf(".ptransform-%d-0badf00d.tmp", os.Getpid()))
	os.WriteFile(dead, []byte("x"), 0o644)
	os.WriteFile(live, []byte("x"), 0o644)
	if r := runPtransform(t, nil, "apply", in, "-o", filepath.Join(dir, "out.csv")); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Error("a dead run's temporary file is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live process's temporary file was removed")
	}
}

// TestInterruptAfterStdoutSaysSo: interrupted after output reached standard output, the
// run does not claim that no output was written.
func TestInterruptAfterStdoutSaysSo(t *testing.T) {
	cmd := exec.Command(binary, "apply", "--chunk-size", "64KiB", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		io.WriteString(stdin, "a,b\n")
		for i := range 400000 { // several MiB: more than the output buffer
			if _, err := fmt.Fprintf(stdin, "%d,xxxxxxxx\n", i); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 1<<20)
	if _, err := io.ReadFull(stdout, buf); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	stdin.Close()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130 (stderr %q)", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "no output written") || !strings.Contains(stderr.String(), "incomplete") {
		t.Fatalf("stderr %q, want it to say the output is incomplete", stderr.String())
	}
}

// TestOutputToDescriptorLinks: an output or --errors naming /dev/stdout or /dev/stderr (here the
// /proc/self/fd links they point to, which a broken run cannot replace) write into the
// process's own standard output and error, pipes or files, without replacing anything.
func TestOutputToDescriptorLinks(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd/1"); err != nil {
		t.Skip("no /proc here")
	}
	dir := t.TempDir()
	in := writeInput(t, dir)
	args := []string{"apply", "-q", in, "-o", "/proc/self/fd/1", "-e", "c = number(b)", "--on-error", "null", "--errors", "/proc/self/fd/2"}
	r := runPtransform(t, nil, args...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "a,b,c\n1,x,\n") || !strings.Contains(r.stderr, "--expr c,b,x,not a number") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Standard error appended to a log: the log keeps what it held.
	log := filepath.Join(dir, "log")
	os.WriteFile(log, []byte("earlier\n"), 0o644)
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(binary, args...)
	cmd.Stderr = f
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(log); !strings.HasPrefix(string(b), "earlier\nfile,sheet,row,") {
		t.Fatalf("the log holds %q", b)
	}
}
