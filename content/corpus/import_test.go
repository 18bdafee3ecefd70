package corpus_test

import (
	"fmt"
	stdhtml "html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
	"github.com/errata/errata/content/corpus/corpustest"
)

// importOne imports recs into a new folder and loads the entries back.
func importAll(t *testing.T, recs []corpus.Record) map[string]content.Entry {
	t.Helper()
	dir := t.TempDir()
	if _, err := corpus.Import(recs, dir, nil); err != nil {
		t.Fatalf("import: %v", err)
	}
	loaded, err := content.LoadDir(dir)
	if err != nil {
		t.Fatalf("imported entries fail check:\n%.3000s", err)
	}
	byID := map[string]content.Entry{}
	for _, e := range loaded {
		byID[e.ID] = e
	}
	return byID
}

func section(e content.Entry, id string) string {
	s, _ := e.Section(id)
	return s.HTML
}

// The source's Markdown renders as Markdown, its HTML as what the HTML
// means, and text that only looks like a tag as itself.
func TestImportRendersSourceMarkdown(t *testing.T) {
	for _, c := range []struct{ name, cause, want string }{
		{"link, code and emphasis", "Use [E164 format](https://www.twilio.com/docs/glossary/what-e164): `[+] [code]`, **not** _this_.",
			`<p>Use <a href="https://www.twilio.com/docs/glossary/what-e164">E164 format</a>: <code>[+] [code]</code>, <strong>not</strong> <em>this</em>.</p>`},
		{"lists", "Intro line\r\n*  one\r\n* two *em*\r\n\r\n-1 is not a bullet",
			"<p>Intro line</p>\n<ul>\n<li>one</li>\n<li>two <em>em</em></li>\n</ul>\n<p>-1 is not a bullet</p>"},
		{"rest-attribute span", "the <span class='rest-attribute'>Called</span> phone number",
			"<p>the <code>Called</code> phone number</p>"},
		{"other span", `a <span style="color:red">red</span> word`, "<p>a red word</p>"},
		{"br is a line break", "first<br />second", "<p>first<br>\nsecond</p>"},
		{"two br end a paragraph", "first <br /><br /> **Important:** second", "<p>first</p>\n<p><strong>Important:</strong> second</p>"},
		{"br before dashes makes a list", "when: <br/> - one. <br/> - two.", "<p>when:</p>\n<ul>\n<li>one.</li>\n<li>two.</li>\n</ul>"},
		{"li", "reasons:<ul><li>one</li><li>two</li></ul>", "<p>reasons:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"},
		{"a href", `see <a href="https://example.com/x">the page</a>.`, `<p>see <a href="https://example.com/x">the page</a>.</p>`},
		{"TwiML verbs and placeholders are words", "an established <Dial> session for <conversation sid> and <start_date>",
			"<p>an established &lt;Dial&gt; session for &lt;conversation sid&gt; and &lt;start_date&gt;</p>"},
		{"script dropped", "<script>alert(1)</script>safe <!-- note -->text", "<p>safe text</p>"},
		{"code keeps what it holds", "`<span>` and\n\n```\n<b>x</b>\n## Cause\n```", "<p><code>&lt;span&gt;</code> and</p>\n<pre><code>&lt;b&gt;x&lt;/b&gt;\n## Cause\n</code></pre>"},
		{"headings stay inside the section", "# One\n## Cause\ntext", `<h3 id="one">One</h3>` + "\n" + `<h3 id="cause-1">Cause</h3>` + "\n<p>text</p>"},
		{"a rule under text is no heading", "text\n---\nmore\n===", "<p>text\n---\nmore\n===</p>"},
		{"relative link against the reference", "see [limits](throttling-limits.md) and [guide](/azure/guide)",
			`<p>see <a href="https://learn.microsoft.com/en-us/graph/throttling-limits">limits</a> and <a href="https://learn.microsoft.com/azure/guide">guide</a></p>`},
		{"unsafe link loses its target", "[x](javascript:alert(1))", "<p><a href=\"\">x</a></p>"},
		{"autolink", "<https://example.com/a>", `<p><a href="https://example.com/a">https://example.com/a</a></p>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			recs := []corpus.Record{{ID: "graph:x", Provider: "microsoft-graph", Code: "x", Title: "T", Cause: ptr(c.cause), Solution: ptr("S")}}
			e := importAll(t, recs)["graph-x"]
			if got := strings.TrimSpace(section(e, "cause")); got != c.want {
				t.Errorf("cause\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// A record's message is its source's description: without a cause it is
// the Cause, and a client receives only what a messages field lists.
func TestImportDescriptionIsTheCause(t *testing.T) {
	body := "## ERROR - 22102\r\n\r\n### Invalid Phone Number\r\n\r\nThe phone number provided is not a valid number.\r\n\r\n#### Possible Causes\r\n\r\n* Country code does not exist.\r\n\r\n#### Possible Solutions\r\n\r\nUse [E164 format](http://en.wikipedia.org/wiki/E.164).\r\n\r\n#### Example\r\n\r\n```\r\n+14155552671\r\n```"
	recs := []corpus.Record{
		{ID: "aadsts:AADSTS50126", Provider: "microsoft-entra", Code: "AADSTS50126", Title: "InvalidUserNameOrPassword",
			Message: "Error validating credentials due to invalid username or password."},
		{ID: "twilio:22102", Provider: "twilio", Code: "22102", Title: "Invalid Phone Number", Message: "Invalid Phone Number", Body: body},
		{ID: "twilio:22225", Provider: "twilio", Code: "22225", Title: "T", Message: "The FromBundleSid specified does not exist.",
			Cause: ptr("The FromBundleSid specified does not exist."), Solution: ptr("Review it.")},
		{ID: "acme:1", Code: "E_QUOTA", Title: "Quota", Message: "The account ran out of quota.", Messages: []string{"Quota exceeded for <project>"}},
	}
	got := importAll(t, recs)
	for id, want := range map[string][2]string{
		"aadsts-aadsts50126": {"<p>Error validating credentials due to invalid username or password.</p>",
			"<p>Microsoft Entra's error code reference gives no solution for this error.</p>"},
		"twilio-22102": {"<p>The phone number provided is not a valid number.</p>\n<ul>\n<li>Country code does not exist.</li>\n</ul>",
			"<p>Use <a href=\"http://en.wikipedia.org/wiki/E.164\">E164 format</a>.</p>\n<h3 id=\"example\">Example</h3>\n<pre><code>+14155552671\n</code></pre>"},
		"twilio-22225": {"<p>The FromBundleSid specified does not exist.</p>", "<p>Review it.</p>"},
		"acme-1":       {"<p>The account ran out of quota.</p>", "<p>The source gives no solution for this error.</p>"},
	} {
		e := got[id]
		if c, s := strings.TrimSpace(section(e, "cause")), strings.TrimSpace(section(e, "solution")); c != want[0] || s != want[1] {
			t.Errorf("%s: cause\n%s\nsolution\n%s\nwant\n%s\n%s", id, c, s, want[0], want[1])
		}
		wantMsgs := []string(nil)
		if id == "acme-1" {
			wantMsgs = []string{"Quota exceeded for <project>"}
		}
		if !slices.Equal(e.Messages, wantMsgs) {
			t.Errorf("%s: messages %q, want %q", id, e.Messages, wantMsgs)
		}
	}
}

// Codes, attribution and dates: the record's code is a code, never an
// alias, and no internal id is listed; the source names the provider's
// reference and the error's page in it; the import date is not a review.
func TestImportCodesSourceAndDate(t *testing.T) {
	got := importAll(t, []corpus.Record{
		{ID: "twilio:21211", Provider: "Twilio", Code: "21211", Title: "Invalid 'To' Phone Number", Message: "m"},
		{ID: "ews:ErrorX", Provider: "microsoft-ews", Code: "ErrorX", Title: "ErrorX", Message: "first"},
		{ID: "acme:7", Code: "two words", Title: "T", Message: "m", Source: "acme/errors@0123456789abcdef0123456789abcdef01234567:docs/errors.md"},
	})
	tw := got["twilio-21211"]
	if !slices.Equal(tw.Codes, []string{"21211"}) || len(tw.Aliases) != 0 || !slices.Equal(tw.Providers, []string{"twilio"}) {
		t.Errorf("codes %q aliases %q providers %q", tw.Codes, tw.Aliases, tw.Providers)
	}
	if tw.Source != (content.Source{Name: "Twilio's error dictionary", URL: "https://www.twilio.com/docs/api/errors/21211"}) {
		t.Errorf("source %+v", tw.Source)
	}
	if tw.Imported.IsZero() || !tw.Updated.IsZero() {
		t.Errorf("imported %v updated %v: an import is not a review", tw.Imported, tw.Updated)
	}
	if ews := got["ews-errorx"]; ews.Source.URL != "https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/responsecode" {
		t.Errorf("EWS source %+v: its reference has no page per error", ews.Source)
	}
	acme := got["acme-7"]
	if len(acme.Codes) != 0 || !slices.Equal(acme.Aliases, []string{"two words"}) {
		t.Errorf("a code that is not one word: codes %q aliases %q", acme.Codes, acme.Aliases)
	}
	if acme.Source != (content.Source{Name: "acme/errors on GitHub", URL: "https://github.com/acme/errors/blob/0123456789abcdef0123456789abcdef01234567/docs/errors.md"}) {
		t.Errorf("source %+v", acme.Source)
	}
	if s := section(acme, "solution"); !strings.Contains(s, "Acme/errors on GitHub gives no solution") {
		t.Errorf("the note does not name the source: %s", s)
	}
}

// Records that give one provider's code twice are one error: one entry,
// named after the first, that says what each says.
func TestImportMergesOneProvidersCode(t *testing.T) {
	got := importAll(t, []corpus.Record{
		{ID: "ews:ErrorMailboxFailover", Provider: "microsoft-ews", Code: "ErrorMailboxFailover", Title: "ErrorMailboxFailover",
			Message: "This error indicates that an attempt to access a mailbox failed because the mailbox is in a failover process."},
		{ID: "twilio:1", Provider: "twilio", Code: "ErrorMailboxFailover", Title: "Another provider's", Message: "m"},
		{ID: "ews:ErrorMailboxFailover#2", Provider: "microsoft-ews", Code: "errormailboxfailover", Title: "ErrorMailboxFailover",
			Message: "Specifies that an attempt to access a mailbox failed because the mailbox is in a failover process."},
	})
	if len(got) != 2 {
		t.Fatalf("%d entries, want 2", len(got))
	}
	e := got["ews-errormailboxfailover"]
	want := "<p>This error indicates that an attempt to access a mailbox failed because the mailbox is in a failover process.</p>\n" +
		"<p>Specifies that an attempt to access a mailbox failed because the mailbox is in a failover process.</p>"
	if c := strings.TrimSpace(section(e, "cause")); c != want {
		t.Errorf("cause\n%s\nwant\n%s", c, want)
	}
}

// A record of a provider the folder's providers do not declare is refused,
// naming its line and where providers are declared; with that provider in
// the folder's providers.yaml it imports.
func TestImportUnknownProvider(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	out := filepath.Join(dir, "out")
	must(t, os.WriteFile(in, []byte(`{"id":"sg:1","provider":"twilio","code":"1","title":"T","message":"m"}`+"\n"+`{"id":"sg:2","provider":"SendGrid","code":"2","title":"T","message":"m"}`+"\n"), 0o644))
	_, err := corpus.ImportFile(in, out, nil)
	want := []string{in + `:2: provider "SendGrid" is not declared in content/providers.yaml — declare it in a providers.yaml beside the entries (start from a copy of content/providers.yaml), use one of gmail, microsoft, microsoft-entra, microsoft-ews, microsoft-graph, nylas, twilio, or leave provider empty for an error of every provider`}
	if diff := cmp.Diff(want, problemLines(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed import created %s", out)
	}
	must(t, os.MkdirAll(out, 0o755))
	must(t, os.WriteFile(filepath.Join(out, "providers.yaml"), []byte("- slug: twilio\n  name: Twilio\n- slug: sendgrid\n  name: SendGrid\n"), 0o644))
	if _, err := corpus.ImportFile(in, out, nil); err != nil {
		t.Fatal(err)
	}
	es, err := content.LoadDir(out)
	if err != nil || len(es) != 2 || !slices.Equal(es[1].Providers, []string{"sendgrid"}) {
		t.Errorf("loaded %d entries (%v), second's providers %v", len(es), err, es[len(es)-1].Providers)
	}
	// A broken providers.yaml in --out stops the import, with its line.
	must(t, os.WriteFile(filepath.Join(out, "providers.yaml"), []byte("- slug: sendgrid\n  colour: blue\n"), 0o644))
	_, err = corpus.ImportFile(in, out, nil)
	if got := problemLines(t, err); len(got) == 0 || !strings.HasPrefix(got[0], filepath.Join(out, "providers.yaml")+":") {
		t.Errorf("problems %q", got)
	}
}

func problemLines(t *testing.T, err error) []string {
	t.Helper()
	ps, ok := err.(content.Problems)
	if !ok {
		t.Fatalf("err = %v, want problems", err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

var (
	urlRE  = regexp.MustCompile("https?://[A-Za-z0-9][^\\s)<>\"'\\]`]*")
	tagsRE = regexp.MustCompile(`(?i)</?(span|br|b|li|ul|a)\b[^>]*>`)
)

// The real corpora round trip: every record is an entry (or part of one,
// for a provider's code given twice) that passes check and keeps its facts:
// its code as a code, the words of its message, and its links.
func TestImportRoundTripReal(t *testing.T) {
	recs := corpustest.RealRecords(t)
	got := importAll(t, recs)
	drafts, ps := corpus.Drafts(recs, content.BuiltinProviders())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(got) != len(drafts) || len(got) < len(recs)-30 {
		t.Fatalf("%d entries from %d records (%d drafts)", len(got), len(recs), len(drafts))
	}
	byCode := map[[2]string]content.Entry{}
	for _, e := range got {
		for _, c := range e.Codes {
			byCode[[2]string{e.Providers[0], c}] = e
		}
		if slices.ContainsFunc(e.Aliases, func(a string) bool { return strings.Contains(a, ":") }) {
			t.Errorf("%s lists an internal id among its aliases: %q", e.ID, e.Aliases)
		}
		if e.Source.Name == "" || e.Imported.IsZero() || !e.Updated.IsZero() {
			t.Errorf("%s: source %+v imported %v updated %v", e.ID, e.Source, e.Imported, e.Updated)
		}
	}
	lost := 0
	for _, r := range recs {
		e, ok := byCode[[2]string{r.Provider, r.Code}]
		if !ok {
			t.Errorf("record %s: no entry has its code %q", r.ID, r.Code)
			continue
		}
		var text, html strings.Builder
		text.WriteString(e.Title + "\n")
		for _, s := range e.Sections {
			text.WriteString(s.Text + "\n")
			html.WriteString(s.HTML)
		}
		// Each sentence of the message is on the page, in some order: a
		// sentence the cause says too is said once.
		page := plainWords(text.String())
		for _, s := range sentenceRE.Split(headingWordsRE.ReplaceAllString(r.Message, "\n"), -1) {
			if w := plainWords(s); strings.Count(w, " ") >= 2 && !strings.Contains(page, w) {
				if lost++; lost < 10 {
					t.Errorf("%s (%s): a sentence of its message is lost:\n%q\nnot in\n%q", r.ID, e.ID, w, page)
				}
			}
		}
		shown := stdhtml.UnescapeString(html.String())
		for _, field := range []string{r.Message, deref(r.Cause), deref(r.Solution), r.Body} {
			for _, u := range urlRE.FindAllString(field, -1) {
				u = strings.TrimRight(u, ".,;:")
				if !strings.Contains(shown, u) {
					if lost++; lost < 10 {
						t.Errorf("%s (%s): link %s is lost", r.ID, e.ID, u)
					}
				}
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d facts lost", lost)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// plainWords is the words of a text, as a reader sees them: HTML tags and
// link targets dropped, then only letters and digits, lower-cased.
func plainWords(s string) string {
	s = stdhtml.UnescapeString(tagsRE.ReplaceAllString(s, " "))
	s = mdTargetRE.ReplaceAllString(s, "")
	s = refDefLineRE.ReplaceAllString(s, "")
	s = fenceInfoRE.ReplaceAllString(s, "")
	return strings.ToLower(strings.Join(wordRE.FindAllString(s, -1), " "))
}

var (
	mdTargetRE     = regexp.MustCompile(`\](?:\([^)]*\)|\[[^\]]*\])`)
	headingWordsRE = regexp.MustCompile(`(?i)possible (?:causes|solutions):?`) // the sections' own headings
	sentenceRE     = regexp.MustCompile(`[.!?]\s+|\n|#+ |\s[*-]\s`)
	refDefLineRE   = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]+\]:.*$`)
	fenceInfoRE    = regexp.MustCompile("(?m)^[ \t]*(?:```|~~~)\\S*")
	wordRE         = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

func TestImportIdempotentAndKeepsItsDate(t *testing.T) {
	dir := t.TempDir()
	recs := []corpus.Record{{ID: "twilio:1", Provider: "twilio", Code: "1", Title: "T", Message: "m"}}
	if st, err := corpus.Import(recs, dir, nil); err != nil || st.Written != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	path := filepath.Join(dir, "twilio-1.md")
	old, _ := os.ReadFile(path)
	aged := strings.Replace(string(old), "\nimported: ", "\nimported: 2020-01-0", 1)
	aged = regexp.MustCompile(`imported: 2020-01-0[0-9-]+`).ReplaceAllString(aged, "imported: 2020-01-02")
	must(t, os.WriteFile(path, []byte(aged), 0o644))
	if st, err := corpus.Import(recs, dir, nil); err != nil || st.Unchanged != 1 || st.Written != 0 {
		t.Fatalf("again: %+v %v", st, err)
	}
	if now, _ := os.ReadFile(path); string(now) != aged {
		t.Errorf("an unchanged entry was rewritten:\n%s", now)
	}
}

func ExampleDrafts() {
	drafts, _ := corpus.Drafts([]corpus.Record{{ID: "twilio:21211", Provider: "twilio", Code: "21211", Title: "Invalid 'To' Phone Number",
		Message: "the <span class='rest-attribute'>Called</span> number is not valid.<br />See [E164](https://www.twilio.com/docs/glossary/what-e164)."}},
		content.BuiltinProviders())
	d := drafts[0]
	fmt.Println(d.Codes, d.Source.Name, d.Source.URL)
	fmt.Println(d.Cause)
	// Output:
	// [21211] Twilio's error dictionary https://www.twilio.com/docs/api/errors/21211
	// the `Called` number is not valid.\
	// See [E164](https://www.twilio.com/docs/glossary/what-e164).
}
