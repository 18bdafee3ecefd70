package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// appLog is a log with three lines that entries explain (two alike) and
// three that none does.
const appLog = `2024-03-01T12:00:00Z INFO starting worker 3
2024-03-01T12:00:01Z ERROR gmail send: {"error":{"code":429,"message":"The Gmail account has exceeded the usage limit."}}
2024-03-01T12:00:02Z INFO retrying in 5s

2024-03-01T12:00:03Z WARN status=401 Could not verify access credentials.
2024-03-01T12:00:04Z ERROR gmail send: {"error":{"code":429,"message":"The Gmail account has exceeded the usage limit."}}`

// tempFile writes data to a file called name in a fresh folder.
func tempFile(tb testing.TB, name, data string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	writeFile(tb, path, data)
	return path
}

// `curl … | errata explain` and `errata explain FILE` print what was
// understood and the best entry with its cause and solution, wrapped to 80
// columns without colour when not on a terminal; exit 0.
func TestExplainPaste(t *testing.T) {
	file := tempFile(t, "error.json", gmailPaste)
	for name, r := range map[string]result{
		"stdin": runInput(t, gmailPaste, "explain"),
		"file":  run(t, nil, "explain", file),
		"-":     runInput(t, gmailPaste, "explain", "-"),
	} {
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{
			"Understood  status 403 · codes accessNotConfigured · provider Gmail\n",
			"Message     Gmail API has not been used in project before or it is disabled.\n",
			"403 Gmail API has not been used in project  (Nylas, Gmail)\nhttp://localhost:8080/errors/" + gmail403 + "\n",
			"Confidence  high: ",
			"\nCause\n  The Gmail API is disabled.\n",
			"\nSolution\n  - Check if Gmail API is enable in your Google project.\n",
			"\nAlso possible\n",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: output lacks %q:\n%s", name, want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "\x1b[") {
			t.Errorf("%s: colour codes in output to a pipe", name)
		}
		checkWrapped(t, r.stdout, 80)
	}
}

// checkWrapped fails on a line wider than width that is not one long word
// (a URL) after its indent or label.
func checkWrapped(tb testing.TB, out string, width int) {
	tb.Helper()
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > width && len(strings.Fields(l)) > 2 {
			tb.Errorf("a line over %d columns: %q", width, l)
		}
	}
}

