// Package eval keeps the match service's labelled evaluation set and
// measures the firm→policies, firm→associations and firm→belts rankings
// against it (nDCG@10 and recall@10 per match kind and engine).
//
// The set is sample data, invented for Hangzhou's "百社千企 跨境启航"
// programme: 47 associations (industry associations, district e-commerce
// associations, chambers), 27 industry belts (一区一品, two of them not
// published), 74 support policies (municipal, provincial, national and
// district; some withdrawn, expired, drafts or with a closed application
// round; criteria in the catalog's CEL environment), about 300 background
// member firms generated from per-association cohorts, and 24 query firms.
// Every record is created with Sample set, and every policy carries the tag
// SampleTag.
//
// Each query firm carries graded labels for policies, associations and
// belts, written from the domain, the way a programme officer would pick
// them, not copied from the ranking:
//
//   - policies: 2 = the firm meets every criterion as its profile stands and
//     the policy serves one of its stated needs (or is the programme of its
//     own industry that does); 1 = it meets the criteria and the support is
//     material for it (scale rewards, its belt's cluster funding, its
//     district's general support) though not need-specific; 0 = the rest
//     (not eligible, withdrawn, expired, another district, round closed).
//   - associations (never its own): 2 = the association an officer would
//     introduce it to first (its district's cross-border association, its
//     industry's association with the services it needs); 1 = worth a look
//     (neighbouring industry, city-wide cross-border association).
//   - belts: 2 = the belt of its district and industry; 1 = a belt of
//     another district whose products and supply chain overlap its own.
//
// The why field of every query says the reasoning in a sentence.
package eval

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SampleTag is the tag every evaluation policy carries.
const SampleTag = "评测样例"

//go:embed associations.json belts.json policies.json cohorts.json queries.json
var files embed.FS

// Set is the evaluation set.
type Set struct {
	Associations []Association
	Belts        []Belt
	Policies     []Policy
	Cohorts      []Cohort
	Queries      []Query
}

// Association is one association of the set. Enum values are written in
// lower case without their prefix ("xiaoshan", "industry_association").
type Association struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Short       string   `json:"short"`
	Type        string   `json:"type"`
	District    string   `json:"district"`
	Industries  []string `json:"industries"`
	Services    []string `json:"services"`
	Joined      bool     `json:"joined"`
	Description string   `json:"description"`
}

// Belt is one industry belt; Status is "" (published), "draft" or
// "archived".
type Belt struct {
	Key          string   `json:"key"`
	District     string   `json:"district"`
	Industry     string   `json:"industry"`
	Brand        string   `json:"brand"`
	Description  string   `json:"description"`
	Locations    []string `json:"locations"`
	Products     []string `json:"products"`
	HS           []string `json:"hs"`
	Markets      []string `json:"markets"`
	Platforms    []string `json:"platforms"`
	Associations []string `json:"associations"`
	Status       string   `json:"status"`
}

// Criterion is one eligibility criterion in CEL.
type Criterion struct {
	ID   string `json:"id"`
	Desc string `json:"desc"`
	Expr string `json:"expr"`
}

// Policy states.
const (
	StatePublished = ""          // published, in force, round open
	StateClosed    = "closed"    // published, application round over
	StateExpired   = "expired"   // published, then its validity ended
	StateWithdrawn = "withdrawn" // published, then withdrawn
	StateDraft     = "draft"     // never published
)

// Policy is one support policy.
type Policy struct {
	Key        string      `json:"key"`
	Title      string      `json:"title"`
	Issuer     string      `json:"issuer"`
	Level      string      `json:"level"`
	Districts  []string    `json:"districts"`
	Industries []string    `json:"industries"`
	Stages     []string    `json:"stages"`
	Categories []string    `json:"categories"`
	Summary    string      `json:"summary"`
	Benefit    string      `json:"benefit"`
	MaxWan     int64       `json:"max_wan"`
	Tags       []string    `json:"tags"`
	Criteria   []Criterion `json:"criteria"`
	State      string      `json:"state"`
}

// Cohort generates Count background member firms of an association: firm i
// takes the i-th industry, district, products, HS code, markets and
// platforms in rotation. Every third firm also joins the Also associations.
type Cohort struct {
	Association string   `json:"association"`
	Count       int      `json:"count"`
	Word        string   `json:"word"`
	Industries  []string `json:"industries"`
	Districts   []string `json:"districts"`
	Products    []string `json:"products"`
	HS          []string `json:"hs"`
	Markets     []string `json:"markets"`
	Platforms   []string `json:"platforms"`
	Also        []string `json:"also"`
}

