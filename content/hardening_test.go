package content_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/errata/errata/content"
)

// Hostile entries load into inert HTML or fail with a clear
// problem, within a time limit. The older tests (load_test.go,
// problems_test.go) cover raw HTML, the common link spellings, nesting
// depth and the size limit; these add entity and escape spellings checked
// the way a browser reads them, nesting the guard cannot see, and files on
// disk far over the limit.

// loadBudget bounds one Load: a hang detector, not a speed target (that is
// BenchmarkLoadEmbedded).
const loadBudget = 10 * time.Second

// loadWithin runs content.Load and fails the test if it does not return
// within loadBudget.
func loadWithin(tb testing.TB, load func() ([]content.Entry, error)) ([]content.Entry, error) {
	tb.Helper()
	type result struct {
		es  []content.Entry
		err error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		es, err := load()
		done <- result{es, err}
	}()
	select {
	case r := <-done:
		if d := time.Since(start); d > loadBudget {
			tb.Errorf("Load took %v, budget %v", d, loadBudget)
		}
		return r.es, r.err
	case <-time.After(loadBudget + 5*time.Second):
		tb.Fatalf("Load did not return within %v (a hang)", loadBudget)
		return nil, nil
	}
}

// scheme is the URL scheme a browser reads from an attribute value that the
// HTML parser has already entity-decoded: browsers drop ASCII tabs and
// newlines anywhere and leading control characters and spaces.
func scheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimLeftFunc(v, func(r rune) bool { return r <= ' ' || unicode.IsControl(r) })
	for i, c := range v {
		switch c {
		case ':':
			return strings.ToLower(v[:i])
		case '/', '?', '#':
			return ""
		}
	}
	return ""
}

// checkInert reads a section's HTML as a browser would (the tokenizer
// decodes entities in attributes) and fails on any element, attribute or URL
// that can run script or load a document. It returns the deepest element
// nesting, for the log. (A tokenizer, not a tree: html.Parse refuses more
// than 512 open elements, which deep lists can render.)
func checkInert(tb testing.TB, where, frag string) (depth int) {
	tb.Helper()
	z := html.NewTokenizer(strings.NewReader(frag))
	open := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return depth
		case html.EndTagToken:
			open--
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		tok := z.Token()
		if tt == html.StartTagToken && !voidElements[tok.DataAtom] {
			open++
			depth = max(depth, open)
		}
		switch tok.DataAtom {
		case atom.Script, atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math, atom.Style, atom.Base,
			atom.Meta, atom.Link, atom.Form, atom.Frame, atom.Frameset, atom.Template:
			tb.Errorf("%s: renders <%s>:\n%.500s", where, tok.Data, frag)
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "formaction" {
				tb.Errorf("%s: renders <%s %s=%q>", where, tok.Data, a.Key, a.Val)
			}
			if k == "href" || k == "src" || k == "action" || k == "poster" || k == "xlink:href" {
				if s := scheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
					tb.Errorf("%s: renders <%s %s=%q> (scheme %q)", where, tok.Data, a.Key, a.Val, s)
				}
			}
		}
	}
}

var voidElements = map[atom.Atom]bool{atom.Br: true, atom.Hr: true, atom.Img: true, atom.Input: true, atom.Wbr: true}

