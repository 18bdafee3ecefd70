package search

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseStatus reads "429", "400,401", "400-499", "4xx", "none" (entries
// without a status) and combinations such as "none,5xx" ("" means any status).
func ParseStatus(s string) (StatusSet, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	bad := func(msg string) error {
		return &InvalidError{Param: "status", Value: echo(s, 64), Message: msg}
	}
	if len(s) > maxFilterLen {
		return nil, bad("is too long; give a few codes such as 429, a range such as 400-499, a class such as 4xx, or none.")
	}
	var set StatusSet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, ok := noStatus, strings.EqualFold(part, StatusNone)
		if !ok {
			r, ok = parseStatusPart(part)
		}
		if !ok {
			return nil, bad(fmt.Sprintf("%q is not a status; use a code from 100 to 599 such as 429, a range such as 400-499, a class such as 4xx, none for entries without a status, or a comma-separated list of these.", clip(part, 32)))
		}
		set = append(set, r)
	}
	if len(set) == 0 {
		return nil, bad("names no status; use a code such as 429, a range such as 400-499, a class such as 4xx, or none.")
	}
	return set.normalize(), nil
}

// noStatus is StatusNone as a range: entries without a status have status 0.
var noStatus = StatusRange{0, 0}

// parseStatusPart reads one code, range or class ("none" is read by
// ParseStatus only: typed among words it is a word, not a status).
func parseStatusPart(p string) (StatusRange, bool) {
	lp := strings.ToLower(p)
	if len(lp) == 3 && lp[1:] == "xx" && lp[0] >= '1' && lp[0] <= '5' {
		lo := int(lp[0]-'0') * 100
		return StatusRange{lo, lo + 99}, true
	}
	if lo, hi, ok := strings.Cut(p, "-"); ok {
		a, okA := parseCode(strings.TrimSpace(lo))
		b, okB := parseCode(strings.TrimSpace(hi))
		if !okA || !okB || a > b {
			return StatusRange{}, false
		}
		return StatusRange{a, b}, true
	}
	c, ok := parseCode(p)
	return StatusRange{c, c}, ok
}

// parseCode reads a three-digit HTTP status 100–599.
func parseCode(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 100 && n <= 599
}

// normalize sorts ranges and merges overlapping or touching ones.
func (s StatusSet) normalize() StatusSet {
	slices.SortFunc(s, func(a, b StatusRange) int { return a.Lo - b.Lo })
	out := s[:0]
	for _, r := range s {
		if n := len(out); n > 0 && r.Lo <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// String is the canonical form of the set ("400-499", "none,500-599"),
// which ParseStatus reads back as the same set.
func (s StatusSet) String() string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		if r == noStatus {
			b.WriteString(StatusNone)
			continue
		}
		b.WriteString(strconv.Itoa(r.Lo))
		if r.Hi != r.Lo {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.Hi))
		}
	}
	return b.String()
}

// Contains reports whether code is in the set (0 for an entry without a
// status); an empty set contains every code.
func (s StatusSet) Contains(code int) bool {
	if len(s) == 0 {
		return true
	}
	for _, r := range s {
		if code >= r.Lo && code <= r.Hi {
			return true
		}
	}
	return false
}

// intersect keeps the codes in both sets; an empty set is "any".
func (s StatusSet) intersect(o StatusSet) (StatusSet, bool) {
	if len(s) == 0 {
		return o, true
	}
	if len(o) == 0 {
		return s, true
	}
	var out StatusSet
	for _, a := range s {
		for _, b := range o {
			lo, hi := max(a.Lo, b.Lo), min(a.Hi, b.Hi)
			if lo <= hi {
				out = append(out, StatusRange{lo, hi})
			}
		}
	}
	return out.normalize(), len(out) > 0
}
