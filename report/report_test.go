package report_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store/storetest"
)

const (
	t0   = int64(1739145600000) // 2025-02-10T00:00:00Z, a Monday of 2025-W07
	hour = int64(3600000)
	day  = 24 * hour
)

func at(offset int64) string { return report.FormatTime(t0 + offset) }

// handWorld is a small fixture whose report values are worked out by hand in
// TestReports. System 1 has an admin, a coach and teacher Tess in group
// "Grade 1", teacher Tom in "Grade 2", inactive teacher Uma in no group;
// system 2 has Zed, who must never show up.
type handWorld struct {
	*world
	s1, s2                         string
	ada, cole, tess, tom, uma, zed *wUser
	g1, g2                         string
}

func newHandWorld() *handWorld {
	w := &handWorld{world: newWorld()}
	w.s1 = w.system("Lincoln District")
	w.s2 = w.system("Other District")
	w.ada = w.user(w.s1, "ada@x.test", "Ada Admin", "Admin")
	w.cole = w.user(w.s1, "cole@x.test", "Cole Coach", "Coach")
	w.tess = w.user(w.s1, "tess@x.test", "Tess Teacher", "Teacher")
	w.tom = w.user(w.s1, "tom@x.test", "Tom Teacher", "Teacher")
	w.uma = w.user(w.s1, "uma@x.test", "Uma", "Teacher")
	w.uma.status = "Inactive"
	seen := t0 + day + hour
	w.tess.lastSeen = &seen
	w.zed = w.user(w.s2, "zed@other.test", "Zed", "Coach")
	w.g1 = w.group(w.s1, "Grade 1", w.cole, w.tess)
	w.g2 = w.group(w.s1, "Grade 2", w.tom)
	w.group(w.s2, "Grade 1", w.zed)

	w.event(w.tess, t0+hour, "Login")
	w.event(w.tess, t0+day+hour, "Login")
	w.event(w.tom, t0+2*hour, "Login")
	w.event(w.tess, t0-hour, "Login") // before the window
	w.event(w.cole, t0+3*hour, "Observation Completed", "observationId", "o1", "observerId", w.cole.id, "observeeId", w.tess.id,
		"rubricId", "r1", "rubricName", "Danielson", "observationType", "Formal")
	w.event(w.cole, t0+3*hour, "Rubric Score", "observationId", "o1", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Planning", "dimension", "1a", "score", 3, "maxScore", 4)
	w.event(w.cole, t0+3*hour, "Rubric Score", "observationId", "o1", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Planning", "dimension", "1b", "score", 4, "maxScore", 4)
	w.event(w.cole, t0+4*hour, "Rubric Score", "observationId", "o1", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Instruction", "dimension", "3a", "score", "2", "maxScore", 4)
	w.event(w.ada, t0+5*hour, "Observation Completed", "observationId", "o2", "observerId", w.ada.id, "observeeId", w.tom.id,
		"rubricId", "r1", "rubricName", "Danielson", "observationType", "Informal")
	w.event(w.ada, t0+5*hour, "Rubric Score", "observationId", "o2", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Planning", "dimension", "1a", "score", 2.5, "maxScore", 4)
	w.event(w.tess, t0+6*hour, "Self Assessment Submitted", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Planning", "dimension", "1a", "score", 3, "maxScore", 4)
	w.event(w.tess, t0+day, "Video Upload", "videoId", "v1", "videoTitle", `Intro, "lesson"`, "duration", 90)
	w.event(w.tom, t0+day+2*hour, "Video View", "videoId", "v1", "videoTitle", `Intro, "lesson"`, "watchedSeconds", 30)
	w.event(w.tess, t0+day+3*hour, "Video View", "videoId", "v1", "watchedSeconds", 45)
	w.event(w.tom, t0+day+4*hour, "Video Comment", "videoId", "v1", "commentId", "c1")
	w.event(w.tess, t0+2*day, "File Upload", "fileId", "f1", "fileName", "plan.pdf", "sizeBytes", 2048)
	w.event(w.tom, t0+2*day+hour, "File Download", "fileId", "f1", "fileName", "plan.pdf")
	w.event(w.tess, t0+2*day, "Goal Created", "goalId", "g1", "goalTitle", "Better questions", "goalType", "Instructional", "dueDate", "2025-03-01")
	w.event(w.tess, t0+3*day, "Goal Updated", "goalId", "g1", "progress", 40, "goalStatus", "In Progress")
	w.event(w.tom, t0+3*day, "Goal Created", "goalId", "g2", "goalTitle", "Classroom calm", "goalType", "Behavior")
	w.event(w.tom, t0+4*day, "Goal Completed", "goalId", "g2")
	w.event(w.tess, t0+8*day, "Goal Created", "goalId", "g3", "goalTitle", "Later") // after the window
	w.event(w.uma, t0+5*day, "Goal Created", "goalId", "g4", "goalTitle", "Read more", "goalType", "Personal")
	w.event(w.cole, t0+hour, "Exemplar Added", "exemplarId", "x1", "exemplarTitle", "Great lesson")
	w.event(w.tess, t0+2*hour, "Exemplar View", "exemplarId", "x1", "exemplarTitle", "Great lesson")
	w.event(w.tom, t0+3*hour, "Exemplar View", "exemplarId", "x1", "exemplarTitle", "Great lesson")
	w.event(w.tess, t0+5*hour, "Forum Post", "forumId", "fo1", "forumName", "Math", "threadId", "th1")
	w.event(w.tom, t0+6*hour, "Forum Reply", "forumId", "fo1", "forumName", "Math", "threadId", "th1")
	w.event(w.cole, t0+7*hour, "Forum View", "forumId", "fo1", "forumName", "Math", "threadId", "th1")
	w.event(w.tess, t0+day, "Workflow Started", "workflowId", "w1", "workflowName", "Onboarding", "stepName", "start")
	w.event(w.tess, t0+day+hour, "Workflow Step Completed", "workflowId", "w1", "workflowName", "Onboarding", "stepName", "read")
	w.event(w.tess, t0+2*day, "Workflow Completed", "workflowId", "w1", "workflowName", "Onboarding")
	w.event(w.cole, t0+day, "Coaching Session", "coachId", w.cole.id, "teacherId", w.tess.id, "sessionType", "1:1", "durationMinutes", 30)
	w.event(w.cole, t0+4*day, "Coaching Session", "coachId", w.cole.id, "teacherId", w.tess.id, "sessionType", "1:1", "durationMinutes", 30)
	w.event(w.ada, t0+2*day, "Coaching Session", "coachId", w.ada.id, "teacherId", w.tom.id)
	w.event(w.tess, t0+day, "Learning Path Enrolled", "learningPathId", "lp1", "learningPathName", "Feedback 101", "progressPercent", 0)
	w.event(w.tess, t0+2*day, "Learning Path Progress", "learningPathId", "lp1", "learningPathName", "Feedback 101", "progressPercent", 50)
	w.event(w.tom, t0-2*day, "Learning Path Enrolled", "learningPathId", "lp1", "learningPathName", "Feedback 101")
	w.event(w.tom, t0+3*day, "Learning Path Completed", "learningPathId", "lp1", "learningPathName", "Feedback 101")
	// System 2: same ids and names, different tenant.
	w.event(w.zed, t0+hour, "Login")
	w.event(w.zed, t0+hour, "Video Upload", "videoId", "v1", "videoTitle", "Zed's video", "duration", 60)
	w.event(w.zed, t0+2*hour, "Rubric Score", "observationId", "o1", "rubricId", "r1", "rubricName", "Danielson",
		"domain", "Planning", "dimension", "1a", "score", 1)
	w.event(w.zed, t0+2*hour, "Coaching Session", "coachId", w.zed.id, "teacherId", w.tess.id)
	return w
}

func (w *handWorld) admin() report.Params {
	return report.Params{SystemID: w.s1, RunAs: report.RunAs{UserID: w.ada.id, Role: "Admin"},
		Filter: report.Filter{StartTime: t0, EndTime: t0 + 7*day, RubricID: "r1"}}
}

// TestReports checks every column of every row of every report against
// values worked out by hand, on each engine.
func TestReports(t *testing.T) {
	w := newHandWorld()
	created := "2023-11-14T22:13:20.000Z"
	admin := w.admin()
	filtered := admin
	filtered.Filter.TypeAliases = []string{"Login", "File Upload"}
	cases := []struct {
		report string
		p      report.Params
		want   [][]string
	}{
		{"systemPerformance", admin, [][]string{{w.s1, "Lincoln District", "5", "5", "3", "2", "2.88", "1", "3", "1", "3"}}},
		{"accountUsage", admin, [][]string{
			{"Ada Admin", "ada@x.test", "Admin", "Active", created, "", "0", "2"},
			{"Cole Coach", "cole@x.test", "Coach", "Active", created, "", "0", "3"},
			{"Tess Teacher", "tess@x.test", "Teacher", "Active", created, at(day + hour), "2", "4"},
			{"Tom Teacher", "tom@x.test", "Teacher", "Active", created, "", "1", "5"},
			{"Uma", "uma@x.test", "Teacher", "Inactive", created, "", "0", "1"},
		}},
		{"frequencySnapshot", admin, [][]string{
			{"Ada Admin", "ada@x.test", "Admin", "0", "0", "1", "0", "0", "1"},
			{"Cole Coach", "cole@x.test", "Coach", "0", "0", "1", "0", "0", "2"},
			{"Tess Teacher", "tess@x.test", "Teacher", "2", "1", "0", "1", "1", "2"},
			{"Tom Teacher", "tom@x.test", "Teacher", "1", "1", "0", "0", "1", "1"},
			{"Uma", "uma@x.test", "Teacher", "0", "0", "0", "0", "1", "0"},
		}},
		{"activityStream", filtered, [][]string{
			{at(hour), "Tess Teacher", "tess@x.test", "Lincoln District", "Login", "{}"},
			{at(2 * hour), "Tom Teacher", "tom@x.test", "Lincoln District", "Login", "{}"},
			{at(day + hour), "Tess Teacher", "tess@x.test", "Lincoln District", "Login", "{}"},
			{at(2 * day), "Tess Teacher", "tess@x.test", "Lincoln District", "File Upload", `{"fileId":"f1","fileName":"plan.pdf","sizeBytes":2048}`},
		}},
		{"domainsAndDimensions", admin, [][]string{
			{"Danielson", "Instruction", "3a", "1", "2.00", "2.00", "2.00"},
			{"Danielson", "Planning", "1a", "2", "2.75", "2.50", "3.00"},
			{"Danielson", "Planning", "1b", "1", "4.00", "4.00", "4.00"},
		}},
		{"selfAssessments", admin, [][]string{
			{at(6 * hour), "Tess Teacher", "tess@x.test", "Danielson", "Planning", "1a", "3.00", "4.00"},
		}},
		{"rubricUsage", admin, [][]string{{"r1", "Danielson", "2", "4", "1", "2.88", "2", "2"}}},
		{"observations", admin, [][]string{
			{at(3 * hour), "o1", "Cole Coach", "cole@x.test", "Tess Teacher", "tess@x.test", "Danielson", "Formal", "3.00"},
			{at(5 * hour), "o2", "Ada Admin", "ada@x.test", "Tom Teacher", "tom@x.test", "Danielson", "Informal", "2.50"},
		}},
		{"coachingFrequency", admin, [][]string{
			{"Tess Teacher", "tess@x.test", "2", "1", at(4 * day), "3.00"},
			{"Tom Teacher", "tom@x.test", "1", "1", at(2 * day), ""},
		}},
		{"goals", admin, [][]string{
			{"g1", "Better questions", "Instructional", "Tess Teacher", "tess@x.test", at(2 * day), "2025-03-01", "In Progress", "40", ""},
			{"g2", "Classroom calm", "Behavior", "Tom Teacher", "tom@x.test", at(3 * day), "", "Completed", "100", at(4 * day)},
			{"g4", "Read more", "Personal", "Uma", "uma@x.test", at(5 * day), "", "Not Started", "0", ""},
		}},
		{"goalsActivity", admin, [][]string{
			{"Ada Admin", "ada@x.test", "0", "0", "0"},
			{"Cole Coach", "cole@x.test", "0", "0", "0"},
			{"Tess Teacher", "tess@x.test", "1", "1", "0"},
			{"Tom Teacher", "tom@x.test", "1", "0", "1"},
			{"Uma", "uma@x.test", "1", "0", "0"},
		}},
		{"goalsCreation", admin, [][]string{
			{"2025-W07", "(no group)", "1"},
			{"2025-W07", "Grade 1", "1"},
			{"2025-W07", "Grade 2", "1"},
		}},
		{"videoInteraction", admin, [][]string{{"v1", `Intro, "lesson"`, "tess@x.test", "2", "2", "75", "1", "0", "0"}}},
		{"videoUsage", admin, [][]string{
			{"Ada Admin", "ada@x.test", "0", "0.00", "0", "0.00"},
			{"Cole Coach", "cole@x.test", "0", "0.00", "0", "0.00"},
			{"Tess Teacher", "tess@x.test", "1", "1.50", "1", "0.75"},
			{"Tom Teacher", "tom@x.test", "0", "0.00", "1", "0.50"},
			{"Uma", "uma@x.test", "0", "0.00", "0", "0.00"},
		}},
		{"fileUsage", admin, [][]string{
			{"Ada Admin", "ada@x.test", "0", "0", "0"},
			{"Cole Coach", "cole@x.test", "0", "0", "0"},
			{"Tess Teacher", "tess@x.test", "1", "2048", "0"},
			{"Tom Teacher", "tom@x.test", "0", "0", "1"},
			{"Uma", "uma@x.test", "0", "0", "0"},
		}},
		{"exemplarUsage", admin, [][]string{{"x1", "Great lesson", "1", "2", "2"}}},
		{"forumUsage", admin, [][]string{{"fo1", "Math", "1", "1", "1", "2"}}},
		{"forumParticipation", admin, [][]string{
			{"Ada Admin", "ada@x.test", "0", "0", "0"},
			{"Cole Coach", "cole@x.test", "0", "0", "1"},
			{"Tess Teacher", "tess@x.test", "1", "0", "0"},
			{"Tom Teacher", "tom@x.test", "0", "1", "0"},
			{"Uma", "uma@x.test", "0", "0", "0"},
		}},
		{"workflowParticipation", admin, [][]string{{"Tess Teacher", "tess@x.test", "Onboarding", "1", "1", "1", at(2 * day)}}},
		{"learningPathsStatus", admin, [][]string{
			{"Tess Teacher", "tess@x.test", "Feedback 101", at(day), "50", "In Progress", ""},
			{"Tom Teacher", "tom@x.test", "Feedback 101", at(-2 * day), "100", "Completed", at(3 * day)},
		}},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.report] = true
	}
	for _, name := range report.Names() {
		if !covered[name] {
			t.Errorf("report %s has no hand-checked case", name)
		}
	}
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		db := storetest.MustOpenDB(t, engine)
		w.insert(t, db)
		for _, c := range cases {
			t.Run(c.report, func(t *testing.T) {
				got := run(t, db, c.report, c.p)
				assertRows(t, got, c.want)
				// The oracle of the randomized test agrees with the hand values.
				assertRows(t, expect(w.world, c.report, c.p), c.want)
			})
		}
	})
}

func assertRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
		return
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

// TestRunAsScope checks what a Coach and a Teacher see of the hand fixture.
func TestRunAsScope(t *testing.T) {
	w := newHandWorld()
	coach := w.admin()
	coach.RunAs = report.RunAs{UserID: w.cole.id, Role: "Coach"}
	teacher := w.admin()
	teacher.RunAs = report.RunAs{UserID: w.tom.id, Role: "Teacher"}
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		db := storetest.MustOpenDB(t, engine)
		w.insert(t, db)
		assertRows(t, run(t, db, "goalsActivity", coach), [][]string{
			{"Cole Coach", "cole@x.test", "0", "0", "0"},
			{"Tess Teacher", "tess@x.test", "1", "1", "0"},
		})
		assertRows(t, run(t, db, "observations", coach), [][]string{
			{at(3 * hour), "o1", "Cole Coach", "cole@x.test", "Tess Teacher", "tess@x.test", "Danielson", "Formal", "3.00"},
		})
		// Tom sees his own observation, but not the name of the admin who made it.
		assertRows(t, run(t, db, "observations", teacher), [][]string{
			{at(5 * hour), "o2", "", "", "Tom Teacher", "tom@x.test", "Danielson", "Informal", "2.50"},
		})
		// Tom watched Tess's video: he sees it without its owner.
		assertRows(t, run(t, db, "videoInteraction", teacher), [][]string{{"v1", `Intro, "lesson"`, "", "1", "1", "30", "1", "0", "0"}})
		assertRows(t, run(t, db, "systemPerformance", teacher), [][]string{{w.s1, "Lincoln District", "1", "1", "1", "0", "", "0", "1", "1", "0"}})
		// Filters narrow the scope further.
		p := w.admin()
		p.Filter.GroupIDs = []string{w.g2}
		assertRows(t, run(t, db, "goalsCreation", p), [][]string{{"2025-W07", "Grade 2", "1"}})
		p = w.admin()
		p.Filter.Roles = []string{"Coach", "Admin"}
		p.Filter.UserEmails = []string{" COLE@x.test ", "tess@x.test"}
		assertRows(t, run(t, db, "goalsActivity", p), [][]string{{"Cole Coach", "cole@x.test", "0", "0", "0"}})
		p = w.admin()
		p.Filter.Status = "Inactive"
		assertRows(t, run(t, db, "accountUsage", p), [][]string{{"Uma", "uma@x.test", "Teacher", "Inactive", "2023-11-14T22:13:20.000Z", "", "0", "1"}})
	})
}

