package adapters_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/store/storetest"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/adapters"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// firmUSCC makes a valid firm USCC from a serial number.
func firmUSCC(t testing.TB, n int) string {
	t.Helper()
	first := fmt.Sprintf("91330100%09d", n)
	c, ok := uscc.CheckChar(first)
	if !ok {
		t.Fatalf("bad serial %d", n)
	}
	return first + string(c)
}

func newFirm(t testing.TB, n int, district commonv1.District, assoc ...string) *domain.Firm {
	now := clock()
	export := int64(n) * 100
	f := &domain.Firm{
		ID: ids.New(), USCC: firmUSCC(t, n), Name: fmt.Sprintf("杭州测试%03d贸易有限公司", n),
		District: district, Industry: commonv1.Industry_INDUSTRY_APPAREL,
		HSCodes: []string{"620442"}, AnnualExportValueFen: &export,
		Stage:         commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Platforms:     []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON},
		TargetMarkets: []string{"US"},
		Needs:         []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS},
		Contacts:      []domain.Contact{{Name: "王丽", Phone: "13800001234"}},
		Version:       1, CreateTime: now, UpdateTime: now,
	}
	for _, a := range assoc {
		f.AddMembership(a, now)
	}
	return f
}

func TestFirmRoundTripAndDuplicateUSCC(t *testing.T) {
	ctx := context.Background()
	r := adapters.NewFirms(storetest.NewDatabase(t), clock)
	if err := r.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	f := newFirm(t, 1, commonv1.District_DISTRICT_XIAOSHAN, "assoc-a")
	if err := r.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("stored firm differs (-want +got):\n%s", diff)
	}
	dup := newFirm(t, 1, commonv1.District_DISTRICT_XIHU)
	if err := r.Create(ctx, dup); !apperr.IsKind(err, apperr.KindAlreadyExists) {
		t.Errorf("second firm with the same USCC: err = %v, want ALREADY_EXISTS", err)
	}
	if _, err := r.Get(ctx, dup.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("rejected duplicate was stored: %v", err)
	}
}

func TestFirmUpdateVersions(t *testing.T) {
	ctx := context.Background()
	r := adapters.NewFirms(storetest.NewDatabase(t), clock)
	if err := r.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	f := newFirm(t, 2, commonv1.District_DISTRICT_XIAOSHAN)
	if err := r.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	updated, err := r.Update(ctx, f.ID, 1, func(f *domain.Firm) error { f.Name = "杭州新名称贸易有限公司"; return nil })
	if err != nil || updated.Version != 2 {
		t.Fatalf("update at version 1: %v, version %d", err, updated.Version)
	}
	_, err = r.Update(ctx, f.ID, 1, func(f *domain.Firm) error { f.Name = "过期的修改"; return nil })
	if !apperr.IsKind(err, apperr.KindConflict) {
		t.Fatalf("stale update: err = %v, want conflict", err)
	}
	got, _ := r.Get(ctx, f.ID)
	if got.Name != "杭州新名称贸易有限公司" || got.Version != 2 {
		t.Errorf("after stale update: name %q version %d", got.Name, got.Version)
	}
	other := newFirm(t, 3, commonv1.District_DISTRICT_XIAOSHAN)
	if err := r.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	_, err = r.Update(ctx, other.ID, 0, func(f *domain.Firm) error { f.USCC = got.USCC; return nil })
	if !apperr.IsKind(err, apperr.KindAlreadyExists) {
		t.Errorf("update to a taken USCC: err = %v, want ALREADY_EXISTS", err)
	}
	if o, _ := r.Get(ctx, other.ID); o.USCC != other.USCC || o.Version != 1 {
		t.Errorf("rejected update changed the firm: %+v", o)
	}
}

