package bleveindex

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"

	"github.com/qihang-hz/qihang/services/match/index"
)

// Rebuild implements index.Engine.
func (e *Engine) Rebuild(ctx context.Context, s index.Schema) (index.Builder, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ctxErr("rebuild", err)
	}
	k, err := e.kind(s.Kind)
	if err != nil {
		return nil, err
	}
	return e.rebuild(k, s)
}

func (e *Engine) rebuild(k *kindIndex, s index.Schema) (*builder, error) {
	idx, dir, err := e.openIndex(s)
	if err != nil {
		return nil, err
	}
	k.wmu.Lock()
	defer k.wmu.Unlock()
	if k.building != nil {
		_ = idx.Close()
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("%w: a rebuild of %s is already running", index.ErrInvalid, s.Kind)
	}
	b := &builder{e: e, k: k, schema: s, idx: idx, dir: dir, touched: map[string]bool{}, mem: newMemIndex()}
	k.building = b
	return b, nil
}

type builder struct {
	e      *Engine
	k      *kindIndex
	schema index.Schema
	idx    bleve.Index
	dir    string
	// touched holds ids written through the engine since the rebuild began
	// (guarded by k.wmu).
	touched map[string]bool
	// mem holds the new index's documents (guarded by k.wmu), the live
	// index's once committed.
	mem *memIndex
}

func (b *builder) remember(docs []index.Document, deletes []string) {
	for _, d := range docs {
		b.mem.put(d)
	}
	for _, id := range deletes {
		b.mem.remove(id)
	}
}

func (b *builder) active() error {
	if b.k.building != b {
		return fmt.Errorf("%w: rebuild of %s already committed or aborted", index.ErrInvalid, b.schema.Kind)
	}
	return nil
}

// Upsert implements index.Builder.
func (b *builder) Upsert(ctx context.Context, docs []index.Document) error {
	if err := b.schema.ValidateDocuments(docs); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxErr("rebuild upsert", err)
	}
	b.k.wmu.Lock()
	defer b.k.wmu.Unlock()
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
		return nil
	}
	batch, err := b.e.batchOf(b.idx, b.schema, fresh, nil)
	if err != nil {
		return err
	}
	if err := b.idx.Batch(batch); err != nil {
		return fmt.Errorf("bleve rebuild batch: %w", err)
	}
	b.remember(fresh, nil)
	return nil
}

// Commit implements index.Builder: the alias swap waits for searches in
// flight on the old index, then every search sees the new one.
func (b *builder) Commit(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return ctxErr("rebuild commit", err)
	}
	b.k.wmu.Lock()
	defer b.k.wmu.Unlock()
	if err := b.active(); err != nil {
		return err
	}
	if err := b.e.setCurrent(b.schema.Kind, b.dir); err != nil {
		return fmt.Errorf("bleve rebuild commit: %w", err)
	}
	b.k.mu.Lock()
	old, oldDir := b.k.live, b.k.liveDir
	b.k.alias.Swap([]bleve.Index{b.idx}, []bleve.Index{old})
	b.k.live, b.k.liveDir = b.idx, b.dir
	b.k.schema = b.schema
	b.k.cmu.Lock()
	b.k.mem = b.mem
	b.k.cmu.Unlock()
	b.k.analyzer = newMapping(b.schema).AnalyzerNamed(cjk.AnalyzerName)
	b.k.building = nil
	b.k.mu.Unlock()
	err := old.Close()
	if oldDir != "" {
		err = errors.Join(err, os.RemoveAll(oldDir))
	}
	if err != nil {
		return fmt.Errorf("bleve rebuild committed, old index not dropped: %w", err)
	}
	return nil
}

// Abort implements index.Builder.
func (b *builder) Abort(ctx context.Context) error {
	b.k.wmu.Lock()
	defer b.k.wmu.Unlock()
	if b.k.building != b {
		return nil
	}
	b.k.building = nil
	err := b.idx.Close()
	if b.dir != "" {
		err = errors.Join(err, os.RemoveAll(b.dir))
	}
	return err
}
