package storetest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// column is what the schema test compares of a column on both engines.
type column struct {
	Type    string // text, integer or json
	NotNull bool
}

// schemaDifferences are the deliberate differences between the engines'
// schemas: table.column -> sqlite type/postgres type.
var schemaDifferences = map[string]string{
	"events.action_data": "text/json", // JSONB on PostgreSQL, validated by the API
}

func normalizeType(t string) string {
	switch t = strings.ToLower(t); t {
	case "integer", "bigint", "int", "int8", "smallint":
		return "integer"
	case "text", "character varying", "varchar":
		return "text"
	case "jsonb", "json":
		return "json"
	}
	return t
}

// sqliteSchema reads the application's tables (not River's) and indexes.
func sqliteSchema(t *testing.T, db *store.DB) (map[string]map[string]column, []string) {
	ctx := context.Background()
	tables := map[string]map[string]column{}
	rows, err := db.Read.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'river_%'`)
	must(t, err)
	var names []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		cols := map[string]column{}
		rows, err := db.Read.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info($1)`, n)
		must(t, err)
		for rows.Next() {
			var name, typ string
			var notNull, pk int
			must(t, rows.Scan(&name, &typ, &notNull, &pk))
			// Primary key columns are NOT NULL on PostgreSQL; the
			// application never writes NULL keys on SQLite either.
			cols[name] = column{normalizeType(typ), notNull != 0 || pk > 0}
		}
		rows.Close()
		tables[n] = cols
	}
	var indexes []string
	rows, err = db.Read.QueryContext(ctx, `SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' AND tbl_name NOT LIKE 'river_%'`)
	must(t, err)
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		indexes = append(indexes, n)
	}
	rows.Close()
	slices.Sort(indexes)
	return tables, indexes
}

func postgresSchema(t *testing.T, db *store.DB) (map[string]map[string]column, []string) {
	ctx := context.Background()
	tables := map[string]map[string]column{}
	rows, err := db.Read.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
		FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE 'river\_%'`)
	must(t, err)
	for rows.Next() {
		var table, name, typ, nullable string
		must(t, rows.Scan(&table, &name, &typ, &nullable))
		if tables[table] == nil {
			tables[table] = map[string]column{}
		}
		tables[table][name] = column{normalizeType(typ), nullable == "NO"}
	}
	rows.Close()
	// Indexes made by CREATE INDEX: not those behind PRIMARY KEY and UNIQUE
	// constraints, which SQLite names sqlite_autoindex_*.
	var indexes []string
	rows, err = db.Read.QueryContext(ctx, `SELECT i.tablename || '.' || i.indexname FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename NOT LIKE 'river\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)`)
	must(t, err)
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		indexes = append(indexes, n)
	}
	rows.Close()
	slices.Sort(indexes)
	return tables, indexes
}

// TestSchemasMatch migrates a database of each engine and checks that they
// have the same tables, columns (type class and nullability) and indexes,
// so that the two sets of migration files cannot drift apart.
func TestSchemasMatch(t *testing.T) {
	t.Parallel()
	storetest.SkipUnlessAvailable(t, store.Postgres)
	lite, liteIdx := sqliteSchema(t, storetest.MustOpenDB(t, store.SQLite))
	pg, pgIdx := postgresSchema(t, storetest.MustOpenDB(t, store.Postgres))
	if len(lite) < 10 {
		t.Fatalf("sqlite has only %d tables: %v", len(lite), lite)
	}
	var diffs []string
	for table, cols := range lite {
		pcols, ok := pg[table]
		if !ok {
			diffs = append(diffs, "table "+table+" only on sqlite")
			continue
		}
		for name, c := range cols {
			p, ok := pcols[name]
			switch {
			case !ok:
				diffs = append(diffs, fmt.Sprintf("column %s.%s only on sqlite", table, name))
			case c.NotNull != p.NotNull:
				diffs = append(diffs, fmt.Sprintf("column %s.%s: NOT NULL %v on sqlite, %v on postgres", table, name, c.NotNull, p.NotNull))
			case c.Type != p.Type && schemaDifferences[table+"."+name] != c.Type+"/"+p.Type:
				diffs = append(diffs, fmt.Sprintf("column %s.%s: %s on sqlite, %s on postgres", table, name, c.Type, p.Type))
			}
		}
		for name := range pcols {
			if _, ok := cols[name]; !ok {
				diffs = append(diffs, fmt.Sprintf("column %s.%s only on postgres", table, name))
			}
		}
	}
	for table := range pg {
		if _, ok := lite[table]; !ok {
			diffs = append(diffs, "table "+table+" only on postgres")
		}
	}
	if !slices.Equal(liteIdx, pgIdx) {
		diffs = append(diffs, fmt.Sprintf("indexes differ:\n  sqlite   %v\n  postgres %v", liteIdx, pgIdx))
	}
	slices.Sort(diffs)
	t.Logf("compared %d tables and %d indexes", len(lite), len(liteIdx))
	for _, d := range diffs {
		t.Error(d)
	}
}
