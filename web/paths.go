package web

// markdownPath is the path of an entry's Markdown copy.
func markdownPath(id string) string { return EntryPath(id) + ".md" }
