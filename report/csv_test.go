package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store/storetest"
)

// The catalogue of SPEC §7: report, columns, accepted extras (* = required).
var specCatalogue = map[string][2]string{
	"systemPerformance":     {"systemId, systemName, totalUsers, activeUsers, logins, observations, averageRubricScore, videosUploaded, goalsCreated, goalsCompleted, coachingSessions", ""},
	"domainsAndDimensions":  {"rubricName, domain, dimension, scores, averageScore, minScore, maxScore", "rubricId*"},
	"selfAssessments":       {"timestamp, userName, email, rubricName, domain, dimension, score, maxScore", "rubricId"},
	"goals":                 {"goalId, goalTitle, goalType, ownerName, ownerEmail, createdAt, dueDate, goalStatus, progress, completedAt", "goalType"},
	"videoInteraction":      {"videoId, videoTitle, ownerEmail, views, uniqueViewers, watchedSeconds, comments, tags, shares", ""},
	"videoUsage":            {"userName, email, videosUploaded, minutesUploaded, videosViewed, minutesWatched", ""},
	"fileUsage":             {"userName, email, filesUploaded, bytesUploaded, downloads", ""},
	"rubricUsage":           {"rubricId, rubricName, observations, scores, selfAssessments, averageScore, observers, observees", "rubricId"},
	"goalsActivity":         {"userName, email, goalsCreated, goalsUpdated, goalsCompleted", ""},
	"goalsCreation":         {"week, groupName, goalsCreated", ""},
	"exemplarUsage":         {"exemplarId, exemplarTitle, added, views, uniqueViewers", ""},
	"forumUsage":            {"forumId, forumName, posts, replies, views, participants", "forumId"},
	"forumParticipation":    {"userName, email, posts, replies, views", "forumId"},
	"workflowParticipation": {"userName, email, workflowName, started, stepsCompleted, completed, lastActivity", "workflowId"},
	"observations":          {"timestamp, observationId, observerName, observerEmail, observeeName, observeeEmail, rubricName, observationType, averageScore", "rubricId, observationType"},
	"coachingFrequency":     {"teacherName, teacherEmail, sessions, coaches, lastSession, averageDaysBetweenSessions", ""},
	"frequencySnapshot":     {"userName, email, role, logins, observationsReceived, observationsGiven, videosUploaded, goalsCreated, coachingSessions", ""},
	"accountUsage":          {"userName, email, role, status, createdAt, lastSeen, logins, activeDays", "status"},
	"activityStream":        {"timestamp, userName, email, systemName, typeAlias, actionData", "typeAliases"},
	"learningPathsStatus":   {"userName, email, learningPathName, enrolledAt, progressPercent, pathStatus, completedAt", "learningPathId"},
}

func TestCatalogueMatchesSpec(t *testing.T) {
	if got := report.Names(); len(got) != len(specCatalogue) {
		t.Fatalf("Names() = %d reports, want %d: %v", len(got), len(specCatalogue), got)
	}
	for name, spec := range specCatalogue {
		def, ok := report.Lookup(name)
		if !ok {
			t.Errorf("Lookup(%q) found nothing", name)
			continue
		}
		if got := strings.Join(def.ColumnNames(), ", "); got != spec[0] {
			t.Errorf("%s columns:\n got %s\nwant %s", name, got, spec[0])
		}
		var extras []string
		for _, k := range def.Accepted {
			for _, r := range def.Required {
				if r == k {
					k += "*"
				}
			}
			extras = append(extras, k)
		}
		if got := strings.Join(extras, ", "); got != spec[1] {
			t.Errorf("%s extras: got %q, want %q", name, got, spec[1])
		}
	}
	if _, ok := report.Lookup("reportBuilder"); ok {
		t.Error("reportBuilder is not a catalogue report")
	}
}

func TestValidate(t *testing.T) {
	def, _ := report.Lookup("domainsAndDimensions")
	ok := report.Params{SystemID: "sys_1", RunAs: report.RunAs{UserID: "usr_1", Role: "Coach"},
		Filter: report.Filter{StartTime: 1, EndTime: 2, RubricID: "r1"}}
	if err := def.Validate(ok); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for name, mutate := range map[string]func(p *report.Params){
		"ErrMissingRubric": func(p *report.Params) { p.Filter.RubricID = "" },
		"ErrUnknownRole":   func(p *report.Params) { p.RunAs.Role = "Owner" },
		"ErrNoSystem":      func(p *report.Params) { p.SystemID = "" },
		"ErrNoRunAs":       func(p *report.Params) { p.RunAs.UserID = "" },
		"ErrEndBeforeStart": func(p *report.Params) {
			p.Filter.StartTime, p.Filter.EndTime = 5, 4
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := ok
			mutate(&p)
			err := def.Validate(p)
			if opentalent.ErrorCode(err) != opentalent.EINVALID {
				t.Fatalf("Validate = %v, want an invalid error", err)
			}
			if _, err := report.Run(context.Background(), nil, "sqlite", def, p, nil); opentalent.ErrorCode(err) != opentalent.EINVALID {
				t.Fatalf("Run = %v, want an invalid error before touching the database", err)
			}
		})
	}
}

