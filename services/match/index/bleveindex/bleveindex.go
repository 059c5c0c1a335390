// Package bleveindex is the embedded Bleve adapter of the match service's
// search port (index.Engine): the local default, needing no server.
//
// Each kind is one Bleve index behind an index alias; Rebuild fills a new
// index and Commit swaps it into the alias, so searches never see a gap.
// Field layout of one Bleve document:
//
//	title, t_<name>  text, CJK analyzer (Chinese by bigrams)
//	all              the title (titleWeight times) and every text field
//	                 together, CJK analyzer: where query words match and
//	                 relevance is scored
//	k_<name>         keyword values, keyword analyzer (exact), doc values
//	n_<name>         numbers, doc values (ranges, sorting)
//	doc              the whole index.Document as JSON, stored only
//	_sid             the id, keyword with doc values (sorting by id)
//
// Queries are built from typed query objects (term, numeric range, boolean,
// disjunction with a minimum, doc id), never from a query string, so neither
// user text nor filter values can change a query's meaning.
package bleveindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Options configure an Engine.
type Options struct {
	// Dir keeps the indexes on disk under this directory (one folder per
	// kind), reopened on restart; empty keeps them in a private scratch
	// directory removed by Close (the indexes are rebuilt from the feeds).
	Dir string
}

// Engine is the Bleve index.Engine. Create it with New.
type Engine struct {
	opts Options
	// scratch holds the indexes when opts.Dir is empty. Scorch without a
	// path would keep them in memory, but then it never merges segments:
	// every batch of the sync stays a segment of its own, and at 100,000
	// firms each query term was looked up in hundreds of segments.
	scratch string

	mu     sync.RWMutex
	kinds  map[index.Kind]*kindIndex
	closed bool
}

type kindIndex struct {
	alias bleve.IndexAlias

	// mu guards schema, live and liveDir (read by searches, written by
	// Ensure and Commit).
	mu       sync.RWMutex
	schema   index.Schema
	analyzer analysis.Analyzer
	live     bleve.Index
	liveDir  string

	// wmu serialises writes with the rebuild state.
	wmu      sync.Mutex
	building *builder

	// mem holds the live index's documents decoded, with their keyword
	// bitmaps (see memIndex): searches filter, count facets and sort there,
	// and return hits without loading stored fields.
	cmu sync.RWMutex
	mem *memIndex

	// segIDs maps the live index's document numbers to ids (text queries).
	segIDs segmentIDs
}

func (k *kindIndex) cached(id string) (index.Document, bool) {
	k.cmu.RLock()
	defer k.cmu.RUnlock()
	return k.mem.get(id)
}

func (k *kindIndex) remember(docs []index.Document, deletes []string) {
	k.cmu.Lock()
	defer k.cmu.Unlock()
	for _, d := range docs {
		k.mem.put(d)
	}
	for _, id := range deletes {
		k.mem.remove(id)
	}
}

var _ index.Engine = (*Engine)(nil)

// New returns an engine; with opts.Dir it creates the directory, without it
// a scratch directory.
func New(opts Options) (*Engine, error) {
	e := &Engine{opts: opts, kinds: map[index.Kind]*kindIndex{}}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("bleve index dir: %w", err)
		}
		return e, nil
	}
	dir, err := os.MkdirTemp("", "qihang-bleve-")
	if err != nil {
		return nil, fmt.Errorf("bleve scratch dir: %w", err)
	}
	e.scratch = dir
	return e, nil
}

// root is the directory holding the kinds' index folders.
func (e *Engine) root() string {
	if e.opts.Dir != "" {
		return e.opts.Dir
	}
	return e.scratch
}

// Name implements index.Engine.
func (e *Engine) Name() string { return "bleve" }

