package server_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// serviceCtx is a call context carrying a match-service token.
func (h *harness) serviceCtx(t *testing.T) context.Context {
	t.Helper()
	tok, err := auth.NewServiceTokens(auth.NewIssuer(h.signer, time.Hour), "match").Token()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
}

func firmChanges(t *testing.T, h *harness, after int64) *profilesv1.ListProfileChangesResponse {
	t.Helper()
	resp, err := h.sync.ListProfileChanges(h.serviceCtx(t), &profilesv1.ListProfileChangesRequest{
		Source: profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS, AfterSequence: after,
	})
	if err != nil {
		t.Fatalf("ListProfileChanges after %d: %v", after, err)
	}
	return resp
}

// TestSyncFeed follows firm writes through the change feed as the match
// service does: creates, edits, memberships and deletes appear in order with
// the object's current state, never its contacts.
func TestSyncFeed(t *testing.T) {
	h := newHarness(t)

	first := firmChanges(t, h, 0)
	if first.GetHeadSequence() < 2 || len(first.GetChanges()) != int(first.GetHeadSequence()) || len(first.GetMissingSequences()) != 0 {
		t.Fatalf("initial feed: head %d, %d changes, missing %v", first.GetHeadSequence(), len(first.GetChanges()), first.GetMissingSequences())
	}
	for i, c := range first.GetChanges() {
		if c.GetRecord().GetSequence() != int64(i+1) || c.GetRecord().GetRecordTime() == nil {
			t.Errorf("change %d: record %v", i, c.GetRecord())
		}
		if f := c.GetFirm(); f != nil && len(f.GetContacts()) != 0 {
			t.Errorf("firm %s carries contacts into the feed", f.GetId())
		}
	}
	head := first.GetHeadSequence()

	// An edit, a second membership and a delete of one firm.
	f := h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA)
	_, err := h.svc.App.UpdateFirm(h.system, f.ID, etag.Format(f.Version), []string{"main_products"}, &domain.Firm{MainProducts: "羽绒服、羽绒被"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.App.CreateMembership(h.system, h.assocB, f.USCC); err != nil {
		t.Fatal(err)
	}
	got := firmChanges(t, h, head)
	if n := len(got.GetChanges()); n != 3 {
		t.Fatalf("after create, edit and membership: %d changes, want 3: %v", n, got.GetChanges())
	}
	for i, c := range got.GetChanges() {
		if c.GetRecord().GetId() != f.ID || c.GetRecord().GetVersion() != int64(i+1) || c.GetRecord().GetDeleted() {
			t.Errorf("change %d = %v, want version %d of %s", i, c.GetRecord(), i+1, f.ID)
		}
		// Every change carries the firm as it is now: the newest edit and
		// both memberships.
		ids := []string{}
		for _, m := range c.GetFirm().GetMemberships() {
			ids = append(ids, m.GetAssociationId())
		}
		slices.Sort(ids)
		want := []string{h.assocA, h.assocB}
		slices.Sort(want)
		if c.GetFirm().GetMainProducts() != "羽绒服、羽绒被" || !slices.Equal(ids, want) || c.GetFirm().GetEtag() != etag.Format(3) {
			t.Errorf("change %d carries %q, memberships %v, etag %s; want the current firm", i, c.GetFirm().GetMainProducts(), ids, c.GetFirm().GetEtag())
		}
	}
	cur, err := h.svc.App.GetFirm(h.system, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.App.DeleteFirm(h.system, f.ID, etag.Format(cur.Version)); err != nil {
		t.Fatal(err)
	}
	got = firmChanges(t, h, head+3)
	if len(got.GetChanges()) != 1 || !got.GetChanges()[0].GetRecord().GetDeleted() || got.GetChanges()[0].GetFirm() != nil {
		t.Fatalf("after delete: %v", got.GetChanges())
	}
	// Read late, the earlier changes report the deletion too.
	for _, c := range firmChanges(t, h, head).GetChanges() {
		if !c.GetRecord().GetDeleted() || c.GetFirm() != nil {
			t.Errorf("late read of %v still carries the firm", c.GetRecord())
		}
	}

	t.Run("scan", func(t *testing.T) {
		stream, err := h.sync.ScanProfiles(h.serviceCtx(t), &profilesv1.ScanProfilesRequest{Source: profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS})
		if err != nil {
			t.Fatal(err)
		}
		var live, deleted int
		for i := 0; ; i++ {
			msg, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 && msg.GetHeadSequence() != head+4 {
				t.Errorf("scan head = %d, want %d", msg.GetHeadSequence(), head+4)
			}
			for _, o := range msg.GetObjects() {
				switch {
				case o.GetRecord().GetDeleted() && o.GetFirm() == nil:
					deleted++
				case o.GetFirm() != nil && len(o.GetFirm().GetContacts()) == 0 && o.GetRecord().GetVersion() > 0:
					live++
				default:
					t.Errorf("scan object %v", o)
				}
			}
		}
		if deleted != 1 || live < 2 {
			t.Errorf("scan: %d live, %d deleted; want the fixture firms and the deleted one", live, deleted)
		}

		stream, err = h.sync.ScanProfiles(h.serviceCtx(t), &profilesv1.ScanProfilesRequest{
			Source: profilesv1.ProfileSource_PROFILE_SOURCE_ASSOCIATIONS, Ids: []string{h.assocA, "no-such-association"},
		})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		objs := msg.GetObjects()
		if len(objs) != 2 || objs[0].GetAssociation().GetId() != h.assocA || objs[0].GetAssociation().GetCrossBorderContact() != nil ||
			!objs[1].GetRecord().GetDeleted() || objs[1].GetRecord().GetId() != "no-such-association" {
			t.Errorf("scan by ids = %v", objs)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		_, err := h.sync.ListProfileChanges(h.serviceCtx(t), &profilesv1.ListProfileChangesRequest{})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("no source: %v", err)
		}
		_, err = h.sync.ListProfileChanges(h.serviceCtx(t), &profilesv1.ListProfileChangesRequest{
			Source: profilesv1.ProfileSource_PROFILE_SOURCE_FIRMS, MaxChanges: 5000,
		})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("max_changes 5000: %v", err)
		}
	})

	t.Run("a service token opens nothing else", func(t *testing.T) {
		_, err := h.profiles.GetFirm(h.serviceCtx(t), &profilesv1.GetFirmRequest{Id: h.firmA})
		if c := status.Code(err); c != codes.PermissionDenied && c != codes.NotFound {
			t.Errorf("GetFirm with a service token: %v", err)
		}
		_, err = h.profiles.ListFirms(h.serviceCtx(t), &profilesv1.ListFirmsRequest{})
		if c := status.Code(err); c != codes.PermissionDenied {
			t.Errorf("ListFirms with a service token: %v", err)
		}
	})
}
