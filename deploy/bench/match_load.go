package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/internal/uscc"
	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// maxBatchRows is the most rows one import file carries: 10,000, the size
// DESIGN.md's import budget is stated for (the import takes up to
// sheets.MaxDataRows).
const maxBatchRows = min(10_000, sheets.MaxDataRows)

// linkedShare is the share of an import's rows that are firms an earlier
// import registered with another association: the import adds the
// membership (LINKED), as when a firm belongs to two associations.
const linkedShare = 0.02

// loadWriters is how many clients create associations and belts at once.
const loadWriters = 4

// matchLoad is what the load phase created and how long it took.
type matchLoad struct {
	Associations []*loadedAssociation
	// Members are the associations with imported members, biggest first.
	Members []*loadedAssociation
	Admins  []assocAdmin
	// FirmIDs lists every imported firm once, in import order.
	FirmIDs   []string
	Belts     []string
	PolicyIDs []string

	Imports        int
	ImportedRows   int
	LinkedRows     int
	GenerateTime   time.Duration
	AssocTime      time.Duration
	ImportTime     time.Duration
	SlowestImport  time.Duration
	SlowestRows    int
	FirstPer1000   time.Duration // the first import's time per 1,000 rows
	LastPer1000    time.Duration // the last import's
	AccountsTime   time.Duration
	BeltsTime      time.Duration
	PoliciesTime   time.Duration
	PoliciesPerSec float64
	Problems       []string
}

// FirmCount is the number of distinct firms imported.
func (l *matchLoad) FirmCount() int { return len(l.FirmIDs) }

// expected is the number of documents each index must hold.
func (l *matchLoad) expected() map[string]int {
	return map[string]int{"firms": len(l.FirmIDs), "associations": len(l.Associations), "policies": len(l.PolicyIDs), "belts": len(l.Belts)}
}

// loadedAssociation is one registered association.
type loadedAssociation struct {
	ID         string
	Name       string
	District   commonv1.District
	Industries []commonv1.Industry
	Type       profilesv1.AssociationType
	// Members is the number of firms imported into it (linked ones too).
	Members int
	// size is how many new firms its import creates.
	size int
}

// assocAdmin is an association admin account, signed in.
type assocAdmin struct {
	AssociationID string
	Username      string
	Token         string
}

// association types with their name endings and relative frequency.
var assocTypes = []struct {
	t      profilesv1.AssociationType
	ending string
	weight int
}{
	{profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION, "行业协会", 40},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_CHAMBER_OF_COMMERCE, "商会", 25},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_PROMOTION_ASSOCIATION, "发展促进会", 15},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_FEDERATION, "联合会", 5},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_SOCIETY, "研究会", 5},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_PRIVATE_NON_ENTERPRISE, "服务中心", 5},
	{profilesv1.AssociationType_ASSOCIATION_TYPE_OTHER, "产业联盟", 5},
}

var assocServices = []profilesv1.AssociationServiceKind{
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRAINING, profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_MATCHMAKING,
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_POLICY_BRIEFING, profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_GROUP_EXHIBITION,
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_STANDARDS_CERTIFICATION, profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LEGAL_IP,
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_FINANCING_LINKAGE, profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_MARKET_RESEARCH,
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_LOGISTICS_LINKAGE, profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TALENT,
	profilesv1.AssociationServiceKind_ASSOCIATION_SERVICE_KIND_TRADE_DISPUTES,
}

// planAssociations draws n associations: district, type, one to three
// industries (industry associations one), services, programme membership.
func planAssociations(n int, r *rand.Rand) []*loadedAssociation {
	weights := make([]int, len(assocTypes))
	for i, t := range assocTypes {
		weights[i] = t.weight
	}
	out := make([]*loadedAssociation, n)
	for i := range out {
		t := assocTypes[weighted(r, weights)]
		d := pick(r, benchDistricts)
		k := 1
		if t.t != profilesv1.AssociationType_ASSOCIATION_TYPE_INDUSTRY_ASSOCIATION {
			k = 1 + r.IntN(3)
		}
		var inds []commonv1.Industry
		for _, j := range r.Perm(len(trades))[:k] {
			inds = append(inds, trades[j].industry)
		}
		name := fmt.Sprintf("杭州市%s%s%s（压测%04d）", refdata.Label(d.d), refdata.Label(inds[0]), t.ending, i+1)
		out[i] = &loadedAssociation{Name: name, District: d.d, Industries: inds, Type: t.t}
	}
	return out
}