// Close implements index.Engine: closes every index (in-memory indexes are
// gone afterwards).
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	for _, k := range e.kinds {
		k.wmu.Lock()
		if b := k.building; b != nil {
			errs = append(errs, b.idx.Close())
			if b.dir != "" {
				_ = os.RemoveAll(b.dir)
			}
			k.building = nil
		}
		k.wmu.Unlock()
		errs = append(errs, k.alias.Close(), k.live.Close())
	}
	if e.scratch != "" {
		errs = append(errs, os.RemoveAll(e.scratch))
	}
	return errors.Join(errs...)
}

func (e *Engine) kind(kind index.Kind) (*kindIndex, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, fmt.Errorf("%w: bleve engine closed", index.ErrUnavailable)
	}
	k, ok := e.kinds[kind]
	if !ok {
		return nil, fmt.Errorf("%w: kind %q not ensured", index.ErrInvalid, kind)
	}
	return k, nil
}

func (k *kindIndex) snapshot() (index.Schema, analysis.Analyzer) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.schema, k.analyzer
}

const schemaKey = "qihang.schema"

// idField holds the document id as a keyword with doc values, to sort on.
const idField = "_sid"

// titleWeight is how many times the title is in the "all" field, so a word
// of the title scores higher than one of the other texts.
const titleWeight = 3

func newMapping(s index.Schema) *mapping.IndexMappingImpl {
	text := func() *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = cjk.AnalyzerName
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	keyword := bleve.NewKeywordFieldMapping()
	keyword.Store, keyword.IncludeTermVectors, keyword.IncludeInAll = false, false, false
	number := bleve.NewNumericFieldMapping()
	number.Store, number.IncludeInAll = false, false
	stored := bleve.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeTermVectors, stored.IncludeInAll, stored.DocValues = false, true, false, false, false

	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text())
	dm.AddFieldMappingsAt("all", text())
	dm.AddFieldMappingsAt("doc", stored)
	dm.AddFieldMappingsAt(idField, keyword)
	for _, f := range s.TextFields {
		dm.AddFieldMappingsAt("t_"+f, text())
	}
	for _, f := range s.KeywordFields {
		dm.AddFieldMappingsAt("k_"+f, keyword)
	}
	for _, f := range s.NumberFields {
		dm.AddFieldMappingsAt("n_"+f, number)
	}
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = cjk.AnalyzerName
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// openIndex creates a new index for s in a fresh folder under
// <root>/<kind>/.
func (e *Engine) openIndex(s index.Schema) (bleve.Index, string, error) {
	m := newMapping(s)
	var idx bleve.Index
	dir := filepath.Join(e.root(), string(s.Kind), "g"+strconv.FormatInt(time.Now().UnixNano(), 36))
	err := os.MkdirAll(filepath.Dir(dir), 0o755)
	if err == nil {
		// Scorch (bleve.NewMemOnly, upsidedown on a gtreap, indexed too
		// slowly: 100,000 firms had not finished after 4.5 minutes and
		// 4.8 GB). A scratch index need not wait for each batch to be
		// persisted: it is gone with the process anyway.
		var cfg map[string]any
		if e.opts.Dir == "" {
			cfg = map[string]any{"unsafe_batch": true}
		}
		idx, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, cfg)
	}
	if err != nil {
		return nil, "", fmt.Errorf("bleve new index for %s: %w", s.Kind, err)
	}
	sj, _ := json.Marshal(s)
	if err := idx.SetInternal([]byte(schemaKey), sj); err != nil {
		_ = idx.Close()
		return nil, "", fmt.Errorf("bleve store schema: %w", err)
	}
	return idx, dir, nil
}

// setCurrent records dir as the kind's live index folder (atomically, by
// rename), so a restart opens it.
func (e *Engine) setCurrent(kind index.Kind, dir string) error {
	if e.opts.Dir == "" {
		return nil
	}
	p := filepath.Join(e.opts.Dir, string(kind), "CURRENT")
	if err := os.WriteFile(p+".tmp", []byte(filepath.Base(dir)), 0o644); err != nil {
		return err
	}
	return os.Rename(p+".tmp", p)
}

