package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A step that takes no context is abandoned when the context is done: the
// caller gets ctx.Err() at once, and the step's result, when it comes at
// last, is discarded (an index closed, never served).
func TestUnlessDoneAbandonsStep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release, discarded := make(chan struct{}), make(chan struct{}), make(chan int, 1)
	returned := make(chan error, 1)
	go func() {
		_, err := unlessDone(ctx, func() (int, error) {
			close(started)
			<-release
			return 42, nil
		}, func(v int) { discarded <- v })
		returned <- err
	}()
	<-started
	cancel()
	select {
	case err := <-returned:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("unlessDone after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("unlessDone waited for its step after the context was cancelled")
	}
	close(release)
	select {
	case v := <-discarded:
		if v != 42 {
			t.Errorf("discarded %d, want the abandoned step's 42", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the abandoned step's result was never discarded")
	}

	v, err := unlessDone(context.Background(), func() (int, error) { return 7, nil }, nil)
	if v != 7 || err != nil {
		t.Errorf("unlessDone of a step that finishes: %d, %v; want 7, nil", v, err)
	}
}
