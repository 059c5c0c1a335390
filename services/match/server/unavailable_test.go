package server_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	matchv1 "github.com/qihang-hz/qihang/gen/qihang/match/v1"
	"github.com/qihang-hz/qihang/services/match/index"
	"github.com/qihang-hz/qihang/services/match/index/meiliindex"
	"github.com/qihang-hz/qihang/services/match/index/meilitest"
)

// failFast is the deadline of every call made while the engine is down: a
// call that hangs instead of failing ends DEADLINE_EXCEEDED, not
// UNAVAILABLE, and fails the check (no timing assertion).
const failFast = 5 * time.Second

// downCalls are the match and search calls that need the engine, as the
// bureau (or anonymously) on the harness's own objects.
func downCalls(h *harness) []struct {
	name string
	role string
	call func(ctx context.Context) error
} {
	return []struct {
		name string
		role string
		call func(ctx context.Context) error
	}{
		{"ListFirmPolicyMatches", roleBureau, func(ctx context.Context) error {
			_, err := h.matchC.ListFirmPolicyMatches(ctx, &matchv1.ListFirmPolicyMatchesRequest{FirmId: h.firmA})
			return err
		}},
		{"ListFirmAssociationMatches", roleBureau, func(ctx context.Context) error {
			_, err := h.matchC.ListFirmAssociationMatches(ctx, &matchv1.ListFirmAssociationMatchesRequest{FirmId: h.firmA})
			return err
		}},
		{"ListFirmIndustryBeltMatches", roleBureau, func(ctx context.Context) error {
			_, err := h.matchC.ListFirmIndustryBeltMatches(ctx, &matchv1.ListFirmIndustryBeltMatchesRequest{FirmId: h.firmA})
			return err
		}},
		{"ListAssociationProspects", roleBureau, func(ctx context.Context) error {
			_, err := h.matchC.ListAssociationProspects(ctx, &matchv1.ListAssociationProspectsRequest{AssociationId: h.assocA})
			return err
		}},
		{"Search as the bureau", roleBureau, func(ctx context.Context) error {
			_, err := h.searchC.Search(ctx, &matchv1.SearchRequest{Q: "羽绒"})
			return err
		}},
		{"Search anonymously", roleAnonymous, func(ctx context.Context) error {
			_, err := h.searchC.Search(ctx, &matchv1.SearchRequest{})
			return err
		}},
		{"Search with facets", roleBureau, func(ctx context.Context) error {
			_, err := h.searchC.Search(ctx, &matchv1.SearchRequest{Facets: []matchv1.SearchFacet{matchv1.SearchFacet_SEARCH_FACET_KIND}})
			return err
		}},
	}
}

// checkUnavailable makes every call of downCalls with a failFast deadline
// and wants UNAVAILABLE.
func checkUnavailable(t *testing.T, h *harness) {
	t.Helper()
	for _, c := range downCalls(h) {
		ctx, cancel := context.WithTimeout(h.ctx(t, c.role), failFast)
		err := c.call(ctx)
		cancel()
		if got := status.Code(err); got != codes.Unavailable {
			t.Errorf("%s with the engine down: code %v (%v), want Unavailable within %v", c.name, got, err, failFast)
		}
	}
	// No expert source is connected, so expert matches need no engine:
	// an empty list, not an error.
	ctx, cancel := context.WithTimeout(h.ctx(t, roleBureau), failFast)
	defer cancel()
	resp, err := h.matchC.ListFirmExpertMatches(ctx, &matchv1.ListFirmExpertMatchesRequest{FirmId: h.firmA})
	if err != nil || len(resp.GetMatches()) != 0 {
		t.Errorf("ListFirmExpertMatches without an expert source: %v, %v; want an empty list", resp.GetMatches(), err)
	}
}

// indexStates returns ListIndexes as the bureau.
func indexStates(t *testing.T, h *harness) []*matchv1.Index {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx(t, roleBureau), failFast)
	defer cancel()
	resp, err := h.searchC.ListIndexes(ctx, &matchv1.ListIndexesRequest{})
	if err != nil {
		t.Fatalf("ListIndexes with the engine down: %v", err)
	}
	if resp.GetEngine() != matchv1.SearchEngine_SEARCH_ENGINE_MEILISEARCH || len(resp.GetIndexes()) == 0 {
		t.Fatalf("ListIndexes: engine %v, %d indexes", resp.GetEngine(), len(resp.GetIndexes()))
	}
	return resp.GetIndexes()
}

// checkWritesSucceed: the owning services still take writes.
func checkWritesSucceed(t *testing.T, h *harness) string {
	t.Helper()
	return h.newFirm(t, firmSpec{name: "杭州引擎停机期间登记服饰有限公司", district: commonv1.District_DISTRICT_XIAOSHAN, assoc: h.assocA})
}

