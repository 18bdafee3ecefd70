package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/errata/errata/content"
	"github.com/errata/errata/search"
)

// Errata's MCP server: three read-only tools and one resource template over
// the catalogue being served, so that an assistant can take an error it
// meets and find the entry that explains it. The same server answers over
// stdio (`errata mcp`) and streamable HTTP (POST /mcp, see mcphttp.go).

const mcpInstructions = "Errata is a catalogue of API error responses (Gmail, Microsoft, Twilio and more): for each error, its exact messages, its cause and how to fix it. " +
	"When a user meets an error, pass the raw text (a status line, a JSON body, a log line) to explain_error: it says what it read and which entries explain it, with their cause and solution and how sure the match is. " +
	"Use search_errors to look for words or a code, and get_error to read one entry by id or code. Every entry is also the resource errata://errors/{id}, in Markdown."

// maxToolText is as much text as a tool reads, the search's own bound. A
// longer paste is refused, not cut, so that the caller knows to send the
// part that matters.
const maxToolText = search.MaxQueryBytes

// maxToolLimit bounds the entries one call returns: enough to choose from,
// small enough for a model's context; search_errors returns
// defaultSearchLimit unless asked.
const (
	maxToolLimit       = 20
	defaultSearchLimit = 5
)

// resourcePrefix is the URI of an entry as an MCP resource, before its id.
const resourcePrefix = "errata://errors/"

// MCP is the MCP server over the catalogue this server serves (and swaps on
// reload). It is made once, on first use.
func (s *Server) MCP() *mcp.Server { return s.mcpServer() }

func (s *Server) newMCPServer() *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "errata", Title: "Errata", Version: s.cfg.Version}, &mcp.ServerOptions{
		Instructions: mcpInstructions,
		Logger:       sdkLogger(s.log),
		// Tools and resources only: the catalogue lists no prompts and
		// takes no log level.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}, Resources: &mcp.ResourceCapabilities{}},
	})
	readOnly := func(title string) *mcp.ToolAnnotations {
		closed := false
		return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &closed}
	}
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "search_errors",
		Description: "Search Errata's catalogue of API errors by words, an error code (rateLimitExceeded, AADSTS50126) or a message. Returns the best entries with their id, status, codes, providers, title, URL and a snippet of the text that matched.",
		Annotations: readOnly("Search API errors"),
		InputSchema: toolSchema[searchInput](func(s *jsonschema.Schema) {
			limitSchema(s.Properties["limit"], defaultSearchLimit)
		}),
	}, recovered(s, "search_errors", s.searchTool))
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "get_error",
		Description: "Read one entry of Errata's catalogue, by its id (429-gmail-too-many-requests) or by an error code it is known by (rateLimitExceeded, invalid_grant, 21211): its status, providers, the exact messages users see, and its cause and solution as Markdown.",
		Annotations: readOnly("Read an API error entry"),
		InputSchema: toolSchema[getInput](nil),
	}, recovered(s, "get_error", s.getTool))
	mcp.AddTool(srv, &mcp.Tool{
		Name: "explain_error",
		Description: "Explain a raw API error: pass the text as you have it (an HTTP status line, a JSON error body, a log line, or several lines around it). " +
			"Returns what was understood (statuses, codes, provider, message), the entries that best explain it with their cause and solution in Markdown, and how sure each match is (high, medium, low) and why.",
		Annotations: readOnly("Explain an API error"),
		InputSchema: toolSchema[explainInput](func(s *jsonschema.Schema) { limitSchema(s.Properties["limit"], search.DefaultExplainLimit) }),
	}, recovered(s, "explain_error", s.explainTool))
	srv.AddResourceTemplate(&mcp.ResourceTemplate{
		Name:        "error",
		Title:       "API error entry",
		Description: "One entry of Errata's catalogue as Markdown: its messages, cause and solution.",
		URITemplate: resourcePrefix + "{id}",
		MIMEType:    "text/markdown",
	}, func(ctx context.Context, req *mcp.ReadResourceRequest) (res *mcp.ReadResourceResult, err error) {
		defer s.recoverTool("resources/read", &err)
		return s.readResource(ctx, req)
	})
	return srv
}

// sdkLogger passes on the SDK's warnings and errors only: it logs each
// session's start and end at info, which over HTTP is every request, and
// the request log already has those.
func sdkLogger(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler(), slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}
func (h minLevel) WithGroup(g string) slog.Handler { return minLevel{h.Handler.WithGroup(g), h.min} }

