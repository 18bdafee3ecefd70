package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gmailPaste is what Google answers when the Gmail API is off for a project.
const gmailPaste = `{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry.","errors":[{"message":"Gmail API has not been used in project 123456789012 before or it is disabled.","domain":"usageLimits","reason":"accessNotConfigured"}],"status":"PERMISSION_DENIED"}}`

const gmail403 = "403-gmail-gmail-api-has-not-been-used-in-project"

// The tools' answers as a client reads them, with the field names the tools
// promise (written apart from the server's types on purpose).
type (
	clientHit struct {
		ID        string   `json:"id"`
		Status    int      `json:"status"`
		Codes     []string `json:"codes"`
		Providers []string `json:"providers"`
		Title     string   `json:"title"`
		URL       string   `json:"url"`
		Snippet   string   `json:"snippet"`
	}
	clientSearch struct {
		Query string      `json:"query"`
		Total int         `json:"total"`
		Hits  []clientHit `json:"hits"`
	}
	clientEntry struct {
		ID          string   `json:"id"`
		Status      int      `json:"status"`
		Title       string   `json:"title"`
		Providers   []string `json:"providers"`
		Codes       []string `json:"codes"`
		Messages    []string `json:"messages"`
		URL         string   `json:"url"`
		MarkdownURL string   `json:"markdown_url"`
		Cause       string   `json:"cause"`
		Solution    string   `json:"solution"`
		SameCode    []string `json:"same_code"`
		Confidence  string   `json:"confidence"`
		Reasons     []string `json:"reasons"`
	}
	clientExplain struct {
		Understood struct {
			Statuses  []int    `json:"statuses"`
			Codes     []string `json:"codes"`
			Providers []string `json:"providers"`
			Message   string   `json:"message"`
			Pasted    bool     `json:"pasted"`
		} `json:"understood"`
		Confidence string        `json:"confidence"`
		Matches    []clientEntry `json:"matches"`
	}
)

// mcpBudget bounds one MCP exchange: it catches a hang, not slowness.
const mcpBudget = 30 * time.Second

// mcpSite is the real stack (the middleware as errata serve runs it) over
// the catalogue, on a loopback listener, with no --base-url: links use the
// host the client asked.
func mcpSite(tb testing.TB, ix index) *httptest.Server {
	tb.Helper()
	cfg := servedConfig()
	cfg.BaseURL = ""
	s, _ := testServerWith(tb, cfg, ix)
	return listen(tb, s.Handler())
}

// listen serves h on a loopback port until the test ends.
func listen(tb testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

func connect(tb testing.TB, t mcp.Transport) *mcp.ClientSession {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mcpBudget)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "errata-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, t, nil)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() { cs.Close() })
	return cs
}

func call[T any](tb testing.TB, cs *mcp.ClientSession, tool string, args map[string]any) (T, *mcp.CallToolResult) {
	tb.Helper()
	var out T
	ctx, cancel := context.WithTimeout(context.Background(), mcpBudget)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		tb.Fatalf("%s %v: %v", tool, args, err)
	}
	if res.IsError {
		return out, res
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatalf("%s: structuredContent %s: %v", tool, b, err)
	}
	// The same answer is in the text content, for clients that read no structure.
	if len(res.Content) == 0 {
		tb.Errorf("%s: no content", tool)
	} else if tc, ok := res.Content[0].(*mcp.TextContent); !ok || !json.Valid([]byte(tc.Text)) {
		tb.Errorf("%s: the first content is not the JSON of the result", tool)
	}
	return out, res
}

func errorText(res *mcp.CallToolResult) string {
	if res == nil || !res.IsError || len(res.Content) == 0 {
		return ""
	}
	tc, _ := res.Content[0].(*mcp.TextContent)
	if tc == nil {
		return ""
	}
	return tc.Text
}

