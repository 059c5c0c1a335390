// Package storetest gives each test its own database: on a real MongoDB when
// MONGO_URI is set, otherwise on one embedded FerretDB shared by the test
// binary and started on first use.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/qihang-hz/qihang/internal/store"
)

var (
	once    sync.Once
	shared  *store.Store
	openErr error
)

// Store returns the test binary's shared store.
func Store(t testing.TB) *store.Store {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "qihang-storetest-")
		if err != nil {
			openErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared, openErr = store.Open(ctx, store.Config{
			MongoURI: os.Getenv("MONGO_URI"),
			DataDir:  dir,
			Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		})
	})
	if openErr != nil {
		t.Fatalf("storetest: open store: %v", openErr)
	}
	return shared
}

// NewDatabase returns a fresh, uniquely named database that is dropped when
// the test ends.
func NewDatabase(t testing.TB) store.Database {
	t.Helper()
	s := Store(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := s.Database("test_" + hex.EncodeToString(b[:]))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Write.Drop(ctx)
	})
	return db
}
