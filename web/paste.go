package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/errata/errata/search"
	"github.com/errata/errata/web/components"
)

// Long pastes never have to fit in a URL, whose request head stops at 16
// KiB: the search form posts to / and answers with a 303 to the short /?q=
// of what was understood, and POST /api/v1/search takes a JSON body. Either
// reads up to search.MaxQueryBytes of text.

// maxPasteBody bounds a posted body: a form's percent-encoding can triple a
// paste's bytes, and JSON's escapes of control characters take six.
const maxPasteBody = 6 * search.MaxQueryBytes

// requestError is a request refused for how it was sent (its size, its
// type, its body), with the status to answer and a message saying the fix.
type requestError struct {
	Status  int
	Code    string // API error code
	Heading string
	Message string
	Param   string
}

func (e *requestError) Error() string { return e.Message }

func (e *requestError) problem() problem {
	return problem{Status: e.Status, Code: e.Code, Heading: e.Heading, Message: e.Message, Param: e.Param}
}

// tooLarge refuses a paste over search.MaxQueryBytes, saying how large it was.
func tooLarge(n int, param string) error {
	return &requestError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Heading: "That paste is too long",
		Message: fmt.Sprintf("The text is %s; Errata reads up to %s. Paste the error itself: the exception with its message, or the response body, not the whole log.",
			kib(n), kib(search.MaxQueryBytes)),
		Param: param}
}

// kib writes a size in KiB, or in bytes when small.
func kib(n int) string {
	if n < 1<<10 {
		return strconv.Itoa(n) + " bytes"
	}
	return strconv.Itoa((n+1<<10-1)>>10) + " KiB"
}

// readBody reads at most maxPasteBody bytes of r's body; more is a
// too-large paste, whatever its encoding.
func readBody(w http.ResponseWriter, r *http.Request, param string) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPasteBody))
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return nil, tooLarge(maxPasteBody+1, param)
	}
	return b, err
}

// mediaType is the request's Content-Type without its parameters.
func mediaType(r *http.Request) string {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return t
}

// cataloguePost takes the search form's post (a paste too long for a URL):
// it understands the paste and answers 303 with the catalogue address of
// what was understood, its filters kept, so that the address stays short and
// shareable and every filter link carries only that.
func (s *Server) cataloguePost(w http.ResponseWriter, r *http.Request) error {
	if mediaType(r) != "application/x-www-form-urlencoded" {
		return &requestError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Heading: "That form can’t be read",
			Message: "Post the search form as a form (application/x-www-form-urlencoded), with the text in q."}
	}
	b, err := readBody(w, r, "q")
	if err != nil {
		return err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return &search.InvalidError{Param: "q", Message: "The form could not be read; post it as the page’s search form does."}
	}
	if n := len(v.Get("q")); n > search.MaxQueryBytes {
		return tooLarge(n, "q")
	}
	q, err := s.parseValues(v, false)
	if err != nil {
		return err
	}
	q.PerPage = 1
	res, err := s.run(r, q)
	if err != nil {
		return err
	}
	st := stateOf(q)
	st.Q = res.Understood.Query
	redirectSeeOther(w, st.URL())
	return nil
}