// associationBody is the CreateAssociation body of a.
func associationBody(a *loadedAssociation, code string, joined bool, r *rand.Rand) map[string]any {
	var inds, services []string
	for _, in := range a.Industries {
		inds = append(inds, in.String())
	}
	for _, s := range pickN(r, assocServices, 1+r.IntN(4)) {
		services = append(services, s.String())
	}
	var labels []string
	for _, in := range a.Industries {
		labels = append(labels, refdata.Label(in))
	}
	return map[string]any{
		"uscc":             code,
		"name":             a.Name,
		"type":             a.Type.String(),
		"district":         a.District.String(),
		"industries":       inds,
		"services":         services,
		"member_count":     50 + r.IntN(2000),
		"joined_programme": joined,
		"description": fmt.Sprintf("deploy/bench 生成的测试社会组织（虚构数据）。服务%s%s企业开展跨境电商，提供%d项会员服务。",
			refdata.Label(a.District), strings.Join(labels, "、"), len(services)),
	}
}

// associationUSCCs returns n distinct valid USCCs of social organisations
// (category 51) registered with the city, each with a wrong organisation-code
// check digit so none can be a real one.
func associationUSCCs(n int, r *rand.Rand) []string {
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		body := fmt.Sprintf("MJ%06d", r.IntN(1_000_000))
		right := gb11714Check(body)
		wrong := byte('0' + r.IntN(10))
		if wrong == right {
			wrong = '0' + (wrong-'0'+1)%10
		}
		first17 := "51330100" + body + string(wrong)
		check, _ := uscc.CheckChar(first17)
		code := first17 + string(check)
		if !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	return out
}

// splitSizes splits total into n heavy-tailed parts (log-normal weights),
// each between 1 and most, as association memberships are: a few large
// associations, many small ones. Biggest first.
func splitSizes(total, n, most int, r *rand.Rand) []int {
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = math.Exp(1.1 * r.NormFloat64())
		sum += w[i]
	}
	sizes := make([]int, n)
	got := 0
	for i := range sizes {
		sizes[i] = min(most, max(1, int(float64(total)*w[i]/sum)))
		got += sizes[i]
	}
	for i := 0; got != total; i = (i + 1) % n {
		switch {
		case got < total && sizes[i] < most:
			sizes[i]++
			got++
		case got > total && sizes[i] > 1:
			sizes[i]--
			got--
		}
	}
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	return sizes
}

// industryOf maps an industry's label (the workbook's cell) to the enum.
func industryOf(label string) commonv1.Industry {
	for _, t := range trades {
		if refdata.Label(t.industry) == label {
			return t.industry
		}
	}
	return commonv1.Industry_INDUSTRY_UNSPECIFIED
}

// assignMembers deals the generated firms to the member associations: 85 %
// of an association's members come from its own industries while they last,
// the rest from any. Every firm goes to exactly one association.
func assignMembers(firms []*firmCells, members []*loadedAssociation, r *rand.Rand) [][]*firmCells {
	byIndustry := map[commonv1.Industry][]*firmCells{}
	for _, f := range firms {
		in := industryOf(f.text[colIndustry])
		byIndustry[in] = append(byIndustry[in], f)
	}
	used := make(map[*firmCells]bool, len(firms))
	// anyFirm hands out unused firms in random order.
	order := r.Perm(len(firms))
	next := 0
	anyFirm := func() *firmCells {
		for next < len(order) {
			f := firms[order[next]]
			next++
			if !used[f] {
				return f
			}
		}
		return nil
	}
	take := func(in commonv1.Industry) *firmCells {
		list := byIndustry[in]
		for len(list) > 0 {
			f := list[len(list)-1]
			list = list[:len(list)-1]
			if !used[f] {
				byIndustry[in] = list
				return f
			}
		}
		byIndustry[in] = list
		return nil
	}
	batches := make([][]*firmCells, len(members))
	for i, a := range members {
		for len(batches[i]) < a.size {
			var f *firmCells
			if r.IntN(100) < 85 {
				f = take(pick(r, a.Industries))
			}
			if f == nil {
				f = anyFirm()
			}
			if f == nil {
				break // cannot happen: sizes sum to len(firms)
			}
			used[f] = true
			batches[i] = append(batches[i], f)
		}
	}
	return batches
}