// Links and images in every spelling a browser would run: entities (hex,
// decimal, named, zero-padded), escapes, case, whitespace and control
// characters, reference definitions, autolinks, titles that try to break
// out of the attribute.
func TestScriptLinksInEverySpellingAreInert(t *testing.T) {
	dests := []string{
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "jav&#x61;script:alert(1)", "jav&#X61;script:alert(1)",
		"&#106;avascript:alert(1)", "&#0000106;&#0000097;vascript:alert(1)", "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
		"javascript&colon;alert(1)", "javascript&#58;alert(1)", "javascript&#x3a;alert(1)", "java&Tab;script:alert(1)",
		"java&NewLine;script:alert(1)", "java&#9;script:alert(1)", "java&#10;script:alert(1)", "java&#13;script:alert(1)",
		"&#1;javascript:alert(1)", "&#32;javascript:alert(1)", "%20javascript:alert(1)", `java\script:alert(1)`,
		`javascript\:alert(1)`, "<javascript:alert(1)>", "<java&#x61;script:alert(1)>",
		"vbscript:msgbox(1)", "VBScript&#58;msgbox(1)", "livescript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,<script>alert(1)</script>",
		"&#100;ata:text/html,x", "d&#x61;ta:image/svg+xml,<svg onload=alert(1)>", "data&colon;text/html,x",
		"file:///etc/passwd", "blob:https://x/y", "filesystem:x", "x-javascript:alert(1)", "ms-its:x", "intent://x#Intent;end",
	}
	var b strings.Builder
	b.WriteString(good + "\n## See also\n\n")
	for i, d := range dests {
		fmt.Fprintf(&b, "- [link %d](%s) ![img %d](%s) [ref %d][r%d]\n", i, d, i, d, i, i)
	}
	for i, d := range dests {
		fmt.Fprintf(&b, "\n[r%d]: %s\n", i, d)
	}
	b.WriteString("\n- <javascript:alert(2)> <JAVASCRIPT:alert(2)> <data:text/html,x> <vbscript:x>\n")
	b.WriteString("- [t](https://example.com/a \"\\\" onmouseover=\\\"alert(1)\") [t2](https://example.com/ 'x\\' onclick=alert(1)')\n")
	b.WriteString("- [nested [brackets](javascript:alert(1))](javascript:alert(2))\n")
	b.WriteString("- [![img in link](javascript:alert(1))](javascript:alert(2))\n")
	b.WriteString("- <a href=\"javascript:alert(1)\">raw</a> <img src=x onerror=alert(1)> <svg onload=alert(1)>\n")
	b.WriteString("\n<script>alert(3)</script>\n\n<style>*{}</style>\n\n<iframe src=javascript:alert(4)></iframe>\n\n<!-- <script>alert(5)</script> -->\n")
	entries, err := loadWithin(t, func() ([]content.Entry, error) {
		return content.Load(files("429-gmail-too-many-requests.md", b.String()))
	})
	if err != nil {
		t.Fatalf("a file of hostile links should load with the links made inert: %v", err)
	}
	for _, s := range entries[0].Sections {
		checkInert(t, "section "+s.ID, s.HTML)
		if strings.Contains(strings.ToLower(s.Text), "<script") {
			t.Errorf("section %s: plain text keeps a <script>: %q", s.ID, s.Text)
		}
	}
	// The words stay: only the destinations go.
	see, _ := entries[0].Section("see-also")
	for i := range dests {
		if !strings.Contains(see.Text, fmt.Sprintf("link %d", i)) {
			t.Errorf("the text of link %d was lost: %.300q", i, see.Text)
		}
	}
}

// Lists nested by indentation, which the line guard cannot see, are held to
// the same 32 levels once parsed, with the line where the 33rd opens.
func TestDeepIndentationIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		perLine int // containers each line opens
		line    func(i int) string
	}{
		{"lists", 1, func(i int) string { return strings.Repeat(" ", 2*i) + "- level\n" }},
		{"ordered lists", 1, func(i int) string { return strings.Repeat(" ", 3*i) + "1. level\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, lines := range []int{32 / tc.perLine, 32/tc.perLine + 1, 300 / tc.perLine} {
				var b strings.Builder
				for i := range lines {
					b.WriteString(tc.line(i))
				}
				bodyLine := strings.Count(good, "\n") + 1 // the lines below start after good and a blank line
				_, err := content.Load(files("429-gmail-too-many-requests.md", good+"\n"+b.String()))
				if lines*tc.perLine <= 32 {
					if err != nil {
						t.Errorf("%d levels: %v, want them loaded", lines*tc.perLine, err)
					}
					continue
				}
				// The 33rd container opens on this line.
				want := fmt.Sprintf("429-gmail-too-many-requests.md:%d: quotes or lists nested 33 deep — nest at most 32 levels",
					bodyLine+32/tc.perLine+1)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%d levels: %v\nwant %s", lines*tc.perLine, err, want)
				}
			}
		})
	}
}

