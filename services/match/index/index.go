// Package index is the match service's port to a search engine: one small
// interface (Engine) with two adapters, bleveindex (embedded, the local
// default) and meiliindex (Meilisearch, production), which pass one
// conformance suite (indextest).
//
// Documents are engine-neutral: searchable Chinese-first text, exact keyword
// fields for filters and facets, numbers for ranges and sorting, and an opaque
// payload. Queries are typed values (Query, Filter, Cond): no query language
// crosses this port, so neither user text nor filter values can change what a
// query means.
package index

import (
	"context"
	"errors"
)

// Kind names one search index (one per kind of object matched).
type Kind string

// The kinds the match service indexes.
const (
	KindFirm        Kind = "firms"
	KindAssociation Kind = "associations"
	KindPolicy      Kind = "policies"
	KindBelt        Kind = "belts"
	KindExpert      Kind = "experts"
)

// IDField is the pseudo field that filters (Cond.Field) and sorts (SortBy.Field)
// on the document id.
const IDField = "id"

// Limits shared by both engines (checked by Schema.ValidateDocuments and
// Schema.ValidateQuery so both engines refuse the same inputs).
const (
	// MaxLimit is the largest Query.Limit.
	MaxLimit = 1000
	// MaxWindow bounds Offset+Limit: Meilisearch cannot page past its
	// pagination.maxTotalHits setting, which meiliindex sets to this value.
	MaxWindow = 20000
	// MaxKeywordBytes bounds one keyword value: Meilisearch truncates long facet
	// values, which would make distinct long values equal in filters.
	MaxKeywordBytes = 200
	// MaxIDBytes bounds a document id.
	MaxIDBytes = 128
	// MaxFacetValues is how many values (the most frequent) a facet returns.
	MaxFacetValues = 1000
)

// ErrUnavailable marks an engine that is down, unreachable or too slow
// (timeouts): the service answers gRPC Unavailable. Errors wrap it with %w.
var ErrUnavailable = errors.New("index: search engine unavailable")

// ErrInvalid marks a request the engine refuses before running it: an unknown
// field, a kind not Ensured in this process, a bad id, a limit out of range.
// Errors wrap it with %w and say which field and rule.
var ErrInvalid = errors.New("index: invalid request")

// Document is one search document. Text fields are searchable (Chinese-first);
// Keywords are exact-match filterable/facetable fields (never typo-tolerant,
// never analysed: HS codes, USCC, enum names, ids, ISO market codes); Numbers
// are filterable and sortable.
type Document struct {
	// ID is 1..128 bytes of [A-Za-z0-9_-] (Meilisearch's rule for ids).
	ID      string
	Version int64
	// Title is searchable with the highest weight, and returned.
	Title string
	// Text holds the other searchable fields: e.g. "products", "summary",
	// "description", "short_name". Names must be declared in Schema.TextFields.
	Text map[string]string
	// Keywords holds exact values, e.g. "district", "industry", "hs_codes",
	// "hs_chapters", "markets", "platforms", "stage", "needs",
	// "association_ids", "status", "uscc", "categories". Values are non-empty
	// and at most MaxKeywordBytes bytes; case and spaces matter.
	Keywords map[string][]string
	// Numbers holds finite numbers, e.g. "readiness", "benefit_fen",
	// "valid_from", "valid_to" (unix seconds).
	Numbers map[string]float64
	// Payload is opaque stored bytes (a proto projection), returned as is.
	Payload []byte
}

// Schema declares, per kind, which fields exist, so each engine can configure
// its settings or mapping once (Engine.Ensure).
type Schema struct {
	Kind Kind
	// TextFields are searchable, in priority order after Title.
	TextFields    []string
	KeywordFields []string
	NumberFields  []string
	// ExactTextKeywords are keyword fields whose values may also be typed in
	// the search box and must then match exactly (whole value, no typo, no
	// prefix), e.g. "uscc", "hs_codes".
	ExactTextKeywords []string
}

// Cond is one condition on a field: a keyword in any of AnyOf, or a number in
// [Min, Max] (either bound may be nil, not both). Not negates it; a negated
// condition also matches documents that lack the field. Field IDField takes
// AnyOf only.
type Cond struct {
	Field    string
	AnyOf    []string
	Not      bool
	Min, Max *float64
}

