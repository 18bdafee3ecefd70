package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"
)

// Env is what a command receives from the process: streams, environment and
// build version. Tests pass their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Version        string
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "serve the site and API (the default command)", runServe},
		{"check", "[DIR|embedded]...", "validate entry files, several folders as one catalogue; exit 1 on any problem", runCheck},
		{"search", "[flags] TEXT | -", "search the catalogue from a terminal (- reads a paste from stdin)", runSearch},
		{"explain", "[flags] [FILE]", "explain a pasted error from stdin or FILE: what it says and the entry that fixes it; exit 1 when nothing matches", runExplain},
		{"mcp", "[--content DIR]... | [--index DIR]", "serve the MCP tools on stdin and stdout for a local AI assistant", runMCP},
		{"import", "FILE.jsonl --out DIR", "turn a JSONL error catalogue into entry files", runImport},
		{"index", "[--content DIR]... --out DIR", "build the search index ahead of time for serve --index", runIndex},
		{"healthcheck", "[--url URL]", "exit 0 when a local server answers /healthz", runHealthcheck},
		{"version", "", "print the version", runVersion},
	}
}

// Exit codes: 0 ok, 1 failure (problems found, server error, nothing found),
// 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError is a mistake in the command line: it is printed with the usage
// and exits 2.
type usageError struct {
	msg   string
	usage func()
}

func (e *usageError) Error() string { return e.msg }

// silentError has already been reported to the user; it only sets the exit code.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// stopped is the error of a command that SIGTERM or Ctrl-C (ctx's cause)
// ended before step finished.
func stopped(ctx context.Context, step string) error {
	return fmt.Errorf("stopped while %s (%v)", step, context.Cause(ctx))
}

// unlessDone runs step and returns its result, or ctx.Err() as soon as ctx
// is done. A step that takes no context (bleve indexes in one batch) is
// abandoned rather than waited for, so a signal stops a command at once; an
// abandoned step's result, once it comes, goes to discard (when not nil).
func unlessDone[T any](ctx context.Context, step func() (T, error), discard func(T)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := step()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.err == nil && discard != nil {
				discard(r.v)
			}
		}()
		return zero, ctx.Err()
	}
}

// Run runs the command line args and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Version == "" {
		env.Version = buildVersion()
	}
	name := "serve"
	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "-help" || a == "--help" || a == "help":
			usage(env.Stdout)
			return exitOK
		case !strings.HasPrefix(a, "-"):
			name, args = a, args[1:]
		}
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "errata: unknown command %q\n\n", name)
		usage(env.Stderr)
		return exitUsage
	}
	err := cmd.run(ctx, env, args)
	var ue *usageError
	var se *silentError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "errata %s: %s\n\n", name, ue.msg)
		if ue.usage != nil {
			ue.usage()
		}
		return exitUsage
	case errors.As(err, &se):
		return se.code
	default:
		fmt.Fprintf(env.Stderr, "errata %s: %v\n", name, err)
		return exitFail
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Errata: a searchable knowledge base of API error responses.")
	fmt.Fprintln(w, "\nUsage: errata [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nWithout a command errata serves. `errata COMMAND --help` lists a command's flags;")
	fmt.Fprintln(w, "every flag of serve can also be set in the environment (ERRATA_ADDR, ERRATA_CONTENT, ...).")
}

// flags is one command's flag set with environment equivalents.
type flags struct {
	*flag.FlagSet
	cmd  command
	env  Env
	envs [][2]string // flag name, environment variable
}

func newFlags(env Env, name string) *flags {
	var cmd command
	for _, c := range commands() {
		if c.name == name {
			cmd = c
		}
	}
	fs := flag.NewFlagSet("errata "+name, flag.ContinueOnError)
	f := &flags{FlagSet: fs, cmd: cmd, env: env}
	fs.SetOutput(io.Discard) // errors are reported once, by Run, with the usage
	return f
}

// fromEnv makes the environment variable v a default for the flag name.
func (f *flags) fromEnv(name, v string) {
	fl := f.Lookup(name)
	fl.Usage += " (env " + v + ")"
	f.envs = append(f.envs, [2]string{name, v})
}

// printUsage writes the command's usage to w.
func (f *flags) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: errata %s %s\n\n%s.\n", f.cmd.name, f.cmd.args, capitalize(f.cmd.summary))
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
}

// parse reads the environment, then args; flags and positional arguments may
// be mixed ("import FILE --out DIR"). It returns the positional arguments.
func (f *flags) parse(args []string) ([]string, error) {
	bad := func(msg string) error {
		return &usageError{msg: msg, usage: func() { f.printUsage(f.env.Stderr) }}
	}
	for _, e := range f.envs {
		if v := f.env.Getenv(e[1]); v != "" {
			set := func(v string) error { return f.Set(e[0], v) }
			if ev, ok := f.Lookup(e[0]).Value.(interface{ SetFromEnv(string) error }); ok {
				set = ev.SetFromEnv // a list in one variable, replaced by flags
			}
			if err := set(v); err != nil {
				return nil, bad(fmt.Sprintf("environment %s=%q: %v", e[1], v, err))
			}
		}
	}
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(f.env.Stdout)
				return nil, flag.ErrHelp
			}
			return nil, bad(err.Error())
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// usageErr reports a command-line mistake found after parsing.
func (f *flags) usageErr(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...), usage: func() { f.printUsage(f.env.Stderr) }}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// buildVersion is the module version or VCS revision recorded by go build,
// for binaries built without -X main.version.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "dev"
	}
	return "dev-" + rev + dirty
}

func runVersion(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "version")
	if pos, err := f.parse(args); err != nil {
		return err
	} else if len(pos) > 0 {
		return f.usageErr("version takes no arguments")
	}
	fmt.Fprintf(env.Stdout, "errata %s (%s)\n", env.Version, goVersion())
	return nil
}

func goVersion() string {
	return runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

// isTerminal reports whether w is a terminal, for progress output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ms formats a duration for people: "12ms", "1.4s".
func ms(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}