// TestEngineDownFromStart: with a real Meilisearch client pointed at a
// closed port, no index is ever built. Match and search calls fail with
// UNAVAILABLE (never hang), ListIndexes reports every index BUILDING with
// the engine error, and the owning services still take writes.
func TestEngineDownFromStart(t *testing.T) {
	e, err := meiliindex.New(meiliindex.Options{URL: "http://127.0.0.1:1", Key: "test-key", Prefix: meilitest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	h := newHarness(t, e)
	// Not startSync: it waits for a first build that cannot happen.
	h.cur.Store(h.runService(t, e, false))

	eventually(t, 10*time.Second, "every index reports the engine error", func() bool {
		for _, ix := range indexStates(t, h) {
			if ix.GetLastError() == "" {
				return false
			}
		}
		return true
	})
	for _, ix := range indexStates(t, h) {
		if hl := ix.GetHealth(); hl != matchv1.IndexHealth_INDEX_HEALTH_BUILDING && hl != matchv1.IndexHealth_INDEX_HEALTH_UNAVAILABLE {
			t.Errorf("index %s health %v, want BUILDING or UNAVAILABLE", ix.GetId(), hl)
		}
		if ix.GetLastErrorTime() == nil || ix.GetBuildTime() != nil {
			t.Errorf("index %s: last_error_time %v, build_time %v; want an error time and no build", ix.GetId(), ix.GetLastErrorTime(), ix.GetBuildTime())
		}
	}
	checkUnavailable(t, h)
	checkWritesSucceed(t, h)
}

// tcpProxy forwards connections to a real server until closed, so a test
// can take the server away from a client and give it back.
type tcpProxy struct {
	addr, target string

	mu    sync.Mutex
	lis   net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: lis.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	p.serve(lis)
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) serve(lis net.Listener) {
	p.mu.Lock()
	p.lis = lis
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			if !p.track(c, up) {
				return
			}
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { defer p.wg.Done(); _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
}

// track records a connection pair; false when the proxy is closed.
func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lis == nil {
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

// close stops listening and cuts every connection: the port is closed.
func (p *tcpProxy) close() {
	p.mu.Lock()
	if p.lis != nil {
		_ = p.lis.Close()
		p.lis = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	p.wg.Wait()
}

// reopen listens on the same address again.
func (p *tcpProxy) reopen(t *testing.T) {
	t.Helper()
	lis, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("reopen the proxy on %s: %v", p.addr, err)
	}
	p.serve(lis)
}

// TestEngineGoesDown: a match service serving from a real Meilisearch loses
// it (the port closes). Match and search calls fail with UNAVAILABLE,
// ListIndexes reports the indexes UNAVAILABLE with the error, writes at the
// sources succeed, and once the engine is back the sync catches up.
func TestEngineGoesDown(t *testing.T) {
	url, key := meilitest.Start(t)
	p := startProxy(t, strings.TrimPrefix(url, "http://"))
	e, err := meiliindex.New(meiliindex.Options{URL: "http://" + p.addr, Key: key, Prefix: meilitest.Prefix(t), RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	h := newHarness(t, e)
	h.startSync(t)
	if _, err := h.searchC.Search(h.ctx(t, roleBureau), &matchv1.SearchRequest{}); err != nil {
		t.Fatalf("search with the engine up: %v", err)
	}

	p.close()
	checkUnavailable(t, h)
	t.Run("reindex", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(h.ctx(t, roleBureau), failFast)
		defer cancel()
		_, err := h.searchC.ReindexDocument(ctx, &matchv1.ReindexDocumentRequest{Index: "firms", DocumentId: h.firmA})
		if got := status.Code(err); got != codes.Unavailable {
			t.Errorf("ReindexDocument with the engine down: code %v (%v), want Unavailable", got, err)
		}
	})
	id := checkWritesSucceed(t, h)
	eventually(t, 10*time.Second, "the firms index reports the failed sync", func() bool {
		for _, ix := range indexStates(t, h) {
			if ix.GetId() == string(index.KindFirm) {
				return ix.GetLastError() != ""
			}
		}
		return false
	})
	for _, ix := range indexStates(t, h) {
		if ix.GetHealth() != matchv1.IndexHealth_INDEX_HEALTH_UNAVAILABLE {
			t.Errorf("index %s health %v with the engine down, want UNAVAILABLE", ix.GetId(), ix.GetHealth())
		}
	}

	p.reopen(t)
	eventually(t, 15*time.Second, "the firm written while the engine was down is indexed", func() bool {
		_, ok, err := e.Get(t.Context(), index.KindFirm, id)
		return err == nil && ok
	})
	eventually(t, 10*time.Second, "indexes serving again", func() bool {
		for _, ix := range indexStates(t, h) {
			if ix.GetHealth() != matchv1.IndexHealth_INDEX_HEALTH_SERVING {
				return false
			}
		}
		return true
	})
	if _, err := h.searchC.Search(h.ctx(t, roleBureau), &matchv1.SearchRequest{}); err != nil {
		t.Errorf("search with the engine back: %v", err)
	}
}

// TestRebuildIndexEngineDown: "RebuildIndex … UNAVAILABLE when the engine
// is down" (SearchService comment).
func TestRebuildIndexEngineDown(t *testing.T) {
	url, key := meilitest.Start(t)
	p := startProxy(t, strings.TrimPrefix(url, "http://"))
	e, err := meiliindex.New(meiliindex.Options{URL: "http://" + p.addr, Key: key, Prefix: meilitest.Prefix(t), RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	h := newHarness(t, e)
	h.startSync(t)
	p.close()
	ctx, cancel := context.WithTimeout(h.ctx(t, roleBureau), failFast)
	defer cancel()
	resp, err := h.searchC.RebuildIndex(ctx, &matchv1.RebuildIndexRequest{Index: "firms"})
	if got := status.Code(err); got != codes.Unavailable {
		t.Errorf("RebuildIndex with the engine down: code %v (%v), response %v; want Unavailable", got, err, resp)
	}
	// Whatever was started must fail without touching the serving index.
	eventually(t, 10*time.Second, "no rebuild left running", func() bool {
		for _, ix := range indexStates(t, h) {
			if ix.GetId() == "firms" {
				return ix.GetCurrentRebuild() == nil
			}
		}
		return false
	})
	p.reopen(t)
	eventually(t, 10*time.Second, "firms still served after the engine is back", func() bool {
		n, err := e.Count(t.Context(), index.KindFirm)
		return err == nil && n == 2
	})
}