// --json prints the explain_error tool's structure for scripts.
func TestExplainJSON(t *testing.T) {
	r := runInput(t, gmailPaste, "explain", "--json", "--base-url", "https://errata.example/", "--limit", "2")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var out struct {
		Understood struct {
			Statuses []int    `json:"statuses"`
			Codes    []string `json:"codes"`
			Message  string   `json:"message"`
		} `json:"understood"`
		Confidence string `json:"confidence"`
		Matches    []struct {
			ID         string   `json:"id"`
			URL        string   `json:"url"`
			Cause      string   `json:"cause"`
			Solution   string   `json:"solution"`
			Confidence string   `json:"confidence"`
			Reasons    []string `json:"reasons"`
		} `json:"matches"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(out.Matches) != 2 || out.Matches[0].ID != gmail403 || out.Confidence != "high" || out.Matches[0].URL != "https://errata.example/errors/"+gmail403 ||
		out.Matches[0].Cause != "The Gmail API is disabled." || len(out.Matches[0].Reasons) == 0 || out.Understood.Statuses[0] != 403 {
		t.Errorf("--json: %s", r.stdout)
	}
}

// Nothing matched is exit 1, like grep; bad input is exit 2 with the fix.
func TestExplainNothingAndBadInput(t *testing.T) {
	r := runInput(t, "zzzzqqqq xxyyzz", "explain")
	if r.code != 1 || !strings.Contains(r.stdout, "No entry explains this error.") {
		t.Errorf("gibberish: exit %d\n%s", r.code, r.stdout)
	}
	if r := runInput(t, "zzzzqqqq", "explain", "--json"); r.code != 1 || !strings.Contains(r.stdout, `"confidence": "none"`) {
		t.Errorf("gibberish --json: exit %d\n%s", r.code, r.stdout)
	}
	for _, c := range []struct {
		input string
		args  []string
		want  string
	}{
		{"", []string{"explain"}, "stdin is empty: give the error on stdin"},
		{" \n\t\n", []string{"explain"}, "stdin is empty"},
		{"", []string{"explain", "/nonexistent/app.log"}, "cannot read /nonexistent/app.log: no such file or directory"},
		{"", []string{"explain", os.TempDir()}, "is a folder"},
		{"x", []string{"explain", "a", "b"}, "give at most one FILE"},
		{"x", []string{"explain", "--limit", "0"}, "--limit must be between 1 and 100"},
		{"x", []string{"explain", "--content", "/nonexistent"}, "not a folder"},
	} {
		r := runInput(t, c.input, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "Usage: errata explain") {
			t.Errorf("errata %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args[1:], " "), r.code, r.stderr, c.want)
		}
	}
	// A paste longer than what is read: the start is explained, and it says so.
	r = runInput(t, gmailPaste+strings.Repeat("\nfiller line", 30_000), "explain")
	if r.code != 0 || !strings.Contains(r.stderr, "read the first 256 KiB of stdin") || !strings.Contains(r.stdout, gmail403) {
		t.Errorf("long paste: exit %d\nstderr %s", r.code, r.stderr)
	}
}

// --each-line marks each log line an entry explains with its id and URL;
// exit 1 when no line is explained.
func TestExplainEachLine(t *testing.T) {
	log := tempFile(t, "app.log", appLog)
	r := run(t, nil, "explain", "--each-line", log)
	want := log + ":2: 2024-03-01T12:00:01Z ERROR gmail send: {\"error\":{\"code\":429,\"message\":…\n" +
		"  → 429-gmail-too-many-requests  http://localhost:8080/errors/429-gmail-too-many-requests  (high)\n"
	if r.code != 0 || !strings.HasPrefix(r.stdout, want[:len(log)+3]) || strings.Count(r.stdout, "  → ") != 3 ||
		!strings.Contains(r.stdout, log+":5: ") || !strings.Contains(r.stdout, "→ 401-general-unauthorized") || !strings.Contains(r.stdout, log+":6: ") {
		t.Errorf("--each-line: exit %d\n%s\nwant lines 2, 5 and 6 annotated, starting\n%s", r.code, r.stdout, want)
	}
	r = runInput(t, appLog, "explain", "--each-line", "--json")
	var lines []struct {
		File, Text, ID, URL, Confidence string
		Line                            int
	}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m struct {
			File, Text, ID, URL, Confidence string
			Line                            int
		}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		lines = append(lines, m)
	}
	if r.code != 0 || len(lines) != 3 || lines[0].Line != 2 || lines[0].File != "stdin" || lines[1].ID != "401-general-unauthorized" || lines[2].Line != 6 {
		t.Errorf("--each-line --json: exit %d\n%s", r.code, r.stdout)
	}
	// A log of 20k lines, one of them 100 KB long, none explained.
	var big strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&big, "2024-03-01T12:00:%02dZ INFO worker %d idle\n", i%60, i%7)
	}
	big.WriteString(strings.Repeat("x", 100_000) + "\n")
	r = runInput(t, big.String(), "explain", "--each-line")
	if r.code != 1 || r.stdout != "No line of stdin matches an entry.\n" {
		t.Errorf("a log with nothing to explain: exit %d\n%s%s", r.code, cut(r.stdout, 300), r.stderr)
	}
}

// On a terminal the output has colour, wrapped to the terminal's width;
// NO_COLOR turns the colour off.
func TestExplainOnATerminal(t *testing.T) {
	file := tempFile(t, "error.json", gmailPaste)
	out := onTerminal(t, 60, nil, "explain", file)
	if !strings.Contains(out, "\x1b[1;33maccessNotConfigured — 403 Gmail API has not been used in\nproject\x1b[0m") || !strings.Contains(out, "\x1b[32mhigh\x1b[0m") {
		t.Errorf("no colour on a terminal:\n%q", out)
	}
	plain := onTerminal(t, 60, []string{"NO_COLOR=1"}, "explain", file)
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("colour with NO_COLOR set:\n%q", plain)
	}
	checkWrapped(t, plain, 60)
	if !strings.Contains(plain, "Understood  status 403 · codes accessNotConfigured ·\n            provider Gmail\n") {
		t.Errorf("not wrapped to the terminal's 60 columns:\n%s", plain)
	}
}

// onTerminal runs the binary with its stdout on a pseudo-terminal of the
// given width and returns what it printed.
func onTerminal(t *testing.T, cols uint16, env []string, args ...string) string {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("SKIPPING: no pseudo-terminal (/dev/ptmx: %v)", err)
	}
	defer ptmx.Close()
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: 40}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdout = pts
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		io.Copy(&out, ptmx) // ends with EIO once the last writer is gone
		close(read)
	}()
	err = cmd.Run()
	pts.Close()
	select {
	case <-read:
	case <-time.After(30 * time.Second):
		t.Fatal("the terminal's output never ended")
	}
	if err != nil {
		t.Fatalf("errata %s on a terminal: %v\n%s", strings.Join(args, " "), err, &stderr)
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}
