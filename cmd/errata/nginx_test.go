package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/errata/errata/content/corpus/corpustest"
)

const (
	nginxBin     = "/usr/sbin/nginx"
	nginxMissing = nginxBin + " not found for the replica test; install Debian's nginx"
)

// nginxSite is the reverse-proxy part of the nginx configuration shown in
// the README: identical replicas, passive health checks, and a retry on the
// next replica when one fails. Every route is a GET but POST /mcp, whose
// tools only read, so a retry is always safe (non_idempotent lets nginx
// retry the POSTs too).
func nginxSite(listen string, replicas []string) string {
	var b strings.Builder
	b.WriteString("upstream errata {\n")
	for _, r := range replicas {
		fmt.Fprintf(&b, "    server %s max_fails=1 fail_timeout=10s;\n", r)
	}
	b.WriteString(`    keepalive 32;
}

server {
    listen ` + listen + `;

    location / {
        proxy_pass http://errata;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 1s;
        proxy_read_timeout 35s;
        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        proxy_next_upstream_tries 3;
        proxy_next_upstream_timeout 10s;
    }
}
`)
	return b.String()
}

// loadClients is how many clients load the replicas at once.
const loadClients = 8

// readmeReplicas are the addresses the README's example uses.
var readmeReplicas = []string{"10.0.0.11:8080", "10.0.0.12:8080", "10.0.0.13:8080"}

// TestReadmeShowsNginxConfig keeps the README's configuration the one the
// replica test proves.
func TestReadmeShowsNginxConfig(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(moduleRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := nginxSite("80", readmeReplicas); !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not show the tested nginx configuration; it should contain:\n%s", want)
	}
}

// startNginx runs nginx in the foreground on port with a configuration of
// its own under a temporary prefix.
func startNginx(tb testing.TB, port int, replicas []string) *syncBuffer {
	tb.Helper()
	if _, err := os.Stat(nginxBin); err != nil {
		corpustest.Missing(tb, "ERRATA_NGINX", nginxMissing)
	}
	dir := tb.TempDir()
	for _, d := range []string{"logs", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // workers would otherwise run as nobody, unable to use the temp prefix
	}
	tmp := filepath.Join(dir, "tmp")
	conf := user + `worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ` + tmp + `/body;
    proxy_temp_path ` + tmp + `/proxy;
    fastcgi_temp_path ` + tmp + `/fastcgi;
    uwsgi_temp_path ` + tmp + `/uwsgi;
    scgi_temp_path ` + tmp + `/scgi;

` + nginxSite(fmt.Sprintf("127.0.0.1:%d", port), replicas) + "}\n"
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		tb.Fatal(err)
	}
	log := &syncBuffer{}
	cmd := exec.Command(nginxBin, "-e", "stderr", "-p", dir, "-c", confPath,
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful stop of master and workers
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if tb.Failed() {
			tb.Logf("nginx log:\n%s", log)
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(tb, "nginx answering", 10*time.Second, func() bool {
		select {
		case <-done:
			tb.Fatalf("nginx exited:\n%s", log)
		default:
		}
		resp, err := httpClient.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return log
}

// TestReplicasBehindNginx runs three replicas behind nginx, puts load on
// them, SIGKILLs one in the middle, then stops another with SIGTERM (a
// deploy), and counts failed requests: nginx must retry each one on a live
// replica.
func TestReplicasBehindNginx(t *testing.T) {
	if _, err := os.Stat(nginxBin); err != nil {
		corpustest.Missing(t, "ERRATA_NGINX", nginxMissing)
	}
	var replicas []*server
	var addrs []string
	for range 3 {
		s := start(t, nil, "--rate-limit", "0", "--trust-proxy", "--drain", "300ms")
		u, _ := url.Parse(s.URL)
		replicas = append(replicas, s)
		addrs = append(addrs, u.Host)
	}
	port := freePort(t)
	nginxLog := startNginx(t, port, addrs)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// The configuration proxies every path; metrics are not among them,
	// since the replicas serve none on the port nginx reaches.
	if resp, body := get(t, base+"/metrics"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "errata_") {
		t.Errorf("GET /metrics through nginx: %d, want 404 and no metrics", resp.StatusCode)
	}

	stop := make(chan struct{})
	l := startLoad(base, loadClients, stop, loadPaths...)
	l.waitOK(t, "before the kill", loadPhase)
	before := l.ok.Load()
	replicas[1].signal(t, syscall.SIGKILL)
	replicas[1].wait(t, 5*time.Second)
	l.waitOK(t, "after the kill", loadPhase)
	// A deploy: another replica is stopped gracefully while the load goes on.
	replicas[0].signal(t, syscall.SIGTERM)
	if code := replicas[0].wait(t, 10*time.Second); code != 0 {
		t.Errorf("replica 0 exited %d after SIGTERM, want 0", code)
	}
	l.waitOK(t, "after the deploy", loadPhase)
	close(stop)
	l.wg.Wait()
	after := l.ok.Load() - before

	// No proxy can replay an answer it has begun to pass on: an answer the
	// SIGKILLed replica was part-way through sending is cut, and nginx says
	// so. Those, at most one per client, are the only failures allowed;
	// every other request must be retried on a live replica.
	halfSent := strings.Count(nginxLog.String(), "upstream prematurely closed connection while reading upstream")
	if len(l.failures) > halfSent || halfSent > loadClients {
		t.Errorf("%d requests failed through nginx (%d ok), %d of them answers the killed replica had half sent: %+v",
			len(l.failures), l.ok.Load(), halfSent, l.failures[:min(len(l.failures), 10)])
	}
	if before < loadPhase || after < 2*loadPhase {
		t.Errorf("%d requests before the kill and %d after: want load on both sides", before, after)
	}
	for i, s := range replicas {
		if i != 1 && !strings.Contains(s.Log.String(), `route="GET /{$}"`) {
			t.Errorf("replica %d served no page: nginx did not spread the load", i)
		}
	}
	t.Logf("3 replicas behind nginx, one SIGKILLed, one SIGTERMed: %d ok (%d after the kill), %d failed (answers half sent by the killed replica)", l.ok.Load(), after, len(l.failures))
}
