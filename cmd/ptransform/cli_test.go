package main

import (
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
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