// Filter is an AND of groups; each group is an OR of conds. The zero Filter
// matches every document.
type Filter struct{ All [][]Cond }

// SortBy orders by a number field, or by IDField. Documents without the
// number come last in both directions.
type SortBy struct {
	Field string
	Desc  bool
}

// Query is one search.
type Query struct {
	// Text is free text typed by a person; empty means filter only (every
	// matching document). Whitespace separates words; every word must match
	// (in any searchable field, or through a synonym, or exactly as the value
	// of an ExactTextKeywords field).
	Text   string
	Filter Filter
	// Sort empty orders by text relevance; ties always end by id ascending.
	Sort []SortBy
	// Facets are keyword fields to count over the whole filtered result (at
	// most MaxFacetValues values each, the most frequent).
	Facets []string
	// Limit is 0..MaxLimit (0 returns no hits, still Total and Facets), and
	// Offset+Limit at most MaxWindow.
	Offset, Limit int
	// Highlight returns the Title/Text fields that matched, HTML-escaped, with
	// the matched parts wrapped in <em>…</em>.
	Highlight bool
}

// Request is one query of Engine.SearchMany.
type Request struct {
	Kind  Kind
	Query Query
}

// Hit is one search result.
type Hit struct {
	Doc Document
	// Score is text relevance normalised to [0,1]; 0 when Query.Text is empty.
	// Scores of the two engines are not comparable with each other.
	Score float64
	// Highlights maps "title" or a text field name to its highlighted text.
	Highlights map[string]string
}

// Result is one page of hits.
type Result struct {
	Hits []Hit
	// Total counts every matching document. Meilisearch reports it as
	// estimatedTotalHits: exact for filter-only queries, possibly an estimate
	// for text queries on large indexes.
	Total  int
	Facets map[string]map[string]int
}

// Engine is a search engine holding one live index per kind. Implementations
// are safe for concurrent use.
type Engine interface {
	// Name is "bleve" or "meilisearch".
	Name() string
	// Ensure creates the kind's live index with its settings if missing
	// (idempotent; also updates settings). Every kind must be Ensured in the
	// process before it is used.
	Ensure(ctx context.Context, s Schema) error
	// Upsert adds or replaces documents by ID and returns once they are
	// searchable. During a Rebuild the documents also go into the index being
	// built.
	Upsert(ctx context.Context, kind Kind, docs []Document) error
	// Delete removes documents by ID (missing ids are fine) and returns once
	// the deletion is visible. During a Rebuild it also applies to the index
	// being built.
	Delete(ctx context.Context, kind Kind, ids []string) error
	// Get returns the document with the id, false when there is none.
	Get(ctx context.Context, kind Kind, id string) (Document, bool, error)
	Search(ctx context.Context, kind Kind, q Query) (Result, error)
	// SearchMany runs several queries, of any kinds, and returns their
	// results in order: in one round trip where the engine has one
	// (Meilisearch's multi-search). It fails as a whole when any query does.
	SearchMany(ctx context.Context, reqs []Request) ([]Result, error)
	// Count is the number of documents in the kind's live index.
	Count(ctx context.Context, kind Kind) (int, error)
	// Rebuild starts a fresh index for kind; the live index keeps serving (and
	// accepting Upsert/Delete, which are applied to both) until Commit
	// atomically swaps the new one in (Meilisearch swap-indexes; Bleve an index
	// alias swap), with no moment where searches see an empty or partial index.
	// Abort drops it. One rebuild per kind at a time.
	Rebuild(ctx context.Context, s Schema) (Builder, error)
	Close() error
}

// Builder fills an index started by Engine.Rebuild.
type Builder interface {
	// Upsert adds documents to the new index. A document whose id was written
	// or deleted through Engine.Upsert/Delete since the rebuild started is
	// skipped: the live write is newer than the rebuild's snapshot.
	Upsert(ctx context.Context, docs []Document) error
	// Commit swaps the new index in atomically and drops the old one.
	Commit(ctx context.Context) error
	// Abort drops the new index; the live index is untouched.
	Abort(ctx context.Context) error
}
