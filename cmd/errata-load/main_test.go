package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/errata/errata/web"
)

// TestLoadShort is the CI variant of the 60-second run: a few seconds at a
// constant rate on search pages and the API, every request answered 200.
func TestLoadShort(t *testing.T) {
	t.Parallel()
	srv, err := StartServer(ServerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const rate, d = 60, 3 * time.Second
	rep, err := Run(t.Context(), Config{Target: srv.URL, Rate: rate, Duration: d, Timeout: 10 * time.Second})
	checkReport(t, rep, err)
	for _, st := range rep.Targets {
		if want := uint64(rate / 2 * d.Seconds() * 0.9); st.Requests < want {
			t.Errorf("%s: %d requests, want about %d at %d/s", st.Name, st.Requests, uint64(rate/2*d.Seconds()), rate/2)
		}
		if st.Codes[http.StatusOK] != st.Requests {
			t.Errorf("%s: codes %v, want only 200", st.Name, st.Codes)
		}
	}
}

// Past its rate a client gets 429 with Retry-After, and no more 200s than
// the limit allows, while another client is served every time. The latency
// bound is loose here (the race detector on 2 shared cores); the command
// reports the real figures with a 25ms slack.
func TestRateLimitPerClientUnderLoad(t *testing.T) {
	rep, err := RateLimitScenario(t.Context(), RateLimitConfig{Limit: 20, Duration: 3 * time.Second, Timeout: 10 * time.Second, Slack: 500 * time.Millisecond})
	checkReport(t, rep, err)
	quiet := rep.Targets[1]
	if quiet.Name != "quiet-during" || quiet.Codes[http.StatusOK] == 0 || quiet.Codes[http.StatusOK] != quiet.Requests {
		t.Errorf("quiet client during the busy one: %s %v, want only 200s", quiet.Name, quiet.Codes)
	}
}

// checkReport fails the test on a run's error, logs the printed report and
// fails on the report's own error.
func checkReport(t *testing.T, rep *Report, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-rate", "0"}, {"-duration", "-1s"}, {"extra"}, {"-ratelimit", "-target", "http://127.0.0.1:1"}, {"-nope"},
	} {
		var out bytes.Buffer
		if err := run(t.Context(), args, &out); err == nil {
			t.Errorf("errata-load %s: no error", strings.Join(args, " "))
		}
	}
	// A target that refuses every connection fails the run.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-target", "http://" + addr, "-duration", "500ms", "-rate", "10", "-timeout", "1s"}, &out); err == nil {
		t.Errorf("a dead target passed:\n%s", out.String())
	}
}

// Slow clients against the real binary (its http.Server and timeouts): a
// body sent a byte at a time is cut off by ReadTimeout, hundreds of
// connections sending headers slowly are cut off by ReadHeaderTimeout, and
// other clients are served the whole time. (Oversized headers answering 431
// and one slow header are tested in cmd/errata.)
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel() // it waits out the server's read timeouts
	base := startBinary(t)
	addr := strings.TrimPrefix(base, "http://")
	stop := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- keepServing(base, stop) }()

	var wg sync.WaitGroup
	wg.Go(func() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		start := time.Now()
		fmt.Fprint(c, "POST /api/v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nq=")
		sent := make(chan int, 1)
		go func() { // a byte every 100 ms: the body would take hours
			n := 0
			for ; n < 100000; n++ {
				if _, err := c.Write([]byte("a")); err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			sent <- n
		}()
		c.SetReadDeadline(time.Now().Add(web.ReadTimeout + 10*time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		b, _ := io.ReadAll(c) // until the server closes
		took := time.Since(start)
		c.Close()
		n := <-sent
		if took > web.ReadTimeout+3*time.Second {
			t.Errorf("slow body: connection held %v (ReadTimeout %v), response %v, %d more bytes", took, web.ReadTimeout, resp, len(b))
		}
		if resp != nil && resp.StatusCode < 400 {
			t.Errorf("slow body: answered %d, want a 4xx", resp.StatusCode)
		}
		t.Logf("slow body: %d bytes of 100000 sent, cut off after %v, response %v", n, took.Round(time.Millisecond), statusOf(resp, err))
	})
	wg.Go(func() {
		const conns = 200
		start := time.Now()
		var cs []net.Conn
		for i := range conns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Errorf("slow headers: connection %d: %v", i, err)
				break
			}
			fmt.Fprintf(c, "GET /?q=slow%d HTTP/1.1\r\nHost: x\r\nX-Slow: ", i) // never the end of the headers
			cs = append(cs, c)
		}
		var slowest time.Duration
		for _, c := range cs {
			c.SetReadDeadline(start.Add(web.ReadHeaderTimeout + 10*time.Second))
			b, _ := io.ReadAll(c)
			if d := time.Since(start); d > slowest {
				slowest = d
			}
			if strings.Contains(string(b), "200 OK") {
				t.Errorf("slow headers: a half-sent request was served: %q", b)
			}
			c.Close()
		}
		if slowest > web.ReadHeaderTimeout+3*time.Second {
			t.Errorf("slow headers: %d connections held up to %v (ReadHeaderTimeout %v)", len(cs), slowest, web.ReadHeaderTimeout)
		}
		t.Logf("slow headers: %d connections all cut off within %v", len(cs), slowest.Round(time.Millisecond))
	})
	wg.Wait()
	close(stop)
	if err := <-served; err != nil {
		t.Errorf("another client while slow ones held connections: %v", err)
	}
}

