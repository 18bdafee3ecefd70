package search

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/errata/errata/content/corpus/corpustest"
	"github.com/errata/errata/search/pasteset"
)

func TestExtractPaste(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		status  []int
		pasted  bool
		want    []string // words that must survive
		notWant []string // noise that must be gone
	}{
		{"words", "refresh token", nil, false, []string{"refresh", "token"}, nil},
		// A status line's reason phrase is a status hint, not words.
		{"status line", "HTTP/1.1 429 Too Many Requests", []int{429}, true, nil, []string{"HTTP/1.1", "Too Many Requests"}},
		{"http2 status line", "HTTP/2 403 Forbidden", []int{403}, true, nil, []string{"Forbidden"}},
		{"google json", `{"error":{"code":403,"message":"Gmail API has not been used in project 123456789012 before","status":"PERMISSION_DENIED"}}`,
			[]int{403}, true, []string{"Gmail API has not been used in project", "PERMISSION_DENIED"}, []string{"123456789012", `"code"`}},
		{"type json", `{"message":"Could not verify access credentials.","type":"invalid_request_error"}`,
			nil, true, []string{"Could not verify access credentials.", "invalid_request_error"}, []string{`"type"`}},
		{"oauth json", `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`,
			nil, true, []string{"invalid_grant", "Token has been expired or revoked."}, nil},
		{"errors array", `{"error":{"errors":[{"domain":"usageLimits","reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}],"code":429}}`,
			[]int{429}, true, []string{"rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"}, nil},
		{"twilio code is no status", `{"code": 21211, "message": "The 'To' number is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`,
			[]int{400}, true, []string{"21211", "valid phone number"}, []string{"https://"}},
		{"escaped json", `"{\"error\":{\"code\":401,\"message\":\"Could not verify access credentials.\"}}"`,
			[]int{401}, true, []string{"Could not verify access credentials."}, []string{`\"`}},
		{"json in a string value", `{"error":"{\"message\":\"Message delivery submission failed.\",\"status\":422}"}`,
			[]int{422}, true, []string{"Message delivery submission failed."}, nil},
		{"json in a log line", `2024-03-01T12:00:01Z ERROR gmail send: {"error":{"code":429,"message":"The Gmail account has exceeded the usage limit."}}`,
			[]int{429}, true, []string{"The Gmail account has exceeded the usage limit.", "gmail send"}, []string{"2024-03-01", "ERROR"}},
		{"log line", `2024-05-02 10:11:12,345 WARN [worker-3] request_id=8f3e2a1c-9b7d-4c1e-a2f3-0d9e8c7b6a51 user=bob@example.com status=401 Could not verify access credentials trace 0x7f3a9c2e1b4d from 10.0.0.12:8080 https://api.example.com/v3/messages`,
			[]int{401}, true, []string{"Could not verify access credentials"}, []string{"8f3e2a1c", "bob@example.com", "0x7f3a9c2e1b4d", "10.0.0.12", "https://", "10:11:12", "WARN"}},
		{"status code words", "received status code 503 from upstream", []int{503}, true, []string{"upstream"}, nil},
		// Cut short, a JSON body was still pasted: its quotes are no phrases.
		{"broken json", `{"error": {"message": "Invalid or revoked refresh token.`, nil, true, []string{"Invalid or revoked refresh token"}, nil},
		{"long number dropped, code kept", "project 123456789 AADSTS50126 error 21211", nil, false, []string{"AADSTS50126", "21211"}, []string{"123456789"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := extractFields(c.in, builtinSignals)
			text := p.text()
			slices.Sort(p.status)
			if !slices.Equal(p.status, c.status) {
				t.Errorf("status = %v, want %v", p.status, c.status)
			}
			if p.pasted() != c.pasted {
				t.Errorf("pasted = %v, want %v", p.pasted(), c.pasted)
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("text %q lacks %q", text, w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, w) {
					t.Errorf("text %q still has noise %q", text, w)
				}
			}
		})
	}
}

func TestCleanInput(t *testing.T) {
	for in, want := range map[string]string{
		"rate\x00limit":                  "rate limit",
		"bad \xff\xfe utf8":              "bad    utf8",
		"\u202etoken\u202c refresh":      "token refresh",
		"zero\u200bwidth":                "zerowidth",
		"cafe\u0301":                     "cafe\u0301", // combining marks stay with their letter
		"tab\tand\nnewline\r\x1b[31mred": "tab\tand\nnewline\r [31mred",
	} {
		if got := cleanInput(in); got != want {
			t.Errorf("cleanInput(%q) = %q, want %q", in, got, want)
		}
	}
}

