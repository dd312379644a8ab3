package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// builderWorld is a network with systems A and B: in A an Admin, a Coach
// and a Teacher in group G1, and a Teacher in G2; in B one Teacher.
type builderWorld struct {
	db                                    *store.DB
	netID, sysA, sysB                     string
	admin, coach, teacher, teacher2, tchB *opentalent.User
}

func newBuilderWorld(tb testing.TB, engine string) *builderWorld {
	tb.Helper()
	ctx := context.Background()
	db := storetest.MustOpenDB(tb, engine)
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	w := &builderWorld{db: db}
	net, err := db.CreateNetwork(ctx, storetest.Name("net"))
	must(err)
	a, err := db.CreateSystem(ctx, net.ID, "System A")
	must(err)
	b, err := db.CreateSystem(ctx, net.ID, "System B")
	must(err)
	w.netID, w.sysA, w.sysB = net.ID, a.ID, b.ID
	sa := opentalent.Scope{NetworkID: net.ID, SystemID: a.ID}
	sb := opentalent.Scope{NetworkID: net.ID, SystemID: b.ID}
	for _, g := range []string{"G1", "G2"} {
		_, err := db.CreateGroup(ctx, sa, a.ID, g)
		must(err)
	}
	user := func(s opentalent.Scope, email, role string, groups ...string) *opentalent.User {
		_, err := db.CreateUser(ctx, s, opentalent.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, SystemID: s.SystemID, SuppressInvite: true, Groups: groups})
		must(err)
		u, err := db.FindUserByEmail(ctx, s, email)
		must(err)
		return u
	}
	w.admin = user(sa, "admin@a.test", opentalent.RoleAdmin)
	w.coach = user(sa, "coach@a.test", opentalent.RoleCoach, "G1")
	w.teacher = user(sa, "teacher@a.test", opentalent.RoleTeacher, "G1")
	w.teacher2 = user(sa, "teacher2@a.test", opentalent.RoleTeacher, "G2")
	w.tchB = user(sb, "teacher@b.test", opentalent.RoleTeacher)
	return w
}

// testEvent is an event fixture; its index in the fixture slice is its
// ingestion order, which breaks timestamp ties.
type testEvent struct {
	system, id, user string
	ts               int64
	typ              string
}

// insertEvents writes events straight into the events table with a prepared
// multi-row INSERT, in one transaction, in slice order.
func insertEvents(tb testing.TB, db *store.DB, evs []testEvent) {
	tb.Helper()
	const per = 100
	stmtFor := func(n int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			j := i * 6
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d)", j+1, j+2, j+3, j+4, j+5, j+6)
		}
		return b.String()
	}
	ctx := context.Background()
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	full, err := tx.PrepareContext(ctx, stmtFor(per))
	if err != nil {
		tb.Fatal(err)
	}
	defer full.Close()
	args := make([]any, 0, per*6)
	for start := 0; start < len(evs); start += per {
		chunk := evs[start:min(start+per, len(evs))]
		args = args[:0]
		for _, e := range chunk {
			args = append(args, e.system, e.id, e.user, e.ts, e.typ, `{"n":`+strconv.Itoa(start)+`}`)
		}
		if len(chunk) == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmtFor(len(chunk)), args...)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

var testTypes = []string{"Login", "Video Upload", "File Upload"}

// orderedIDs returns the ids of the events keep accepts, in Report Builder
// order (timestamp, then ingestion order): the naive answer.
func orderedIDs(evs []testEvent, keep func(testEvent) bool) []string {
	idx := make([]int, 0, len(evs))
	for i, e := range evs {
		if keep(e) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(evs[a].ts, evs[b].ts) })
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = evs[j].id
	}
	return out
}