// recovered runs a tool so that a panic in it is logged with its stack and
// answered as the site answers one, instead of ending the process: the SDK
// runs handlers on goroutines of its own, out of reach of the HTTP
// middleware's recovery, and over stdio there is none.
func recovered[In, Out any](s *Server, name string, h mcp.ToolHandlerFor[In, Out]) mcp.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, out Out, err error) {
		defer s.recoverTool(name, &err)
		return h(ctx, req, in)
	}
}

// recoverTool turns a panic into *err: internal, logged, never shown.
func (s *Server) recoverTool(name string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	s.log.Error("MCP handler panicked", "handler", name, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	*err = errors.New(internalProblem.Message)
}

// toolSchema is the input schema inferred from In, adjusted by edit.
func toolSchema[In any](edit func(*jsonschema.Schema)) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("web: tool input %T: %v", *new(In), err)) // a programming error, found by any test
	}
	if edit != nil {
		edit(s)
	}
	return s
}

func limitSchema(s *jsonschema.Schema, def int) {
	s.Minimum, s.Maximum = jsonschema.Ptr(1.0), jsonschema.Ptr(float64(maxToolLimit))
	s.Description = fmt.Sprintf("How many entries to return, 1 to %d; %d when left out.", maxToolLimit, def)
}

type searchInput struct {
	Query    string `json:"query" jsonschema:"What to look for: words, an error code, a message, or a pasted error. Empty lists the entries in status order."`
	Status   string `json:"status,omitempty" jsonschema:"Only these HTTP statuses: 429, or 400,401, or 400-499, or 4xx; none for entries without a status."`
	Provider string `json:"provider,omitempty" jsonschema:"Only entries for this provider (a slug such as gmail or twilio, or its name; a parent such as microsoft includes its children). An unknown provider is an error that lists the known ones."`
	Limit    int    `json:"limit,omitempty"`
}

type searchOutput struct {
	Query      string    `json:"query" jsonschema:"The query as it was run."`
	Total      int       `json:"total" jsonschema:"Entries that match, across all pages."`
	Hits       []toolHit `json:"hits" jsonschema:"The best entries, best first."`
	Suggestion string    `json:"suggestion,omitempty" jsonschema:"A corrected query, when nothing matched."`
}

type toolHit struct {
	ID        string   `json:"id"`
	Status    int      `json:"status" jsonschema:"The HTTP status; 0 when the source gives none."`
	Codes     []string `json:"codes" jsonschema:"The codes the API returns for this error, primary first."`
	Providers []string `json:"providers" jsonschema:"Provider slugs; empty when the error applies to every provider."`
	Title     string   `json:"title"`
	URL       string   `json:"url" jsonschema:"The entry's page."`
	Snippet   string   `json:"snippet" jsonschema:"Text of the entry around the words that matched."`
}

func (s *Server) searchTool(ctx context.Context, req *mcp.CallToolRequest, in searchInput) (*mcp.CallToolResult, searchOutput, error) {
	if err := checkToolText("query", in.Query); err != nil {
		return nil, searchOutput{}, err
	}
	ix, err := s.index()
	if err != nil {
		return nil, searchOutput{}, s.toolError("search_errors", err)
	}
	q := search.Query{Text: strings.TrimSpace(in.Query), PerPage: cmp.Or(in.Limit, defaultSearchLimit)}
	if q.Status, err = search.ParseStatus(strings.TrimSpace(in.Status)); err == nil && in.Provider != "" {
		q.Providers, err = search.ParseProviders(ix.Providers(), []string{in.Provider})
	}
	if err != nil {
		return nil, searchOutput{}, s.toolError("search_errors", err)
	}
	res, err := ix.Search(ctx, q)
	if err != nil {
		return nil, searchOutput{}, s.toolError("search_errors", err)
	}
	base := s.baseOf(ctx)
	out := searchOutput{Query: q.Text, Total: res.Total, Hits: []toolHit{}, Suggestion: res.Suggestion}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, toolHit{ID: h.ID, Status: h.Status, Codes: nonNil(h.Codes), Providers: nonNil(h.Providers),
			Title: h.Title, URL: base + EntryPath(h.ID), Snippet: plain(h.Snippet)})
	}
	return nil, out, nil
}

type getInput struct {
	ID   string `json:"id,omitempty" jsonschema:"The entry's id, such as 429-gmail-too-many-requests. Give id or code."`
	Code string `json:"code,omitempty" jsonschema:"An error code the entry is known by, such as rateLimitExceeded or invalid_grant. Give id or code."`
}

