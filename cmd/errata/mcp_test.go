package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gmailPaste is what Google answers when the Gmail API is off for a project.
const gmailPaste = `{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry.","errors":[{"message":"Gmail API has not been used in project 123456789012 before or it is disabled.","domain":"usageLimits","reason":"accessNotConfigured"}],"status":"PERMISSION_DENIED"}}`

const gmail403 = "403-gmail-gmail-api-has-not-been-used-in-project"

// stdioSession starts `errata mcp args...` as an assistant does (the SDK's
// command transport) and returns the session and the process's stderr.
func stdioSession(t *testing.T, args ...string) (*mcp.ClientSession, *exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"mcp"}, args...)...)
	cmd.Env = cleanEnv()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "errata-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 30 * time.Second}, nil)
	if err != nil {
		t.Fatalf("errata mcp %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return cs, cmd, stderr
}

// An assistant runs `errata mcp` and, over stdio, lists the tools and has
// the Gmail JSON paste explained; closing stdin ends the process cleanly.
func TestMCPStdioBinary(t *testing.T) {
	cs, cmd, stderr := stdioSession(t, "--base-url", "https://errata.example")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if init := cs.InitializeResult(); init.ServerInfo.Name != "errata" || init.ServerInfo.Version != testVersion {
		t.Errorf("server info %+v, want errata %s", init.ServerInfo, testVersion)
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		if tool.Annotations == nil || !tool.Annotations.ReadOnlyHint || tool.OutputSchema == nil {
			t.Errorf("%s: not read-only or no output schema", tool.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"explain_error", "get_error", "search_errors"}) {
		t.Fatalf("tools %v", names)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "explain_error", Arguments: map[string]any{"text": gmailPaste}})
	if err != nil || res.IsError {
		t.Fatalf("explain_error: %v %+v", err, res)
	}
	var ex struct {
		Confidence string `json:"confidence"`
		Matches    []struct {
			ID, URL, Cause, Solution string
		} `json:"matches"`
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Matches) == 0 || ex.Matches[0].ID != gmail403 || ex.Confidence != "high" ||
		ex.Matches[0].URL != "https://errata.example/errors/"+gmail403 || ex.Matches[0].Cause == "" || ex.Matches[0].Solution == "" {
		t.Errorf("explain_error over stdio: %s", b)
	}
	for _, c := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"search_errors", map[string]any{"query": "quota"}, "429-general-quota-exceeded"},
		{"get_error", map[string]any{"code": "accessNotConfigured"}, gmail403},
	} {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %+v", c.tool, err, res)
		}
		if b, _ := json.Marshal(res.StructuredContent); !bytes.Contains(b, []byte(`"`+c.want+`"`)) {
			t.Errorf("%s %v: %s lacks %s", c.tool, c.args, b, c.want)
		}
	}
	rr, err := cs.ReadResource(ctx, &mcp.ReadResourceParams{URI: "errata://errors/" + gmail403})
	if err != nil || !strings.HasPrefix(rr.Contents[0].Text, "# accessNotConfigured — 403 Gmail API has not been used in project") {
		t.Errorf("read resource: %v %+v", err, rr)
	}
	start := time.Now()
	if err := cs.Close(); err != nil {
		t.Errorf("closing the session (stdin): %v\n%s", err, stderr)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 || time.Since(start) > 25*time.Second {
		t.Errorf("after stdin closed: exit %d after %v, want 0 at once\n%s", code, time.Since(start), stderr)
	}
	if l := stderr.String(); !strings.Contains(l, "serving MCP on stdin and stdout") || strings.Contains(l, "session connected") {
		t.Errorf("stderr should hold errata's own log, not the SDK's chatter:\n%s", l)
	}
}

