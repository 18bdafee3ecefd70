package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testVersion is stamped into the binary the tests run.
const testVersion = "v0.0.0-test"

// bin is the errata binary, built once by TestMain with the Dockerfile's own
// go build command.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	// The parallel tests here wait on the processes they start (read
	// timeouts, lock timeouts), not on the CPU: let more of them wait at
	// once than -parallel's default of one per core. A -parallel given on
	// the command line wins.
	if !flagGiven("test.parallel") {
		flag.Set("test.parallel", "8")
	}
	dir, err := os.MkdirTemp("", "errata-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "errata")
	if err := buildLikeDockerfile(bin, testVersion); err != nil {
		fmt.Fprintln(os.Stderr, "building errata with the Dockerfile's command:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// moduleRoot is two folders up from this package.
func moduleRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(filepath.Dir(wd))
}

// buildLikeDockerfile runs the Dockerfile's go build line from the module
// root, writing the binary to out instead of /out/errata.
func buildLikeDockerfile(out, version string) error {
	env, args, err := dockerBuild(filepath.Join(moduleRoot(), "Dockerfile"), version)
	if err != nil {
		return err
	}
	for i, a := range args {
		if a == "-o" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// result is a finished command.
type result struct {
	stdout, stderr string
	code           int
}

// run runs the binary to completion with args and extra environment.
func run(tb testing.TB, env []string, args ...string) result {
	tb.Helper()
	return runWithin(tb, 60*time.Second, env, args...)
}

// runWithin is run that kills the binary and fails the test when it has not
// exited within limit: a hang is reported, never waited out.
func runWithin(tb testing.TB, limit time.Duration, env []string, args ...string) result {
	tb.Helper()
	return runStdin(tb, limit, nil, env, args...)
}

// runStdin is runWithin with stdin read from in (none when nil).
func runStdin(tb testing.TB, limit time.Duration, in io.Reader, env []string, args ...string) result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = in
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		tb.Fatalf("errata %s did not exit within %s (a hang); killed it\nstdout %s\nstderr %s", strings.Join(args, " "), limit, &out, &errb)
	}
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("errata %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errb.String(), code}
}

// cleanEnv is the test's environment without ERRATA_ settings that would
// change the command under test (CI sets ERRATA_BROWSER and ERRATA_NGINX).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ERRATA_") {
			env = append(env, kv)
		}
	}
	return env
}

