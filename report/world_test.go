package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store"
)

// world is an in-memory copy of the data a test inserts: the fixtures'
// source and the oracle's input.
type world struct {
	networkID string
	systems   []wSystem
	users     []*wUser
	groups    []wGroup
	members   [][2]string // user id, group id
	events    []*wEvent
}

type wSystem struct{ id, name string }

type wUser struct {
	id, system, email, name, role, status string
	lastSeen                              *int64
	createdAt                             int64
}

type wGroup struct{ id, system, name string }

type wEvent struct {
	system, id, user string
	ts               int64
	typ              string
	data             map[string]any
}

func newWorld() *world { return &world{networkID: store.NewID("net")} }

func (w *world) system(name string) string {
	id := store.NewID("sys")
	w.systems = append(w.systems, wSystem{id, name})
	return id
}

func (w *world) user(system, email, name, role string) *wUser {
	u := &wUser{id: store.NewID("usr"), system: system, email: email, name: name, role: role, status: "Active", createdAt: 1_700_000_000_000}
	w.users = append(w.users, u)
	return u
}

func (w *world) group(system, name string, users ...*wUser) string {
	id := store.NewID("grp")
	w.groups = append(w.groups, wGroup{id, system, name})
	for _, u := range users {
		w.members = append(w.members, [2]string{u.id, id})
	}
	return id
}

// event adds an event of u; data is alternating keys and values.
func (w *world) event(u *wUser, ts int64, typ string, kv ...any) *wEvent {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	e := &wEvent{system: u.system, id: fmt.Sprintf("ev%06d", len(w.events)), user: u.id, ts: ts, typ: typ, data: data}
	w.events = append(w.events, e)
	return e
}

