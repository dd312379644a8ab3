package report_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store/storetest"
)

// randomWorld makes two systems of users, groups and events of every type of
// SPEC §6, with ids and names that sort differently byte-wise and by locale,
// numbers sent as numbers, numeric strings and garbage, fields left out, and
// timestamps that tie.
func randomWorld(seed uint64) (*world, [][]*wUser, [][]string) {
	r := rand.New(rand.NewPCG(seed, 7))
	w := newWorld()
	pick := func(xs ...any) any { return xs[r.IntN(len(xs))] }
	pickS := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	names := []string{"Zoë Young", "adam Smith", "Émile Zola", "Bob", "bob", "Ана Иванова", "Li Wei", "O'Brien, Pat", "=cmd", "Åsa"}
	var users [][]*wUser
	var groups [][]string
	base := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC).UnixMilli() // the window spans the ISO year 2026-W53
	for s := 0; s < 2; s++ {
		sys := w.system(fmt.Sprintf("System %d", s))
		var us []*wUser
		for i := 0; i < 22; i++ {
			role := "Teacher"
			switch {
			case i < 2:
				role = "Admin"
			case i < 6:
				role = "Coach"
			}
			prefix := pickS("a", "B", "z", "m", "A_", "b-")
			u := w.user(sys, strings.ToLower(fmt.Sprintf("%s%02d.u%d@s%d.test", prefix, r.IntN(100), i, s)), pickS(names...), role)
			u.status = pickS("Active", "Active", "Invited", "Inactive")
			u.createdAt = base - int64(r.IntN(1000))*3600000
			if r.IntN(2) == 0 {
				ls := base + int64(r.IntN(1000))*60000
				u.lastSeen = &ls
			}
			us = append(us, u)
		}
		var gs []string
		for _, gname := range []string{"Zeta", "alpha", "Émile", "Beta", "gamma"} {
			var members []*wUser
			for _, u := range us {
				if r.IntN(4) == 0 {
					members = append(members, u)
				}
			}
			gs = append(gs, w.group(sys, gname, members...))
		}
		users, groups = append(users, us), append(groups, gs)

		other := func() any {
			if r.IntN(10) == 0 {
				return nil // field left out
			}
			return us[r.IntN(len(us))].id
		}
		number := func(xs ...any) any {
			switch r.IntN(8) {
			case 0:
				return nil
			case 1:
				return "n/a"
			case 2:
				return fmt.Sprint(xs[r.IntN(len(xs))]) // a numeric string
			}
			return xs[r.IntN(len(xs))]
		}
		types := []string{"Login", "Video Upload", "Video View", "Video Comment", "Video Tag", "Video Share", "File Upload",
			"File Download", "Observation Completed", "Rubric Score", "Self Assessment Submitted", "Goal Created", "Goal Updated",
			"Goal Completed", "Exemplar Added", "Exemplar View", "Forum Post", "Forum Reply", "Forum View", "Workflow Started",
			"Workflow Step Completed", "Workflow Completed", "Coaching Session", "Learning Path Enrolled",
			"Learning Path Progress", "Learning Path Completed"}
		for i := 0; i < 1300; i++ {
			u := us[r.IntN(len(us))]
			ts := base + int64(r.IntN(30*24*60))*60000
			if r.IntN(3) == 0 {
				ts = ts / 3600000 * 3600000 // ties
			}
			typ := types[r.IntN(len(types))]
			id := func(prefix string, n int) string {
				return pickS("", strings.ToUpper(prefix[:1])) + prefix + fmt.Sprint(r.IntN(n))
			}
			var kv []any
			switch typ {
			case "Video Upload", "Video View", "Video Comment", "Video Tag", "Video Share":
				vid := id("v", 6)
				kv = []any{"videoId", vid, "videoTitle", pick(nil, "Video "+vid, "video "+vid+" (edited)"),
					"duration", number(60, 95, 600), "watchedSeconds", number(5, 30, 61), "commentId", "c", "tag", "t",
					"sharedWithUserId", other()}
			case "File Upload", "File Download":
				kv = []any{"fileId", id("f", 5), "fileName", "plan.pdf", "sizeBytes", number(1000, 2048, 999999)}
			case "Observation Completed":
				observer := any(u.id)
				if r.IntN(4) == 0 {
					observer = other()
				}
				rid := id("r", 3)
				kv = []any{"observationId", id("o", 15), "observerId", observer, "observeeId", other(), "rubricId", rid,
					"rubricName", pick(nil, "Rubric "+rid, "rubric "+rid), "observationType", pick("Formal", "Informal", "Walkthrough", nil)}
			case "Rubric Score", "Self Assessment Submitted":
				rid := id("r", 3)
				kv = []any{"observationId", id("o", 15), "rubricId", rid, "rubricName", pick(nil, "Rubric "+rid, "rubric "+rid),
					"domain", pick(nil, "Planning", "planning", "Instruction"), "dimension", pick(nil, "1a", "1B", "2a"),
					"score", number(1, 2, 2.5, 3, 3.5, 4), "maxScore", number(4, 5)}
			case "Goal Created", "Goal Updated", "Goal Completed":
				kv = []any{"goalId", id("g", 25), "goalTitle", pick("Ask better questions", "calm room", nil),
					"goalType", pick("Instructional", "Behavior", "Personal", nil), "dueDate", pick(nil, "2027-01-15"),
					"progress", number(0, 10, 37.5, 80, 100), "goalStatus", pick(nil, "In Progress", "On Hold", "Not Started")}
			case "Exemplar Added", "Exemplar View":
				x := id("x", 5)
				kv = []any{"exemplarId", x, "exemplarTitle", pick(nil, "Exemplar "+x, "EXEMPLAR "+x)}
			case "Forum Post", "Forum Reply", "Forum View":
				f := id("fo", 4)
				kv = []any{"forumId", f, "forumName", pick(nil, "Forum "+f, "forum "+f), "threadId", id("th", 9)}
			case "Workflow Started", "Workflow Step Completed", "Workflow Completed":
				wf := id("w", 4)
				kv = []any{"workflowId", wf, "workflowName", pick(nil, "Flow "+wf, "flow "+wf), "stepName", "s"}
			case "Coaching Session":
				coach := any(u.id)
				if r.IntN(3) == 0 {
					coach = other()
				}
				kv = []any{"coachId", coach, "teacherId", other(), "sessionType", "1:1", "durationMinutes", number(30, 45)}
			case "Learning Path Enrolled", "Learning Path Progress", "Learning Path Completed":
				lp := id("lp", 4)
				kv = []any{"learningPathId", lp, "learningPathName", pick(nil, "Path "+lp, "path "+lp),
					"progressPercent", number(0, 25, 50.5, 75, 100)}
			}
			if r.IntN(5) == 0 {
				kv = append(kv, "extra", map[string]any{"z": []any{1, "<&>"}, "a": "é\u2028"})
			}
			// Drop nil values: a field left out.
			var kept []any
			for j := 0; j+1 < len(kv); j += 2 {
				if kv[j+1] != nil {
					kept = append(kept, kv[j], kv[j+1])
				}
			}
			w.event(u, ts, typ, kept...)
		}
	}
	// Randomize event ids so that their byte order differs from insertion order.
	for i, e := range w.events {
		e.id = fmt.Sprintf("%s%04x-%d", pickS("E", "e", "_"), r.IntN(1<<16), i)
	}
	return w, users, groups
}

