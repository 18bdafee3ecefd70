package components

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
)

func fullTitle(t string) string {
	if t == "" || t == "Errata" {
		return "Errata — API errors explained"
	}
	return t + " · Errata"
}

func itoa(n int) string { return strconv.Itoa(n) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// reason is the standard phrase of a status ("Too Many Requests").
func reason(status int) string {
	if status == 0 {
		return "No HTTP status"
	}
	return http.StatusText(status)
}

// sameText reports whether a code and a title say the same ("ErrorItemNotFound"
// titled ErrorItemNotFound), so that a heading shows it once.
func sameText(code, title string) bool {
	return code != "" && strings.EqualFold(strings.TrimSpace(code), strings.TrimSpace(title))
}

// text is s as HTML text, escaped as templ.EscapeString escapes { s }. A
// results page writes a few hundred texts: { s } first copies each through
// fmt.Sprint (two allocations) and escaping copies it again when it holds
// a quote or an ampersand; text writes it to the page's buffer in pieces.
type text string

func (t text) Render(_ context.Context, w io.Writer) error {
	s := string(t)
	for {
		i := strings.IndexAny(s, `<>&'"`)
		if i < 0 {
			_, err := io.WriteString(w, s)
			return err
		}
		if _, err := io.WriteString(w, s[:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, htmlEntity[s[i]]); err != nil {
			return err
		}
		s = s[i+1:]
	}
}

// htmlEntity is what html.EscapeString, and so templ, writes for each
// byte it escapes.
var htmlEntity = [...]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '\'': "&#39;", '"': "&#34;"}

// number is n as HTML text, digits that need no escaping.
type number int

func (n number) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, strconv.Itoa(int(n)))
	return err
}
