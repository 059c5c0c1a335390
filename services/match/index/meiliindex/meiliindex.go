// Package meiliindex is the Meilisearch adapter of the match service's search
// port (index.Engine), for production.
//
// Layout of one Meilisearch document (index uid = Options.Prefix + kind,
// primary key "id"):
//
//	id        the id (sortable; the last ranking rule is id:asc)
//	hid       hex of the id (filterable: Meilisearch compares strings
//	          case-insensitively, hex keeps ids exact)
//	title     searchable, first
//	t_<name>  text fields, searchable in schema order (localized: Chinese)
//	x_<name>  raw values of ExactTextKeywords, searchable, typo tolerance off
//	k_<name>  keyword values as lower-case hex (filterable, facets): Meilisearch
//	          lower-cases and trims filter and facet strings, hex makes
//	          "ABC" ≠ "abc" ≠ " abc" as the port promises
//	n_<name>  numbers (filterable, sortable)
//	doc       the whole index.Document (returned, never searched)
//
// Filters are built as strings in which every value is a quoted, escaped
// literal (index.QuoteFilterValue) of a hex value, so no value can change a
// filter's meaning.
package meiliindex

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/meilisearch/meilisearch-go"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Options configure an Engine.
type Options struct {
	// URL of the server, e.g. http://127.0.0.1:7700.
	URL string
	// Key is the API key (or master key); it needs search, documents, indexes,
	// settings and tasks rights.
	Key string
	// Prefix is put before every index uid (letters, digits, '_' and '-'), so
	// several deployments or tests can share a server.
	Prefix string
	// RequestTimeout bounds every HTTP request (default 10 s), on top of the
	// caller's context deadline.
	RequestTimeout time.Duration
	// TaskTimeout bounds waiting for a write to be processed when the context
	// has no deadline (default 2 min).
	TaskTimeout time.Duration
}

// Engine is the Meilisearch index.Engine. Create it with New.
type Engine struct {
	opts Options
	sm   meilisearch.ServiceManager
	hc   *http.Client // the client sm uses, for requests sent directly

	mu    sync.RWMutex
	kinds map[index.Kind]*kindState

	// docs holds documents this engine wrote, decoded, by kind and id,
	// with their content tag: searches retrieve only ids and tags and take
	// the documents from here (decoding whole hits as JSON cost more than
	// the search itself); a document another writer changed is fetched.
	dmu  sync.RWMutex
	docs map[index.Kind]map[string]taggedDoc
}

// taggedDoc is a remembered document: its content tag and the document
// packed (packdoc.go).
type taggedDoc struct {
	tag    string
	packed []byte
}

// contentTag names a document's content: equal tags, equal documents.
func contentTag(sd storedDoc) string {
	b, _ := json.Marshal(sd)
	h := fnv.New64a()
	h.Write(b)
	return strconv.FormatUint(h.Sum64(), 36)
}

func (e *Engine) remember(kind index.Kind, docs []index.Document, deletes []string) {
	// Tag and pack before taking the lock that every hit reads under.
	entries := make([]taggedDoc, len(docs))
	for i, d := range docs {
		entries[i] = taggedDoc{tag: contentTag(stored(d)), packed: packDoc(d)}
	}
	e.dmu.Lock()
	defer e.dmu.Unlock()
	if e.docs == nil {
		e.docs = map[index.Kind]map[string]taggedDoc{}
	}
	m := e.docs[kind]
	if m == nil {
		m = map[string]taggedDoc{}
		e.docs[kind] = m
	}
	for i, d := range docs {
		m[d.ID] = entries[i]
	}
	for _, id := range deletes {
		delete(m, id)
	}
}

// cached returns the remembered document id of kind when its content tag
// is tag; each call unpacks a document of its own.
func (e *Engine) cached(kind index.Kind, id, tag string) (index.Document, bool) {
	e.dmu.RLock()
	td, ok := e.docs[kind][id]
	e.dmu.RUnlock()
	if !ok || tag == "" || td.tag != tag {
		return index.Document{}, false
	}
	d, err := unpackDoc(id, td.packed)
	if err != nil {
		// Not expected (packDoc wrote it); the caller fetches it instead.
		return index.Document{}, false
	}
	return d, true
}

func stored(d index.Document) storedDoc {
	return storedDoc{Version: d.Version, Title: d.Title, Text: d.Text, Keywords: d.Keywords, Numbers: d.Numbers, Payload: d.Payload}
}

