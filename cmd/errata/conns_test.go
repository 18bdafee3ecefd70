package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMaxConns opens four times --max-conns connections from one address,
// each sending a request, as a flood would: those within the cap are served,
// those past it are answered 503 with Retry-After and closed (a few 503s
// may be lost to a reset while the server is busy refusing) and never
// served, /metrics counts the refusals, and once some close a fresh
// connection gets /healthz.
func TestMaxConns(t *testing.T) {
	const maxConns, opened = 50, 200
	s := start(t, nil, "--max-conns", strconv.Itoa(maxConns), "--rate-limit", "0", "--metrics-addr", "127.0.0.1:0")
	addr := strings.TrimPrefix(s.URL, "http://")
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range opened {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	// The kernel queues connections in the order they were made: the first
	// maxConns are the ones served.
	answered := 0
	for i, c := range conns {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		switch {
		case i < maxConns && err != nil:
			t.Fatalf("connection %d, within the cap of %d: %v", i+1, maxConns, err)
		case i < maxConns:
			if resp.StatusCode != http.StatusOK || resp.Close {
				t.Errorf("connection %d, within the cap: %s, close %v; want 200 and kept", i+1, resp.Status, resp.Close)
			}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
			// The 503 lost to a reset: the request came in as it was closed.
		case err != nil:
			t.Fatalf("connection %d, past the cap of %d: %v, want a 503 or the connection closed", i+1, maxConns, err)
		default:
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || !resp.Close ||
				resp.Header.Get("Content-Security-Policy") == "" || !strings.Contains(string(body), "try again") {
				t.Fatalf("connection %d, past the cap: %s %v\n%s; want 503 with Retry-After, Connection: close, the security headers and a message",
					i+1, resp.Status, resp.Header, body)
			}
			answered++
		}
	}
	if answered == 0 {
		t.Errorf("none of the %d connections past the cap was answered 503", opened-maxConns)
	}
	t.Logf("past the cap: %d answered 503, %d lost to a reset", answered, opened-maxConns-answered)

	for _, c := range conns[:10] {
		c.Close()
	}
	healthz := false
	for try := 0; try < 100 && !healthz; try++ { // the server sees a close when it next reads
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}).Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			healthz = resp.StatusCode == http.StatusOK
		}
		if !healthz {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !healthz {
		t.Fatal("after 10 connections closed, /healthz on a fresh one never answered 200")
	}
	_, body := get(t, s.metricsURL(t))
	refused := regexp.MustCompile(`(?m)^errata_connections_refused_total (\d+)$`).FindStringSubmatch(body)
	open := regexp.MustCompile(`(?m)^errata_connections_open (\d+)$`).FindStringSubmatch(body)
	if refused == nil || open == nil {
		t.Fatalf("/metrics has no errata_connections_refused_total or errata_connections_open:\n%s", body)
	}
	// Retries of /healthz that came before a close was seen are refused too.
	if n, _ := strconv.Atoi(refused[1]); n < opened-maxConns || n > opened-maxConns+100 {
		t.Errorf("errata_connections_refused_total %d, want %d and a few retries", n, opened-maxConns)
	}
	if n, _ := strconv.Atoi(open[1]); n > maxConns {
		t.Errorf("errata_connections_open %d, over --max-conns %d", n, maxConns)
	}
}

// TestTooManyRequestsClosesItsConnection: a client past its rate gets its
// 429 (with the security headers) and its connection closed, rather than
// kept idle for IdleTimeout.
func TestTooManyRequestsClosesItsConnection(t *testing.T) {
	s := start(t, nil, "--rate-limit", "0.01", "--rate-burst", "1") // one request, then 100 s to wait
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if code, closed := request(t, c, "/healthz"); code != http.StatusOK || closed {
		t.Fatalf("first request: %d, closed %v; want 200 on a kept connection", code, closed)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || !resp.Close {
		t.Errorf("second request: %s, Connection: close %v; want 429 and close", resp.Status, resp.Close)
	}
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Frame-Options") == "" {
		t.Errorf("the 429 lacks the security headers: %v", resp.Header)
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) > 0 {
		t.Errorf("after the 429: %v, %q; want the connection closed", err, rest)
	}
}

// request sends GET path on c and returns the status and whether the server
// said it closes the connection.
func request(tb testing.TB, c net.Conn, path string) (int, bool) {
	tb.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Close
}
