package web

// entryPath is the path of an entry's page; every URL of an entry starts
// from it.
func entryPath(id string) string { return "/errors/" + id }

// markdownPath is the path of an entry's Markdown copy.
func markdownPath(id string) string { return entryPath(id) + ".md" }