func statusOf(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// keepServing GETs a search page every 50 ms until stop; each must be
// answered 200 within 2 s.
func keepServing(base string, stop <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	n := 0
	for {
		select {
		case <-stop:
			if n == 0 {
				return fmt.Errorf("no request was made")
			}
			return nil
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := client.Get(base + "/?q=quota")
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("GET /?q=quota: %d", resp.StatusCode)
		}
		n++
	}
}

// Hostile request lines and headers sent raw to the real binary: each gets
// the 4xx net/http or the handler gives it, never a 2xx for a request that
// must fail and never a 5xx, except the two answers net/http itself gives,
// before any handler, to protocols it does not speak (505 for HTTP/2 or
// HTTP/9 in an HTTP/1 request line, 501 for an unknown transfer coding).
// Every answer, net/http's own included, carries the security headers.
func TestHostileRequestsOnTheWire(t *testing.T) {
	t.Parallel()
	base := startBinary(t)
	addr := strings.TrimPrefix(base, "http://")
	big := strings.Repeat("a", 1<<20)
	for _, c := range []struct {
		name, line, headers string
		want                int
	}{
		{"1 MB query", "GET /?q=" + big + " HTTP/1.1", "", 431},
		{"15 KB query", "GET /?q=" + big[:15<<10] + " HTTP/1.1", "", 200},
		{"head of exactly 16 KiB", "GET /healthz HTTP/1.1", paddingTo(web.MaxHeaderBytes), 200},
		{"head of 16 KiB + 1", "GET /healthz HTTP/1.1", paddingTo(web.MaxHeaderBytes + 1), 431},
		{"1 MB header", "GET / HTTP/1.1", "X-Big: " + big + "\r\n", 431},
		{"raw invalid UTF-8", "GET /?q=\xff\xfe\xc3 HTTP/1.1", "", 200},
		{"escaped NUL and invalid UTF-8", "GET /?q=%ff%fe%00 HTTP/1.1", "", 200},
		{"raw NUL in the query", "GET /?q=a\x00b HTTP/1.1", "", 400},
		{"raw NUL in a header", "GET / HTTP/1.1", "X-Bad: a\x00b\r\n", 400},
		{"raw invalid UTF-8 path", "GET /errors/\xff\xfe HTTP/1.1", "", 404},
		{"relative target", "GET ../go.mod HTTP/1.1", "", 400},
		{"dot segments", "GET /static/../go.mod HTTP/1.1", "", 404},
		{"encoded dot segments", "GET /static/%2e%2e%2fgo.mod HTTP/1.1", "", 404},
		{"asterisk GET", "GET * HTTP/1.1", "", 404},
		{"two spaces", "GET /  HTTP/1.1", "", 400},
		{"TRACE", "TRACE / HTTP/1.1", "", 405},
		{"OPTIONS *", "OPTIONS * HTTP/1.1", "", 405}, // not net/http's built-in 200
		{"CONNECT", "CONNECT 127.0.0.1:443 HTTP/1.1", "", 405},
		{"lower-case method", "get / HTTP/1.1", "", 405},
		{"POST with a body not JSON", "POST /api/v1/search HTTP/1.1", "Content-Length: 3\r\n\r\nq=a", 415},
		{"POST of JSON", "POST /api/v1/search HTTP/1.1", "Content-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"query\":\"quota\"}", 200},
		{"PUT with a body", "PUT /api/v1/search HTTP/1.1", "Content-Length: 3\r\n\r\nq=a", 405},
		{"negative Content-Length", "GET / HTTP/1.1", "Content-Length: -1\r\n", 400},
		{"huge Content-Length", "GET / HTTP/1.1", "Content-Length: 99999999999999999999\r\n", 400},
		{"two Content-Lengths", "GET / HTTP/1.1", "Content-Length: 1\r\nContent-Length: 2\r\n", 400},
		{"two Hosts", "GET / HTTP/1.1", "Host: y\r\n", 400},
		{"HTTP/1.0", "GET / HTTP/1.0", "", 200},
		{"HTTP/2.0 line (net/http)", "GET / HTTP/2.0", "", 505},
		{"unknown transfer coding (net/http)", "GET / HTTP/1.1", "Transfer-Encoding: gzip, chunked\r\n", 501},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := dialWire(t, addr)
			req := c.line + wireHead + c.headers
			if !strings.Contains(c.headers, "\r\n\r\n") {
				req += "\r\n"
			}
			go func() { _, _ = io.WriteString(conn, req) }() // the server may answer before reading it all
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no HTTP answer: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%d, want %d\n%.300s", resp.StatusCode, c.want, b)
			}
			t.Logf("%.60q: %s", c.line, resp.Status)
			if strings.Contains(string(b), "module github.com/errata") {
				t.Error("go.mod was served")
			}
			for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("%s answer without %s; headers %v", resp.Status, h, resp.Header)
				}
			}
		})
	}
}

