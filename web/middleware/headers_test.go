package middleware

import (
	"net/http"
	"strings"
	"testing"
)

func TestCSPHasNoUnsafe(t *testing.T) {
	if strings.Contains(CSP, "unsafe") {
		t.Fatalf("CSP allows unsafe sources: %s", CSP)
	}
}

// A header the handler sets again is still sent once.
func TestSecureHeadersOnce(t *testing.T) {
	h := SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound) // sets X-Content-Type-Options itself
	}))
	w := do(t, h, "GET", "/")
	for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
		"Permissions-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy"} {
		if got := w.Header().Values(k); len(got) != 1 {
			t.Errorf("%s sent %d times: %q", k, len(got), got)
		}
	}
	if w.Header().Get("Content-Security-Policy") != CSP {
		t.Errorf("CSP = %q", w.Header().Get("Content-Security-Policy"))
	}
}
