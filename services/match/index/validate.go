package index

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// fieldNameOK: field names become parts of engine field names and of
// Meilisearch filter expressions, so they are plain identifiers.
func fieldNameOK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func textOK(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, MarkStart) && !strings.Contains(s, MarkEnd)
}

// ValidID reports whether id is usable as a document id in both engines:
// 1..MaxIDBytes bytes of [A-Za-z0-9_-].
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Validate checks the schema: a known-looking kind, identifier field names, no
// name used twice, exact-text keywords among the keywords.
func (s Schema) Validate() error {
	if !fieldNameOK(string(s.Kind)) {
		return invalid("schema kind %q: lower-case identifier required", s.Kind)
	}
	seen := map[string]bool{IDField: true, "title": true}
	for _, list := range [][]string{s.TextFields, s.KeywordFields, s.NumberFields} {
		for _, f := range list {
			if !fieldNameOK(f) {
				return invalid("schema %s field %q: lower-case identifier required", s.Kind, f)
			}
			if seen[f] {
				return invalid("schema %s field %q: declared twice or reserved", s.Kind, f)
			}
			seen[f] = true
		}
	}
	for _, f := range s.ExactTextKeywords {
		if !slices.Contains(s.KeywordFields, f) {
			return invalid("schema %s exact text keyword %q: not a keyword field", s.Kind, f)
		}
	}
	return nil
}

// ValidateDocuments checks documents against the schema: valid ids, declared
// fields, valid UTF-8 text, non-empty keyword values of at most
// MaxKeywordBytes, finite numbers.
func (s Schema) ValidateDocuments(docs []Document) error {
	for i, d := range docs {
		if !ValidID(d.ID) {
			return invalid("documents[%d].id %q: 1..%d characters of A-Z a-z 0-9 _ - required", i, d.ID, MaxIDBytes)
		}
		if !textOK(d.Title) {
			return invalid("documents[%d] (%s).title: invalid UTF-8 or the reserved runes U+E000/U+E001", i, d.ID)
		}
		for f, v := range d.Text {
			if !slices.Contains(s.TextFields, f) {
				return invalid("documents[%d] (%s).text.%s: not a text field of %s", i, d.ID, f, s.Kind)
			}
			if !textOK(v) {
				return invalid("documents[%d] (%s).text.%s: invalid UTF-8 or the reserved runes U+E000/U+E001", i, d.ID, f)
			}
		}
		for f, vs := range d.Keywords {
			if !slices.Contains(s.KeywordFields, f) {
				return invalid("documents[%d] (%s).keywords.%s: not a keyword field of %s", i, d.ID, f, s.Kind)
			}
			for _, v := range vs {
				if v == "" || len(v) > MaxKeywordBytes || !utf8.ValidString(v) {
					return invalid("documents[%d] (%s).keywords.%s %q: 1..%d bytes of UTF-8 required", i, d.ID, f, v, MaxKeywordBytes)
				}
			}
		}
		for f, v := range d.Numbers {
			if !slices.Contains(s.NumberFields, f) {
				return invalid("documents[%d] (%s).numbers.%s: not a number field of %s", i, d.ID, f, s.Kind)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return invalid("documents[%d] (%s).numbers.%s: finite number required", i, d.ID, f)
			}
		}
	}
	return nil
}

// ValidateQuery checks a query against the schema: declared fields, each
// condition either keyword values or a number range, limits in range.
func (s Schema) ValidateQuery(q Query) error {
	if !utf8.ValidString(q.Text) {
		return invalid("query.text: invalid UTF-8")
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return invalid("query.limit %d: 0..%d required", q.Limit, MaxLimit)
	}
	if q.Offset < 0 || q.Offset+q.Limit > MaxWindow {
		return invalid("query.offset %d: offset ≥ 0 and offset+limit ≤ %d required", q.Offset, MaxWindow)
	}
	for gi, g := range q.Filter.All {
		if len(g) == 0 {
			return invalid("query.filter.all[%d]: empty group", gi)
		}
		for ci, c := range g {
			if err := s.validateCond(c); err != nil {
				return fmt.Errorf("query.filter.all[%d][%d]: %w", gi, ci, err)
			}
		}
	}
	for i, sb := range q.Sort {
		if sb.Field != IDField && !slices.Contains(s.NumberFields, sb.Field) {
			return invalid("query.sort[%d] %q: a number field of %s or %q required", i, sb.Field, s.Kind, IDField)
		}
	}
	for i, f := range q.Facets {
		if !slices.Contains(s.KeywordFields, f) {
			return invalid("query.facets[%d] %q: a keyword field of %s required", i, f, s.Kind)
		}
	}
	return nil
}

func (s Schema) validateCond(c Cond) error {
	isKeyword := c.Field == IDField || slices.Contains(s.KeywordFields, c.Field)
	isNumber := slices.Contains(s.NumberFields, c.Field)
	switch {
	case isKeyword:
		if c.Min != nil || c.Max != nil {
			return invalid("field %q: a keyword field takes any_of, not a range", c.Field)
		}
		if len(c.AnyOf) == 0 {
			return invalid("field %q: any_of needs at least one value", c.Field)
		}
		for _, v := range c.AnyOf {
			if !utf8.ValidString(v) {
				return invalid("field %q: value %q is not valid UTF-8", c.Field, v)
			}
		}
	case isNumber:
		if len(c.AnyOf) > 0 {
			return invalid("field %q: a number field takes min/max, not any_of", c.Field)
		}
		if c.Min == nil && c.Max == nil {
			return invalid("field %q: min or max required", c.Field)
		}
		for _, b := range []*float64{c.Min, c.Max} {
			if b != nil && (math.IsNaN(*b) || math.IsInf(*b, 0)) {
				return invalid("field %q: finite bounds required", c.Field)
			}
		}
	default:
		return invalid("field %q: not a keyword or number field of %s", c.Field, s.Kind)
	}
	return nil
}

// IsExactText reports whether field is one of the schema's ExactTextKeywords.
func (s Schema) IsExactText(field string) bool { return slices.Contains(s.ExactTextKeywords, field) }
