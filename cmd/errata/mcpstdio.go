package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"
)

// mcpDrainWait bounds how long `errata mcp` still answers after stdin ends.
const mcpDrainWait = 30 * time.Second

// answeredStdio lets `errata mcp` answer every request it read before
// stdin ended: a script that pipes its requests in and closes stdin
// (printf … | errata mcp) gets every answer. The SDK ends the connection
// at end of input and drops answers still being worked on, so the reader
// holds end of input back until each request read has been answered on
// the writer, or mcpDrainWait has passed.
type answeredStdio struct {
	mu      sync.Mutex
	pending map[string]bool // ids of requests read and not yet answered
	idle    chan struct{}   // closed when pending empties after end of input
	ended   bool
	partial []byte // the start of a line the writer has not finished
}

func newAnsweredStdio() *answeredStdio {
	return &answeredStdio{pending: map[string]bool{}, idle: make(chan struct{})}
}

// reader copies in to the returned reader line by line, noting requests.
func (a *answeredStdio) reader(ctx context.Context, in io.Reader, maxLine int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		br := bufio.NewReaderSize(in, 64<<10)
		var err error
		for err == nil {
			var line []byte
			line, err = readLine(br, maxLine)
			if len(line) > 0 {
				a.note(line, true)
				if _, werr := pw.Write(line); werr != nil {
					return
				}
			}
		}
		if !errors.Is(err, io.EOF) {
			pw.CloseWithError(err)
			return
		}
		a.mu.Lock()
		a.ended = true
		a.closeIfIdle()
		a.mu.Unlock()
		select {
		case <-a.idle:
		case <-ctx.Done():
		case <-time.After(mcpDrainWait):
		}
		pw.Close()
	}()
	return pr
}

// readLine reads one line, newline included; a line longer than maxLine is
// passed on whole without being read as JSON, for the SDK to refuse.
func readLine(br *bufio.Reader, maxLine int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
		if len(line) > maxLine {
			return line, nil
		}
	}
}

// writer passes the SDK's answers to out, noting the requests they answer.
func (a *answeredStdio) writer(out io.Writer) io.WriteCloser {
	return answeredWriter{a, out}
}

type answeredWriter struct {
	a   *answeredStdio
	out io.Writer
}

func (w answeredWriter) Write(p []byte) (int, error) {
	n, err := w.out.Write(p)
	w.a.mu.Lock()
	w.a.partial = append(w.a.partial, p[:n]...)
	var lines [][]byte
	for {
		i := bytes.IndexByte(w.a.partial, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, w.a.partial[:i])
		w.a.partial = w.a.partial[i+1:]
	}
	w.a.mu.Unlock()
	for _, l := range lines {
		w.a.note(l, false)
	}
	return n, err
}

// Close keeps out open: stdout outlives the MCP connection.
func (answeredWriter) Close() error { return nil }

// note records the requests of a line read (in) or the answers of a line
// written; a line may hold one message or a batch of them.
func (a *answeredStdio) note(line []byte, in bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	type message struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	var msgs []message
	if line[0] == '[' {
		if json.Unmarshal(line, &msgs) != nil {
			return
		}
	} else {
		var m message
		if json.Unmarshal(line, &m) != nil {
			return
		}
		msgs = []message{m}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range msgs {
		id := string(bytes.TrimSpace(m.ID))
		if id == "" || id == "null" {
			continue
		}
		switch {
		case in && m.Method != "":
			a.pending[id] = true
		case !in && m.Method == "":
			delete(a.pending, id)
		}
	}
	a.closeIfIdle()
}

// closeIfIdle closes idle once input has ended and every request is
// answered; a.mu is held.
func (a *answeredStdio) closeIfIdle() {
	if !a.ended || len(a.pending) > 0 {
		return
	}
	select {
	case <-a.idle:
	default:
		close(a.idle)
	}
}
