package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// sqliteFiles reaches the embedded FerretDB's SQLite files to add what
// FerretDB v1.24 does not create itself: an index on the expression its
// queries use for _id.
//
// FerretDB looks documents up by `_ferretdb_sjson->'$._id'` but indexes
// `_ferretdb_sjson->"_id"`; SQLite treats these as different expressions,
// so every find, update and replace by _id scans the whole table (about
// 7 ms per 1,000 documents). An index on the exact expression makes them
// index searches. FerretDB ignores indexes it did not create, and dropping
// a collection drops its table with the index.
type sqliteFiles struct {
	dir string
	mu  sync.Mutex
	dbs map[string]*sql.DB
}

func newSQLiteFiles(dir string) *sqliteFiles {
	return &sqliteFiles{dir: dir, dbs: map[string]*sql.DB{}}
}

func (f *sqliteFiles) open(database string) (*sql.DB, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if db, ok := f.dbs[database]; ok {
		return db, nil
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(f.dir, database+".sqlite")+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s.sqlite: %w", database, err)
	}
	db.SetMaxOpenConns(1)
	f.dbs[database] = db
	return db, nil
}

// ensureIDIndex indexes the _id expression of a collection's table.
func (f *sqliteFiles) ensureIDIndex(ctx context.Context, database, collection string) error {
	db, err := f.open(database)
	if err != nil {
		return err
	}
	var table string
	err = db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table)
	if err != nil {
		return fmt.Errorf("store: find table of %s.%s: %w", database, collection, err)
	}
	q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_qihang_id_expr", table)
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("store: index _id of %s.%s: %w", database, collection, err)
	}
	return nil
}

// usesIDIndex reports whether SQLite's plan for a lookup by _id in the
// collection uses an index (a test hook).
func (f *sqliteFiles) usesIDIndex(ctx context.Context, database, collection string) (bool, string, error) {
	db, err := f.open(database)
	if err != nil {
		return false, "", err
	}
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table); err != nil {
		return false, "", err
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"x"`)
	if err != nil {
		return false, "", err
	}
	defer rows.Close()
	plan := ""
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return false, "", err
		}
		plan += detail + "; "
	}
	return strings.Contains(plan, "USING INDEX"), plan, rows.Err()
}

func (f *sqliteFiles) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, db := range f.dbs {
		_ = db.Close()
	}
	f.dbs = map[string]*sql.DB{}
}
