package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/errata/errata/content"
)

// embeddedContent is how --content names the catalogue built into the
// binary, so that it can be served together with folders of entries:
// --content embedded --content /tmp/imported.
const embeddedContent = "embedded"

// contentFlag is --content: folders of entry files served together as one
// catalogue, "embedded" for the built-in one. It may be given several
// times; ERRATA_CONTENT holds a list separated as PATH is (":" on Unix),
// and --content on the command line replaces that list.
type contentFlag struct {
	dirs    *[]string
	fromEnv bool // dirs came from the environment: a flag replaces them
}

func (c contentFlag) String() string {
	if c.dirs == nil {
		return ""
	}
	return strings.Join(*c.dirs, string(os.PathListSeparator))
}

func (c *contentFlag) Set(v string) error {
	if c.fromEnv {
		*c.dirs, c.fromEnv = nil, false
	}
	*c.dirs = append(*c.dirs, v)
	return nil
}

// SetFromEnv reads the environment's list.
func (c *contentFlag) SetFromEnv(v string) error {
	*c.dirs, c.fromEnv = filepath.SplitList(v), true
	return nil
}

// addContentFlag registers --content on f, bound to dirs, with what the
// command does with the catalogue.
func addContentFlag(f *flags, dirs *[]string, does string) {
	f.Var(&contentFlag{dirs: dirs}, "content", "`folder` of entry .md files "+does+" instead of the embedded catalogue; repeat it to "+
		"use several folders as one catalogue, and name the built-in one embedded (--content embedded --content /tmp/imported)")
	f.fromEnv("content", "ERRATA_CONTENT")
}

// catalogueFlags registers --content and --index, the catalogue flags of
// serve, for the commands that read a catalogue without serving it.
func (m *Main) catalogueFlags(f *flags) {
	c := &m.Config
	addContentFlag(f, &c.Content, "to use")
	f.StringVar(&c.Index, "index", c.Index, "`folder` written by `errata index`: use its entries and index, reading no Markdown (fast start for large catalogues)")
	f.fromEnv("index", "ERRATA_INDEX")
}

// linkBaseFlag registers --base-url (or $ERRATA_BASE_URL) for the commands
// that print links to the site without serving it: the site's URL the links
// start with, http://localhost:8080 when not given; usage says what it sets.
func linkBaseFlag(f *flags, usage string) *string {
	base := f.String("base-url", "http://localhost:8080", usage)
	f.fromEnv("base-url", "ERRATA_BASE_URL")
	return base
}

// checkCatalogue validates what catalogueFlags read.
func (m *Main) checkCatalogue(f *flags) error {
	if m.Config.Index != "" && len(m.Config.Content) > 0 {
		return f.usageErr("--index holds the entries it was built from: give --content or --index, not both")
	}
	return checkContentDirs(f, m.Config.Content)
}

// checkContentDirs refuses a --content that is neither a folder nor
// "embedded", and a folder given twice.
func checkContentDirs(f *flags, dirs []string) error {
	for i, dir := range dirs {
		if slices.Contains(dirs[:i], dir) {
			return f.usageErr("--content %s is given twice; give each folder once", dir)
		}
		if dir == embeddedContent {
			continue
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return f.usageErr("--content %s: not a folder; point it at a folder of entry .md files such as content/entries, or write embedded for the built-in catalogue", dir)
		}
	}
	return nil
}

// contentFolders are the folders dirs name; none is the built-in catalogue.
func contentFolders(dirs []string) []content.Folder {
	if len(dirs) == 0 {
		return []content.Folder{content.EmbeddedFolder()}
	}
	out := make([]content.Folder, len(dirs))
	for i, d := range dirs {
		if d == embeddedContent {
			out[i] = content.EmbeddedFolder()
		} else {
			out[i] = content.DirFolder(d)
		}
	}
	return out
}

// loadContent loads the folders dirs name as one catalogue.
func loadContent(ctx context.Context, dirs []string) (*content.Catalogue, error) {
	return content.LoadCatalogue(ctx, contentFolders(dirs)...)
}

// contentName says which catalogue dirs name, for logs and messages.
func contentName(dirs []string) string {
	if len(dirs) == 0 {
		return embeddedContent
	}
	return strings.Join(dirs, " and ")
}

// checkCommand is the errata check command line that checks dirs.
func checkCommand(dirs []string) string {
	return strings.TrimSpace(fmt.Sprintf("errata check %s", strings.Join(dirs, " ")))
}
