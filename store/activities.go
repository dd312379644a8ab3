package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opentalent/opentalent"
)

var _ opentalent.ActivityService = (*DB)(nil)

// catalogueFields maps the actionData fields that name catalogue items to
// the item's kind and the field holding its label.
var catalogueFields = []struct{ kind, idField, labelField string }{
	{"rubric", "rubricId", "rubricName"},
	{"learningPath", "learningPathId", "learningPathName"},
	{"forum", "forumId", "forumName"},
	{"workflow", "workflowId", "workflowName"},
	{"exemplar", "exemplarId", "exemplarTitle"},
	{"video", "videoId", "videoTitle"},
	{"goalType", "goalType", "goalType"},
	{"observationType", "observationType", "observationType"},
}

// Catalogue ids longer than maxCatalogueID are left out of the catalogue
// (they cannot be indexed on PostgreSQL past ~2.7 kB, and no real id is so
// long); labels are cut at maxCatalogueLabel bytes.
const (
	maxCatalogueID    = 200
	maxCatalogueLabel = 500
)

type catalogueItem struct{ systemID, kind, id, label string }

type eventUser struct{ systemID, status string }

// IngestEvents stores events of users inside s in one transaction. Each
// event is checked on its own; one that names an unknown user, or a system
// other than its user's, is a failure and the rest are stored.
func (db *DB) IngestEvents(ctx context.Context, s opentalent.Scope, events []opentalent.Event) (*opentalent.IngestResult, error) {
	res := &opentalent.IngestResult{Successes: []string{}, Failures: []opentalent.IngestFailure{}}
	users, err := db.eventUsers(ctx, s, events)
	if err != nil {
		return nil, err
	}
	good := make([]opentalent.Event, 0, len(events))
	for i, e := range events {
		u, ok := users[e.UserID]
		switch {
		case !ok:
			res.Failures = append(res.Failures, opentalent.IngestFailure{Index: i, ID: e.ID, Error: "unknown user: no user with this userId in the token's scope"})
			continue
		case e.SystemID != "" && e.SystemID != u.systemID:
			res.Failures = append(res.Failures, opentalent.IngestFailure{Index: i, ID: e.ID, Error: "systemId is not the system of the user"})
			continue
		}
		e.SystemID = u.systemID
		if e.ID == "" {
			e.ID = NewID("evt")
		}
		good = append(good, e)
		res.Successes = append(res.Successes, e.ID)
	}
	if len(good) == 0 {
		return res, nil
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if err := insertEvents(ctx, tx, good); err != nil {
			return err
		}
		if err := upsertCatalogue(ctx, tx, good); err != nil {
			return err
		}
		return touchUsers(ctx, tx, good, users)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// eventUsers finds the users the events name, inside s.
func (db *DB) eventUsers(ctx context.Context, s opentalent.Scope, events []opentalent.Event) (map[string]eventUser, error) {
	seen := map[string]bool{}
	var ids []string
	for _, e := range events {
		if !seen[e.UserID] {
			seen[e.UserID] = true
			ids = append(ids, e.UserID)
		}
	}
	out := make(map[string]eventUser, len(ids))
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		var a args
		part := ids[i:min(i+chunk, len(ids))]
		q := `SELECT id, system_id, status FROM users WHERE id IN ` + a.in(part) + ` AND ` + a.scopeCond("system_id", s)
		rows, err := db.Read.QueryContext(ctx, q, a...)
		if err != nil {
			return nil, fmt.Errorf("find event users: %w", err)
		}
		for rows.Next() {
			var id string
			var u eventUser
			if err := rows.Scan(&id, &u.systemID, &u.status); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertRows inserts rows of n columns with multi-row INSERT statements of
// up to batch rows; suffix ends each statement (e.g. ON CONFLICT ...).
func insertRows(ctx context.Context, tx *sql.Tx, head string, n, batch int, rows [][]any, suffix string) error {
	for i := 0; i < len(rows); i += batch {
		part := rows[i:min(i+batch, len(rows))]
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		a := make(args, 0, len(part)*n)
		for j, r := range part {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for k, v := range r {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(a.add(v))
			}
			b.WriteByte(')')
		}
		b.WriteString(" ")
		b.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, b.String(), a...); err != nil {
			return err
		}
	}
	return nil
}

func insertEvents(ctx context.Context, tx *sql.Tx, events []opentalent.Event) error {
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = []any{e.SystemID, e.ID, e.UserID, e.Timestamp, e.TypeAlias, string(e.ActionData)}
	}
	err := insertRows(ctx, tx, `INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data)`, 6, 500, rows, `ON CONFLICT (system_id, id) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

// catalogueItems lists the rubrics, videos, forums... that events name.
func catalogueItems(events []opentalent.Event) []catalogueItem {
	seen := map[catalogueItem]bool{}
	var out []catalogueItem
	for _, e := range events {
		if len(e.ActionData) < 3 {
			continue
		}
		var data map[string]any
		if json.Unmarshal(e.ActionData, &data) != nil {
			continue
		}
		for _, f := range catalogueFields {
			id := scalarString(data[f.idField])
			if id == "" || len(id) > maxCatalogueID {
				continue // the event keeps it; the catalogue lists usable ids only
			}
			label := scalarString(data[f.labelField])
			if label == "" {
				label = id
			}
			if len(label) > maxCatalogueLabel {
				label = strings.ToValidUTF8(label[:maxCatalogueLabel], "")
			}
			it := catalogueItem{e.SystemID, f.kind, id, label}
			if !seen[it] {
				seen[it] = true
				out = append(out, it)
			}
		}
	}
	return out
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	}
	return ""
}

func upsertCatalogue(ctx context.Context, tx *sql.Tx, events []opentalent.Event) error {
	items := catalogueItems(events)
	if len(items) == 0 {
		return nil
	}
	// One statement may not touch the same key twice on PostgreSQL: keep
	// the last label of each item, preferring a real label to the id.
	last := map[[3]string]int{}
	for i, it := range items {
		k := [3]string{it.systemID, it.kind, it.id}
		if j, ok := last[k]; ok && it.label == it.id && items[j].label != items[j].id {
			continue // a real label wins over the id standing in for one
		}
		last[k] = i
	}
	rows := make([][]any, 0, len(last))
	for i, it := range items {
		if last[[3]string{it.systemID, it.kind, it.id}] == i {
			rows = append(rows, []any{it.systemID, it.kind, it.id, it.label})
		}
	}
	err := insertRows(ctx, tx, `INSERT INTO catalogue (system_id, kind, item_id, label)`, 4, 500, rows,
		`ON CONFLICT (system_id, kind, item_id) DO UPDATE SET label = excluded.label WHERE excluded.label <> excluded.item_id`)
	if err != nil {
		return fmt.Errorf("update catalogue: %w", err)
	}
	return nil
}

// touchUsers moves each user's lastSeen to their newest event, and makes
// Invited users who logged in Active.
func touchUsers(ctx context.Context, tx *sql.Tx, events []opentalent.Event, users map[string]eventUser) error {
	newest := map[string]int64{}
	loggedIn := map[string]bool{}
	for _, e := range events {
		if e.Timestamp > newest[e.UserID] {
			newest[e.UserID] = e.Timestamp
		}
		if e.TypeAlias == "Login" && users[e.UserID].status == opentalent.StatusInvited {
			loggedIn[e.UserID] = true
		}
	}
	for id, ts := range newest {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_seen = $1 WHERE id = $2 AND (last_seen IS NULL OR last_seen < $1)`, ts, id); err != nil {
			return fmt.Errorf("update last seen: %w", err)
		}
	}
	for id := range loggedIn {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET status = $1 WHERE id = $2 AND status = $3`, opentalent.StatusActive, id, opentalent.StatusInvited); err != nil {
			return fmt.Errorf("activate user: %w", err)
		}
	}
	return nil
}
