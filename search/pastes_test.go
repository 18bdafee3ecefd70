package search

import (
	"strings"
	"testing"

	"github.com/errata/errata/search/pasteset"
)

// Thresholds of the paste set: the share of pastes whose entry comes first,
// overall and for every shape.
const (
	minPasteTop1      = 0.95
	minPasteShapeTop1 = 0.85
)

// TestPastes runs the paste set (testdata/pastes.json: errors as people
// paste them, over the catalogue and the real corpora) and prints top-1 and
// MRR by shape, by source and overall. It fails below minPasteTop1 overall,
// below minPasteShapeTop1 for any shape, and on any paste that finds nothing.
func TestPastes(t *testing.T) {
	ix := fullIndex(t)
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 150 {
		t.Fatalf("the paste set has %d pastes, want at least 150", len(cases))
	}
	tally := pasteset.NewTally()
	for _, c := range cases {
		if _, ok := ix.Entry(c.Want); !ok {
			t.Errorf("paste %q wants %q, which is not in the catalogue", clip(c.Paste, 60), c.Want)
			continue
		}
		res := run(t, ix, Query{Text: c.Paste, PerPage: MaxPerPage})
		got := ids(res)
		rank := pasteset.Rank(got, c.Want)
		tally.Add(c, rank, len(got))
		switch {
		case len(got) == 0:
			t.Errorf("no results [%s] %q: want %s", c.Shape, oneLine(c.Paste, 100), c.Want)
		case rank != 1:
			t.Logf("miss [%s %s] %q: want %s at rank %d, got %v", c.Shape, c.Form, oneLine(c.Paste, 100), c.Want, rank, first(got, 3))
		}
	}
	var b strings.Builder
	pasteset.Table(&b, []string{"Errata"}, tally)
	t.Logf("\n%s", b.String())
	if acc := tally.All.Accuracy(); acc < minPasteTop1 {
		t.Errorf("top-1 %.3f over %d pastes, want at least %.2f", acc, tally.All.N, minPasteTop1)
	}
	for shape, s := range tally.ByShape {
		if s.Accuracy() < minPasteShapeTop1 {
			t.Errorf("shape %s: top-1 %.3f over %d pastes, want at least %.2f", shape, s.Accuracy(), s.N, minPasteShapeTop1)
		}
	}
}

// oneLine is s clipped to n bytes with its line breaks shown as ⏎, for logs.
func oneLine(s string, n int) string {
	return strings.ReplaceAll(clip(s, n), "\n", "⏎")
}

