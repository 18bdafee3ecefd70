package corpustest_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/errata/errata/content/corpus/corpustest"
)

// role tells this test binary which part it plays when
// TestMissingIsSeenInTheSummary runs it three deep, as go test runs a
// package: that test is the terminal, TestMissingGoCommand the go command,
// and TestMissingChild the package's tests, whose own output the go
// command keeps.
const role = "CORPUSTEST_ROLE"

// runRole runs this test binary's test name with role set, returning its
// stdout and stderr.
func runRole(t *testing.T, name, as string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), role+"="+as), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// TestMissingGoCommand stands in for the go command: it runs the child
// with its output captured and says how the child ended. Like the os/exec
// tests' helper process, it does nothing unless
// TestMissingIsSeenInTheSummary started it.
func TestMissingGoCommand(t *testing.T) {
	if os.Getenv(role) != "go" {
		return
	}
	_, _, err := runRole(t, "TestMissingChild", "child")
	var ee *exec.ExitError
	switch {
	case err == nil:
		fmt.Println("child exit 0")
	case errors.As(err, &ee):
		fmt.Printf("child exit %d\n", ee.ExitCode())
	default:
		t.Fatal(err)
	}
}

// TestMissingChild is two tests lacking the same thing; it does nothing
// unless TestMissingGoCommand started it.
func TestMissingChild(t *testing.T) {
	if os.Getenv(role) != "child" {
		return
	}
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			corpustest.Missing(t, "CORPUSTEST_THING", "/nowhere/thing not found; install thing")
		})
	}
}

// A skip for something missing reaches the go command's stderr, which go
// test shows for a passing package, once per reason however many tests it
// skips; with the variable set to "required" the tests fail instead.
func TestMissingIsSeenInTheSummary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the notice reopens the go command's stderr through /proc, which needs Linux")
	}
	for _, c := range []struct {
		env, exit, stderr string
	}{
		{"", "child exit 0", "SKIP\tgithub.com/errata/errata/content/corpus/corpustest\tTestMissingChild/first: SKIPPED: /nowhere/thing not found; install thing (CORPUSTEST_THING=required makes this a failure)\n"},
		{"CORPUSTEST_THING=required", "child exit 1", ""}, // a failure, whose output go test shows
	} {
		stdout, stderr, err := runRole(t, "TestMissingGoCommand", "go", c.env)
		if err != nil || !strings.Contains(stdout, c.exit+"\n") || stderr != c.stderr {
			t.Errorf("%s: %v; the go command's stdout\n%s\nits stderr\n%q\nwant %q and stderr\n%q", c.env, err, stdout, stderr, c.exit, c.stderr)
		}
	}
}