// loadMatchData creates everything the benchmark matches over, printing
// what it did and how long it took.
func loadMatchData(ctx context.Context, opts Options, p func(string, ...any), progress io.Writer, admin *api, grpcAddr string) (*matchLoad, error) {
	mo := opts.Match
	r := rand.New(rand.NewPCG(opts.Seed, 0x6d617463)) // "matc"
	l := &matchLoad{}
	p("== Load: %s associations, %s firms by .xlsx import, %d association admins, %d belts, %s policies ==",
		thousands(mo.Associations), thousands(mo.Firms), min(mo.AssociationAdmins, mo.MemberAssociations), mo.Belts, thousands(mo.Policies))

	// The plan: associations, member sizes, firms.
	t := time.Now()
	l.Associations = planAssociations(mo.Associations, r)
	l.Members = l.Associations[:mo.MemberAssociations]
	sizes := splitSizes(mo.Firms, len(l.Members), maxBatchRows, r)
	for i, a := range l.Members {
		a.size = sizes[i]
	}
	g := newFirmGen(opts.Seed)
	firms := make([]*firmCells, mo.Firms)
	for i := range firms {
		firms[i] = g.newFirm()
	}
	batches := assignMembers(firms, l.Members, r)
	l.GenerateTime = time.Since(t)

	// Associations, over HTTP, a few at a time.
	t = time.Now()
	codes := associationUSCCs(len(l.Associations), r)
	bodies := make([]map[string]any, len(l.Associations))
	for i, a := range l.Associations {
		joined := r.IntN(10) < 5
		if i < len(l.Members) {
			joined = r.IntN(10) < 9 // most associations with members joined the programme
		}
		bodies[i] = associationBody(a, codes[i], joined, r)
	}
	err := parallel(ctx, len(l.Associations), loadWriters, func(ctx context.Context, i int) error {
		var resp struct {
			Association struct {
				ID string `json:"id"`
			} `json:"association"`
		}
		if err := admin.postJSON(ctx, "/v1/associations", bodies[i], &resp); err != nil {
			return fmt.Errorf("create association %d: %w", i+1, err)
		}
		if resp.Association.ID == "" {
			return fmt.Errorf("create association %d: no id in the response", i+1)
		}
		l.Associations[i].ID = resp.Association.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.AssocTime = time.Since(t)
	p("associations: %s created through the gateway in %s (%s/s, %d clients); %d of them receive members by import (%s to %s rows each), the other %s none",
		thousands(len(l.Associations)), secs(l.AssocTime), rate(len(l.Associations), l.AssocTime), loadWriters,
		len(l.Members), thousands(sizes[len(sizes)-1]), thousands(sizes[0]), thousands(len(l.Associations)-len(l.Members)))

	// Association admins, for prospect requests about their own association.
	t = time.Now()
	for i := range min(mo.AssociationAdmins, len(l.Members)) {
		a := l.Members[i]
		pw, err := randomPassword()
		if err != nil {
			return nil, err
		}
		username := fmt.Sprintf("bench-assoc-%03d", i+1)
		body := map[string]any{
			"account":  map[string]any{"username": username, "display_name": "压测协会管理员" + strconv.Itoa(i+1), "role": "ROLE_ASSOCIATION_ADMIN", "association_id": a.ID},
			"password": pw,
		}
		if err := admin.postJSON(ctx, "/v1/accounts", body, nil); err != nil {
			return nil, fmt.Errorf("create association admin %s: %w", username, err)
		}
		c := &api{base: admin.base, hc: admin.hc}
		if err := c.login(ctx, username, pw); err != nil {
			return nil, fmt.Errorf("association admin %s: %w", username, err)
		}
		l.Admins = append(l.Admins, assocAdmin{AssociationID: a.ID, Username: username, Token: c.token})
	}
	l.AccountsTime = time.Since(t)
	if len(l.Admins) > 0 {
		p("association admins: %d accounts created and signed in over HTTP in %s (for the %d largest member associations)",
			len(l.Admins), secs(l.AccountsTime), len(l.Admins))
	}

	// Belts, over HTTP.
	t = time.Now()
	beltBodies := planBelts(mo.Belts, l, r)
	l.Belts = make([]string, len(beltBodies))
	err = parallel(ctx, len(beltBodies), loadWriters, func(ctx context.Context, i int) error {
		var resp struct {
			IndustryBelt struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"industry_belt"`
		}
		if err := admin.postJSON(ctx, "/v1/belts", beltBodies[i], &resp); err != nil {
			return fmt.Errorf("create belt %d: %w", i+1, err)
		}
		if resp.IndustryBelt.ID == "" || resp.IndustryBelt.Status != "INDUSTRY_BELT_STATUS_PUBLISHED" {
			return fmt.Errorf("create belt %d: id %q, status %q", i+1, resp.IndustryBelt.ID, resp.IndustryBelt.Status)
		}
		l.Belts[i] = resp.IndustryBelt.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.BeltsTime = time.Since(t)
	p("belts: %d published industry belts created through the gateway in %s", len(l.Belts), secs(l.BeltsTime))

	// The imports: one file per member association, the next file written
	// while the current one is imported. They come after the belts and the
	// accounts: creating those reads the associations they name, and on the
	// embedded store GetAssociation counts members by scanning the firms.
	stopProfile, err := startCPUProfile(mo.LoadCPUProfile)
	if err != nil {
		return nil, err
	}
	err = importMembers(ctx, p, progress, admin, l, batches, r)
	stopProfile()
	if err != nil {
		return nil, err
	}
	if mo.LoadCPUProfile != "" {
		p("  CPU profile of the imports: %s (go tool pprof -top %s)", mo.LoadCPUProfile, mo.LoadCPUProfile)
	}

	// Policies, over gRPC as the existing benchmark loads them.
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("dial gRPC: %w", err)
	}
	defer conn.Close()
	gen := newPolicyGen(opts.Seed, time.Now())
	plans := make([]plannedPolicy, mo.Policies)
	for i := range plans {
		plans[i] = gen.next()
	}
	published, _, _, _, elapsed, err := loadPolicies(ctx, catalogv1.NewCatalogServiceClient(conn), admin.token, plans, progress)
	if err != nil {
		return nil, err
	}
	l.PoliciesTime = elapsed
	for _, pol := range published {
		l.PolicyIDs = append(l.PolicyIDs, pol.GetId())
	}
	p("policies: %s created and published over gRPC in %s (%s policies/s, %d clients)",
		thousands(len(l.PolicyIDs)), secs(elapsed), rate(len(l.PolicyIDs), elapsed), min(loadWorkers, len(plans)))
	printMix(p, mixOf(plans))
	return l, nil
}

// importMembers imports each member association's firms as one .xlsx
// through the gateway and checks each report.
func importMembers(ctx context.Context, p func(string, ...any), progress io.Writer, admin *api, l *matchLoad, batches [][]*firmCells, r *rand.Rand) error {
	type file struct {
		i       int
		content []byte
		rows    int
		linked  int
		err     error
	}
	// Linked rows are copies of rows an earlier import created; drawn now so
	// the writer goroutine needs no randomness.
	linked := make([][]*firmCells, len(batches))
	for i := 1; i < len(batches); i++ {
		n := int(math.Round(linkedShare * float64(len(batches[i]))))
		seen := map[*firmCells]bool{}
		for range n {
			b := batches[r.IntN(i)]
			f := b[r.IntN(len(b))]
			if !seen[f] {
				seen[f] = true
				linked[i] = append(linked[i], f)
			}
		}
	}
	files := make(chan file, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(files)
		for i, b := range batches {
			rows := append(slices.Clone(b), linked[i]...)
			content, err := writeXLSX(rows)
			select {
			case files <- file{i: i, content: content, rows: len(rows), linked: len(linked[i]), err: err}:
			case <-wctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	start := time.Now()
	var totalBytes int
	for f := range files {
		if f.err != nil {
			return f.err
		}
		a := l.Members[f.i]
		rep, elapsed, err := admin.importXLSX(ctx, a.ID, f.content)
		if err != nil {
			return fmt.Errorf("import %d into %s: %w", f.i+1, a.Name, err)
		}
		l.Imports++
		l.ImportedRows += f.rows
		l.LinkedRows += f.linked
		totalBytes += len(f.content)
		a.Members = f.rows
		fresh := len(batches[f.i])
		if rep.Failed != 0 || rep.Created != fresh || rep.Linked != f.linked || rep.TotalRows != f.rows {
			l.Problems = append(l.Problems, fmt.Sprintf("import %d (%d rows, %d linked): total %d, created %d, linked %d, unchanged %d, failed %d: %s",
				f.i+1, f.rows, f.linked, rep.TotalRows, rep.Created, rep.Linked, rep.Unchanged, rep.Failed, rowErrorsOf(rep)))
		}
		for _, row := range rep.Rows {
			if row.Outcome == outcomeCreated && row.FirmID != "" {
				l.FirmIDs = append(l.FirmIDs, row.FirmID)
			}
		}
		per1000 := time.Duration(float64(elapsed) * 1000 / float64(f.rows))
		if l.Imports == 1 {
			l.FirstPer1000 = per1000
		}
		l.LastPer1000 = per1000
		if elapsed > l.SlowestImport {
			l.SlowestImport, l.SlowestRows = elapsed, f.rows
		}
		if l.Imports%max(1, len(batches)/10) == 0 || l.Imports == len(batches) {
			since := time.Since(start)
			fmt.Fprintf(progress, "bench: %d of %d imports, %s firms, in %s (%s rows/s; this one %s rows in %s)\n",
				l.Imports, len(batches), thousands(len(l.FirmIDs)), secs(since), rate(l.ImportedRows, since), thousands(f.rows), secs(elapsed))
		}
	}
	l.ImportTime = time.Since(start)
	if len(l.FirmIDs) != sumSizes(l.Members) {
		l.Problems = append(l.Problems, fmt.Sprintf("imports created %d firms, want %d", len(l.FirmIDs), sumSizes(l.Members)))
	}
	p("firms: %d .xlsx files (%s in all, ≤ %s rows each) imported through the gateway in %s (%s rows/s): %s firms created, %s rows linked an existing firm to a second association",
		l.Imports, mib(int64(totalBytes)), thousands(maxBatchRows), secs(l.ImportTime), rate(l.ImportedRows, l.ImportTime),
		thousands(len(l.FirmIDs)), thousands(l.LinkedRows))
	p("  per 1,000 rows: first import %s, last import %s; slowest import %s for %s rows; generation of the firms %s",
		secs(l.FirstPer1000), secs(l.LastPer1000), secs(l.SlowestImport), thousands(l.SlowestRows), secs(l.GenerateTime))
	if len(l.Problems) > 0 {
		p("  import reports inconsistent: %d problems (listed at the end)", len(l.Problems))
	} else {
		p("  every report consistent: no failed row, created and linked as planned")
	}
	return nil
}

func sumSizes(as []*loadedAssociation) int {
	n := 0
	for _, a := range as {
		n += a.size
	}
	return n
}

// planBelts returns n CreateIndustryBelt bodies: a district's cluster in
// one industry, published, carried by up to two member associations of
// that industry.
func planBelts(n int, l *matchLoad, r *rand.Rand) []map[string]any {
	var out []map[string]any
	used := map[string]bool{}
	for i := 0; len(out) < n; i++ {
		d := pick(r, benchDistricts)
		t := pick(r, trades)
		word := pick(r, t.words)[0]
		brand := fmt.Sprintf("%s%s（压测%02d）", d.short, word, i+1)
		if used[d.short+word] && i < 10*n {
			continue
		}
		used[d.short+word] = true
		var products, chapters []string
		for _, pr := range t.products {
			products = append(products, pr.name)
			if pr.hs != "" && !slices.Contains(chapters, pr.hs[:2]) {
				chapters = append(chapters, pr.hs[:2])
			}
		}
		var platforms []string
		for _, pl := range pickN(r, t.platforms, 2+r.IntN(3)) {
			platforms = append(platforms, pl.String())
		}
		var carriers []string
		for _, a := range l.Members {
			if len(carriers) < 2 && slices.Contains(a.Industries, t.industry) && (a.District == d.d || r.IntN(4) == 0) {
				carriers = append(carriers, a.ID)
			}
		}
		out = append(out, map[string]any{
			"district":         d.d.String(),
			"industry":         t.industry.String(),
			"brand_name":       brand,
			"description":      fmt.Sprintf("%s%s产业带（压测数据，虚构）：集聚%s等产品的生产和出口企业，依托跨境电商平台开拓海外市场。", refdata.Label(d.d), refdata.Label(t.industry), strings.Join(products[:min(3, len(products))], "、")),
			"locations":        pickN(r, d.towns, 1+r.IntN(2)),
			"key_products":     products,
			"hs_chapters":      chapters,
			"target_markets":   pickN(r, t.markets, 3+r.IntN(3)),
			"anchor_platforms": platforms,
			"association_ids":  carriers,
			"status":           "INDUSTRY_BELT_STATUS_PUBLISHED",
		})
	}
	return out
}

// parallel runs fn for 0..n-1 with workers goroutines and returns the first
// error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// indexBuild is one engine's indexes once they hold everything.
type indexBuild struct {
	Engine string
	// FirstBuild is WaitReady's time (Meilisearch); CatchUp the time until
	// every count matched.
	FirstBuild, CatchUp time.Duration
	Counts              map[string]int64
}

func (b *indexBuild) countsText() string {
	var parts []string
	for _, id := range []string{"firms", "associations", "policies", "belts"} {
		parts = append(parts, fmt.Sprintf("%s %s", id, thousands(int(b.Counts[id]))))
	}
	return strings.Join(parts, " · ")
}

// flexInt reads an int64 the gateway writes as a JSON string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	*f = flexInt(n)
	return err
}

// indexStatus is ListIndexesResponse as the gateway writes it.
type indexStatus struct {
	Engine  string `json:"engine"`
	Indexes []struct {
		ID             string  `json:"id"`
		Health         string  `json:"health"`
		DocumentCount  flexInt `json:"document_count"`
		PendingChanges flexInt `json:"pending_changes"`
		LastError      string  `json:"last_error"`
	} `json:"indexes"`
}

// waitIndexed polls GET /v1/index/status until every expected index is
// serving, has no pending change and holds the expected number of
// documents.
func waitIndexed(ctx context.Context, a *api, want map[string]int, limit time.Duration) (*indexBuild, error) {
	deadline := time.Now().Add(limit)
	var last indexStatus
	for {
		var st indexStatus
		if err := a.call(ctx, http.MethodGet, "/v1/index/status", "", nil, &st); err != nil {
			return nil, err
		}
		last = st
		counts := map[string]int64{}
		ok := true
		for id, n := range want {
			found := false
			for _, ix := range st.Indexes {
				if ix.ID != id {
					continue
				}
				found = true
				counts[id] = int64(ix.DocumentCount)
				if ix.PendingChanges != 0 || int(ix.DocumentCount) != n || ix.Health == "INDEX_HEALTH_BUILDING" || ix.Health == "INDEX_HEALTH_UNAVAILABLE" {
					ok = false
				}
			}
			ok = ok && found
		}
		if ok {
			return &indexBuild{Counts: counts}, nil
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(last)
			return nil, fmt.Errorf("indexes not caught up after %s: want %v, status %s", limit, want, b)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// getJSON reads path with token into out; non-200 is an error.
func getJSON(ctx context.Context, hc *http.Client, base, path, token string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %.300s", path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}
