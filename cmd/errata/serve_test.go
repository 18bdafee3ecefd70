package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/errata/errata/web"
	"github.com/errata/errata/web/middleware"
)

func TestServe(t *testing.T) {
	s := start(t, nil, "--log-format", "json", "--metrics-addr", "127.0.0.1:0")
	n := catalogueSize(t)
	metrics := s.metricsURL(t)
	if got := bannerRE.FindStringSubmatch(s.Banner)[1]; got != strconv.Itoa(n) {
		t.Errorf("banner %q: want %d entries", s.Banner, n)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q: want the loopback address listened on", s.URL)
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/api/v1/search?q=quota"} {
		if resp, body := get(t, s.URL+path); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}

	t.Run("request id", func(t *testing.T) {
		resp, _ := get(t, s.URL+"/healthz", "X-Request-ID", "trace-42")
		if resp.Header.Get("X-Request-ID") != "trace-42" {
			t.Errorf("X-Request-ID = %q, want trace-42 echoed", resp.Header.Get("X-Request-ID"))
		}
	})
	t.Run("gzip and etag", func(t *testing.T) {
		resp, body := get(t, s.URL+"/", "Accept-Encoding", "gzip")
		vary := strings.Join(resp.Header.Values("Vary"), ", ")
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(vary, "Accept-Encoding") {
			t.Errorf("home page: Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), vary)
		}
		tag := resp.Header.Get("ETag")
		if tag == "" || len(body) == 0 {
			t.Fatalf("home page: ETag %q, %d bytes", tag, len(body))
		}
		again, body := get(t, s.URL+"/", "Accept-Encoding", "gzip", "If-None-Match", tag)
		if again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match: %d with %d bytes, want 304 and nothing", again.StatusCode, len(body))
		}
	})
	t.Run("metrics", func(t *testing.T) {
		_, body := get(t, metrics)
		for _, want := range []string{
			fmt.Sprintf("errata_entries_indexed %d", n),
			`errata_http_requests_total{code="200",route="GET /healthz"}`,
			`errata_http_request_duration_seconds_bucket{route="GET /{$}"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("search metrics", func(t *testing.T) {
		get(t, s.URL+"/api/v1/search?q=zzqxj+wvxkq")
		get(t, s.URL+"/?q=quota")
		_, body := get(t, metrics)
		for _, re := range []string{`(?m)^errata_searches_total [2-9]`, `(?m)^errata_searches_no_result_total [1-9]`, `(?m)^errata_search_duration_seconds_count [2-9]`} {
			if !regexp.MustCompile(re).MatchString(body) {
				t.Errorf("/metrics does not match %s", re)
			}
		}
	})
	t.Run("oversized headers", func(t *testing.T) {
		resp, _ := get(t, s.URL+"/healthz", "X-Big", strings.Repeat("a", 32<<10))
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("32 KiB header: %d, want 431", resp.StatusCode)
		}
	})
	t.Run("log lines", func(t *testing.T) {
		secret := "refresh_token=1//0gSecretValue alice@example.com"
		get(t, s.URL+"/api/v1/search?q="+strings.ReplaceAll(secret, " ", "+"), "X-Request-ID", "log-check")
		s.waitLog(t, `"request_id":"log-check"`, 5*time.Second)
		log := s.Log.String()
		if strings.Contains(log, "SecretValue") || strings.Contains(log, "alice") {
			t.Errorf("the log holds query text:\n%s", log)
		}
		line := regexp.MustCompile(`\{[^\n]*"request_id":"log-check"[^\n]*\}`).FindString(log)
		for _, want := range []string{`"method":"GET"`, `"route":"GET /api/v1/search"`, `"status":200`, `"duration":`, `"bytes":`} {
			if !strings.Contains(line, want) {
				t.Errorf("log line %s lacks %s", line, want)
			}
		}
	})
}

func TestServeFixedPortAndHealthcheck(t *testing.T) {
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := start(t, []string{"ERRATA_LOG_FORMAT=json"}, "--addr", addr)
	if s.URL != "http://"+addr {
		t.Errorf("URL %q, want http://%s", s.URL, addr)
	}
	s.waitLog(t, `"msg":"ready"`, 5*time.Second) // ERRATA_LOG_FORMAT=json honoured
	if r := run(t, []string{"ERRATA_ADDR=" + addr}, "healthcheck"); r.code != 0 || !strings.HasPrefix(r.stdout, "healthy") {
		t.Errorf("healthcheck against a live server: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "healthcheck", "--url", s.URL+"/healthz"); r.code != 0 {
		t.Errorf("healthcheck --url: exit %d, %q", r.code, r.stderr)
	}
	s.signal(t, syscall.SIGKILL)
	s.wait(t, 5*time.Second)
	if r := run(t, nil, "healthcheck", "--addr", addr); r.code != 1 || !strings.Contains(r.stderr, "unhealthy") {
		t.Errorf("healthcheck against nothing: exit %d, %q; want 1, unhealthy", r.code, r.stderr)
	}
}

// load runs workers that GET paths in turn until stop is closed, each
// request with its own X-Request-ID so that the server's log tells which
// ones reached a handler. A refused connection (the listener has closed)
// ends that worker's run.
type load struct {
	ok, refused atomic.Int64
	mu          sync.Mutex
	failures    []failure
	wg          sync.WaitGroup
}

// failure is one request that got no complete 200.
type failure struct {
	id  string
	at  time.Time
	msg string
}

func startLoad(base string, workers int, stop <-chan struct{}, paths ...string) *load {
	l := &load{}
	for w := range workers {
		l.wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("load-%d-%d", w, i)
				req, _ := http.NewRequest("GET", base+paths[i%len(paths)], nil)
				req.Header.Set("X-Request-ID", id)
				resp, err := client.Do(req)
				if err != nil {
					if errors.Is(err, syscall.ECONNREFUSED) {
						l.refused.Add(1)
						return
					}
					l.fail(id, err.Error())
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					l.fail(id, fmt.Sprintf("%s: %d %v", paths[i%len(paths)], resp.StatusCode, err))
					continue
				}
				l.ok.Add(1)
			}
		})
	}
	return l
}

// loadPhase is how many requests a load test sees succeed in each of its
// phases (before a signal, after it): counted rather than timed, so every
// machine puts the same load on the server (about a third of a second's
// worth on 2 cores).
const loadPhase = 1000

// waitOK waits until n more requests than now have succeeded.
func (l *load) waitOK(tb testing.TB, phase string, n int64) {
	tb.Helper()
	want := l.ok.Load() + n
	waitFor(tb, fmt.Sprintf("%d requests %s", n, phase), 30*time.Second, func() bool { return l.ok.Load() >= want })
}

func (l *load) fail(id, msg string) {
	l.mu.Lock()
	l.failures = append(l.failures, failure{id, time.Now(), msg})
	l.mu.Unlock()
}

var loadPaths = []string{"/", "/api/v1/search?q=quota+exceeded", "/?q=429+too+many+requests", "/errors/429-gmail-too-many-requests", "/api/v1/errors"}

// TestSIGTERMUnderLoad sends SIGTERM while clients hammer the server: readyz
// turns 503 during the drain, every request the server accepted succeeds,
// and the process exits 0 within the drain plus the deadline.
func TestSIGTERMUnderLoad(t *testing.T) {
	const drain = 1500 * time.Millisecond
	s := start(t, nil, "--rate-limit", "0", "--drain", drain.String(), "--shutdown-timeout", "5s")
	stop := make(chan struct{})
	l := startLoad(s.URL, 8, stop, loadPaths...)
	l.waitOK(t, "before SIGTERM", loadPhase)

	sent := time.Now()
	s.signal(t, syscall.SIGTERM)
	ready := 0
	for time.Since(sent) < drain {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if ready = resp.StatusCode; ready == http.StatusServiceUnavailable {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ready != http.StatusServiceUnavailable {
		t.Errorf("/readyz answered %d during the drain, want 503", ready)
	}
	code := s.wait(t, drain+6*time.Second)
	took := time.Since(sent)
	close(stop)
	l.wg.Wait()

	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0:\n%s", code, s.Log)
	}
	if took < drain {
		t.Errorf("exited %s after SIGTERM, before the %s drain ended", took, drain)
	}
	// A connection the kernel completed but the server never accepted when
	// its listener closed is reset: that request never reached Errata (a
	// load balancer stops sending during the drain). Every request that did
	// reach a handler, and every request before the listener closed, must
	// have succeeded.
	closed := sent.Add(drain)
	log := s.Log.String()
	if !strings.Contains(log, "request_id=load-0-0\n") {
		t.Fatalf("the first request's id is not in the server log; cannot tell accepted requests:\n%.2000s", log)
	}
	var lost []failure
	for _, f := range l.failures {
		if f.at.Before(closed) || strings.Contains(log, "request_id="+f.id+"\n") {
			lost = append(lost, f)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d accepted requests failed (%d ok): %+v", len(lost), l.ok.Load(), lost[:min(len(lost), 10)])
	}
	if l.ok.Load() < 50 {
		t.Errorf("only %d requests succeeded: not much of a load", l.ok.Load())
	}
	t.Logf("SIGTERM under load: %d ok, %d accepted and failed, %d reset before accept and %d refused after the listener closed; exit after %s",
		l.ok.Load(), len(lost), len(l.failures)-len(lost), l.refused.Load(), took.Round(time.Millisecond))
}

// entryCount reads the number of entries the server is serving from its
// metrics (at metricsURL).
func entryCount(tb testing.TB, metricsURL string) int {
	tb.Helper()
	_, body := get(tb, metricsURL)
	m := regexp.MustCompile(`(?m)^errata_entries_indexed (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no errata_entries_indexed in /metrics")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// waitFor polls cond until it holds or the limit passes.
func waitFor(tb testing.TB, what string, limit time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestWatch(t *testing.T) {
	dir := copyEntries(t)
	n := catalogueSize(t)
	s := start(t, nil, "--content", dir, "--watch", "--metrics-addr", "127.0.0.1:0")
	metrics := s.metricsURL(t)
	const id = "429-gmail-too-many-requests"
	entry := s.URL + "/errors/" + id
	file := filepath.Join(dir, id+".md")
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	title := func() string { // as the API serves it
		_, body := get(t, s.URL+"/api/v1/errors/"+id)
		var e struct{ Title string }
		json.Unmarshal([]byte(body), &e)
		return e.Title
	}

	t.Run("edit", func(t *testing.T) {
		// Asked twice, the answer is cached (--cache-mb is on by default)
		// and the third ask is a hit: a reload must empty the cache or the
		// edit below is never seen.
		title()
		title()
		if resp, _ := get(t, s.URL+"/api/v1/errors/"+id); resp.Header.Get("X-Errata-Cache") != "hit" {
			t.Fatalf("a repeated request was not answered from the cache (X-Errata-Cache %q)", resp.Header.Get("X-Errata-Cache"))
		}
		write(file, []byte(strings.Replace(string(orig), "title: Too Many Requests", "title: Slow Down Please", 1)))
		waitFor(t, "edited title served", 5*time.Second, func() bool { return title() == "Slow Down Please" })
	})
	t.Run("new file", func(t *testing.T) {
		extra := strings.Replace(string(withoutCodes(orig)), "id: "+id, "id: 429-gmail-copy", 1)
		extra = strings.Replace(extra, "title: Too Many Requests", "title: A Copy", 1)
		write(filepath.Join(dir, "429-gmail-copy.md"), []byte(extra))
		waitFor(t, "new entry counted", 5*time.Second, func() bool { return entryCount(t, metrics) == n+1 })
	})
	t.Run("broken edit keeps the last good catalogue", func(t *testing.T) {
		write(file, []byte(strings.Replace(string(orig), "status: 429", "status: lots", 1)))
		s.waitLog(t, file+":3: ", 5*time.Second)
		if got := title(); got != "Slow Down Please" {
			t.Errorf("after a broken edit the entry title is %q, want the last good one", got)
		}
		if got := entryCount(t, metrics); got != n+1 {
			t.Errorf("after a broken edit %d entries, want %d", got, n+1)
		}
		write(file, orig) // fixed again
		waitFor(t, "fixed file served", 5*time.Second, func() bool { return title() == "Too Many Requests" })
	})
	t.Run("deleted folder keeps serving", func(t *testing.T) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		s.waitLog(t, "still serving the last good catalogue", 5*time.Second)
		if resp, _ := get(t, entry); resp.StatusCode != 200 {
			t.Errorf("after deleting the folder GET %s: %d, want 200", entry, resp.StatusCode)
		}
		if got := entryCount(t, metrics); got != n+1 {
			t.Errorf("after deleting the folder %d entries, want %d", got, n+1)
		}
		// The folder comes back (a checkout, a deploy): it is watched again.
		if err := os.CopyFS(dir, os.DirFS(filepath.Join(moduleRoot(), "content", "entries"))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "re-created folder loaded", 5*time.Second, func() bool { return entryCount(t, metrics) == n })
	})
}

// TestRateLimitPerClient: past --rate-limit one client gets 429 with
// Retry-After while another keeps being served. Behind a proxy
// (--trust-proxy) clients are told apart by X-Forwarded-For.
func TestRateLimitPerClient(t *testing.T) {
	s := start(t, nil, "--rate-limit", "1", "--rate-burst", "3", "--trust-proxy", "--metrics-addr", "127.0.0.1:0")
	codes := func(client string, n int) []int {
		var out []int
		for range n {
			resp, _ := get(t, s.URL+"/api/v1/errors", "X-Forwarded-For", client)
			out = append(out, resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
					t.Errorf("429 without a Retry-After in seconds: %q", resp.Header.Get("Retry-After"))
				}
			}
		}
		return out
	}
	a := codes("198.51.100.1", 5)
	if fmt.Sprint(a[:3]) != "[200 200 200]" || a[4] != http.StatusTooManyRequests {
		t.Errorf("busy client got %v, want 3×200 then 429", a)
	}
	if b := codes("198.51.100.2", 2); fmt.Sprint(b) != "[200 200]" {
		t.Errorf("quiet client got %v while the busy one was limited, want 200s", b)
	}
	if _, body := get(t, s.metricsURL(t)); !regexp.MustCompile(`(?m)^errata_rate_limited_total [1-9]`).MatchString(body) {
		t.Error("/metrics does not count the 429s")
	}
}

// TestMetricsListener: metrics are served on --metrics-addr alone, with the
// security headers, never on the site's port (which answers /metrics 404
// like any unknown path), and stop with the site on SIGTERM.
func TestMetricsListener(t *testing.T) {
	s := start(t, nil, "--metrics-addr", "127.0.0.1:0", "--drain", "200ms")
	metrics := s.metricsURL(t)
	if metrics == s.URL+"/metrics" {
		t.Fatalf("metrics at %s share the site's address", metrics)
	}
	secure := func(what string, resp *http.Response) {
		t.Helper()
		if got := resp.Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != middleware.CSP {
			t.Errorf("%s: Content-Security-Policy %q, want it once", what, got)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: no nosniff or X-Frame-Options: %v", what, resp.Header)
		}
	}

	resp, body := get(t, s.URL+"/metrics")
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "errata_") || strings.Contains(body, "go_info") {
		t.Errorf("GET /metrics on the site: %d, want its 404 page and no metrics:\n%.300s", resp.StatusCode, body)
	}
	secure("the site's /metrics", resp)

	resp, body = get(t, metrics)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf("errata_entries_indexed %d", catalogueSize(t))) {
		t.Errorf("GET %s: %d, want 200 with the metrics:\n%.300s", metrics, resp.StatusCode, body)
	}
	if !strings.Contains(body, `errata_http_requests_total{code="404",route="GET /"} 1`) {
		t.Errorf("the site's 404 for /metrics is not counted:\n%s", body)
	}
	secure("the metrics listener", resp)
	for _, path := range []string{"/", "/healthz", "/errors/429-gmail-too-many-requests"} {
		if resp, _ := get(t, strings.TrimSuffix(metrics, "/metrics")+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the metrics listener answered %s with %d, want 404: it serves /metrics alone", path, resp.StatusCode)
		}
	}

	s.signal(t, syscall.SIGTERM)
	if code := s.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0:\n%s", code, s.Log)
	}
	if resp, err := httpClient.Get(metrics); err == nil {
		resp.Body.Close()
		t.Errorf("the metrics listener still answers after the process exited")
	}
}

// TestNoMetricsByDefault: without --metrics-addr the site has no /metrics.
func TestNoMetricsByDefault(t *testing.T) {
	s := start(t, nil)
	if resp, body := get(t, s.URL+"/metrics"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "errata_") {
		t.Errorf("GET /metrics: %d, want the site's 404:\n%.300s", resp.StatusCode, body)
	}
	s.waitLog(t, "metrics=off", 5*time.Second)
}

// TestMetricsAddrInUse: a --metrics-addr another process holds stops serve
// with a message naming the flag and the address, exit 1, never a panic.
func TestMetricsAddrInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", taken.Addr().String())
	if r.code != 1 || !strings.Contains(r.stderr, "--metrics-addr: cannot listen on "+taken.Addr().String()) || strings.Contains(r.stderr, "panic") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 naming --metrics-addr and %s", r.code, r.stderr, taken.Addr())
	}
}

