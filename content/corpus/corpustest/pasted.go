package corpustest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"github.com/errata/errata/content"
)

// pastedFillers stand for a message's placeholders: an id, an email, a
// number, a tenant, an account SID, a URL.
var pastedFillers = []string{"3f9c2a7e-41b8-4d2e-9a6c-7e1f0b5d8c24", "jane.doe@contoso.com", "48213", "contoso.onmicrosoft.com", "AC2f9e41b0d7c35e8a6f1b2c3d4e5f6a7b", "https://api.example.com/v1/items/991"}

var pastedPlaceholder = regexp.MustCompile(`\{[^{}]*\}`)

// PastedError is msg, a message of e, as a developer pastes it: its
// placeholders filled in, inside one of the JSON error shapes APIs answer
// ({"error":{"code","message"}}, {"message","type"}, OAuth's
// {"error","error_description"}) under an HTTP status line, in a log line
// with a request id, or after "HTTP 429 Too Many Requests" in a WARN line.
// rng decides everything, so a seed gives the same pastes.
func PastedError(rng *rand.Rand, e content.Entry, msg string) string {
	filled := pastedPlaceholder.ReplaceAllStringFunc(msg, func(string) string { return pastedFillers[rng.IntN(len(pastedFillers))] })
	status := e.Status
	if status == 0 {
		status = 400
	}
	code := e.Title
	for _, a := range e.Aliases {
		if !strings.ContainsFunc(a, unicode.IsSpace) && strings.ContainsFunc(a, unicode.IsDigit) {
			code = a
			break
		}
	}
	jmsg, _ := json.Marshal(filled)
	jcode, _ := json.Marshal(code)
	ts := fmt.Sprintf("2026-11-%02dT%02d:%02d:%02d.%03dZ", 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1000))
	reqID := pastedFillers[0]
	switch rng.IntN(3) {
	case 0:
		return fmt.Sprintf("HTTP/1.1 %d %s\nContent-Type: application/json\nrequest-id: %s\n\n{\"error\":{\"code\":%s,\"message\":%s}}",
			status, http.StatusText(status), reqID, jcode, jmsg)
	case 1:
		return fmt.Sprintf("%s ERROR [worker-%d] POST https://api.example.com/v2/send failed: status=%d request_id=%s body={\"message\":%s,\"type\":%s}",
			ts, rng.IntN(16), status, reqID, jmsg, jcode)
	default:
		return fmt.Sprintf("%s WARN client.go:%d: HTTP %d %s: {\"error\":%s,\"error_description\":%s}",
			ts, 100+rng.IntN(400), status, http.StatusText(status), jcode, jmsg)
	}
}