// openCurrent opens the kind's live index from disk, if there is one.
func (e *Engine) openCurrent(kind index.Kind) (bleve.Index, string, index.Schema, bool, error) {
	if e.opts.Dir == "" {
		return nil, "", index.Schema{}, false, nil
	}
	name, err := os.ReadFile(filepath.Join(e.opts.Dir, string(kind), "CURRENT"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", index.Schema{}, false, nil
	}
	if err != nil {
		return nil, "", index.Schema{}, false, err
	}
	dir := filepath.Join(e.opts.Dir, string(kind), strings.TrimSpace(string(name)))
	idx, err := bleve.Open(dir)
	if err != nil {
		return nil, "", index.Schema{}, false, fmt.Errorf("bleve open %s: %w", dir, err)
	}
	var s index.Schema
	sj, err := idx.GetInternal([]byte(schemaKey))
	if err == nil {
		err = json.Unmarshal(sj, &s)
	}
	if err != nil {
		_ = idx.Close()
		return nil, "", index.Schema{}, false, fmt.Errorf("bleve schema of %s: %w", dir, err)
	}
	return idx, dir, s, true, nil
}

// Ensure implements index.Engine. When the kind's index exists with another
// schema, the documents are copied into a new index with the new mapping and
// swapped in.
func (e *Engine) Ensure(ctx context.Context, s index.Schema) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxErr("ensure", err)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return fmt.Errorf("%w: bleve engine closed", index.ErrUnavailable)
	}
	k, ok := e.kinds[s.Kind]
	if !ok {
		idx, dir, old, found, err := e.openCurrent(s.Kind)
		if err != nil {
			e.mu.Unlock()
			return err
		}
		if !found {
			idx, dir, err = e.openIndex(s)
			if err == nil {
				err = e.setCurrent(s.Kind, dir)
			}
			if err != nil {
				e.mu.Unlock()
				return err
			}
			old = s
		}
		mem := newMemIndex()
		if found {
			// Searches need every document in memory.
			docs, err := storedDocuments(ctx, idx)
			if err != nil {
				_ = idx.Close()
				e.mu.Unlock()
				return err
			}
			for _, d := range docs {
				mem.put(d)
			}
		}
		m := newMapping(old)
		k = &kindIndex{alias: bleve.NewIndexAlias(idx), schema: old, analyzer: m.AnalyzerNamed(cjk.AnalyzerName), live: idx, liveDir: dir, mem: mem}
		e.kinds[s.Kind] = k
	}
	e.mu.Unlock()

	current, _ := k.snapshot()
	if reflect.DeepEqual(normalise(current), normalise(s)) {
		return nil
	}
	return e.migrate(ctx, k, s)
}

func normalise(s index.Schema) index.Schema {
	out := s
	for _, p := range []*[]string{&out.TextFields, &out.KeywordFields, &out.NumberFields, &out.ExactTextKeywords} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return out
}

// migrate copies the live documents into a new index built for s and swaps
// it in.
func (e *Engine) migrate(ctx context.Context, k *kindIndex, s index.Schema) error {
	b, err := e.rebuild(k, s)
	if err != nil {
		return err
	}
	k.cmu.RLock()
	docs := k.mem.all()
	k.cmu.RUnlock()
	for i := range docs {
		docs[i] = keepSchemaFields(cloneDoc(docs[i]), s)
	}
	for i := 0; i < len(docs); i += 1000 {
		if err := b.Upsert(ctx, docs[i:min(i+1000, len(docs))]); err != nil {
			_ = b.Abort(ctx)
			return err
		}
	}
	return b.Commit(ctx)
}