func rowIDs(rows []opentalent.BuilderRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// TestBuilderKeysetMatchesOffset checks that pages found through the
// checkpoint cache, visited in any order, equal slices of the naive ordered
// list; that inserts invalidate the cache; and that StreamBuilder yields the
// whole list.
func TestBuilderKeysetMatchesOffset(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		w := newBuilderWorld(t, engine)
		rng := rand.New(rand.NewPCG(1, 2))
		usersA := []*opentalent.User{w.admin, w.coach, w.teacher, w.teacher2}
		base := time.Now().Add(-5 * 24 * time.Hour).UnixMilli()
		var evs []testEvent
		for i := range 12_000 {
			// Few distinct timestamps, inserted out of order: many ties.
			e := testEvent{system: w.sysA, id: fmt.Sprintf("e%05d", i), user: usersA[rng.IntN(4)].ID, ts: base + int64(rng.IntN(3000))*1000, typ: testTypes[rng.IntN(3)]}
			if i%10 == 0 {
				e.system, e.user = w.sysB, w.tchB.ID
			}
			evs = append(evs, e)
		}
		insertEvents(t, w.db, evs)

		sysViewer := opentalent.Viewer{Scope: opentalent.Scope{NetworkID: w.netID, SystemID: w.sysA}}
		coachViewer := opentalent.Viewer{Scope: sysViewer.Scope, RunAs: w.coach}
		inCoach := map[string]bool{w.coach.ID: true, w.teacher.ID: true}
		cases := []struct {
			name string
			v    opentalent.Viewer
			f    opentalent.BuilderFilter
			keep func(testEvent) bool
		}{
			{"System", sysViewer, opentalent.BuilderFilter{}, func(e testEvent) bool { return e.system == w.sysA }},
			{"CoachTypes", coachViewer, opentalent.BuilderFilter{TypeAliases: []string{"Login", "File Upload"}},
				func(e testEvent) bool { return inCoach[e.user] && e.typ != "Video Upload" }},
			{"NetworkWindow", opentalent.Viewer{Scope: opentalent.Scope{NetworkID: w.netID}}, opentalent.BuilderFilter{StartTime: new(base + 500_000), EndTime: new(base + 2_500_000)},
				func(e testEvent) bool { return e.ts >= base+500_000 && e.ts < base+2_500_000 }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				want := orderedIDs(evs, tc.keep)
				check := func(page, size int) {
					t.Helper()
					rows, total, err := w.db.QueryBuilder(ctx, tc.v, tc.f, page, size)
					if err != nil {
						t.Fatal(err)
					}
					if total != len(want) {
						t.Fatalf("total %d, want %d", total, len(want))
					}
					lo := min((page-1)*size, len(want))
					if got, exp := rowIDs(rows), want[lo:min(lo+size, len(want))]; !slices.Equal(got, exp) {
						t.Fatalf("page %d size %d: got %d rows %v..., want %d rows %v...", page, size, len(got), head(got), len(exp), head(exp))
					}
				}
				pages := (len(want) + 99) / 100
				// Deep first (cold, from the end), then random, then in order.
				check(pages, 100)
				check(pages/2, 100)
				for range 40 {
					check(1+rng.IntN(pages+2), 100)
				}
				var all []string
				for p := 1; p <= (len(want)+36)/37; p++ {
					rows, _, err := w.db.QueryBuilder(ctx, tc.v, tc.f, p, 37)
					if err != nil {
						t.Fatal(err)
					}
					all = append(all, rowIDs(rows)...)
				}
				if !slices.Equal(all, want) {
					t.Fatalf("concatenated pages differ from the ordered list (%d vs %d rows)", len(all), len(want))
				}
				var streamed []string
				if err := w.db.StreamBuilder(ctx, tc.v, tc.f, func(r opentalent.BuilderRow) error { streamed = append(streamed, r.ID); return nil }); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(streamed, want) {
					t.Fatalf("stream differs from the ordered list (%d vs %d rows)", len(streamed), len(want))
				}
			})
		}

		t.Run("Inserts", func(t *testing.T) {
			// Late events (kept checkpoints), one in the middle and one
			// before all others (dropped checkpoints): every page stays right.
			v, f, keep := cases[0].v, cases[0].f, cases[0].keep
			checkAll := func(what string) {
				t.Helper()
				want := orderedIDs(evs, keep)
				pages := (len(want) + 99) / 100
				for _, p := range append([]int{pages, pages / 2, 3}, rng.Perm(pages)...) {
					rows, total, err := w.db.QueryBuilder(ctx, v, f, p+1, 100)
					if err != nil {
						t.Fatal(err)
					}
					lo := min(p*100, len(want))
					if exp := want[lo:min(lo+100, len(want))]; total != len(want) || !slices.Equal(rowIDs(rows), exp) {
						t.Fatalf("%s: page %d: total %d (want %d), rows %v..., want %v...", what, p+1, total, len(want), head(rowIDs(rows)), head(exp))
					}
				}
			}
			checkAll("warm")
			add := func(what string, e ...testEvent) {
				insertEvents(t, w.db, e)
				evs = append(evs, e...)
				checkAll(what)
			}
			add("late", testEvent{system: w.sysA, id: "late1", user: w.admin.ID, ts: base + 4_000_000, typ: "Login"},
				testEvent{system: w.sysA, id: "late2", user: w.coach.ID, ts: base + 2_999_000, typ: "Login"})
			add("middle", testEvent{system: w.sysA, id: "middle", user: w.admin.ID, ts: base + 1_500_000, typ: "Login"})
			add("early", testEvent{system: w.sysA, id: "early", user: w.admin.ID, ts: base - 1, typ: "Login"})
			if _, err := w.db.Write.ExecContext(ctx, `DELETE FROM events WHERE id = 'middle'`); err != nil {
				t.Fatal(err)
			}
			evs = slices.DeleteFunc(evs, func(e testEvent) bool { return e.id == "middle" })
			checkAll("delete")
		})
	})
}

