package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/web/middleware"
)

// rpcAnswer is one answer of POST /mcp over a real connection.
type rpcAnswer struct {
	status int
	header http.Header
	body   string
	rpc    struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result json.RawMessage `json:"result"`
	}
}

// rpc sends body to url with method and headers (Content-Type and Accept as
// an MCP client sends them unless given), within mcpBudget, and fails on a
// 5xx.
func rpc(tb testing.TB, method, url, body string, header ...string) rpcAnswer {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	client := &http.Client{Timeout: mcpBudget}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s (%d bytes): %v after %v", method, url, len(body), err, time.Since(start))
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := rpcAnswer{status: res.StatusCode, header: res.Header, body: string(b)}
	if a.status >= 500 {
		tb.Errorf("%s %s: %d\n%s", method, cut(body, 100), a.status, cut(a.body, 500))
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &a.rpc); err != nil {
			tb.Errorf("%s %s: the JSON answer does not parse: %v\n%s", method, cut(body, 100), err, cut(a.body, 300))
		}
	}
	return a
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

// Hostile and mistaken requests to /mcp get a clear JSON-RPC error with a
// 4xx (or 200 for a well-formed call of an unknown method), quickly, with
// the security headers, never a 5xx or a hang.
func TestMCPHostileRequests(t *testing.T) {
	srv := mcpSite(t, catalogueIndex(t))
	url := srv.URL + "/mcp"
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	batch := "[" + strings.TrimSuffix(strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"explain_error","arguments":{"text":"quota"}}},`, 5000), ",") + "]"
	huge := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"explain_error","arguments":{"text":"` + strings.Repeat("a", 2<<20) + `"}}}`
	oversized := `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"explain_error","arguments":{"text":"` + strings.Repeat("quota ", 50_000) + `"}}}`
	for _, c := range []struct {
		name, method, body string
		header             []string
		status, code       int
		want               string // in the error message
		id                 string // the id echoed
	}{
		{"GET opens no stream", "GET", "", []string{"Accept", "text/event-stream"}, 405, -32600, "POST each JSON-RPC message", "null"},
		{"DELETE ends no session", "DELETE", "", nil, 405, -32600, "no session to DELETE", "null"},
		{"wrong content type", "POST", initialize, []string{"Content-Type", "text/plain"}, 415, -32600, `Content-Type is "text/plain"`, "null"},
		{"form content type", "POST", initialize, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, -32600, "application/json", "null"},
		{"no content type", "POST", initialize, []string{"Content-Type", ""}, 415, -32600, "application/json", "null"},
		{"accepts only HTML", "POST", initialize, []string{"Accept", "text/html"}, 406, -32600, "Accept must allow application/json", "null"},
		{"JSON refused by q=0", "POST", initialize, []string{"Accept", "application/json;q=0, text/event-stream"}, 406, -32600, "Accept", "null"},
		{"empty body", "POST", "", nil, 400, -32700, "empty", "null"},
		{"not JSON", "POST", `{"jsonrpc":"2.0","id":1,"method":`, nil, 400, -32700, "not JSON", "null"},
		{"nested 100k deep", "POST", deep, nil, 400, -32700, "not JSON", "null"},
		{"huge body", "POST", huge, nil, 413, -32600, "over 1 MiB", "null"},
		{"batch of 5000 calls", "POST", batch, nil, 400, -32600, "batches are not accepted", "null"},
		{"empty batch", "POST", "[]", nil, 400, -32600, "batches are not accepted", "null"},
		{"a number", "POST", "42", nil, 400, -32600, "not a JSON-RPC message", "null"},
		{"wrong version", "POST", `{"jsonrpc":"1.0","id":1,"method":"ping"}`, nil, 400, -32600, `"jsonrpc" must be "2.0"`, "1"},
		{"method not a string", "POST", `{"jsonrpc":"2.0","id":1,"method":5}`, nil, 400, -32600, "wrong type", "null"},
		{"id an object", "POST", `{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`, nil, 400, -32600, "id must be a string or a number", "null"},
		{"no method", "POST", `{"jsonrpc":"2.0","id":1,"result":{}}`, nil, 400, -32600, "no method", "1"},
		{"unknown method", "POST", `{"jsonrpc":"2.0","id":"a<b>","method":"admin/shutdown","params":{}}`, nil, 200, -32601, `method "admin/shutdown" is not one Errata answers`, `"a\u003cb\u003e"`},
		{"a subscription", "POST", `{"jsonrpc":"2.0","id":2,"method":"subscriptions/listen","params":{"notifications":{}}}`, nil, 200, -32601, "subscriptions/listen", "2"},
		{"prompts", "POST", `{"jsonrpc":"2.0","id":3,"method":"prompts/list"}`, nil, 200, -32601, "prompts/list", "3"},
		{"unknown tool", "POST", `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"rm_rf","arguments":{}}}`, nil, 200, -32602, "rm_rf", "4"},
		{"call without params", "POST", `{"jsonrpc":"2.0","id":5,"method":"tools/call"}`, nil, 400, -32600, "params", "5"},
		{"oversized text", "POST", oversized, nil, 200, -32602, "at most 262144 (256 KiB) are read", "8"},
		{"old protocol header", "POST", `{"jsonrpc":"2.0","id":6,"method":"tools/list"}`, []string{"MCP-Protocol-Version", "1999-01-01"}, 400, -32600, "Unsupported protocol version", "6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := rpc(t, c.method, url, c.body, c.header...)
			if a.status != c.status {
				t.Fatalf("%d, want %d\n%s", a.status, c.status, cut(a.body, 400))
			}
			if a.rpc.JSONRPC != "2.0" || a.rpc.Error == nil || a.rpc.Error.Code != c.code || !strings.Contains(a.rpc.Error.Message, c.want) || string(a.rpc.ID) != c.id {
				t.Errorf("answer %s\nwant a JSON-RPC error %d with id %s saying %q", cut(a.body, 400), c.code, c.id, c.want)
			}
			if ct := a.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			checkSecurityHeaders(t, c.name, a.header)
		})
	}

	// What a client may send: no Accept at all, a bare Accept:
	// application/json, notifications (answered 202 with no body, known or not).
	if a := rpc(t, "POST", url, initialize, "Accept", ""); a.status != 200 || a.rpc.Error != nil || !strings.Contains(string(a.rpc.Result), `"name":"errata"`) {
		t.Errorf("initialize without Accept: %d %s", a.status, cut(a.body, 300))
	}
	if a := rpc(t, "POST", url, `{"jsonrpc":"2.0","id":9,"method":"tools/list"}`, "Accept", "application/json"); a.status != 200 || !strings.Contains(string(a.rpc.Result), "explain_error") {
		t.Errorf("tools/list with Accept: application/json: %d %s", a.status, cut(a.body, 300))
	}
	for _, n := range []string{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, `{"jsonrpc":"2.0","method":"notifications/whatever","params":{}}`} {
		if a := rpc(t, "POST", url, n); a.status != 202 || a.body != "" {
			t.Errorf("notification %s: %d %q, want 202 with no body", n, a.status, a.body)
		}
	}
}

// /mcp is rate limited like every route, with the security headers, and
// its answers are never kept by the answer cache.
func TestMCPRateLimitAndCache(t *testing.T) {
	limited := newServer(Config{
		RateLimit:  middleware.RateLimitConfig{Rate: 0.01, Burst: 2},
		CacheBytes: middleware.DefaultCacheBytes,
	}, catalogueIndex(t)).Handler()
	srv := listen(t, limited).URL
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_errors","arguments":{"query":"quota"}}}`
	for i := range 2 {
		a := rpc(t, "POST", srv+"/mcp", call)
		if a.status != 200 || a.rpc.Error != nil || a.header.Get(middleware.CacheHeader) != "" || a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("call %d: %d, cache %q, Cache-Control %q\n%s", i+1, a.status, a.header.Get(middleware.CacheHeader), a.header.Get("Cache-Control"), cut(a.body, 300))
		}
		checkSecurityHeaders(t, fmt.Sprint("call ", i+1), a.header)
	}
	a := rpc(t, "POST", srv+"/mcp", call)
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("third call past a burst of 2: %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
	checkSecurityHeaders(t, "rate limited", a.header)
}
