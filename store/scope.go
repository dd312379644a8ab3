package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/opentalent/opentalent"
)

// args collects query arguments and hands out their $N placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// in returns a parenthesised placeholder list for vs.
func (a *args) in(vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.add(v)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

// scopeCond confines col, a system id column, to the scope s.
func (a *args) scopeCond(col string, s opentalent.Scope) string {
	if s.SystemID != "" {
		// The system's network is checked once per query (an uncorrelated
		// EXISTS), not per row, so the planner keeps col's index.
		sys := a.add(s.SystemID)
		return fmt.Sprintf("%s = %s AND EXISTS (SELECT 1 FROM systems WHERE id = %s AND network_id = %s)", col, sys, sys, a.add(s.NetworkID))
	}
	return fmt.Sprintf("%s IN (SELECT id FROM systems WHERE network_id = %s)", col, a.add(s.NetworkID))
}

// collate makes text order byte-wise on PostgreSQL, as it is on SQLite.
func (db *DB) collate() string {
	if db.Engine == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// lower lower-cases a text expression the way Go does, on both engines:
// SQLite's own lower() knows only ASCII letters.
func (db *DB) lower(expr string) string {
	if db.Engine == SQLite {
		return "unicode_lower(" + expr + ")"
	}
	return "lower(" + expr + ")"
}

// likePattern turns a substring into a LIKE pattern matched with ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// LookupSystemScope returns the scope of one system across the whole
// installation. It is for operators' tools only: API calls derive their
// scope from a token.
func (db *DB) LookupSystemScope(ctx context.Context, systemID string) (opentalent.Scope, error) {
	var s opentalent.Scope
	err := db.Read.QueryRowContext(ctx, `SELECT id, network_id FROM systems WHERE id = $1`, systemID).Scan(&s.SystemID, &s.NetworkID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("system")
	}
	return s, err
}

// LookupUserScope returns the scope of the system of the user with email,
// across the whole installation; for operators' tools only.
func (db *DB) LookupUserScope(ctx context.Context, email string) (opentalent.Scope, error) {
	var s opentalent.Scope
	err := db.Read.QueryRowContext(ctx, `SELECT s.id, s.network_id FROM users u JOIN systems s ON s.id = u.system_id WHERE u.email = $1`,
		strings.ToLower(strings.TrimSpace(email))).Scan(&s.SystemID, &s.NetworkID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("user")
	}
	return s, err
}

// LookupNetworkScope checks that a network exists and returns its scope.
func (db *DB) LookupNetworkScope(ctx context.Context, networkID string) (opentalent.Scope, error) {
	var s opentalent.Scope
	err := db.Read.QueryRowContext(ctx, `SELECT id FROM networks WHERE id = $1`, networkID).Scan(&s.NetworkID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("network")
	}
	return s, err
}

// systemInScope returns the system with id when it lies inside s.
func systemInScope(ctx context.Context, q queryer, s opentalent.Scope, id string) (*opentalent.System, error) {
	var a args
	cond := a.scopeCond("id", s)
	var sys opentalent.System
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, network_id, name, created_at FROM systems WHERE id = `+a.add(id)+` AND `+cond, a...).
		Scan(&sys.ID, &sys.NetworkID, &sys.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("system")
	}
	if err != nil {
		return nil, fmt.Errorf("find system: %w", err)
	}
	sys.CreatedAt = millisTime(created)
	return &sys, nil
}
