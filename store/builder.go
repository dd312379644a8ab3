package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"weak"

	"github.com/opentalent/opentalent"
)

var _ opentalent.BuilderService = (*DB)(nil)

const savedReportColumns = `r.id, r.system_id, r.owner_user_id, u.email, r.title, r.filter_model, r.created_at`

func scanSavedReport(row interface{ Scan(...any) error }) (*opentalent.SavedReport, error) {
	var r opentalent.SavedReport
	var fm string
	var created int64
	if err := row.Scan(&r.ID, &r.SystemID, &r.OwnerUserID, &r.OwnerEmail, &r.Title, &fm, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fm), &r.FilterModel); err != nil {
		return nil, fmt.Errorf("saved report %s: filter model: %w", r.ID, err)
	}
	r.CreatedAt = millisTime(created)
	return &r, nil
}

// viewerScope is the scope a viewer reads: a user's own system for viewers
// that run as a user, the viewer's scope otherwise.
func viewerScope(v opentalent.Viewer) opentalent.Scope {
	s := v.Scope
	if v.RunAs != nil {
		s.SystemID = v.RunAs.SystemID
	}
	return s
}

// savedReportCond is the condition under which v may see the saved report
// row alias r: inside v's scope, and owned by v unless v is an administrator.
func savedReportCond(a *args, v opentalent.Viewer) string {
	c := a.scopeCond("r.system_id", viewerScope(v))
	if !v.IsAdmin() {
		c += " AND r.owner_user_id = " + a.add(v.RunAs.ID)
	}
	return c
}

// normalizeFilter trims and lower-cases user emails, as they are stored.
func normalizeFilter(f opentalent.BuilderFilter) opentalent.BuilderFilter {
	if len(f.UserEmails) > 0 {
		emails := make([]string, len(f.UserEmails))
		for i, e := range f.UserEmails {
			emails[i] = strings.ToLower(strings.TrimSpace(e))
		}
		f.UserEmails = emails
	}
	return f
}

// CreateSavedReport saves a Report Builder report owned by r.OwnerEmail (the
// caller by default). The filter model must be valid for its owner: every
// systemId inside the owner's scope.
func (db *DB) CreateSavedReport(ctx context.Context, v opentalent.Viewer, r opentalent.NewSavedReport) (*opentalent.SavedReport, error) {
	title := strings.TrimSpace(r.Title)
	switch {
	case title == "":
		return nil, opentalent.Invalid("title is required", opentalent.FieldError{Field: "title", Message: "required"})
	case len(title) > opentalent.MaxSavedReportTitle:
		return nil, opentalent.Invalid(fmt.Sprintf("title is longer than %d characters", opentalent.MaxSavedReportTitle),
			opentalent.FieldError{Field: "title", Message: fmt.Sprintf("at most %d characters", opentalent.MaxSavedReportTitle)})
	}
	fm := normalizeFilter(r.FilterModel)
	if err := fm.Validate(); err != nil {
		return nil, err
	}
	scope := viewerScope(v)
	if r.SystemID != "" {
		sys, err := systemInScope(ctx, db.Read, scope, r.SystemID)
		if err != nil {
			return nil, err
		}
		scope.SystemID = sys.ID
	}
	ownerEmail := strings.ToLower(strings.TrimSpace(r.OwnerEmail))
	switch {
	case ownerEmail == "" && v.RunAs == nil:
		return nil, opentalent.Invalid("ownerEmail is required for network and system tokens: a saved report runs as its owner",
			opentalent.FieldError{Field: "ownerEmail", Message: "required for network and system tokens"})
	case ownerEmail == "":
		ownerEmail = v.RunAs.Email
	case !v.IsAdmin() && ownerEmail != v.RunAs.Email:
		return nil, opentalent.Errorf(opentalent.EFORBIDDEN, "only administrators may save reports owned by someone else")
	}
	owner, err := findUser(ctx, db.Read, scope, ownerEmail)
	if err != nil {
		return nil, err
	}
	ov := opentalent.Viewer{Scope: opentalent.Scope{NetworkID: scope.NetworkID, SystemID: owner.SystemID}, RunAs: owner}
	if _, err := db.builderSystems(ctx, db.Read, ov, fm); err != nil {
		return nil, err
	}
	body, err := json.Marshal(fm)
	if err != nil {
		return nil, fmt.Errorf("save report: %w", err)
	}
	out := &opentalent.SavedReport{
		ID: NewID("svr"), SystemID: owner.SystemID, OwnerUserID: owner.ID, OwnerEmail: owner.Email,
		Title: title, FilterModel: fm, CreatedAt: millisTime(db.nowMillis()),
	}
	_, err = db.Write.ExecContext(ctx, `INSERT INTO saved_reports (id, system_id, owner_user_id, title, filter_model, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		out.ID, out.SystemID, out.OwnerUserID, out.Title, string(body), out.CreatedAt.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("save report: %w", err)
	}
	return out, nil
}

// FindSavedReports returns one page of the saved reports v may see, by title
// then id.
func (db *DB) FindSavedReports(ctx context.Context, v opentalent.Viewer, p opentalent.Page) ([]opentalent.SavedReport, int, error) {
	var a args
	cond := savedReportCond(&a, v)
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM saved_reports r WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count saved reports: %w", err)
	}
	out := []opentalent.SavedReport{}
	if total <= p.Offset() {
		return out, total, nil
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT `+savedReportColumns+` FROM saved_reports r JOIN users u ON u.id = r.owner_user_id WHERE `+cond+
		` ORDER BY r.title`+db.collate()+`, r.id LIMIT `+a.add(p.Limit)+` OFFSET `+a.add(p.Offset()), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find saved reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanSavedReport(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find saved reports: %w", err)
		}
		out = append(out, *r)
	}
	return out, total, rows.Err()
}

