package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A script pipes its requests into `errata mcp` and closes stdin at once:
// every request read before the end gets its answer, batches included,
// and the process then exits 0.
func TestMCPStdioAnswersPipedRequests(t *testing.T) {
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"script","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"explain_error","arguments":{"text":` + strconv.Quote(gmailPaste) + `}}}`,
		`{"jsonrpc":"2.0","id":"three","method":"tools/call","params":{"name":"search_errors","arguments":{"query":"429"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"no/such/method"}`,
	}, "\n") + "\n"
	r := runStdin(t, 60*time.Second, strings.NewReader(in), nil, "mcp")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	answers := map[string]string{}
	for line := range strings.Lines(r.stdout) {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stdout holds a line that is not JSON-RPC: %q", line)
		}
		answers[string(m.ID)] = string(m.Result) + string(m.Error)
	}
	for id, want := range map[string]string{`1`: `"serverInfo"`, `2`: gmail403, `"three"`: `"hits"`, `4`: `method not found`} {
		if !strings.Contains(answers[id], want) {
			t.Errorf("request %s: answer %.200q, want it to hold %s", id, answers[id], want)
		}
	}
}
