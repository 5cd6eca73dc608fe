package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version, when set at build time (-ldflags "-X main.version=v1.2.3"), names the release
// in place of the module version that the build info holds.
var version string

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, the source revision it was built from and the Go version",
		Action: func(c *cli.Context) error {
			fmt.Fprintln(c.App.Writer, "ptransform", versionText())
			return nil
		},
	}
}

// versionText is what `ptransform version` prints after the name.
func versionText() string {
	return describeBuild(buildInfo(), version, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
}

// shortVersion is the version and revision alone, as help shows them.
func shortVersion() string {
	return strings.Join(buildParts(buildInfo(), version)[:2], ", ")
}

func buildInfo() *debug.BuildInfo {
	if info, ok := debug.ReadBuildInfo(); ok {
		return info
	}
	return &debug.BuildInfo{}
}

// describeBuild writes "v1.2.3, revision 0123abcd (modified), 2026-11-29T06:00:00Z,
// go1.26.8 linux/amd64": the module version (or release, when given), then what the
// Go toolchain recorded of the checkout the binary was built from.
func describeBuild(info *debug.BuildInfo, release, goVersion string) string {
	return strings.Join(append(buildParts(info, release), goVersion), ", ")
}

// buildParts are the version and the revision, then its time when recorded.
func buildParts(info *debug.BuildInfo, release string) []string {
	v := release
	if v == "" {
		v = info.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		return []string{v, "revision unknown (not built from a git checkout)"}
	}
	rev = "revision " + rev[:min(12, len(rev))]
	if settings["vcs.modified"] == "true" {
		rev += " (modified)"
	}
	parts := []string{v, rev}
	if t := settings["vcs.time"]; t != "" {
		parts = append(parts, t)
	}
	return parts
}