// Query is a query firm with its labels. Association is the association
// that registers it ("" for a firm registered by the bureau, member of
// none).
type Query struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Association string   `json:"association"`
	District    string   `json:"district"`
	Industry    string   `json:"industry"`
	Products    string   `json:"products"`
	HS          []string `json:"hs"`
	Stage       string   `json:"stage"`
	Markets     []string `json:"markets"`
	Platforms   []string `json:"platforms"`
	Needs       []string `json:"needs"`
	ExportWan   *int64   `json:"export_wan"`
	Employees   string   `json:"employees"`
	Revenue     string   `json:"revenue"`
	Why         string   `json:"why"`
	Labels      Labels   `json:"labels"`
}

// Labels are graded relevances by key, per kind.
type Labels struct {
	Policies     map[string]int `json:"policies"`
	Associations map[string]int `json:"associations"`
	Belts        map[string]int `json:"belts"`
}

// Of returns the labels of kind.
func (l Labels) Of(k Kind) map[string]int {
	switch k {
	case KindPolicies:
		return l.Policies
	case KindAssociations:
		return l.Associations
	default:
		return l.Belts
	}
}

// Kind is a match kind the set labels.
type Kind string

// The labelled match kinds.
const (
	KindPolicies     Kind = "firm→policies"
	KindAssociations Kind = "firm→associations"
	KindBelts        Kind = "firm→belts"
)

// Kinds lists the labelled kinds in report order.
func Kinds() []Kind { return []Kind{KindPolicies, KindAssociations, KindBelts} }

// Load reads the embedded set and checks that every reference resolves.
func Load() (*Set, error) {
	s := &Set{}
	for _, f := range []struct {
		name string
		into any
	}{
		{"associations.json", &s.Associations}, {"belts.json", &s.Belts}, {"policies.json", &s.Policies},
		{"cohorts.json", &s.Cohorts}, {"queries.json", &s.Queries},
	} {
		b, err := files.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.into); err != nil {
			return nil, fmt.Errorf("eval: %s: %w", f.name, err)
		}
	}
	return s, s.check()
}

// check reports dangling keys, duplicate keys and labels on records a
// firm can never be matched with (its own association).
func (s *Set) check() error {
	var errs []error
	keys := func(what string, ks []string) map[string]bool {
		m := map[string]bool{}
		for _, k := range ks {
			if m[k] {
				errs = append(errs, fmt.Errorf("duplicate %s key %q", what, k))
			}
			m[k] = true
		}
		return m
	}
	var ak, bk, pk, qk []string
	for _, a := range s.Associations {
		ak = append(ak, a.Key)
	}
	for _, b := range s.Belts {
		bk = append(bk, b.Key)
	}
	for _, p := range s.Policies {
		pk = append(pk, p.Key)
	}
	for _, q := range s.Queries {
		qk = append(qk, q.Key)
	}
	assocs, belts, policies := keys("association", ak), keys("belt", bk), keys("policy", pk)
	keys("query", qk)
	ref := func(where string, have map[string]bool, ks ...string) {
		for _, k := range ks {
			if k != "" && !have[k] {
				errs = append(errs, fmt.Errorf("%s: unknown key %q", where, k))
			}
		}
	}
	for _, b := range s.Belts {
		ref("belt "+b.Key, assocs, b.Associations...)
	}
	for _, c := range s.Cohorts {
		ref("cohort "+c.Association, assocs, append([]string{c.Association}, c.Also...)...)
		if c.Count <= 0 || len(c.Industries) == 0 || len(c.Products) == 0 || len(c.Markets) == 0 {
			errs = append(errs, fmt.Errorf("cohort %s: count, industries, products and markets are required", c.Association))
		}
	}
	for _, q := range s.Queries {
		ref("query "+q.Key, assocs, q.Association)
		for k := range q.Labels.Policies {
			ref("query "+q.Key+" policy label", policies, k)
		}
		for k := range q.Labels.Associations {
			ref("query "+q.Key+" association label", assocs, k)
			if k == q.Association {
				errs = append(errs, fmt.Errorf("query %s: labels its own association %q", q.Key, k))
			}
		}
		for k := range q.Labels.Belts {
			ref("query "+q.Key+" belt label", belts, k)
		}
		for _, kind := range Kinds() {
			for k, g := range q.Labels.Of(kind) {
				if g < 1 || g > 2 {
					errs = append(errs, fmt.Errorf("query %s: %s label %q: grade %d, want 1 or 2", q.Key, kind, k, g))
				}
			}
			if len(q.Labels.Of(kind)) == 0 {
				errs = append(errs, fmt.Errorf("query %s: no %s labels", q.Key, kind))
			}
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return fmt.Errorf("eval: the evaluation set is inconsistent: %w", errors.Join(errs...))
	}
	return nil
}

// Firms counts the set's firms: background cohorts plus query firms.
func (s *Set) Firms() int {
	n := len(s.Queries)
	for _, c := range s.Cohorts {
		n += c.Count
	}
	return n
}