// `errata mcp --content DIR` serves that folder; bad flags are usage errors;
// a line that is not JSON-RPC ends the process with a message, not a hang.
func TestMCPStdioFlagsAndBadInput(t *testing.T) {
	dir := copyEntries(t)
	cs, _, _ := stdioSession(t, "--content", dir)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_error", Arguments: map[string]any{"id": gmail403}}); err != nil || res.IsError {
		t.Errorf("get_error with --content: %v %+v", err, res)
	}
	cs.Close()

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mcp", "--content", "/nonexistent/entries"}, "not a folder"},
		{[]string{"mcp", "--content", dir, "--index", dir}, "not both"},
		{[]string{"mcp", "stray"}, `unexpected argument "stray"`},
	} {
		r := run(t, nil, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("errata %s: exit %d, stderr %q; want 2 and %q with nothing on stdout", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}

	for name, input := range map[string]string{
		"not JSON":       "not json\n",
		"a huge line":    strings.Repeat("a", 2<<20) + "\n",
		"nothing at all": "",
	} {
		r := runInput(t, input, "mcp")
		switch {
		case input == "" && r.code != 0:
			t.Errorf("%s: exit %d, want 0 when stdin ends at once\n%s", name, r.code, r.stderr)
		case input != "" && (r.code != 1 || !strings.Contains(r.stderr, "errata mcp: the MCP connection ended:")):
			t.Errorf("%s: exit %d, stderr %q; want 1 and a message", name, r.code, cut(r.stderr, 400))
		}
		if strings.Contains(r.stdout, "serving") {
			t.Errorf("%s: a log line on stdout, which carries only the protocol: %q", name, r.stdout)
		}
	}
}

// runInput runs the binary with input on stdin, within a minute.
func runInput(tb testing.TB, input string, args ...string) result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(input)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		tb.Fatalf("errata %s did not exit within a minute (a hang)\n%s", strings.Join(args, " "), cut(errb.String(), 400))
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// explainOver has the Gmail paste explained by the MCP server at endpoint,
// through the SDK's streamable HTTP client, calls times.
func explainOver(t *testing.T, endpoint string, calls int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := mcp.NewClient(&mcp.Implementation{Name: "errata-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connect to %s: %v", endpoint, err)
	}
	defer cs.Close()
	for i := range calls {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "explain_error", Arguments: map[string]any{"text": gmailPaste}})
		if err != nil || res.IsError {
			t.Fatalf("call %d: explain_error: %v %+v", i+1, err, res)
		}
		var ex struct {
			Matches []struct{ ID string } `json:"matches"`
		}
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &ex); err != nil || len(ex.Matches) == 0 || ex.Matches[0].ID != gmail403 {
			t.Fatalf("call %d: explain_error does not name %s first: %s", i+1, gmail403, cut(string(b), 400))
		}
	}
}

// `errata serve` answers MCP at /mcp to the SDK's client, and logs each
// exchange as one request line of route POST /mcp.
func TestMCPHTTPBinary(t *testing.T) {
	s := start(t, nil)
	explainOver(t, s.URL+"/mcp", 2)
	s.waitLog(t, `route="POST /mcp"`, 10*time.Second)
	if l := s.Log.String(); strings.Contains(l, "session connected") || strings.Contains(l, "server session") {
		t.Errorf("the SDK's chatter is in the request log:\n%s", l)
	}
}

// Behind nginx, consecutive MCP requests of one client land on different
// replicas and all succeed: the server keeps no session.
func TestMCPReplicasBehindNginx(t *testing.T) {
	if _, err := os.Stat(nginxBin); err != nil && os.Getenv("ERRATA_NGINX") != "required" {
		t.Skipf("SKIPPED: %s not found; install Debian's nginx to run the replica test (CI sets ERRATA_NGINX=required)", nginxBin)
	}
	var replicas []*server
	var addrs []string
	for range 2 {
		s := start(t, nil, "--trust-proxy")
		u, _ := url.Parse(s.URL)
		replicas = append(replicas, s)
		addrs = append(addrs, u.Host)
	}
	port := freePort(t)
	startNginx(t, port, addrs)
	explainOver(t, fmt.Sprintf("http://127.0.0.1:%d/mcp", port), 6)
	for i, s := range replicas {
		if !strings.Contains(s.Log.String(), `route="POST /mcp" status=200`) {
			t.Errorf("replica %d answered no MCP request: nginx did not spread them\n%s", i, s.Log)
		}
	}
}