func TestCSVWriter(t *testing.T) {
	var b bytes.Buffer
	w := report.NewCSVWriter(&b)
	def := &report.Definition{Columns: []report.Column{{Name: "a", Kind: report.Text}, {Name: "b, \"c\"", Kind: report.Int}}}
	if err := w.WriteHeader(def); err != nil {
		t.Fatal(err)
	}
	rows := [][]report.Cell{
		{{Value: "=SUM(A1)", Kind: report.Text}, {Value: "-5", Kind: report.Int}},
		{{Value: "+1", Kind: report.Text}, {Value: "-2.50", Kind: report.Decimal}},
		{{Value: "-x", Kind: report.Text}, {Value: "2025-01-01T00:00:00.000Z", Kind: report.Time}},
		{{Value: "@here", Kind: report.Text}, {Value: `{"a":"=1"}`, Kind: report.JSON}},
		{{Value: "\tTab", Kind: report.Text}, {Value: "\rCR", Kind: report.Text}},
		{{Value: "a,b", Kind: report.Text}, {Value: `say "hi"`, Kind: report.Text}},
		{{Value: "line1\nline2", Kind: report.Text}, {Value: "Zoë Ана 李", Kind: report.Text}},
		{{Value: " padded ", Kind: report.Text}, {Value: "\tx", Kind: report.Int}},
		{{Value: "", Kind: report.Decimal, Null: true}, {Value: "x=1", Kind: report.Text}},
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "a,\"b, \"\"c\"\"\"\r\n" +
		"'=SUM(A1),-5\r\n" +
		"'+1,-2.50\r\n" +
		"'-x,2025-01-01T00:00:00.000Z\r\n" +
		"'@here,\"{\"\"a\"\":\"\"=1\"\"}\"\r\n" +
		"'\tTab,\"'\rCR\"\r\n" +
		"\"a,b\",\"say \"\"hi\"\"\"\r\n" +
		"\"line1\nline2\",Zoë Ана 李\r\n" +
		"\" padded \",\"\tx\"\r\n" +
		",x=1\r\n"
	if b.String() != want {
		t.Errorf("CSV:\n got %q\nwant %q", b.String(), want)
	}
}

// TestRunToCSV streams a report from each engine into a CSV file.
func TestRunToCSV(t *testing.T) {
	w := newHandWorld()
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		db := storetest.MustOpenDB(t, engine)
		w.insert(t, db)
		var b bytes.Buffer
		cw := report.NewCSVWriter(&b)
		for _, name := range []string{"videoInteraction", "coachingFrequency"} {
			def, _ := report.Lookup(name)
			if err := cw.WriteHeader(def); err != nil {
				t.Fatal(err)
			}
			n, err := report.Run(context.Background(), db.Read, db.Engine, def, w.admin(), cw)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatalf("%s: no rows", name)
			}
		}
		if err := cw.Flush(); err != nil {
			t.Fatal(err)
		}
		want := "videoId,videoTitle,ownerEmail,views,uniqueViewers,watchedSeconds,comments,tags,shares\r\n" +
			"v1,\"Intro, \"\"lesson\"\"\",tess@x.test,2,2,75,1,0,0\r\n" +
			"teacherName,teacherEmail,sessions,coaches,lastSession,averageDaysBetweenSessions\r\n" +
			"Tess Teacher,tess@x.test,2,1,2025-02-14T00:00:00.000Z,3.00\r\n" +
			"Tom Teacher,tom@x.test,1,1,2025-02-12T00:00:00.000Z,\r\n"
		if b.String() != want {
			t.Errorf("CSV:\n got %q\nwant %q", b.String(), want)
		}
	})
}

func TestCellJSONValue(t *testing.T) {
	cells := []report.Cell{
		{Value: "7", Kind: report.Int},
		{Value: "3.50", Kind: report.Decimal},
		{Kind: report.Decimal, Null: true},
		{Kind: report.Time, Null: true},
		{Value: "2025-01-01T00:00:00.000Z", Kind: report.Time},
		{Value: "", Kind: report.Text, Null: true},
		{Value: `{"a":[1,2]}`, Kind: report.JSON},
	}
	var vs []any
	for _, c := range cells {
		vs = append(vs, c.JSONValue())
	}
	got, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[7,3.50,null,null,"2025-01-01T00:00:00.000Z","",{"a":[1,2]}]`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		in        float64
		dec, ints string
	}{
		{2.875, "2.88", "3"}, {-2.875, "-2.88", "-3"}, {0.005, "0.01", "0"}, {1.005, "1.01", "1"},
		{-0.001, "0.00", "0"}, {-0.4, "-0.40", "0"}, {2.5, "2.50", "3"}, {1e6, "1000000.00", "1000000"},
	} {
		if got := report.FormatDecimal(c.in); got != c.dec {
			t.Errorf("FormatDecimal(%v) = %s, want %s", c.in, got, c.dec)
		}
		if got := report.FormatInt(c.in); got != c.ints {
			t.Errorf("FormatInt(%v) = %s, want %s", c.in, got, c.ints)
		}
	}
	if got, _ := report.NormalizeJSON([]byte(`{"b": 1.50, "a": ["<&>", "é"]}`)); string(got) != `{"a":["<&>","é"],"b":1.50}` {
		t.Errorf("NormalizeJSON = %s", got)
	}
}

// TestRunStopsOnWriteError checks that a failing writer stops the query.
func TestRunStopsOnWriteError(t *testing.T) {
	w := newHandWorld()
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		db := storetest.MustOpenDB(t, engine)
		w.insert(t, db)
		def, _ := report.Lookup("accountUsage")
		calls := 0
		boom := errors.New("disk full")
		n, err := report.Run(context.Background(), db.Read, db.Engine, def, w.admin(), report.RowWriterFunc(func([]report.Cell) error {
			calls++
			if calls == 2 {
				return boom
			}
			return nil
		}))
		if !errors.Is(err, boom) || n != 1 || calls != 2 {
			t.Fatalf("Run = %d, %v after %d calls; want 1 row and the writer's error", n, err, calls)
		}
	})
}
