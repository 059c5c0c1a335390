// Package store opens Qihang's MongoDB: a real server when a URI is given,
// otherwise an embedded FerretDB (SQLite backend) started in-process.
//
// The embedded server does not apply updates atomically across connections
// (DESIGN.md: 200 concurrent $inc through a pooled client ended at 8), so in
// embedded mode every write goes through a client with a single connection
// and reads use a pool. Against MongoDB one pooled client does both.
//
// This is the only package besides the services' store adapters that imports
// the MongoDB driver.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Config says where the data lives.
type Config struct {
	// MongoURI selects a MongoDB server; empty starts the embedded FerretDB.
	MongoURI string
	// DataDir holds the embedded database files (ignored with MongoURI).
	DataDir string
	// Logger receives the embedded server's warnings.
	Logger *slog.Logger
}

// Store holds the clients of one MongoDB deployment.
type Store struct {
	write    *mongo.Client
	read     *mongo.Client
	uri      string
	embedded bool
	stop     func()
	// sqlite reaches the embedded server's files directly; nil against
	// MongoDB.
	sqlite *sqliteFiles
	// locks serialise conditional writes in embedded mode (ReplaceIfVersion).
	locks keyLocks
}

// Database is one service's database: Write for every mutation, Read for
// queries. They are the same handle against MongoDB.
type Database struct {
	Write *mongo.Database
	Read  *mongo.Database
	store *Store
}

// Embedded reports whether the database is the embedded server's, which
// only this process writes to: no other instance's writes can appear in it.
func (d Database) Embedded() bool { return d.store != nil && d.store.embedded }

// Collection returns the named collection's write and read handles.
func (d Database) Collection(name string) Collection {
	return Collection{Write: d.Write.Collection(name), Read: d.Read.Collection(name), db: d}
}

// Collection is one collection's write and read handles.
type Collection struct {
	Write *mongo.Collection
	Read  *mongo.Collection
	db    Database
}

// Open connects to MongoDB or starts the embedded server, and checks that it
// answers.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Store{uri: cfg.MongoURI, stop: func() {}}
	if s.uri == "" {
		if err := s.startEmbedded(cfg.DataDir, logger); err != nil {
			return nil, err
		}
	}
	base := options.Client().ApplyURI(s.uri).
		SetAppName("qihang").
		SetConnectTimeout(10 * time.Second).
		SetServerSelectionTimeout(15 * time.Second)
	var err error
	if s.embedded {
		s.write, err = mongo.Connect(options.Client().ApplyURI(s.uri).SetAppName("qihang-writer").
			SetMaxPoolSize(1).SetMinPoolSize(1).SetServerSelectionTimeout(15 * time.Second))
		if err == nil {
			s.read, err = mongo.Connect(base.SetMaxPoolSize(16))
		}
	} else {
		s.write, err = mongo.Connect(base)
		s.read = s.write
	}
	if err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := s.Ping(ctx); err != nil {
		s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *Store) startEmbedded(dataDir string, logger *slog.Logger) error {
	if dataDir == "" {
		return errors.New("store: a data directory is required for the embedded database")
	}
	dir, err := filepath.Abs(filepath.Join(dataDir, "db"))
	if err != nil {
		return fmt.Errorf("store: data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("store: create %s: %w", dir, err)
	}
	// FerretDB reports every closed client connection as a warning; only its
	// errors are worth our log.
	fl := slog.New(&levelFloor{base: logger.Handler(), min: slog.LevelError})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    fl,
	})
	if err != nil {
		return fmt.Errorf("store: embedded database: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	s.uri = f.MongoDBURI()
	s.embedded = true
	s.sqlite = newSQLiteFiles(dir)
	s.stop = func() {
		s.sqlite.close()
		cancel()
		<-done
	}
	return nil
}

// Database returns the named database.
func (s *Store) Database(name string) Database {
	return Database{Write: s.write.Database(name), Read: s.read.Database(name), store: s}
}

// Embedded reports whether the store runs the in-process FerretDB.
func (s *Store) Embedded() bool { return s.embedded }

// URI returns the connection string (of the embedded server when embedded).
func (s *Store) URI() string { return s.uri }

// Ping checks both clients reach the server.
func (s *Store) Ping(ctx context.Context) error {
	for _, c := range []*mongo.Client{s.write, s.read} {
		if err := c.Ping(ctx, readpref.Primary()); err != nil {
			return fmt.Errorf("store: ping: %w", err)
		}
	}
	return nil
}

// Close disconnects and stops the embedded server.
func (s *Store) Close(ctx context.Context) {
	if s.read != nil && s.read != s.write {
		_ = s.read.Disconnect(ctx)
	}
	if s.write != nil {
		_ = s.write.Disconnect(ctx)
	}
	s.stop()
}

// IsDuplicateKey reports whether err is a unique-index violation. FerretDB
// reports one caused by an update as an InternalError (code 1) saying
// "UNIQUE constraint failed" instead of code 11000, so messages are checked
// too.
func IsDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if duplicateMessage(e.Message) {
				return true
			}
		}
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && duplicateMessage(ce.Message) {
		return true
	}
	return false
}

