package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search"
)

func TestVersion(t *testing.T) {
	r := run(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "errata "+testVersion+" (go") {
		t.Errorf("version: exit %d, %q; want errata %s (go...)", r.code, r.stdout, testVersion)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Commands:") || !strings.Contains(r.stdout, "healthcheck") {
			t.Errorf("errata %s: exit %d, stdout %q", args[0], r.code, r.stdout)
		}
	}
	for _, c := range commands() {
		r := run(t, nil, c.name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: errata "+c.name) {
			t.Errorf("errata %s --help: exit %d, stdout %q, stderr %q", c.name, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, nil, "serve", "--help"); !strings.Contains(r.stdout, "ERRATA_ADDR") || !strings.Contains(r.stdout, "-rate-limit") {
		t.Errorf("serve --help does not list flags with their environment variables:\n%s", r.stdout)
	}
}

func TestBadUsage(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string // in stderr
	}{
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"serve", "--nope"}, "flag provided but not defined: -nope"},
		{"unknown flag, no command", nil, []string{"--nope"}, "flag provided but not defined: -nope"},
		{"bad log format", nil, []string{"serve", "--log-format", "xml"}, "--log-format must be text or json"},
		{"bad env", []string{"ERRATA_LOG_FORMAT=xml"}, []string{"serve"}, "--log-format must be text or json"},
		{"bad env number", []string{"ERRATA_RATE_LIMIT=fast"}, []string{"serve"}, `ERRATA_RATE_LIMIT="fast"`},
		{"bad addr", nil, []string{"serve", "--addr", "8080"}, "--addr \"8080\": want host:port"},
		{"bad metrics addr", nil, []string{"serve", "--metrics-addr", "9090"}, "--metrics-addr \"9090\": want host:port"},
		{"metrics on the site's addr", []string{"ERRATA_ADDR=127.0.0.1:8080", "ERRATA_METRICS_ADDR=127.0.0.1:8080"}, []string{"serve"}, "give metrics an address of their own"},
		{"bad IPv6 prefix", nil, []string{"serve", "--rate-limit-ipv6-prefix", "129"}, "--rate-limit-ipv6-prefix must be 1 to 128 bits"},
		{"no connections", []string{"ERRATA_MAX_CONNS=0"}, []string{"serve"}, "--max-conns must be 1 or more, not 0"},
		{"watch without content", nil, []string{"serve", "--watch"}, "--watch needs --content"},
		{"content not a folder", nil, []string{"serve", "--content", "/nonexistent/entries"}, "not a folder"},
		{"stray argument", nil, []string{"serve", "content/entries"}, "did you mean --content"},
		{"check a folder twice", nil, []string{"check", "embedded", "embedded"}, "given twice"},
		{"content twice", nil, []string{"serve", "--content", "embedded", "--content", "embedded"}, "given twice"},
		{"watch only embedded", nil, []string{"serve", "--content", "embedded", "--watch"}, "--watch needs --content DIR"},
		{"check missing folder", nil, []string{"check", "/nonexistent/entries"}, "is not a folder"},
		{"search nothing", nil, []string{"search"}, "give the error text"},
		{"search bad status", nil, []string{"search", "--status", "abc", "quota"}, "--status:"},
		{"search bad limit", nil, []string{"search", "--limit", "0", "quota"}, "--limit must be between"},
		{"import without out", nil, []string{"import", "x.jsonl"}, "--out DIR is required"},
		{"import without file", nil, []string{"import", "--out", "x"}, "give one JSONL file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, r.stderr)
			}
			if !strings.Contains(r.stderr, "Usage: errata") {
				t.Errorf("stderr lacks the usage:\n%s", r.stderr)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	n := catalogueSize(t)
	want := fmt.Sprintf("%d entries, 0 problems\n", n)
	if r := run(t, nil, "check"); r.code != 0 || r.stdout != want {
		t.Errorf("check (embedded): exit %d, %q; want 0, %q\n%s", r.code, r.stdout, want, r.stderr)
	}
	dir := copyEntries(t)
	if r := run(t, nil, "check", dir); r.code != 0 || r.stdout != want {
		t.Errorf("check %s: exit %d, %q; want 0, %q", dir, r.code, r.stdout, want)
	}

	// Break one file: a status that is not a number, and an entry without title.
	file := filepath.Join(dir, "429-gmail-too-many-requests.md")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(b), "status: 429", "status: lots", 1)
	if broken == string(b) {
		t.Fatal("fixture changed: no `status: 429` line to break")
	}
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "check", dir)
	if r.code != 1 {
		t.Errorf("check of a broken folder: exit %d, want 1\n%s", r.code, r.stdout)
	}
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(file) + `:3: .+ — .+$`)
	if !line.MatchString(r.stdout) {
		t.Errorf("no `%s:3: what — fix` line in:\n%s", file, r.stdout)
	}
	if !regexp.MustCompile(`(?m)^\d+ entries, [1-9]\d* problems?$`).MatchString(r.stdout) {
		t.Errorf("no summary with problems in:\n%s", r.stdout)
	}
}

