package web

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// sideways lists what sticks out of a narrow page, "" when nothing does.
const sideways = `document.documentElement.scrollWidth > window.innerWidth ? Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().width)).join(", ") || "the page" : ""`

// TestBrowserAtScale browses the catalogue with the real corpora imported
// beside it, as a person would: pages, the provider tree, several statuses
// at once, an imported entry, and a 375 px phone where the filters wait
// behind their button. axe finds nothing on any of those pages.
func TestBrowserAtScale(t *testing.T) {
	ix := imported(t)
	bctx := browser(t)
	h, _ := testServer(t, ix)
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL
	countLine := `document.querySelector("[data-testid=count]").textContent.replace(/\s+/g, " ").trim()`

	t.Run("pages", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		n := len(ix.Entries())
		if got := eval[string](t, ctx, countLine); !strings.HasPrefix(got, "1–20 of "+thousands(n)+" errors page 1 of ") {
			t.Errorf("count line %q", got)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=next]`))), "next")
		waitFor(t, ctx, `location.search === "?page=2"`)
		waitFor(t, ctx, `document.querySelector("[data-testid=count]").textContent.includes("21–40")`)
		waitFor(t, ctx, `document.title.includes("page 2 of")`)
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=per-page] a[data-value="100"]`))), "100 a page")
		waitFor(t, ctx, `location.search === "?per_page=100"`)
		waitFor(t, ctx, `document.querySelectorAll("[data-testid=result]").length === 100`)
		navigate(t, ctx, base+"/?page=999")
		if note := eval[string](t, ctx, `document.querySelector("[data-testid=page-note]").textContent`); !strings.Contains(note, "no page 999") {
			t.Errorf("past the end: %q", note)
		}
		checkAxe(t, ctx, "/?page=999")
	})

	t.Run("provider tree", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		kids := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("[data-testid=provider-filter][data-value=microsoft] + ul [data-testid=provider-filter]")).map(a => a.dataset.value)`)
		if len(kids) != 3 {
			t.Fatalf("Microsoft's children in the tree: %v", kids)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=provider-filter][data-value=microsoft]`))), "click Microsoft")
		waitFor(t, ctx, `location.search === "?provider=microsoft"`)
		want := apiIDs(t, h, "/api/v1/search?provider=microsoft&per_page=20")
		if got := eval[[]string](t, ctx, resultIDs); strings.Join(got, " ") != strings.Join(want, " ") || len(got) != 20 {
			t.Errorf("Microsoft lists %v, the API %v", got, want)
		}
		total := getJSON[apiSearchResponse](t, h, "/api/v1/search?provider=microsoft&provider=microsoft-graph&per_page=1", 200).Total
		if got := eval[string](t, ctx, countLine); !strings.Contains(got, "of "+thousands(total)) {
			t.Errorf("Microsoft counts %q; with its children it has %d", got, total)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=sort] a[data-value=code]`))), "sort by code")
		waitFor(t, ctx, `location.search === "?provider=microsoft&sort=code"`)
		checkAxe(t, ctx, "/?provider=microsoft&sort=code")
	})

	t.Run("several statuses", func(t *testing.T) {
		ctx := tab(t, bctx)
		navigate(t, ctx, base+"/")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=status-range][data-value="400-499"]`))), "click 4xx")
		waitFor(t, ctx, `location.search === "?status=400-499"`)
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=status-none]`))), "click No status")
		waitFor(t, ctx, `decodeURIComponent(location.search) === "?status=none,400-499"`)
		waitFor(t, ctx, `!!document.querySelector("[data-testid=status-none][aria-current]") && !!document.querySelector("[data-testid=status-range][data-value='400-499'][aria-current]")`)
		got := eval[[]string](t, ctx, resultIDs)
		want := apiIDs(t, h, "/api/v1/search?status=none,400-499&per_page=20")
		if strings.Join(got, " ") != strings.Join(want, " ") || len(got) != 20 {
			t.Errorf("4xx and no status list %v, the API %v", got, want)
		}
		checkAxe(t, ctx, "/?status=none,400-499")
		// The chart's bar for entries without a status filters too.
		navigate(t, ctx, base+"/")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=chart-bar][href="/?status=none"]`))), "click the none bar")
		waitFor(t, ctx, `location.search === "?status=none"`)
	})

	t.Run("375 px", func(t *testing.T) {
		ctx := tab(t, bctx)
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(375, 800)), "viewport")
		for _, p := range []string{"/", "/?q=" + url.QueryEscape("invalid phone number"), "/errors/twilio-30409", "/errors/twilio-21211", "/errors/graph-http403", "/errors/400"} {
			navigate(t, ctx, base+p)
			if what := eval[string](t, ctx, sideways); what != "" {
				t.Errorf("%s at 375 px scrolls sideways: %s", p, what)
			}
			checkAxe(t, ctx, "375px "+p)
		}
		// Results come first: the filters wait behind their button.
		navigate(t, ctx, base+"/?status=none&provider=twilio")
		if btn := eval[string](t, ctx, `document.querySelector("[data-testid=filters-button]").textContent.trim()`); btn != "Filters (2)" {
			t.Errorf("the button says %q", btn)
		}
		if shown := eval[bool](t, ctx, `document.getElementById("filters").offsetHeight > 0`); shown {
			t.Error("the filters show before the results on a phone")
		}
		if y := eval[float64](t, ctx, `document.querySelector("[data-testid=result]").getBoundingClientRect().top`); y > 500 {
			t.Errorf("the first result is %.0f px down", y)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=filters-button]`))), "open the filters")
		waitFor(t, ctx, `document.getElementById("filters").offsetHeight > 0`)
		if exp := eval[string](t, ctx, `document.querySelector("[data-testid=filters-button]").getAttribute("aria-expanded")`); exp != "true" {
			t.Errorf("aria-expanded %q once open", exp)
		}
		checkAxe(t, ctx, "375px filters open")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=provider-filter][data-value=twilio]`))), "remove Twilio")
		waitFor(t, ctx, `location.search === "?status=none"`)
		waitFor(t, ctx, `document.querySelector("[data-testid=filters-button]").textContent.trim() === "Filters (1)"`)
		// On a wide screen there is no button: the filters are beside the list.
		must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)), "viewport")
		navigate(t, ctx, base+"/")
		if shown := eval[bool](t, ctx, `document.querySelector("[data-testid=filters-button]").offsetHeight > 0 || document.getElementById("filters").offsetHeight === 0`); shown {
			t.Error("on a wide screen the button shows or the filters hide")
		}
	})

	t.Run("axe in dark mode", func(t *testing.T) {
		ctx := tab(t, bctx)
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		must(t, err, "emulating dark")
		for _, p := range []string{"/", "/?provider=microsoft", "/errors/aadsts-aadsts50126", "/errors/400"} {
			navigate(t, ctx, base+p)
			checkAxe(t, ctx, fmt.Sprintf("dark %s", p))
		}
	})
}
