package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/errata/errata/web"
)

// writeMarkdown renders the report as the README's Performance tables.
func writeMarkdown(w io.Writer, rep *report) {
	fmt.Fprintf(w, "Measured %s on %s, %s, %d CPUs; seed %d, %d queries of each kind × %d timed rounds after a warm-up.\n\n",
		rep.Started.Format("2006-01-02 15:04 MST"), rep.Platform, rep.GoVersion, rep.CPUs, rep.Seed, rep.PerKind, rep.Rounds)
	fmt.Fprintf(w, "```\n%s\n```\n\n", rep.Command)

	tableHead(w, "Targets", "", "| result | target | corpus | measured |", "|---|---|---|---|")
	for _, t := range rep.Targets {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", t.Result, t.What, t.Corpus, t.Measured)
	}
	fmt.Fprintln(w)

	tableHead(w, "Build and memory (each engine alone in a child process)", "",
		"| corpus | entries | read corpus | Errata build (peak RSS) | Errata save, errata index (peak RSS) | Errata open | FTS5 build (peak RSS) | Errata heap / RSS built | opened | FTS5 heap / RSS |",
		"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range rep.Corpora {
		open, opened := "—", "—"
		if c.Errata.OpenMS != nil {
			open = fmt.Sprintf("%.0f ms", *c.Errata.OpenMS)
		}
		if o := c.Errata.OpenMem; o != nil {
			opened = fmt.Sprintf("%.1f / %.1f MB", o.HeapInuseMB, o.RSSMB)
		}
		fmt.Fprintf(w, "| %s | %d | %.0f ms | %.0f ms (%.0f MB) | %.0f ms (%.0f MB) | %s | %.0f ms (%.0f MB) | %.1f / %.1f MB | %s | %.1f / %.1f MB |\n", c.Name, c.Entries, c.LoadMS,
			c.Errata.BuildMS, c.Errata.PeakRSSMB, c.Errata.SaveMS, c.Errata.SavePeakRSSMB, open, c.FTS5.BuildMS, c.FTS5.PeakRSSMB, c.Errata.HeapInuseMB, c.Errata.RSSMB, opened, c.FTS5.HeapInuseMB, c.FTS5.RSSMB)
	}
	fmt.Fprintln(w)

	tableHead(w, "Query latency (ms), highlight and facets included, page of 20", "",
		"| corpus | kind | Errata p50 | Errata p99 | p99 alone | tuned FTS5 p50 | p99 | p50 ratio | p99 ratio | naive FTS5 p50 | p99 | p50 ratio | found@20 Errata | found@20 FTS5 |",
		"|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range rep.Corpora {
		for _, k := range c.Kinds {
			fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f× | %.2f× | %.3f | %.3f | %.2f× | %.0f%% | %.0f%% |\n", c.Name, k.Kind,
				k.ErrataP50, k.ErrataP99, k.ErrataAloneP99, k.FTSP50, k.FTSP99, k.RatioP50, k.RatioP99, k.NaiveFTSP50, k.NaiveFTSP99, k.NaiveRatioP50, 100*k.ErrataFound, 100*k.FTSFound)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Slowest query of each kind in Errata (median of its timed runs):")
	fmt.Fprintln(w)
	for _, c := range rep.Corpora {
		for _, k := range c.Kinds {
			if k.Slowest != "" {
				fmt.Fprintf(w, "- %s %s: %.2f ms `%s`\n", c.Name, k.Kind, k.SlowestMS, tableText(k.Slowest, 100))
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "found@20: share of queries whose source entry is on the first page of 20 (grown corpora repeat real sentences across entries, so there it is a lower bound). "+
		"FTS5 gets every token quoted and ANDed (its default), pastes ORed (with AND, the noise of a paste finds nothing), and no help for typos: it has no fuzzy matching.")
	fmt.Fprintln(w)

	if rep.Pastes != nil {
		markdownPastes(w, rep.Pastes)
	}

	var http, browser []string
	for _, c := range rep.Corpora {
		if h := c.HTTP; h != nil {
			healthz := 0.0 // the last /healthz run: each round of never-asked queries follows one
			for _, e := range h.Endpoints {
				if e.Name == "healthz" {
					healthz = e.RPS
				}
				http = append(http, fmt.Sprintf("| %s | %s | %.0f | %.2f | %.2f | %.0f%% | %.1f%% |", c.Name, e.Name, e.RPS, e.P50MS, e.P99MS, 100*e.RPS/max(healthz, 1), 100*e.CacheHit))
			}
			if e := h.Open; e != nil {
				http = append(http, fmt.Sprintf("| %s | open loop at %d req/s, %d failed of %d | %.0f | %.2f | %.2f | — | %.1f%% |", c.Name, e.RateHz, e.Failed, e.Requests, e.RPS, e.P50MS, e.P99MS, 100*e.CacheHit))
			}
		}
		if b := c.Browser; b != nil {
			browser = append(browser, fmt.Sprintf("| %s | %d/%d | %.1f | %.1f | %d | %.1f | %.1f |", c.Name, b.Measured, b.Keystrokes,
				b.P50MS, b.P99MS, b.DebounceMS, b.P50NoDebounceMS, b.P99NoDebounceMS))
		}
	}
	if len(http) > 0 {
		tableHead(w, "HTTP (closed loop, vegeta as a library, server and client on the same 127.0.0.1 host)",
			"api and page are served as `errata serve` serves them, answer cache on; api-fresh and page-fresh have the cache off, so every request searches; "+
				"api-distinct and page-distinct have it on but never ask a query twice (each pass adds another word to the drawn queries), so it costs without helping; "+
				"they run in rounds, each after a /healthz run of its own, which their share is of (the targets take the median round). "+
				"The open loop sends a fixed rate of distinct queries, API and page in turn, whatever the answers' pace.",
			"| corpus | endpoint | req/s | p50 ms | p99 ms | of /healthz | cache hits |", "|---|---|--:|--:|--:|--:|--:|")
		fmt.Fprintln(w, strings.Join(http, "\n"))
		fmt.Fprintln(w)
	}
	if len(browser) > 0 {
		tableHead(w, "Keystroke to results painted (headless Chromium, loopback)", "",
			"| corpus | keystrokes painted | p50 ms | p99 ms | debounce ms | p50 without debounce | p99 without debounce |", "|---|--:|--:|--:|--:|--:|--:|")
		fmt.Fprintln(w, strings.Join(browser, "\n"))
		fmt.Fprintln(w)
	}
}

// tableHead starts a table: its heading, a note when there is one, its
// header row and its alignment row, each followed as Markdown wants.
func tableHead(w io.Writer, heading, note, header, align string) {
	fmt.Fprintf(w, "#### %s\n\n", heading)
	if note != "" {
		fmt.Fprintf(w, "%s\n\n", note)
	}
	fmt.Fprintf(w, "%s\n%s\n", header, align)
}

// tableText is s on one line, without backticks, cut to about n bytes.
func tableText(s string, n int) string {
	return web.Clip(strings.Join(strings.Fields(strings.ReplaceAll(s, "`", "'")), " "), n, web.Ellipsis)
}
