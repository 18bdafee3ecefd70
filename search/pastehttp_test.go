package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTakeHTTP(t *testing.T) {
	in := strings.Join([]string{
		`$ curl -i -X POST "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json" -d To=+1415`,
		`HTTP/1.1 400 BAD REQUEST`,
		`Date: Thu, 02 May 2024 10:11:12 GMT`,
		`Content-Length: 174`,
		`Twilio-Request-Id: RQ3b8e`,
		``,
		`{"code": 21211, "message": "The 'To' number is not a valid phone number."}`,
	}, "\n")
	f := fields{shape: shapeHTTP}
	rest := f.takeHTTP(in)
	if !slices.Equal(f.status, []int{400}) || !slices.Equal(f.reason, []string{"Bad Request"}) {
		t.Errorf("status %v reason %q, want [400] and Bad Request", f.status, f.reason)
	}
	for _, gone := range []string{"curl", "HTTP/1.1", "BAD REQUEST", "Content-Length", "174", "Twilio-Request-Id"} {
		if strings.Contains(rest, gone) {
			t.Errorf("rest %q still holds %q", rest, gone)
		}
	}
	if !strings.Contains(rest, `"code": 21211`) {
		t.Errorf("rest %q lost the body", rest)
	}
	// curl -v marks the response lines with <.
	f = fields{shape: shapeHTTP}
	rest = f.takeHTTP("< HTTP/2 429\n< retry-after: 27\n<\n{\"error\":\"x\"}")
	if !slices.Equal(f.status, []int{429}) || strings.Contains(rest, "retry-after") || !strings.Contains(rest, `{"error":"x"}`) {
		t.Errorf("curl -v: status %v, rest %q", f.status, rest)
	}
}

func TestTakeStatuses(t *testing.T) {
	for _, c := range []struct {
		in     string
		status []int
		reason []string
		rest   string // what stays
	}{
		{"HTTP/1.1 429 Too Many Requests", []int{429}, []string{"Too Many Requests"}, ""},
		{"HTTP/2 503", []int{503}, nil, ""},
		{"status=401 Could not verify", []int{401}, nil, "Could not verify"},
		{`"status": 400,`, []int{400}, nil, ""},
		{"Request failed with status code 405", []int{405}, nil, "Request failed with"},
		{"urllib.error.HTTPError: HTTP Error 416: Requested Range Not Satisfiable", []int{416}, []string{"Requested Range Not Satisfiable"}, "urllib.error.HTTPError:"},
		{"406 Client Error: Not Acceptable for url", []int{406}, []string{"Not Acceptable"}, "for url"},
		{"The remote server returned an error: (411) Length Required.", []int{411}, []string{"Length Required"}, "The remote server returned an error:"},
		{"googleapi: Error 403: Gmail API has not been used", []int{403}, nil, "Gmail API has not been used"},
		{"[HTTP 400] 21612 : Unable to create record", []int{400}, nil, "21612 : Unable"},
		{"403 : Forbidden", []int{403}, []string{"Forbidden"}, ""},
		// No status position: a number alone, a project, a count, a year.
		{"project 123456789012 before", nil, nil, "project 123456789012"},
		{"office 365 returned", nil, nil, "office 365"},
		{"line 434, in create", nil, nil, "line 434"},
		{"404 Not Foundation", nil, nil, "404 Not Foundation"},
		{"Error 11200", nil, nil, "Error 11200"},
		{"status 600", nil, nil, "status 600"},
	} {
		f := fields{shape: shapeLog}
		rest := f.takeStatuses(c.in)
		if !slices.Equal(f.status, c.status) || !slices.Equal(f.reason, c.reason) {
			t.Errorf("takeStatuses(%q): status %v reason %q, want %v %q", c.in, f.status, f.reason, c.status, c.reason)
		}
		if !strings.Contains(rest, c.rest) {
			t.Errorf("takeStatuses(%q) left %q, which lacks %q", c.in, rest, c.rest)
		}
	}
}

func TestTakeCodes(t *testing.T) {
	for in, want := range map[string][]string{
		"Sign-in error code 53003 Failure reason":                        {"53003"},
		"Error Code: 50034":                                              {"50034"},
		"Status: 400 - ApiError 21211: The 'To'":                         {"21211"},
		"errorNo: '65001',":                                              {"65001"},
		"error_code=30008":                                               {"30008"},
		"see https://www.twilio.com/docs/errors/21211 for more":          {"21211"},
		"https://login.microsoftonline.com/error?code=50126":             {"50126"},
		"sent +14155550123 at 2024-05-02, line 1600 of the message body": nil,
		"port 44321 in https://localhost:44321/signin-oidc":              nil,
	} {
		f := fields{}
		if f.takeCodes(in); !slices.Equal(f.codes, want) {
			t.Errorf("takeCodes(%q) = %q, want %q", in, f.codes, want)
		}
	}
}

// TestNumberWithoutStatusText: a three-digit number no status has is no
// status, whatever follows it (it used to be taken with an empty reason).
func TestNumberWithoutStatusText(t *testing.T) {
	for _, s := range []string{"107  ", "299: boom", "(107) x", "429 "} {
		f := readFields(s, nil) // every pass: "107 " is plain typed text
		for _, r := range f.reason {
			if r == "" {
				t.Errorf("%q: an empty reason phrase", s)
			}
		}
		if len(f.status) > 0 {
			t.Errorf("%q: statuses %v, want none", s, f.status)
		}
	}
	if f := extractFields("(429) Too Many Requests", nil); len(f.status) != 1 || f.status[0] != 429 {
		t.Errorf("(429) Too Many Requests: statuses %v, want [429]", f.status)
	}
}