// FindSavedReportByID returns the saved report with id if v may see it.
func (db *DB) FindSavedReportByID(ctx context.Context, v opentalent.Viewer, id string) (*opentalent.SavedReport, error) {
	var a args
	cond := savedReportCond(&a, v)
	r, err := scanSavedReport(db.Read.QueryRowContext(ctx, `SELECT `+savedReportColumns+` FROM saved_reports r JOIN users u ON u.id = r.owner_user_id WHERE r.id = `+a.add(id)+` AND `+cond, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("saved report")
	}
	if err != nil {
		return nil, fmt.Errorf("find saved report: %w", err)
	}
	return r, nil
}

// DeleteSavedReport deletes the saved report with id if v may see it.
func (db *DB) DeleteSavedReport(ctx context.Context, v opentalent.Viewer, id string) error {
	var a args
	cond := savedReportCond(&a, v)
	res, err := db.Write.ExecContext(ctx, `DELETE FROM saved_reports WHERE id IN (SELECT r.id FROM saved_reports r WHERE r.id = `+a.add(id)+` AND `+cond+`)`, a...)
	if err != nil {
		return fmt.Errorf("delete saved report: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete saved report: %w", err)
	} else if n == 0 {
		return notFound("saved report")
	}
	return nil
}

// SavedReportViewer returns the viewer r runs as: its owner as they are now,
// in r's system.
func (db *DB) SavedReportViewer(ctx context.Context, r *opentalent.SavedReport) (opentalent.Viewer, error) {
	var networkID string
	row := db.Read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.network_id FROM users u JOIN systems s ON s.id = u.system_id WHERE u.id = $1 AND u.system_id = $2`, r.OwnerUserID, r.SystemID)
	var u opentalent.User
	var lastSeen sql.NullInt64
	var created int64
	err := row.Scan(&u.ID, &u.SystemID, &u.Email, &u.Name, &u.Role, &u.Status, &lastSeen, &created, &networkID)
	if errors.Is(err, sql.ErrNoRows) {
		return opentalent.Viewer{}, notFound("saved report owner")
	}
	if err != nil {
		return opentalent.Viewer{}, fmt.Errorf("find saved report owner: %w", err)
	}
	u.LastSeen, u.CreatedAt = nullMillisTime(lastSeen), millisTime(created)
	return opentalent.Viewer{Scope: opentalent.Scope{NetworkID: networkID, SystemID: r.SystemID}, RunAs: &u}, nil
}

// builderSystems resolves the systems whose events v reads through f: the
// systemIds of f, each of which must lie in v's scope (ENOTFOUND
// otherwise), or every system of the scope.
func (db *DB) builderSystems(ctx context.Context, q queryer, v opentalent.Viewer, f opentalent.BuilderFilter) ([]string, error) {
	var a args
	text := `SELECT id FROM systems WHERE ` + a.scopeCond("id", viewerScope(v))
	var want []string
	if len(f.SystemIDs) > 0 {
		want = slices.Compact(slices.Sorted(slices.Values(f.SystemIDs)))
		text += ` AND id IN ` + a.in(want)
	}
	rows, err := q.QueryContext(ctx, text+` ORDER BY id`, a...)
	if err != nil {
		return nil, fmt.Errorf("resolve systems: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != len(want) && want != nil {
		return nil, notFound("system")
	}
	return ids, nil
}

// builderWhere is the tenant-confined condition on the events row alias e
// that a viewer and a filter model select, with its arguments.
type builderWhere struct {
	cond  string
	args  args
	start *int64 // the time window's start, kept apart: see sql
	// byUser is set when cond tests e.user_id or e.type_alias, which only
	// the wider covering index events_builder holds.
	byUser bool
	none   bool // the viewer's scope holds no system: nothing matches
}

func (db *DB) builderWhere(ctx context.Context, q queryer, v opentalent.Viewer, f opentalent.BuilderFilter) (*builderWhere, error) {
	systems, err := db.builderSystems(ctx, q, v, f)
	if err != nil {
		return nil, err
	}
	w := &builderWhere{}
	if len(systems) == 0 {
		w.none = true
		return w, nil
	}
	a := &w.args
	var cs []string
	if len(systems) == 1 {
		cs = append(cs, "e.system_id = "+a.add(systems[0]))
	} else {
		cs = append(cs, "e.system_id IN "+a.in(systems))
	}
	w.byUser = (v.RunAs != nil && v.RunAs.Role != opentalent.RoleAdmin) || len(f.TypeAliases) > 0 || len(f.UserEmails) > 0 || len(f.GroupIDs) > 0
	if v.RunAs != nil {
		switch v.RunAs.Role {
		case opentalent.RoleAdmin:
		case opentalent.RoleCoach:
			id := a.add(v.RunAs.ID)
			cs = append(cs, `(e.user_id = `+id+` OR e.user_id IN (SELECT mg.user_id FROM user_groups cg JOIN user_groups mg ON mg.group_id = cg.group_id WHERE cg.user_id = `+a.add(v.RunAs.ID)+`))`)
		case opentalent.RoleTeacher:
			cs = append(cs, "e.user_id = "+a.add(v.RunAs.ID))
		default: // never widen the scope of an unknown role
			cs = append(cs, "1 = 0")
		}
	}
	if len(f.TypeAliases) > 0 {
		cs = append(cs, "e.type_alias IN "+a.in(f.TypeAliases))
	}
	switch {
	case f.LastDays != nil:
		// From the start of the minute N days ago, so that a client paging
		// through "the last N days" sees the same rows on every page.
		now := db.nowMillis()
		w.start = new(now - now%60_000 - int64(*f.LastDays)*86_400_000)
	default:
		w.start = f.StartTime
		if f.EndTime != nil {
			cs = append(cs, "e.ts < "+a.add(*f.EndTime))
		}
	}
	if len(f.UserEmails) > 0 {
		cs = append(cs, "e.user_id IN (SELECT id FROM users WHERE email IN "+a.in(f.UserEmails)+")")
	}
	if len(f.GroupIDs) > 0 {
		keys := make([]string, len(f.GroupIDs))
		for i, g := range f.GroupIDs {
			keys[i] = strings.ToLower(strings.TrimSpace(g))
		}
		cs = append(cs, "e.user_id IN (SELECT ug.user_id FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE g.system_id IN "+a.in(systems)+
			" AND (g.id IN "+a.in(f.GroupIDs)+" OR g.name_key IN "+a.in(keys)+"))")
	}
	w.cond = strings.Join(cs, " AND ")
	return w, nil
}

// sql returns the condition on the events row alias e and the arguments
// of w, bounded by the key from when it is set (op is ">=", ">" or "<=").
// A lower key bound replaces the start-time bound, which it implies (the
// key is a matching row's): SQLite ranges an index over one lower bound
// only, and might pick the start time and scan from there.
func (w *builderWhere) sql(from *builderKey, op string) (string, args) {
	a := make(args, len(w.args), len(w.args)+4)
	copy(a, w.args)
	cond := w.cond
	if w.start != nil && (from == nil || op == "<=") {
		cond += " AND e.ts >= " + a.add(*w.start)
	}
	if from != nil {
		cond += fmt.Sprintf(" AND (e.ts, e.seq) %s (%s, %s)", op, a.add(from.ts), a.add(from.seq))
	}
	return cond, a
}

// eventsFrom names the events table for the Report Builder's queries of w.
// On SQLite it forces an index in (ts, seq) order that holds every column w
// tests: without statistics the planner may prefer events_system_type_ts
// for a type filter and sort every matching row for each page. The
// narrower events_system_ts (its rowid is seq) is read faster when it
// suffices.
func (db *DB) eventsFrom(w *builderWhere) string {
	switch {
	case db.Engine != SQLite:
		return "events e"
	case w.byUser:
		return "events e INDEXED BY events_builder"
	default:
		return "events e INDEXED BY events_system_ts"
	}
}

// builderKey is the position of an event in Report Builder order.
type builderKey struct{ ts, seq int64 }

// snapshotTx begins a read-only transaction that sees one snapshot, so that
// a page's count, position and rows agree.
func (db *DB) snapshotTx(ctx context.Context) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.Read.BeginTx(ctx, opts)
}

// QueryBuilder returns one page of the rows f selects for v and their
// total. The page's first key is found on the covering index alone, from
// the nearest cached checkpoint (see locate), and its rows are read by
// keyset, so deep pages cost about what the first one does.
func (db *DB) QueryBuilder(ctx context.Context, v opentalent.Viewer, f opentalent.BuilderFilter, page, pageSize int) ([]opentalent.BuilderRow, int, error) {
	if err := opentalent.ValidateBuilderPage(page, pageSize); err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	f = normalizeFilter(f)
	tx, err := db.snapshotTx(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("query builder: %w", err)
	}
	defer tx.Rollback()
	w, err := db.builderWhere(ctx, tx, v, f)
	if err != nil {
		return nil, 0, err
	}
	out := []opentalent.BuilderRow{}
	if w.none {
		return out, 0, nil
	}
	var total int
	var maxSeq sql.NullInt64
	cond, a := w.sql(nil, "")
	if err := tx.QueryRowContext(ctx, `SELECT count(*), max(e.seq) FROM `+db.eventsFrom(w)+` WHERE `+cond, a...).Scan(&total, &maxSeq); err != nil {
		return nil, 0, fmt.Errorf("count builder rows: %w", err)
	}
	k := int64(page-1) * int64(pageSize)
	if k >= int64(total) {
		return out, total, nil
	}
	var from *builderKey
	if k > 0 {
		key, err := db.locate(ctx, tx, w, int(k), total, maxSeq.Int64)
		if err != nil {
			return nil, 0, err
		}
		from = &key
	}
	out, _, err = db.builderRows(ctx, tx, w, from, true, pageSize, out)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// streamBatch is how many rows StreamBuilder reads per query.
const streamBatch = 2000

// StreamBuilder calls fn with every row f selects for v, in order. It reads
// by keyset in batches, so no query holds a snapshot for the whole export.
func (db *DB) StreamBuilder(ctx context.Context, v opentalent.Viewer, f opentalent.BuilderFilter, fn func(opentalent.BuilderRow) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	f = normalizeFilter(f)
	w, err := db.builderWhere(ctx, db.Read, v, f)
	if err != nil {
		return err
	}
	if w.none {
		return nil
	}
	var from *builderKey
	batch := make([]opentalent.BuilderRow, 0, streamBatch)
	for {
		rows, last, err := db.builderRows(ctx, db.Read, w, from, false, streamBatch, batch[:0])
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < streamBatch {
			return nil
		}
		from = &last
	}
}

// builderRows appends to out up to limit rows of w from the key from
// (inclusive or not; nil for the first row) and returns the last row's key.
func (db *DB) builderRows(ctx context.Context, q queryer, w *builderWhere, from *builderKey, inclusive bool, limit int, out []opentalent.BuilderRow) ([]opentalent.BuilderRow, builderKey, error) {
	op := ">"
	if inclusive {
		op = ">="
	}
	cond, a := w.sql(from, op)
	text := `SELECT e.id, e.user_id, u.name, u.email, e.system_id, s.name, e.ts, e.type_alias, e.action_data, e.seq
FROM (SELECT e.seq, e.id, e.user_id, e.system_id, e.ts, e.type_alias, e.action_data FROM ` + db.eventsFrom(w) + ` WHERE ` + cond +
		` ORDER BY e.ts, e.seq LIMIT ` + a.add(limit) + `) e
JOIN users u ON u.id = e.user_id JOIN systems s ON s.id = e.system_id
ORDER BY e.ts, e.seq`
	rows, err := q.QueryContext(ctx, text, a...)
	if err != nil {
		return nil, builderKey{}, fmt.Errorf("read builder rows: %w", err)
	}
	defer rows.Close()
	var last builderKey
	for rows.Next() {
		var r opentalent.BuilderRow
		var data []byte
		if err := rows.Scan(&r.ID, &r.UserID, &r.UserName, &r.Email, &r.SystemID, &r.SystemName, &r.Timestamp, &r.TypeAlias, &data, &last.seq); err != nil {
			return nil, builderKey{}, fmt.Errorf("read builder rows: %w", err)
		}
		r.ActionData = json.RawMessage(data)
		last.ts = r.Timestamp
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, builderKey{}, fmt.Errorf("read builder rows: %w", err)
	}
	return out, last, nil
}

// nth returns the key n rows after (forward) or before (backward) the key
// from, from itself counting as 0; with from nil, n rows from the first or
// the last row. It reads the covering index only.
func (db *DB) nth(ctx context.Context, q queryer, w *builderWhere, from *builderKey, forward bool, n int) (builderKey, error) {
	dir, op := "", ">="
	if !forward {
		dir, op = " DESC", "<="
	}
	cond, a := w.sql(from, op)
	var k builderKey
	err := q.QueryRowContext(ctx, `SELECT e.ts, e.seq FROM `+db.eventsFrom(w)+` WHERE `+cond+` ORDER BY e.ts`+dir+`, e.seq`+dir+
		` LIMIT 1 OFFSET `+a.add(n), a...).Scan(&k.ts, &k.seq)
	if err != nil {
		return k, fmt.Errorf("locate builder page: %w", err)
	}
	return k, nil
}

// Checkpoints.
//
// Finding the key of row k of a filter scans k index entries. To keep deep
// pages cheap, each node remembers, per filter, the keys of rows it has
// located (checkpoints), and walks to row k from the nearest one in either
// direction (or from either end), in steps of checkpointEvery rows that
// become checkpoints themselves. A cold deep page scans at most half the
// filter's index range; later pages near a checkpoint scan fewer than
// checkpointEvery entries. Checkpoints are only hints for one (count,
// max(seq)) of the filter: any insert or delete it sees changes that pair
// and drops them, so they are correct on every node of a cluster.
const (
	checkpointEvery     = 4096
	maxCheckpoints      = 4096 // per filter
	builderCacheFilters = 256
)

type checkpoints struct {
	mu     sync.Mutex
	count  int
	maxSeq int64
	pos    []int // sorted row positions
	keys   []builderKey
	used   uint64
}

func (c *checkpoints) add(pos int, k builderKey) {
	i, found := slices.BinarySearch(c.pos, pos)
	if found || len(c.pos) >= maxCheckpoints {
		return
	}
	c.pos = slices.Insert(c.pos, i, pos)
	c.keys = slices.Insert(c.keys, i, k)
}

type builderCache struct {
	mu      sync.Mutex
	tick    uint64
	entries map[[32]byte]*checkpoints
}

// builderCaches holds each open DB's checkpoints; an entry goes when its DB
// is garbage collected.
var builderCaches sync.Map // weak.Pointer[DB] -> *builderCache

func (db *DB) builderCache() *builderCache {
	wp := weak.Make(db)
	if c, ok := builderCaches.Load(wp); ok {
		return c.(*builderCache)
	}
	c, loaded := builderCaches.LoadOrStore(wp, &builderCache{entries: map[[32]byte]*checkpoints{}})
	if !loaded {
		runtime.AddCleanup(db, func(wp weak.Pointer[DB]) { builderCaches.Delete(wp) }, wp)
	}
	return c.(*builderCache)
}

// entry returns the checkpoints of the filter w, evicting the least recently
// used filter when the cache is full.
func (c *builderCache) entry(w *builderWhere) *checkpoints {
	h := sha256.New()
	cond, a := w.sql(nil, "")
	h.Write([]byte(cond))
	for _, v := range a {
		fmt.Fprintf(h, "\x00%T:%v", v, v)
	}
	var key [32]byte
	h.Sum(key[:0])
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if e, ok := c.entries[key]; ok {
		e.used = c.tick
		return e
	}
	if len(c.entries) >= builderCacheFilters {
		var oldest [32]byte
		min := ^uint64(0)
		for k, e := range c.entries {
			if e.used < min {
				oldest, min = k, e.used
			}
		}
		delete(c.entries, oldest)
	}
	e := &checkpoints{used: c.tick}
	c.entries[key] = e
	return e
}

// revalidate keeps the checkpoints of e that the filter's new (total,
// maxSeq) leaves in place and drops the others. When rows were only added
// (the rows with a seq above the old maxSeq account for the whole growth),
// a checkpoint keeps its position unless a new row sorts before it; new
// rows share a timestamp with it only after it, their seq being larger. So
// appends of current events, the usual ingest, keep every checkpoint.
// Anything else (a delete) drops them all.
func (db *DB) revalidate(ctx context.Context, q queryer, w *builderWhere, e *checkpoints, total int, maxSeq int64) error {
	keep := 0
	if len(e.pos) > 0 && total > e.count && maxSeq > e.maxSeq {
		cond, a := w.sql(nil, "")
		from := "events e"
		if db.Engine == SQLite {
			from = "events e NOT INDEXED" // a rowid range over the new rows
		}
		var added int
		var minTS sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT count(*), min(e.ts) FROM `+from+` WHERE `+cond+` AND e.seq > `+a.add(e.maxSeq), a...).Scan(&added, &minTS)
		if err != nil {
			return fmt.Errorf("revalidate checkpoints: %w", err)
		}
		if added == total-e.count {
			keep = len(e.keys)
			for keep > 0 && e.keys[keep-1].ts > minTS.Int64 {
				keep--
			}
		}
	}
	e.pos, e.keys = e.pos[:keep], e.keys[:keep]
	e.count, e.maxSeq = total, maxSeq
	return nil
}

