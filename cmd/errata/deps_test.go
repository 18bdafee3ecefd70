package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testOnlyImports are what only the tests and the tools (cmd/errata-bench,
// cmd/errata-load) may link: the module's test support, the test framework,
// and the dependencies go.mod requires for them alone. A path ending in "/"
// stands for everything below it.
var testOnlyImports = []string{
	"github.com/errata/errata/content/corpus/corpustest",
	"testing",
	"github.com/chromedp/",
	"github.com/tsenart/vegeta/",
	"modernc.org/sqlite",
	"github.com/PuerkitoBio/goquery",
	"github.com/google/go-cmp/",
}

// TestBinaryLinksNoTestSupport lists every package the errata binary links,
// built as the Dockerfile builds it: the one go.mod also serves the tests
// and the tools, so this is what keeps their dependencies out of what ships.
func TestBinaryLinksNoTestSupport(t *testing.T) {
	env, build, err := dockerBuild(filepath.Join(moduleRoot(), "Dockerfile"), testVersion)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"list", "-deps"}
	for i := 2; i < len(build); i++ { // the build's flags and package, without its -o
		if build[i] == "-o" {
			i++
			continue
		}
		args = append(args, build[i])
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderrOf(err))
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go %s listed %d packages; expected the binary's few hundred:\n%s", strings.Join(args, " "), len(deps), out)
	}
	for _, dep := range deps {
		for _, bad := range testOnlyImports {
			if dep == strings.TrimSuffix(bad, "/") || strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad) {
				t.Errorf("the errata binary links %s, which only tests and tools may use; `go list -deps ./cmd/errata` and `go mod why %s` show the import that brings it in", dep, dep)
			}
		}
	}
}

func stderrOf(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}
