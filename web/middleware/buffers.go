package middleware

import (
	"bytes"
	"sync"
)

// BufferPool lends buffers for answers being made whole before they are
// sent. A buffer that grew past Max is dropped rather than kept, so that
// one large answer does not stay in memory.
type BufferPool struct {
	Max  int
	pool sync.Pool
}

// Get lends a buffer, empty.
func (p *BufferPool) Get() *bytes.Buffer {
	if b, ok := p.pool.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// Put takes b back once its bytes are sent: what is below copies what it
// keeps.
func (p *BufferPool) Put(b *bytes.Buffer) {
	if b.Cap() > p.Max {
		return
	}
	b.Reset()
	p.pool.Put(b)
}
