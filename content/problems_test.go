package content_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/errata/errata/content"
	"github.com/google/go-cmp/cmp"
)

// good is a valid entry file; cases below break one thing at a time.
const good = `---
id: 429-gmail-too-many-requests
status: 429
title: Too Many Requests
providers: [gmail]
messages:
  - The Gmail account has exceeded the usage limit.
updated: 2026-11-24
---

## Cause

The daily limit was exceeded.

## Solution

Retry failed requests.
`

// other is a second valid entry that good-based fixtures can relate to.
const other = `---
id: 429-general-quota-exceeded
status: 429
title: Quota Exceeded
updated: 2026-11-24
---

## Cause

The user has exceeded their sending quota.

## Solution

Wait and try again later.
`

func files(kv ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		fsys[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return fsys
}

// edit replaces old with new in good, failing loudly when old is absent so
// a fixture can never silently stay valid.
func edit(tb testing.TB, src, old, new string) string {
	tb.Helper()
	if !strings.Contains(src, old) {
		tb.Fatalf("fixture does not contain %q", old)
	}
	return strings.Replace(src, old, new, 1)
}

func TestLoadProblems(t *testing.T) {
	const f = "429-gmail-too-many-requests.md"
	const q = "429-general-quota-exceeded.md"
	tests := []struct {
		name string
		fsys func(testing.TB) fstest.MapFS
		want []string
	}{
		{"unknown key", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "status: 429\n", "status: 429\ncategory: mail\n"))
		}, []string{
			"429-gmail-too-many-requests.md:4: unknown front-matter key \"category\" — use only id, status, title, codes, providers, messages, aliases, related, source, updated, imported, redirect_from",
		}},
		{"missing keys", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, edit(tb, good, "status: 429\n", ""), "updated: 2026-11-24\n", ""))
		}, []string{
			"429-gmail-too-many-requests.md:1: missing front-matter key \"status\" — add status: with the HTTP status (100–599), or none when the source gives none",
			"429-gmail-too-many-requests.md:1: missing front-matter key \"updated\" — add updated: with the date of the last review, YYYY-MM-DD (an entry errata import wrote has imported: instead)",
		}},
		{"missing id", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "id: 429-gmail-too-many-requests\n", ""))
		}, []string{
			"429-gmail-too-many-requests.md:1: missing front-matter key \"id\" — add id: with the entry's slug, the file name without .md",
		}},
		{"duplicate key", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated: 2026-11-24\n", "updated: 2026-11-24\ntitle: Again\n"))
		}, []string{
			"429-gmail-too-many-requests.md:9: front matter is not valid YAML: mapping key \"title\" already defined at [3:1] — write one \"key: value\" per line and lists as \"- item\" lines; quote values that contain \": \" or start with a special character",
		}},
		{"yaml syntax", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "title: Too Many Requests\n", "title: [Too Many\n"))
		}, []string{
			"429-gmail-too-many-requests.md:5: front matter is not valid YAML: ',' or ']' must be specified — write one \"key: value\" per line and lists as \"- item\" lines; quote values that contain \": \" or start with a special character",
		}},
		{"yaml not a mapping", func(tb testing.TB) fstest.MapFS {
			return files(f, "---\n- a\n- b\n---\n\n## Cause\n\nx\n\n## Solution\n\ny\n")
		}, []string{
			"429-gmail-too-many-requests.md:2: front matter is not a set of \"key: value\" lines — write one \"key: value\" per line (id, status, title, codes, providers, messages, aliases, related, source, updated, imported, redirect_from)",
		}},
		{"status too low", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "status: 429", "status: 99"))
		}, []string{
			"429-gmail-too-many-requests.md:3: status 99 is outside 100–599 — write an HTTP status from 100 to 599, or none when the source gives no status",
		}},
		{"status too high", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "status: 429", "status: 600"))
		}, []string{
			"429-gmail-too-many-requests.md:3: status 600 is outside 100–599 — write an HTTP status from 100 to 599, or none when the source gives no status",
		}},
		{"status not a number", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "status: 429", "status: Too Many"))
		}, []string{
			"429-gmail-too-many-requests.md:3: status \"Too Many\" is not a number — write an HTTP status from 100 to 599, or none when the source gives no status",
		}},
		{"non-slug id", func(tb testing.TB) fstest.MapFS {
			return files("Too_Many.md", edit(tb, good, "id: 429-gmail-too-many-requests", "id: Too_Many"))
		}, []string{
			"Too_Many.md:2: id \"Too_Many\" is not a slug — use lower-case letters, digits and single hyphens, e.g. \"too-many\"",
		}},
		{"file name differs from id", func(tb testing.TB) fstest.MapFS {
			return files("too-many.md", good)
		}, []string{
			"too-many.md:2: file name \"too-many.md\" does not match id \"429-gmail-too-many-requests\" — rename the file to 429-gmail-too-many-requests.md, or change the id",
		}},
		{"duplicate id", func(tb testing.TB) fstest.MapFS {
			return files(f, good, "sub/"+f, good)
		}, []string{
			"sub/429-gmail-too-many-requests.md:2: duplicate id \"429-gmail-too-many-requests\", also used by 429-gmail-too-many-requests.md — give one of the two entries another id (and rename its file to match)",
		}},
		{"unknown provider", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "providers: [gmail]", "providers: [gmail, yahoo]"))
		}, []string{
			"429-gmail-too-many-requests.md:5: unknown provider \"yahoo\" — use one of gmail, microsoft, microsoft-entra, microsoft-ews, microsoft-graph, nylas, twilio, declare it in content/providers.yaml, or leave providers out when the error applies to every provider",
		}},
		{"providers not a list", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "providers: [gmail]", "providers: gmail"))
		}, []string{
			"429-gmail-too-many-requests.md:5: providers is not a list — write it as a list: providers: [a, b] or one \"- item\" per line",
		}},
		{"empty title", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "title: Too Many Requests", "title:"))
		}, []string{
			"429-gmail-too-many-requests.md:4: title is empty or not text — write the error's title as users know it, e.g. title: Too Many Requests",
		}},
		{"empty list item", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "  - The Gmail account has exceeded the usage limit.\n", "  - The Gmail account has exceeded the usage limit.\n  - \"\"\n"))
		}, []string{
			"429-gmail-too-many-requests.md:8: empty item in messages — remove the empty item",
		}},
		{"related not a slug", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "related:\n  - Quota Exceeded\nupdated:"))
		}, []string{
			"429-gmail-too-many-requests.md:9: related id \"Quota Exceeded\" is not a slug — use an entry id: lower-case letters, digits and single hyphens",
			"429-gmail-too-many-requests.md:9: related id \"Quota Exceeded\" does not exist — use the id of an existing entry (its file name without .md)",
		}},
		{"list of lists", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "aliases:\n  - [a, b]\nupdated:"))
		}, []string{
			"429-gmail-too-many-requests.md:9: an item of aliases is not text — write each item as plain text: one \"- item\" per line, no nested lists or maps",
		}},
		{"bad date", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated: 2026-11-24", "updated: 24/11/2026"))
		}, []string{
			"429-gmail-too-many-requests.md:8: updated \"24/11/2026\" is not a date — write the date of the last review as YYYY-MM-DD, e.g. updated: 2026-11-24",
		}},
		{"missing cause", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "## Cause\n\nThe daily limit was exceeded.\n\n", ""))
		}, []string{
			"429-gmail-too-many-requests.md:9: missing section \"## Cause\" — add a \"## Cause\" heading and its text after the front matter",
		}},
		{"missing solution", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "## Solution\n\nRetry failed requests.\n", ""))
		}, []string{
			"429-gmail-too-many-requests.md:9: missing section \"## Solution\" — add a \"## Solution\" heading and its text after the front matter",
		}},
		{"empty section", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "The daily limit was exceeded.\n", ""))
		}, []string{
			"429-gmail-too-many-requests.md:11: section \"## Cause\" is empty — write it; where the source gives nothing, say so in a sentence",
		}},
		{"unknown section", func(tb testing.TB) fstest.MapFS {
			return files(f, good+"\n## Workaround\n\nNone.\n")
		}, []string{
			"429-gmail-too-many-requests.md:19: unknown section \"## Workaround\" — use only \"## Cause\", \"## Solution\" and \"## See also\" (put sub-headings at level 3: \"### …\")",
		}},
		{"second section", func(tb testing.TB) fstest.MapFS {
			return files(f, good+"\n## Cause\n\nAgain.\n")
		}, []string{
			"429-gmail-too-many-requests.md:19: second \"## Cause\" section (the first is on line 11) — merge the two sections into one",
		}},
		{"level-1 heading", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "## Cause\n", "# Too Many Requests\n\n## Cause\n"))
		}, []string{
			"429-gmail-too-many-requests.md:11: a level-1 heading \"Too Many Requests\" in the body — put the title in the front matter's title key and use \"## Cause\", \"## Solution\", \"## See also\" in the body",
		}},
		{"text before first section", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "## Cause\n", "Intro.\n\nMore intro.\n\n## Cause\n"))
		}, []string{
			"429-gmail-too-many-requests.md:11: text before the first section heading — start the body with \"## Cause\"",
		}},
		{"related does not exist", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "related:\n  - 429-general-quota-exceeded\n  - 429-nope\nupdated:"), q, other)
		}, []string{
			"429-gmail-too-many-requests.md:10: related id \"429-nope\" does not exist — use the id of an existing entry (its file name without .md)",
		}},
		{"related to itself", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "related: [429-gmail-too-many-requests]\nupdated:"))
		}, []string{
			"429-gmail-too-many-requests.md:8: related \"429-gmail-too-many-requests\" is this entry itself — remove it from related",
		}},
		{"related to a renamed id", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "related: [429-general-quota]\nupdated:"),
				q, edit(tb, other, "updated:", "redirect_from: [429-general-quota]\nupdated:"))
		}, []string{
			"429-gmail-too-many-requests.md:8: related id \"429-general-quota\" does not exist — \"429-general-quota\" was renamed: use \"429-general-quota-exceeded\"",
		}},
		{"redirect_from collides with an id", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "redirect_from: [429-general-quota-exceeded]\nupdated:"), q, other)
		}, []string{
			"429-gmail-too-many-requests.md:8: redirect_from \"429-general-quota-exceeded\" is the id of 429-general-quota-exceeded.md — remove it from redirect_from: an old id must not be a live entry's id",
		}},
		{"redirect_from claimed twice", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "updated:", "redirect_from: [old-id]\nupdated:"),
				q, edit(tb, other, "updated:", "redirect_from: [old-id]\nupdated:"))
		}, []string{
			"429-gmail-too-many-requests.md:8: redirect_from \"old-id\" is also claimed by 429-general-quota-exceeded.md — keep the old id in only one entry's redirect_from",
		}},
		{"link to a missing entry", func(tb testing.TB) fstest.MapFS {
			return files(f, good+"\n## See also\n\n- [Gone](/errors/429-gone)\n")
		}, []string{
			"429-gmail-too-many-requests.md:21: link to /errors/429-gone: no entry has that id — link to an existing entry: /errors/<id>, where id is its file name without .md",
		}},
		{"invalid UTF-8", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "Retry failed", "Retry \xff failed"))
		}, []string{
			"429-gmail-too-many-requests.md:17: invalid UTF-8 — save the file as UTF-8 (the line holds a byte that is not UTF-8 text)",
		}},
		{"too big", func(tb testing.TB) fstest.MapFS {
			return files(f, good+strings.Repeat("word ", content.MaxFileSize/5))
		}, []string{
			"429-gmail-too-many-requests.md:1: file is over the 256 KiB limit — shorten it: an entry explains one error in a few paragraphs",
		}},
		{"empty file", func(tb testing.TB) fstest.MapFS {
			return files(f, "")
		}, []string{
			"429-gmail-too-many-requests.md:1: empty file — write the front matter and the Cause and Solution sections, or delete the file",
		}},
		{"blank file", func(tb testing.TB) fstest.MapFS {
			return files(f, " \n\n")
		}, []string{
			"429-gmail-too-many-requests.md:1: empty file — write the front matter and the Cause and Solution sections, or delete the file",
		}},
		{"missing front matter", func(tb testing.TB) fstest.MapFS {
			return files(f, "## Cause\n\nx\n\n## Solution\n\ny\n")
		}, []string{
			"429-gmail-too-many-requests.md:1: missing front matter — start the file with a line \"---\", the keys (id, status, title, updated…) and another \"---\"",
		}},
		{"front matter never closed", func(tb testing.TB) fstest.MapFS {
			return files(f, "---\nid: x\n\n## Cause\n")
		}, []string{
			"429-gmail-too-many-requests.md:1: front matter is never closed — end the front matter with a line \"---\" before the body",
		}},
		{"almost an entry", func(tb testing.TB) fstest.MapFS {
			return files(f, good, "draft.markdown", good, "OLD.MD", good, "notes.txt", "ignored")
		}, []string{
			"OLD.MD:1: not loaded: entry files must end in .md — rename it to OLD.md",
			"draft.markdown:1: not loaded: entry files must end in .md — rename it to draft.md",
		}},
		{"no entries", func(tb testing.TB) fstest.MapFS {
			return files("README.txt", "not an entry")
		}, []string{
			".:1: no .md entry files found — point --content at a folder of entry .md files, such as content/entries",
		}},
		{"problems of every file in one pass", func(tb testing.TB) fstest.MapFS {
			return files(f, edit(tb, good, "status: 429", "status: 700"), q, edit(tb, other, "title: Quota Exceeded\n", ""))
		}, []string{
			"429-general-quota-exceeded.md:1: missing front-matter key \"title\" — add title: with the error's title as users know it",
			"429-gmail-too-many-requests.md:3: status 700 is outside 100–599 — write an HTTP status from 100 to 599, or none when the source gives no status",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := content.Load(tt.fsys(t))
			var ps content.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Load error = %v (%T), want Problems", err, err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if want := strings.Join(got, "\n"); err.Error() != want {
				t.Errorf("Error() = %q, want every problem one per line", err.Error())
			}
		})
	}
}
