package web

import (
	"bytes"
	"container/list"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/errata/errata/web/middleware"
)

// DefaultMaxConns is the connections a server keeps open at once unless told
// otherwise: far more than people browsing need, far fewer than a typical
// open-file limit.
const DefaultMaxConns = 2048

// Connection bookkeeping around the open-file limit and the cap.
const (
	// fdReserve is the open files kept back from connections for the index,
	// logs, --watch and answers to refused connections.
	fdReserve = 256
	// maxRefusing bounds the refused connections kept open to read their
	// request after the 503; past it a refused connection is closed right
	// after its 503, which the client may then lose to a TCP reset.
	maxRefusing = 64
	// refuseLinger is the longest a refused connection is kept to read what
	// the client sends, so that the 503 is not lost to a TCP reset;
	// refuseQuiet ends it sooner once the client has sent its request.
	refuseLinger = time.Second
	refuseQuiet  = 50 * time.Millisecond
	// DefaultPressureIdle is how long a connection may stay idle while more
	// than half the cap is open (IdleTimeout otherwise).
	DefaultPressureIdle = 5 * time.Second
)

// ConnLimits bounds the connections of one server.
type ConnLimits struct {
	// Max is the connections open at once; past it a new connection is
	// answered 503 and closed. 0 means DefaultMaxConns. It is lowered to fit
	// the process's open-file limit (see MaxConnsFor).
	Max int
	// PressureIdle is the idle time allowed while more than half of Max is
	// open; 0 means DefaultPressureIdle.
	PressureIdle time.Duration
}

// ConnGuard is a listener that bounds, counts and sheds the connections of
// one http.Server (see GuardConns).
type ConnGuard struct {
	net.Listener
	max          int
	pressureIdle time.Duration

	open     atomic.Int64
	refused  atomic.Uint64
	shed     atomic.Uint64
	refusing chan struct{} // one token per refused connection being answered

	mu   sync.Mutex
	idle list.List // *guardedConn waiting for a request, longest waiting first
}

// GuardConns wraps ln for srv, to be served with srv.Serve(guard):
//   - at most limits.Max connections are open at once; a new one past it is
//     answered 503 with Retry-After and closed, so that a flood of
//     connections cannot take the process to its open-file limit (where
//     accept fails and even /healthz goes unanswered);
//   - while more than half of them are open, each new connection first
//     closes the connections idle (or silent since accepted) for longer than
//     limits.PressureIdle, oldest first;
//   - the answers net/http writes on its own (400, 431, 501, 505, 417) and
//     any other error answer that did not pass through SecureHeaders get the
//     security headers.
//
// It chains srv.ConnState to see which connections are idle.
func GuardConns(srv *http.Server, ln net.Listener, limits ConnLimits) *ConnGuard {
	g := &ConnGuard{
		Listener:     ln,
		max:          MaxConnsFor(limits.Max, openFileLimit()),
		pressureIdle: limits.PressureIdle,
		refusing:     make(chan struct{}, maxRefusing),
	}
	if g.pressureIdle <= 0 {
		g.pressureIdle = DefaultPressureIdle
	}
	prev := srv.ConnState
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		g.track(c, s)
		if prev != nil {
			prev(c, s)
		}
	}
	return g
}

// MaxConnsFor is the connection cap for a wish of want (0: DefaultMaxConns)
// under an open-file limit of files (0: unknown): want, lowered when needed
// to leave fdReserve files to the rest of the process (half the files, when
// the limit is under twice that). Go raises the soft open-file limit to the
// hard one at start, so files is the most the process can have.
func MaxConnsFor(want int, files uint64) int {
	if want <= 0 {
		want = DefaultMaxConns
	}
	if files == 0 {
		return want
	}
	fit := max(files-min(files, fdReserve), files/2)
	if uint64(want) > fit {
		return max(1, int(fit))
	}
	return want
}

// Max is the connection cap in force.
func (g *ConnGuard) Max() int { return g.max }

// OpenConns is the connections open now.
func (g *ConnGuard) OpenConns() int { return int(g.open.Load()) }

// RefusedConns is the connections answered 503 and closed at the cap since
// start.
func (g *ConnGuard) RefusedConns() uint64 { return g.refused.Load() }

// ShedConns is the idle connections closed early, under pressure, since start.
func (g *ConnGuard) ShedConns() uint64 { return g.shed.Load() }

// Accept returns the next connection within the cap, refusing those past it.
func (g *ConnGuard) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if g.open.Load()+1 > int64(g.max/2) {
			g.shedIdle(time.Now().Add(-g.pressureIdle))
		}
		// Only this loop adds to open, so the count cannot grow past max
		// between the check and the Add.
		if g.open.Load() >= int64(g.max) {
			g.refuse(c)
			continue
		}
		g.open.Add(1)
		return &guardedConn{Conn: c, guard: g}, nil
	}
}