type kindState struct {
	schema index.Schema

	// wmu serialises writes of this kind with the rebuild's state, so a live
	// write reaches the index being built and the builder knows to skip it.
	wmu      sync.Mutex
	building *builder
}

var _ index.Engine = (*Engine)(nil)

// New returns an engine for the server at opts.URL. It does not contact the
// server: Ensure does.
func New(opts Options) (*Engine, error) {
	if opts.URL == "" {
		return nil, fmt.Errorf("%w: meilisearch url required", index.ErrInvalid)
	}
	for _, r := range opts.Prefix {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '_' || r == '-') {
			return nil, fmt.Errorf("%w: meilisearch index prefix %q: letters, digits, _ and - only", index.ErrInvalid, opts.Prefix)
		}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.TaskTimeout <= 0 {
		opts.TaskTimeout = 2 * time.Minute
	}
	transport := &http.Transport{
		DialContext:         dialQuickAck(&net.Dialer{Timeout: min(opts.RequestTimeout, 3*time.Second)}),
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		// Hits are ids and tags: compressing them costs both processes CPU
		// to save bytes on what is normally a local network.
		DisableCompression: true,
	}
	hc := &http.Client{Transport: transport, Timeout: opts.RequestTimeout}
	sm := meilisearch.New(opts.URL,
		meilisearch.WithAPIKey(opts.Key),
		meilisearch.WithCustomClient(hc),
		// A server that answers 502-504 is down for our purposes: fail fast.
		meilisearch.DisableRetries(),
	)
	return &Engine{opts: opts, sm: sm, hc: hc, kinds: map[index.Kind]*kindState{}}, nil
}

// Name implements index.Engine.
func (e *Engine) Name() string { return "meilisearch" }

// Close implements index.Engine.
func (e *Engine) Close() error {
	e.sm.Close()
	return nil
}

func (e *Engine) uid(kind index.Kind) string { return e.opts.Prefix + string(kind) }

func (e *Engine) kind(kind index.Kind) (*kindState, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ks, ok := e.kinds[kind]
	if !ok {
		return nil, fmt.Errorf("%w: kind %q not ensured", index.ErrInvalid, kind)
	}
	return ks, nil
}

// Ensure implements index.Engine.
func (e *Engine) Ensure(ctx context.Context, s index.Schema) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := e.createWithSettings(ctx, e.uid(s.Kind), s); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if ks, ok := e.kinds[s.Kind]; ok {
		ks.wmu.Lock()
		ks.schema = s
		ks.wmu.Unlock()
	} else {
		e.kinds[s.Kind] = &kindState{schema: s}
	}
	return nil
}

// createWithSettings creates the index uid if missing and applies the
// schema's settings, waiting for both.
func (e *Engine) createWithSettings(ctx context.Context, uid string, s index.Schema) error {
	info, err := e.sm.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
	if err != nil {
		return e.wrap(ctx, "create index "+uid, err)
	}
	if err := e.wait(ctx, info.TaskUID, string(meilisearch.APIErrCodeIndexAlreadyExists)); err != nil {
		return err
	}
	info, err = e.sm.Index(uid).UpdateSettings(ctx, settings(s))
	if err != nil {
		return e.wrap(ctx, "settings of "+uid, err)
	}
	return e.wait(ctx, info.TaskUID)
}

func settings(s index.Schema) *meilisearch.Settings {
	searchable := []string{"title"}
	for _, f := range s.TextFields {
		searchable = append(searchable, "t_"+f)
	}
	exact := []string{}
	for _, f := range s.ExactTextKeywords {
		searchable = append(searchable, "x_"+f)
		exact = append(exact, "x_"+f)
	}
	filterable := []string{"hid"}
	for _, f := range s.KeywordFields {
		filterable = append(filterable, "k_"+f)
	}
	// Searches return only what hits need: id and content tag, and the text
	// fields for highlighting. Meilisearch reads every displayed attribute
	// of every hit it returns (a benchmark firm hit cost about 18 µs of
	// server time with everything displayed, 9 µs with these); the
	// documents routes that fetch whole documents ignore this setting.
	displayed := []string{"id", "tag", "title"}
	for _, f := range s.TextFields {
		displayed = append(displayed, "t_"+f)
	}
	sortable := []string{"id"}
	for _, f := range s.NumberFields {
		filterable = append(filterable, "n_"+f)
		sortable = append(sortable, "n_"+f)
	}
	return &meilisearch.Settings{
		// "sort" first: an explicit Query.Sort orders the result, relevance
		// only breaks its ties; id:asc last makes every order total.
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness", "id:asc"},
		SearchableAttributes: searchable,
		DisplayedAttributes:  displayed,
		FilterableAttributes: filterable,
		SortableAttributes:   sortable,
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{Locales: []string{"zho"}, AttributePatterns: []string{"title", "t_*"}},
		},
		Synonyms: index.SynonymMap(),
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: exact,
			DisableOnNumbers:    true,
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: index.MaxFacetValues,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: index.MaxWindow},
	}
}