// TestRateLimitIPv6Prefix: behind a proxy, 300 addresses of one IPv6 /64
// are one client (the burst, then 429), another /64 is served meanwhile, and
// ERRATA_RATE_LIMIT_IPV6_PREFIX=128 makes each address a client of its own.
func TestRateLimitIPv6Prefix(t *testing.T) {
	// A token every 100 s: the burst is all a client gets during the test.
	args := []string{"--rate-limit", "0.01", "--rate-burst", "3", "--trust-proxy"}
	status := func(s *server, client string) int {
		resp, _ := get(t, s.URL+"/healthz", "X-Forwarded-For", client)
		return resp.StatusCode
	}
	s := start(t, nil, args...)
	ok := 0
	for i := range 300 {
		if status(s, fmt.Sprintf("2001:db8:77:1:%x::%x", i, i+1)) == http.StatusOK {
			ok++
		}
	}
	if ok != 3 {
		t.Errorf("300 addresses of one /64: %d answered 200, want only the burst of 3", ok)
	}
	if got := status(s, "2001:db8:77:2::1"); got != http.StatusOK {
		t.Errorf("another /64 got %d while the first was limited, want 200", got)
	}

	perAddress := start(t, []string{"ERRATA_RATE_LIMIT_IPV6_PREFIX=128"}, args...)
	for i := range 10 {
		if got := status(perAddress, fmt.Sprintf("2001:db8:77:1::%x", i+1)); got != http.StatusOK {
			t.Fatalf("prefix 128: address %d of one /64 got %d, want 200", i+1, got)
		}
	}
}