// checkSession drives a session as an assistant would: initialize (done by
// connect), list the tools, call each, read a resource. base is the site URL
// the links must start with.
func checkSession(t *testing.T, cs *mcp.ClientSession, base string) {
	ctx, cancel := context.WithTimeout(context.Background(), mcpBudget)
	defer cancel()
	init := cs.InitializeResult()
	if init == nil || init.ServerInfo.Name != "errata" || !strings.Contains(init.Instructions, "explain_error") {
		t.Fatalf("initialize result %+v", init)
	}
	if c := init.Capabilities; c.Tools == nil || c.Resources == nil || c.Prompts != nil || c.Completions != nil {
		t.Errorf("capabilities %+v, want tools and resources only", c)
	}

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		if tool.InputSchema == nil || tool.OutputSchema == nil || tool.Description == "" {
			t.Errorf("%s: input schema %v, output schema %v, description %q", tool.Name, tool.InputSchema != nil, tool.OutputSchema != nil, tool.Description)
		}
		if a := tool.Annotations; a == nil || !a.ReadOnlyHint || a.Title == "" {
			t.Errorf("%s: annotations %+v, want readOnlyHint and a title", tool.Name, a)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"explain_error", "get_error", "search_errors"}) {
		t.Fatalf("tools %v", names)
	}

	// explain_error on a Gmail JSON paste names the Gmail 403 entry.
	ex, res := call[clientExplain](t, cs, "explain_error", map[string]any{"text": gmailPaste})
	if res.IsError {
		t.Fatalf("explain_error: %s", errorText(res))
	}
	if len(ex.Matches) == 0 || ex.Matches[0].ID != gmail403 || ex.Confidence != "high" || ex.Matches[0].Confidence != "high" {
		t.Fatalf("explain_error: %+v", ex)
	}
	u := ex.Understood
	if !slices.Equal(u.Statuses, []int{403}) || !slices.Contains(u.Codes, "accessNotConfigured") || !slices.Equal(u.Providers, []string{"gmail"}) ||
		!strings.HasPrefix(u.Message, "Gmail API has not been used in project") || !u.Pasted {
		t.Errorf("understood %+v", u)
	}
	m := ex.Matches[0]
	if m.URL != base+"/errors/"+gmail403 || m.MarkdownURL != m.URL+".md" || !strings.Contains(m.Cause, "Gmail API is disabled") ||
		!strings.Contains(m.Solution, "- Check if Gmail API is enable") || len(m.Reasons) == 0 || m.Status != 403 {
		t.Errorf("best match %+v", m)
	}

	// search_errors: hits with id, codes, status, providers, title, url, snippet.
	sr, res := call[clientSearch](t, cs, "search_errors", map[string]any{"query": "rate limit exceeded", "provider": "gmail", "limit": 3})
	if res.IsError || len(sr.Hits) == 0 || sr.Hits[0].ID != "429-gmail-too-many-requests" {
		t.Fatalf("search_errors: %s %+v", errorText(res), sr)
	}
	h := sr.Hits[0]
	if h.Status != 429 || !slices.Contains(h.Codes, "rateLimitExceeded") || !slices.Equal(h.Providers, []string{"nylas", "gmail"}) ||
		h.Title != "Too Many Requests" || h.URL != base+"/errors/"+h.ID || h.Snippet == "" || len(sr.Hits) > 3 {
		t.Errorf("search hit %+v", h)
	}

	// get_error, by id and by code.
	byID, res := call[clientEntry](t, cs, "get_error", map[string]any{"id": gmail403})
	if res.IsError || byID.ID != gmail403 || !slices.Equal(byID.Messages, []string{"Gmail API has not been used in project {project}"}) || byID.Cause == "" || byID.Solution == "" {
		t.Errorf("get_error by id: %s %+v", errorText(res), byID)
	}
	byCode, res := call[clientEntry](t, cs, "get_error", map[string]any{"code": "RATELIMITEXCEEDED"})
	if res.IsError || byCode.ID != "429-gmail-too-many-requests" || !slices.Contains(byCode.Codes, "rateLimitExceeded") {
		t.Errorf("get_error by code: %s %+v", errorText(res), byCode)
	}

	// The entry as a resource, in Markdown.
	tmpls, err := cs.ListResourceTemplates(ctx, nil)
	if err != nil || len(tmpls.ResourceTemplates) != 1 || tmpls.ResourceTemplates[0].URITemplate != "errata://errors/{id}" || tmpls.ResourceTemplates[0].MIMEType != "text/markdown" {
		t.Fatalf("resource templates %+v (%v)", tmpls, err)
	}
	rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "errata://errors/" + gmail403})
	if err != nil || len(rr.Contents) != 1 || rr.Contents[0].MIMEType != "text/markdown" ||
		!strings.HasPrefix(rr.Contents[0].Text, "# accessNotConfigured — 403 Gmail API has not been used in project\n") || !strings.Contains(rr.Contents[0].Text, base+"/errors/"+gmail403) {
		t.Errorf("read resource: %v %+v", err, rr)
	}
	if _, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "errata://errors/no-such-error"}); err == nil {
		t.Error("reading an unknown entry succeeded")
	}

	// Mistakes are tool errors that say what to fix.
	for _, c := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"search_errors", map[string]any{"query": "quota", "status": "abc"}, "The status parameter"},
		{"search_errors", map[string]any{"query": "quota", "provider": "yahoo"}, "provider"},
		{"search_errors", map[string]any{"query": "quota", "limit": 500}, "limit"},
		{"search_errors", map[string]any{}, "query"},
		{"get_error", map[string]any{}, "give either id"},
		{"get_error", map[string]any{"id": "x", "code": "y"}, "give either id"},
		{"get_error", map[string]any{"id": "no-such-error"}, `no entry has the id "no-such-error"`},
		{"get_error", map[string]any{"code": "notARealCode"}, `no entry is known by the code "notARealCode"`},
		{"explain_error", map[string]any{"text": "   "}, "paste the error"},
		{"explain_error", map[string]any{"text": 42}, "text"},
		{"explain_error", map[string]any{}, "text"},
	} {
		_, res := call[map[string]any](t, cs, c.tool, c.args)
		if got := errorText(res); !strings.Contains(got, c.want) {
			t.Errorf("%s %v: error %q, want one that says %q", c.tool, c.args, got, c.want)
		}
	}
	// A paste past what is read is a JSON-RPC error that says so.
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "explain_error", Arguments: map[string]any{"text": strings.Repeat("x", maxToolText+1)}})
	if err == nil || !strings.Contains(err.Error(), "256 KiB") {
		t.Errorf("oversized text: %v, want a JSON-RPC error naming the 256 KiB limit", err)
	}
}

