package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts one headless Chromium for the test, or skips loudly when
// there is none (and fails when ERRATA_BROWSER=required, as in CI).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		corpustest.Missing(t, "ERRATA_BROWSER", chromiumPath+" not found for the browser tests; install Debian's chromium")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		corpustest.Missing(t, "ERRATA_BROWSER", "chromium would not start for the browser tests: "+err.Error())
	}
	return ctx
}

// consoleWatch collects console errors, uncaught exceptions and CSP
// violations of one tab.
type consoleWatch struct {
	mu       sync.Mutex
	problems []string
	stop     func()
	done     chan struct{}
}

func watchConsole(ctx context.Context) *consoleWatch {
	listen, stop := context.WithCancel(ctx)
	w := &consoleWatch{stop: stop, done: make(chan struct{})}
	msgs := chromedp.Console(listen)
	go func() {
		defer close(w.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if strings.Contains(m.URL, "no-such-") && strings.Contains(m.Text, "status of 404") {
				continue // the 404 page itself, on purpose
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException ||
				strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Refused to") {
				w.mu.Lock()
				w.problems = append(w.problems, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// Problems waits briefly for late messages, then returns what was seen.
func (w *consoleWatch) Problems() []string {
	time.Sleep(100 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.problems)
}

func (w *consoleWatch) Close() {
	w.stop()
	<-w.done
}

// tab opens a new tab that fails the test on any console error, uncaught
// exception or CSP violation.
func tab(t *testing.T, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	w := watchConsole(ctx)
	t.Cleanup(func() {
		for _, p := range w.Problems() {
			t.Errorf("browser console: %s", p)
		}
		w.Close()
		cancel()
	})
	return ctx
}

// browserSite is what a browser test needs: Chromium's context, the real
// catalogue's index, its handler, and the URL of a server running it
// until the test ends.
func browserSite(t *testing.T) (context.Context, *search.Index, http.Handler, string) {
	t.Helper()
	bctx := browser(t)
	ix := catalogueIndex(t)
	h, _ := testServer(t, ix)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return bctx, ix, h, srv.URL
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	must(t, err, expr)
	return v
}

// waitFor polls a JavaScript condition for up to 5 s.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		// A navigation in flight destroys the poll's context or detaches
		// the inspected target for a moment; poll again.
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil || !navigating(err) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("waiting for %s: %v (url %s)", cond, err, eval[string](t, ctx, "location.href"))
	}
}

// navigating tells the errors of a page being replaced under a poll from
// real failures.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "context") || strings.Contains(msg, "navigated or closed") || strings.Contains(msg, "(-32000)")
}

func navigate(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(u)), "navigate "+u)
	waitFor(t, ctx, `document.readyState === "complete" && !!window.htmx`)
}