// TestSlowHeadersCutOff: a client that sends its headers a byte a second
// loses the connection at the server's ReadHeaderTimeout instead of holding
// it. (A slow body, with hundreds of slow clients at once, is tested in
// cmd/errata-load's TestSlowClientsAreCutOff.)
func TestSlowHeadersCutOff(t *testing.T) {
	t.Parallel() // it waits out the server's read timeout
	s := start(t, nil)
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprint(c, "GET /healthz HTTP/1.1\r\n")
	go func() {
		for _, b := range []byte("Host: x\r\nX-Slow: " + strings.Repeat("a", 30) + "\r\n\r\n") {
			time.Sleep(time.Second)
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	c.SetReadDeadline(time.Now().Add(web.ReadHeaderTimeout + 10*time.Second))
	b, _ := io.ReadAll(c)
	if took := time.Since(start); took > web.ReadHeaderTimeout+3*time.Second || strings.Contains(string(b), "200 OK") {
		t.Errorf("slow headers held the connection %s and got %q; want a cut at %s", took, b, web.ReadHeaderTimeout)
	}
}

// TestServeRefusesBrokenContent: serve does not start on a catalogue with
// problems; it exits 1 and logs each one as file:line.
func TestServeRefusesBrokenContent(t *testing.T) {
	dir := copyEntries(t)
	file := filepath.Join(dir, "401-general-unauthorized.md")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, []byte(strings.Replace(string(b), "status: 401", "status: lots", 1)), 0o644)
	r := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--content", dir)
	if r.code != 1 || !strings.Contains(r.stderr, file+":3: ") || strings.Contains(r.stdout, "serving on") {
		t.Errorf("serve on a broken folder: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %s:3 in the log", r.code, r.stdout, r.stderr, file)
	}
}

// TestSecondSignalStopsAtOnce: a second Ctrl-C skips the drain.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	s := start(t, nil, "--drain", "30s")
	s.signal(t, syscall.SIGINT)
	s.waitLog(t, "shutting down", 5*time.Second)
	sent := time.Now()
	s.signal(t, syscall.SIGINT)
	s.wait(t, 5*time.Second)
	if took := time.Since(sent); took > 3*time.Second {
		t.Errorf("second SIGINT: exited after %s, want at once", took)
	}
	if !strings.Contains(s.Log.String(), "second signal") {
		t.Errorf("log does not say why it stopped early:\n%s", s.Log)
	}
}

