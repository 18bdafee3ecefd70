package content

import "fmt"

// Limits that keep goldmark's parse time bounded. Its block parser slows
// with nesting depth and its inline parser with the number of delimiters in
// one paragraph (both worse than linear): within MaxFileSize a crafted file
// could take tens of seconds. Real entries stay far below both limits.
const (
	maxNesting    = 32   // quote and list markers opening one line
	maxDelimiters = 4000 // emphasis, link and code punctuation in one paragraph
)

// guardBody finds the first place the body exceeds a limit. It returns the
// 0-based line in body, and what is wrong and how to fix it; ok is false
// when a limit is exceeded.
func guardBody(body []byte) (line int, what, fix string, ok bool) {
	delims, paraStart := 0, 0
	for i, start := 0, 0; start < len(body); i++ {
		end := start
		for end < len(body) && body[end] != '\n' {
			end++
		}
		l := body[start:end]
		if depth := nesting(l); depth > maxNesting {
			what, fix := tooNested(depth)
			return i, what, fix, false
		}
		if blank(l) {
			delims = 0
		} else {
			if delims == 0 {
				paraStart = i
			}
			for _, c := range l {
				switch c {
				case '*', '_', '[', ']', '(', ')', '<', '>', '`', '!', '~':
					delims++
				}
			}
			if delims > maxDelimiters {
				return paraStart, fmt.Sprintf("a paragraph with more than %d Markdown punctuation marks (* _ [ ] ( ) < > ` ! ~)", maxDelimiters),
					"split it into shorter paragraphs, or put literal text in a code block", false
			}
		}
		start = end + 1
	}
	return 0, "", "", true
}

// tooNested is the problem and its fix for containers nested depth deep,
// found on one line (guardBody) or in the parsed tree (parseBody).
func tooNested(depth int) (what, fix string) {
	return fmt.Sprintf("quotes or lists nested %d deep", depth), fmt.Sprintf("nest at most %d levels", maxNesting)
}

func blank(l []byte) bool {
	for _, c := range l {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// nesting counts the block-quote and list markers that open a line.
func nesting(l []byte) int {
	depth, i := 0, 0
	for i < len(l) {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
		switch {
		case i < len(l) && l[i] == '>':
			i++
		case i+1 < len(l) && (l[i] == '-' || l[i] == '*' || l[i] == '+') && (l[i+1] == ' ' || l[i+1] == '\t'):
			i += 2
		default:
			j := i
			for j < len(l) && j-i < 9 && l[j] >= '0' && l[j] <= '9' {
				j++
			}
			if j > i && j+1 < len(l) && (l[j] == '.' || l[j] == ')') && (l[j+1] == ' ' || l[j+1] == '\t') {
				i = j + 2
			} else {
				return depth
			}
		}
		depth++
	}
	return depth
}