// resultIDs are the entry ids listed on the page, in order.
const resultIDs = `Array.from(document.querySelectorAll("[data-testid=result]")).map(e => e.dataset.id)`

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	must(t, err, "getwd")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func TestBrowser(t *testing.T) {
	bctx, ix, h, base := browserSite(t)
	all := len(ix.Entries())

	// The console watch itself must see what the CSP refuses.
	t.Run("console watch sees CSP violations", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(bctx)
		defer cancel()
		must(t, chromedp.Do(ctx), "tab")
		w := watchConsole(ctx)
		defer w.Close()
		navigate(t, ctx, base+"/")
		eval[chromedp.Void](t, ctx, `(() => { const s = document.createElement("script"); s.textContent = "window.inlineRan = 1"; document.body.appendChild(s); })()`)
		if ran := eval[bool](t, ctx, `!!window.inlineRan`); ran {
			t.Error("an inline script ran: the CSP is not enforced")
		}
		found := false
		for _, p := range w.Problems() {
			found = found || strings.Contains(p, "Content Security Policy")
		}
		if !found {
			t.Errorf("the CSP violation was not reported; saw %v", w.Problems())
		}
	})

	t.Run("live search without reload, back and forward", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		if n := len(eval[[]string](t, ctx, resultIDs)); n != all {
			t.Fatalf("catalogue lists %d entries, want %d", n, all)
		}
		eval[chromedp.Void](t, ctx, `window.__marker = "still here"`)
		must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "quota")), "typing")
		waitFor(t, ctx, `location.search === "?q=quota"`)
		waitFor(t, ctx, `document.querySelector("[data-testid=count]").textContent.includes("quota")`)
		ids := eval[[]string](t, ctx, resultIDs)
		if len(ids) == 0 || len(ids) >= all {
			t.Fatalf("search for quota lists %d entries (%v), want some but not all %d", len(ids), ids, all)
		}
		if live := eval[string](t, ctx, `document.getElementById("live").textContent`); !strings.Contains(live, "quota") {
			t.Errorf("live region says %q", live)
		}
		// The tab names the search, as a full load of the URL would.
		waitFor(t, ctx, `document.title.includes("quota")`)
		if m := eval[string](t, ctx, `window.__marker || ""`); m != "still here" {
			t.Fatal("the page reloaded while typing: window marker lost")
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=snippet] mark").length`); n == 0 {
			t.Error("no highlighted snippet terms")
		}
		if f := eval[bool](t, ctx, `document.activeElement.id === "q"`); !f {
			t.Error("focus left the search box while typing")
		}
		// Back to the catalogue, forward to the search.
		must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`history.back()`)), "back")
		waitFor(t, ctx, `location.search === ""`)
		waitFor(t, ctx, `document.querySelectorAll("[data-testid=result]").length === `+fmt.Sprint(all))
		must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`history.forward()`)), "forward")
		waitFor(t, ctx, `location.search === "?q=quota"`)
		waitFor(t, ctx, `document.querySelectorAll("[data-testid=result]").length === `+fmt.Sprint(len(ids)))
		if got := eval[[]string](t, ctx, resultIDs); strings.Join(got, " ") != strings.Join(ids, " ") {
			t.Errorf("forward restored %v, want %v", got, ids)
		}
	})

	// Entries without a status: "No status" filters to them, as the API does.
	hn, _ := testServer(t, noStatusFixtures(t))
	noneSrv := httptest.NewServer(hn)
	defer noneSrv.Close()
	t.Run("filters no status", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, noneSrv.URL+"/?provider=twilio")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=status-none]`))), "click No status")
		waitFor(t, ctx, `location.search === "?status=none&provider=twilio"`)
		waitFor(t, ctx, `!!document.querySelector("[data-testid=status-none][aria-current]")`)
		got := eval[[]string](t, ctx, resultIDs)
		want := apiIDs(t, hn, "/api/v1/search?status=none&provider=twilio&per_page=100")
		if strings.Join(got, " ") != strings.Join(want, " ") || len(got) == 0 {
			t.Fatalf("No status page lists %v, the API %v", got, want)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("[data-testid=result] [data-testid=status]").length`); n != 0 {
			t.Errorf("%d results without a status show a status badge", n)
		}
	})

	t.Run("filters 400-499 and Gmail", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=status-range][data-value="400-499"]`))), "click 400-499")
		waitFor(t, ctx, `location.search === "?status=400-499"`)
		waitFor(t, ctx, `!!document.querySelector("[data-testid=status-range][aria-current]")`)
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=provider-filter][data-value="gmail"]`))), "click Gmail")
		waitFor(t, ctx, `location.search === "?status=400-499&provider=gmail"`)
		waitFor(t, ctx, `!!document.querySelector("[data-testid=provider-filter][data-value=gmail][aria-current]")`)
		got := eval[[]string](t, ctx, resultIDs)
		want := apiIDs(t, h, "/api/v1/search?status=400-499&provider=gmail&per_page=100")
		if strings.Join(got, " ") != strings.Join(want, " ") || len(got) == 0 {
			t.Fatalf("filtered page lists %v, the API %v", got, want)
		}
		for _, id := range got {
			e, _ := ix.Entry(id)
			if e.Status < 400 || e.Status > 499 {
				t.Errorf("%s has status %d", id, e.Status)
			}
		}
		// The URL alone reproduces the page in a fresh tab.
		u := eval[string](t, ctx, "location.href")
		ctx2 := tab(t, bctx)
		navigate(t, ctx2, u)
		if again := eval[[]string](t, ctx2, resultIDs); strings.Join(again, " ") != strings.Join(got, " ") {
			t.Errorf("pasting %s shows %v, want %v", u, again, got)
		}
	})

	t.Run("deep link to solution", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/errors/429-gmail-too-many-requests#solution")
		if id := eval[string](t, ctx, `(document.querySelector(":target") || {}).id || ""`); id != "solution" {
			t.Fatalf(":target is %q, want solution", id)
		}
		if y := eval[float64](t, ctx, `document.getElementById("solution").getBoundingClientRect().top`); y < 0 || y > 300 {
			t.Errorf("the solution heading is at %.0fpx, not scrolled into view", y)
		}
	})

	t.Run("keyboard and highlighting", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		pressSlash(t, ctx)
		if f := eval[string](t, ctx, `document.activeElement.id`); f != "q" {
			t.Fatalf("/ focused %q, want the search box", f)
		}
		if v := eval[string](t, ctx, `document.getElementById("q").value`); v != "" {
			t.Fatalf("/ was typed into the box: %q", v)
		}
		must(t, chromedp.Do(ctx, chromedp.KeyEvent("rate limit")), "type")
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === "rate limit"`)
		waitFor(t, ctx, `document.querySelector("[data-testid=count]").textContent.includes("rate limit")`)
		ids := eval[[]string](t, ctx, resultIDs)
		if len(ids) < 2 {
			t.Fatalf("rate limit lists %v; want at least two", ids)
		}
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)), "down")
		if id := eval[string](t, ctx, `document.activeElement.closest("[data-testid=result]")?.dataset.id || ""`); id != ids[0] {
			t.Fatalf("ArrowDown focused %q, want the first result %s", id, ids[0])
		}
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)), "down")
		if id := eval[string](t, ctx, `document.activeElement.closest("[data-testid=result]")?.dataset.id || ""`); id != ids[1] {
			t.Fatalf("second ArrowDown focused %q, want %s", id, ids[1])
		}
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowUp), chromedp.KeyEvent(kb.ArrowUp)), "up")
		if f := eval[string](t, ctx, `document.activeElement.id`); f != "q" {
			t.Fatalf("ArrowUp from the first result focused %q, want the box", f)
		}
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)), "down")
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)), "enter")
		waitFor(t, ctx, `location.pathname === "/errors/`+ids[0]+`"`)
		waitFor(t, ctx, `document.readyState === "complete"`)
		if hl := eval[string](t, ctx, `new URLSearchParams(location.search).get("hl") || ""`); hl == "" {
			t.Error("the result link carries no hl= terms")
		}
		waitFor(t, ctx, `document.querySelectorAll("mark.hl").length > 0`)
		back := eval[string](t, ctx, `document.querySelector("[data-testid=back]").getAttribute("href")`)
		if back != "/?q=rate+limit" {
			t.Errorf("back link %q, want /?q=rate+limit", back)
		}
		// Esc clears the box and the list returns.
		navigate(t, ctx, base+"/?q=quota")
		must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.ID("q")), chromedp.KeyEvent(kb.Escape)), "escape")
		waitFor(t, ctx, `document.getElementById("q").value === ""`)
		waitFor(t, ctx, `document.querySelectorAll("[data-testid=result]").length === `+fmt.Sprint(all))
	})

	t.Run("copy buttons appear with JavaScript", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/errors/429-gmail-too-many-requests")
		if n := eval[int](t, ctx, `document.querySelectorAll("button[data-copy]:not([hidden]), button[data-copy-link]:not([hidden])").length`); n < 2 {
			t.Errorf("%d visible copy buttons, want the link and each message", n)
		}
	})

	t.Run("axe", func(t *testing.T) {
		ctx := tab(t, bctx)
		for _, dark := range []bool{false, true} {
			scheme := "light"
			if dark {
				scheme = "dark"
			}
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			must(t, err, "emulating "+scheme)
			for _, p := range []string{"/", "/?q=quota", "/?q=accessNotConfigured", "/?status=400-499&provider=gmail", "/errors/429-gmail-too-many-requests", "/errors/no-such-error",
				noneSrv.URL + "/", noneSrv.URL + "/?status=none"} {
				if strings.HasPrefix(p, "/") {
					p = base + p
				}
				navigate(t, ctx, p)
				checkAxe(t, ctx, scheme+" "+p)
			}
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
		must(t, os.MkdirAll(dir, 0o755), "mkdir")
		ctx := tab(t, bctx)
		pages := []struct{ name, path string }{
			{"catalogue", "/"},
			{"search", "/?q=" + url.QueryEscape("429 too many requests")},
			{"answer", "/?q=" + url.QueryEscape(`{"error":{"code":403,"errors":[{"reason":"accessNotConfigured"}]}}`)},
			{"filtered", "/?status=400-499&provider=gmail"},
			{"entry", "/errors/429-gmail-too-many-requests?hl=rate+limit"},
			{"404", "/errors/no-such-error"},
		}
		for _, scheme := range []string{"light", "dark"} {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			must(t, err, "emulating "+scheme)
			for _, w := range []int64{1280, 375} {
				if scheme == "dark" && w == 375 {
					continue
				}
				must(t, chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)), "viewport")
				for _, p := range pages {
					navigate(t, ctx, base+p.path)
					if w == 375 {
						if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); over {
							t.Errorf("%s at 375px scrolls sideways: %v", p.path, eval[[]string](t, ctx, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().width) + " " + getComputedStyle(e).minWidth)`))
						}
					}
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					must(t, err, "screenshot")
					name := fmt.Sprintf("%s-%d-%s.png", p.name, w, scheme)
					must(t, os.WriteFile(filepath.Join(dir, name), png, 0o644), "writing "+name)
				}
			}
		}
		// Nothing scrolls sideways down to 320 px.
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(320, 700)), "viewport")
		for _, p := range pages {
			navigate(t, ctx, base+p.path)
			if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); over {
				t.Errorf("%s at 320px scrolls sideways", p.path)
			}
		}
		t.Logf("screenshots in %s", dir)
	})
}