// storedDoc is a document as given, the form its content tag is computed
// from. Indexes written before the search documents carried "version" and
// "payload" hold it whole in a "doc" attribute, which still reads.
type storedDoc struct {
	Version  int64               `json:"version"`
	Title    string              `json:"title"`
	Text     map[string]string   `json:"text,omitempty"`
	Keywords map[string][]string `json:"keywords,omitempty"`
	Numbers  map[string]float64  `json:"numbers,omitempty"`
	Payload  []byte              `json:"payload,omitempty"`
}

// toMeili makes d's search document. Every part of d is in it once: the
// title, t_ text, k_ keywords (hex), n_ numbers, version and payload, plus
// the derived hid, tag and x_ exact-text copies. Meilisearch's cost per
// returned hit grows with the size of the stored document, so d is not
// stored a second time; fromMeili rebuilds it.
func toMeili(s index.Schema, d index.Document) map[string]any {
	m := map[string]any{
		"id":      d.ID,
		"hid":     hex.EncodeToString([]byte(d.ID)),
		"title":   d.Title,
		"version": d.Version,
		"tag":     contentTag(stored(d)),
	}
	if len(d.Payload) > 0 {
		m["payload"] = d.Payload
	}
	for f, v := range d.Text {
		m["t_"+f] = v
	}
	for f, vs := range d.Keywords {
		if vs == nil {
			m["k_"+f] = nil // read back as nil, so the content tag matches
			continue
		}
		enc := make([]string, len(vs))
		for i, v := range vs {
			enc[i] = hex.EncodeToString([]byte(v))
		}
		m["k_"+f] = enc
		if s.IsExactText(f) {
			m["x_"+f] = vs
		}
	}
	for f, v := range d.Numbers {
		m["n_"+f] = v
	}
	return m
}

// fromMeili rebuilds the document a search document was made of.
func fromMeili(raw map[string]json.RawMessage) (index.Document, error) {
	var id string
	if err := json.Unmarshal(raw["id"], &id); err != nil {
		return index.Document{}, fmt.Errorf("meilisearch document id: %w", err)
	}
	if legacy, ok := raw["doc"]; ok {
		var sd storedDoc
		if err := json.Unmarshal(legacy, &sd); err != nil {
			return index.Document{}, fmt.Errorf("meilisearch document %s: %w", id, err)
		}
		return fromStored(id, sd), nil
	}
	d := index.Document{ID: id}
	for name, v := range raw {
		var err error
		switch {
		case name == "title":
			err = json.Unmarshal(v, &d.Title)
		case name == "version":
			err = json.Unmarshal(v, &d.Version)
		case name == "payload":
			err = json.Unmarshal(v, &d.Payload)
		case strings.HasPrefix(name, "t_"):
			err = decodeInto(&d.Text, name[2:], v, func(t string) (string, error) { return t, nil })
		case strings.HasPrefix(name, "k_"):
			err = decodeInto(&d.Keywords, name[2:], v, decodeHex)
		case strings.HasPrefix(name, "n_"):
			err = decodeInto(&d.Numbers, name[2:], v, func(n float64) (float64, error) { return n, nil })
		}
		if err != nil {
			return index.Document{}, fmt.Errorf("meilisearch document %s, attribute %s: %w", id, name, err)
		}
	}
	return d, nil
}

// decodeInto decodes raw as a J, converts it and stores it under key in
// *m, making the map on first use.
func decodeInto[J, V any](m *map[string]V, key string, raw json.RawMessage, conv func(J) (V, error)) error {
	var j J
	if err := json.Unmarshal(raw, &j); err != nil {
		return err
	}
	v, err := conv(j)
	if err != nil {
		return err
	}
	if *m == nil {
		*m = map[string]V{}
	}
	(*m)[key] = v
	return nil
}

