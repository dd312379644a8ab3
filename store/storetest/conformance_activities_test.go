package storetest_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/opentalent/opentalent"
)

// storedEvents reads every event of a scope back through the Report Builder,
// in timestamp order.
func (e *env) storedEvents(t *testing.T, s opentalent.Scope) []opentalent.BuilderRow {
	t.Helper()
	rows, total, err := e.db.QueryBuilder(e.ctx, opentalent.Viewer{Scope: s}, opentalent.BuilderFilter{}, 1, opentalent.BuilderMaxPageSize)
	must(t, err)
	if total != len(rows) {
		t.Fatalf("builder: total %d, rows %d", total, len(rows))
	}
	return rows
}

func (e *env) ingest(t *testing.T, s opentalent.Scope, evs ...opentalent.Event) *opentalent.IngestResult {
	t.Helper()
	res, err := e.db.IngestEvents(e.ctx, s, evs)
	must(t, err)
	if len(res.Successes)+len(res.Failures) != len(evs) {
		t.Fatalf("%d events, %d successes, %d failures", len(evs), len(res.Successes), len(res.Failures))
	}
	return res
}

func ev(id string, u *opentalent.User, ts int64, typ, data string) opentalent.Event {
	if data == "" {
		data = "{}"
	}
	return opentalent.Event{ID: id, UserID: u.ID, Timestamp: ts, TypeAlias: typ, ActionData: json.RawMessage(data)}
}

func (e *env) lastSeen(t *testing.T, s opentalent.Scope, email string) (int64, string) {
	t.Helper()
	u, err := e.db.FindUserByEmail(e.ctx, s, email)
	must(t, err)
	if u.LastSeen == nil {
		return 0, u.Status
	}
	return u.LastSeen.UnixMilli(), u.Status
}

