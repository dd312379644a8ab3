package storetest_test

import (
	"context"
	"testing"

	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

func TestOpenMigrates(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		// A second open finds every migration applied and changes nothing.
		db, err = store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.Read.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		names, _ := store.Migrations(engine)
		if n != len(names) || n == 0 {
			t.Fatalf("applied %d migrations, want %d", n, len(names))
		}
	})
}

func TestMigrationSetsMatch(t *testing.T) {
	a, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("sqlite has %v, postgres has %v", a, b)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("migration %d: sqlite %s, postgres %s", i, a[i], b[i])
		}
	}
}
