package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/errata/errata/content"
)

func runCheck(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "check")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return f.usageErr("check takes one folder, got %d arguments", len(pos))
	}
	var entries []content.Entry
	what := "the embedded catalogue"
	if len(pos) == 0 {
		entries, err = content.LoadContext(ctx, content.Embedded())
	} else {
		what = pos[0]
		if st, serr := os.Stat(what); serr != nil || !st.IsDir() {
			return f.usageErr("%s is not a folder; give the folder that holds the entry .md files, e.g. errata check content/entries", what)
		}
		entries, err = content.LoadDirContext(ctx, what)
	}
	if err != nil && ctx.Err() != nil {
		return stopped(ctx, "checking "+what)
	}
	var ps content.Problems
	if err != nil && !errors.As(err, &ps) {
		return err
	}
	for _, p := range ps {
		fmt.Fprintln(env.Stdout, p.String())
	}
	fmt.Fprintf(env.Stdout, "%d %s, %d %s\n", len(entries), plural(len(entries), "entry", "entries"), len(ps), plural(len(ps), "problem", "problems"))
	if len(ps) > 0 {
		return &silentError{exitFail}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
