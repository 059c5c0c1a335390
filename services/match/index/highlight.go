package index

import (
	"html"
	"sort"
	"strings"
)

// Span is a byte range [Start, End) of a text that matched a query.
type Span struct{ Start, End int }

// HighlightSpans returns text HTML-escaped with every span (merged where they
// touch or overlap) wrapped in <em>…</em>. Spans outside text or not on UTF-8
// boundaries are clipped to text.
func HighlightSpans(text string, spans []Span) string {
	if len(spans) == 0 {
		return html.EscapeString(text)
	}
	s := append([]Span(nil), spans...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	var b strings.Builder
	pos := 0
	for i := 0; i < len(s); i++ {
		start, end := max(s[i].Start, pos), min(s[i].End, len(text))
		for i+1 < len(s) && s[i+1].Start <= end {
			i++
			end = max(end, min(s[i].End, len(text)))
		}
		if start >= end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:start]))
		b.WriteString("<em>")
		b.WriteString(html.EscapeString(text[start:end]))
		b.WriteString("</em>")
		pos = end
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return b.String()
}

// Private-use runes that engines can be asked to put around matches, so that
// the text can be escaped afterwards (see HighlightMarked).
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// HighlightMarked turns text whose matches are wrapped in MarkStart/MarkEnd
// into HTML-escaped text with <em>…</em>, and reports whether anything was
// marked. Documents may not contain the marker runes (ValidateDocuments).
func HighlightMarked(marked string) (string, bool) {
	esc := html.EscapeString(marked)
	found := strings.Contains(esc, MarkStart)
	esc = strings.ReplaceAll(esc, MarkStart, "<em>")
	esc = strings.ReplaceAll(esc, MarkEnd, "</em>")
	esc = strings.ReplaceAll(esc, "<em></em>", "")
	return esc, found
}