// TestRandomAgainstOracle compares every report with an independent Go
// implementation over random data, for several run-as users and filters.
func TestRandomAgainstOracle(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		for _, seed := range []uint64{1, 2} {
			w, users, groups := randomWorld(seed)
			db := storetest.MustOpenDB(t, engine)
			w.insert(t, db)
			r := rand.New(rand.NewPCG(seed, 11))
			start := time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC).UnixMilli()
			end := start + 30*day
			mid0, mid1 := start+int64(r.IntN(10))*day+hour*3, end-int64(r.IntN(10))*day-hour*5
			s1 := w.systems[0].id
			var coaches, teachers []*wUser
			for _, u := range users[0] {
				switch u.role {
				case "Coach":
					coaches = append(coaches, u)
				case "Teacher":
					teachers = append(teachers, u)
				}
			}
			base := func(sys string, runAs *wUser, t0, t1 int64) report.Params {
				return report.Params{SystemID: sys, RunAs: report.RunAs{UserID: runAs.id, Role: runAs.role},
					Filter: report.Filter{StartTime: t0, EndTime: t1, RubricID: "r1"}}
			}
			var combos []report.Params
			combos = append(combos, base(s1, users[0][0], start, end))
			p := base(s1, users[0][1], mid0, mid1)
			p.Filter = report.Filter{StartTime: mid0, EndTime: mid1, RubricID: "R2", GoalType: "Behavior", ForumID: "fo1",
				WorkflowID: "w2", ObservationType: "Formal", LearningPathID: "lp0", Status: "Active",
				TypeAliases: []string{"Login", "Video View", "Goal Created"}}
			combos = append(combos, p)
			for _, c := range coaches {
				combos = append(combos, base(s1, c, mid0, end))
			}
			combos = append(combos, base(s1, teachers[0], start, end), base(s1, teachers[1], mid0, mid1))
			p = base(s1, users[0][0], start, mid1)
			p.Filter.GroupIDs = []string{groups[0][0], groups[0][1]}
			p.Filter.Roles = []string{"Teacher", "Coach"}
			p.Filter.RubricID = "r2"
			combos = append(combos, p)
			p = base(s1, coaches[0], start, end)
			p.Filter.GroupIDs = []string{groups[0][2]}
			p.Filter.Roles = []string{"Teacher"}
			combos = append(combos, p)
			p = base(s1, users[0][0], mid0, end)
			for _, u := range users[0][3:9] {
				p.Filter.UserEmails = append(p.Filter.UserEmails, strings.ToUpper(u.email))
			}
			p.Filter.RubricID = "R0"
			combos = append(combos, p)
			combos = append(combos, base(w.systems[1].id, users[1][0], start, end))

			rowsSeen := map[string]int{}
			for i, p := range combos {
				for _, name := range report.Names() {
					got := run(t, db, name, p)
					want := expect(w, name, p)
					rowsSeen[name] += len(want)
					if !equalRows(got, want) {
						t.Errorf("seed %d combo %d (%s, %+v) report %s:\n%s", seed, i, p.RunAs.Role, p.Filter, name, diffRows(got, want))
					}
				}
			}
			for _, name := range report.Names() {
				if rowsSeen[name] < 3 {
					t.Errorf("seed %d: report %s has only %d rows over all combinations: the data does not exercise it", seed, name, rowsSeen[name])
				}
			}
		}
	})
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

func diffRows(got, want [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "got %d rows, want %d\n", len(got), len(want))
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w []string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if strings.Join(g, "\x00") != strings.Join(w, "\x00") {
			fmt.Fprintf(&b, "first difference at row %d:\n got %q\nwant %q\n", i, g, w)
			break
		}
	}
	return b.String()
}