// storedDocuments reads every document an index on disk stored.
func storedDocuments(ctx context.Context, idx bleve.Index) ([]index.Document, error) {
	var out []index.Document
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1000, 0, false)
		req.Fields = []string{"doc"}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, ctxErr("read stored documents", err)
		}
		for _, h := range res.Hits {
			d, err := hitDocument(h)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		if len(res.Hits) < 1000 {
			return out, nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
}

// keepSchemaFields drops fields that the new schema no longer declares.
func keepSchemaFields(d index.Document, s index.Schema) index.Document {
	for f := range d.Text {
		if !contains(s.TextFields, f) {
			delete(d.Text, f)
		}
	}
	for f := range d.Keywords {
		if !contains(s.KeywordFields, f) {
			delete(d.Keywords, f)
		}
	}
	for f := range d.Numbers {
		if !contains(s.NumberFields, f) {
			delete(d.Numbers, f)
		}
	}
	return d
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// storedDoc is the "doc" field: the document as given.
type storedDoc struct {
	ID       string              `json:"id"`
	Version  int64               `json:"version"`
	Title    string              `json:"title"`
	Text     map[string]string   `json:"text,omitempty"`
	Keywords map[string][]string `json:"keywords,omitempty"`
	Numbers  map[string]float64  `json:"numbers,omitempty"`
	Payload  []byte              `json:"payload,omitempty"`
}

// toBleve maps a document to Bleve's fields. Only an index on disk stores
// the whole document (to be read back after a restart): a scratch index
// holds every document decoded in memory, and a smaller stored record makes
// each hit's id cheaper to read.
func (e *Engine) toBleve(s index.Schema, d index.Document) (map[string]any, error) {
	var sj []byte
	if e.opts.Dir != "" {
		var err error
		sj, err = json.Marshal(storedDoc{
			ID: d.ID, Version: d.Version, Title: d.Title, Text: d.Text,
			Keywords: d.Keywords, Numbers: d.Numbers, Payload: d.Payload,
		})
		if err != nil {
			return nil, err
		}
	}
	all := make([]string, 0, titleWeight+len(s.TextFields))
	for range titleWeight {
		all = append(all, d.Title)
	}
	m := map[string]any{"title": d.Title, idField: d.ID}
	if e.opts.Dir != "" {
		m["doc"] = string(sj)
	}
	for _, f := range s.TextFields {
		if v, ok := d.Text[f]; ok {
			m["t_"+f] = v
			all = append(all, v)
		}
	}
	m["all"] = strings.Join(all, "\n")
	for f, vs := range d.Keywords {
		m["k_"+f] = vs
	}
	for f, v := range d.Numbers {
		m["n_"+f] = v
	}
	return m, nil
}

func hitDocument(h *search.DocumentMatch) (index.Document, error) {
	raw, _ := h.Fields["doc"].(string)
	var sd storedDoc
	if err := json.Unmarshal([]byte(raw), &sd); err != nil {
		return index.Document{}, fmt.Errorf("bleve stored document %s: %w", h.ID, err)
	}
	return index.Document{
		ID: h.ID, Version: sd.Version, Title: sd.Title, Text: sd.Text,
		Keywords: sd.Keywords, Numbers: sd.Numbers, Payload: sd.Payload,
	}, nil
}

func ctxErr(op string, err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("bleve %s: %w", op, context.Canceled)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("bleve %s: %w: %w", op, index.ErrUnavailable, context.DeadlineExceeded)
	}
	return fmt.Errorf("bleve %s: %w", op, err)
}

func (e *Engine) batchOf(idx bleve.Index, s index.Schema, docs []index.Document, deletes []string) (*bleve.Batch, error) {
	b := idx.NewBatch()
	for _, d := range docs {
		m, err := e.toBleve(s, d)
		if err != nil {
			return nil, err
		}
		if err := b.Index(d.ID, m); err != nil {
			return nil, fmt.Errorf("bleve index %s: %w", d.ID, err)
		}
	}
	for _, id := range deletes {
		b.Delete(id)
	}
	return b, nil
}

// Upsert implements index.Engine.
func (e *Engine) Upsert(ctx context.Context, kind index.Kind, docs []index.Document) error {
	return e.write(ctx, kind, docs, nil)
}

// Delete implements index.Engine.
func (e *Engine) Delete(ctx context.Context, kind index.Kind, ids []string) error {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if index.ValidID(id) {
			valid = append(valid, id)
		}
	}
	return e.write(ctx, kind, nil, valid)
}