// checkAxe runs axe-core on the page in ctx and fails the test on every
// violation; what names the page in failures.
func checkAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	must(t, err, "reading axe-core")
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axe))), "injecting axe")
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`,
		chromedp.EvalAwaitPromise))
	must(t, err, "axe.run")
	var vs []struct {
		ID, Help string
		Nodes    []string
	}
	must(t, json.Unmarshal([]byte(raw), &vs), "axe result")
	for _, v := range vs {
		t.Errorf("axe %s: %s: %s on %v", what, v.ID, v.Help, v.Nodes)
	}
}

// pressSlash sends "/" as a browser does: one keyDown carrying the text, so
// that preventDefault on keydown keeps it out of the box.
func pressSlash(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text = "/"
		}
		_, err := chromedp.Call(ctx, input.DispatchKeyEvent, p)
		must(t, err, "pressing /")
	}
}

// apiIDs are the ids the JSON API answers for target, in order.
func apiIDs(t *testing.T, h interface {
	ServeHTTP(w http.ResponseWriter, r *http.Request)
}, target string) []string {
	t.Helper()
	var out apiSearchResponse
	res := do(t, h, "GET", target)
	must(t, json.NewDecoder(res.Body).Decode(&out), "decoding "+target)
	var ids []string
	for _, r := range out.Results {
		ids = append(ids, r.ID)
	}
	return ids
}
