package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/errata/errata/content"
)

// gmailPaste is what Google answers when the Gmail API is off for a project.
const gmailPaste = `{
  "error": {
    "code": 403,
    "message": "Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry.",
    "errors": [{"message": "Gmail API has not been used in project 123456789012 before or it is disabled.", "domain": "usageLimits", "reason": "accessNotConfigured"}],
    "status": "PERMISSION_DENIED"
  }
}`

func explain(tb testing.TB, ix *Index, text string) *Explanation {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ex, err := ix.Explain(ctx, text, 0)
	if err != nil {
		tb.Fatalf("Explain(%q): %v", text, err)
	}
	return ex
}

func TestExplainGmailPaste(t *testing.T) {
	ex := explain(t, catalogue(t), gmailPaste)
	p := ex.Paste
	if !slices.Equal(p.Statuses, []int{403}) || !slices.Equal(p.Providers, []string{"gmail"}) || !p.Pasted {
		t.Errorf("paste read as statuses %v, providers %v, pasted %v", p.Statuses, p.Providers, p.Pasted)
	}
	// The codes are those that name entries: not Google's status word, not
	// the project number.
	if !slices.Equal(p.Codes, []string{"accessNotConfigured"}) {
		t.Errorf("codes %v, want [accessNotConfigured]", p.Codes)
	}
	if !strings.HasPrefix(p.Message, "Gmail API has not been used in project") || strings.Contains(p.Message, "123456789012") || strings.Contains(p.Message, "https://") {
		t.Errorf("message %q, want Google's message without the project number or URL", p.Message)
	}
	if len(ex.Matches) == 0 || ex.Matches[0].ID != "403-gmail-gmail-api-has-not-been-used-in-project" {
		t.Fatalf("matches %v, want the Gmail 403 entry first", matchIDs(ex))
	}
	m := ex.Matches[0]
	if m.Confidence != ConfidenceHigh {
		t.Errorf("confidence %s, want high; reasons %q", m.Confidence, m.Reasons)
	}
	for _, want := range []string{"the status 403 matches", "it is known by the code accessNotConfigured", "the paste holds its message “Gmail API has not been used in project {project}”", "the paste names Gmail"} {
		if !slices.Contains(m.Reasons, want) {
			t.Errorf("reasons %q lack %q", m.Reasons, want)
		}
	}
	if len(ex.Matches) > DefaultExplainLimit {
		t.Errorf("%d matches, want at most %d", len(ex.Matches), DefaultExplainLimit)
	}
}

func TestExplainConfidence(t *testing.T) {
	ix := catalogue(t)
	for _, c := range []struct {
		name, text, top string
		want            Confidence
	}{
		// A bare status line fits every entry of its status: the search
		// ranks the one titled with its reason first, but cannot be sure.
		{"status line alone", "HTTP/1.1 429 Too Many Requests", "429-gmail-too-many-requests", ConfidenceLow},
		{"oauth json", `{"error":"invalid_grant","error_description":"Invalid or revoked refresh token."}`, "400-gmail-authentication-failed", ConfidenceHigh},
		{"message in a log line", `2024-05-02 10:11:12 WARN request_id=8f3e2a1c-9b7d-4c1e-a2f3-0d9e8c7b6a51 status=401 Could not verify access credentials.`, "401-general-unauthorized", ConfidenceHigh},
		{"message, other status", `HTTP/1.1 500 Internal Server Error {"message":"The Gmail account has exceeded the usage limit."}`, "429-gmail-too-many-requests", ConfidenceMedium},
		{"a few words", "mail provider", "", ConfidenceLow},
		{"a title typed whole", "sending error", "422-general-sending-error", ConfidenceMedium},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex := explain(t, ix, c.text)
			if len(ex.Matches) == 0 {
				t.Fatalf("no match")
			}
			m := ex.Matches[0]
			if (c.top != "" && m.ID != c.top) || m.Confidence != c.want {
				t.Errorf("top %s (%s, %q), want %s at %s", m.ID, m.Confidence, m.Reasons, c.top, c.want)
			}
			if len(m.Reasons) == 0 {
				t.Error("no reason given")
			}
		})
	}
	ex := explain(t, ix, "HTTP/1.1 500 Internal Server Error {\"message\":\"The Gmail account has exceeded the usage limit.\"}")
	if !slices.Contains(ex.Matches[0].Reasons, "the paste says 500, the entry is 429") {
		t.Errorf("a status conflict is not said: %q", ex.Matches[0].Reasons)
	}
}

func TestExplainNothingAndBadInput(t *testing.T) {
	ix := catalogue(t)
	if ex := explain(t, ix, "zzzzqqqq xxyyzz"); ex.Total != 0 || len(ex.Matches) != 0 {
		t.Errorf("gibberish matched %v", matchIDs(ex))
	}
	ctx := context.Background()
	for _, c := range []struct {
		text  string
		limit int
		param string
	}{{"", 0, "text"}, {" \n\t ", 0, "text"}, {"quota", -1, "limit"}, {"quota", MaxPerPage + 1, "limit"}} {
		_, err := ix.Explain(ctx, c.text, c.limit)
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Param != c.param {
			t.Errorf("Explain(%q, %d): %v, want an InvalidError for %s", c.text, c.limit, err, c.param)
		}
	}
	// A huge paste is read, like a search, from its first 64 KiB.
	ex := explain(t, ix, gmailPaste+strings.Repeat(" filler", 100_000))
	if len(ex.Matches) == 0 || ex.Matches[0].ID != "403-gmail-gmail-api-has-not-been-used-in-project" {
		t.Errorf("a long paste: %v", matchIDs(ex))
	}
}

func TestLooksLikeCode(t *testing.T) {
	for w, want := range map[string]bool{
		"rateLimitExceeded": true, "invalid_grant": true, "PERMISSION_DENIED": true, "AADSTS50126": true, "21211": true,
		"ErrorItemNotFound": true, "429": false, "Gmail": false, "token": false, "sign-in": false, "1234567890": false, "OAuth": false,
	} {
		if got := looksLikeCode(w); got != want {
			t.Errorf("looksLikeCode(%q) = %v, want %v", w, got, want)
		}
	}
	ids := func(es []content.Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, code := range []string{"rateLimitExceeded", "RATELIMITEXCEEDED", "userratelimitexceeded"} {
		if got := ids(catalogue(t).ByCode(code)); !slices.Equal(got, []string{"429-gmail-too-many-requests"}) {
			t.Errorf("ByCode(%q) = %q, want the Gmail 429", code, got)
		}
	}
	if got := catalogue(t).ByCode("quota"); got != nil {
		t.Errorf("ByCode(quota), an alias, = %v, want none", ids(got))
	}
}

func matchIDs(ex *Explanation) []string {
	var out []string
	for _, m := range ex.Matches {
		out = append(out, m.ID+" ("+string(m.Confidence)+")")
	}
	return out
}
