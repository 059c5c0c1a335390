package server_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/services/match/index"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
)

// indexedVersion returns the version of id in kind's index, 0 when absent.
func (h *harness) indexedVersion(t *testing.T, kind index.Kind, id string) int64 {
	t.Helper()
	d, ok, err := h.engine.Get(t.Context(), kind, id)
	if err != nil {
		t.Fatalf("get %s/%s: %v", kind, id, err)
	}
	if !ok {
		return 0
	}
	return d.Version
}

func (h *harness) firmVersion(t *testing.T, id string) (int64, bool) {
	t.Helper()
	f, err := h.profiles.App.GetFirm(h.system, id)
	if status.Code(err) == codes.NotFound || err != nil {
		return 0, false
	}
	return f.Version, true
}

// TestSyncFollowsWrites: creates, edits, deletes, withdrawals and
// memberships reach the index within the freshness budget, on both engines.
func TestSyncFollowsWrites(t *testing.T) {
	for _, ec := range engines() {
		t.Run(ec.name, func(t *testing.T) {
			h := newHarness(t, ec.open(t))
			h.startSync(t)
			if v := h.indexedVersion(t, index.KindFirm, h.firmA); v != 1 {
				t.Fatalf("fixture firm in the first build at version %d, want 1", v)
			}

			id := h.newFirm(t, firmSpec{name: "杭州同步测试羽绒制品有限公司", district: commonv1.District_DISTRICT_XIAOSHAN, products: "羽绒服"})
			lag := eventually(t, 2*time.Second, "new firm indexed", func() bool { return h.indexedVersion(t, index.KindFirm, id) == 1 })
			t.Logf("%s: a new firm was searchable after %v", ec.name, lag)

			f, err := h.profiles.App.GetFirm(h.system, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.profiles.App.UpdateFirm(h.system, id, etag.Format(f.Version), []string{"main_products"},
				&profilesdomain.Firm{MainProducts: "羽绒被、羽绒枕"}); err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Second, "edit indexed", func() bool { return h.indexedVersion(t, index.KindFirm, id) == 2 })
			d, _, _ := h.engine.Get(t.Context(), index.KindFirm, id)
			if d.Text["products"] != "羽绒被、羽绒枕" {
				t.Errorf("indexed products %q after the edit", d.Text["products"])
			}

			// A membership is a firm change too.
			if _, _, err := h.profiles.App.CreateMembership(h.system, h.assocB, f.USCC); err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Second, "membership indexed", func() bool {
				d, _, _ := h.engine.Get(t.Context(), index.KindFirm, id)
				return slices.Contains(d.Keywords["association_ids"], h.assocB)
			})

			cur, _ := h.firmVersion(t, id)
			if err := h.profiles.App.DeleteFirm(h.system, id, etag.Format(cur)); err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Second, "deleted firm removed", func() bool { return h.indexedVersion(t, index.KindFirm, id) == 0 })

			// A withdrawn policy leaves the firm's policy matches.
			p := h.newPolicy(t, "杭州市跨境电商海外仓建设补助（同步测试）", 0, catalogv1.PolicyCategory_POLICY_CATEGORY_LOGISTICS_WAREHOUSE, 50_000_000)
			has := func() bool {
				resp, err := h.matchC.ListFirmPolicyMatches(h.ctx(t, roleBureau), &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmA})
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(resp.GetMatches(), func(m *matchv1.PolicyMatch) bool { return m.GetId() == p.GetId() })
			}
			eventually(t, 2*time.Second, "published policy matched", has)
			if _, err := h.catalog.App.WithdrawPolicy(h.system, p.GetId(), p.GetEtag(), "测试：撤回"); err != nil {
				t.Fatal(err)
			}
			eventually(t, 2*time.Second, "withdrawn policy unmatched", func() bool { return !has() })
		})
	}
}

// TestSyncRacingWritersAndRestart: writers race on the same firms while the
// indexer is stopped and restarted; the index ends at every firm's final
// version, never an older one.
func TestSyncRacingWritersAndRestart(t *testing.T) {
	for _, ec := range engines() {
		t.Run(ec.name, func(t *testing.T) {
			h := newHarness(t, ec.open(t))
			h.startSync(t)
			var ids []string
			for i := range 5 {
				ids = append(ids, h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIAOSHAN, products: fmt.Sprintf("产品%d", i)}))
			}
			var wg sync.WaitGroup
			edit := func(w int) {
				defer wg.Done()
				for n := range 8 {
					id := ids[(w+n)%len(ids)]
					for {
						f, err := h.profiles.App.GetFirm(h.system, id)
						if err != nil {
							t.Error(err)
							return
						}
						_, err = h.profiles.App.UpdateFirm(h.system, id, etag.Format(f.Version), []string{"main_products"},
							&profilesdomain.Firm{MainProducts: fmt.Sprintf("写者%d第%d次修改", w, n)})
						if st, _ := apperr.ToStatus(err); err != nil && st.Code() == codes.Aborted {
							continue // lost the race: re-read and retry
						}
						if err != nil {
							t.Error(err)
						}
						break
					}
				}
			}
			for w := range 4 {
				wg.Add(1)
				go edit(w)
			}
			// Kill the indexer in the middle of the writes and restart it.
			time.Sleep(50 * time.Millisecond)
			h.stopSync()
			time.Sleep(100 * time.Millisecond)
			wg.Wait()
			h.restartSyncAfterStop(t)

			for _, id := range ids {
				want, _ := h.firmVersion(t, id)
				eventually(t, 3*time.Second, "final version of "+id, func() bool { return h.indexedVersion(t, index.KindFirm, id) == want })
				f, _ := h.profiles.App.GetFirm(h.system, id)
				d, _, _ := h.engine.Get(t.Context(), index.KindFirm, id)
				if d.Text["products"] != f.MainProducts {
					t.Errorf("%s: indexed %q, source has %q", id, d.Text["products"], f.MainProducts)
				}
			}
		})
	}
}