func duplicateMessage(m string) bool {
	m = strings.ToLower(m)
	return strings.Contains(m, "duplicate key") || strings.Contains(m, "unique constraint failed")
}

// IsNotFound reports whether err is the driver's "no documents" error.
func IsNotFound(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }

// levelFloor drops records below min. FerretDB attaches whole documents to
// its loggers for debug records, so attributes and groups are only recorded
// here and applied to the real handler when a record is actually kept.
type levelFloor struct {
	base slog.Handler
	min  slog.Level
	ops  []func(slog.Handler) slog.Handler
}

func (h *levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.base.Enabled(ctx, l)
}

func (h *levelFloor) Handle(ctx context.Context, r slog.Record) error {
	target := h.base
	for _, op := range h.ops {
		target = op(target)
	}
	return target.Handle(ctx, r)
}

func (h *levelFloor) with(op func(slog.Handler) slog.Handler) *levelFloor {
	ops := make([]func(slog.Handler) slog.Handler, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return &levelFloor{base: h.base, min: h.min, ops: append(ops, op)}
}

func (h *levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithAttrs(a) })
}

func (h *levelFloor) WithGroup(n string) slog.Handler {
	return h.with(func(t slog.Handler) slog.Handler { return t.WithGroup(n) })
}

// EnsureIndexes creates the indexes of the collection that do not exist yet
// (by name), one at a time. FerretDB v1.24 panics on a createIndexes command
// that names several indexes of which some already exist (as on every
// restart), so indexes are never created in one batch.
//
// On the embedded store it also adds the SQLite index FerretDB lacks for
// lookups by _id (see sqliteFiles), which turns every read and update of one
// document from a table scan into an index search.
func (c Collection) EnsureIndexes(ctx context.Context, models []mongo.IndexModel) error {
	specs, err := c.Write.Indexes().ListSpecifications(ctx)
	if err != nil {
		return fmt.Errorf("store: list indexes of %s: %w", c.Write.Name(), err)
	}
	have := make(map[string]bool, len(specs))
	for _, s := range specs {
		have[s.Name] = true
	}
	for _, m := range models {
		var name string
		if m.Options != nil {
			var o options.IndexOptions
			for _, set := range m.Options.List() {
				_ = set(&o)
			}
			if o.Name != nil {
				name = *o.Name
			}
		}
		if name == "" {
			return fmt.Errorf("store: index on %s needs a name", c.Write.Name())
		}
		if have[name] {
			continue
		}
		if _, err := c.Write.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("store: create index %s.%s: %w", c.Write.Name(), name, err)
		}
	}
	if c.db.store != nil && c.db.store.sqlite != nil {
		if len(models) == 0 { // make sure the collection exists
			if err := c.db.Write.CreateCollection(ctx, c.Write.Name()); err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("store: create collection %s: %w", c.Write.Name(), err)
			}
		}
		return c.db.store.sqlite.ensureIDIndex(ctx, c.db.Write.Name(), c.Write.Name())
	}
	return nil
}

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists")
}
