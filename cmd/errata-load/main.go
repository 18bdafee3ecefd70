// Command errata-load holds Errata at a constant request rate with vegeta
// (as a library) and reports, per target, the requests sent, the share
// answered 200 and the p50, p99 and max latency. It exits 1 when any request
// fails: a transport error, a timeout or any status but 200.
//
//	go run ./cmd/errata-load -duration 60s -rate 200
//	go run ./cmd/errata-load -target http://127.0.0.1:8080 -rate 100
//	go run ./cmd/errata-load -ratelimit -duration 10s
//
// Without -target it serves the embedded catalogue in process, through the
// same middleware and server timeouts as `errata serve` (the per-client rate
// limit off, since all the load comes from one address). A -target server
// must run with --rate-limit 0 (or a limit above -rate) for the same reason.
//
// -ratelimit runs the rate-limit scenario instead: a busy client far past
// the per-client limit must get 429 with Retry-After, while a quiet client
// is served every time with the latency it had alone.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/errata/errata/web/middleware"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "errata-load:", err)
		os.Exit(1)
	}
}

// run parses args, runs the load and prints the report to w. A failed
// request is an error, after the report.
func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("errata-load", flag.ContinueOnError)
	fs.SetOutput(w)
	var c Config
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long to hold the rate")
	fs.IntVar(&c.Rate, "rate", 100, "requests per `second`, shared evenly by the targets")
	fs.StringVar(&c.Target, "target", "", "base `URL` of a running server; empty starts one in process")
	fs.DurationVar(&c.Timeout, "timeout", 5*time.Second, "a request not answered within this `time` fails")
	scenario := fs.Bool("ratelimit", false, "run the rate-limit scenario (busy and quiet clients) instead")
	cacheMB := fs.Int64("cache-mb", middleware.DefaultCacheBytes>>20, "`megabytes` of answer cache in the in-process server, as errata serve --cache-mb; 0 makes every request search")
	limit := fs.Float64("limit", 20, "with -ratelimit: the per-client `rate` (requests per second) of the in-process server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.Duration <= 0 || c.Rate <= 0 || c.Timeout <= 0:
		return fmt.Errorf("-duration, -rate and -timeout must be more than 0")
	case *scenario && c.Target != "":
		return fmt.Errorf("-ratelimit runs its own server; drop -target")
	}
	if *scenario {
		r, err := RateLimitScenario(ctx, RateLimitConfig{Limit: *limit, Duration: c.Duration, Timeout: c.Timeout})
		if r != nil {
			r.Print(w)
		}
		if err != nil {
			return err
		}
		return r.Err()
	}
	if c.Target == "" {
		srv, err := StartServer(ServerConfig{CacheBytes: *cacheMB << 20})
		if err != nil {
			return err
		}
		defer srv.Close()
		c.Target = srv.URL
		fmt.Fprintf(w, "in-process server on %s (%d entries)\n", srv.URL, srv.Entries)
	}
	rep, err := Run(ctx, c)
	if rep != nil {
		rep.Print(w)
	}
	if err != nil {
		return err
	}
	return rep.Err()
}
