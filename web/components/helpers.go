package components

import (
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
