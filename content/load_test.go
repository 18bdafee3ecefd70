package content_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func TestCatalogueLoadsClean(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatalf("the embedded catalogue has problems:\n%v", err)
	}
	if len(entries) != 15 {
		t.Fatalf("catalogue has %d entries, want the 15 errors of the source", len(entries))
	}
	sorted := slices.IsSortedFunc(entries, func(a, b content.Entry) int {
		if a.Status != b.Status {
			return a.Status - b.Status
		}
		return strings.Compare(a.ID, b.ID)
	})
	if !sorted {
		t.Error("entries are not sorted by status then id")
	}
	for _, e := range entries {
		for _, id := range []string{"cause", "solution"} {
			if s, ok := e.Section(id); !ok || s.Text == "" || s.HTML == "" {
				t.Errorf("%s: section %q missing or empty", e.ID, id)
			}
		}
		if e.Path != e.ID+".md" {
			t.Errorf("%s: Path = %q, want the file name inside the embedded FS", e.ID, e.Path)
		}
		if !e.Updated.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: updated %v", e.ID, e.Updated)
		}
	}
}

// The defects the source carries must not reach the catalogue.
func TestCatalogueHasNoSourceDefects(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		all := e.Title + strings.Join(e.Messages, " ") + strings.Join(e.Aliases, " ")
		for _, s := range e.Sections {
			all += s.Text + s.HTML
		}
		for _, bad := range []string{"<85>", "[email protected]", "email protected", "Take a look at some related documentation:", "\u00a0"} {
			if strings.Contains(all, bad) {
				t.Errorf("%s contains the source defect %q", e.ID, bad)
			}
		}
		for _, s := range e.Sections {
			lines := strings.Split(s.Text, "\n")
			seen := map[string]bool{}
			for _, l := range lines {
				if seen[l] {
					t.Errorf("%s/%s repeats %q", e.ID, s.ID, l)
				}
				seen[l] = true
			}
		}
	}
}

// sourceError is one error of the source document.
type sourceError struct {
	status   int
	title    string // "" when the source leaves it untitled
	provider string // "" for every provider
	message  string // "" when the source shows none
}

var headerRE = regexp.MustCompile(`^([1-5][0-9][0-9])(?: - (.+))?$`)

// parseSource reads the errors of the source document: a "429 - Title"
// line, an optional provider line, an optional message, then "Cause".
func parseSource(tb testing.TB, text string) []sourceError {
	tb.Helper()
	var errs []sourceError
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		m := headerRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		var se sourceError
		fmt.Sscan(m[1], &se.status)
		se.title = m[2]
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "Cause"; i++ {
			switch l := strings.TrimSpace(lines[i]); l {
			case "":
			case "Gmail", "Microsoft":
				se.provider = strings.ToLower(l)
			default:
				se.message = l
			}
		}
		errs = append(errs, se)
	}
	return errs
}

func TestEverySourceErrorIsInExactlyOneEntry(t *testing.T) {
	dir, ok := corpustest.SourceDir()
	if !ok {
		corpustest.Missing(t, "", "../shared/source not found beside the module; cannot check the catalogue against its source")
	}
	data, err := os.ReadFile(filepath.Join(dir, "000_e92d4ee27390c0a6.txt"))
	if err != nil {
		t.Fatal(err)
	}
	errs := parseSource(t, string(data))
	if len(errs) != 15 {
		t.Fatalf("parsed %d errors from the source, want 15: %+v", len(errs), errs)
	}
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(errs) {
		t.Errorf("%d entries for %d source errors", len(entries), len(errs))
	}
	used := map[string]bool{}
	for _, se := range errs {
		var hits []string
		for _, e := range entries {
			if e.Status != se.status || (se.title != "" && e.Title != se.title) ||
				(se.message != "" && !slices.Contains(e.Messages, se.message)) ||
				(se.title == "" && se.message == "") {
				continue
			}
			// The source is Nylas's page: every error is a Nylas answer,
			// some about the mail provider behind it.
			want := []string{"nylas"}
			if se.provider != "" {
				want = append(want, se.provider)
			}
			if !slices.Equal(e.Providers, want) {
				continue
			}
			hits = append(hits, e.ID)
		}
		if len(hits) != 1 {
			t.Errorf("source error %+v is in %d entries %v, want exactly one", se, len(hits), hits)
			continue
		}
		used[hits[0]] = true
		if se.title == "" {
			// Untitled in the source: the title must name the message.
			e := entries[slices.IndexFunc(entries, func(e content.Entry) bool { return e.ID == hits[0] })]
			if words := strings.Fields(strings.ToLower(e.Title)); len(words) < 3 || !strings.Contains(strings.ToLower(se.message), words[len(words)-1]) {
				t.Errorf("%s: title %q does not name the message %q", e.ID, e.Title, se.message)
			}
		}
	}
	if len(used) != len(entries) {
		t.Errorf("%d entries match a source error, want all %d", len(used), len(entries))
	}
}

