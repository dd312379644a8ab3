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
// other than its user's, is a failure and the rest are stored. An event
// whose (system, _id) is already stored, or repeated in the batch, counts as
// a success and changes nothing: only newly stored events move lastSeen,
// the catalogue and Invited users' status.
//
// It is the one ingestion path of the API and the generator, built for
// volume: multi-row statements prepared once per call, positional
// placeholders on SQLite (which resolves $N names through a linear list,
// quadratic for a statement of thousands of arguments), and lastSeen moved
// by one statement per 500 users.
func (db *DB) IngestEvents(ctx context.Context, s opentalent.Scope, events []opentalent.Event) (*opentalent.IngestResult, error) {
	res := &opentalent.IngestResult{Successes: []string{}, Failures: []opentalent.IngestFailure{}}
	users, err := db.eventUsers(ctx, s, events)
	if err != nil {
		return nil, err
	}
	good := make([]opentalent.Event, 0, len(events))
	seen := make(map[[2]string]bool, len(events))
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
		res.Successes = append(res.Successes, e.ID)
		if key := [2]string{e.SystemID, e.ID}; !seen[key] {
			seen[key] = true
			good = append(good, e)
		}
	}
	if len(good) == 0 {
		return res, nil
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		stored, err := db.insertEvents(ctx, tx, good)
		if err != nil {
			return err
		}
		if err := db.upsertCatalogue(ctx, tx, stored); err != nil {
			return err
		}
		return db.touchUsers(ctx, tx, stored, users)
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

// insertEvents inserts events that are not stored yet and returns those
// it stored.
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, events []opentalent.Event) ([]opentalent.Event, error) {
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = []any{e.SystemID, e.ID, e.UserID, e.Timestamp, e.TypeAlias, string(e.ActionData)}
	}
	inserted := make(map[string]bool, len(events))
	err := db.bulkInsert(ctx, tx, `INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data)`, 6, rows,
		`ON CONFLICT (system_id, id) DO NOTHING RETURNING system_id, id`, func(r *sql.Rows) error {
			var sys, id string
			if err := r.Scan(&sys, &id); err != nil {
				return err
			}
			inserted[sys+"\x00"+id] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("insert events: %w", err)
	}
	if len(inserted) == len(events) {
		return events, nil
	}
	stored := make([]opentalent.Event, 0, len(inserted))
	for _, e := range events {
		if inserted[e.SystemID+"\x00"+e.ID] {
			stored = append(stored, e)
		}
	}
	return stored, nil
}

// catalogueData holds the actionData fields that name catalogue items;
// decoding into it skips every other field without allocating.
type catalogueData struct {
	RubricID         any `json:"rubricId"`
	RubricName       any `json:"rubricName"`
	LearningPathID   any `json:"learningPathId"`
	LearningPathName any `json:"learningPathName"`
	ForumID          any `json:"forumId"`
	ForumName        any `json:"forumName"`
	WorkflowID       any `json:"workflowId"`
	WorkflowName     any `json:"workflowName"`
	ExemplarID       any `json:"exemplarId"`
	ExemplarTitle    any `json:"exemplarTitle"`
	VideoID          any `json:"videoId"`
	VideoTitle       any `json:"videoTitle"`
	GoalType         any `json:"goalType"`
	ObservationType  any `json:"observationType"`
}

// items returns the (kind, id, label) triples the fields name.
func (d *catalogueData) items() [][3]any {
	return [][3]any{
		{"rubric", d.RubricID, d.RubricName},
		{"learningPath", d.LearningPathID, d.LearningPathName},
		{"forum", d.ForumID, d.ForumName},
		{"workflow", d.WorkflowID, d.WorkflowName},
		{"exemplar", d.ExemplarID, d.ExemplarTitle},
		{"video", d.VideoID, d.VideoTitle},
		{"goalType", d.GoalType, d.GoalType},
		{"observationType", d.ObservationType, d.ObservationType},
	}
}

// catalogueItems lists the rubrics, videos, forums... that events name.
func catalogueItems(events []opentalent.Event) []catalogueItem {
	seen := map[catalogueItem]bool{}
	var out []catalogueItem
	for _, e := range events {
		if len(e.ActionData) < 3 {
			continue
		}
		var data catalogueData
		if json.Unmarshal(e.ActionData, &data) != nil {
			continue
		}
		for _, f := range data.items() {
			id := scalarString(f[1])
			if id == "" || len(id) > maxCatalogueID {
				continue // the event keeps it; the catalogue lists usable ids only
			}
			label := scalarString(f[2])
			if label == "" {
				label = id
			}
			if len(label) > maxCatalogueLabel {
				label = strings.ToValidUTF8(label[:maxCatalogueLabel], "")
			}
			it := catalogueItem{e.SystemID, f[0].(string), id, label}
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

func (db *DB) upsertCatalogue(ctx context.Context, tx *sql.Tx, events []opentalent.Event) error {
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
	err := db.bulkInsert(ctx, tx, `INSERT INTO catalogue (system_id, kind, item_id, label)`, 4, rows,
		`ON CONFLICT (system_id, kind, item_id) DO UPDATE SET label = excluded.label WHERE excluded.label <> excluded.item_id`, nil)
	if err != nil {
		return fmt.Errorf("update catalogue: %w", err)
	}
	return nil
}
