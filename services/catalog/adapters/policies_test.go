package adapters

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	"github.com/qihang-hz/qihang/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// TestMissingVersionRecordIsRebuilt covers a crash between the policy write
// and its version record: the record is rebuilt from the policy, which keeps
// its last change, when versions are read — and the write counter moved.
func TestMissingVersionRecordIsRebuilt(t *testing.T) {
	ctx := context.Background()
	r := NewPolicies(storetest.NewDatabase(t), clock, slog.New(slog.DiscardHandler))
	if err := r.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := r.Stamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Create(ctx, &catalogv1.Policy{Id: "p1", Title: "跨境电商出口信用保险保费补助", Status: catalogv1.PolicyStatus_POLICY_STATUS_DRAFT},
		Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_CREATED, ActorID: "a1", ActorName: "张敏"})
	if err != nil {
		t.Fatal(err)
	}
	p, err = r.Update(ctx, p.GetId(), 1, func(p *catalogv1.Policy) (Change, error) {
		p.Title = "跨境电商出口信用保险保费补助（2026年）"
		return Change{Kind: catalogv1.PolicyChange_POLICY_CHANGE_UPDATED, Note: "更新年度", ActorID: "a1", ActorName: "张敏"}, nil
	})
	if err != nil || p.GetVersion() != 2 {
		t.Fatalf("update: %v, version %d", err, p.GetVersion())
	}
	after, _ := r.Stamp(ctx)
	if after.Writes != before.Writes+2 {
		t.Errorf("write counter %d → %d, want +2", before.Writes, after.Writes)
	}

	// The crash: the second version record never got written.
	if _, err := r.versions.Write.DeleteOne(ctx, bson.D{{Key: "_id", Value: versionID("p1", 2)}}); err != nil {
		t.Fatal(err)
	}
	vs, total, err := r.Versions(ctx, "p1", true, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || vs[0].Number != 2 || vs[0].Change.Note != "更新年度" || vs[0].Title != p.GetTitle() {
		t.Fatalf("versions after rebuild: total %d, newest %+v", total, vs[0])
	}
	v2, err := r.Version(ctx, "p1", 2)
	if err != nil || v2.Snapshot.GetTitle() != p.GetTitle() {
		t.Errorf("rebuilt snapshot: %v, %v", v2, err)
	}
	v1, err := r.Version(ctx, "p1", 1)
	if err != nil || v1.Snapshot.GetTitle() != "跨境电商出口信用保险保费补助" {
		t.Errorf("first version changed: %v, %v", v1, err)
	}
}
