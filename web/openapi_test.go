package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/errata/errata/content"
	"github.com/errata/errata/web/middleware"
)

// apiDoc is /openapi.json, loaded and checked as an OpenAPI 3.1 document.
func apiDoc(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPI)
	if err != nil {
		tb.Fatalf("openapi.json does not load: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		tb.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context); err != nil {
		tb.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return doc, router
}

// TestOpenAPIDescribesEveryAnswer sends real requests to every route of
// the API, errors included, through the whole middleware, and validates
// each answer (status, headers, body) against /openapi.json. Every response
// the document lists must be produced at least once, so the document can
// neither miss nor keep what the handlers do.
func TestOpenAPIDescribesEveryAnswer(t *testing.T) {
	doc, router := apiDoc(t)
	site, _ := testServer(t, catalogueIndex(t))
	both, _ := testServer(t, imported(t))
	renamed, _ := testServer(t, fixtures(t))
	loading, _ := testServer(t, nil)
	failing, _ := testServer(t, faultyIndex{err: errors.New("disk on fire")})
	panicking, _ := testServer(t, panickyIndex{})
	stopping := newServer(Config{}, catalogueIndex(t))
	stopping.SetReady(false)
	limited := newServer(Config{RateLimit: middleware.RateLimitConfig{Rate: 0.01, Burst: 1}}, catalogueIndex(t)).Handler()
	if do(t, limited, "GET", "/healthz").StatusCode != 200 {
		t.Fatal("the first request to the limited stack was refused")
	}

	type call struct {
		h      http.Handler
		target string
		status int
		valid  bool // the request itself is valid per the document
	}
	calls := []call{
		{site, "/api/v1/search?q=quota", 200, true},
		{site, "/api/v1/search?q=" + urlQuery(`{"error":{"code":403,"message":"Gmail API has not been used in project 1234 before"}}`) + "&per_page=3", 200, true},
		{site, "/api/v1/search?q=quota&status=4xx&provider=gmail&provider=microsoft&page=1&per_page=5", 200, true},
		{site, "/api/v1/search?q=cannot", 200, true},
		{site, "/api/v1/search?q=qouta+exceded", 200, true},
		{site, "/api/v1/search?q=zzzzqqqq", 200, true},
		{site, "/api/v1/search?status=none", 200, true},
		{site, "/api/v1/search?provider=gmail&sort=code", 200, true},
		{site, "/api/v1/search?sort=size", 400, false},
		{site, "/api/v1/search", 200, true},
		{site, "/api/v1/search?status=abc", 400, true},
		{site, "/api/v1/search?page=99999999", 400, false},
		{site, "/api/v1/search?per_page=500", 400, false},
		{site, "/api/v1/search?provider=yahoo", 400, true},
		{site, "/api/v1/errors/RATELIMITEXCEEDED", 301, true},
		{site, "/api/v1/errors", 200, true},
		{site, "/api/v1/errors?page=2&per_page=3", 200, true},
		{site, "/api/v1/errors?page=999999", 400, true}, // past the last page
		{site, "/api/v1/errors/no-such-error", 404, true},
		{both, "/api/v1/errors/400", 404, true}, // a code two entries share
		{both, "/api/v1/errors/aadsts50126", 301, true},
		{renamed, "/api/v1/errors/old-not-found", 301, true},
		{loading, "/api/v1/search?q=quota", 503, true},
		{loading, "/api/v1/errors", 503, true},
		{loading, "/api/v1/errors/429-gmail-too-many-requests", 503, true},
		{failing, "/api/v1/search?q=quota", 500, true},
		{failing, "/api/v1/errors/x", 404, true},
		{panicking, "/api/v1/errors", 500, true},
		{panicking, "/api/v1/errors/x", 500, true},
		{site, "/healthz", 200, true},
		{site, "/readyz", 200, true},
		{loading, "/readyz", 503, true},
		{stopping.Handler(), "/readyz", 503, true},
		{limited, "/api/v1/errors", 429, true},
		{limited, "/api/v1/search?q=x", 429, true},
		{limited, "/api/v1/errors/x", 429, true},
		{limited, "/healthz", 429, true},
		{limited, "/readyz", 429, true},
	}
	for _, e := range catalogueIndex(t).Entries() {
		calls = append(calls, call{site, "/api/v1/errors/" + e.ID, 200, true})
	}

	produced := map[string]bool{} // "GET /path 200"
	ctx := context.Background()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	try := func(h http.Handler, method, target, contentType, payload string, status int, valid bool) {
		t.Helper()
		newRequest := func() *http.Request {
			req := httptest.NewRequest(method, target, strings.NewReader(payload))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			return req
		}
		req := newRequest()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != status {
			t.Errorf("%s %s: %d, want %d\n%s", method, target, res.StatusCode, status, cut(string(body), 300))
			return
		}
		route, params, err := router.FindRoute(newRequest())
		if err != nil {
			t.Errorf("%s %s: no operation in the document: %v", method, target, err)
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: newRequest(), PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(ctx, in); (err == nil) != valid {
			t.Errorf("%s %s: request validation %v, want valid=%v", method, target, err, valid)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s: the %d answer does not match the document: %v\n%s", method, target, res.StatusCode, err, cut(string(body), 500))
		}
		if strings.HasPrefix(target, "/api/") && res.StatusCode != 429 && res.Header.Get("Link") != serviceDesc {
			t.Errorf("%s %s: Link %q, want %q", method, target, res.Header.Get("Link"), serviceDesc)
		}
		produced[fmt.Sprintf("%s %s %d", method, route.Path, res.StatusCode)] = true
	}
	for _, c := range calls {
		try(c.h, "GET", c.target, "", "", c.status, c.valid)
	}
	// Long pastes are POSTed as JSON.
	const jsonType = "application/json"
	for _, c := range []struct {
		h           http.Handler
		contentType string
		body        string
		status      int
		valid       bool
	}{
		{site, jsonType, `{"query": "quota"}`, 200, true},
		{site, jsonType, `{"query": ` + strconv.Quote("Traceback (most recent call last):\n  File \"app.py\", line 3\ntwilio.base.exceptions.TwilioRestException: HTTP 400 error: Unable to create record: The 'To' number +1555 is not a valid phone number.") + `, "status": "4xx", "provider": ["twilio"], "page": 1, "per_page": 5}`, 200, true},
		{site, jsonType, `{"q": "quota"}`, 400, false},
		{site, jsonType, `{"query": "quota", "status": "abc"}`, 400, true},
		{site, jsonType, `{"query": "` + strings.Repeat("a", 300<<10) + `"}`, 413, false},
		{site, "text/plain", `quota`, 415, false},
		{limited, jsonType, `{"query": "quota"}`, 429, true},
		{failing, jsonType, `{"query": "quota"}`, 500, true},
		{loading, jsonType, `{"query": "quota"}`, 503, true},
	} {
		try(c.h, "POST", "/api/v1/search", c.contentType, c.body, c.status, c.valid)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code := range op.Responses.Map() {
				if k := method + " " + path + " " + code; !produced[k] {
					t.Errorf("the document lists %s, which no request produced: drop it or test it", k)
				}
			}
		}
	}
	if n := len(doc.Paths.Map()); n != 5 {
		t.Errorf("the document has %d paths, want search, errors, one error, healthz, readyz", n)
	}
}

// panickyIndex fails wherever an entry is read.
type panickyIndex struct{ faultyIndex }

func (panickyIndex) Len() int                           { return 1 }
func (panickyIndex) At(int) content.Entry               { panic("entries exploded") }
func (panickyIndex) Entry(string) (content.Entry, bool) { panic("entry exploded") }

func urlQuery(s string) string {
	r := httptest.NewRequest("GET", "/", nil)
	q := r.URL.Query()
	q.Set("x", s)
	return strings.TrimPrefix(q.Encode(), "x=")
}

// /openapi.json is the document, as JSON, and the API's answers point to it.
func TestOpenAPIRoute(t *testing.T) {
	h, _ := testServer(t, catalogueIndex(t))
	a := ask(t, h, "GET", "/openapi.json")
	if a.status != 200 || a.body != string(openAPI) || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: %q", a, a.header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, a.target, a.header)
	a = ask(t, h, "GET", "/api/v1/nope")
	if a.status != 404 || a.header.Get("Link") != serviceDesc {
		t.Errorf("%s: Link %q; unknown API paths point to the description too", a, a.header.Get("Link"))
	}
}
