// Package storetest gives each test its own database: on a real MongoDB when
// MONGO_URI is set, otherwise on one embedded FerretDB shared by the test
// binary and started on first use. A package using it closes that store and
// removes its files with Main (or Cleanup) in its TestMain.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	// dir is the embedded database's directory, created by Store; empty
	// against MONGO_URI.
	dir string
)

// Store returns the test binary's shared store.
func Store(t testing.TB) *store.Store {
	t.Helper()
	once.Do(open)
	if openErr != nil {
		t.Fatalf("storetest: open store: %v", openErr)
	}
	return shared
}

func open() {
	uri := os.Getenv("MONGO_URI")
	if uri == "" {
		d, err := os.MkdirTemp("", "qihang-storetest-")
		if err != nil {
			openErr = err
			return
		}
		dir = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shared, openErr = store.Open(ctx, store.Config{
		MongoURI: uri,
		DataDir:  dir,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if openErr != nil && dir != "" {
		_ = os.RemoveAll(dir)
		dir = ""
	}
}

// Main runs the tests, then Cleanup, and returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	Cleanup()
	return code
}

// Cleanup closes the shared store, if Store opened one, and removes the
// directory it created for the embedded database (none against MONGO_URI).
// Call it once the tests have run; Store fails any test that calls it
// afterwards. A binary that dies first (a panic, a -timeout) still leaves the
// directory behind.
func Cleanup() {
	once.Do(func() {}) // a Store call from here on must not start a new store
	if shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		shared.Close(ctx)
		shared = nil
	}
	if dir != "" {
		_ = os.RemoveAll(dir)
		dir = ""
	}
	openErr = errors.New("storetest: store used after Cleanup")
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