// wireHead is the head TestHostileRequestsOnTheWire sends around a case's
// line and headers.
const wireHead = "\r\nHost: x\r\nConnection: close\r\n"

// paddingTo is a header field that makes a head of "GET /healthz HTTP/1.1",
// wireHead, it and the blank line weigh size bytes.
func paddingTo(size int) string {
	const field = "X-Pad: \r\n"
	n := size - len("GET /healthz HTTP/1.1") - len(wireHead) - len(field) - len("\r\n")
	return "X-Pad: " + strings.Repeat("p", n) + "\r\n"
}

// A request that carries a body, above all one with both Content-Length
// and Transfer-Encoding (RFC 9112 §6.1: the server MUST close the
// connection after answering it), is answered and its connection closed:
// whatever follows on the connection, here a request smuggled past a proxy
// that framed the body by Content-Length, is never read. A plain GET keeps
// its connection.
func TestRequestsWithABodyCloseTheirConnection(t *testing.T) {
	t.Parallel()
	base := startBinary(t)
	addr := strings.TrimPrefix(base, "http://")
	const next = "GET /healthz?smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	for _, c := range []struct {
		name, req string
		answers   int
	}{
		{"Content-Length and Transfer-Encoding", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, 1},
		{"Transfer-Encoding", "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, 1},
		{"Content-Length", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + next, 1},
		{"no body (control)", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + next, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A kept connection waits IdleTimeout; dialWire's deadline
			// stops the read long before.
			conn := dialWire(t, addr)
			if _, err := io.WriteString(conn, c.req); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(conn)
			for i := range c.answers {
				resp, err := http.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("answer %d: %v", i+1, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("answer %d: %s, want 200", i+1, resp.Status)
				}
				if closes := c.answers == 1; resp.Close != closes {
					t.Errorf("answer %d: Connection: close is %v, want %v", i+1, resp.Close, closes)
				}
			}
			if c.answers > 1 {
				return // the control: both requests answered on one connection
			}
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("after the answer: %v (%q), want the connection closed", err, rest)
			}
			if len(rest) > 0 {
				t.Errorf("after the answer and before the close: %q", rest)
			}
		})
	}
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// binDir holds the errata binary the tests share; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// errataBinary builds cmd/errata once per test binary.
var errataBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "errata-load-test-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "errata")
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	build := exec.Command("go", "build", "-o", bin, "./cmd/errata")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/errata: %v\n%s", err, out)
	}
	return bin, nil
})

// startBinary builds cmd/errata and serves the embedded catalogue on a
// loopback port with rate limiting off; it returns the base URL.
func startBinary(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds and runs the errata binary; skipped with -short")
	}
	bin, err := errataBinary()
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--rate-limit", "0")
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				tb.Fatalf("errata serve exited before serving:\n%s", stderr.String())
			}
			if m := servingRE.FindStringSubmatch(l); m != nil {
				go func() { // keep draining stdout
					for range lines {
					}
				}()
				return m[1]
			}
		case <-timeout:
			tb.Fatalf("errata serve did not start in 30s:\n%s", stderr.String())
		}
	}
}

// cleanEnv drops ERRATA_ settings that would change the server under test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ERRATA_") {
			env = append(env, kv)
		}
	}
	return env
}

// dialWire opens a raw connection to addr for a hand-written request, with
// a deadline that turns a hang into a failure; it closes when t ends.
func dialWire(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}
