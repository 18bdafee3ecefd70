package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/errata/errata/content"
)

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
	} {
		got := providerHints(c.in, c.words)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("providerHints(%q, %v) = %v, want %v", c.in, c.words, got, c.want)
		}
	}
}

// Every slug the signals name is a provider entries may name: a typo would
// boost nothing, silently.
func TestProviderSignalSlugsAreKnown(t *testing.T) {
	for _, p := range providerSignals {
		for _, s := range p.slugs {
			if !content.BuiltinProviders().Known(s) {
				t.Errorf("providerSignals names %q, which is no provider", s)
			}
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