func head(s []string) []string { return s[:min(3, len(s))] }

// BenchmarkBuilderPage compares page 1 with the last page at pageSize 100
// over TALENT_BENCH_EVENTS events of one system (default 100,000) on
// TALENT_BENCH_ENGINE (default sqlite). "deep" is a repeated deep page (the
// checkpoint cache is warm); "deepCold" and "middleCold" use a new filter
// each time, so every run walks the index from scratch.
func BenchmarkBuilderPage(b *testing.B) {
	n := 100_000
	if s := os.Getenv("TALENT_BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 200 {
			b.Fatalf("TALENT_BENCH_EVENTS=%q: want an integer >= 200", s)
		}
	}
	engine := cmp.Or(os.Getenv("TALENT_BENCH_ENGINE"), store.SQLite)
	ctx := context.Background()
	w := newBuilderWorld(b, engine)
	users := []string{w.admin.ID, w.coach.ID, w.teacher.ID, w.teacher2.ID}
	base := int64(1_700_000_000_000)
	start := time.Now()
	const chunk = 100_000
	for done := 0; done < n; done += chunk {
		evs := make([]testEvent, 0, chunk)
		for i := done; i < min(done+chunk, n); i++ {
			evs = append(evs, testEvent{system: w.sysA, id: "e" + strconv.Itoa(i), user: users[i%4], ts: base + int64(i/3)*1000, typ: testTypes[i%3]})
		}
		insertEvents(b, w.db, evs)
	}
	if engine == store.Postgres {
		if _, err := w.db.Write.ExecContext(ctx, "VACUUM ANALYZE events"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d events in %v", n, time.Since(start).Round(time.Millisecond))
	v := opentalent.Viewer{Scope: opentalent.Scope{NetworkID: w.netID, SystemID: w.sysA}}
	last := (n + 99) / 100
	run := func(name string, page int, fresh bool) {
		b.Run(name, func(b *testing.B) {
			i := int64(0)
			for b.Loop() {
				f := opentalent.BuilderFilter{}
				if fresh {
					i++
					f.StartTime = new(base - i) // same rows, new cache entry
				}
				rows, total, err := w.db.QueryBuilder(ctx, v, f, page, 100)
				if err != nil {
					b.Fatal(err)
				}
				if total != n || len(rows) == 0 {
					b.Fatalf("total %d rows %d", total, len(rows))
				}
			}
		})
	}
	run("page1", 1, false)
	run("deep", last, false)
	run("deepCold", last, true)
	run("middleCold", last/2, true)
	run("countOnly", 1, true) // page 1 with a new filter: the count dominates
}
