package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// When the error page cannot be rendered (here because the client went
// away, which fails every template), the answer is still a small HTML page
// with the status, the message, the request id to quote and the security
// headers: never net/http's bare text.
func TestErrorPageWhenRenderingFails(t *testing.T) {
	h, logs := hardened(t, Config{BaseURL: "https://errata.example"}, catalogueIndex(t))
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/no/such/page", http.StatusNotFound},
		{"/errors/no-such-entry", http.StatusNotFound},
		{"/?status=abc", http.StatusBadRequest},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest("GET", tc.target, nil).WithContext(ctx)
		req.Header.Set("X-Request-ID", "fallback-42")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		a := answer{target: tc.target, status: rec.Code, header: rec.Header(), body: rec.Body.String()}
		if a.status != tc.status {
			t.Errorf("%s, want %d", a, tc.status)
		}
		doc := inertHTML(t, a)
		checkSecurityHeaders(t, a.String(), a.header)
		if got := doc.Find("[data-testid=request-id]").Text(); got != "fallback-42" {
			t.Errorf("%s: request id %q on the page, want fallback-42:\n%s", a, got, a.body)
		}
		if doc.Find("[data-testid=error-heading]").Text() == "" || doc.Find("[data-testid=error-message]").Text() == "" {
			t.Errorf("%s: no heading or message:\n%s", a, a.body)
		}
		if a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", a, a.header.Get("Cache-Control"))
		}
	}
	if strings.Contains(logs.String(), "error page failed") {
		t.Errorf("a client that went away is logged as a failure:\n%s", logs)
	}
}

// A value the API cannot encode is answered with the API's own 500, the
// one message every internal error shows.
func TestWriteJSONThatCannotEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, math.NaN())
	var got apiErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusInternalServerError || got != internalProblem.json() {
		t.Errorf("%d %s (%v), want 500 with the internal problem's code and message", rec.Code, rec.Body, err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}