// Nesting the guard does not count as markers on one line (indentation,
// lazy continuation, mixed containers, emphasis and links over many lines)
// stays within the time limit: it loads, or fails with a problem that names
// the file and the line.
func TestNestingTheGuardCannotSeeIsBounded(t *testing.T) {
	var indented, stairs, lazy, mixed, emph, links, headings, fences strings.Builder
	for i := range 500 {
		indented.WriteString(strings.Repeat(" ", 2*i) + "- level\n")
	}
	for i := range 2000 {
		stairs.WriteString(strings.Repeat("> ", i%32+1) + "step\n")
	}
	lazy.WriteString(strings.Repeat("> ", 32) + "start\n")
	for range 20000 {
		lazy.WriteString("lazy continuation line\n")
	}
	for i := range 3000 {
		mixed.WriteString(strings.Repeat("   ", i%30) + []string{"- ", "1. ", "> ", "* "}[i%4] + "x\n")
	}
	emph.WriteString(strings.Repeat("*a ", 3000) + "\n" + strings.Repeat("_b ", 3000) + "\n")
	for range 3000 {
		links.WriteString("[a](b \"c\n")
	}
	for range 5000 {
		headings.WriteString("### h\n#### h\n")
	}
	for range 5000 {
		fences.WriteString("```\n~~~\n")
	}
	for name, md := range map[string]string{
		"indented lists 500 deep":            indented.String(),
		"blockquote stairs":                  stairs.String(),
		"lazy continuation":                  lazy.String(),
		"mixed containers":                   mixed.String(),
		"emphasis over lines":                emph.String(),
		"unclosed link titles":               links.String(),
		"many sub-headings":                  headings.String(),
		"unclosed fences":                    fences.String(),
		"a table-like flood":                 strings.Repeat("|a|b|\n|-|-|\n", 8000),
		"backslashes":                        strings.Repeat("\\", 200000) + "\n",
		"entities":                           strings.Repeat("&#x61;&amp;&colon;", 10000) + "\n",
		"one 200 KB line of brackets":        strings.Repeat("[", 2000) + strings.Repeat("a", 200000) + "\n",
		"nested code spans and brackets mix": strings.Repeat("`[`]`(`)", 400) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			body := good + "\n" + md
			if len(body) > content.MaxFileSize {
				body = body[:content.MaxFileSize]
			}
			entries, err := loadWithin(t, func() ([]content.Entry, error) {
				return content.Load(files("429-gmail-too-many-requests.md", body))
			})
			if err != nil {
				var ps content.Problems
				if !errors.As(err, &ps) || !strings.Contains(err.Error(), "429-gmail-too-many-requests.md:") {
					t.Fatalf("err = %.300v, want problems naming the file and line", err)
				}
				return
			}
			for _, s := range entries[0].Sections {
				if d := checkInert(t, name+"/"+s.ID, s.HTML); d > 64 {
					t.Logf("%s renders HTML nested %d elements deep (inert; the guard counts markers on one line only)", s.ID, d)
				}
			}
		})
	}
}

// Files on disk far over the size limit, or not text at all, are refused
// with a problem naming the file, without reading them whole.
func TestHugeAndBinaryFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("429-gmail-too-many-requests.md", []byte(good))
	// 4 GiB, sparse: reading it whole would take minutes and the memory.
	f, err := os.Create(filepath.Join(dir, "400-huge.md"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("---\nid: 400-huge\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil {
		t.Skipf("cannot make a sparse 4 GiB file here: %v", err)
	}
	f.Close()
	binary := make([]byte, 64<<10)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	write("401-binary.md", binary)
	write("402-nul.md", []byte(strings.Replace(good, "429-gmail-too-many-requests", "402-nul", 1)+"\x00\x00\x00\n"))

	_, err = loadWithin(t, func() ([]content.Entry, error) { return content.LoadDir(dir) })
	var ps content.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want content.Problems", err)
	}
	msg := err.Error()
	for _, want := range []string{"400-huge.md:1: file is over the", "401-binary.md:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%.2000s", want, msg)
		}
	}
	if !strings.Contains(msg, "402-nul.md:") {
		t.Logf("NUL bytes in a body are accepted (rendered as text): %.300s", msg)
	}
}
