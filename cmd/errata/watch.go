package main

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watcher calls reload once after each burst of changes below dir. It also
// watches dir's parent, so that a folder deleted and created again (a
// `git checkout`, an rsync) is picked up again. It stops when the context
// given to watch is done (a signal) or on Close, and the context it passes
// to reload is then done too, so a reload in progress stops with it.
type watcher struct {
	fw     *fsnotify.Watcher
	dir    string
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func watch(ctx context.Context, dir string, debounce time.Duration, log *slog.Logger, reload func(context.Context)) (*watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fw: fw, dir: abs, log: log}
	if err := fw.Add(filepath.Dir(abs)); err != nil {
		fw.Close()
		return nil, err
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.addTree()
	w.wg.Go(func() { w.loop(debounce, reload) })
	return w, nil
}

// addTree watches dir and every folder below it (fsnotify is not recursive).
// Adding a folder already watched is harmless.
func (w *watcher) addTree() {
	_ = filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != w.dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if err := w.fw.Add(p); err != nil {
			w.log.Warn("cannot watch folder", "folder", p, "error", err)
		}
		return nil
	})
}

// inside reports whether an event's path is dir or below it.
func (w *watcher) inside(p string) bool {
	return p == w.dir || strings.HasPrefix(p, w.dir+string(os.PathSeparator))
}

func (w *watcher) loop(debounce time.Duration, reload func(context.Context)) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-w.ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if !w.inside(ev.Name) || ev.Op == fsnotify.Chmod {
				continue
			}
			timer.Reset(debounce)
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			w.log.Warn("watching content", "error", err)
		case <-timer.C:
			w.addTree() // new or re-created folders
			reload(w.ctx)
		}
	}
}

// Close stops watching and waits for a reload in progress to stop.
func (w *watcher) Close() error {
	w.cancel()
	err := w.fw.Close()
	w.wg.Wait()
	return err
}