// TestServeNamedPipe: serve, with or without --watch, refuses a folder with
// a named pipe called *.md at once, logging it as a file:line problem.
func TestServeNamedPipe(t *testing.T) {
	dir, pipe := withPipe(t)
	for _, args := range [][]string{{"--content", dir}, {"--content", dir, "--watch"}} {
		r := runWithin(t, 20*time.Second, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, pipeProblem(pipe)) || strings.Contains(r.stdout, "serving on") {
			t.Errorf("serve %s: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q in the log", strings.Join(args, " "), r.code, r.stdout, r.stderr, pipeProblem(pipe))
		}
	}
}

// TestServeStopsOnSIGTERMWhileLoading: SIGTERM before the server is ready
// ends it at once with exit 1, rather than serving first or never.
func TestServeStopsOnSIGTERMWhileLoading(t *testing.T) {
	t.Parallel()
	dir := readOnlyLargeCatalogue(t)
	p := launch(t, nil, nil, "serve", "--addr", "127.0.0.1:0", "--content", dir)
	p.waitReading(t, dir)
	p.signal(t, syscall.SIGTERM)
	code := p.wait(t, 20*time.Second)
	want := "errata serve: stopped while loading " + dir + " (terminated signal received)\n"
	if code != 1 || p.Log.String() != want || p.Stdout.String() != "" {
		t.Errorf("serve after SIGTERM while loading: exit %d\nstdout %s\nstderr %s\nwant exit 1 and %q", code, p.Stdout, p.Log, want)
	}
}
