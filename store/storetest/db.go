// Package storetest opens throwaway databases on every engine for tests, and
// holds the store conformance suite that runs on each of them.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/store"
)

// PostgresEnv names the variable with the PostgreSQL URL tests run against.
// Unset, PostgreSQL tests are skipped with a message; set, they must pass.
const PostgresEnv = "TALENT_TEST_POSTGRES"

// Engines lists the engines tests run on.
var Engines = []string{store.SQLite, store.Postgres}

// ForEachEngine runs fn as a subtest on each engine, skipping PostgreSQL when
// no server is configured.
func ForEachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			SkipUnlessAvailable(t, engine)
			fn(t, engine)
		})
	}
}

// SkipUnlessAvailable skips the test when engine has no server configured.
func SkipUnlessAvailable(tb testing.TB, engine string) {
	tb.Helper()
	if engine == store.Postgres && os.Getenv(PostgresEnv) == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test) to run them", PostgresEnv)
	}
}

// DSN returns a data source name for a new, empty database of engine that is
// removed when the test ends: a file in a temporary directory for SQLite, a
// fresh schema for PostgreSQL.
func DSN(tb testing.TB, engine string) string {
	tb.Helper()
	SkipUnlessAvailable(tb, engine)
	if engine == store.SQLite {
		return "sqlite:" + filepath.Join(tb.TempDir(), "talent.db")
	}
	base := os.Getenv(PostgresEnv)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	schema := "t_" + strings.ToLower(strings.TrimPrefix(store.NewID("s"), "s_"))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpenDB opens a new, empty, migrated database of engine, closed when the
// test ends.
func MustOpenDB(tb testing.TB, engine string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), DSN(tb, engine))
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Name returns a unique name for test fixtures.
func Name(prefix string) string { return fmt.Sprintf("%s-%s", prefix, store.NewID("x")[2:10]) }
