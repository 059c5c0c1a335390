package server_test

import (
	"testing"

	"google.golang.org/protobuf/types/known/fieldmaskpb"

	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// A firm view names its associations from a short-lived cache; renaming an
// association through this instance shows in the very next firm read.
func TestFirmViewFollowsAssociationRename(t *testing.T) {
	h := newHarness(t)
	ctx := h.bureau(t)
	name := func(what string) string {
		t.Helper()
		resp, err := h.profiles.GetFirm(ctx, &profilesv1.GetFirmRequest{Id: h.firmA})
		if err != nil {
			t.Fatalf("%s: GetFirm: %v", what, err)
		}
		for _, m := range resp.GetFirm().GetMemberships() {
			if m.GetAssociationId() == h.assocA {
				return m.GetAssociationName()
			}
		}
		t.Fatalf("%s: firm A has no membership of association A", what)
		return ""
	}
	before := name("first read")
	if before == "" {
		t.Fatal("first read: no association name")
	}
	renamed := before + "（更名）"
	if _, err := h.profiles.UpdateAssociation(ctx, &profilesv1.UpdateAssociationRequest{
		Association: &profilesv1.Association{Id: h.assocA, Etag: h.associationEtag(t, h.assocA), Name: renamed},
		UpdateMask:  &fieldmaskpb.FieldMask{Paths: []string{"name"}},
	}); err != nil {
		t.Fatal(err)
	}
	if got := name("after the rename"); got != renamed {
		t.Errorf("after the rename: %q, want %q", got, renamed)
	}
}
