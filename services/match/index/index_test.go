package index_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/services/match/index"
)

func TestSynonymMapIsMultiWay(t *testing.T) {
	m := index.SynonymMap()
	for _, g := range index.SynonymGroups() {
		for _, a := range g {
			for _, b := range g {
				if a != b && !slices.Contains(m[a], b) {
					t.Errorf("%q does not lead to %q", a, b)
				}
			}
		}
	}
	for _, pair := range [][2]string{{"跨境电商", "跨境电子商务"}, {"亚马逊", "Amazon"}, {"杭服协", "杭州市服装行业协会"}, {"独立站", "DTC"}} {
		if !slices.Contains(m[pair[0]], pair[1]) || !slices.Contains(m[pair[1]], pair[0]) {
			t.Errorf("missing synonym pair %v", pair)
		}
	}
}

func TestExpandSynonyms(t *testing.T) {
	for word, want := range map[string][]string{
		"跨境电子商务":   {"跨境电子商务", "跨境电商"},
		"amazon":   {"amazon", "亚马逊"},
		"杭州跨境电商企业": {"杭州跨境电商企业", "杭州跨境电子商务企业"},
		"无关词":      {"无关词"},
	} {
		got := index.ExpandSynonyms(word)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("ExpandSynonyms(%q) = %v, missing %q", word, got, w)
			}
		}
		if got[0] != word {
			t.Errorf("ExpandSynonyms(%q) starts with %q", word, got[0])
		}
	}
	if n := len(index.ExpandSynonyms(strings.Repeat("服装家具玩具箱包鞋靴", 5))); n > 17 {
		t.Errorf("expansion not bounded: %d variants", n)
	}
}

func TestHighlightSpans(t *testing.T) {
	text := "萧山羽绒服<b>"
	got := index.HighlightSpans(text, []index.Span{{6, 12}, {9, 15}, {100, 120}})
	if want := "萧山<em>羽绒服</em>&lt;b&gt;"; got != want {
		t.Errorf("HighlightSpans = %q, want %q", got, want)
	}
	got, found := index.HighlightMarked("a" + index.MarkStart + "<羽绒>" + index.MarkEnd + "&")
	if want := "a<em>&lt;羽绒&gt;</em>&amp;"; got != want || !found {
		t.Errorf("HighlightMarked = %q %v, want %q", got, found, want)
	}
}

func TestSchemaValidation(t *testing.T) {
	good := index.Schema{Kind: index.KindPolicy, TextFields: []string{"summary"}, KeywordFields: []string{"status", "hs_codes"}, NumberFields: []string{"valid_to"}, ExactTextKeywords: []string{"hs_codes"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good): %v", err)
	}
	for name, s := range map[string]index.Schema{
		"bad kind":       {Kind: "Firms!"},
		"dup field":      {Kind: "firms", TextFields: []string{"a"}, KeywordFields: []string{"a"}},
		"reserved id":    {Kind: "firms", KeywordFields: []string{"id"}},
		"bad name":       {Kind: "firms", NumberFields: []string{"Bad-Name"}},
		"exact not a kw": {Kind: "firms", TextFields: []string{"a"}, ExactTextKeywords: []string{"a"}},
	} {
		if err := s.Validate(); !errors.Is(err, index.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", name, err)
		}
	}
	err := good.ValidateDocuments([]index.Document{{ID: "ok", Title: "x" + index.MarkStart}})
	if !errors.Is(err, index.ErrInvalid) {
		t.Errorf("marker rune in title: err %v", err)
	}
	if d := cmp.Diff(true, index.ValidID("a-B_9")); d != "" {
		t.Error(d)
	}
}
