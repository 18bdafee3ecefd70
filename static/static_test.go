package static

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHashedURLs(t *testing.T) {
	for _, name := range []string{"app.css", "app.js", "htmx.min.js", "favicon.svg"} {
		f, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s is not embedded", name)
		}
		sum := sha256.Sum256(f.Data)
		hash := hex.EncodeToString(sum[:4])
		if u := URL(name); !strings.HasPrefix(u, Prefix) || !strings.Contains(u, "."+hash+".") {
			t.Errorf("URL(%s) = %s, want the content hash %s in it", name, u, hash)
		}
		if g, ok := ByURL(URL(name)); !ok || g != f {
			t.Errorf("ByURL(URL(%s)) does not find it", name)
		}
	}
	if URL("htmx.min.js") == URL("app.js") {
		t.Error("two assets share a URL")
	}
}

func TestURLPanicsOnUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("URL of an unknown asset did not panic")
		}
	}()
	URL("nope.css")
}

func TestHandler(t *testing.T) {
	h := Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", URL("app.css"), nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" ||
		rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}
	for _, p := range []string{"/static/app.css", "/static/", "/static/assets/app.css", "/static/htmx.LICENSE", "/other"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

// No asset may need 'unsafe-inline' or 'unsafe-eval'.
func TestAppJSAvoidsUnsafeAPIs(t *testing.T) {
	f, _ := Lookup("app.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", "document.write", ".style."} {
		if strings.Contains(string(f.Data), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}
