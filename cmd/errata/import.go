package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

func runImport(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "import")
	out := f.String("out", "", "`folder` to write the entry .md files to (created if missing)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return f.usageErr("give one JSONL file, e.g. errata import ../shared/corpora/graph.jsonl --out content/entries")
	case *out == "":
		return f.usageErr("--out DIR is required: the folder the entry files go to")
	}
	recs, err := corpus.ReadFile(pos[0])
	if err != nil {
		return err
	}
	var progress io.Writer = io.Discard
	if isTerminal(env.Stderr) {
		progress = env.Stderr
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	n, err := corpus.Import(recs, *out, progress)
	if err != nil {
		return err
	}
	// Prove what was written loads, so a writer can trust it.
	entries, err := content.LoadDir(*out)
	var ps content.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(env.Stdout, p.String())
		}
		fmt.Fprintf(env.Stdout, "imported %d entries into %s, but the folder has %d problems\n", n, *out, len(ps))
		return &silentError{exitFail}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d entries from %s into %s; the folder now holds %d entries, 0 problems\n", n, pos[0], *out, len(entries))
	return nil
}
