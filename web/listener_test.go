package web

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// guardedServer serves h with NewHTTPServer on a loopback port behind
// GuardConns, as errata serve does; it returns the guard.
func guardedServer(tb testing.TB, h http.Handler, limits ConnLimits) *ConnGuard {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := NewHTTPServer(h, slog.New(slog.DiscardHandler))
	g := GuardConns(srv, ln, limits)
	go func() { _ = srv.Serve(g) }()
	tb.Cleanup(func() { _ = srv.Close() })
	return g
}

// keepAlive is a client connection that has had one request answered and
// is kept open.
type keepAlive struct {
	net.Conn
	r *bufio.Reader
}

func dialKeepAlive(tb testing.TB, addr string) *keepAlive {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	k := &keepAlive{Conn: c, r: bufio.NewReader(c)}
	if err := k.get(); err != nil {
		tb.Fatalf("first request: %v", err)
	}
	return k
}

// get sends GET /healthz and reads a 200.
func (k *keepAlive) get() error {
	_ = k.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(k, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(k.r, nil)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		return fmt.Errorf("%s with Connection: close %v, want 200 and the connection kept", resp.Status, resp.Close)
	}
	return nil
}

// closedByServer reads until the server closes the connection (true) or
// sends something or stays silent for 10 s (false).
func (k *keepAlive) closedByServer() bool {
	_ = k.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := k.r.ReadByte()
	return err == io.EOF
}

// Idle keep-alive connections live IdleTimeout while at most half the cap is
// open; past half, each new connection closes those idle longer than
// PressureIdle, and the new one is served.
func TestIdleConnectionsShedUnderPressure(t *testing.T) {
	const pressureIdle = 50 * time.Millisecond
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	g := guardedServer(t, ok, ConnLimits{Max: 12, PressureIdle: pressureIdle})
	addr := g.Addr().String()

	calm := []*keepAlive{dialKeepAlive(t, addr), dialKeepAlive(t, addr)}
	time.Sleep(4 * pressureIdle)
	calm = append(calm, dialKeepAlive(t, addr)) // 3 of 12 open: no pressure
	for i, k := range calm {
		if err := k.get(); err != nil {
			t.Fatalf("idle connection %d with 3 of 12 open: %v, want it kept and served", i+1, err)
		}
	}
	if n := g.ShedConns(); n != 0 {
		t.Fatalf("%d connections shed with 3 of 12 open, want none", n)
	}

	idle := calm
	for range 3 {
		idle = append(idle, dialKeepAlive(t, addr))
	}
	time.Sleep(4 * pressureIdle)
	fresh := dialKeepAlive(t, addr) // the 7th of 12: past half
	for i, k := range idle {
		if !k.closedByServer() {
			t.Errorf("connection %d, idle over %v with 7 of 12 open: not closed", i+1, pressureIdle)
		}
	}
	if err := fresh.get(); err != nil {
		t.Errorf("the new connection: %v, want it served", err)
	}
	if n := g.ShedConns(); n != uint64(len(idle)) {
		t.Errorf("ShedConns %d, want %d", n, len(idle))
	}
}

// Past the cap a connection is answered 503 with Retry-After and the
// security headers, then closed; closing one of those served makes room.
func TestConnectionsPastTheCapAreRefused(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	g := guardedServer(t, ok, ConnLimits{Max: 4})
	addr := g.Addr().String()
	var served []*keepAlive
	for range 4 {
		served = append(served, dialKeepAlive(t, addr))
	}
	refusedAnswer := func() *http.Response {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("past the cap: %v, want a 503", err)
		}
		b, _ := io.ReadAll(r) // the server closes
		if strings.Contains(string(b), "ok") {
			t.Errorf("past the cap, the request was served after the 503: %q", b)
		}
		return resp
	}
	resp := refusedAnswer()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !resp.Close {
		t.Errorf("past the cap: %s, Retry-After %q, close %v; want 503, 1, true", resp.Status, resp.Header.Get("Retry-After"), resp.Close)
	}
	for k, v := range securityHeaders {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("the 503: %s %q, want %q", k, got, v)
		}
	}
	if g.RefusedConns() != 1 || g.OpenConns() != 4 {
		t.Errorf("RefusedConns %d, OpenConns %d; want 1 and 4", g.RefusedConns(), g.OpenConns())
	}

	served[0].Close()
	for try := 0; ; try++ { // the server notices the close when it next reads
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		k := &keepAlive{Conn: c, r: bufio.NewReader(c)}
		err = k.get()
		c.Close()
		if err == nil {
			break
		}
		if try == 100 {
			t.Fatalf("a closed connection never made room: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMaxConnsFor(t *testing.T) {
	for _, c := range []struct {
		want  int
		files uint64
		cap   int
	}{
		{0, 0, DefaultMaxConns},
		{2048, 0, 2048},
		{2048, 20000, 2048},
		{2048, 1024, 1024 - fdReserve},
		{100, 1024, 100},
		{2048, 300, 150}, // a small limit keeps half for the rest
		{2048, 1, 1},
	} {
		if got := MaxConnsFor(c.want, c.files); got != c.cap {
			t.Errorf("MaxConnsFor(%d, %d files) = %d, want %d", c.want, c.files, got, c.cap)
		}
	}
}

// net/http's own error answers (written straight on the connection) get the
// security headers they lack; answers that have them, and successes, are
// written as they are.
func TestWithSecurityHeaders(t *testing.T) {
	const netHTTP400 = "HTTP/1.1 400 Bad Request: invalid header name\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: invalid header name"
	b := withSecurityHeaders([]byte(netHTTP400))
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(b))), nil)
	if err != nil {
		t.Fatalf("%v:\n%s", err, b)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || string(body) != "400 Bad Request: invalid header name" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("rewritten answer lost its status, body or type:\n%s", b)
	}
	for k, v := range securityHeaders {
		if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q once", k, got, v)
		}
	}

	// One header already there (in any case) is not repeated.
	partial := strings.Replace(netHTTP400, "Connection: close", "x-frame-options: SAMEORIGIN\r\nConnection: close", 1)
	b = withSecurityHeaders([]byte(partial))
	if n := strings.Count(strings.ToLower(string(b)), "x-frame-options"); n != 1 || !strings.Contains(string(b), "Content-Security-Policy") {
		t.Errorf("X-Frame-Options %d times, want the one sent, and the rest added:\n%s", n, b)
	}

	whole := string(withSecurityHeaders([]byte(netHTTP400)))
	for _, p := range []string{
		whole, // has them all
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",          // not an error
		"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n", // head cut short
		"<p>HTTP/1.1 400 in a body</p>",
		"HTTP/1.1 ",
	} {
		if b := withSecurityHeaders([]byte(p)); b != nil {
			t.Errorf("%.60q rewritten:\n%s", p, b)
		}
	}
}