// TestConcurrentUpdatesLoseNothing runs 100 callers that each add a distinct
// HS code through the retrying update. Every one must be in the result.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	ctx := context.Background()
	r := adapters.NewFirms(storetest.NewDatabase(t), clock)
	f := newFirm(t, 4, commonv1.District_DISTRICT_BINJIANG)
	f.HSCodes = nil
	if err := r.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	const callers = 100
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.Update(ctx, f.ID, 0, func(f *domain.Firm) error {
				f.HSCodes = append(f.HSCodes, fmt.Sprintf("6204%04d", i))
				return nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.Get(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.HSCodes) != callers || got.Version != callers+1 {
		t.Errorf("after %d concurrent updates: %d codes, version %d; want %d codes, version %d",
			callers, len(got.HSCodes), got.Version, callers, callers+1)
	}
}

func TestFirmListScopes(t *testing.T) {
	ctx := context.Background()
	r := adapters.NewFirms(storetest.NewDatabase(t), clock)
	xs, xh := commonv1.District_DISTRICT_XIAOSHAN, commonv1.District_DISTRICT_XIHU
	firms := []*domain.Firm{
		newFirm(t, 10, xs, "a"), newFirm(t, 11, xs, "a", "b"), newFirm(t, 12, xh, "b"), newFirm(t, 13, xh),
	}
	firms[3].Platforms = []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_TEMU}
	errs, err := r.InsertMany(ctx, firms)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Fatalf("firm %d: %v", i, e)
		}
	}
	deleted := newFirm(t, 14, xs, "a")
	deleted.DeleteTime = clock()
	if err := r.Create(ctx, deleted); err != nil {
		t.Fatal(err)
	}
	names := func(fs []*domain.Firm) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.USCC[8:17])
		}
		return out
	}
	tests := []struct {
		name   string
		scope  domain.FirmScope
		filter domain.FirmFilter
		want   []string
	}{
		{"bureau sees all live firms", domain.FirmScope{All: true}, domain.FirmFilter{}, []string{"000000010", "000000011", "000000012", "000000013"}},
		{"district officer", domain.FirmScope{District: xh}, domain.FirmFilter{}, []string{"000000012", "000000013"}},
		{"association admin", domain.FirmScope{AssociationID: "b"}, domain.FirmFilter{}, []string{"000000011", "000000012"}},
		{"firm user", domain.FirmScope{FirmID: firms[0].ID}, domain.FirmFilter{}, []string{"000000010"}},
		{"association filter inside a district scope", domain.FirmScope{District: xs}, domain.FirmFilter{AssociationID: "b"}, []string{"000000011"}},
		{"platform filter", domain.FirmScope{All: true}, domain.FirmFilter{Platform: commonv1.SalesPlatform_SALES_PLATFORM_TEMU}, []string{"000000013"}},
		{"name contains, Chinese", domain.FirmScope{All: true}, domain.FirmFilter{NameContains: "测试012"}, []string{"000000012"}},
		{"regex characters are literal", domain.FirmScope{All: true}, domain.FirmFilter{NameContains: ".*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := r.List(ctx, tt.scope, tt.filter, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(got), cmpopts.EquateEmpty()); diff != "" || total != len(tt.want) {
				t.Errorf("list (-want +got):\n%s total=%d", diff, total)
			}
		})
	}
	if _, _, err := r.List(ctx, domain.FirmScope{}, domain.FirmFilter{}, 0, 100); err == nil {
		t.Error("a list without a tenancy scope returned firms instead of failing closed")
	}
	counts, err := r.CountMembers(ctx, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"a": 2, "b": 2}, counts); diff != "" {
		t.Errorf("member counts (-want +got):\n%s", diff)
	}
	byUSCC, err := r.FindByUSCCs(ctx, []string{firms[0].USCC, deleted.USCC, firmUSCC(t, 99)})
	if err != nil {
		t.Fatal(err)
	}
	if len(byUSCC) != 2 || !byUSCC[deleted.USCC].Deleted() {
		t.Errorf("FindByUSCCs = %d firms, deleted one marked %v", len(byUSCC), byUSCC[deleted.USCC] != nil && byUSCC[deleted.USCC].Deleted())
	}
	if _, err := r.Get(ctx, deleted.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("Get of a deleted firm: %v", err)
	}
	stats, err := r.CountByDistrictAndStage(ctx, 0)
	if err != nil || len(stats) != 2 {
		t.Errorf("stats = %+v, %v", stats, err)
	}
}