// An assistant talks to POST /mcp of the real stack with the SDK's own
// client (streamable HTTP).
func TestMCPOverHTTP(t *testing.T) {
	srv := mcpSite(t, catalogueIndex(t))
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", MaxRetries: -1})
	checkSession(t, cs, srv.URL)
}

// The same server over an in-process stdio pipe, as `errata mcp` runs it:
// links start with the configured base URL.
func TestMCPOverStdio(t *testing.T) {
	s := newServer(Config{BaseURL: "https://errata.example", Version: "test"}, catalogueIndex(t))
	serverT, clientT := mcp.NewInMemoryTransports()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.MCP().Run(ctx, serverT) }()
	cs := connect(t, clientT)
	checkSession(t, cs, "https://errata.example")
	cs.Close()
	select {
	case <-done:
	case <-time.After(mcpBudget):
		t.Fatal("the server did not stop when the client went away")
	}
}

// A tool that fails inside (here a panic) answers a tool error that hides
// the details, logs them, and the server goes on; before the catalogue is
// loaded the tools say so.
func TestMCPFailuresAreToolErrors(t *testing.T) {
	panicky, logs := testServer(t, faultyIndex{panics: true})
	srv := listen(t, panicky)
	cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", MaxRetries: -1})
	for range 2 {
		_, res := call[map[string]any](t, cs, "explain_error", map[string]any{"text": gmailPaste})
		if got := errorText(res); !strings.Contains(got, "Something went wrong on our side") || strings.Contains(got, "exploded") {
			t.Errorf("a panicking tool answered %q", got)
		}
	}
	if l := logs.String(); !strings.Contains(l, "index exploded") || !strings.Contains(l, "goroutine") {
		t.Errorf("the panic was not logged with its stack:\n%s", l)
	}

	loading := mcpSite(t, nil)
	cs = connect(t, &mcp.StreamableClientTransport{Endpoint: loading.URL + "/mcp", MaxRetries: -1})
	for tool, args := range map[string]map[string]any{"explain_error": {"text": "x"}, "search_errors": {"query": "x"}, "get_error": {"id": "x"}} {
		_, res := call[map[string]any](t, cs, tool, args)
		if got := errorText(res); !strings.Contains(got, "still loading") {
			t.Errorf("%s before the catalogue loaded: %q", tool, got)
		}
	}
}