func (w *world) insert(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO networks (id, name, created_at) VALUES ($1, $2, 0)`, w.networkID, "net")
	for _, s := range w.systems {
		exec(`INSERT INTO systems (id, network_id, name, created_at) VALUES ($1, $2, $3, 0)`, s.id, w.networkID, s.name)
	}
	for _, u := range w.users {
		var ls any
		if u.lastSeen != nil {
			ls = *u.lastSeen
		}
		exec(`INSERT INTO users (id, system_id, email, name, role, status, last_seen, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			u.id, u.system, u.email, u.name, u.role, u.status, ls, u.createdAt)
	}
	for _, g := range w.groups {
		exec(`INSERT INTO groups (id, system_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, 0)`, g.id, g.system, g.name, strings.ToLower(g.name))
	}
	for _, m := range w.members {
		exec(`INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)`, m[0], m[1])
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data) VALUES ($1, $2, $3, $4, $5, $6)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range w.events {
		data, err := json.Marshal(e.data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stmt.ExecContext(ctx, e.system, e.id, e.user, e.ts, e.typ, string(data)); err != nil {
			t.Fatalf("insert event: %v", err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// run runs a report and returns its cells as strings, checking that every
// cell has the kind of its column and that NULL cells are empty.
func run(t testing.TB, db *store.DB, name string, p report.Params) [][]string {
	t.Helper()
	def, ok := report.Lookup(name)
	if !ok {
		t.Fatalf("no report %s", name)
	}
	var out [][]string
	n, err := report.Run(context.Background(), db.Read, db.Engine, def, p, report.RowWriterFunc(func(cells []report.Cell) error {
		if len(cells) != len(def.Columns) {
			return fmt.Errorf("%d cells, want %d", len(cells), len(def.Columns))
		}
		row := make([]string, len(cells))
		for i, c := range cells {
			if c.Kind != def.Columns[i].Kind || (c.Null && c.Value != "") {
				return fmt.Errorf("bad cell %d %+v", i, c)
			}
			row[i] = c.Value
		}
		out = append(out, row)
		return nil
	}))
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	if n != int64(len(out)) {
		t.Fatalf("run %s: returned %d rows, wrote %d", name, n, len(out))
	}
	return out
}

// ---- the oracle: each report written straightforwardly from SPEC §7 ----

var jsonNumber = regexp.MustCompile(`^[ \t\n\r]*-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?[ \t\n\r]*$`)

func (e *wEvent) str(f string) (string, bool) {
	s, ok := e.data[f].(string)
	return s, ok
}

func (e *wEvent) s(f string) string { s, _ := e.str(f); return s }

func (e *wEvent) num(f string) (float64, bool) {
	switch v := e.data[f].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case string:
		if jsonNumber.MatchString(v) {
			x, err := strconv.ParseFloat(strings.Trim(v, " \t\n\r"), 64)
			return x, err == nil
		}
	}
	return 0, false
}

func (e *wEvent) observer() string {
	if s, ok := e.str("observerId"); ok {
		return s
	}
	return e.user
}

func (e *wEvent) coach() string {
	if s, ok := e.str("coachId"); ok {
		return s
	}
	return e.user
}

// before orders events by time, then id.
func before(a, b *wEvent) bool { return a.ts < b.ts || a.ts == b.ts && a.id < b.id }

type oracle struct {
	w         *world
	p         report.Params
	f         report.Filter
	scope     map[string]*wUser
	sorted    []*wUser // scoped users by email
	sys       *wSystem
	allSorted []*wEvent
}

func newOracle(w *world, p report.Params) *oracle {
	o := &oracle{w: w, p: p, f: p.Filter, scope: map[string]*wUser{}}
	for i := range w.systems {
		if w.systems[i].id == p.SystemID {
			o.sys = &w.systems[i]
		}
	}
	groupsOf := map[string][]string{}
	for _, m := range w.members {
		groupsOf[m[0]] = append(groupsOf[m[0]], m[1])
	}
	emails := map[string]bool{}
	for _, e := range p.Filter.UserEmails {
		emails[strings.ToLower(strings.TrimSpace(e))] = true
	}
	for _, u := range w.users {
		if u.system != p.SystemID {
			continue
		}
		switch p.RunAs.Role {
		case "Teacher":
			if u.id != p.RunAs.UserID {
				continue
			}
		case "Coach":
			shares := false
			for _, g := range groupsOf[u.id] {
				shares = shares || slices.Contains(groupsOf[p.RunAs.UserID], g)
			}
			if u.id != p.RunAs.UserID && !shares {
				continue
			}
		}
		if len(p.Filter.GroupIDs) > 0 {
			in := false
			for _, g := range groupsOf[u.id] {
				in = in || slices.Contains(p.Filter.GroupIDs, g)
			}
			if !in {
				continue
			}
		}
		if len(p.Filter.Roles) > 0 && !slices.Contains(p.Filter.Roles, u.role) {
			continue
		}
		if len(emails) > 0 && !emails[u.email] {
			continue
		}
		o.scope[u.id] = u
		o.sorted = append(o.sorted, u)
	}
	slices.SortFunc(o.sorted, func(a, b *wUser) int { return strings.Compare(a.email, b.email) })
	return o
}

// inWindow: an event of the system inside the time window.
func (o *oracle) inWindow(e *wEvent) bool {
	return e.system == o.p.SystemID && e.ts >= o.f.StartTime && e.ts < o.f.EndTime
}

// counted: an event of a scoped actor in the window, of one of the types.
func (o *oracle) counted(e *wEvent, types ...string) bool {
	return o.inWindow(e) && o.scope[e.user] != nil && (len(types) == 0 || slices.Contains(types, e.typ))
}

func (o *oracle) events(types ...string) []*wEvent {
	var out []*wEvent
	for _, e := range o.w.events {
		if o.counted(e, types...) {
			out = append(out, e)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func dec(sum float64, n int) string {
	if n == 0 {
		return ""
	}
	return report.FormatDecimal(sum / float64(n))
}

func tm(ms int64) string { return report.FormatTime(ms) }

func optTime(ms int64, ok bool) string {
	if !ok {
		return ""
	}
	return tm(ms)
}

func maxStr(cur *string, s string, ok bool) {
	if ok && s > *cur {
		*cur = s
	}
}

// perUser runs fn for every scoped user in email order and returns the rows.
func (o *oracle) perUser(fn func(u *wUser) []string) [][]string {
	var rows [][]string
	for _, u := range o.sorted {
		if r := fn(u); r != nil {
			rows = append(rows, r)
		}
	}
	return rows
}

func (o *oracle) count(u *wUser, typ string, extra func(e *wEvent) bool) int {
	n := 0
	for _, e := range o.w.events {
		if e.user == u.id && o.counted(e, typ) && (extra == nil || extra(e)) {
			n++
		}
	}
	return n
}

func sortRows(rows [][]string, keys ...int) {
	slices.SortStableFunc(rows, func(a, b []string) int {
		for _, k := range keys {
			if c := strings.Compare(a[k], b[k]); c != 0 {
				return c
			}
		}
		return 0
	})
}
