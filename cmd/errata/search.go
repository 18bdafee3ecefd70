package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
	"github.com/errata/errata/web"
)

// stringList is a repeatable flag: --provider gmail --provider microsoft.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runSearch(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "search")
	var dirs []string
	addContentFlag(f, &dirs, "to search")
	base := linkBaseFlag(f, "site `URL` the printed links start with")
	status := f.String("status", "", "only these `statuses`: 429, 400,401, 400-499, 4xx, or none for entries without one")
	var providers stringList
	f.Var(&providers, "provider", "only entries for this `provider` (repeat or comma-separate)")
	asJSON := f.Bool("json", false, "print JSON for scripts")
	limit := f.Int("limit", 5, fmt.Sprintf("print at most `n` entries (1–%d)", search.MaxPerPage))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(pos, " "))
	if len(pos) == 1 && pos[0] == "-" {
		// A paste from stdin: errata search - < trace.txt
		if text, err = pasteFromStdin(env.Stdin); err != nil {
			return f.usageErr("%s", err)
		}
	}
	if text == "" && *status == "" && len(providers) == 0 {
		return f.usageErr(`give the error text to look for, e.g. errata search "Invalid or revoked refresh token", or - to read it from stdin`)
	}
	if *limit < 1 || *limit > search.MaxPerPage {
		return f.usageErr("--limit must be between 1 and %d, not %d", search.MaxPerPage, *limit)
	}
	q := search.Query{Text: text, PerPage: *limit}
	if q.Status, err = search.ParseStatus(*status); err != nil {
		return f.usageErr("--status: %s", message(err))
	}
	if err := checkContentDirs(f, dirs); err != nil {
		return err
	}
	cat, err := loadContent(ctx, dirs)
	if err != nil {
		return fmt.Errorf("loading the catalogue:\n%w", err)
	}
	if q.Providers, err = search.ParseProviders(cat.Providers, providers); err != nil {
		return f.usageErr("--provider: %s", message(err))
	}
	ix, err := search.BuildCatalogue(cat)
	if err != nil {
		return fmt.Errorf("indexing the catalogue: %w", err)
	}
	defer ix.Close()
	res, err := ix.Search(ctx, q)
	if err != nil {
		var inv *search.InvalidError
		if errors.As(err, &inv) {
			return f.usageErr("%s", inv.Message)
		}
		return err
	}
	baseURL := strings.TrimRight(*base, "/")
	if *asJSON {
		err = printSearchJSON(env, res, baseURL)
	} else {
		printSearch(env, res, ix.Providers(), baseURL)
	}
	if err != nil {
		return err
	}
	if res.Total == 0 {
		return &silentError{exitFail} // like grep: scripts can test for "found"
	}
	return nil
}

// pasteFromStdin reads the text to search from r, up to
// search.MaxQueryBytes; more is refused, as the API refuses it, rather
// than silently cut.
func pasteFromStdin(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("- reads the error from stdin, but there is no stdin")
	}
	text, more, err := readPaste(r)
	switch {
	case err != nil:
		return "", fmt.Errorf("reading stdin: %w", err)
	case more:
		return "", fmt.Errorf("stdin holds more than %d KiB; errata search reads up to %d KiB: pipe in the error itself (the exception and its message, or the response body), not the whole log",
			search.MaxQueryBytes>>10, search.MaxQueryBytes>>10)
	}
	return strings.TrimSpace(text), nil
}

func message(err error) string {
	var inv *search.InvalidError
	if errors.As(err, &inv) {
		return inv.Message
	}
	return err.Error()
}

// nonNil is s, or an empty list for scripts that expect [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func providerList(providers *content.Providers, slugs []string) string {
	if len(slugs) == 0 {
		return "any provider"
	}
	names := make([]string, len(slugs))
	for i, s := range slugs {
		names[i] = providers.Name(s)
	}
	return strings.Join(names, ", ")
}

func statusText(code int) string {
	if code == 0 {
		return "-"
	}
	return fmt.Sprint(code)
}

func printSearch(env Env, res *search.Results, providers *content.Providers, baseURL string) {
	if res.Total == 0 {
		fmt.Fprintln(env.Stdout, "No entry matches.")
		if res.Suggestion != "" {
			fmt.Fprintf(env.Stdout, "Did you mean: %s\n", res.Suggestion)
		}
		return
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCODE\tPROVIDERS\tTITLE\tURL")
	for _, h := range res.Hits {
		code := "-"
		if len(h.Codes) > 0 {
			code = h.Codes[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", statusText(h.Status), code, providerList(providers, h.Providers), h.Title, baseURL+web.EntryPath(h.ID))
	}
	tw.Flush()
	if res.Total > len(res.Hits) {
		fmt.Fprintf(env.Stdout, "%d of %d entries shown; --limit shows more.\n", len(res.Hits), res.Total)
	}
}

// jsonHit is one entry in `errata search --json`; the field names are a
// contract with scripts.
type jsonHit struct {
	ID        string   `json:"id"`
	Status    int      `json:"status"`
	Codes     []string `json:"codes"`
	Providers []string `json:"providers"`
	Title     string   `json:"title"`
	URL       string   `json:"url"`
	Score     float64  `json:"score"`
}

func printSearchJSON(env Env, res *search.Results, baseURL string) error {
	out := struct {
		Query      string    `json:"query"`
		Total      int       `json:"total"`
		Status     string    `json:"understood_status,omitempty"`
		Suggestion string    `json:"suggestion,omitempty"`
		Hits       []jsonHit `json:"hits"`
	}{Query: res.Query.Text, Total: res.Total, Status: res.Understood.Status.String(), Suggestion: res.Suggestion, Hits: []jsonHit{}}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, jsonHit{h.ID, h.Status, nonNil(h.Codes), nonNil(h.Providers), h.Title, baseURL + web.EntryPath(h.ID), h.Score})
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
