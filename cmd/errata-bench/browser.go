package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// browserStats is keystroke → results painted in headless Chromium.
type browserStats struct {
	Typed           string    `json:"typed"`
	Keystrokes      int       `json:"keystrokes"`
	Measured        int       `json:"measured"` // keystrokes whose results were painted within the timeout
	P50MS           float64   `json:"p50_ms"`   // keystroke to paint, debounce included
	P99MS           float64   `json:"p99_ms"`
	DebounceMS      int       `json:"debounce_ms"` // the page's own delay before it asks, if any
	DebounceSource  string    `json:"debounce_source"`
	P50NoDebounceMS float64   `json:"p50_without_debounce_ms"` // the same minus the debounce
	P99NoDebounceMS float64   `json:"p99_without_debounce_ms"`
	SamplesMS       []float64 `json:"samples_ms"`
	Note            string    `json:"note,omitempty"`
}

// observerJS records, in the page's own clock, when a key went down and when
// the next change below #results was painted: the first animation frame after
// the mutation runs just before paint, and a task queued from it runs after.
const observerJS = `(() => {
  const st = window.__eb = {key: null, mutated: null, painted: null};
  const inResults = (n) => {
    const el = n && (n.nodeType === 1 ? n : n.parentElement);
    return !!(el && (el.id === 'results' || el.closest('#results')));
  };
  const hasResults = (n) => n.nodeType === 1 && (n.id === 'results' || !!n.querySelector('#results'));
  new MutationObserver((muts) => {
    if (st.key === null || st.mutated !== null) return;
    if (!muts.some(m => inResults(m.target) || [...m.addedNodes].some(hasResults))) return;
    st.mutated = performance.now();
    requestAnimationFrame(() => setTimeout(() => { st.painted = performance.now(); }, 0));
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  document.addEventListener('keydown', (e) => { if (st.key === null) st.key = e.timeStamp; }, true);
  const input = document.querySelector('#q, input[name=q], input[type=search]');
  if (!input) return 'no search input (#q, input[name=q] or input[type=search]) on the page';
  if (!document.querySelector('#results')) return 'no #results element on the page';
  input.setAttribute('data-bench-input', '');
  input.value = '';
  return 'ok ' + (input.getAttribute('hx-trigger') || input.getAttribute('data-debounce') || '');
})()`

var delayRE = regexp.MustCompile(`delay:\s*(\d+)(ms|s)?`)

// runBrowser loads / and types a query one key at a time, waiting for each
// keystroke's results to be painted (or a timeout) before the next key.
func runBrowser(chromium, base string, queries []benchQuery, keystrokes int) (*browserStats, error) {
	if _, err := os.Stat(chromium); err != nil {
		return nil, fmt.Errorf("-browser needs Chromium at %s: %v", chromium, err)
	}
	typed := typingText(queries, keystrokes)
	bs := &browserStats{Typed: typed, Keystrokes: len([]rune(typed))}

	dir, err := os.MkdirTemp("", "errata-bench-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#results"))); err != nil {
		return nil, fmt.Errorf("browser: loading %s/: %w", base, err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[string](observerJS))
	if err != nil {
		return nil, fmt.Errorf("browser: installing the observer: %w", err)
	}
	if !strings.HasPrefix(status, "ok") {
		return nil, fmt.Errorf("browser: %s", status)
	}
	bs.DebounceSource = "none found on the input"
	if m := delayRE.FindStringSubmatch(status); m != nil {
		n, _ := strconv.Atoi(m[1])
		if m[2] == "s" {
			n *= 1000
		}
		bs.DebounceMS, bs.DebounceSource = n, "input "+strings.TrimSpace(strings.TrimPrefix(status, "ok "))
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("[data-bench-input]"))); err != nil {
		return nil, fmt.Errorf("browser: focusing the search input: %w", err)
	}
	settle := time.Duration(bs.DebounceMS)*time.Millisecond + 150*time.Millisecond
	var samples []time.Duration
	missed := 0
	for _, r := range typed {
		if err := chromedp.Do(ctx,
			chromedp.Evaluate[chromedp.Void](`window.__eb.key = null; window.__eb.mutated = null; window.__eb.painted = null;`),
			chromedp.KeyEvent(string(r)),
		); err != nil {
			return nil, fmt.Errorf("browser: typing %q: %w", r, err)
		}
		type took struct{ D float64 }
		t, err := chromedp.Run(ctx, chromedp.Poll[took](
			`window.__eb.painted !== null && window.__eb.key !== null ? {D: window.__eb.painted - window.__eb.key} : null`,
			chromedp.WithPollingInterval(2*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second)))
		if err != nil {
			missed++
			continue
		}
		samples = append(samples, time.Duration(t.D*float64(time.Millisecond)))
		bs.SamplesMS = append(bs.SamplesMS, t.D)
		time.Sleep(settle) // let late swaps of this keystroke land before the next key
	}
	bs.Measured = len(samples)
	if missed > 0 {
		bs.Note = fmt.Sprintf("%d keystrokes painted nothing below #results within 3 s", missed)
	}
	if len(samples) == 0 {
		return bs, nil
	}
	deb := time.Duration(bs.DebounceMS) * time.Millisecond
	bs.P50MS, bs.P99MS = ms(percentile(samples, 50)), ms(percentile(samples, 99))
	bs.P50NoDebounceMS, bs.P99NoDebounceMS = ms(percentile(samples, 50)-deb), ms(percentile(samples, 99)-deb)
	return bs, nil
}

// typingText is the first n characters of the corpus's fragment queries,
// as a person would type them.
func typingText(queries []benchQuery, n int) string {
	var b strings.Builder
	for _, q := range queries {
		if q.Kind != kindFragment {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToLower(q.Text))
		if len([]rune(b.String())) >= n {
			break
		}
	}
	r := []rune(b.String())
	return string(r[:min(n, len(r))])
}
