// Package static holds Errata's CSS, JavaScript and icons, embedded in the
// binary and served under content-hashed names, so that every asset can be
// cached forever and a new build is fetched at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed assets/*.css assets/*.js assets/*.svg
var assets embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

// File is one embedded asset.
type File struct {
	Name        string // source name, e.g. "app.css"
	Hashed      string // served name, e.g. "app.3f2a9c1b.css"
	ContentType string
	Data        []byte
}

var (
	byName   = map[string]*File{}
	byHashed = map[string]*File{}
)

func init() {
	entries, err := fs.ReadDir(assets, "assets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		data, err := assets.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		f := &File{Name: e.Name(), Hashed: hashedName(e.Name(), data), Data: data}
		f.ContentType = mime.TypeByExtension(path.Ext(e.Name()))
		if strings.HasPrefix(f.ContentType, "text/") && !strings.Contains(f.ContentType, "charset") {
			f.ContentType += "; charset=utf-8"
		}
		byName[f.Name] = f
		byHashed[f.Hashed] = f
	}
}

// hashedName puts the first 8 hex digits of the content's SHA-256 before the
// extension: "app.css" → "app.3f2a9c1b.css".
func hashedName(name string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
}

// URL is the path at which the named asset is served, with its content hash.
// An unknown name is a programming error and panics, so a typo in a template
// fails every test rather than shipping a broken link.
func URL(name string) string {
	f, ok := byName[name]
	if !ok {
		panic(fmt.Sprintf("static: no asset named %q", name))
	}
	return Prefix + f.Hashed
}

// Lookup returns the asset with the given source name.
func Lookup(name string) (*File, bool) {
	f, ok := byName[name]
	return f, ok
}

// ByURL returns the asset served at the given path, if any.
func ByURL(urlPath string) (*File, bool) {
	name, ok := strings.CutPrefix(urlPath, Prefix)
	if !ok {
		return nil, false
	}
	f, ok := byHashed[name]
	return f, ok
}

// Files lists every asset by source name.
func Files() []*File {
	out := make([]*File, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Handler serves assets by their hashed name with immutable caching. Any other
// name — unhashed, stale hash, dotfile, directory, ".." — is a 404; names are
// looked up in a map, never in a file system, so no path can escape.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := ByURL(r.URL.Path)
		if !ok || r.URL.RawPath != "" {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ContentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+f.Hashed+`"`)
		if match := r.Header.Get("If-None-Match"); match != "" && match == h.Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", fmt.Sprint(len(f.Data)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(f.Data)
	})
}
