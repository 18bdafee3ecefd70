package components

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
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

// text is s as HTML text, escaped by templ.EscapeString as { s } is. A
// results page writes a few hundred texts: { s } first copies each through
// fmt.Sprint (two allocations), text writes it to the page's buffer as it is.
type text string

func (t text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}

// number is n as HTML text, digits that need no escaping.
type number int

func (n number) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, strconv.Itoa(int(n)))
	return err
}