func TestStatusNone(t *testing.T) {
	entries, err := content.Load(files("429-gmail-too-many-requests.md", strings.Replace(good, "status: 429", "status: none", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if entries[0].Status != 0 {
		t.Errorf("status none loaded as %d, want 0", entries[0].Status)
	}
}

func TestRawHTMLIsNeverRendered(t *testing.T) {
	body := good + "\n<script>alert(1)</script>\n\nInline <script>alert(2)</script> and <img src=x onerror=alert(3)>.\n"
	entries, err := content.Load(files("429-gmail-too-many-requests.md", body))
	if err != nil {
		t.Fatal(err)
	}
	sol, _ := entries[0].Section("solution")
	if strings.Contains(sol.HTML, "<script") || strings.Contains(sol.HTML, "<img") {
		t.Errorf("raw HTML rendered:\n%s", sol.HTML)
	}
	if !strings.Contains(sol.HTML, "<!-- raw HTML omitted -->") {
		t.Errorf("raw HTML not replaced by goldmark's comment:\n%s", sol.HTML)
	}
	// An HTML block is dropped whole; inline tags are dropped, the words
	// between them stay as text.
	if strings.Contains(sol.Text, "alert(1)") || strings.Contains(sol.Text, "script") || !strings.Contains(sol.Text, "Inline alert(2) and .") {
		t.Errorf("raw HTML leaked into the plain text: %q", sol.Text)
	}
}

func TestDangerousLinksAreNeutralised(t *testing.T) {
	body := good + `
- [js](javascript:alert(1))
- [JS](JaVaScRiPt:alert(1))
- [tab](java&#9;script:alert(1))
- [data](data:text/html;base64,PHNjcmlwdD4=)
- [png](data:image/png;base64,AAAA)
- ![img](data:image/svg+xml;base64,AAAA)
- <javascript:alert(1)>
- <data:text/html,hi>
- [vb](vbscript:msgbox)
- [ok](https://example.com/x) [rel](/errors/429-gmail-too-many-requests#cause) [mail](mailto:user@example.com)
`
	entries, err := content.Load(files("429-gmail-too-many-requests.md", body))
	if err != nil {
		t.Fatal(err)
	}
	sol, _ := entries[0].Section("solution")
	for _, bad := range []string{"javascript:", "data:", "vbscript:"} {
		if strings.Contains(strings.ToLower(sol.HTML), `="`+bad) {
			t.Errorf("HTML keeps a %s destination:\n%s", bad, sol.HTML)
		}
	}
	if got := hrefs(sol.HTML); !slices.Equal(got, []string{"https://example.com/x", "/errors/429-gmail-too-many-requests#cause", "mailto:user@example.com"}) {
		t.Errorf("followable links = %q, want only the safe three", got)
	}
}

var hrefRE = regexp.MustCompile(`(?i)(?:href|src)\s*=\s*"([^"]*)"`)

// hrefs lists non-empty link and image destinations of HTML.
func hrefs(html string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(html, -1) {
		if m[1] != "" {
			out = append(out, m[1])
		}
	}
	return out
}

// Deep nesting and delimiter floods make goldmark slow (worse than linear);
// Load refuses them with a problem (before parsing, or for nesting by
// indentation right after), and loads what stays
// within the limits. The test's own deadline is the time bound.
func TestDeepNestingIsBounded(t *testing.T) {
	const depth = 5000
	tests := []struct {
		name, markdown, want string
	}{
		{"blockquotes", strings.Repeat(">", depth) + " deep\n", ":19: quotes or lists nested 5000 deep — nest at most 32 levels"},
		{"lists", strings.Repeat("- ", depth) + "deep\n", ":19: quotes or lists nested 5000 deep"},
		{"quotes in lists", strings.Repeat("> - ", depth) + "deep\n", ":19: quotes or lists nested 10000 deep"},
		{"numbered lists", strings.Repeat("1. ", depth) + "deep\n", ":19: quotes or lists nested 5000 deep"},
		{"brackets", strings.Repeat("[", depth) + "deep" + strings.Repeat("](x)", depth) + "\n", ":19: a paragraph with more than 4000 Markdown punctuation marks"},
		{"emphasis", strings.Repeat("*a_", depth) + "\n", ":19: a paragraph with more than 4000 Markdown punctuation marks"},
		{"open links over many lines", strings.Repeat("[a](\n", depth), ":19: a paragraph with more than 4000 Markdown punctuation marks"},
		{"indented lists", nestedList(2000), ":51: quotes or lists nested 33 deep — nest at most 32 levels"}, // found once parsed
		{"within the limits", strings.Repeat("> ", 32) + "deep\n\n" + strings.Repeat("*a_", 1300) + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := good + "\n" + tt.markdown
			entries, err := content.Load(files("429-gmail-too-many-requests.md", body))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %.300v, want a problem containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("within the limits, got %.300v", err)
			}
			if sol, _ := entries[0].Section("solution"); !strings.Contains(sol.Text, "deep") && !strings.Contains(sol.Text, "a_") {
				t.Errorf("nested text lost: %.200q", sol.Text)
			}
		})
	}
}

func nestedList(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat(" ", 2*i%200))
		b.WriteString("- deep\n")
	}
	return b.String()
}

