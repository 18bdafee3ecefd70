package search

import (
	"slices"
	"strings"
	"testing"
)

// Each language's trace loses its frames and keeps its message; the
// exception's class is a code candidate, and its words, bar Error and
// Exception, only score.
func TestTakeTrace(t *testing.T) {
	for _, c := range []struct {
		lang, in string
		keep     string   // the message
		codes    []string // codes read from classes
		words    []string // class words
		gone     []string
	}{
		{"python", "Traceback (most recent call last):\n  File \"/app/tasks.py\", line 58, in send_sms\n    message = client.messages.create(\n              ^^^^^^^^^^^^^^^^^^\n  File \"/venv/twilio/base/version.py\", line 434, in _parse_create\n    raise self.exception(method, uri, response, \"Unable to create record\")\ntwilio.base.exceptions.TwilioRestException: HTTP 400 error: Unable to create record: Attempt to send to unsubscribed recipient",
			"HTTP 400 error: Unable to create record: Attempt to send to unsubscribed recipient", []string{"TwilioRestException"}, []string{"twilio rest"}, []string{"Traceback", "tasks.py", "client.messages.create", "^^^", "raise self.exception"}},
		{"java", "com.twilio.exception.ApiException: Attempt to send to unsubscribed recipient\n\tat com.twilio.rest.api.v2010.account.MessageCreator.create(MessageCreator.java:495)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\nCaused by: java.net.SocketException: Connection reset\n\t... 12 more",
			"Attempt to send to unsubscribed recipient", []string{"ApiException", "SocketException"}, []string{"api", "socket"}, []string{"MessageCreator", "Thread.java", "12 more"}},
		{".NET", "Microsoft.Identity.Client.MsalUiRequiredException: AADSTS50076: Due to a configuration change\n   at Microsoft.Identity.Client.Internal.Requests.RequestBase.RunAsync(CancellationToken cancellationToken)\n   --- End of inner exception stack trace ---\n   at Contoso.Mail.TokenProvider.GetTokenAsync() in D:\\a\\1\\s\\TokenProvider.cs:line 48",
			"AADSTS50076: Due to a configuration change", []string{"MsalUiRequiredException"}, []string{"msal ui required"}, []string{"RunAsync", "End of inner", "TokenProvider.cs"}},
		{"node", "RestException [Error]: The From phone number +14155550100 is not a valid, SMS-capable inbound phone number\n    at success (/app/node_modules/twilio/lib/base/Version.js:79:23)\n    at process.processTicksAndRejections (node:internal/process/task_queues:77:11) {\n  status: 400,\n  code: 21606,",
			"The From phone number +14155550100 is not a valid, SMS-capable inbound phone number", []string{"RestException"}, []string{"rest"}, []string{"Version.js", "processTicksAndRejections"}},
		{"go", "panic: upload report: 409 Conflict: nameAlreadyExists: Name already exists\n\ngoroutine 1 [running]:\nmain.uploadReport({0xc0000b4000, 0x1d}, 0xc0001a2000)\n\t/home/dev/reports/upload.go:88 +0x2a5\nexit status 2",
			"upload report: 409 Conflict: nameAlreadyExists: Name already exists", nil, nil, []string{"goroutine", "upload.go", "0xc0000b4000", "exit status"}},
		{"ruby", "/usr/local/bundle/gems/google-apis-core-0.14.0/lib/google/apis/core/http_command.rb:244:in `check_status': userRateLimitExceeded: User Rate Limit Exceeded (Google::Apis::RateLimitError)\n\tfrom /app/lib/gmail_importer.rb:33:in `import_page'",
			"userRateLimitExceeded: User Rate Limit Exceeded", []string{"RateLimitError"}, []string{"rate limit"}, []string{"http_command.rb", "gmail_importer", "check_status"}},
		{"ruby, class first", "Twilio::REST::RestError: [HTTP 400] 21612 : Unable to create record\n/usr/local/bundle/gems/twilio-ruby-6.12.1/lib/twilio-ruby/framework/rest/version.rb:225:in `create'",
			"[HTTP 400] 21612 : Unable to create record", []string{"RestError"}, []string{"rest"}, []string{"version.rb"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			f := fields{shape: detectShape(c.in)}
			if f.shape != shapeTrace {
				t.Fatalf("shape %s, want trace", f.shape)
			}
			rest := f.takeTrace(c.in)
			if !strings.Contains(rest, c.keep) {
				t.Errorf("rest %q lost the message %q", rest, c.keep)
			}
			for _, g := range c.gone {
				if strings.Contains(rest, g) {
					t.Errorf("rest %q still holds %q", rest, g)
				}
			}
			if !slices.Equal(f.codes, c.codes) || !slices.Equal(f.classWords, c.words) {
				t.Errorf("codes %q words %q, want %q %q", f.codes, f.classWords, c.codes, c.words)
			}
		})
	}
	// A message that starts like a frame stays: "at least one recipient".
	f := fields{shape: shapeTrace}
	if rest := f.takeTrace("x.Y: send failed\n  at least one recipient is not valid\n\tat a.B.c(B.java:1)"); !strings.Contains(rest, "at least one recipient is not valid") {
		t.Errorf("a message line was taken for a frame: %q", rest)
	}
}
