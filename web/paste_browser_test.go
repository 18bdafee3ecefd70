package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/errata/errata/search"
)

// TestBrowserPastes types and pastes as a person does in Chromium: a code
// letter by letter, a 50 KB stack trace, a paste over the limit; Back after
// typing; Enter on a clear best.
func TestBrowserPastes(t *testing.T) {
	bctx, ix, _, base := browserSite(t)
	all := len(ix.Entries())

	// typeKey types one key into the box and waits until the results are
	// those of what the box then holds.
	typeKey := func(t *testing.T, ctx context.Context, key string) string {
		t.Helper()
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(key)), "typing "+key)
		v := eval[string](t, ctx, `document.getElementById("q").value`)
		want, _ := json.Marshal("“" + strings.TrimSpace(v) + "”")
		// The heading's count, without the "page 1 of 3" that may follow it.
		waitFor(t, ctx, `(c => c.textContent.slice(0, c.textContent.length - (c.querySelector(".pageof")?.textContent.length ?? 0)).trim())(document.getElementById("count")).endsWith(`+string(want)+`)`)
		return v
	}

	t.Run("typing a code finds it from the first prefix that identifies it", func(t *testing.T) {
		const code, want = "userRateLimitExceeded", "429-gmail-too-many-requests"
		ident := identifyingPrefix(ix, code)
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.ID("q"))), "focus")
		for i, r := range code {
			typed := typeKey(t, ctx, string(r))
			ids := eval[[]string](t, ctx, resultIDs)
			if i+1 >= 3 && len(ids) == 0 {
				t.Errorf("%q (typing %s): nothing found", typed, code)
			}
			if len(typed) >= len(ident) && (len(ids) == 0 || ids[0] != want) {
				t.Errorf("%q (typing %s, identified from %q): first %v, want %s", typed, code, ident, first3(ids), want)
			}
		}
	})

	t.Run("Back after typing goes to the page before the search", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		before := eval[int](t, ctx, `history.length`)
		must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.ID("q"))), "focus")
		for _, r := range "quota exce" {
			typeKey(t, ctx, string(r)) // each keystroke answered before the next
		}
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === "quota exce"`)
		if n := eval[int](t, ctx, `history.length`); n != before+1 {
			t.Errorf("typing added %d history entries, want 1", n-before)
		}
		must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`history.back()`)), "back")
		waitFor(t, ctx, `location.search === ""`)
		waitFor(t, ctx, `document.querySelectorAll("[data-testid=result]").length === `+fmt.Sprint(all))
	})

	t.Run("a 50 KB stack trace pasted lands on its entry", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		trace := longTrace(50 << 10)
		pasteInto(t, ctx, trace)
		waitAfterNavigation(t, ctx, `location.pathname === "/" && new URLSearchParams(location.search).has("q") && document.readyState === "complete"`)
		if n := len(eval[string](t, ctx, "location.href")); n > 2*search.MaxShortQueryBytes+len(base) {
			t.Errorf("the address is %d bytes long, want a short one", n)
		}
		if ids := eval[[]string](t, ctx, resultIDs); len(ids) == 0 || ids[0] != "429-gmail-too-many-requests" {
			t.Errorf("the pasted trace lists %v first, want 429-gmail-too-many-requests", first3(ids))
		}
		q := eval[string](t, ctx, `new URLSearchParams(location.search).get("q")`)
		if hd := eval[string](t, ctx, `document.getElementById("count").textContent`); strings.Contains(hd, "Traceback") || !strings.Contains(hd, q) {
			t.Errorf("the heading %q echoes the paste, or not what it was understood as (%q)", hd, q)
		}
	})

	t.Run("a paste over the limit says so", func(t *testing.T) {
		// No console watch: the browser logs the 413 it shows.
		ctx, cancel := chromedp.NewContext(bctx)
		defer cancel()
		navigate(t, ctx, base+"/")
		pasteInto(t, ctx, longTrace(search.MaxQueryBytes+(8<<10)))
		waitAfterNavigation(t, ctx, `document.readyState === "complete" && document.body.textContent.includes("That paste is too long")`)
		if msg := eval[string](t, ctx, `document.body.textContent`); !strings.Contains(msg, "256 KiB") {
			t.Errorf("the refusal does not say the limit: %q", cut(msg, 300))
		}
	})

	t.Run("Enter opens the first result when it is clearly the best", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.ID("q"))), "focus")
		for _, r := range "accessNotConfigured" {
			typeKey(t, ctx, string(r))
		}
		// Enter opens the best only once the results are those of the whole
		// word typed; until then it searches.
		waitFor(t, ctx, `(() => { const r = document.getElementById("results"); return r.getAttribute("data-q") === "accessNotConfigured" && r.getAttribute("data-best") !== "" && !document.querySelector(".htmx-request"); })()`)
		if focused := eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ""`); focused != "q" {
			t.Errorf("after the results came, the focus is on %q, not the search box", focused)
		}
		// The key is dispatched to the box as a page event: a key sent
		// through the DevTools input domain sometimes reaches the page after
		// Chrome's own "search" event, which makes the run flaky.
		must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("q").dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}))`)), "enter")
		waitAfterNavigation(t, ctx, `location.pathname === "/errors/403-gmail-gmail-api-has-not-been-used-in-project"`)
	})
}

// pasteInto pastes text into the search box as the clipboard does.
func pasteInto(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	js, _ := json.Marshal(text)
	must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.ID("q")), chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.setData("text/plain", `+string(js)+`);
		document.getElementById("q").dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`)), "pasting")
}

// identifyingPrefix is the shortest prefix of code that begins no other word
// of the catalogue, as the search's vocabulary holds them: words and
// identifiers of every entry text, lower-cased.
func identifyingPrefix(ix index, code string) string {
	var words []string
	for e := range allEntries(ix) {
		texts := append([]string{e.Title}, e.Messages...)
		texts = append(texts, e.Aliases...)
		for _, s := range e.Sections {
			texts = append(texts, s.Text)
		}
		for _, tx := range texts {
			words = append(words, strings.FieldsFunc(strings.ToLower(tx), func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' && r != '-'
			})...)
		}
	}
	lc := strings.ToLower(code)
	for n := 3; n <= len(lc); n++ {
		alone := true
		for _, w := range words {
			if w != lc && strings.HasPrefix(w, lc[:n]) {
				alone = false
				break
			}
		}
		if alone {
			return code[:n]
		}
	}
	return code
}

// waitAfterNavigation polls a JavaScript condition for up to 10 s across a
// navigation, which destroys the page a poll runs in.
func waitAfterNavigation(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func first3(ids []string) []string { return ids[:min(3, len(ids))] }