// shedIdle closes the connections waiting for a request since before cutoff.
func (g *ConnGuard) shedIdle(cutoff time.Time) {
	var old []*guardedConn
	g.mu.Lock()
	for e := g.idle.Front(); e != nil; e = g.idle.Front() {
		c := e.Value.(*guardedConn)
		if !c.idleSince.Before(cutoff) {
			break
		}
		g.idle.Remove(e)
		c.idle = nil
		old = append(old, c)
	}
	g.mu.Unlock()
	// Closed outside the lock: Close takes it to forget the connection.
	for _, c := range old {
		g.shed.Add(1)
		_ = c.Close()
	}
}

// track keeps the list of connections waiting for a request, in the order
// they started waiting.
func (g *ConnGuard) track(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*guardedConn)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.idle != nil {
		g.idle.Remove(c.idle)
		c.idle = nil
	}
	if (s == http.StateNew || s == http.StateIdle) && !c.closed.Load() {
		c.idleSince = time.Now()
		c.idle = g.idle.PushBack(c)
	}
}

// forget drops a closed connection from the idle list.
func (g *ConnGuard) forget(c *guardedConn) {
	g.mu.Lock()
	if c.idle != nil {
		g.idle.Remove(c.idle)
		c.idle = nil
	}
	g.mu.Unlock()
}

// refuse answers c 503 and closes it, without holding up Accept. The answer
// goes before the request is read (it may never come); the connection is
// then half-closed and its request read, so that the client reads the
// answer rather than a reset.
func (g *ConnGuard) refuse(c net.Conn) {
	g.refused.Add(1)
	select {
	case g.refusing <- struct{}{}:
	default:
		// A new connection's send buffer is empty: the write cannot block.
		_ = c.SetWriteDeadline(time.Now().Add(refuseQuiet))
		_, _ = c.Write(busyAnswer())
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-g.refusing }()
		end := time.Now().Add(refuseLinger)
		_ = c.SetDeadline(end)
		if _, err := c.Write(busyAnswer()); err == nil {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
				drain(c, end)
			}
		}
		_ = c.Close()
	}()
}

// drain reads c until the client closes it, ends a request head, stops
// sending for refuseQuiet, sends 64 KiB, or end passes.
func drain(c net.Conn, end time.Time) {
	buf := make([]byte, 4<<10)
	for read := 0; read < 64<<10; {
		n, err := c.Read(buf)
		if err != nil || bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
			return
		}
		read += n
		quiet := time.Now().Add(refuseQuiet)
		if quiet.After(end) {
			quiet = end
		}
		_ = c.SetReadDeadline(quiet)
	}
}

// busyAnswer is the whole answer to a connection past the cap.
var busyAnswer = sync.OnceValue(func() []byte {
	const msg = "Errata has too many open connections right now. Please try again in a second.\n"
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 503 Service Unavailable\r\n")
	h := secureHeaderSet().Clone()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", "1")
	h.Set("Connection", "close")
	_ = h.Write(&b)
	b.WriteString("\r\n" + msg)
	return b.Bytes()
})

// guardedConn is a connection GuardConns accepted.
type guardedConn struct {
	net.Conn
	guard  *ConnGuard
	closed atomic.Bool
	// readLast is set when bytes were read since the last write: the next
	// write is the start of an answer.
	readLast atomic.Bool

	// Guarded by guard.mu.
	idle      *list.Element // in guard.idle while waiting for a request
	idleSince time.Time
}

func (c *guardedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.readLast.Store(true)
	}
	return n, err
}

// Write gives an error answer that lacks them the security headers. net/http
// writes its own error answers in one Write, head and body, right after
// reading the request it refuses.
func (c *guardedConn) Write(p []byte) (int, error) {
	if c.readLast.Swap(false) {
		if b := withSecurityHeaders(p); b != nil {
			if _, err := c.Conn.Write(b); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

func (c *guardedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.guard.forget(c)
		c.guard.open.Add(-1)
	}
	return c.Conn.Close()
}

// CloseWrite lets net/http half-close before it closes (after a 431), so
// that the client reads the answer rather than a reset.
func (c *guardedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// secureHeaderSet is the set SecureHeaders gives every answer.
var secureHeaderSet = sync.OnceValue(func() http.Header {
	h := http.Header{}
	middleware.SetSecurityHeaders(h)
	return h
})

// withSecurityHeaders is the answer p with the security headers it lacks
// inserted after its status line, or nil when p is not the whole head of a
// 4xx or 5xx answer or lacks none.
func withSecurityHeaders(p []byte) []byte {
	const statusAt = len("HTTP/1.1 ")
	if len(p) <= statusAt || !bytes.HasPrefix(p, []byte("HTTP/1.")) || (p[statusAt] != '4' && p[statusAt] != '5') {
		return nil
	}
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return nil
	}
	fields := bytes.IndexByte(p, '\n') + 1
	var present []string
	for line := range bytes.SplitSeq(p[fields:end], []byte("\r\n")) {
		if name, _, ok := bytes.Cut(line, []byte(":")); ok {
			present = append(present, http.CanonicalHeaderKey(string(bytes.TrimSpace(name))))
		}
	}
	missing := http.Header{}
	for name, vs := range secureHeaderSet() {
		if !slices.Contains(present, name) {
			missing[name] = vs
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.Grow(len(p) + 512)
	b.Write(p[:fields])
	_ = missing.Write(&b)
	b.Write(p[fields:])
	return b.Bytes()
}