// decodeHex decodes hex-encoded keyword values; nil stays nil.
func decodeHex(enc []string) ([]string, error) {
	if enc == nil {
		return nil, nil
	}
	out := make([]string, len(enc))
	for i, e := range enc {
		b, err := hex.DecodeString(e)
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

func fromStored(id string, sd storedDoc) index.Document {
	return index.Document{
		ID: id, Version: sd.Version, Title: sd.Title, Text: sd.Text,
		Keywords: sd.Keywords, Numbers: sd.Numbers, Payload: sd.Payload,
	}
}

// Upsert implements index.Engine.
func (e *Engine) Upsert(ctx context.Context, kind index.Kind, docs []index.Document) error {
	ks, err := e.kind(kind)
	if err != nil {
		return err
	}
	if err := ks.schema.ValidateDocuments(docs); err != nil {
		return err
	}
	if len(docs) == 0 {
		return ctx.Err()
	}
	ks.wmu.Lock()
	defer ks.wmu.Unlock()
	if err := e.addDocuments(ctx, e.uid(kind), ks.schema, docs); err != nil {
		return err
	}
	e.remember(kind, docs, nil)
	if b := ks.building; b != nil {
		for _, d := range docs {
			b.touched[d.ID] = true
		}
		if err := e.addDocuments(ctx, b.uid, ks.schema, docs); err != nil {
			return fmt.Errorf("upsert into the index being rebuilt: %w", err)
		}
	}
	return nil
}

func (e *Engine) addDocuments(ctx context.Context, uid string, s index.Schema, docs []index.Document) error {
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		out[i] = toMeili(s, d)
	}
	pk := "id"
	info, err := e.sm.Index(uid).AddDocuments(ctx, out, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return e.wrap(ctx, "add documents to "+uid, err)
	}
	return e.wait(ctx, info.TaskUID)
}

// Delete implements index.Engine.
func (e *Engine) Delete(ctx context.Context, kind index.Kind, ids []string) error {
	ks, err := e.kind(kind)
	if err != nil {
		return err
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		// An id that cannot be a document id names no document.
		if index.ValidID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return ctx.Err()
	}
	ks.wmu.Lock()
	defer ks.wmu.Unlock()
	if err := e.deleteDocuments(ctx, e.uid(kind), valid); err != nil {
		return err
	}
	e.remember(kind, nil, valid)
	if b := ks.building; b != nil {
		for _, id := range valid {
			b.touched[id] = true
		}
		if err := e.deleteDocuments(ctx, b.uid, valid); err != nil {
			return fmt.Errorf("delete from the index being rebuilt: %w", err)
		}
	}
	return nil
}

func (e *Engine) deleteDocuments(ctx context.Context, uid string, ids []string) error {
	info, err := e.sm.Index(uid).DeleteDocuments(ctx, ids, nil)
	if err != nil {
		return e.wrap(ctx, "delete documents from "+uid, err)
	}
	return e.wait(ctx, info.TaskUID)
}

// Get implements index.Engine.
func (e *Engine) Get(ctx context.Context, kind index.Kind, id string) (index.Document, bool, error) {
	if _, err := e.kind(kind); err != nil {
		return index.Document{}, false, err
	}
	if !index.ValidID(id) {
		return index.Document{}, false, ctx.Err()
	}
	var raw map[string]json.RawMessage
	err := e.sm.Index(e.uid(kind)).GetDocument(ctx, id, nil, &raw)
	if err != nil {
		var me *meilisearch.Error
		if errors.As(err, &me) && me.APIError.Code == meilisearch.APIErrCodeDocumentNotFound {
			return index.Document{}, false, nil
		}
		return index.Document{}, false, e.wrap(ctx, "get document", err)
	}
	d, err := fromMeili(raw)
	if err != nil {
		return index.Document{}, false, err
	}
	return d, true, nil
}

// Count implements index.Engine.
func (e *Engine) Count(ctx context.Context, kind index.Kind) (int, error) {
	if _, err := e.kind(kind); err != nil {
		return 0, err
	}
	st, err := e.sm.Index(e.uid(kind)).GetStats(ctx, nil)
	if err != nil {
		return 0, e.wrap(ctx, "index stats", err)
	}
	return int(st.NumberOfDocuments), nil
}

// Search implements index.Engine.
func (e *Engine) Search(ctx context.Context, kind index.Kind, q index.Query) (index.Result, error) {
	req, text, err := e.request(kind, q)
	if err != nil {
		return index.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return index.Result{}, e.wrap(ctx, "search", err)
	}
	raw, err := e.sm.Index(e.uid(kind)).SearchRaw(ctx, text, req)
	if err != nil {
		return index.Result{}, e.wrap(ctx, "search", err)
	}
	var resp searchResponse
	if err := json.Unmarshal(*raw, &resp); err != nil {
		return index.Result{}, fmt.Errorf("meilisearch search response: %w", err)
	}
	return e.result(ctx, kind, q, text != "", resp)
}

// SearchMany implements index.Engine with one multi-search request.
func (e *Engine) SearchMany(ctx context.Context, reqs []index.Request) ([]index.Result, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	multi := &meilisearch.MultiSearchRequest{Queries: make([]*meilisearch.SearchRequest, len(reqs))}
	scored := make([]bool, len(reqs))
	for i, r := range reqs {
		req, text, err := e.request(r.Kind, r.Query)
		if err != nil {
			return nil, fmt.Errorf("query %d: %w", i, err)
		}
		req.IndexUID, req.Query = e.uid(r.Kind), text
		multi.Queries[i], scored[i] = req, text != ""
	}
	if err := ctx.Err(); err != nil {
		return nil, e.wrap(ctx, "multi-search", err)
	}
	var resp struct {
		Results []searchResponse `json:"results"`
	}
	if err := e.post(ctx, "/multi-search", multi, &resp); err != nil {
		return nil, e.wrap(ctx, "multi-search", err)
	}
	if len(resp.Results) != len(reqs) {
		return nil, fmt.Errorf("meilisearch multi-search: %d results for %d queries", len(resp.Results), len(reqs))
	}
	out := make([]index.Result, len(reqs))
	for i, r := range resp.Results {
		var err error
		if out[i], err = e.result(ctx, reqs[i].Kind, reqs[i].Query, scored[i], r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// post sends body as JSON to the server's path and decodes the answer into
// out. The client library's multi-search decodes every hit into a map first;
// this decodes them once, into searchHit.
func (e *Engine) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(e.opts.URL, "/")+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if e.opts.Key != "" {
		req.Header.Set("Authorization", "Bearer "+e.opts.Key)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		se := &statusError{Status: resp.StatusCode, Message: strings.TrimSpace(string(msg))}
		var body struct{ Code, Message string }
		if json.Unmarshal(msg, &body) == nil && body.Code != "" {
			se.Code, se.Message = body.Code, body.Message
		}
		return se
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// statusError is an error answer to a request sent by post.
type statusError struct {
	Status        int
	Code, Message string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// request builds the search request of q on kind, after checking it.
func (e *Engine) request(kind index.Kind, q index.Query) (*meilisearch.SearchRequest, string, error) {
	ks, err := e.kind(kind)
	if err != nil {
		return nil, "", err
	}
	s := ks.schema
	if err := s.ValidateQuery(q); err != nil {
		return nil, "", err
	}
	text := queryText(q.Text)
	req := &meilisearch.SearchRequest{
		Offset:               int64(q.Offset),
		Limit:                int64(q.Limit),
		AttributesToRetrieve: []string{"id", "tag"},
		MatchingStrategy:     meilisearch.All,
		ShowRankingScore:     text != "",
	}
	if f := FilterString(s, q.Filter); f != "" {
		req.Filter = f
	}
	if q.Limit == 0 {
		// The client drops a zero limit (omitempty), which would mean
		// Meilisearch's default of 20: ask for one hit and return none.
		req.Limit = 1
	}
	for _, f := range q.Facets {
		req.Facets = append(req.Facets, "k_"+f)
	}
	req.Sort = sortParam(q.Sort, text == "")
	if q.Highlight && text != "" {
		req.AttributesToHighlight = []string{"title"}
		for _, f := range s.TextFields {
			req.AttributesToHighlight = append(req.AttributesToHighlight, "t_"+f)
		}
		req.HighlightPreTag, req.HighlightPostTag = index.MarkStart, index.MarkEnd
	}
	return req, text, nil
}

// result decodes a search response of q on kind, filling in the documents:
// from memory when the tag matches, else in one more request for all the
// others.
func (e *Engine) result(ctx context.Context, kind index.Kind, q index.Query, scored bool, resp searchResponse) (index.Result, error) {
	res, tags, err := decodeResult(resp, q, scored)
	if err != nil {
		return index.Result{}, err
	}
	var missing []string
	filled := make([]bool, len(res.Hits))
	for i := range res.Hits {
		if d, ok := e.cached(kind, res.Hits[i].Doc.ID, tags[i]); ok {
			res.Hits[i].Doc, filled[i] = d, true
		} else {
			missing = append(missing, res.Hits[i].Doc.ID)
		}
	}
	if len(missing) > 0 {
		ks, err := e.kind(kind)
		if err != nil {
			return index.Result{}, err
		}
		fetched, err := e.fetch(ctx, kind, ks.schema, missing)
		if err != nil {
			return index.Result{}, err
		}
		kept := res.Hits[:0]
		for i, h := range res.Hits {
			if !filled[i] {
				d, ok := fetched[h.Doc.ID]
				if !ok {
					continue // deleted between the two requests
				}
				h.Doc = d
			}
			kept = append(kept, h)
		}
		res.Hits = kept
	}
	return res, nil
}

// fetch reads whole documents by id (through the documents route, which
// ignores displayedAttributes) and remembers them.
func (e *Engine) fetch(ctx context.Context, kind index.Kind, s index.Schema, ids []string) (map[string]index.Document, error) {
	body := map[string]any{
		"filter": FilterString(s, index.Filter{All: [][]index.Cond{{{Field: index.IDField, AnyOf: ids}}}}),
		"limit":  len(ids),
	}
	var resp struct {
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := e.post(ctx, "/indexes/"+e.uid(kind)+"/documents/fetch", body, &resp); err != nil {
		return nil, e.wrap(ctx, "fetch documents", err)
	}
	out := make(map[string]index.Document, len(resp.Results))
	docs := make([]index.Document, 0, len(resp.Results))
	for _, raw := range resp.Results {
		d, err := fromMeili(raw)
		if err != nil {
			return nil, err
		}
		out[d.ID] = d
		docs = append(docs, d)
	}
	e.remember(kind, docs, nil)
	return out, nil
}

type searchResponse struct {
	Hits               []searchHit               `json:"hits"`
	EstimatedTotalHits int                       `json:"estimatedTotalHits"`
	FacetDistribution  map[string]map[string]int `json:"facetDistribution"`
}

// searchHit is one hit as requested: id and tag, the ranking score
// of a text query and the highlighted fields. A struct decodes several
// times faster than a map per hit (a thousand hits for an association
// match).
type searchHit struct {
	ID           string                     `json:"id"`
	Tag          string                     `json:"tag"`
	RankingScore float64                    `json:"_rankingScore"`
	Formatted    map[string]json.RawMessage `json:"_formatted"`
}

// decodeResult decodes a search response whose hits carry id and tag (the
// documents are filled in by result); tags are per hit.
func decodeResult(resp searchResponse, q index.Query, scored bool) (index.Result, []string, error) {
	var tags []string
	res := index.Result{Total: resp.EstimatedTotalHits}
	if q.Limit > 0 {
		res.Hits = make([]index.Hit, 0, len(resp.Hits))
	}
	for i, h := range resp.Hits {
		if i >= q.Limit {
			break
		}
		tags = append(tags, h.Tag)
		hit := index.Hit{Doc: index.Document{ID: h.ID}}
		if scored {
			hit.Score = h.RankingScore
		}
		if q.Highlight && scored {
			for name, v := range h.Formatted {
				field, ok := highlightField(name)
				if !ok {
					continue
				}
				var s string
				if json.Unmarshal(v, &s) != nil {
					continue
				}
				if hl, found := index.HighlightMarked(s); found {
					if hit.Highlights == nil {
						hit.Highlights = map[string]string{}
					}
					hit.Highlights[field] = hl
				}
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	if len(q.Facets) > 0 {
		res.Facets = map[string]map[string]int{}
		for _, f := range q.Facets {
			counts := map[string]int{}
			for encoded, n := range resp.FacetDistribution["k_"+f] {
				v, err := hex.DecodeString(encoded)
				if err != nil {
					return index.Result{}, nil, fmt.Errorf("meilisearch facet %s value %q: %w", f, encoded, err)
				}
				counts[string(v)] = n
			}
			res.Facets[f] = counts
		}
	}
	return res, tags, nil
}

func highlightField(name string) (string, bool) {
	if name == "title" {
		return "title", true
	}
	if f, ok := strings.CutPrefix(name, "t_"); ok {
		return f, true
	}
	return "", false
}

// queryText prepares the person's text for Meilisearch: double quotes are
// dropped (Meilisearch would read them as phrase syntax), and every word that
// looks like a code (ASCII letters and digits with at least one digit: HS
// codes, USCCs) is quoted as a phrase, so it matches whole words only and
// never as a prefix ("0901" must not find "090111").
func queryText(text string) string {
	words := strings.Fields(strings.ReplaceAll(text, `"`, " "))
	for i, w := range words {
		if codeLike(w) {
			words[i] = `"` + w + `"`
		}
	}
	return strings.Join(words, " ")
}

func codeLike(w string) bool {
	digit := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digit
}

func sortParam(sorts []index.SortBy, placeholder bool) []string {
	if len(sorts) == 0 {
		if placeholder {
			return []string{"id:asc"}
		}
		// relevance, then the id:asc ranking rule
		return nil
	}
	out := make([]string, 0, len(sorts)+1)
	for _, sb := range sorts {
		name := "n_" + sb.Field
		if sb.Field == index.IDField {
			name = "id"
		}
		dir := ":asc"
		if sb.Desc {
			dir = ":desc"
		}
		out = append(out, name+dir)
		if sb.Field == index.IDField {
			return out
		}
	}
	return append(out, "id:asc")
}

// FilterString renders a filter as a Meilisearch filter expression: groups
// joined by AND, conditions in a group by OR, each condition in brackets,
// every keyword value a quoted literal of its hex form, numbers formatted by
// strconv. An empty filter is "".
func FilterString(s index.Schema, f index.Filter) string {
	groups := make([]string, 0, len(f.All))
	for _, g := range f.All {
		conds := make([]string, 0, len(g))
		for _, c := range g {
			conds = append(conds, "("+condString(s, c)+")")
		}
		groups = append(groups, "("+strings.Join(conds, " OR ")+")")
	}
	return strings.Join(groups, " AND ")
}

func condString(s index.Schema, c index.Cond) string {
	var expr string
	if c.Min != nil || c.Max != nil {
		attr := "n_" + c.Field
		var parts []string
		if c.Min != nil {
			parts = append(parts, attr+" >= "+formatNumber(*c.Min))
		}
		if c.Max != nil {
			parts = append(parts, attr+" <= "+formatNumber(*c.Max))
		}
		expr = strings.Join(parts, " AND ")
	} else {
		attr := "k_" + c.Field
		if c.Field == index.IDField {
			attr = "hid"
		}
		vals := make([]string, len(c.AnyOf))
		for i, v := range c.AnyOf {
			vals[i] = index.QuoteFilterValue(hex.EncodeToString([]byte(v)))
		}
		expr = attr + " IN [" + strings.Join(vals, ", ") + "]"
	}
	if c.Not {
		return "NOT (" + expr + ")"
	}
	return expr
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// wait polls a task until it is processed, with a short interval growing to
// 100 ms, within ctx (or TaskTimeout when ctx has no deadline). A task that
// failed with one of the allowed codes is not an error.
func (e *Engine) wait(ctx context.Context, taskUID int64, allowed ...string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.opts.TaskTimeout)
		defer cancel()
	}
	interval := 2 * time.Millisecond
	for {
		task, err := e.sm.GetTask(ctx, taskUID)
		if err != nil {
			return e.wrap(ctx, fmt.Sprintf("task %d", taskUID), err)
		}
		switch task.Status {
		case meilisearch.TaskStatusSucceeded:
			return nil
		case meilisearch.TaskStatusFailed:
			for _, code := range allowed {
				if string(task.Error.Code) == code {
					return nil
				}
			}
			return fmt.Errorf("meilisearch task %d (%s) failed: %s (%s)", taskUID, task.Type, task.Error.Message, task.Error.Code)
		case meilisearch.TaskStatusCanceled:
			return fmt.Errorf("meilisearch task %d (%s) was canceled", taskUID, task.Type)
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return e.wrap(ctx, fmt.Sprintf("task %d still %s", taskUID, task.Status), ctx.Err())
		case <-t.C:
		}
		interval = min(interval*2, 100*time.Millisecond)
	}
}

// wrap turns client errors into the port's: a canceled context stays
// context.Canceled; deadlines, timeouts, refused connections and 5xx answers
// become index.ErrUnavailable.
func (e *Engine) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("meilisearch %s: %w", op, context.Canceled)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("meilisearch %s: %w: %w", op, index.ErrUnavailable, context.DeadlineExceeded)
	}
	var me *meilisearch.Error
	if errors.As(err, &me) {
		switch {
		case me.ErrCode == meilisearch.TimeoutError, me.ErrCode == meilisearch.CommunicationError,
			me.ErrCode == meilisearch.MaxRetriesExceeded, me.StatusCode >= 500:
			return fmt.Errorf("meilisearch %s: %w: %v", op, index.ErrUnavailable, err)
		case me.APIError.Code == meilisearch.APIErrCodeIndexNotFound:
			return fmt.Errorf("meilisearch %s: index missing (not ensured on this server?): %v", op, err)
		}
		return fmt.Errorf("meilisearch %s: %v", op, err)
	}
	var se *statusError
	if errors.As(err, &se) {
		switch {
		case se.Status >= 500:
			return fmt.Errorf("meilisearch %s: %w: %v", op, index.ErrUnavailable, err)
		case se.Code == string(meilisearch.APIErrCodeIndexNotFound):
			return fmt.Errorf("meilisearch %s: index missing (not ensured on this server?): %v", op, err)
		}
		return fmt.Errorf("meilisearch %s: %v", op, err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("meilisearch %s: %w: %v", op, index.ErrUnavailable, err)
	}
	return fmt.Errorf("meilisearch %s: %w", op, err)
}

// Rebuild implements index.Engine: a temporary index with the schema's
// settings; Commit swaps it with the live one (swap-indexes) and deletes the
// old one.
func (e *Engine) Rebuild(ctx context.Context, s index.Schema) (index.Builder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	ks, err := e.kind(s.Kind)
	if err != nil {
		return nil, err
	}
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	b := &builder{e: e, ks: ks, schema: s, uid: e.uid(s.Kind) + "__rebuild_" + hex.EncodeToString(rb[:]), touched: map[string]bool{}}
	ks.wmu.Lock()
	busy := ks.building != nil
	ks.wmu.Unlock()
	if busy {
		return nil, fmt.Errorf("%w: a rebuild of %s is already running", index.ErrInvalid, s.Kind)
	}
	if err := e.createWithSettings(ctx, b.uid, s); err != nil {
		e.dropIndex(context.WithoutCancel(ctx), b.uid)
		return nil, err
	}
	ks.wmu.Lock()
	defer ks.wmu.Unlock()
	if ks.building != nil {
		e.dropIndex(context.WithoutCancel(ctx), b.uid)
		return nil, fmt.Errorf("%w: a rebuild of %s is already running", index.ErrInvalid, s.Kind)
	}
	ks.building = b
	return b, nil
}

func (e *Engine) dropIndex(ctx context.Context, uid string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	info, err := e.sm.DeleteIndex(ctx, uid)
	if err != nil {
		return e.wrap(ctx, "delete index "+uid, err)
	}
	return e.wait(ctx, info.TaskUID, string(meilisearch.APIErrCodeIndexNotFound))
}

type builder struct {
	e      *Engine
	ks     *kindState
	schema index.Schema
	uid    string
	// touched holds ids written through the engine since the rebuild began
	// (guarded by ks.wmu).
	touched map[string]bool
	done    bool
}

func (b *builder) active() error {
	if b.done || b.ks.building != b {
		return fmt.Errorf("%w: rebuild of %s already committed or aborted", index.ErrInvalid, b.schema.Kind)
	}
	return nil
}

// Upsert implements index.Builder.
func (b *builder) Upsert(ctx context.Context, docs []index.Document) error {
	if err := b.schema.ValidateDocuments(docs); err != nil {
		return err
	}
	b.ks.wmu.Lock()
	defer b.ks.wmu.Unlock()
	if err := b.active(); err != nil {
		return err
	}
	fresh := make([]index.Document, 0, len(docs))
	for _, d := range docs {
		if !b.touched[d.ID] {
			fresh = append(fresh, d)
		}
	}
	if len(fresh) == 0 {
		return ctx.Err()
	}
	if err := b.e.addDocuments(ctx, b.uid, b.schema, fresh); err != nil {
		return err
	}
	b.e.remember(b.schema.Kind, fresh, nil)
	return nil
}

// Commit implements index.Builder.
func (b *builder) Commit(ctx context.Context) error {
	b.ks.wmu.Lock()
	defer b.ks.wmu.Unlock()
	if err := b.active(); err != nil {
		return err
	}
	live := b.e.uid(b.schema.Kind)
	info, err := b.e.sm.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{live, b.uid}}})
	if err != nil {
		return b.e.wrap(ctx, "swap indexes", err)
	}
	if err := b.e.wait(ctx, info.TaskUID); err != nil {
		return err
	}
	b.done = true
	b.ks.building = nil
	b.ks.schema = b.schema
	// b.uid now names the old index.
	if err := b.e.dropIndex(context.WithoutCancel(ctx), b.uid); err != nil {
		return fmt.Errorf("rebuild committed, but the old index was not deleted: %w", err)
	}
	return nil
}

// Abort implements index.Builder.
func (b *builder) Abort(ctx context.Context) error {
	b.ks.wmu.Lock()
	if b.done || b.ks.building != b {
		b.ks.wmu.Unlock()
		return nil
	}
	b.done = true
	b.ks.building = nil
	b.ks.wmu.Unlock()
	return b.e.dropIndex(context.WithoutCancel(ctx), b.uid)
}
