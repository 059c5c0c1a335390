package index_test

import (
	"testing"

	"github.com/qihang-hz/qihang/services/match/index"
)

func FuzzQuoteFilterValue(f *testing.F) {
	for _, s := range []string{
		"", "萧山区", `x" OR district = "y`, `a\b`, `\`, `"`, `\"`, `\\"`, "line\nbreak",
		`(x) AND [y]`, `NOT x`, `= 'x'`, `\u{41}`, `\n`, "\x00", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := index.QuoteFilterValue(s)
		got, rest, err := index.UnquoteFilterValue(lit)
		if err != nil {
			t.Fatalf("UnquoteFilterValue(%q) for %q: %v", lit, s, err)
		}
		if got != s {
			t.Fatalf("round trip of %q: got %q via %q", s, got, lit)
		}
		if rest != "" {
			t.Fatalf("literal %q for %q ends early, leaving %q", lit, s, rest)
		}
		// no unescaped quote between the delimiters
		body := lit[1 : len(lit)-1]
		for i := 0; i < len(body); i++ {
			switch body[i] {
			case '\\':
				if i+1 >= len(body) {
					t.Fatalf("literal %q ends with a lone backslash", lit)
				}
				i++
			case '"':
				t.Fatalf("literal %q has an unescaped quote at %d", lit, i+1)
			}
		}
		// a literal followed by more filter text stops where it should
		_, rest, err = index.UnquoteFilterValue(lit + ` OR x = "y"`)
		if err != nil || rest != ` OR x = "y"` {
			t.Fatalf("literal %q followed by an expression: rest %q, err %v", lit, rest, err)
		}
	})
}

// Cases from Meilisearch's own filter-parser tests (value.rs, test_value):
// the literal on the left parses to the value on the right.
func TestUnquoteFilterValueMatchesMeilisearch(t *testing.T) {
	for lit, want := range map[string]string{
		`"channel"`:             "channel",
		`"cha'nnel"`:            "cha'nnel",
		`" some spaces "`:       " some spaces ",
		`"\\"`:                  `\`,
		`"\\\\\\"`:              `\\\`,
		`"aa\\aa"`:              `aa\aa`,
		`"Hello \"world\""`:     `Hello "world"`,
		`"Hello \\\"world\\\""`: `Hello \"world\"`,
		`"I'm \"super\" tamo"`:  `I'm "super" tamo`,
		`"\"\""`:                `""`,
	} {
		got, rest, err := index.UnquoteFilterValue(lit)
		if err != nil || got != want || rest != "" {
			t.Errorf("UnquoteFilterValue(%s) = %q, %q, %v; want %q", lit, got, rest, err, want)
		}
		if q := index.QuoteFilterValue(want); q != lit {
			t.Errorf("QuoteFilterValue(%q) = %s, want %s", want, q, lit)
		}
	}
}
