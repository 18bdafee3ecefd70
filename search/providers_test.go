package search

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
)

// builtinSignals are the signals of the built-in providers.yaml, for tests
// of stages that need no index.
var builtinSignals = newSignals(content.BuiltinProviders())

func TestProviderHints(t *testing.T) {
	for _, c := range []struct {
		in    string
		words bool
		want  []string
	}{
		{"POST https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", true, []string{"twilio"}},
		{"429 Too Many Requests from graph.microsoft.com", false, []string{"microsoft-graph"}},
		{"GET graph.microsoft.com/v1.0/me/messages", false, []string{"microsoft-graph"}},
		{"https://login.microsoftonline.com/common/oauth2/v2.0/token", false, []string{"microsoft-entra"}},
		{"https://gmail.googleapis.com/gmail/v1/users/me/messages/send", false, []string{"gmail"}},
		{"twilio.base.exceptions.TwilioRestException: HTTP 400 error", true, []string{"twilio"}},
		{"com.microsoft.aad.msal4j.MsalServiceException: AADSTS700016: x", false, []string{"microsoft-entra"}},
		{"Microsoft.Identity.Client.MsalUiRequiredException: x", false, []string{"microsoft-entra"}},
		{"microsoft.exchange.webservices.data.core.exception.service.remote.ServiceResponseException: x", false, []string{"microsoft-ews"}},
		{"exchangelib.errors.ErrorItemNotFound: x", false, []string{"microsoft-ews"}},
		{"Google::Apis::RateLimitError", true, []string{"gmail"}},
		{`{"error":{"code":"x","innerError":{"request-id":"1"}}}`, false, []string{"microsoft-graph"}},
		{`<m:GetItemResponseMessage ResponseClass="Error">`, false, []string{"microsoft-ews"}},
		// Provider words in paths count in a paste, and only when nothing
		// names the provider more precisely.
		{"File \"/usr/lib/python3/site-packages/twilio/rest/api.py\", line 1", true, []string{"twilio"}},
		{"File \"/usr/lib/python3/site-packages/twilio/rest/api.py\", line 1", false, nil},
		{"outlook graph.microsoft.com", true, []string{"microsoft-graph"}},
		{"an error", true, nil},
		// A long trace names its provider at its end.
		{strings.Repeat("  File \"/srv/app/x.py\", line 1, in f\n", 2000) + "HttpError 429 https://gmail.googleapis.com/x", false, []string{"gmail"}},
		{"https://example.com/twilio-like/path", false, nil},
		{"POST https://api.us.nylas.com/v3/grants/abc/messages/send", false, []string{"nylas"}},
		{"nylas.models.errors.NylasApiError: Message delivery submission failed.", false, []string{"nylas"}},
		{"NylasApiError: Too many requests\n    at node_modules/nylas/lib/apiClient.js:104:19", false, []string{"nylas"}},
		{"Nylas::NylasApiError (Too many requests)", false, []string{"nylas"}},
		{`{"request_id": "5fa64c92", "error": {"type": "provider_error", "message": "x", "provider_error": {}}}`, false, []string{"nylas"}},
	} {
		got := builtinSignals.providerHints(c.in, c.words)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("providerHints(%q, %v) = %v, want %v", c.in, c.words, got, c.want)
		}
	}
}