// EntryResult is one entry as the tools return it, its sections in Markdown.
type EntryResult struct {
	ID          string   `json:"id"`
	Status      int      `json:"status" jsonschema:"The HTTP status; 0 when the source gives none."`
	Title       string   `json:"title"`
	Providers   []string `json:"providers" jsonschema:"Provider slugs; empty when the error applies to every provider."`
	Codes       []string `json:"codes" jsonschema:"The codes the API returns for this error, primary first."`
	Heading     string   `json:"heading" jsonschema:"The entry named as its page's tab: primary code, status and title, each once."`
	Messages    []string `json:"messages" jsonschema:"The exact messages users see; variable parts as {placeholders}."`
	Aliases     []string `json:"aliases" jsonschema:"Other words and codes the error is known by."`
	Related     []string `json:"related" jsonschema:"Ids of related entries."`
	Updated     string   `json:"updated,omitempty" jsonschema:"Date of the last review, YYYY-MM-DD."`
	URL         string   `json:"url" jsonschema:"The entry's page."`
	MarkdownURL string   `json:"markdown_url" jsonschema:"The entry as Markdown."`
	Cause       string   `json:"cause" jsonschema:"Why the error happens, in Markdown."`
	Solution    string   `json:"solution" jsonschema:"What to do, in Markdown."`
	SeeAlso     string   `json:"see_also,omitempty" jsonschema:"Related reading, in Markdown."`
}

type getOutput struct {
	EntryResult
	SameCode []string `json:"same_code,omitempty" jsonschema:"Ids of other entries known by the same code."`
}

func (s *Server) getTool(ctx context.Context, req *mcp.CallToolRequest, in getInput) (*mcp.CallToolResult, getOutput, error) {
	id, code := strings.TrimSpace(in.ID), strings.TrimSpace(in.Code)
	if (id == "") == (code == "") {
		return nil, getOutput{}, errors.New("give either id (such as 429-gmail-too-many-requests) or code (such as rateLimitExceeded), not both and not neither")
	}
	if err := checkToolText("code", code); err != nil {
		return nil, getOutput{}, err
	}
	ix, err := s.index()
	if err != nil {
		return nil, getOutput{}, s.toolError("get_error", err)
	}
	base := s.baseOf(ctx)
	if id != "" {
		e, ok := currentEntry(ix, id)
		if !ok {
			return nil, getOutput{}, fmt.Errorf("no entry has the id %q; search for it with search_errors", clipEcho(id))
		}
		return nil, getOutput{EntryResult: entryForTool(e, base)}, nil
	}
	same := ix.ByCode(code)
	if len(same) == 0 {
		return nil, getOutput{}, fmt.Errorf("no entry is known by the code %q; try search_errors or explain_error with the whole error", clipEcho(code))
	}
	var ids []string
	for _, e := range same[1:] {
		ids = append(ids, e.ID)
	}
	return nil, getOutput{EntryResult: entryForTool(same[0], base), SameCode: ids}, nil
}

func entryForTool(e content.Entry, base string) EntryResult {
	t := EntryResult{ID: e.ID, Status: e.Status, Title: e.Title, Heading: entryTitle(e), Providers: nonNil(e.Providers), Codes: nonNil(e.Codes),
		Messages: nonNil(e.Messages), Aliases: nonNil(e.Aliases), Related: nonNil(e.Related), Updated: date(e),
		URL: base + EntryPath(e.ID), MarkdownURL: base + markdownPath(e.ID)}
	for _, sec := range e.Sections {
		md := sec.Markdown(base)
		switch sec.ID {
		case "cause":
			t.Cause = md
		case "solution":
			t.Solution = md
		case "see-also":
			t.SeeAlso = md
		}
	}
	return t
}

type explainInput struct {
	Text  string `json:"text" jsonschema:"The error as you have it: an HTTP status line, a JSON error body, a log line, or a few lines around it. At most 256 KiB."`
	Limit int    `json:"limit,omitempty"`
}

// ExplainResult is an explanation as the explain_error tool and `errata
// explain --json` give it: one shape for assistants and scripts.
type ExplainResult struct {
	Understood PasteRead      `json:"understood" jsonschema:"What was read out of the text."`
	Confidence string         `json:"confidence" jsonschema:"How sure the best match is: high, medium, low, or none when nothing matched."`
	Total      int            `json:"total" jsonschema:"Entries that share anything with the text."`
	Matches    []ExplainMatch `json:"matches" jsonschema:"The entries that best explain the error, best first."`
}

