package paging

import (
	"errors"
	"testing"

	"github.com/qihang-hz/qihang/internal/apperr"
)

func TestParse(t *testing.T) {
	p, err := Parse(0, "", "f")
	if err != nil || p.Size != DefaultSize || p.Offset != 0 {
		t.Fatalf("Parse(0) = %+v, %v", p, err)
	}
	for _, bad := range []int32{-1, 101} {
		_, err := Parse(bad, "", "f")
		v, ok := apperr.AsValidation(err)
		if !ok || v.Violations[0].Field != "page_size" {
			t.Errorf("Parse(%d) err = %v, want page_size violation", bad, err)
		}
	}
	next := p.Next(20, 45)
	p2, err := Parse(20, next, "f")
	if err != nil || p2.Offset != 20 {
		t.Fatalf("second page = %+v, %v", p2, err)
	}
	if last := p2.Next(20, 45); last == "" {
		t.Error("third page missing")
	} else if p3, _ := Parse(20, last, "f"); p3.Next(5, 45) != "" {
		t.Error("token after the last page")
	}
	if _, err := Parse(20, next, "other filter"); !errors.As(err, new(*apperr.ValidationError)) {
		t.Errorf("token reused with other filters: err = %v", err)
	}
	if _, err := Parse(20, "%%%", "f"); err == nil {
		t.Error("garbage token accepted")
	}
}
