package main

import "os"

// catalogueFlags registers --content and --index, the catalogue flags of
// serve, for the commands that read a catalogue without serving it.
func (m *Main) catalogueFlags(f *flags) {
	c := &m.Config
	f.StringVar(&c.Content, "content", c.Content, "`folder` of entry .md files to use instead of the embedded catalogue")
	f.fromEnv("content", "ERRATA_CONTENT")
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
	if m.Config.Index != "" && m.Config.Content != "" {
		return f.usageErr("--index holds the entries it was built from: give --content or --index, not both")
	}
	return checkContentDir(f, m.Config.Content)
}

// checkContentDir refuses a --content that is not a folder.
func checkContentDir(f *flags, dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return f.usageErr("--content %s: not a folder; point it at a folder of entry .md files such as content/entries", dir)
	}
	return nil
}