// The signals are the providers.yaml's: a word declared by several names
// each, a slug of one word is a word of its own, an SDK name of several
// segments matches them joined by any separator, a host its subdomains.
func TestSignalsFromProviders(t *testing.T) {
	sg := builtinSignals
	for w, want := range map[string][]string{
		"microsoft": {"microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph"},
		"outlook":   {"microsoft", "microsoft-graph"},
		"office":    {"microsoft"},
		"twilio":    {"twilio"},
		"gmail":     {"gmail"},
		"google":    {"gmail"},
	} {
		got := slices.Sorted(slices.Values(sg.words[w]))
		if !slices.Equal(got, want) {
			t.Errorf("word %q names %v, want %v", w, got, want)
		}
	}
	for host, want := range map[string]string{"api.twilio.com": "twilio", "eu.graph.microsoft.com": "microsoft-graph", "sts.windows.net.": "microsoft-entra"} {
		if got := sg.hostProviders(host); !slices.Equal(got, []string{want}) {
			t.Errorf("host %q names %v, want %s", host, got, want)
		}
	}
	if got := sg.hostProviders("windows.net"); got != nil {
		t.Errorf("windows.net names %v: only the hosts declared and their subdomains name a provider", got)
	}
	for in, want := range map[string]string{
		"User-Agent: twilio-python/9.0.1 (Linux x86_64)":        "twilio",
		"at Microsoft.Exchange.WebServices.Data.ServiceRequest": "microsoft-ews",
		"github.com/microsoftgraph/msgraph-sdk-go/models":       "microsoft-graph",
	} {
		if got := sg.providerHints(in, false); !slices.Equal(got, []string{want}) {
			t.Errorf("providerHints(%q) = %v, want %s", in, got, want)
		}
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.twilio.com/2010-04-01/x": "api.twilio.com",
		"url=https://graph.microsoft.com/v1":  "graph.microsoft.com",
		"graph.microsoft.com/v1.0/me":         "graph.microsoft.com",
		"login.microsoftonline.com.":          "login.microsoftonline.com",
		"userinfo.email":                      "userinfo.email",
		"twilio.base.exceptions":              "twilio.base.exceptions",
		"v1.0":                                "",
		"Messages.json:12":                    "",
		"com.twilio.X$Y":                      "",
		"notahost":                            "",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// A catalogue's own providers.yaml is all it takes for its pastes to be
// told apart: two providers answer with the same words, and the host, the
// SDK exception or the mark of a paste puts the entry of the provider it
// names first, in a built index and in the saved one that carries the list.
func TestFolderProvidersNameTheirPastes(t *testing.T) {
	const providersYAML = `- slug: parcelpost
  name: ParcelPost
  hosts: [api.parcelpost.example]
  sdks: [ParcelPostApiError, parcelpost-ruby]
  marks: [parcelpostTraceId]
- slug: courier
  name: Courier
  hosts: [api.courier.example]
  sdks: [CourierApiError, courier-ruby]
  marks: [courierTraceId]
`
	entryOf := func(slug string) string {
		return "---\nid: 429-" + slug + "-rate-limit\nstatus: 429\ntitle: Rate limit reached\nproviders: [" + slug + "]\n" +
			"messages:\n  - You have sent too many requests in a short time, slow down.\nupdated: 2026-11-30\n---\n\n" +
			"## Cause\n\nToo many requests were sent in a short time.\n\n## Solution\n\nWait and retry with backoff.\n"
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"providers.yaml": providersYAML, "429-parcelpost-rate-limit.md": entryOf("parcelpost"), "429-courier-rate-limit.md": entryOf("courier"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := content.LoadCatalogue(context.Background(), content.DirFolder(dir))
	if err != nil {
		t.Fatal(err)
	}
	built, err := BuildCatalogue(cat)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { built.Close() })
	saved := filepath.Join(t.TempDir(), "index")
	if err := SaveCatalogue(cat, saved); err != nil {
		t.Fatal(err)
	}
	opened, err := OpenSaved(saved)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { opened.Close() })

	const msg = "You have sent too many requests in a short time, slow down."
	pastes := map[string]func(p, sdk string) string{
		"host": func(p, _ string) string {
			return "POST https://api." + p + ".example/v2/labels\nHTTP/1.1 429 Too Many Requests\n\n{\"error\": \"" + msg + "\"}"
		},
		"sdk": func(_, sdk string) string {
			return "Traceback (most recent call last):\n  File \"/srv/app/ship.py\", line 12, in send\n    client.labels.create(order)\nshipping.errors." + sdk + ": " + msg
		},
		"mark": func(p, _ string) string {
			return "{\"status\": 429, \"message\": \"" + msg + "\", \"" + p + "TraceId\": \"7f3a9c\"}"
		},
	}
	// Each paste is tried for both providers, so neither order of the two
	// equally-worded entries passes by chance.
	for name, ix := range map[string]*Index{"built": built, "saved": opened} {
		for kind, paste := range pastes {
			for slug, sdk := range map[string]string{"parcelpost": "ParcelPostApiError", "courier": "CourierApiError"} {
				text := paste(slug, sdk)
				res := run(t, ix, Query{Text: text})
				if got := ids(res); len(got) != 2 || got[0] != "429-"+slug+"-rate-limit" {
					t.Errorf("%s index, %s paste of %s: got %v, want its entry first of both\n%s", name, kind, slug, got, text)
				}
				if !slices.Equal(res.Understood.Providers, []string{slug}) {
					t.Errorf("%s index, %s paste of %s: read as from %v", name, kind, slug, res.Understood.Providers)
				}
			}
		}
	}
}
