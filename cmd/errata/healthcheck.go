package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealthcheck is for container HEALTHCHECKs: distroless images have no
// shell or curl, so the binary checks itself.
func runHealthcheck(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "healthcheck")
	addr := f.String("addr", ":8080", "`address` the server listens on; the check goes to its loopback side")
	f.fromEnv("addr", "ERRATA_ADDR")
	url := f.String("url", "", "full `URL` to check instead, e.g. http://127.0.0.1:8080/healthz")
	timeout := f.Duration("timeout", 2*time.Second, "give up after this `time`")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return f.usageErr("unexpected argument %q", pos[0])
	}
	target := *url
	if target == "" {
		host, port, err := net.SplitHostPort(*addr)
		if err != nil {
			return f.usageErr("--addr %q: want host:port or :port", *addr)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		target = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return f.usageErr("--url %q: %v", target, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s", target, resp.Status)
	}
	fmt.Fprintf(env.Stdout, "healthy: %s answered %s\n", target, resp.Status)
	return nil
}