// TestTenantIsolation runs every report for system 1 as its admin, as its
// coach, and as a user of system 2 claiming system 1, and checks that no
// cell names someone or something it must not.
func TestTenantIsolation(t *testing.T) {
	w := newHandWorld()
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		db := storetest.MustOpenDB(t, engine)
		w.insert(t, db)
		check := func(p report.Params, forbidden ...string) {
			t.Helper()
			for _, name := range report.Names() {
				for _, row := range run(t, db, name, p) {
					for _, cell := range row {
						for _, f := range forbidden {
							if strings.Contains(cell, f) {
								t.Errorf("%s as %s: cell %q contains %q", name, p.RunAs.Role, cell, f)
							}
						}
					}
				}
			}
		}
		p := w.admin()
		check(p, "zed", "Zed", "Other District", w.s2, w.zed.id)
		p.RunAs = report.RunAs{UserID: w.cole.id, Role: "Coach"}
		check(p, "zed", "Zed", "Other District", "tom@", "Tom", "ada@", "Ada", "uma@", "Uma")
		// A run-as user of another system sees nothing of system 1.
		p.RunAs = report.RunAs{UserID: w.zed.id, Role: "Coach"}
		check(p, "@x.test", "Teacher", "Coach")
		if rows := run(t, db, "systemPerformance", p); rows[0][2] != "0" {
			t.Errorf("foreign coach sees %s users", rows[0][2])
		}
	})
}