// TestPasteClasses holds one case or more for each way pastes failed on a
// real catalogue: wrappers not recognised, codes losing to words, numbers
// read as statuses, reason phrases scored as content, provider signals
// thrown away. Each paste must find its entry first.
func TestPasteClasses(t *testing.T) {
	ix := fullIndex(t)
	for _, c := range []struct{ class, paste, want string }{
		{"python traceback ending in an SDK exception", "Traceback (most recent call last):\n  File \"/srv/app/sms.py\", line 12, in notify\n    client.messages.create(to=to, from_=FROM, body=body)\n  File \"/srv/venv/lib/python3.12/site-packages/twilio/base/version.py\", line 434, in _parse_create\n    raise self.exception(method, uri, response, \"Unable to create record\")\ntwilio.base.exceptions.TwilioRestException: HTTP 400 error: Unable to create record: The concatenated message body exceeds the 1600 character limit", "twilio-21617"},
		{"key=value log line without a timestamp", `msg="reminder not sent" provider=twilio to=+14155550199 code=30034 error="Message from an Unregistered Number"`, "twilio-30034"},
		{"redirect URL with an encoded error_description", "https://app.example.com/callback?error=access_denied&error_description=AADSTS50105%3a+The+signed+in+user+is+not+assigned+to+a+role+for+the+application.%0d%0aTrace+ID%3a+5b2f7c1e-9a4d-4e8b-b3c6-0d1e2f3a4b5c&state=x1", "aadsts-aadsts50105"},
		{"SOAP fault with the code in a tag with xmlns", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorInvalidServerVersion</faultcode><faultstring xml:lang="en-US">The specified server version is invalid.</faultstring></s:Fault></s:Body></s:Envelope>`, "ews-errorinvalidserverversion"},
		{"dotted Python exception class holding the code", "exchangelib.errors.ErrorMailboxMoveInProgress: Mailbox move in progress. Try again later.", "ews-errormailboxmoveinprogress"},
		{"Ruby exception class", "Google::Apis::ClientError: accessNotConfigured: Access Not Configured. Gmail API has not been used in project 4711 before or it is disabled.", "403-gmail-gmail-api-has-not-been-used-in-project"},
		{"a JSON body's code beats words shared with titles", `{"code": 21614, "message": "'To' number +15005550009 is not a valid phone number", "more_info": "https://www.twilio.com/docs/errors/21614", "status": 400}`, "twilio-21614"},
		{"AADSTS with a space before the number", "AADSTS 50076 multi-factor authentication required", "aadsts-aadsts50076"},
		{"a bare number labelled error code in a sign-in log", "Sign-in error code: 700016\nFailure reason: Application with identifier was not found in the directory.", "aadsts-aadsts700016"},
		{"a code in a vendor's docs URL", "send failed, see https://www.twilio.com/docs/errors/21612 for details", "twilio-21612"},
		{"a project number is no status", `{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before or it is disabled.","status":"PERMISSION_DENIED"}}`, "403-gmail-gmail-api-has-not-been-used-in-project"},
		{"office 365 is no status", "office 365 returned a different email address", "403-microsoft-different-email-address-returned"},
		{"a status line above a body does not lift Bad Request titles", "HTTP/1.1 400 BAD REQUEST\nContent-Type: application/json\n\n{\"code\": 21604, \"message\": \"A 'To' phone number is required.\", \"status\": 400}", "twilio-21604"},
		{"a bare status line finds the entry titled with its reason", "HTTP/1.1 422 Unprocessable Entity", "graph-http422"},
		{"a status line and its body on one line, as a log keeps them", `HTTP/1.1 500 Internal Server Error {"code": 21614, "message": "'To' number +15005550009 is not a valid phone number", "status": 400}`, "twilio-21614"},
		{"a Graph host names the provider", "HTTP 429 Too Many Requests returned by graph.microsoft.com/v1.0/me/messages", "graph-http429"},
		{"a Google host names the provider of invalid_grant", "POST https://oauth2.googleapis.com/token -> {\"error\": \"invalid_grant\", \"error_description\": \"Bad Request\"}", "400-gmail-authentication-failed"},
	} {
		t.Run(c.class, func(t *testing.T) {
			res := run(t, ix, Query{Text: c.paste})
			if got := ids(res); len(got) == 0 || got[0] != c.want {
				t.Errorf("%q:\ngot %v, want %s first", oneLine(c.paste, 120), first(got, 3), c.want)
			}
		})
	}
	// What was read, not only what was found: a number counts as a status
	// only in a status position, never as a line number, a length or a
	// project number.
	for paste, want := range map[string]string{
		`{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry.","status":"PERMISSION_DENIED"}}`: "403",
		"Traceback (most recent call last):\n  File \"/srv/app/sms.py\", line 434, in notify\ntwilio.base.exceptions.TwilioRestException: HTTP 400 error: Unable to create record":                                                                                                          "400",
		"HTTP/1.1 401 UNAUTHORIZED\nContent-Length: 174\nConnection: keep-alive\n\n{\"code\": 20003, \"message\": \"Authenticate\"}":                                                                                                                                                        "401",
	} {
		if res := run(t, ix, Query{Text: paste}); res.Understood.Status.String() != want {
			t.Errorf("%q: status %q, want %s alone", oneLine(paste, 60), res.Understood.Status.String(), want)
		}
	}
	if res := run(t, ix, Query{Text: "office 365 returned a different email address"}); len(res.Understood.Status) != 0 {
		t.Errorf("office 365: status %q, want none", res.Understood.Status.String())
	}
	if res := run(t, ix, Query{Text: "HTTP/1.1 429 Too Many Requests"}); len(res.Hits) == 0 || res.Hits[0].Title != "Too Many Requests" {
		t.Errorf("HTTP/1.1 429 Too Many Requests: first %v, want an entry titled Too Many Requests", first(ids(res), 3))
	}
}

// A paste's short query (Understood.Query, the address a long paste is
// redirected to) is short and finds what the paste found first.
func TestShortQuerySearchesAsThePaste(t *testing.T) {
	ix := fullIndex(t)
	cases, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	same, n := 0, 0
	for _, c := range cases {
		res := run(t, ix, Query{Text: c.Paste})
		short := res.Understood.Query
		if len(short) > MaxShortQueryBytes || short == "" {
			t.Errorf("%q: short query %q is empty or over %d bytes", oneLine(c.Paste, 60), short, MaxShortQueryBytes)
			continue
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != c.Want {
			continue // only what the paste found is to be found again
		}
		n++
		if again := ids(run(t, ix, Query{Text: short})); len(again) > 0 && again[0] == c.Want {
			same++
		} else {
			t.Logf("[%s] %q → %q: got %v, want %s", c.Shape, oneLine(c.Paste, 60), short, first(again, 3), c.Want)
		}
	}
	t.Logf("%d of %d short queries find the paste's entry first", same, n)
	if float64(same) < 0.95*float64(n) {
		t.Errorf("%d of %d short queries find the paste's entry first, want at least 95%%", same, n)
	}
}
