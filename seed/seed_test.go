package seed_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/seed"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

var testConfig = seed.Config{
	Systems: 2, Users: 160, Events: 40_000, Seed: 7,
	Start: time.Date(2025, time.August, 1, 0, 0, 0, 0, time.UTC),
}

func mustGenerate(t *testing.T, db *store.DB, cfg seed.Config) *seed.Result {
	t.Helper()
	res, err := seed.Generate(context.Background(), db, cfg, nil)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return res
}

// TestReports runs every report of the catalogue over the whole year as an
// Admin of the first system: each has rows, and each with numbers has a
// row with a non-zero number.
func TestReports(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t, store.SQLite)
	res := mustGenerate(t, db, testConfig)
	if res.Events != testConfig.Events || res.Users != testConfig.Users || len(res.Systems) != 2 {
		t.Fatalf("made %d events, %d users, %d systems", res.Events, res.Users, len(res.Systems))
	}
	sys := res.Systems[0]
	admin, err := db.FindUserByEmail(context.Background(), opentalent.Scope{NetworkID: res.NetworkID, SystemID: sys.ID}, res.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	p := report.Params{SystemID: sys.ID, RunAs: report.RunAs{UserID: admin.ID, Role: opentalent.RoleAdmin},
		Filter: report.Filter{StartTime: res.Start.UnixMilli(), EndTime: res.End.UnixMilli(), RubricID: res.RubricID}}
	names := report.Names()
	if len(names) != 20 {
		t.Errorf("catalogue has %d reports, want 20", len(names))
	}
	for _, name := range names {
		def, _ := report.Lookup(name)
		var rows, nonZero int64
		numeric := false
		_, err := report.Run(context.Background(), db.Read, db.Engine, def, p, report.RowWriterFunc(func(cells []report.Cell) error {
			rows++
			for _, c := range cells {
				if c.Kind == report.Int || c.Kind == report.Decimal {
					numeric = true
					if !c.Null && strings.Trim(c.Value, "0.") != "" {
						nonZero++
						break
					}
				}
			}
			return nil
		}))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		t.Logf("%-22s %6d rows", name, rows)
		if rows == 0 {
			t.Errorf("%s: no rows", name)
		}
		if numeric && nonZero == 0 {
			t.Errorf("%s: every number is zero", name)
		}
	}
}

// snapshot is a digest of everything a world holds, with store-assigned user
// ids replaced by emails so that two databases compare.
func snapshot(t *testing.T, db *store.DB) (string, int) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Read.QueryContext(ctx, `SELECT id, email FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, id, email)
	}
	rows.Close()
	ids := strings.NewReplacer(pairs...)
	h := sha256.New()
	n := 0
	for _, q := range []string{
		`SELECT s.name, u.email, u.name, u.role, u.status, COALESCE(u.last_seen, 0) FROM users u JOIN systems s ON s.id = u.system_id ORDER BY u.email`,
		`SELECT g.name, u.email FROM user_groups ug JOIN groups g ON g.id = ug.group_id JOIN users u ON u.id = ug.user_id ORDER BY g.name, u.email`,
		`SELECT s.name, c.kind, c.item_id, c.label FROM catalogue c JOIN systems s ON s.id = c.system_id ORDER BY s.name, c.kind, c.item_id`,
		`SELECT e.id, u.email, e.ts, e.type_alias, e.action_data FROM events e JOIN users u ON u.id = e.user_id ORDER BY e.id`,
	} {
		rows, err := db.Read.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, ids.Replace(fmt.Sprint(vals...)))
			if strings.HasPrefix(q, "SELECT e.id") {
				n++
			}
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n
}

// TestDeterministic generates the same seed into two databases and finds the
// same users, groups, catalogue and events (with the same ids); running it
// again on the first changes nothing; another seed gives another world.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	cfg := testConfig
	cfg.Users, cfg.Events = 90, 15_000
	db1 := storetest.MustOpenDB(t, store.SQLite)
	db2 := storetest.MustOpenDB(t, store.SQLite)
	mustGenerate(t, db1, cfg)
	mustGenerate(t, db2, cfg)
	a, n := snapshot(t, db1)
	b, _ := snapshot(t, db2)
	if n != cfg.Events {
		t.Fatalf("%d events stored, want %d", n, cfg.Events)
	}
	if a != b {
		t.Fatal("two runs of the same seed differ")
	}

	res := mustGenerate(t, db1, cfg)
	if !res.Reused {
		t.Error("re-run did not find the network it made")
	}
	again, _ := snapshot(t, db1)
	if again != a {
		t.Error("re-running the same seed changed the data")
	}

	other := cfg
	other.Seed++
	db3 := storetest.MustOpenDB(t, store.SQLite)
	mustGenerate(t, db3, other)
	if c, _ := snapshot(t, db3); c == a {
		t.Error("another seed made the same world")
	}
}

// TestAccounts checks the people and the calendar: the role mix, Invited
// users without events, about 10% of users without any, some Inactive users,
// no weekend activity, every activity type, and events stored in time order.
func TestAccounts(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t, store.SQLite)
	cfg := testConfig
	cfg.Users, cfg.Events = 400, 20_000
	mustGenerate(t, db, cfg)
	q := func(query string) int {
		t.Helper()
		var n int
		if err := db.Read.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := q(`SELECT count(*) FROM events e JOIN users u ON u.id = e.user_id WHERE u.status = 'Invited'`); n != 0 {
		t.Errorf("%d events of Invited users", n)
	}
	roles := map[string]int{}
	rows, _ := db.Read.Query(`SELECT role, count(*) FROM users GROUP BY role`)
	for rows.Next() {
		var r string
		var n int
		rows.Scan(&r, &n)
		roles[r] = n
	}
	rows.Close()
	if roles["Teacher"] < 320 || roles["Coach"] < 30 || roles["Admin"] < 14 {
		t.Errorf("role mix %v, want about 85/10/5%%", roles)
	}
	idle := q(`SELECT count(*) FROM users WHERE last_seen IS NULL`)
	if idle < 20 || idle > 70 {
		t.Errorf("%d of 400 users have no activity, want about 10%%", idle)
	}
	if n := q(`SELECT count(*) FROM users WHERE status = 'Inactive'`); n == 0 {
		t.Error("no Inactive users")
	}
	if n := q(`SELECT count(*) FROM events WHERE CAST(strftime('%w', ts / 1000, 'unixepoch') AS INTEGER) IN (0, 6)`); n != 0 {
		t.Errorf("%d events on weekends", n)
	}
	if n := q(`SELECT count(*) FROM events a JOIN events b ON b.seq = a.seq + 1 WHERE b.ts < a.ts`); n != 0 {
		t.Errorf("%d events stored out of time order", n)
	}
	for _, typ := range opentalent.ActivityTypes {
		if n := q(`SELECT count(*) FROM events WHERE type_alias = '` + typ + `'`); n == 0 {
			t.Errorf("no %s events", typ)
		}
	}
}
