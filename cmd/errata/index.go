package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/errata/errata/search"
)

// runIndex builds the search index ahead of time, so that a large catalogue
// starts in a fraction of the time a build takes (serve --index DIR).
func runIndex(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "index")
	var dirs []string
	var out string
	addContentFlag(f, &dirs, "to index")
	f.StringVar(&out, "out", "", "`folder` to write the index to: new, empty, or an index written before (replaced whole)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return f.usageErr("unexpected argument %q", pos[0])
	case out == "":
		return f.usageErr("--out DIR is required: the folder to write the index to")
	}
	if err := checkContentDirs(f, dirs); err != nil {
		return err
	}
	if err := search.CheckSaveDir(out); err != nil {
		return f.usageErr("--out %v", err)
	}
	start := time.Now()
	cat, err := loadContent(ctx, dirs)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w; nothing was written to %s", stopped(ctx, "loading the catalogue"), out)
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return fmt.Errorf("the catalogue has problems; run `%s` and fix them first", checkCommand(dirs))
	}
	// Saving takes no context: on a signal it is abandoned and the process
	// exits. Save builds in a hidden sibling and renames it into place last,
	// so out itself is never half written.
	save := func() (struct{}, error) { return struct{}{}, search.SaveCatalogue(cat, out) }
	if _, err := unlessDone(ctx, save, nil); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w; %s was left as it was (remove any hidden .%s.tmp-* folder beside it)", stopped(ctx, "indexing"), out, filepath.Base(out))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "errata: %d entries indexed into %s in %s; serve it with: errata serve --index %s\n",
		len(cat.Entries), out, ms(time.Since(start)), out)
	return nil
}