// The cheap checks that skip the regular expressions never skip a match:
// statuses and timestamps hold digits, log levels their first letters,
// stack frames a digit or a mark (every line of every paste is tried).
func TestPasteRegexpsSkippedOnlyWithoutMatches(t *testing.T) {
	t.Parallel() // reads the shared records only
	texts := []string{"HTTP/1.1 429 Too Many Requests", "status=503", "2024-05-02T10:11:12Z", "Tue, 02 May 2024", "12:01:02", "[ERROR] boom", "level=warn x", "WARN: x", "CRITICAL", "x FATAL y",
		"Traceback (most recent call last):", "    ^^^^^^", "--- End of stack trace from previous location ---", "*__checkpoint ⇢ HTTP GET", "Original Stack Trace:"}
	for _, c := range loadRelevance(t) {
		texts = append(texts, c.Query)
	}
	pastes, err := pasteset.Load("testdata/pastes.json")
	if err != nil {
		t.Fatal(err)
	}
	frames := 0
	for _, c := range pastes {
		texts = append(texts, c.Paste)
		for line := range strings.Lines(c.Paste) {
			line = strings.TrimSuffix(line, "\n")
			if frameRE.MatchString(line) {
				frames++
				if !mayBeFrame(line) {
					t.Errorf("mayBeFrame(%q) is false, yet frameRE matches", clip(line, 80))
				}
			}
		}
	}
	if frames < 20 {
		t.Errorf("only %d frames in the pastes: the check hardly checks", frames)
	}
	for _, r := range corpustest.RealRecords(t) {
		texts = append(texts, r.Message, r.Title, r.Body)
	}
	matched := 0
	for _, s := range texts {
		for _, re := range []*regexp.Regexp{statusRE, timestampRE, codeLabelRE} {
			if re.MatchString(s) {
				matched++
				if !hasDigit(s) {
					t.Errorf("%s matches %q, which has no digit", re, clip(s, 80))
				}
			}
		}
		if logLevelRE.MatchString(s) {
			matched++
			if !hasLogLevel(s) {
				t.Errorf("hasLogLevel(%q) is false, yet logLevelRE matches", clip(s, 80))
			}
		}
	}
	if matched < 10 {
		t.Errorf("only %d matches: the check hardly checks", matched)
	}
}

func TestStrangeCharacters(t *testing.T) {
	ix := build(t, fixtures())
	for _, text := range []string{
		"quo\x00ta", "\xff\xfequota\xc3", "\u202equota\u202c", "\u200fquota", "q\u0301uota", "quota\u0000\u0000",
		"مرحبا quota", "ｑｕｏｔａ", "😀 quota 😀", "\ufeffquota", "quota\r\n\t", strings.Repeat("\u0301", 5000) + "quota",
	} {
		res, err := ix.Search(context.Background(), Query{Text: text})
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if !utf8.ValidString(res.Understood.Terms) || strings.ContainsRune(res.Understood.Terms, 0) {
			t.Errorf("%q: Terms %q not clean", text, res.Understood.Terms)
		}
		for _, h := range res.Hits {
			if !utf8.ValidString(marked(h.Snippet)) {
				t.Errorf("%q: invalid snippet", text)
			}
		}
	}
	// Invisible characters do not split or hide a word.
	for _, text := range []string{"\u202equota\u202c", "quo\u200bta", "\ufeffquota"} {
		if res := run(t, ix, Query{Text: text}); res.Total != 4 {
			t.Errorf("%q: total %d, want 4 as for quota", text, res.Total)
		}
	}
}

func TestHugePasteIsCut(t *testing.T) {
	ix := build(t, fixtures())
	for name, text := range map[string]string{
		"1 MB of words":    strings.Repeat("quota exceeded mailbox ", 1<<20/23),
		"1 MB one token":   strings.Repeat("a", 1<<20),
		"100 KB token":     "quota " + strings.Repeat("x", 100<<10),
		"1 MB of json":     `{"message":"` + strings.Repeat("quota ", 1<<20/6) + `"}`,
		"deep json":        strings.Repeat(`{"error":`, 5000) + `"quota"` + strings.Repeat("}", 5000),
		"1 MB of brackets": strings.Repeat("{[(", 1<<20/3),
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, ix, Query{Text: text})
			if len(res.Understood.Terms) > maxTextBytes {
				t.Errorf("Terms kept %d bytes, want at most %d", len(res.Understood.Terms), maxTextBytes)
			}
			if n := len(strings.Fields(res.Understood.Terms)); n > maxTerms {
				t.Errorf("%d terms searched, want at most %d", n, maxTerms)
			}
		})
	}
}

// A pasted JSON body with thousands of keys (all that fits in the paste
// limit) must be understood and searched within the search's own deadline
// (searchTimeout, applied when the caller sets none): reading the keys must
// not be quadratic.
func TestPasteWithManyJSONKeysIsWithinBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for c1 := '#'; c1 <= '~'; c1++ {
		for c2 := '#'; c2 <= '~'; c2++ {
			if c1 == '\\' || c2 == '\\' || b.Len() > maxRawBytes-64 {
				continue
			}
			if b.Len() > 1 {
				b.WriteString(",")
			}
			b.WriteString(`"` + string(c1) + string(c2) + `":0`)
		}
	}
	b.WriteString(`,"message":"quota exceeded"}`)
	ix, err := fuzzIndex()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := ix.Search(context.Background(), Query{Text: b.String()})
	if err != nil {
		t.Fatalf("a %d-byte JSON paste with thousands of keys: %v after %v (the deadline is %v)", b.Len(), err, time.Since(start), searchTimeout)
	}
	if res.Understood.Terms != "quota exceeded" {
		t.Errorf("Terms %q, want the message", clip(res.Understood.Terms, 200))
	}
}