// syncBuffer collects a process's stderr while tests read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running `errata serve` (or another command, from launch).
type server struct {
	cmd    *exec.Cmd
	URL    string // from the line errata prints on start
	Banner string // that line
	Log    *syncBuffer
	Stdout *syncBuffer
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

var bannerRE = regexp.MustCompile(`^errata: (\d+) entries indexed in \d+(?:ms|\.\ds); serving on (http://\S+)$`)

// start runs `errata serve` on a free loopback port with args and waits for
// its banner. The process is killed at the end of the test if still running.
func start(tb testing.TB, env []string, args ...string) *server {
	tb.Helper()
	if !hasFlag(args, "--addr") {
		args = append(args, "--addr", "127.0.0.1:0")
	}
	banner := make(chan string, 1)
	s := launch(tb, env, func(line string) {
		if bannerRE.MatchString(line) {
			banner <- line
		}
	}, append([]string{"serve"}, args...)...)
	select {
	case s.Banner = <-banner:
		s.URL = bannerRE.FindStringSubmatch(s.Banner)[2]
	case <-s.done:
		tb.Fatalf("errata serve %s exited before serving (%v):\n%s", strings.Join(args, " "), s.err, s.Log)
	case <-time.After(30 * time.Second):
		tb.Fatalf("errata serve %s printed no banner in 30s:\n%s", strings.Join(args, " "), s.Log)
	}
	return s
}

// launch starts the binary with args and returns at once, handing each line
// it prints on stdout to onLine (when not nil) as well as keeping it in
// Stdout. The process is killed at the end of the test if still running.
func launch(tb testing.TB, env []string, onLine func(string), args ...string) *server {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	s := &server{cmd: cmd, Log: &syncBuffer{}, Stdout: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.Log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(s.Stdout, sc.Text())
			if onLine != nil {
				onLine(sc.Text())
			}
		}
		io.Copy(io.Discard, stdout)
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s
}

// waitReading waits until the process has an entry file below dir open: it
// is loading the catalogue, with the signal handlers long installed. It
// polls /proc, so it needs Linux.
func (s *server) waitReading(tb testing.TB, dir string) {
	tb.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			tb.Fatalf("errata exited (%v) before reading %s:\n%s%s", s.err, dir, s.Stdout, s.Log)
		default:
		}
		links, _ := os.ReadDir(fds)
		for _, l := range links {
			if to, err := os.Readlink(filepath.Join(fds, l.Name())); err == nil && strings.HasPrefix(to, dir+"/") && strings.HasSuffix(to, ".md") {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	tb.Fatalf("errata never opened an entry file below %s within 30s:\n%s%s", dir, s.Stdout, s.Log)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// signal sends sig and returns at once.
func (s *server) signal(tb testing.TB, sig os.Signal) {
	tb.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		tb.Fatal(err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (s *server) wait(tb testing.TB, limit time.Duration) int {
	tb.Helper()
	select {
	case <-s.done:
	case <-time.After(limit):
		tb.Fatalf("errata did not exit within %s:\n%s", limit, s.Log)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// waitLog waits until the server's log holds want.
func (s *server) waitLog(tb testing.TB, want string, limit time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !strings.Contains(s.Log.String(), want) {
		if time.Now().After(deadline) {
			tb.Fatalf("log never showed %q within %s:\n%s", want, limit, s.Log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricsRE finds the metrics URL in the "ready" log line, text or JSON.
var metricsRE = regexp.MustCompile(`"?metrics"?[=:]"?(http://[^\s"]+/metrics)`)

// metricsURL is where a server started with --metrics-addr serves /metrics,
// as its "ready" log line says.
func (s *server) metricsURL(tb testing.TB) string {
	tb.Helper()
	s.waitLog(tb, "/metrics", 10*time.Second)
	m := metricsRE.FindStringSubmatch(s.Log.String())
	if m == nil {
		tb.Fatalf("the log names no metrics URL:\n%s", s.Log)
	}
	return m[1]
}

// get fetches url and returns the status and body.
func get(tb testing.TB, url string, hdr ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp, string(b)
}

// freePort returns a loopback port nobody listens on right now.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// catalogueSize is the number of entry files in the embedded catalogue.
func catalogueSize(tb testing.TB) int {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(moduleRoot(), "content", "entries", "*.md"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no entries in content/entries: %v", err)
	}
	return len(files)
}

// copyEntries copies the catalogue's entry files into a fresh folder.
func copyEntries(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "entries")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(moduleRoot(), "content", "entries"))); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// largeCatalogue is the catalogue plus 40 copies of each of its entries
// under new ids, each padded with 16 KB of prose (615 entries): a load takes
// about a second on 2 cores and a build a few more, so a test can signal the
// process in the middle. Big files rather than many keep the writing cheap.
// It is the test's own, to change.
func largeCatalogue(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "entries")
	if err := writeLargeCatalogue(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// sharedLargeCatalogue is one largeCatalogue for every test that only reads
// it, written once per test binary beside the binary.
var sharedLargeCatalogue = sync.OnceValues(func() (string, error) {
	dir := filepath.Join(filepath.Dir(bin), "large-entries")
	return dir, writeLargeCatalogue(dir)
})

// readOnlyLargeCatalogue is sharedLargeCatalogue for a test that must not
// change it.
func readOnlyLargeCatalogue(tb testing.TB) string {
	tb.Helper()
	dir, err := sharedLargeCatalogue()
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

func writeLargeCatalogue(dir string) error {
	const copies = 40
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(moduleRoot(), "content", "entries"))); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		id := strings.TrimSuffix(filepath.Base(f), ".md")
		if !bytes.Contains(b, []byte("\nid: "+id+"\n")) {
			return fmt.Errorf("fixture changed: no `id: %s` line in %s", id, f)
		}
		for k := range copies {
			copyID := fmt.Sprintf("%s-copy-%d", id, k)
			renamed := bytes.Replace(withoutCodes(b), []byte("\nid: "+id+"\n"), []byte("\nid: "+copyID+"\n"), 1)
			renamed = bytes.Replace(renamed, []byte("\n## Cause\n"), []byte("\n## Cause\n\n"+padding), 1)
			if err := os.WriteFile(filepath.Join(dir, copyID+".md"), renamed, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// withoutCodes is an entry file without its codes: a copy of an entry under
// another id is another entry, and a provider's code names one entry.
func withoutCodes(b []byte) []byte {
	return codesKeyRE.ReplaceAll(b, nil)
}

var codesKeyRE = regexp.MustCompile(`(?m)^codes:\n(?:  - .*\n)*`)

// padding is prose that makes a copy in largeCatalogue cost more to load
// and index than to write.
var padding = strings.Repeat("The request was refused because the account has exceeded its quota for the day.\n\n", 200)

// withPipe is the catalogue's entry files plus bad.md, a named pipe nobody
// ever writes to: opening it the ordinary way blocks for ever.
func withPipe(tb testing.TB) (dir, pipe string) {
	tb.Helper()
	dir = copyEntries(tb)
	pipe = filepath.Join(dir, "bad.md")
	mkfifo(tb, pipe)
	return dir, pipe
}

func mkfifo(tb testing.TB, path string) {
	tb.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		tb.Fatalf("mkfifo %s: %v", path, err)
	}
}

// pipeProblem is the problem a named pipe called *.md makes.
func pipeProblem(pipe string) string {
	return pipe + ":1: not a regular file (a named pipe) — replace it with a Markdown file or remove it"
}

// httpClient is for quick probes.
var httpClient = &http.Client{Timeout: 5 * time.Second}
