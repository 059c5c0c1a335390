package fieldmask

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

func TestTopLevel(t *testing.T) {
	got := TopLevel([]string{"id", "etag", "cross_border_contact.phone", "cross_border_contact.name", "name"})
	if diff := cmp.Diff([]string{"cross_border_contact", "name"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	writable := []string{"name", "industries"}
	if v := Check("update_mask", []string{"name"}, writable, []string{"id"}); v.Err() != nil {
		t.Errorf("valid mask: %v", v)
	}
	for _, bad := range [][]string{nil, {"nme"}, {"create_time"}} {
		if Check("update_mask", bad, writable, []string{"create_time"}).Err() == nil {
			t.Errorf("mask %v accepted", bad)
		}
	}
}

func TestApply(t *testing.T) {
	dst := &profilesv1.Association{
		Name: "旧名", ShortName: "旧", Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_TEA},
		CrossBorderContact: &commonv1.Contact{Name: "王", Phone: "13800000000"},
	}
	src := &profilesv1.Association{
		Name: "新名", Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL, commonv1.Industry_INDUSTRY_SILK},
	}
	Apply(dst, src, []string{"name", "industries", "cross_border_contact"})
	want := &profilesv1.Association{
		Name: "新名", ShortName: "旧", Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL, commonv1.Industry_INDUSTRY_SILK},
	}
	if diff := cmp.Diff(want, dst, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	src.Industries[0] = commonv1.Industry_INDUSTRY_TOYS
	if dst.Industries[0] != commonv1.Industry_INDUSTRY_APPAREL {
		t.Error("Apply shares the list with src")
	}
	_ = proto.Clone
}

func TestApplyNestedKeepsSiblings(t *testing.T) {
	start, end, newEnd := timestamppb.New(time.Unix(100, 0)), timestamppb.New(time.Unix(200, 0)), timestamppb.New(time.Unix(300, 0))
	dst := &catalogv1.Policy{Title: "旧", Validity: &commonv1.TimeWindow{StartTime: start, EndTime: end}}
	src := &catalogv1.Policy{Title: "新", Validity: &commonv1.TimeWindow{EndTime: newEnd}}
	paths := Paths([]string{"etag", "validity.end_time"})
	if v := CheckNested("update_mask", paths, []string{"validity", "title"}, nil, dst.ProtoReflect().Descriptor()); v.Err() != nil {
		t.Fatal(v)
	}
	ApplyNested(dst, src, paths)
	want := &catalogv1.Policy{Title: "旧", Validity: &commonv1.TimeWindow{StartTime: start, EndTime: newEnd}}
	if diff := cmp.Diff(want, dst, protocmp.Transform()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Paths([]string{"validity.end_time", "validity", "title"}); !slices.Equal(got, []string{"validity", "title"}) {
		t.Errorf("Paths = %v", got)
	}
	if CheckNested("update_mask", []string{"validity.nonsense"}, []string{"validity"}, nil, dst.ProtoReflect().Descriptor()).Err() == nil {
		t.Error("unknown nested field accepted")
	}
	if CheckNested("update_mask", []string{"title.x"}, []string{"title"}, nil, dst.ProtoReflect().Descriptor()).Err() == nil {
		t.Error("path into a scalar accepted")
	}
}