// TestRebuildSwapsWithoutGap: searches during a rebuild never see fewer
// documents than before it, and writes made during it land in the new index.
func TestRebuildSwapsWithoutGap(t *testing.T) {
	for _, ec := range engines() {
		t.Run(ec.name, func(t *testing.T) {
			h := newHarness(t, ec.open(t))
			for range 40 {
				h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_BINJIANG})
			}
			h.startSync(t)
			count := func() int {
				res, err := h.engine.Search(t.Context(), index.KindFirm, index.Query{Limit: 0})
				if err != nil {
					t.Error(err)
					return -1
				}
				return res.Total
			}
			before := count()
			stop := make(chan struct{})
			var minSeen = before
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if n := count(); n < minSeen {
						minSeen = n
					}
				}
			}()
			resp, err := h.searchC.RebuildIndex(h.ctx(t, roleBureau), &matchv1.RebuildIndexRequest{Index: "firms"})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.GetRebuilds()) != 1 || resp.GetRebuilds()[0].GetRequestedBy() == "" {
				t.Errorf("rebuild response %v", resp)
			}
			added := h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_BINJIANG, products: "重建期间登记"})
			eventually(t, 10*time.Second, "rebuild finished", func() bool {
				st, err := h.searchC.ListIndexes(h.ctx(t, roleBureau), &matchv1.ListIndexesRequest{})
				if err != nil {
					t.Fatal(err)
				}
				for _, ix := range st.GetIndexes() {
					if ix.GetId() == "firms" {
						return ix.GetCurrentRebuild() == nil && ix.GetLastRebuild().GetStatus() == matchv1.RebuildStatus_REBUILD_STATUS_SUCCEEDED
					}
				}
				return false
			})
			eventually(t, 2*time.Second, "firm added during the rebuild", func() bool { return h.indexedVersion(t, index.KindFirm, added) == 1 })
			close(stop)
			wg.Wait()
			if minSeen < before {
				t.Errorf("a search during the rebuild saw %d firms, fewer than the %d before", minSeen, before)
			}
		})
	}
}

// TestReconcileRepairsWhatTheFeedLost: a writer that died between its write
// and its feed entry leaves the index behind the source with nothing in the
// feed to say so; the reconciliation finds and repairs it. (Holes in the
// sequence — allocated, never recorded — are covered by the cursor's own
// test in internal/changefeed.)
func TestReconcileRepairsWhatTheFeedLost(t *testing.T) {
	for _, ec := range engines() {
		t.Run(ec.name, func(t *testing.T) {
			h := newHarness(t, ec.open(t))
			h.startSync(t)
			id := h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIAOSHAN, products: "丝巾"})
			eventually(t, 2*time.Second, "firm indexed", func() bool { return h.indexedVersion(t, index.KindFirm, id) == 1 })

			// The write without its feed entry, as a crash right after it
			// would leave it.
			res, err := h.profilesDB.Write.Collection("firms").UpdateOne(t.Context(), bson.D{{Key: "_id", Value: id}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "main_products", Value: "真丝围巾"}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: int64(1)}}}})
			if err != nil || res.ModifiedCount != 1 {
				t.Fatalf("write around the feed: %v (%v)", err, res)
			}

			// A later write still arrives; the lost one does not.
			other := h.newFirm(t, firmSpec{district: commonv1.District_DISTRICT_XIAOSHAN})
			eventually(t, 3*time.Second, "a later write", func() bool { return h.indexedVersion(t, index.KindFirm, other) == 1 })
			if v := h.indexedVersion(t, index.KindFirm, id); v != 1 {
				t.Fatalf("the lost edit reached the index anyway (version %d)", v)
			}

			n, err := h.svc().Syncer.Reconcile(t.Context(), index.KindFirm)
			if err != nil || n != 1 {
				t.Fatalf("reconcile repaired %d (%v), want 1", n, err)
			}
			if v := h.indexedVersion(t, index.KindFirm, id); v != 2 {
				t.Errorf("after reconciliation the firm is at version %d, want 2", v)
			}
			if d, _, _ := h.engine.Get(t.Context(), index.KindFirm, id); d.Text["products"] != "真丝围巾" {
				t.Errorf("after reconciliation the firm's products are %q", d.Text["products"])
			}
			st, err := h.searchC.ListIndexes(h.ctx(t, roleBureau), &matchv1.ListIndexesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ix := range st.GetIndexes() {
				if ix.GetId() == "firms" && (ix.GetLastReconcileRepairs() != 1 || ix.GetLastReconcileTime() == nil) {
					t.Errorf("index status after reconciliation: %v", ix)
				}
			}
			if n, err := h.svc().Syncer.Reconcile(t.Context(), index.KindFirm); err != nil || n != 0 {
				t.Errorf("a second reconciliation repaired %d (%v), want 0", n, err)
			}
		})
	}
}
