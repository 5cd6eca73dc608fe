// Command ptransform transforms large CSV files and Excel workbooks in parallel.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/apply"
	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/table"
)

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) (code int) {
	// Ask for SIGPIPE so that writing to a closed stdout returns EPIPE instead of killing
	// the process; a closed pipe (`| head`) then ends the run quietly.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, stop := signalContext()
	defer stop()
	app := newApp()
	if args[len(args)-1] != completeFlag { // urfave/cli wants it last, as shells put it
		args = interspersed(app, args)
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			// Pipeline goroutines turn panics into errors (internal/chunk); this covers
			// the rest, so no input ever meets the user as a stack trace.
			if p := recover(); p != nil {
				done <- fmt.Errorf("%w: %v (please report this with the command that caused it)", errInternal, p)
			}
		}()
		done <- app.RunContext(ctx, args)
	}()
	select {
	case err := <-done:
		return exitCode(ctx, err)
	case <-ctx.Done():
	}
	// A run sees the signal between chunks, removes its temporary files and returns.
	// One blocked where no signal reaches it (opening an input FIFO, reading a pipe that
	// sends nothing, compiling a huge expression) has nothing to clean up yet: it is not
	// waited for past a moment.
	select {
	case err := <-done:
		return exitCode(ctx, err)
	case <-time.After(interruptGrace):
		fmt.Fprintln(os.Stderr, "ptransform: interrupted; output files are left as they were")
		return signalStatus(ctx)
	}
}

// interruptGrace is how long a signalled run may take to stop and clean up.
const interruptGrace = 2 * time.Second

var errInternal = errors.New("internal error")

// interruption is the cause of the run's context when a signal ended it.
type interruption struct{ sig syscall.Signal }

func (i interruption) Error() string { return "interrupted by " + i.sig.String() }

// Is makes every interruption an apply.ErrInterrupted, whichever the signal.
func (i interruption) Is(target error) bool { return target == apply.ErrInterrupted }

// signalContext is cancelled with an interruption on SIGINT, SIGTERM or SIGHUP: each
// ends the run the same way, removing its temporary output.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		if sig, ok := <-sigs; ok {
			cancel(interruption{sig.(syscall.Signal)})
		}
	}()
	return ctx, func() { signal.Stop(sigs); close(sigs); cancel(nil) }
}

// signalStatus is the conventional exit status of a run ended by a signal: 128 plus
// its number (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
func signalStatus(ctx context.Context) int {
	var i interruption
	if errors.As(context.Cause(ctx), &i) {
		return 128 + int(i.sig)
	}
	return 130
}

// exitCode maps an error to the exit status and prints it as one line on stderr:
// 0 success (and a closed stdout), 2 usage, 128+N after signal N, 1 anything else.
func exitCode(ctx context.Context, err error) int {
	var usageErr *apply.UsageError
	var partial *apply.PartialOutputError
	switch {
	case err == nil:
		return 0
	case output.IsClosedPipe(err):
		return 0
	case errors.Is(context.Cause(ctx), apply.ErrInterrupted):
		if errors.As(err, &partial) {
			fmt.Fprintln(os.Stderr, "ptransform: interrupted; the output written so far is incomplete")
		} else {
			fmt.Fprintln(os.Stderr, "ptransform: interrupted; no output written")
		}
		return signalStatus(ctx)
	case errors.As(err, &usageErr):
		fmt.Fprintf(os.Stderr, "ptransform: %v\n", err)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "ptransform: %v\n", err)
		return 1
	}
}

func newApp() *cli.App {
	// urfave/cli formats flags for help through this package variable only; ours keeps
	// lines within helpWidth and leaves out defaults that say nothing.
	cli.FlagStringer = flagHelp
	// Help shows the version and revision; --version, like the version command, all of
	// the build description, which is too long for a help line.
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, "ptransform", versionText()) }
	return &cli.App{
		Name:    "ptransform",
		Usage:   "transform large CSV files and Excel workbooks in parallel",
		Version: shortVersion(),
		// Expressions contain commas: a repeated flag gives one value per occurrence.
		DisableSliceFlagSeparator: true,
		Commands:                  []*cli.Command{applyCommand(), inspectCommand(), versionCommand(), completionCommand(), manCommand()},
		EnableBashCompletion:      true,
		OnUsageError:              usageError,
		ExitErrHandler:            func(*cli.Context, error) {}, // exit codes are decided in exitCode
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(os.Stderr, "ptransform: unknown command %q; try 'ptransform help'\n", name)
			os.Exit(2)
		},
	}
}

// usageError replaces urfave/cli's reaction to a bad flag (the message followed by the
// whole help text) with one line and exit status 2; a misspelt flag gets the closest
// defined one, as a misspelt column does.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	if m := undefinedFlag.FindStringSubmatch(err.Error()); m != nil {
		err = fmt.Errorf("unknown flag -%s", m[1])
		if len(strings.TrimLeft(m[1], "-")) > 1 {
			err = fmt.Errorf("unknown flag --%s", strings.TrimLeft(m[1], "-"))
		}
		if s := suggestFlag(m[1], c.Command.Flags); s != "" {
			err = fmt.Errorf("%w (did you mean --%s?)", err, s)
		}
	}
	if m := valueMissing.FindStringSubmatch(err.Error()); m != nil && len(m[1]) > 1 {
		err = fmt.Errorf("flag needs an argument: --%s", m[1])
	}
	help := "ptransform help"
	if c.Command.Name != c.App.Name {
		help += " " + c.Command.Name
	}
	return &apply.UsageError{Err: fmt.Errorf("%w; see '%s'", err, help)}
}

// undefinedFlag matches the error the flag package gives for a flag nobody defined.
var undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -(\S+)$`)

// valueMissing matches the error the flag package gives for a value flag given last,
// which names a long flag with one dash.
var valueMissing = regexp.MustCompile(`^flag needs an argument: -(\S+)$`)

// suggestFlag returns the long flag name closest to name, or "" when none is close. A
// single letter is too short to guess from.
func suggestFlag(name string, flags []cli.Flag) string {
	name = strings.TrimLeft(name, "-")
	if len(name) < 2 {
		return ""
	}
	var long []string
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) > 1 {
				long = append(long, n)
			}
		}
	}
	return table.Suggest(name, long)
}