func TestIngestEvents(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("Batch", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			sib := e.sibling(t, tn)
			other := e.tenant(t)
			_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: tn.email("u1"), Role: opentalent.RoleTeacher, SystemID: tn.sys.ID})
			must(t, err)
			u1, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("u1"))
			must(t, err)
			eq(t, "invited", u1.Status, opentalent.StatusInvited)
			u2 := e.user(t, tn, "u2", opentalent.RoleTeacher)
			u3 := e.user(t, tn, "u3", opentalent.RoleTeacher)
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u3.Email, opentalent.UserUpdate{Status: ptr(opentalent.StatusInactive)}))
			s1 := e.user(t, sib, "s1", opentalent.RoleTeacher)
			x := e.user(t, other, "x", opentalent.RoleTeacher)

			batch := []opentalent.Event{
				ev("e1", u1, 1000, "Login", ""),
				{ID: "e2", UserID: "usr_nope", Timestamp: 1000, TypeAlias: "Login", ActionData: json.RawMessage("{}")},
				ev("e3", x, 1000, "Login", ""),
				func() opentalent.Event { v := ev("e4", u2, 1000, "Login", ""); v.SystemID = sib.sys.ID; return v }(),
				ev("", u2, 2000, "Video View", `{"videoId":"v1"}`),
				ev("e6", s1, 1000, "Login", ""), // a user of another system of the network
				ev("e1", u1, 1000, "Login", ""), // twice in one batch
				ev("e7", u3, 3000, "Login", ""),
				func() opentalent.Event {
					v := ev("e8", u2, 1500, "Forum Post", `{"b": 1, "a": [true, null]}`)
					v.SystemID = tn.sys.ID
					return v
				}(),
			}
			res := e.ingest(t, tn.scope, batch...)
			if len(res.Successes) != 5 || !strings.HasPrefix(res.Successes[1], "evt_") {
				t.Fatalf("successes %v", res.Successes)
			}
			assigned := res.Successes[1]
			eq(t, "successes", res.Successes, []string{"e1", assigned, "e1", "e7", "e8"})
			var failed []int
			for _, f := range res.Failures {
				failed = append(failed, f.Index)
				if f.ID != batch[f.Index].ID || f.Error == "" {
					t.Fatalf("failure %+v", f)
				}
			}
			eq(t, "failures", failed, []int{1, 2, 3, 5})
			if !contains(res.Failures[2].Error, "system") {
				t.Fatalf("system mismatch reported as %q", res.Failures[2].Error)
			}

			type row struct {
				ID, User, System string
				TS               int64
				Type             string
			}
			read := func() []row {
				var out []row
				for _, r := range e.storedEvents(t, tn.netW) {
					out = append(out, row{r.ID, r.UserID, r.SystemID, r.Timestamp, r.TypeAlias})
				}
				return out
			}
			want := []row{
				{"e1", u1.ID, tn.sys.ID, 1000, "Login"},
				{"e8", u2.ID, tn.sys.ID, 1500, "Forum Post"},
				{assigned, u2.ID, tn.sys.ID, 2000, "Video View"},
				{"e7", u3.ID, tn.sys.ID, 3000, "Login"},
			}
			eq(t, "stored", read(), want)
			rows := e.storedEvents(t, tn.scope)
			var data any
			must(t, json.Unmarshal(rows[1].ActionData, &data))
			eq(t, "actionData", data, any(map[string]any{"a": []any{true, nil}, "b": float64(1)}))

			for _, c := range []struct {
				email, status string
				seen          int64
			}{
				{u1.Email, opentalent.StatusActive, 1000}, // Login activates an Invited user
				{u2.Email, opentalent.StatusActive, 2000},
				{u3.Email, opentalent.StatusInactive, 3000}, // but not an Inactive one
			} {
				seen, status := e.lastSeen(t, tn.scope, c.email)
				eq(t, "lastSeen of "+c.email, seen, c.seen)
				eq(t, "status of "+c.email, status, c.status)
			}
			seen, _ := e.lastSeen(t, other.scope, x.Email)
			eq(t, "foreign user untouched", seen, int64(0))
			seen, _ = e.lastSeen(t, sib.scope, s1.Email)
			eq(t, "sibling user untouched", seen, int64(0))

			// Sending the batch again (with ids) stores nothing new.
			again := append(append([]opentalent.Event{}, batch[:4]...), batch[5:]...)
			res = e.ingest(t, tn.scope, again...)
			eq(t, "successes again", res.Successes, []string{"e1", "e1", "e7", "e8"})
			eq(t, "failures again", len(res.Failures), 4)
			eq(t, "stored again", read(), want)

			// lastSeen only moves forward.
			e.ingest(t, tn.scope, ev("old", u2, 500, "Video View", ""))
			seen, _ = e.lastSeen(t, tn.scope, u2.Email)
			eq(t, "lastSeen after an older event", seen, int64(2000))
			e.ingest(t, tn.scope, ev("new", u2, 2500, "Video View", ""))
			seen, _ = e.lastSeen(t, tn.scope, u2.Email)
			eq(t, "lastSeen after a newer event", seen, int64(2500))

			// A network scope ingests for every system of its network.
			res = e.ingest(t, tn.netW, ev("e6", s1, 1000, "Login", ""))
			eq(t, "network scope", res.Successes, []string{"e6"})
			eq(t, "sibling events", len(e.storedEvents(t, sib.scope)), 1)
			eq(t, "own events", len(e.storedEvents(t, tn.scope)), 6)
			// The same _id in another system is another event.
			res = e.ingest(t, tn.netW, ev("e1", s1, 1100, "Login", ""))
			eq(t, "same id, other system", res.Successes, []string{"e1"})
			eq(t, "sibling events", len(e.storedEvents(t, sib.scope)), 2)
		})

		t.Run("ResendChangesNothing", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			u := e.user(t, tn, "u", opentalent.RoleTeacher)
			e.ingest(t, tn.scope, ev("e1", u, 1000, "Rubric Score", `{"rubricId":"r1","rubricName":"One"}`))
			// The same (system, _id) with other content, alone and twice in
			// one batch: the first stored event stands and nothing else moves.
			e.ingest(t, tn.scope, ev("e1", u, 9000, "Rubric Score", `{"rubricId":"r1","rubricName":"Changed"}`))
			e.ingest(t, tn.scope, ev("e2", u, 2000, "Video View", ""), ev("e2", u, 8000, "Video View", ""))
			rows := e.storedEvents(t, tn.scope)
			eq(t, "rows", len(rows), 2)
			eq(t, "first stands", [2]int64{rows[0].Timestamp, rows[1].Timestamp}, [2]int64{1000, 2000})
			seen, _ := e.lastSeen(t, tn.scope, u.Email)
			cat, err := e.db.FindCatalogue(e.ctx, tn.sys.ID, "rubric")
			must(t, err)
			if seen != 2000 || !reflect.DeepEqual(cat, []opentalent.CatalogueItem{{ID: "r1", Label: "One"}}) {
				t.Errorf("after re-sending stored events with other content, lastSeen is %d (want 2000, the newest stored event) and the catalogue is %+v (want r1 labelled One)", seen, cat)
			}
		})

		t.Run("Login", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: tn.email("inv"), Role: opentalent.RoleTeacher, SystemID: tn.sys.ID})
			must(t, err)
			u, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("inv"))
			must(t, err)
			e.ingest(t, tn.scope, ev("v", u, 1000, "Video View", ""))
			_, status := e.lastSeen(t, tn.scope, u.Email)
			eq(t, "other events do not activate", status, opentalent.StatusInvited)
			e.ingest(t, tn.scope, ev("l", u, 500, "Login", "")) // an older login still activates
			seen, status := e.lastSeen(t, tn.scope, u.Email)
			eq(t, "login activates", status, opentalent.StatusActive)
			eq(t, "lastSeen", seen, int64(1000))
		})

		t.Run("Catalogue", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			sib := e.sibling(t, tn)
			u := e.user(t, tn, "u", opentalent.RoleTeacher)
			cat := func(s *tenant, kind string) []opentalent.CatalogueItem {
				t.Helper()
				items, err := e.db.FindCatalogue(e.ctx, s.sys.ID, kind)
				must(t, err)
				return items
			}
			e.ingest(t, tn.scope,
				ev("1", u, 1, "Rubric Score", `{"rubricId":"r1","rubricName":"Rubric One"}`),
				ev("2", u, 2, "Forum Post", `{"forumId":42}`),
				ev("3", u, 3, "Video View", `{"videoId":"v1"}`),
				ev("4", u, 4, "Goal Created", `{"goalType":"Growth"}`),
				ev("5", u, 5, "Rubric Score", `{"rubricId":"r3","rubricName":"a rubric"}`),
				ev("6", u, 6, "Rubric Score", `{"rubricId":"r4","rubricName":"R4"}`),
			)
			// By label, byte-wise: upper case first.
			eq(t, "rubrics", cat(tn, "rubric"), []opentalent.CatalogueItem{{ID: "r4", Label: "R4"}, {ID: "r1", Label: "Rubric One"}, {ID: "r3", Label: "a rubric"}})
			eq(t, "forums", cat(tn, "forum"), []opentalent.CatalogueItem{{ID: "42", Label: "42"}})
			eq(t, "videos", cat(tn, "video"), []opentalent.CatalogueItem{{ID: "v1", Label: "v1"}})
			eq(t, "goal types", cat(tn, "goalType"), []opentalent.CatalogueItem{{ID: "Growth", Label: "Growth"}})
			eq(t, "other kinds", cat(tn, "workflow"), []opentalent.CatalogueItem{})
			eq(t, "other system", cat(sib, "rubric"), []opentalent.CatalogueItem{})

			// A label replaces the id; an event without one keeps the label.
			e.ingest(t, tn.scope, ev("8", u, 8, "Video View", `{"videoId":"v1","videoTitle":"Intro"}`))
			eq(t, "titled", cat(tn, "video"), []opentalent.CatalogueItem{{ID: "v1", Label: "Intro"}})
			e.ingest(t, tn.scope, ev("9", u, 9, "Video View", `{"videoId":"v1"}`))
			eq(t, "title kept", cat(tn, "video"), []opentalent.CatalogueItem{{ID: "v1", Label: "Intro"}})
			e.ingest(t, tn.scope, ev("10", u, 10, "Video View", `{"videoId":"v1","videoTitle":"Intro 2"}`))
			eq(t, "retitled", cat(tn, "video"), []opentalent.CatalogueItem{{ID: "v1", Label: "Intro 2"}})

			// Failed events add nothing.
			e.ingest(t, tn.scope, opentalent.Event{ID: "x", UserID: "usr_nope", Timestamp: 1, TypeAlias: "Forum Post", ActionData: json.RawMessage(`{"forumId":"f9"}`)})
			eq(t, "forums after a failure", cat(tn, "forum"), []opentalent.CatalogueItem{{ID: "42", Label: "42"}})

			// Within one batch, a label is not lost to a later event that
			// names the item without one (as it is not across batches).
			e.ingest(t, tn.scope,
				ev("11", u, 11, "Forum Post", `{"forumId":"f2","forumName":"Lounge"}`),
				ev("12", u, 12, "Forum Post", `{"forumId":"f2"}`),
			)
			if got := cat(tn, "forum"); !reflect.DeepEqual(got, []opentalent.CatalogueItem{{ID: "42", Label: "42"}, {ID: "f2", Label: "Lounge"}}) {
				t.Errorf("forums after one batch naming f2 with and then without a label: %+v, want f2 labelled Lounge", got)
			}
		})
	})
}
