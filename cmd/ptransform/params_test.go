package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// env("NAME") reads the run's environment, once, whatever it holds: the value is data,
// never expression text.
func TestEnvInExpressions(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte("region,qty\nNorth,5\nSouth,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "apply", "-w", `region == env("PT_TEST_REGION")`, "-e", `tag = env("PT_TEST_TAG") ~ "!"`, in)
	cmd.Env = append(os.Environ(), "PT_TEST_REGION=South", `PT_TEST_TAG=a" + 1, b`)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := "region,qty,tag\nSouth,1,\"a\"\" + 1, b!\"\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
