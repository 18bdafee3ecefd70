package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/errata/errata/content"
	"github.com/errata/errata/content/corpus"
)

func runImport(ctx context.Context, env Env, args []string) error {
	f := newFlags(env, "import")
	out := f.String("out", "", "`folder` to write the entry .md files to (created if missing; files errata import did not write are never replaced)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return f.usageErr("give one JSONL file, e.g. errata import ../shared/corpora/graph.jsonl --out /tmp/imported")
	case *out == "":
		return f.usageErr("--out DIR is required: the folder the entry files go to")
	}
	var progress io.Writer = io.Discard
	if isTerminal(env.Stderr) {
		progress = env.Stderr
	}
	st, err := corpus.ImportFile(pos[0], *out, progress)
	var ps content.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(env.Stderr, p.String())
		}
		fmt.Fprintf(env.Stderr, "errata import: nothing was written: %d %s; fix %s and import again\n",
			len(ps), plural(len(ps), "problem", "problems"), plural(len(ps), "it", "them"))
		return &silentError{exitFail}
	} else if err != nil {
		return err
	}
	done := fmt.Sprintf("imported %d entries from %s into %s (%d written, %d unchanged)", st.Written+st.Unchanged, pos[0], *out, st.Written, st.Unchanged)
	// Prove the folder loads as a whole, so a writer can trust it: entries
	// already there may have problems of their own.
	entries, err := content.LoadDir(*out)
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(env.Stdout, p.String())
		}
		fmt.Fprintf(env.Stdout, "%s, but the folder has %d %s\n", done, len(ps), plural(len(ps), "problem", "problems"))
		return &silentError{exitFail}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s; the folder now holds %d entries, 0 problems\n", done, len(entries))
	return nil
}
