package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeListsEveryServeFlag keeps the README's configuration table the
// flags serve has: each flag with its environment variable and default, and
// no row for a flag that is gone.
func TestReadmeListsEveryServeFlag(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(moduleRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // flag name → its table row
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)[^`]*` \\|.*$").FindAllStringSubmatch(string(readme), -1) {
		rows[m[1]] = m[0]
	}
	env := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	m := NewMain(env)
	f := newFlags(env, "serve")
	m.serveFlags(f)
	envOf := map[string]string{}
	for _, e := range f.envs {
		envOf[e[0]] = e[1]
	}
	n := 0
	f.VisitAll(func(fl *flag.Flag) {
		n++
		row, ok := rows[fl.Name]
		if !ok {
			t.Errorf("README's configuration table has no row for --%s", fl.Name)
			return
		}
		if v := envOf[fl.Name]; v == "" || !strings.Contains(row, "`"+v+"`") {
			t.Errorf("README row for --%s does not name its environment variable %q:\n%s", fl.Name, v, row)
		}
		if def := fl.DefValue; def != "" && !strings.Contains(row, "`"+def+"`") {
			t.Errorf("README row for --%s does not give its default %q:\n%s", fl.Name, def, row)
		}
		delete(rows, fl.Name)
	})
	if n == 0 {
		t.Fatal("serve registered no flags")
	}
	for name, row := range rows {
		if f.Lookup(name) == nil {
			t.Errorf("README lists --%s, which serve does not have:\n%s", name, row)
		}
	}
}
