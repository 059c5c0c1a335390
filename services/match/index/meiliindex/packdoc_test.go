package meiliindex

import (
	"reflect"
	"slices"
	"testing"

	"github.com/qihang-hz/qihang/services/match/index"
)

func TestPackDocRoundTrip(t *testing.T) {
	for name, d := range map[string]index.Document{
		"firm": {
			ID: "f1", Version: 7, Title: "杭州某某服饰有限公司",
			Text:     map[string]string{"products": "女装、针织衫", "name_en": ""},
			Keywords: map[string][]string{"district": {"DISTRICT_XIAOSHAN"}, "markets": {"US", "DE", "JP"}, "needs": {}, "uscc": {"91330100799655058B"}},
			Numbers:  map[string]float64{"readiness": 0.625, "negative": -3.5e9},
			Payload:  []byte{0, 1, 2, 255},
		},
		"nil maps and payload": {ID: "a", Version: -2},
		"empty maps and payload": {
			ID: "b", Text: map[string]string{}, Keywords: map[string][]string{}, Numbers: map[string]float64{}, Payload: []byte{},
		},
		"nil keyword list": {ID: "c", Keywords: map[string][]string{"markets": nil}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := unpackDoc(d.ID, packDoc(d))
			if err != nil {
				t.Fatalf("unpackDoc: %v", err)
			}
			if !reflect.DeepEqual(got, d) {
				t.Errorf("unpacked %#v\nwant %#v", got, d)
			}
		})
	}
}

func TestUnpackedDocumentsAreIndependent(t *testing.T) {
	d := index.Document{ID: "f", Keywords: map[string][]string{"markets": {"US"}, "platforms": {"AMAZON"}}}
	b := packDoc(d)
	one, _ := unpackDoc("f", b)
	two, _ := unpackDoc("f", b)
	one.Keywords["markets"] = append(one.Keywords["markets"], "DE")
	one.Keywords["platforms"][0] = "X"
	if !slices.Equal(two.Keywords["markets"], []string{"US"}) || !slices.Equal(two.Keywords["platforms"], []string{"AMAZON"}) {
		t.Errorf("a change to one unpacked copy shows in another: %v", two.Keywords)
	}
	again, _ := unpackDoc("f", b)
	if !reflect.DeepEqual(again, d) {
		t.Errorf("the packed bytes changed: %#v", again)
	}
}

func TestUnpackDocRejectsCorruptInput(t *testing.T) {
	b := packDoc(index.Document{ID: "f", Title: "标题", Keywords: map[string][]string{"markets": {"US"}}, Payload: []byte("xyz")})
	for i := range len(b) {
		if _, err := unpackDoc("f", b[:i]); err == nil {
			t.Errorf("a document cut to %d of %d bytes unpacked", i, len(b))
		}
	}
	if _, err := unpackDoc("f", append(slices.Clone(b), 0)); err == nil {
		t.Error("a document with a trailing byte unpacked")
	}
}

// BenchmarkUnpackFirm measures what a cached hit costs: unpacking one
// firm-like document.
func BenchmarkUnpackFirm(b *testing.B) {
	d := index.Document{
		ID: "f1", Version: 7, Title: "杭州某某服饰有限公司",
		Text: map[string]string{"products": "女装、针织衫、羊毛衫", "name_en": "Hangzhou Example Apparel Co., Ltd."},
		Keywords: map[string][]string{
			"uscc": {"91330100799655058B"}, "district": {"DISTRICT_XIAOSHAN"}, "industry": {"INDUSTRY_APPAREL"}, "stage": {"STAGE_EXPLORING"},
			"platforms": {"AMAZON", "TEMU"}, "markets": {"US", "DE", "JP"}, "needs": {"NEED_TRAINING", "NEED_LOGISTICS"},
			"hs_codes": {"610910", "611020"}, "hs_chapters": {"61"}, "association_ids": {"a1b2c3"}, "export_base": {"true"},
		},
		Numbers: map[string]float64{"readiness": 0.625},
		Payload: make([]byte, 180),
	}
	packed := packDoc(d)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := unpackDoc("f1", packed); err != nil {
			b.Fatal(err)
		}
	}
}