// locate returns the key of row k (0-based) of w, which has total rows and
// the largest seq maxSeq.
func (db *DB) locate(ctx context.Context, q queryer, w *builderWhere, k, total int, maxSeq int64) (builderKey, error) {
	e := db.builderCache().entry(w)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count != total || e.maxSeq != maxSeq {
		if err := db.revalidate(ctx, q, w, e, total, maxSeq); err != nil {
			return builderKey{}, err
		}
	}
	i, found := slices.BinarySearch(e.pos, k)
	if found {
		return e.keys[i], nil
	}
	// Forward from the checkpoint below k (or the first row), or backward
	// from the one above (or the last row): whichever scans less.
	var from *builderKey
	base, forward := 0, true
	if i > 0 {
		from, base = &e.keys[i-1], e.pos[i-1]
	}
	upFrom, upBase := (*builderKey)(nil), total-1
	if i < len(e.pos) {
		upFrom, upBase = &e.keys[i], e.pos[i]
	}
	if upBase-k < k-base {
		from, base, forward = upFrom, upBase, false
	}
	var cur builderKey
	if from != nil {
		cur = *from
	}
	dist := k - base
	if !forward {
		dist = base - k
	}
	for {
		step := min(dist, checkpointEvery)
		key, err := db.nth(ctx, q, w, from, forward, step)
		if err != nil {
			return builderKey{}, err
		}
		if forward {
			base += step
		} else {
			base -= step
		}
		dist -= step
		cur = key
		from = &cur
		e.add(base, key)
		if dist == 0 {
			return key, nil
		}
	}
}
