package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/errata/errata/content"
)

func runCheck(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "check")
	dirs, err := f.parse(args)
	if err != nil {
		return err
	}
	for i, d := range dirs {
		if slices.Contains(dirs[:i], d) {
			return f.usageErr("%s is given twice; give each folder once", d)
		}
		if st, serr := os.Stat(d); d != embeddedContent && (serr != nil || !st.IsDir()) {
			return f.usageErr("%s is not a folder; give the folders that hold the entry .md files, e.g. errata check content/entries, or embedded for the built-in catalogue", d)
		}
	}
	what := contentName(dirs)
	cat, err := loadContent(ctx, dirs)
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
	n := len(cat.Entries)
	fmt.Fprintf(env.Stdout, "%d %s, %d %s\n", n, plural(n, "entry", "entries"), len(ps), plural(len(ps), "problem", "problems"))
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
