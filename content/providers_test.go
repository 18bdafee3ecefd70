package content_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/errata/errata/content"
)

// problemStrings is err's problems as "file:line: what — fix" lines.
func problemStrings(tb testing.TB, err error) []string {
	tb.Helper()
	var ps content.Problems
	if !errors.As(err, &ps) {
		tb.Fatalf("want problems, got %v", err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func TestBuiltinProviders(t *testing.T) {
	p := content.BuiltinProviders()
	if got := p.Slugs(); !slices.Equal(got, []string{"gmail", "microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph", "nylas", "twilio"}) {
		t.Errorf("slugs %v", got)
	}
	if got := p.Children("microsoft"); !slices.Equal(got, []string{"microsoft-entra", "microsoft-ews", "microsoft-graph"}) {
		t.Errorf("children of microsoft %v", got)
	}
	if p.Name("microsoft-ews") != "Exchange Web Services" || p.Parent("microsoft-graph") != "microsoft" || p.Parent("gmail") != "" {
		t.Errorf("names and parents: %q %q %q", p.Name("microsoft-ews"), p.Parent("microsoft-graph"), p.Parent("gmail"))
	}
	if tw, _ := p.Get("twilio"); tw.StatusCode != "20{status}" || !slices.Contains(tw.Marks, "Twilio-Request-Id") || !slices.Contains(tw.SDKs, "twilio-python") || !slices.Contains(tw.Hosts, "api.twilio.com") {
		t.Errorf("Twilio's signals: marks %v, sdks %v, hosts %v", tw.Marks, tw.SDKs, tw.Hosts)
	}
	tw, _ := p.Get("twilio")
	if got := tw.Reference.PageURL("21211"); got != "https://www.twilio.com/docs/api/errors/21211" {
		t.Errorf("Twilio's page of 21211: %q", got)
	}
	if ews, _ := p.Get("microsoft-ews"); ews.Reference.PageURL("ErrorItemNotFound") != ews.Reference.URL || ews.Reference.URL == "" {
		t.Errorf("EWS has no page per error: %q, want its reference %q", ews.Reference.PageURL("ErrorItemNotFound"), ews.Reference.URL)
	}
}

// Every problem of a providers.yaml comes in one pass, each at its line.
func TestProvidersProblems(t *testing.T) {
	many := "- slug: p0\n  name: P0\n"
	for i := 1; i <= content.MaxProviders; i++ {
		many += fmt.Sprintf("- slug: p%d\n  name: P%d\n", i, i)
	}
	for _, c := range []struct{ name, yaml string }{
		{"not yaml", "- slug: [x\n"},
		{"not a list", "slug: sendgrid\nname: SendGrid\n"},
		{"empty", "# nothing yet\n"},
		{"unknown key", "- slug: sendgrid\n  name: SendGrid\n  colour: blue\n"},
		{"no name", "- slug: sendgrid\n"},
		{"not a slug", "- slug: Send Grid\n  name: SendGrid\n"},
		{"declared twice", "- slug: sendgrid\n  name: SendGrid\n- slug: sendgrid\n  name: Twilio SendGrid\n"},
		{"unknown parent", "- slug: sendgrid\n  name: SendGrid\n  parent: twilio\n"},
		{"own parent", "- slug: sendgrid\n  name: SendGrid\n  parent: sendgrid\n"},
		{"grandparent", "- slug: a\n  name: A\n- slug: b\n  name: B\n  parent: a\n- slug: c\n  name: C\n  parent: b\n"},
		{"bad homepage", "- slug: sendgrid\n  name: SendGrid\n  homepage: javascript:alert(1)\n"},
		{"bad host", "- slug: sendgrid\n  name: SendGrid\n  hosts: [https://api.sendgrid.com/v3]\n"},
		{"sdk with a space", "- slug: sendgrid\n  name: SendGrid\n  sdks: [send grid]\n"},
		{"sdk of separators only", "- slug: sendgrid\n  name: SendGrid\n  sdks: [\"--\"]\n"},
		{"word of two", "- slug: sendgrid\n  name: SendGrid\n  words: [send-grid]\n"},
		{"short mark", "- slug: sendgrid\n  name: SendGrid\n  marks: [X-SG]\n"},
		{"mark of two lines", "- slug: sendgrid\n  name: SendGrid\n  marks: [\"X-Message\\nId\"]\n"},
		{"marks not a list", "- slug: sendgrid\n  name: SendGrid\n  marks: X-Message-Id\n"},
		{"status code without status", "- slug: sendgrid\n  name: SendGrid\n  status_code: \"20429\"\n"},
		{"status code not a code", "- slug: sendgrid\n  name: SendGrid\n  status_code: \"http {status}\"\n"},
		{"hosts not a list", "- slug: sendgrid\n  name: SendGrid\n  hosts: api.sendgrid.com\n"},
		{"reference without a name", "- slug: sendgrid\n  name: SendGrid\n  reference:\n    url: https://docs.sendgrid.com\n"},
		{"reference page without code", "- slug: sendgrid\n  name: SendGrid\n  reference:\n    name: SendGrid's errors\n    page: https://docs.sendgrid.com/errors\n"},
		{"too many", many},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ps := content.ParseProviders("ours/providers.yaml", []byte(c.yaml))
			if len(ps) == 0 || p != nil {
				t.Fatalf("no problem found; providers %v", p.Slugs())
			}
			for _, pr := range ps {
				if pr.File != "ours/providers.yaml" || pr.Line < 1 || pr.Message == "" || pr.Fix == "" {
					t.Errorf("problem %q lacks a file, line, message or fix", pr)
				}
			}
		})
	}
	_, ps := content.ParseProviders("p.yaml", []byte("- slug: a\n  name: A\n- slug: b\n  name: B\n  parent: nope\n  colour: red\n"))
	want := []string{
		`p.yaml:6: unknown provider key "colour" — use only slug, name, parent, homepage, hosts, sdks, words, marks, status_code, reference`,
		`p.yaml:5: parent "nope" of "b" is not declared — declare the parent as a provider of its own, or remove the parent key`,
	}
	if diff := cmp.Diff(want, problemStrings(t, ps)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, ps = content.ParseProviders("p.yaml", []byte("- slug: a\n  name: A\n  words: [ok, not-one]\n  marks:\n    - X-A-Request-Id\n    - X-A\n"))
	want = []string{
		`p.yaml:3: words item "not-one" is not valid — write one word of letters and digits, e.g. sendgrid`,
		`p.yaml:6: marks item "X-A" is not valid — write 5 to 100 characters on one line that only its answers hold, e.g. X-Twilio-Signature`,
	}
	if diff := cmp.Diff(want, problemStrings(t, ps)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// sendgridEntry names a provider the built-in list lacks.
var sendgridEntry = strings.NewReplacer("providers: [gmail]", "providers: [sendgrid]", "id: 429-gmail-too-many-requests", "id: 429-sendgrid-too-many-requests").Replace(good)

const sendgridProviders = "- slug: sendgrid\n  name: SendGrid\n  hosts: [api.sendgrid.com]\n"

// A folder's providers.yaml replaces the built-in list, and an unknown
// provider points at the list that declares providers.
func TestFolderBringsItsProviders(t *testing.T) {
	cat, err := content.LoadCatalogue(context.Background(), content.FSFolder(files(
		"providers.yaml", sendgridProviders, "429-sendgrid-too-many-requests.md", sendgridEntry)))
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Providers.Slugs(); !slices.Equal(got, []string{"sendgrid"}) || cat.Providers.Name("sendgrid") != "SendGrid" {
		t.Errorf("providers %v", got)
	}
	_, err = content.Load(files("providers.yaml", sendgridProviders, "429-gmail-too-many-requests.md", good))
	want := []string{`429-gmail-too-many-requests.md:5: unknown provider "gmail" — use one of sendgrid, declare it in providers.yaml, or leave providers out when the error applies to every provider`}
	if diff := cmp.Diff(want, problemStrings(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Without a list of its own, a folder has the built-in one.
	_, err = content.Load(files("429-sendgrid-too-many-requests.md", sendgridEntry))
	if got := problemStrings(t, err); len(got) != 1 || !strings.Contains(got[0], `unknown provider "sendgrid"`) || !strings.Contains(got[0], "declare it in content/providers.yaml") {
		t.Errorf("problems %q", got)
	}
	// A broken list is reported with its lines, and its folder's entries
	// are still checked.
	_, err = content.Load(files("providers.yaml", "- slug: sendgrid\n", "429-gmail-too-many-requests.md", edit(t, good, "title: Too Many Requests", "title:")))
	got := problemStrings(t, err)
	if len(got) != 2 || !strings.HasPrefix(got[0], "429-gmail-too-many-requests.md:4: title is empty") || !strings.HasPrefix(got[1], "providers.yaml:1: a provider has no name") {
		t.Errorf("problems %q", got)
	}
}

func TestCodes(t *testing.T) {
	withCodes := func(src, id, provs, codes string) string {
		s := edit(t, src, "updated:", "codes: "+codes+"\nupdated:")
		s = strings.Replace(s, "providers: [gmail]\n", "", 1)
		if provs != "" {
			s = edit(t, s, "updated:", "providers: "+provs+"\nupdated:")
		}
		return strings.Replace(s, "id: 429-gmail-too-many-requests", "id: "+id, 1)
	}
	entries, err := content.Load(files(
		"a.md", withCodes(good, "a", "[gmail]", "[rateLimitExceeded, 21211]"),
		"b.md", withCodes(good, "b", "[twilio]", "[21211]"), // another provider: its own code
		"c.md", withCodes(good, "c", "", "[rateLimitExceeded]"), // every provider: its own code
	))
	if err != nil {
		t.Fatal(err)
	}
	if a := entries[slices.IndexFunc(entries, func(e content.Entry) bool { return e.ID == "a" })]; !slices.Equal(a.Codes, []string{"rateLimitExceeded", "21211"}) || a.Code() != "rateLimitExceeded" {
		t.Errorf("codes %q, primary %q", a.Codes, a.Code())
	}
	_, err = content.Load(files(
		"a.md", withCodes(good, "a", "[gmail, twilio]", "[rateLimitExceeded, ErrorX]"),
		"b.md", withCodes(good, "b", "[twilio]", "[errorx]"),
		"c.md", withCodes(good, "c", "", "[E1]"),
		"d.md", withCodes(good, "d", "", "[E1]"),
		"e.md", withCodes(good, "e", "", "[E2, e2, \"two words\"]"),
	))
	want := []string{
		`b.md:7: code "errorx" of provider twilio is also claimed by a.md — keep the code in one of the two entries: if both describe the same error, merge them and list the other id in redirect_from`,
		`d.md:7: code "E1" of every provider (neither names providers) is also claimed by c.md — keep the code in one of the two entries: if both describe the same error, merge them and list the other id in redirect_from`,
		`e.md:7: code "e2" is listed twice — keep it once`,
		`e.md:7: code "two words" is not one word — write the code exactly as the API returns it, one per item: letters, digits and . _ : - (at most 100 characters); put words people search for in aliases`,
	}
	if diff := cmp.Diff(want, problemStrings(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSourceAndImported(t *testing.T) {
	src := edit(t, good, "updated: 2026-11-24", "source:\n  name: Twilio's error dictionary\n  url: https://www.twilio.com/docs/api/errors/21211\nimported: 2026-12-01")
	es, err := content.Load(files("429-gmail-too-many-requests.md", src))
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	if e.Source != (content.Source{Name: "Twilio's error dictionary", URL: "https://www.twilio.com/docs/api/errors/21211"}) || !e.Updated.IsZero() || e.Imported.Format("2006-01-02") != "2026-12-01" {
		t.Errorf("source %+v, updated %v, imported %v", e.Source, e.Updated, e.Imported)
	}
	_, err = content.Load(files("429-gmail-too-many-requests.md", edit(t, good, "updated: 2026-11-24", "source:\n  name: X\n  url: ftp://x.example\n  page: 3")))
	want := []string{
		`429-gmail-too-many-requests.md:1: missing front-matter key "updated" — add updated: with the date of the last review, YYYY-MM-DD (an entry errata import wrote has imported: instead)`,
		`429-gmail-too-many-requests.md:10: source url "ftp://x.example" is not an http or https address — write the full address, e.g. https://www.twilio.com/docs/api/errors, or leave url out`,
		`429-gmail-too-many-requests.md:11: unknown source key "page" — use only name and url`,
	}
	if diff := cmp.Diff(want, problemStrings(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Several folders load as one catalogue: links and related ids reach
// across them, an id in two folders is one problem naming both, and their
// lists of providers add up.
func TestLoadSeveralFolders(t *testing.T) {
	ours := files("providers.yaml", sendgridProviders, "429-sendgrid-too-many-requests.md", edit(t, sendgridEntry, "updated:", "related: [429-gmail-too-many-requests]\nupdated:"))
	cat, err := content.LoadCatalogue(context.Background(), content.FSFolder(files("429-gmail-too-many-requests.md", good)), content.FSFolder(ours))
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Entries) != 2 || !slices.Equal(cat.Providers.Slugs(), []string{"gmail", "microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph", "nylas", "twilio", "sendgrid"}) {
		t.Errorf("%d entries, providers %v", len(cat.Entries), cat.Providers.Slugs())
	}
	if !strings.Contains(cat.Providers.File, "providers.yaml") {
		t.Errorf("providers file %q", cat.Providers.File)
	}
	dup := content.Folder{FS: files("429-gmail-too-many-requests.md", good), Name: func(p string) string { return "b/" + p }}
	_, err = content.LoadCatalogue(context.Background(), content.FSFolder(files("429-gmail-too-many-requests.md", good)), dup)
	want := []string{`b/429-gmail-too-many-requests.md:2: duplicate id "429-gmail-too-many-requests", also used by 429-gmail-too-many-requests.md — give one of the two entries another id (and rename its file to match)`}
	if diff := cmp.Diff(want, problemStrings(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A provider two lists declare differently is a problem at the later.
	other := content.Folder{FS: files("providers.yaml", "- slug: gmail\n  name: Google Mail\n"), Name: func(p string) string { return "b/" + p }}
	_, err = content.LoadCatalogue(context.Background(), content.FSFolder(files("429-gmail-too-many-requests.md", good)), other)
	want = []string{`b/providers.yaml:1: provider "gmail" is declared differently in content/providers.yaml — declare it the same way in both lists, or only in one`}
	if diff := cmp.Diff(want, problemStrings(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
