package main

import (
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
// `git checkout`, an rsync) is picked up again.
type watcher struct {
	fw   *fsnotify.Watcher
	dir  string
	log  *slog.Logger
	done chan struct{}
	wg   sync.WaitGroup
}

func watch(dir string, debounce time.Duration, log *slog.Logger, reload func()) (*watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{fw: fw, dir: abs, log: log, done: make(chan struct{})}
	if err := fw.Add(filepath.Dir(abs)); err != nil {
		fw.Close()
		return nil, err
	}
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

func (w *watcher) loop(debounce time.Duration, reload func()) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-w.done:
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
			reload()
		}
	}
}

// Close stops watching and waits for a reload in progress.
func (w *watcher) Close() error {
	close(w.done)
	err := w.fw.Close()
	w.wg.Wait()
	return err
}