func TestSearch(t *testing.T) {
	r := run(t, nil, "search", "--json", "--limit", "3", "The Gmail account has exceeded the usage limit.")
	if r.code != 0 {
		t.Fatalf("search --json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var out struct {
		Query string
		Total int
		Hits  []jsonHit
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("search --json printed no JSON: %v\n%s", err, r.stdout)
	}
	if out.Total == 0 || len(out.Hits) == 0 || len(out.Hits) > 3 {
		t.Fatalf("search --json: total %d, %d hits; want some, at most 3", out.Total, len(out.Hits))
	}
	if h := out.Hits[0]; h.ID != "429-gmail-too-many-requests" || h.URL != "http://localhost:8080/errors/429-gmail-too-many-requests" || h.Status != 429 {
		t.Errorf("best hit for the Gmail message = %+v, want 429-gmail-too-many-requests", h)
	}

	r = run(t, []string{"ERRATA_BASE_URL=https://errata.example.com"}, "search", "--status", "4xx", "--provider", "gmail", "quota")
	if r.code != 0 {
		t.Fatalf("search: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "STATUS") || len(lines) < 2 {
		t.Fatalf("search output:\n%s", r.stdout)
	}
	for _, l := range lines[1:] {
		if strings.HasSuffix(l, "--limit shows more.") {
			continue
		}
		f := strings.Fields(l)
		code, _ := strconv.Atoi(f[0])
		if code < 400 || code > 499 || !strings.Contains(l, "Gmail") || !strings.Contains(l, "https://errata.example.com/errors/") {
			t.Errorf("line %q: want a 4xx Gmail entry with a link on the base URL", l)
		}
	}

	r = run(t, nil, "search", "zzqxj wvxkq")
	if r.code != 1 || !strings.Contains(r.stdout, "No entry matches") {
		t.Errorf("search with no result: exit %d, %q; want 1, No entry matches", r.code, r.stdout)
	}
}

// importJSONL is a small catalogue in the ../shared/corpora format.
const importJSONL = `{"id": "acme:1001", "source": "test", "status": 409, "provider": "", "code": "1001", "title": "Widget Already Exists", "message": "A widget with this name already exists.", "body": "A widget with this name already exists.", "cause": "The name is taken.", "solution": "Pick another name."}
{"id": "acme:1002", "source": "test", "status": null, "provider": "", "code": "1002", "title": "Gizmo Offline", "message": "The gizmo is offline.", "body": "The gizmo is offline.", "cause": null, "solution": null}

{"id": "acme:1003", "source": "test", "status": 503, "provider": "", "code": "1003", "title": "Sprocket Busy <script>", "message": "Sprocket busy, retry later.", "body": "Sprocket busy, retry later.", "cause": null, "solution": "Retry with backoff."}
`

func TestImport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "acme.jsonl")
	if err := os.WriteFile(file, []byte(importJSONL), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "entries")
	r := run(t, nil, "import", file, "--out", out)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "imported 3 entries") {
		t.Fatalf("import: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("import printed progress although stderr is not a terminal: %q", r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.md"))
	if len(files) != 3 {
		t.Errorf("import wrote %d files, want 3: %q", len(files), files)
	}
	if r := run(t, nil, "check", out); r.code != 0 || r.stdout != "3 entries, 0 problems\n" {
		t.Errorf("check of imported folder: exit %d, %q", r.code, r.stdout)
	}
	if r := run(t, nil, "search", "--content", out, "--json", "gizmo is offline"); r.code != 0 || !strings.Contains(r.stdout, "Gizmo Offline") {
		t.Errorf("search of the imported folder: exit %d, %s", r.code, r.stdout)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id": "x:1", "title": "ok"}`+"\n{not json\n"), 0o644)
	if r := run(t, nil, "import", bad, "--out", filepath.Join(dir, "bad")); r.code != 1 || !strings.Contains(r.stderr, "bad.jsonl:2") {
		t.Errorf("import of a bad line: exit %d, stderr %q; want 1 naming bad.jsonl:2", r.code, r.stderr)
	}
}

// TestImportProgressOnTerminal runs import under script(1), which gives it a
// terminal: progress appears there and only there.
func TestImportProgressOnTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		corpustest.Missing(t, "", "script(1) not found to fake a terminal; install util-linux")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "acme.jsonl")
	if err := os.WriteFile(file, []byte(importJSONL), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdline := fmt.Sprintf("%q import %q --out %q", bin, file, filepath.Join(dir, "entries"))
	out, err := exec.Command(script, "-qec", cmdline, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("import on a terminal: %v\n%s", err, out)
	}
	text := strings.ReplaceAll(string(out), "\r", "")
	final := text[strings.LastIndex(strings.TrimRight(text, "\n"), "\n")+1:]
	if !strings.HasPrefix(final, "imported 3 entries") {
		t.Fatalf("last line %q, want the summary", final)
	}
	if progress := strings.TrimSpace(strings.TrimSuffix(text, final)); progress == "" {
		t.Errorf("no progress printed on a terminal:\n%s", text)
	}
}