// redirectSeeOther answers 303: the browser fetches target with GET.
func redirectSeeOther(w http.ResponseWriter, target string) {
	w.Header().Set("Location", target)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

// apiSearchBody is the body of POST /api/v1/search: the parameters of the
// GET, with the text in query.
type apiSearchBody struct {
	Query    string   `json:"query"`
	Status   string   `json:"status"`
	Provider []string `json:"provider"`
	Page     int      `json:"page"`
	PerPage  int      `json:"per_page"`
}

// apiSearchPost is POST /api/v1/search: a JSON body such as
// {"query": "<a long stack trace>", "status": "4xx"}, answered as the GET is.
func (s *Server) apiSearchPost(w http.ResponseWriter, r *http.Request) error {
	if mediaType(r) != "application/json" {
		return &requestError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Heading: "That body can’t be read",
			Message: `Send the search as JSON: the header Content-Type: application/json and a body such as {"query": "the error text", "status": "4xx"}.`}
	}
	b, err := readBody(w, r, "query")
	if err != nil {
		return err
	}
	var in apiSearchBody
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return &search.InvalidError{Param: "body", Message: "The body is not the JSON expected (" + jsonProblem(err) +
			`): send {"query": "…"} with optional "status", "provider" (a list), "page" and "per_page".`}
	}
	if dec.More() {
		return &search.InvalidError{Param: "body", Message: "The body holds more than one JSON value: send one object."}
	}
	if n := len(in.Query); n > search.MaxQueryBytes {
		return tooLarge(n, "query")
	}
	v := url.Values{"q": {in.Query}, "status": {in.Status}, "provider": in.Provider}
	if in.Page != 0 {
		v.Set("page", strconv.Itoa(in.Page))
	}
	if in.PerPage != 0 {
		v.Set("per_page", strconv.Itoa(in.PerPage))
	}
	q, err := s.parseValues(v, true)
	if err != nil {
		return err
	}
	return s.writeSearchJSON(w, r, q)
}

// jsonProblem says what is wrong with a JSON body in a few words, naming
// the field when there is one.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("%q must be %s", typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	}
	return "it could not be decoded"
}

// linkText is the text the page's links, title and heading carry: what a
// paste was understood as, when that is shorter than the paste, so that a
// long log line does not ride along in every filter link.
func linkText(q string, u search.Understood) string {
	if u.Pasted && u.Query != "" && len(u.Query) < len(q) {
		return u.Query
	}
	return q
}

// snippetLabels name where a snippet comes from.
var snippetLabels = map[string]string{search.FromMessage: "Message", search.FromCause: "Cause", search.FromSolution: "Solution"}

// answer is the first hit's cause and first solution step when the search
// surely names it (a code of its own, or its whole message), on the first
// page; else nil.
func (s *Server) answer(res *search.Results) *components.Answer {
	if len(res.Hits) == 0 || res.Hits[0].Match == "" || res.Page != 1 {
		return nil
	}
	ix, err := s.index()
	if err != nil {
		return nil
	}
	h := res.Hits[0]
	e, ok := ix.Entry(h.ID)
	if !ok {
		return nil
	}
	a := &components.Answer{Title: e.Title, Href: EntryPath(e.ID), CauseHref: EntryPath(e.ID) + "#cause", SolutionHref: EntryPath(e.ID) + "#solution"}
	a.Why = "its message"
	if h.Match == search.MatchCode {
		a.Why = "its code"
		for _, c := range res.Understood.Codes {
			if slices.ContainsFunc(e.Aliases, func(al string) bool { return strings.EqualFold(al, c) }) {
				a.Why = "its code " + c
				break
			}
		}
	}
	if c, ok := e.Section("cause"); ok {
		a.Cause = firstLines(c.Text, maxAnswerCause)
	}
	if sol, ok := e.Section("solution"); ok {
		a.Step = firstLines(sol.Text, maxAnswerStep)
	}
	return a
}

// Lengths of the answer's excerpts: a paragraph of cause, one step.
const (
	maxAnswerCause = 320
	maxAnswerStep  = 240
)

// firstLines is the start of text up to n bytes: its first line, and the
// next ones while they fit, cut at a word with "…".
func firstLines(text string, n int) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "*-•"))
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			if b.Len()+1+len(line) > n {
				break
			}
			b.WriteByte(' ')
		}
		b.WriteString(line)
		if b.Len() >= n {
			break
		}
	}
	out := b.String()
	if len(out) > n {
		out = Clip(out, n, "")
		if i := strings.LastIndexByte(out, ' '); i > n/2 {
			out = out[:i]
		}
		out += Ellipsis
	}
	return out
}

// best is the first hit's address when it is clearly the best: the search
// surely names it and names no other hit as surely, so that Enter in the
// search box opens it; else "".
func best(res *search.Results) string {
	if len(res.Hits) == 0 || res.Page != 1 {
		return ""
	}
	first := res.Hits[0]
	sure := first.Match != "" && (len(res.Hits) == 1 || res.Hits[1].Match == "")
	if !sure && res.Total != 1 {
		return ""
	}
	return EntryPath(first.ID)
}