// Golden files pin what each real entry renders to; refresh with
// go test ./content -run TestGolden -update.
func TestGolden(t *testing.T) {
	entries, err := content.Load(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "golden")
	for _, e := range entries {
		t.Run(e.ID, func(t *testing.T) {
			got := render(e)
			path := filepath.Join(dir, e.ID+".golden")
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s rendering changed (-want +got):\n%s", e.ID, diff)
			}
		})
	}
}

func render(e content.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\nstatus: %d\ntitle: %s\ncodes: %q\nproviders: %q\nmessages: %q\naliases: %q\nrelated: %q\nsource: %q %q\nupdated: %s\nredirect_from: %q\n",
		e.ID, e.Status, e.Title, e.Codes, e.Providers, e.Messages, e.Aliases, e.Related, e.Source.Name, e.Source.URL, e.Updated.Format(time.DateOnly), e.RedirectFrom)
	for _, s := range e.Sections {
		fmt.Fprintf(&b, "\n=== section %s (%s)\n--- html\n%s--- text\n%s\n", s.ID, s.Title, s.HTML, s.Text)
	}
	return b.String()
}

func TestSubheadingsGetIDsAndCRLFKeepsLines(t *testing.T) {
	body := "\ufeff" + strings.ReplaceAll(edit(t, good, "Retry failed requests.\n", "### Retry with backoff\n\nRetry failed requests.\n"), "\n", "\r\n")
	entries, err := content.Load(files("429-gmail-too-many-requests.md", body))
	if err != nil {
		t.Fatal(err)
	}
	sol, _ := entries[0].Section("solution")
	if !strings.Contains(sol.HTML, `<h3 id="retry-with-backoff">Retry with backoff</h3>`) {
		t.Errorf("sub-heading without an id:\n%s", sol.HTML)
	}
	_, err = content.Load(files("429-gmail-too-many-requests.md", strings.Replace(body, "status: 429", "status: 1", 1)))
	if err == nil || !strings.HasPrefix(err.Error(), "429-gmail-too-many-requests.md:3: status 1 is outside") {
		t.Errorf("CRLF file: %v, want the problem on line 3", err)
	}
}

func TestLoadDirNamesRealPaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "429-gmail-too-many-requests.md"), []byte(strings.Replace(good, "status: 429", "status: 1", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := content.LoadDir(dir)
	if want := filepath.Join(dir, "429-gmail-too-many-requests.md") + ":3: status 1"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadDir error %v, want it to start %q", err, want)
	}
	entries, err := content.LoadDir("entries")
	if err != nil || len(entries) != 15 {
		t.Errorf("LoadDir(entries) = %d entries, %v; want the same 15 as Embedded", len(entries), err)
	}
}

func TestLoadDirNamesBothDuplicates(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"429-gmail-too-many-requests.md", "sub/429-gmail-too-many-requests.md"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(good), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := content.LoadDir(dir)
	a, b := filepath.Join(dir, "sub", "429-gmail-too-many-requests.md"), filepath.Join(dir, "429-gmail-too-many-requests.md")
	if want := a + `:2: duplicate id "429-gmail-too-many-requests", also used by ` + b; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadDir error\n%v\nwant it to start\n%s", err, want)
	}
}

// stuckFS never finishes opening stuck.md (a dead network mount, say): it
// says so on opening and waits until the test ends.
type stuckFS struct {
	fstest.MapFS
	opening chan<- struct{}
	release <-chan struct{}
}

func (s stuckFS) Open(name string) (fs.File, error) {
	if name == "stuck.md" {
		s.opening <- struct{}{}
		<-s.release
	}
	return s.MapFS.Open(name)
}

// A load stopped by its context (a signal, a shutdown) returns at once, even
// with a file read that never ends.
func TestLoadContextAbandonsStuckRead(t *testing.T) {
	opening, release := make(chan struct{}, 1), make(chan struct{})
	t.Cleanup(func() { close(release) })
	fsys := stuckFS{files("429-gmail-too-many-requests.md", good, "stuck.md", good), opening, release}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := content.LoadContext(ctx, fsys)
		done <- err
	}()
	select {
	case <-opening:
	case err := <-done:
		t.Fatalf("LoadContext returned %v before opening stuck.md", err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("LoadContext stopped with %v, want context.Canceled", err)
		}
	case <-time.After(loadBudget):
		t.Fatal("LoadContext waited for a stuck read after its context was cancelled")
	}

	if _, err := content.LoadDirContext(ctx, "entries"); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadDirContext with a cancelled context: %v, want context.Canceled", err)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := content.Load(content.Embedded()); err != nil {
			b.Fatal(err)
		}
	}
}