// errata search - reads the paste from stdin: a long stack trace lands on
// its entry, and a paste over the limit is refused with the limit named.
func TestSearchStdin(t *testing.T) {
	var trace strings.Builder
	trace.WriteString("Traceback (most recent call last):\n")
	for i := range 400 {
		fmt.Fprintf(&trace, "  File \"/srv/app/mailer/step%d.py\", line %d, in send\n    service.users().messages().send(userId=\"me\", body=raw).execute()\n", i, 10+i)
	}
	trace.WriteString("googleapiclient.errors.HttpError: <HttpError 429 when requesting https://gmail.googleapis.com/gmail/v1/users/me/messages/send?alt=json returned \"User-rate limit exceeded.\". Details: \"[{'message': 'User-rate limit exceeded.', 'domain': 'usageLimits', 'reason': 'rateLimitExceeded'}]\">\n")
	if trace.Len() < 40<<10 {
		t.Fatalf("the trace is %d bytes, want a long one", trace.Len())
	}
	r := runStdin(t, 60*time.Second, strings.NewReader(trace.String()), nil, "search", "--json", "--limit", "1", "-")
	if r.code != 0 {
		t.Fatalf("search - < trace: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var out struct{ Hits []jsonHit }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Hits) != 1 || out.Hits[0].ID != "429-gmail-too-many-requests" {
		t.Errorf("search - < trace: %v %s, want 429-gmail-too-many-requests", err, r.stdout)
	}

	r = runStdin(t, 60*time.Second, strings.NewReader(strings.Repeat("x", search.MaxQueryBytes+1)), nil, "search", "-")
	if r.code != 2 || !strings.Contains(r.stderr, fmt.Sprintf("%d KiB", search.MaxQueryBytes>>10)) {
		t.Errorf("search - < a paste over the limit: exit %d, stderr %q; want 2 and the limit named", r.code, r.stderr)
	}
	r = runStdin(t, 60*time.Second, strings.NewReader("  \n"), nil, "search", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "stdin") {
		t.Errorf("search - < nothing: exit %d, stderr %q; want 2 and a word on stdin", r.code, r.stderr)
	}
}
