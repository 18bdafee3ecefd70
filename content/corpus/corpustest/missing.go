package corpustest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// Missing handles a test that needs something the machine lacks (Chromium,
// nginx, the corpora); what says what is missing and how to get it. When
// the environment variable env is "required" (CI sets ERRATA_BROWSER and
// ERRATA_NGINX) the test fails; otherwise it is skipped, and the reason is
// also written where go test shows it (see notice). env "" means never
// required.
func Missing(tb testing.TB, env, what string) {
	tb.Helper()
	if env == "" {
		notice(tb.Name(), "SKIPPED: "+what)
		tb.Skip("SKIPPED: " + what)
	}
	if os.Getenv(env) == "required" {
		tb.Fatalf("%s=required, but %s", env, what)
	}
	why := fmt.Sprintf("SKIPPED: %s (%s=required makes this a failure)", what, env)
	notice(tb.Name(), why)
	tb.Skip(why)
}

// noticed holds the reasons already written, so twenty browser tests
// skipped for one missing Chromium make one line.
var noticed sync.Map

// notice writes a skip's reason to the go command's own standard error.
// go test shows nothing a passing package prints, whatever the stream
// (only -v or a single package in its own folder does), so a skip written
// to this binary's output would never be seen in the summary. The go
// command is this process's parent, and Linux lets a process reopen its
// parent's stderr through /proc.
func notice(test, why string) {
	if _, dup := noticed.LoadOrStore(why, true); dup {
		return
	}
	w, closeW := goStderr()
	defer closeW()
	fmt.Fprintf(w, "SKIP\t%s\t%s: %s\n", testPackage(), test, why)
}

// goStderr is the go command's stderr when it is a terminal or a pipe, and
// this process's own stderr otherwise (no /proc, or not run by a command
// that waits on it). A regular file is left alone: reopened, it has an
// offset of its own, and the go command's next "ok" line would overwrite
// the notice.
func goStderr() (io.Writer, func()) {
	f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", os.Getppid()), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return os.Stderr, func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode().IsRegular() {
		f.Close()
		return os.Stderr, func() {}
	}
	return f, func() { f.Close() }
}

// testPackage is the import path of the package under test: a test
// binary's main path is that path with ".test" added.
func testPackage() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Path != "" {
		return strings.TrimSuffix(bi.Path, ".test")
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
}