// PasteRead is what was read out of a paste.
type PasteRead struct {
	Statuses  []int    `json:"statuses" jsonschema:"HTTP statuses found."`
	Codes     []string `json:"codes" jsonschema:"Error codes found."`
	Providers []string `json:"providers" jsonschema:"Providers the text names."`
	Message   string   `json:"message" jsonschema:"The error's message, without ids, times and URLs."`
	Pasted    bool     `json:"pasted" jsonschema:"The text looked like a pasted error (status line, JSON body, log line) rather than a few words."`
}

// ExplainMatch is one entry that may explain a paste.
type ExplainMatch struct {
	EntryResult
	Confidence string   `json:"confidence" jsonschema:"high, medium or low."`
	Reasons    []string `json:"reasons" jsonschema:"Why this entry matches."`
}

func (s *Server) explainTool(ctx context.Context, req *mcp.CallToolRequest, in explainInput) (*mcp.CallToolResult, ExplainResult, error) {
	if err := checkToolText("text", in.Text); err != nil {
		return nil, ExplainResult{}, err
	}
	ix, err := s.index()
	if err != nil {
		return nil, ExplainResult{}, s.toolError("explain_error", err)
	}
	ex, err := ix.Explain(ctx, in.Text, in.Limit)
	if err != nil {
		return nil, ExplainResult{}, s.toolError("explain_error", err)
	}
	return nil, NewExplainResult(ex, ix.Entry, s.baseOf(ctx)), nil
}

// NewExplainResult is ex with each match's entry (found by entry), its links
// starting with base.
func NewExplainResult(ex *search.Explanation, entry func(id string) (content.Entry, bool), base string) ExplainResult {
	p := ex.Paste
	out := ExplainResult{
		Understood: PasteRead{Statuses: nonNilInts(p.Statuses), Codes: nonNil(p.Codes), Providers: nonNil(p.Providers), Message: p.Message, Pasted: p.Pasted},
		Confidence: "none", Total: ex.Total, Matches: []ExplainMatch{},
	}
	for i, m := range ex.Matches {
		if i == 0 {
			out.Confidence = string(m.Confidence)
		}
		e, _ := entry(m.ID)
		out.Matches = append(out.Matches, ExplainMatch{EntryResult: entryForTool(e, base), Confidence: string(m.Confidence), Reasons: nonNil(m.Reasons)})
	}
	return out
}

// readResource answers errata://errors/{id} with the entry's Markdown copy;
// an old id answers with the entry it became.
func (s *Server) readResource(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	id, ok := strings.CutPrefix(uri, resourcePrefix)
	if !ok {
		return nil, mcp.ResourceNotFoundError(clipEcho(uri))
	}
	ix, err := s.index()
	if err != nil {
		return nil, s.toolError("resources/read", err)
	}
	if unescaped, err := url.PathUnescape(id); err == nil {
		id = unescaped
	}
	e, ok := currentEntry(ix, id)
	if !ok {
		return nil, mcp.ResourceNotFoundError(clipEcho(uri))
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{
		URI: resourcePrefix + e.ID, MIMEType: "text/markdown", Text: entryMarkdown(e, ix.Providers(), s.baseOf(ctx)),
	}}}, nil
}

// checkToolText refuses text longer than a tool reads, as a JSON-RPC error
// that says what to send instead.
func checkToolText(field, text string) error {
	if len(text) <= maxToolText {
		return nil
	}
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf(
		"%s is %d bytes; at most %d (%d KiB) are read: send the error itself (its status line, JSON body or log line), not the whole log", field, len(text), maxToolText, maxToolText>>10)}
}

// toolError is err as a tool's caller reads it: the message a person sees
// on the site for the same failure, never an internal detail (classify logs
// those).
func (s *Server) toolError(what string, err error) error {
	p := s.classify(&http.Request{Method: "MCP", URL: &url.URL{Path: what}}, err)
	return errors.New(p.Message)
}

// baseKey carries the site URL of an HTTP request to the tools, which
// answer with absolute links.
type baseKey struct{}

// baseOf is the site URL for links in tool answers: the request's over
// HTTP, the configured one over stdio.
func (s *Server) baseOf(ctx context.Context) string {
	if b, ok := ctx.Value(baseKey{}).(string); ok {
		return b
	}
	return s.cfg.BaseURL
}

func nonNilInts(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}
