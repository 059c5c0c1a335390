package index

import (
	"errors"
	"strings"
)

// QuoteFilterValue returns s as a double-quoted Meilisearch filter literal:
// every backslash and double quote is escaped with a backslash, nothing else
// is touched. Meilisearch's filter parser (v1.x) reads a quoted value by
// skipping the character after each backslash, turns \" back into ", and then
// unescapes the rest (\\ → \); so the literal always parses back to exactly s,
// and operators (OR, AND, NOT, =, brackets, newlines) inside s stay part of the
// value. UnquoteFilterValue is that parse, for tests.
func QuoteFilterValue(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// UnquoteFilterValue parses a double-quoted filter literal at the start of
// lit the way Meilisearch's filter parser does, and returns the value and the
// rest of lit after the closing quote. It follows the parser's two steps:
// find the closing quote (a backslash always takes the next character with
// it), replace \" with ", then unescape backslash sequences; only \\ and \"
// are accepted (the parser also knows \n, \t, \u{…}, which QuoteFilterValue
// never writes).
func UnquoteFilterValue(lit string) (value, rest string, err error) {
	if !strings.HasPrefix(lit, `"`) {
		return "", "", errors.New("filter literal: no opening quote")
	}
	body := lit[1:]
	end := -1
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' {
			if i+1 >= len(body) {
				return "", "", errors.New("filter literal: backslash at the end")
			}
			i++
			continue
		}
		if body[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		return "", "", errors.New("filter literal: no closing quote")
	}
	raw := strings.ReplaceAll(body[:end], `\"`, `"`)
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			b.WriteByte(raw[i])
			continue
		}
		if i+1 >= len(raw) {
			return "", "", errors.New("filter literal: incomplete escape")
		}
		switch raw[i+1] {
		case '\\', '"':
			b.WriteByte(raw[i+1])
			i++
		default:
			return "", "", errors.New("filter literal: unexpected escape")
		}
	}
	return b.String(), body[end+1:], nil
}
