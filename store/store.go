// Package store implements the domain services over SQL, on SQLite (the
// embedded default) and PostgreSQL, with one behaviour on both.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/opentalent/opentalent"
)

//go:embed migrations
var migrationsFS embed.FS

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Enqueuer inserts a durable job inside a transaction: a River client.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// DB is an open database. On SQLite every write goes through one connection
// (SQLite allows one writer; River's SQLite driver asks for one connection)
// and reads use a pool of read-only connections; on PostgreSQL both are the
// same pool.
type DB struct {
	Engine string
	// Write is the handle for writes, transactions and the job queue.
	Write *sql.DB
	// Read is the handle for reads that may run while a write is under way.
	Read *sql.DB
	// Schema is the PostgreSQL schema the data lives in ("" for the default).
	Schema string
	// Queue enqueues jobs in the transaction that writes their row. Set by
	// the caller once the job client exists; nil drops jobs (tools only).
	Queue Enqueuer
	// NowFunc returns the current time; tests may replace it.
	NowFunc func() time.Time
}

// Open opens the database named by dsn ("sqlite:PATH" or a postgres:// URL)
// and applies every pending migration, ours and the job queue's.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{NowFunc: time.Now}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		if p == "" || strings.Contains(p, "?") || p == ":memory:" {
			return nil, fmt.Errorf("open database: want sqlite:PATH to a file, got %q", dsn)
		}
		db.Engine = SQLite
		q := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// Page caches: SQLite's default of 2 MiB makes inserts into the
		// events indexes miss the cache at a million events and run several
		// times slower. These are ceilings, used as the data needs them.
		w, err := sql.Open("sqlite", "file:"+p+"?"+q+"&_pragma=cache_size(-131072)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", "file:"+p+"?"+q+"&_pragma=cache_size(-32768)&_pragma=query_only(1)")
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		r.SetMaxOpenConns(4)
		db.Write, db.Read = w, r
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.Engine = Postgres
		if u, err := url.Parse(dsn); err == nil {
			db.Schema = u.Query().Get("search_path")
		}
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		p.SetMaxOpenConns(24)
		p.SetMaxIdleConns(24)
		db.Write, db.Read = p, p
	default:
		return nil, fmt.Errorf("open database: %q is neither sqlite:PATH nor a postgres:// URL", dsn)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.Engine == SQLite {
		if err := db.Analyze(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close closes the database handles.
func (db *DB) Close() error {
	err := db.Write.Close()
	if db.Read != db.Write {
		err = errors.Join(err, db.Read.Close())
	}
	return err
}

// Analyze refreshes the query planners' statistics; bulk loads call it,
// and the server does every hour. Without statistics SQLite's planner
// joins a report's intermediate results by scanning them once per row
// (the goals report took 43 s at a million events, 0.7 s with them). On
// SQLite it runs PRAGMA optimize, which analyzes only the tables that need
// it, approximately (analysis_limit), so it is cheap to call often; on
// PostgreSQL, ANALYZE, which samples.
func (db *DB) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if db.Engine == SQLite {
		q = `PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002`
	}
	if _, err := db.Write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Read.PingContext(ctx) }

// Migrations lists the embedded migration file names of an engine, in order.
func Migrations(engine string) ([]string, error) {
	entries, err := fs.ReadDir(migrationsFS, path.Join("migrations", engine))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if db.Engine == Postgres {
		// Nodes starting together take turns.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727172)`); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := Migrations(db.Engine)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		body, err := migrationsFS.ReadFile(path.Join("migrations", db.Engine, name))
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, db.NowFunc().UnixMilli()); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var migrator *rivermigrate.Migrator[*sql.Tx]
	if db.Engine == SQLite {
		migrator, err = rivermigrate.New(riversqlite.New(db.Write), nil)
	} else {
		migrator, err = rivermigrate.New(riverdatabasesql.New(db.Write), &rivermigrate.Config{Schema: db.Schema})
	}
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// splitStatements splits a migration file on semicolons that end a line.
// Migration files hold plain DDL, never a semicolon inside a literal.
func splitStatements(body string) []string {
	var out []string
	for _, s := range strings.Split(body, ";\n") {
		if strings.TrimSpace(stripComments(s)) != "" {
			out = append(out, s)
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func init() {
	// unicode_lower is lower() with Go's Unicode case mapping, for SQLite.
	sqlite.MustRegisterDeterministicScalarFunction("unicode_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if s, ok := args[0].(string); ok {
			return strings.ToLower(s), nil
		}
		return args[0], nil
	})
}

// newSortableID returns an identifier that sorts after every earlier one
// made by this process (its time comes first), so that rows written in the
// same millisecond keep their order.
func newSortableID(prefix string) string {
	return fmt.Sprintf("%s_%016x%s", prefix, time.Now().UnixNano(), strings.ToLower(rand.Text()[:8]))
}

// NewID returns a new random identifier with a readable prefix, like usr_3f9k….
func NewID(prefix string) string {
	return prefix + "_" + strings.ToLower(rand.Text()[:20])
}

func (db *DB) nowMillis() int64 { return db.NowFunc().UnixMilli() }

func millisTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillisTime(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := millisTime(ms.Int64)
	return &t
}

// isUniqueViolation reports whether err is a unique-constraint violation,
// judged by the driver's error code.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// withTx runs fn in a write transaction and commits it when fn succeeds.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func notFound(what string) error {
	return opentalent.Errorf(opentalent.ENOTFOUND, "%s not found", what)
}
