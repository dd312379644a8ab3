package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/opentalent/opentalent"
)

// bulkRowsPerStatement caps the rows of one multi-row statement: 3,000
// arguments for events, well under both engines' limits.
const bulkRowsPerStatement = 500

// placeholders writes n rows of cols placeholders, numbered from first+1 on
// PostgreSQL and positional (?) on SQLite; cast, when set, wraps column i.
func (db *DB) placeholders(b *strings.Builder, rows, cols int, cast func(i int, ph string) string) {
	k := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			k++
			ph := "?"
			if db.Engine == Postgres {
				ph = "$" + strconv.Itoa(k)
			}
			if cast != nil {
				ph = cast(c, ph)
			}
			b.WriteString(ph)
		}
		b.WriteByte(')')
	}
}

// bulkInsert inserts rows of n columns: full chunks through one prepared
// statement, the rest through one more. When the suffix has a RETURNING
// clause, scan is called for each row it returns.
func (db *DB) bulkInsert(ctx context.Context, tx *sql.Tx, head string, n int, rows [][]any, suffix string, scan func(*sql.Rows) error) error {
	text := func(k int) string {
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		db.placeholders(&b, k, n, nil)
		b.WriteString(" ")
		b.WriteString(suffix)
		return b.String()
	}
	flat := func(part [][]any) []any {
		a := make([]any, 0, len(part)*n)
		for _, r := range part {
			a = append(a, r...)
		}
		return a
	}
	run := func(r *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			if scan != nil {
				if err := scan(r); err != nil {
					return err
				}
			}
		}
		return r.Err()
	}
	full := len(rows) / bulkRowsPerStatement
	if full > 0 {
		st, err := tx.PrepareContext(ctx, text(bulkRowsPerStatement))
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range full {
			if err := run(st.QueryContext(ctx, flat(rows[i*bulkRowsPerStatement:(i+1)*bulkRowsPerStatement])...)); err != nil {
				return err
			}
		}
	}
	if rest := rows[full*bulkRowsPerStatement:]; len(rest) > 0 {
		if err := run(tx.QueryContext(ctx, text(len(rest)), flat(rest)...)); err != nil {
			return err
		}
	}
	return nil
}

// touchUsers moves each user's lastSeen to their newest event and makes
// Invited users who logged in Active, in a few statements.
func (db *DB) touchUsers(ctx context.Context, tx *sql.Tx, events []opentalent.Event, users map[string]eventUser) error {
	newest := map[string]int64{}
	var loggedIn []string
	seen := map[string]bool{}
	for _, e := range events {
		if e.Timestamp > newest[e.UserID] {
			newest[e.UserID] = e.Timestamp
		}
		if e.TypeAlias == "Login" && users[e.UserID].status == opentalent.StatusInvited && !seen[e.UserID] {
			seen[e.UserID] = true
			loggedIn = append(loggedIn, e.UserID)
		}
	}
	ids := make([]string, 0, len(newest))
	for id := range newest {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a stable lock order
	cast := func(i int, ph string) string {
		if i == 1 {
			return "CAST(" + ph + " AS BIGINT)"
		}
		return ph
	}
	for i := 0; i < len(ids); i += bulkRowsPerStatement {
		part := ids[i:min(i+bulkRowsPerStatement, len(ids))]
		var b strings.Builder
		b.WriteString(`WITH v (id, ts) AS (VALUES `)
		db.placeholders(&b, len(part), 2, cast)
		b.WriteString(`) UPDATE users SET last_seen = v.ts FROM v WHERE users.id = v.id AND (users.last_seen IS NULL OR users.last_seen < v.ts)`)
		a := make([]any, 0, 2*len(part))
		for _, id := range part {
			a = append(a, id, newest[id])
		}
		if _, err := tx.ExecContext(ctx, b.String(), a...); err != nil {
			return fmt.Errorf("update last seen: %w", err)
		}
	}
	for i := 0; i < len(loggedIn); i += bulkRowsPerStatement {
		part := loggedIn[i:min(i+bulkRowsPerStatement, len(loggedIn))]
		var b strings.Builder
		b.WriteString(`UPDATE users SET status = 'Active' WHERE status = 'Invited' AND id IN `)
		db.placeholders(&b, 1, len(part), nil)
		a := make([]any, len(part))
		for j, id := range part {
			a[j] = id
		}
		if _, err := tx.ExecContext(ctx, b.String(), a...); err != nil {
			return fmt.Errorf("activate users: %w", err)
		}
	}
	return nil
}
