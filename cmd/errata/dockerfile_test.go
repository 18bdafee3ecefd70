package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dockerBuild reads the Dockerfile's `RUN CGO_ENABLED=0 go build ...` line
// and returns its environment assignments and argv, with ${VERSION}
// expanded. The tests build the binary they run with it, so the Dockerfile's
// command is the one exercised.
func dockerBuild(dockerfile, version string) (env, args []string, err error) {
	lines, err := dockerBuildLines(dockerfile)
	if err != nil {
		return nil, nil, err
	}
	if len(lines) != 1 {
		return nil, nil, fmt.Errorf("%s: want exactly one RUN line with go build, found %d", dockerfile, len(lines))
	}
	words, err := shellWords(strings.TrimPrefix(lines[0], "RUN "), map[string]string{"VERSION": version})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", dockerfile, err)
	}
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		env = append(env, words[0])
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		return nil, nil, fmt.Errorf("%s: the RUN line does not run go build: %q", dockerfile, lines[0])
	}
	return env, words, nil
}

func dockerBuildLines(dockerfile string) ([]string, error) {
	f, err := os.Open(dockerfile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, "go build") {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// shellWords splits a command line the way sh would for the simple forms a
// Dockerfile RUN line uses: blanks, double and single quotes, ${VAR}.
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote == 0 && (c == ' ' || c == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\' || (quote == 0 && strings.ContainsRune(";&|<>`", c)):
			return nil, fmt.Errorf("shell syntax %q is not supported in the build line", c)
		case quote == 0 && (c == '"' || c == '\''):
			quote, inWord = c, true
		case quote != 0 && c == quote:
			quote = 0
		case c == '$' && quote != '\'':
			end := strings.IndexRune(string(rs[i:]), '}')
			if i+1 >= len(rs) || rs[i+1] != '{' || end < 0 {
				return nil, fmt.Errorf("only ${VAR} expansions are supported")
			}
			name := string(rs[i+2 : i+end])
			v, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("unknown variable ${%s}", name)
			}
			cur.WriteString(v)
			inWord = true
			i += end
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	got, err := shellWords(`A=0 go build -ldflags="-s -w -X main.version=${V}" -o '/out/x y' ./cmd`, map[string]string{"V": "1.2"})
	want := []string{"A=0", "go", "build", "-ldflags=-s -w -X main.version=1.2", "-o", "/out/x y", "./cmd"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("shellWords = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{`go build "x`, `go build && rm -rf /`, `go build $HOME`, `go build ${NOPE}`} {
		if _, err := shellWords(bad, nil); err == nil {
			t.Errorf("shellWords(%q) accepted it", bad)
		}
	}
}

// TestDockerfileShape checks what the image promises: a pinned Go matching
// go.mod, a static trimmed build of ./cmd/errata with the version stamped,
// a distroless non-root final stage, and a HEALTHCHECK that needs no shell.
func TestDockerfileShape(t *testing.T) {
	root := moduleRoot()
	df, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(df)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The image builds with the toolchain go.mod names (the patched one),
	// or with its go version when it names none.
	goVer := regexp.MustCompile(`(?m)^toolchain go(\S+)$`).FindSubmatch(gomod)
	if goVer == nil {
		goVer = regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	}
	if goVer == nil {
		t.Fatal("go.mod has no go directive")
	}

	var froms []string
	for _, m := range regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(text, -1) {
		froms = append(froms, m[1])
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, FROM lines: %q", froms)
	}
	if want := "golang:" + string(goVer[1]) + "-"; !strings.HasPrefix(froms[0], want) {
		t.Errorf("build stage FROM %s, want the pinned %s* matching go.mod", froms[0], want)
	}
	if last := froms[len(froms)-1]; last != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %s, want gcr.io/distroless/static-debian12:nonroot", last)
	}

	env, args, err := dockerBuild(filepath.Join(root, "Dockerfile"), "v9")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(env, "CGO_ENABLED=0") {
		t.Errorf("build env %q lacks CGO_ENABLED=0 (distroless/static has no libc)", env)
	}
	for _, want := range []string{"-trimpath", "./cmd/errata", "-o"} {
		if !slices.Contains(args, want) {
			t.Errorf("go build %q lacks %s", args, want)
		}
	}
	ld := ""
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-ldflags="); ok {
			ld = v
		}
	}
	if !strings.Contains(ld, "-X main.version=v9") || !strings.Contains(ld, "-s -w") {
		t.Errorf("-ldflags %q: want -s -w and -X main.version=${VERSION}", ld)
	}

	final := text[strings.LastIndex(text, "\nFROM "):]
	for _, want := range []string{
		"\nUSER nonroot",
		"\nEXPOSE 8080",
		`HEALTHCHECK`,
		`CMD ["/errata", "healthcheck"]`,
		"COPY --from=build /out/errata /errata",
		`ENTRYPOINT ["/errata"]`,
		"org.opencontainers.image.source=",
		"org.opencontainers.image.version=",
	} {
		if !strings.Contains(final, want) {
			t.Errorf("final stage lacks %q", want)
		}
	}
}

// TestCIRunsDockerfileBuild checks .ci/run builds with the Dockerfile's line
// rather than a copy of it that could drift.
func TestCIRunsDockerfileBuild(t *testing.T) {
	ci, err := os.ReadFile(filepath.Join(moduleRoot(), ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(ci)
	if !strings.Contains(s, "Dockerfile") || !strings.Contains(s, `eval "$build"`) {
		t.Error(".ci/run must extract the go build line from the Dockerfile and eval it")
	}
	if strings.Contains(s, "go build -trimpath") {
		t.Error(".ci/run has its own go build -trimpath line; it must run the Dockerfile's")
	}
}