func (e *Engine) write(ctx context.Context, kind index.Kind, docs []index.Document, deletes []string) error {
	k, err := e.kind(kind)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxErr("write", err)
	}
	k.wmu.Lock()
	defer k.wmu.Unlock()
	s, _ := k.snapshot()
	if err := s.ValidateDocuments(docs); err != nil {
		return err
	}
	if len(docs)+len(deletes) == 0 {
		return nil
	}
	batch, err := e.batchOf(k.live, s, docs, deletes)
	if err != nil {
		return err
	}
	// Batch returns once the changes are searchable.
	if err := k.alias.Batch(batch); err != nil {
		return fmt.Errorf("bleve batch: %w", err)
	}
	k.remember(docs, deletes)
	if b := k.building; b != nil {
		for _, d := range docs {
			b.touched[d.ID] = true
		}
		for _, id := range deletes {
			b.touched[id] = true
		}
		kept := keepAll(docs, b.schema)
		nb, err := e.batchOf(b.idx, b.schema, kept, deletes)
		if err != nil {
			return err
		}
		if err := b.idx.Batch(nb); err != nil {
			return fmt.Errorf("bleve batch into the index being rebuilt: %w", err)
		}
		b.remember(kept, deletes)
	}
	return nil
}

func keepAll(docs []index.Document, s index.Schema) []index.Document {
	out := make([]index.Document, len(docs))
	for i, d := range docs {
		out[i] = keepSchemaFields(cloneDoc(d), s)
	}
	return out
}

func cloneDoc(d index.Document) index.Document {
	c := d
	if d.Text != nil {
		c.Text = make(map[string]string, len(d.Text))
		for k, v := range d.Text {
			c.Text[k] = v
		}
	}
	if d.Keywords != nil {
		c.Keywords = make(map[string][]string, len(d.Keywords))
		for k, v := range d.Keywords {
			c.Keywords[k] = v
		}
	}
	if d.Numbers != nil {
		c.Numbers = make(map[string]float64, len(d.Numbers))
		for k, v := range d.Numbers {
			c.Numbers[k] = v
		}
	}
	return c
}

// Get implements index.Engine.
func (e *Engine) Get(ctx context.Context, kind index.Kind, id string) (index.Document, bool, error) {
	k, err := e.kind(kind)
	if err != nil {
		return index.Document{}, false, err
	}
	if err := ctx.Err(); err != nil {
		return index.Document{}, false, ctxErr("get", err)
	}
	if !index.ValidID(id) {
		return index.Document{}, false, nil
	}
	return e.load(ctx, k, id)
}

// load returns a document of k's live index (every one is in memory).
func (e *Engine) load(_ context.Context, k *kindIndex, id string) (index.Document, bool, error) {
	d, ok := k.cached(id)
	return d, ok, nil
}

// Count implements index.Engine.
func (e *Engine) Count(ctx context.Context, kind index.Kind) (int, error) {
	k, err := e.kind(kind)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, ctxErr("count", err)
	}
	n, err := k.alias.DocCount()
	if err != nil {
		return 0, fmt.Errorf("bleve count: %w", err)
	}
	return int(n), nil
}

// Segments is the number of segments of the kind's live index: each query
// term is looked up once per segment, so the merger keeps it small.
func (e *Engine) Segments(kind index.Kind) (int, error) {
	k, err := e.kind(kind)
	if err != nil {
		return 0, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	adv, err := k.live.Advanced()
	if err != nil {
		return 0, err
	}
	r, err := adv.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, fmt.Errorf("bleve: %T is not a scorch snapshot", r)
	}
	return len(snap.Segments()), nil
}
