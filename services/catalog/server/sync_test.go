package server_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
)

func (h *harness) serviceCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+h.serviceToken)
}

// TestSyncFeed reads the policy and belt feeds as the match service does:
// every fixture write is there in order with the object's current state,
// deletions included, and a scan returns the same objects.
func TestSyncFeed(t *testing.T) {
	h := newHarness(t)
	for _, src := range []catalogv1.CatalogSource{catalogv1.CatalogSource_CATALOG_SOURCE_POLICIES, catalogv1.CatalogSource_CATALOG_SOURCE_BELTS} {
		t.Run(src.String(), func(t *testing.T) {
			resp, err := h.sync.ListCatalogChanges(h.serviceCtx(t), &catalogv1.ListCatalogChangesRequest{Source: src})
			if err != nil {
				t.Fatal(err)
			}
			latest := map[string]int64{}
			for i, c := range resp.GetChanges() {
				r := c.GetRecord()
				if r.GetSequence() != int64(i+1) || r.GetId() == "" || r.GetVersion() < 1 {
					t.Errorf("change %d: %v", i, r)
				}
				if r.GetDeleted() {
					t.Errorf("fixture object %s reported deleted", r.GetId())
				}
				var id string
				switch o := c.GetObject().(type) {
				case *catalogv1.CatalogChange_Policy:
					id = o.Policy.GetId()
				case *catalogv1.CatalogChange_Belt:
					id = o.Belt.GetId()
				}
				if id != r.GetId() {
					t.Errorf("change %d carries %q, record names %q", i, id, r.GetId())
				}
				latest[r.GetId()] = max(latest[r.GetId()], r.GetVersion())
			}
			if resp.GetHeadSequence() != int64(len(resp.GetChanges())) || len(latest) < 6 {
				t.Errorf("head %d with %d changes of %d objects", resp.GetHeadSequence(), len(resp.GetChanges()), len(latest))
			}

			stream, err := h.sync.ScanCatalog(h.serviceCtx(t), &catalogv1.ScanCatalogRequest{Source: src})
			if err != nil {
				t.Fatal(err)
			}
			scanned := map[string]int64{}
			for i := 0; ; i++ {
				msg, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 && msg.GetHeadSequence() != resp.GetHeadSequence() {
					t.Errorf("scan head %d, feed head %d", msg.GetHeadSequence(), resp.GetHeadSequence())
				}
				for _, o := range msg.GetObjects() {
					scanned[o.GetRecord().GetId()] = o.GetRecord().GetVersion()
				}
			}
			for id, v := range latest {
				if scanned[id] != v {
					t.Errorf("%s: scan has version %d, the feed's latest is %d", id, scanned[id], v)
				}
			}
		})
	}

	t.Run("a deleted belt", func(t *testing.T) {
		before, err := h.sync.ListCatalogChanges(h.serviceCtx(t), &catalogv1.ListCatalogChangesRequest{Source: catalogv1.CatalogSource_CATALOG_SOURCE_BELTS})
		if err != nil {
			t.Fatal(err)
		}
		if err := deleteBelt(beltDraft)(t, h, h.callers[roleBureau], own); err != nil {
			t.Fatal(err)
		}
		after, err := h.sync.ListCatalogChanges(h.serviceCtx(t), &catalogv1.ListCatalogChangesRequest{
			Source: catalogv1.CatalogSource_CATALOG_SOURCE_BELTS, AfterSequence: before.GetHeadSequence(),
		})
		if err != nil {
			t.Fatal(err)
		}
		chs := after.GetChanges()
		if len(chs) == 0 || !chs[len(chs)-1].GetRecord().GetDeleted() || chs[len(chs)-1].GetBelt() != nil {
			t.Errorf("after deleting a belt: %v", chs)
		}
	})
}