func TestAssociationRoundTrip(t *testing.T) {
	ctx := context.Background()
	r := adapters.NewAssociations(storetest.NewDatabase(t), clock)
	if err := r.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := clock()
	code, _ := uscc.CheckChar("51330100MJ9876543")
	a := &domain.Association{
		ID: ids.New(), USCC: "51330100MJ9876543" + string(code), Name: "杭州市女装产业促进会",
		Type: profilesv1.AssociationType_ASSOCIATION_TYPE_PROMOTION_ASSOCIATION, District: commonv1.District_DISTRICT_GONGSHU,
		Industries: []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL}, Rating: profilesv1.AssociationRating_ASSOCIATION_RATING_4A,
		MemberCount: 320, Contact: domain.Contact{Name: "李强", Phone: "0571-87654321"},
		Services:        []profilesv1.AssociationServiceKind{profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRAINING},
		JoinedProgramme: true, ProgrammeJoinTime: now, Version: 1, CreateTime: now, UpdateTime: now,
	}
	if err := r.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("stored association differs (-want +got):\n%s", diff)
	}
	joined, err := r.CountJoined(ctx, 0)
	if err != nil || joined[commonv1.District_DISTRICT_GONGSHU] != 1 {
		t.Errorf("CountJoined = %v, %v", joined, err)
	}
}

// Member counts come from one count of every association, then follow this
// instance's creates, membership changes and deletes without a recount.
func TestCountMembersFollowsWrites(t *testing.T) {
	ctx := t.Context()
	r := adapters.NewFirms(storetest.NewDatabase(t), clock)
	for i := range 3 {
		if err := r.Create(ctx, newFirm(t, 500+i, commonv1.District_DISTRICT_XIAOSHAN, "a1")); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what string, a1, a2 int) {
		t.Helper()
		got, err := r.CountMembers(ctx, []string{"a1", "a2"})
		if err != nil {
			t.Fatal(err)
		}
		if got["a1"] != a1 || got["a2"] != a2 {
			t.Errorf("%s: counts %v, want a1=%d a2=%d", what, got, a1, a2)
		}
	}
	want("first count", 3, 0)

	f := newFirm(t, 510, commonv1.District_DISTRICT_XIHU, "a2")
	if err := r.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	want("after a create", 3, 1)

	if _, err := r.Update(ctx, f.ID, f.Version, func(f *domain.Firm) error {
		f.Memberships = append(f.Memberships, domain.Membership{AssociationID: "a1", CreateTime: clock()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want("after a second membership", 4, 1)

	got, err := r.Get(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Update(ctx, f.ID, got.Version, func(f *domain.Firm) error {
		f.DeleteTime = clock()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want("after a delete", 3, 0)
}

// Once the counts are older than their lifetime, a read answers at once with
// the counts it has and recounts in the background, which brings in what
// another instance wrote.
func TestCountMembersRecountsInBackground(t *testing.T) {
	ctx := t.Context()
	db := storetest.NewDatabase(t)
	var mu sync.Mutex
	offset := time.Duration(0)
	later := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock().Add(offset)
	}
	r := adapters.NewFirms(db, later).AsSharedStore()
	other := adapters.NewFirms(db, clock) // another instance
	if err := r.Create(ctx, newFirm(t, 600, commonv1.District_DISTRICT_XIAOSHAN, "a1")); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		got, err := r.CountMembers(ctx, []string{"a1"})
		if err != nil {
			t.Fatal(err)
		}
		return got["a1"]
	}
	if n := count(); n != 1 {
		t.Fatalf("first count %d, want 1", n)
	}
	if err := other.Create(ctx, newFirm(t, 601, commonv1.District_DISTRICT_XIAOSHAN, "a1")); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("within the lifetime the counts stay as counted: %d, want 1", n)
	}
	mu.Lock()
	offset = 6 * time.Minute
	mu.Unlock()
	if n := count(); n != 1 {
		t.Fatalf("a stale read answers with the counts it has: %d, want 1", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the background recount never brought in the other instance's firm")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
