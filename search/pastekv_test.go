package search

import (
	"slices"
	"strings"
	"testing"
)

func TestKeyKind(t *testing.T) {
	for kind, keys := range map[keyKindT][]string{
		kindMessage: {"message", "error_description", "errorDescription", "Failure reason", "faultstring", "MessageText", "StatusMessage", "detail", "title", "msg", "err", "error", "Error message", "statusText"},
		kindCode:    {"code", "error_code", "ErrorCode", "ResponseCode", "faultcode", "error_codes", "errorNo", "reason", "Sign-in error code", "Status Code", "type"},
		kindStatus:  {"status", "MessageStatus", "SmsStatus", "http_status"},
		kindURL:     {"more_info", "moreInfo", "error_uri", "url", "ErrorUrl"},
		kindDrop:    {"request_id", "client-request-id", "Correlation ID", "timestamp", "ts", "@t", "level", "AccountSid", "to", "From", "Date (UTC)", "User", "trace_id"},
		kindOther:   {"method", "Operation", "retry_after", "userRateLimitExceeded", "Application", "component"},
	} {
		for _, k := range keys {
			if got := keyKind(k); got != kind {
				t.Errorf("keyKind(%q) = %d, want %d", k, got, kind)
			}
		}
	}
}

func TestTakeURLs(t *testing.T) {
	for _, c := range []struct {
		name, in string
		msgs     []string // fields read as messages
		codes    []string
		rest     string // what must stay as text
	}{
		{"redirect", "https://app.example.com/cb?error=access_denied&error_description=AADSTS65004%3a+User+declined+to+consent.&state=x",
			[]string{"access_denied", "AADSTS65004: User declined to consent."}, []string{"access_denied"}, ""},
		{"fragment", "https://tab.example.com/end#error=login_required&error_description=AADSTS50058%3a+A+silent+sign-in+request", []string{"AADSTS50058: A silent sign-in request"}, nil, ""},
		{"form post", "MessageStatus=undelivered&ErrorCode=30003&To=%2B14155550123&AccountSid=AC1", nil, []string{"30003"}, ""},
		{"form with a JSON payload", "Level=ERROR&Payload=%7B%22error_code%22%3A%2211200%22%2C%22more_info%22%3A%7B%22msg%22%3A%22Bad+Gateway%22%7D%7D&Sid=NO1", nil, []string{"11200"}, ""},
		{"encoded words", "says Gmail%20API%20has%20not%20been%20used here", nil, nil, "Gmail API has not been used"},
		{"plain URL stays", "see https://www.twilio.com/docs/errors/21211 now", nil, nil, "https://www.twilio.com/docs/errors/21211"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fields{}
			rest := f.takeURLs(c.in)
			checkFields(t, f, c.msgs, c.codes)
			if !strings.Contains(rest, c.rest) {
				t.Errorf("rest %q lacks %q", rest, c.rest)
			}
		})
	}
}

func TestTakePairs(t *testing.T) {
	f := fields{}
	rest := f.takePairs(strings.Join([]string{
		`level=error msg="sms send failed" provider=twilio to=+14155550123 code=21610 err="Attempt to send to unsubscribed recipient" method=GET`,
		`Sign-in error code: 50126`,
		`Failure reason: Invalid username or password.`,
		`Request ID: 5b2f7c1e-9a4d-4e8b-b3c6-0d1e2f3a4b5c`,
		`  status: 400,`,
		`  moreInfo: 'https://www.twilio.com/docs/errors/21606',`,
		`Unable to create record: Attempt to send`,
		`userRateLimitExceeded: User Rate Limit Exceeded`,
	}, "\n"))
	checkFields(t, f,
		[]string{"sms send failed", "Attempt to send to unsubscribed recipient", "Invalid username or password."},
		[]string{"21610", "50126", "21606", "userRateLimitExceeded"})
	if !slices.Equal(f.status, []int{400}) {
		t.Errorf("status %v, want [400]", f.status)
	}
	for _, gone := range []string{"level=", "provider=", "+14155550123", "method", "5b2f7c1e", "Sign-in"} {
		if strings.Contains(rest, gone) {
			t.Errorf("rest %q still holds %q", rest, gone)
		}
	}
	// A line whose key says nothing is a message, not a field.
	for _, kept := range []string{"Unable to create record: Attempt to send", "User Rate Limit Exceeded"} {
		if !strings.Contains(rest, kept) {
			t.Errorf("rest %q lost %q", rest, kept)
		}
	}
}
