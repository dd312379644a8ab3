package httpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store/storetest"
)

// The Insights and Report Builder part of the authorization matrix: report
// requests, filter options, saved reports, Report Builder rows and the
// signed CSV link.

// owned is an object of the fixture: its id, its system and the user it
// runs as (a report request) or belongs to (a saved report, an event).
type owned struct{ id, system, email string }

// insightsFixture holds what the Insights rows target: in tn, complete
// report requests run as the Admin and as the Coach of system A and as the
// Teacher of system B, saved reports owned by the same users, and events of
// every user; in the other tenant, one of each.
type insightsFixture struct {
	repAdminA, repCoachA, repB, repForeign         owned
	savedAdminA, savedCoachA, savedB, savedForeign owned
	reports, saved, events                         []owned
	// linkAdminA and linkForeign are the csvDownloadUrl of repAdminA and
	// repForeign, as paths with their query.
	linkAdminA, linkForeign string
	// secretTitle is the title of tn's saved reports of system A.
	secretTitle string
	// g1A and g1Foreign are the ids of group G1 of system A and of the
	// other tenant's system A.
	g1A, g1Foreign string
	signingKey     []byte
}

func (f *authzFixture) newInsightsFixture(t *testing.T) *insightsFixture {
	t.Helper()
	env, tn, other := f.env, f.tn, f.other
	ctx := context.Background()
	ins := &insightsFixture{secretTitle: "Secret " + storetest.Name("title")}

	// One Login per user, an hour ago: the rows of the Report Builder.
	ts := time.Now().Add(-time.Hour).UnixMilli()
	ingest := func(token, system string, ms ...apitest.Member) {
		var evs []any
		for _, m := range ms {
			evs = append(evs, map[string]any{"userId": m.ID, "timestamp": ts, "typeAlias": "Login"})
			ins.events = append(ins.events, owned{"", system, m.Email})
		}
		r := env.Do(t, token, "POST", "/api/v2/activities", map[string]any{"events": evs}).Want(t, 200)
		if strings.Contains(string(r.Body), `"index"`) {
			t.Fatalf("fixture events failed: %s", r.Body)
		}
	}
	ingest(tn.SystemToken, tn.SystemA, tn.Admin, tn.Coach, tn.Teacher, tn.Teacher2)
	ingest(tn.SystemTokenB, tn.SystemB, tn.TeacherB)
	ingest(other.SystemToken, other.SystemA, other.Admin, other.Teacher)

	// Complete accountUsage reports.
	window := map[string]any{"startTime": ts - 86_400_000, "endTime": ts + 2*86_400_000}
	request := func(token, system string, as apitest.Member) owned {
		r := env.Do(t, token, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": as.Email, "filterOptions": window}).Want(t, http.StatusAccepted)
		return owned{r.Map(t)["insightsReportRequestId"].(string), system, as.Email}
	}
	ins.repAdminA = request(tn.SystemToken, tn.SystemA, tn.Admin)
	ins.repCoachA = request(tn.Coach.Token, tn.SystemA, tn.Coach)
	ins.repB = request(tn.SystemTokenB, tn.SystemB, tn.TeacherB)
	ins.repForeign = request(other.SystemToken, other.SystemA, other.Admin)
	ins.reports = []owned{ins.repAdminA, ins.repCoachA, ins.repB, ins.repForeign}
	links := map[string]string{}
	for _, c := range []struct {
		token string
		rep   owned
	}{{tn.SystemToken, ins.repAdminA}, {tn.Coach.Token, ins.repCoachA}, {tn.SystemTokenB, ins.repB}, {other.SystemToken, ins.repForeign}} {
		done := env.WaitReport(t, c.token, c.rep.id).Want(t, 200).Map(t)
		link, _ := done["csvDownloadUrl"].(string)
		if !strings.HasPrefix(link, env.URL+"/api/v2/reports/"+c.rep.id+"/csv?") {
			t.Fatalf("report %s: csvDownloadUrl %q", c.rep.id, link)
		}
		links[c.rep.id] = strings.TrimPrefix(link, env.URL)
	}
	ins.linkAdminA, ins.linkForeign = links[ins.repAdminA.id], links[ins.repForeign.id]

	// Saved reports.
	save := func(token, system string, owner apitest.Member, title string, withOwner bool) owned {
		body := map[string]any{"title": title, "filterModel": map[string]any{}}
		if withOwner {
			body["ownerEmail"] = owner.Email
		}
		r := env.Do(t, token, "POST", "/api/v2/reports/saved", body).Want(t, http.StatusCreated)
		return owned{r.Map(t)["_id"].(string), system, owner.Email}
	}
	ins.savedAdminA = save(tn.SystemToken, tn.SystemA, tn.Admin, ins.secretTitle+" (Admin)", true)
	ins.savedCoachA = save(tn.Coach.Token, tn.SystemA, tn.Coach, ins.secretTitle+" (Coach)", false)
	ins.savedB = save(tn.SystemTokenB, tn.SystemB, tn.TeacherB, "Saved of B", true)
	ins.savedForeign = save(other.SystemToken, other.SystemA, other.Admin, "Saved elsewhere", true)
	ins.saved = []owned{ins.savedAdminA, ins.savedCoachA, ins.savedB, ins.savedForeign}

	g1 := func(tn *apitest.Tenant) string {
		gs, _, err := f.db.FindGroups(ctx, scopeOf(tn, tn.SystemA), "G1", opentalent.Page{Number: 1, Limit: 10})
		if err != nil || len(gs) != 1 {
			t.Fatalf("group G1: %v %v", gs, err)
		}
		return gs[0].ID
	}
	ins.g1A, ins.g1Foreign = g1(tn), g1(other)

	// The key that signs CSV links, to forge links the server would sign.
	key, err := f.db.Secret(ctx, "csv_signing_key")
	if err != nil {
		t.Fatal(err)
	}
	ins.signingKey = key
	u, err := url.Parse(ins.linkAdminA)
	if err != nil {
		t.Fatal(err)
	}
	if got := ins.sign(ins.repAdminA.id, u.Query().Get("expires")); got != u.Query().Get("signature") {
		t.Fatalf("the test signs CSV links differently from the server: %s vs %s", got, ins.linkAdminA)
	}
	return ins
}

// sign signs a CSV link the way the server does.
func (ins *insightsFixture) sign(id, expires string) string {
	m := hmac.New(sha256.New, ins.signingKey)
	fmt.Fprintf(m, "%s\n%s", id, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// csvPath is the path of a CSV link of id expiring at expires, signed with
// the signature of (signID, expires).
func (ins *insightsFixture) csvPath(id, signID string, expires int64) string {
	e := fmt.Sprint(expires)
	return "/api/v2/reports/" + id + "/csv?expires=" + e + "&signature=" + ins.sign(signID, e)
}

// count runs a count query.
func (f *authzFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Read.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// reportOwner returns the system of a report request and the email of the
// user it runs as.
func (f *authzFixture) reportOwner(t *testing.T, id string) (system, email string) {
	t.Helper()
	err := f.db.Read.QueryRowContext(context.Background(), `SELECT r.system_id, u.email FROM report_requests r JOIN users u ON u.id = r.run_as_user_id WHERE r.id = $1`, id).Scan(&system, &email)
	if err != nil {
		t.Fatalf("report %s: %v", id, err)
	}
	return system, email
}

// sight is what a reader may see: objects of its systems, and when emails
// is set, only those of these users.
type sight struct {
	systems []string
	emails  []string
}

func (s sight) allows(system, email string) bool {
	return slices.Contains(s.systems, system) && (s.emails == nil || slices.Contains(s.emails, email))
}

// sightOf is the sight of a token kind. A Coach reads the Report Builder
// rows of the coach and the members of the coach's groups (the Teacher,
// in G1), but only the report requests and saved reports of their own
// (ownOnly).
func (f *authzFixture) sightOf(kind string, ownOnly bool) sight {
	tn, other := f.tn, f.other
	switch kind {
	case kCoach:
		if ownOnly {
			return sight{[]string{tn.SystemA}, []string{tn.Coach.Email}}
		}
		return sight{[]string{tn.SystemA}, []string{tn.Coach.Email, tn.Teacher.Email}}
	case kAdmin, kSystem:
		return sight{[]string{tn.SystemA}, nil}
	case kSystemB:
		return sight{[]string{tn.SystemB}, nil}
	case kNetwork:
		return sight{[]string{tn.SystemA, tn.SystemB}, nil}
	case kForeignNet:
		return sight{[]string{other.SystemA, other.SystemB}, nil}
	}
	return sight{}
}

// checkIngestAnswer checks a POST /activities answer: event i was stored
// iff ok[i], and every other event is a failure that names its index.
func checkIngestAnswer(t *testing.T, r *apitest.Resp, ok []bool) {
	t.Helper()
	var out struct {
		Successes []struct {
			ID string `json:"_id"`
		} `json:"successes"`
		Failures []struct {
			Index int    `json:"index"`
			Error string `json:"error"`
		} `json:"failures"`
	}
	r.JSON(t, &out)
	var wantFail []int
	for i, o := range ok {
		if !o {
			wantFail = append(wantFail, i)
		}
	}
	var gotFail []int
	for _, fl := range out.Failures {
		gotFail = append(gotFail, fl.Index)
		if fl.Error == "" {
			t.Errorf("failure of event %d without an error: %s", fl.Index, r.Body)
		}
	}
	if len(out.Successes) != len(ok)-len(wantFail) || fmt.Sprint(gotFail) != fmt.Sprint(wantFail) {
		t.Errorf("got %d successes and failures at %v, want %d and %v: %s", len(out.Successes), gotFail, len(ok)-len(wantFail), wantFail, r.Body)
	}
}

func (f *authzFixture) insightsRows() []authzRow {
	tn, other, ins := f.tn, f.other, f.ins
	sa, sb, oa := scopeOf(tn, tn.SystemA), scopeOf(tn, tn.SystemB), scopeOf(other, other.SystemA)
	var rows []authzRow
	add := func(r ...authzRow) { rows = append(rows, r...) }
	call := func(method, path string, body any, check func(*testing.T, string, *apitest.Resp)) func(*testing.T) authzCall {
		return func(*testing.T) authzCall { return authzCall{method: method, path: path, body: body, check: check} }
	}
	window := map[string]any{"startTime": time.Now().Add(-48 * time.Hour).UnixMilli(), "endTime": time.Now().Add(48 * time.Hour).UnixMilli()}

	// GET /reports/filterOptions: the group options are those of the system
	// the request resolves to (the one system of a token, or systemId).
	filterOpts := func(system func(kind string) string) func(*testing.T, string, *apitest.Resp) {
		return func(t *testing.T, kind string, r *apitest.Resp) {
			var out struct {
				FilterOptions map[string]struct {
					Options []struct{ Value string } `json:"options"`
				} `json:"filterOptions"`
			}
			r.JSON(t, &out)
			var groups []string
			for _, o := range out.FilterOptions["groupIds"].Options {
				groups = append(groups, o.Value)
			}
			sys := system(kind)
			wantEq(t, "group G1 of system A offered", slices.Contains(groups, ins.g1A), sys == tn.SystemA)
			wantEq(t, "group G1 of the foreign system offered", slices.Contains(groups, ins.g1Foreign), sys == other.SystemA)
		}
	}
	fixed := func(sys string) func(string) string { return func(string) string { return sys } }
	ownSystem := func(kind string) string {
		return map[string]string{kCoach: tn.SystemA, kAdmin: tn.SystemA, kSystem: tn.SystemA, kSystemB: tn.SystemB}[kind]
	}
	const fo = "/api/v2/reports/filterOptions"
	add(
		authzRow{"GET " + fo, "no systemId", expect(403, 200, 200, 200, 200, 400, 400), nil, call("GET", fo, nil, filterOpts(ownSystem))},
		authzRow{"GET " + fo, "systemId=A", expect(403, 200, 200, 200, 404, 200, 404), nil, call("GET", fo+"?systemId="+tn.SystemA, nil, filterOpts(fixed(tn.SystemA)))},
		authzRow{"GET " + fo, "systemId=B", expect(403, 404, 404, 404, 200, 200, 404), nil, call("GET", fo+"?systemId="+tn.SystemB, nil, filterOpts(fixed(tn.SystemB)))},
		authzRow{"GET " + fo, "systemId=foreign", expect(403, 404, 404, 404, 404, 404, 200), nil, call("GET", fo+"?systemId="+other.SystemA, nil, filterOpts(fixed(other.SystemA)))},
		authzRow{"GET " + fo, "no such system", expect(403, 404, 404, 404, 404, 404, 404), nil, call("GET", fo+"?systemId=sys_nosuchsystem0000", nil, nil)},
	)

	// POST /reports: a report runs as a user in scope; Coaches only as
	// themselves. The request stored runs as that user, in their system.
	queued := func(system, email string) func(*testing.T, string, *apitest.Resp) {
		return func(t *testing.T, kind string, r *apitest.Resp) {
			id, _ := r.Map(t)["insightsReportRequestId"].(string)
			sys, as := f.reportOwner(t, id)
			wantEq(t, "system of the request", sys, system)
			wantEq(t, "run-as user of the request", as, email)
		}
	}
	runAsFresh := func(s opentalent.Scope, filter map[string]any) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			u := f.newUser(t, s)
			return authzCall{method: "POST", path: "/api/v2/reports", body: map[string]any{"report": "accountUsage", "email": u.Email, "filterOptions": filter},
				after: func(t *testing.T, changed bool) {
					wantEq(t, "report requests run as "+u.Email, f.count(t, `SELECT count(*) FROM report_requests WHERE run_as_user_id = $1`, u.ID), map[bool]int{true: 1, false: 0}[changed])
				}, check: queued(s.SystemID, u.Email)}
		}
	}
	withGroups := func(ids ...string) map[string]any {
		return map[string]any{"startTime": window["startTime"], "endTime": window["endTime"], "groupIds": ids}
	}
	runAs := func(email string) map[string]any {
		return map[string]any{"report": "accountUsage", "email": email, "filterOptions": window}
	}
	runSaved := func(id string) map[string]any { return map[string]any{"report": "reportBuilder", "reportId": id} }
	add(
		authzRow{"POST /api/v2/reports", "run as a user of A", expect(403, 403, 202, 202, 404, 202, 404), nil, runAsFresh(sa, window)},
		authzRow{"POST /api/v2/reports", "run as the Coach", expect(403, 202, 202, 202, 404, 202, 404), nil,
			call("POST", "/api/v2/reports", runAs(tn.Coach.Email), queued(tn.SystemA, tn.Coach.Email))},
		authzRow{"POST /api/v2/reports", "run as the Teacher", expect(403, 403, 202, 202, 404, 202, 404), nil,
			call("POST", "/api/v2/reports", runAs(tn.Teacher.Email), queued(tn.SystemA, tn.Teacher.Email))},
		authzRow{"POST /api/v2/reports", "run as a user of B", expect(403, 404, 404, 404, 202, 202, 404), nil, runAsFresh(sb, window)},
		authzRow{"POST /api/v2/reports", "run as a user of foreign network", expect(403, 404, 404, 404, 404, 404, 202), nil, runAsFresh(oa, window)},
		authzRow{"POST /api/v2/reports", "run as nobody", expect(403, 404, 404, 404, 404, 404, 404), nil, call("POST", "/api/v2/reports", runAs(freshEmail("nobody")), nil)},
		// Group ids of another system are unknown groups (400) once the
		// run-as user is found.
		authzRow{"POST /api/v2/reports", "run as a user of A, groupIds of A", expect(403, 403, 202, 202, 404, 202, 404), nil, runAsFresh(sa, withGroups(ins.g1A))},
		authzRow{"POST /api/v2/reports", "run as a user of B, groupIds of A", expect(403, 404, 404, 404, 400, 400, 404), nil, runAsFresh(sb, withGroups(ins.g1A))},
		authzRow{"POST /api/v2/reports", "run as a user of foreign network, groupIds of A", expect(403, 404, 404, 404, 404, 404, 400), nil, runAsFresh(oa, withGroups(ins.g1A))},
		// reportBuilder: the saved report must be one the caller may see; the
		// request runs as its owner.
		authzRow{"POST /api/v2/reports", "reportBuilder, saved report of A's Admin", expect(403, 404, 202, 202, 404, 202, 404), nil,
			call("POST", "/api/v2/reports", runSaved(ins.savedAdminA.id), queued(tn.SystemA, tn.Admin.Email))},
		authzRow{"POST /api/v2/reports", "reportBuilder, saved report of the Coach", expect(403, 202, 202, 202, 404, 202, 404), nil,
			call("POST", "/api/v2/reports", runSaved(ins.savedCoachA.id), queued(tn.SystemA, tn.Coach.Email))},
		authzRow{"POST /api/v2/reports", "reportBuilder, saved report of B", expect(403, 404, 404, 404, 202, 202, 404), nil,
			call("POST", "/api/v2/reports", runSaved(ins.savedB.id), queued(tn.SystemB, tn.TeacherB.Email))},
		authzRow{"POST /api/v2/reports", "reportBuilder, saved report of foreign network", expect(403, 404, 404, 404, 404, 404, 202), nil,
			call("POST", "/api/v2/reports", runSaved(ins.savedForeign.id), queued(other.SystemA, other.Admin.Email))},
		authzRow{"POST /api/v2/reports", "reportBuilder, no such saved report", expect(403, 404, 404, 404, 404, 404, 404), nil,
			call("POST", "/api/v2/reports", runSaved("svr_nosuchreport0000"), nil)},
	)

	// GET /reports lists exactly the requests the viewer may see; GET
	// /reports/{id} finds only those.
	listReports := func(t *testing.T, kind string, r *apitest.Resp) {
		var out struct {
			Reports []struct {
				ReportID string `json:"reportId"`
			} `json:"reports"`
			TotalCount int `json:"totalCount"`
		}
		r.JSON(t, &out)
		sg := f.sightOf(kind, true)
		listed := map[string]bool{}
		for _, rep := range out.Reports {
			listed[rep.ReportID] = true
			if sys, as := f.reportOwner(t, rep.ReportID); !sg.allows(sys, as) {
				t.Errorf("lists report %s of system %s run as %s", rep.ReportID, sys, as)
			}
		}
		for _, rep := range ins.reports {
			wantEq(t, "report "+rep.id+" of "+rep.email+" listed", listed[rep.id], sg.allows(rep.system, rep.email))
		}
		if len(out.Reports) < 1000 {
			wantEq(t, "totalCount", out.TotalCount, len(out.Reports))
		}
	}
	getReport := func(id string) func(*testing.T) authzCall {
		return call("GET", "/api/v2/reports/"+id, nil, func(t *testing.T, _ string, r *apitest.Resp) {
			m := r.Map(t)
			wantEq(t, "reportId", m["reportId"], any(id))
			wantEq(t, "status", m["status"], any("complete"))
		})
	}
	add(
		authzRow{"GET /api/v2/reports", "the viewer's requests", expect(403, 200, 200, 200, 200, 200, 200), nil, call("GET", "/api/v2/reports?pageNumber=1&limit=1000", nil, listReports)},
		authzRow{"GET /api/v2/reports/{reportId}", "run as A's Admin", expect(403, 404, 200, 200, 404, 200, 404), nil, getReport(ins.repAdminA.id)},
		authzRow{"GET /api/v2/reports/{reportId}", "run as the Coach", expect(403, 200, 200, 200, 404, 200, 404), nil, getReport(ins.repCoachA.id)},
		authzRow{"GET /api/v2/reports/{reportId}", "run as a user of B", expect(403, 404, 404, 404, 200, 200, 404), nil, getReport(ins.repB.id)},
		authzRow{"GET /api/v2/reports/{reportId}", "of foreign network", expect(403, 404, 404, 404, 404, 404, 200), nil, getReport(ins.repForeign.id)},
		authzRow{"GET /api/v2/reports/{reportId}", "no such report", expect(403, 404, 404, 404, 404, 404, 404), nil, getReport("export_nosuchreport0000")},
	)

	// POST /activities with events of users in and out of scope in one
	// call: each event outside the scope is a failure and is not stored.
	add(authzRow{"POST /api/v2/activities", "users of A, B and foreign network in one call", expect(403, 403, 200, 200, 200, 200, 200), []string{}, func(t *testing.T) authzCall {
		us := []*opentalent.User{f.newUser(t, sa), f.newUser(t, sb), f.newUser(t, oa)}
		var evs []any
		for _, u := range us {
			evs = append(evs, map[string]any{"userId": u.ID, "timestamp": time.Now().Add(-time.Minute).UnixMilli(), "typeAlias": "Video View", "actionData": map[string]any{"videoId": "v1"}})
		}
		inScope := map[string][]bool{kAdmin: {true, false, false}, kSystem: {true, false, false}, kSystemB: {false, true, false},
			kNetwork: {true, true, false}, kForeignNet: {false, false, true}}
		var kindOf string
		return authzCall{method: "POST", path: "/api/v2/activities", body: map[string]any{"events": evs},
			check: func(t *testing.T, kind string, r *apitest.Resp) {
				kindOf = kind
				checkIngestAnswer(t, r, inScope[kind])
			},
			after: func(t *testing.T, _ bool) {
				for i, u := range us {
					stored := kindOf != "" && inScope[kindOf][i]
					wantEq(t, "events stored for "+u.Email, f.count(t, `SELECT count(*) FROM events WHERE user_id = $1`, u.ID), map[bool]int{true: 1, false: 0}[stored])
				}
			}}
	}})

	// GET /reports/saved lists exactly the saved reports the viewer may see.
	listSaved := func(t *testing.T, kind string, r *apitest.Resp) {
		var out struct {
			SavedReports []struct {
				ID         string `json:"_id"`
				SystemID   string `json:"systemId"`
				OwnerEmail string `json:"ownerEmail"`
			} `json:"savedReports"`
			TotalCount int `json:"totalCount"`
		}
		r.JSON(t, &out)
		sg := f.sightOf(kind, true)
		listed := map[string]bool{}
		for _, s := range out.SavedReports {
			listed[s.ID] = true
			if !sg.allows(s.SystemID, s.OwnerEmail) {
				t.Errorf("lists saved report %s of system %s owned by %s", s.ID, s.SystemID, s.OwnerEmail)
			}
		}
		for _, s := range ins.saved {
			wantEq(t, "saved report "+s.id+" of "+s.email+" listed", listed[s.id], sg.allows(s.system, s.email))
		}
		if len(out.SavedReports) < 1000 {
			wantEq(t, "totalCount", out.TotalCount, len(out.SavedReports))
		}
	}
	add(authzRow{"GET /api/v2/reports/saved", "the viewer's saved reports", expect(403, 200, 200, 200, 200, 200, 200), nil,
		call("GET", "/api/v2/reports/saved?pageNumber=1&limit=1000", nil, listSaved)})

	// POST /reports/saved: the owner is the caller by default; only
	// administrators name another owner, who must be in scope.
	savedAs := func(system func(kind string) string, email func(kind string) string) func(*testing.T, string, *apitest.Resp) {
		return func(t *testing.T, kind string, r *apitest.Resp) {
			m := r.Map(t)
			wantEq(t, "systemId", m["systemId"], any(system(kind)))
			wantEq(t, "ownerEmail", m["ownerEmail"], any(email(kind)))
		}
	}
	saveFresh := func(s opentalent.Scope, extra map[string]any) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			u := f.newUser(t, s)
			body := map[string]any{"title": "Fresh", "filterModel": map[string]any{}, "ownerEmail": u.Email}
			for k, v := range extra {
				body[k] = v
			}
			return authzCall{method: "POST", path: "/api/v2/reports/saved", body: body,
				after: func(t *testing.T, changed bool) {
					wantEq(t, "saved reports of "+u.Email, f.count(t, `SELECT count(*) FROM saved_reports WHERE owner_user_id = $1`, u.ID), map[bool]int{true: 1, false: 0}[changed])
				}, check: savedAs(fixed(s.SystemID), func(string) string { return u.Email })}
		}
	}
	saveBody := func(ownerEmail string, filterModel map[string]any, systemID string) map[string]any {
		b := map[string]any{"title": "Matrix", "filterModel": filterModel}
		if ownerEmail != "" {
			b["ownerEmail"] = ownerEmail
		}
		if systemID != "" {
			b["systemId"] = systemID
		}
		return b
	}
	self := func(kind string) string {
		return map[string]string{kCoach: tn.Coach.Email, kAdmin: tn.Admin.Email}[kind]
	}
	const saved = "/api/v2/reports/saved"
	add(
		authzRow{"POST " + saved, "no ownerEmail", expect(403, 201, 201, 400, 400, 400, 400), nil,
			call("POST", saved, saveBody("", map[string]any{}, ""), savedAs(fixed(tn.SystemA), self))},
		authzRow{"POST " + saved, "owned by the Coach", expect(403, 201, 201, 201, 404, 201, 404), nil,
			call("POST", saved, saveBody(tn.Coach.Email, map[string]any{}, ""), savedAs(fixed(tn.SystemA), func(string) string { return tn.Coach.Email }))},
		authzRow{"POST " + saved, "owned by a user of A", expect(403, 403, 201, 201, 404, 201, 404), nil, saveFresh(sa, nil)},
		authzRow{"POST " + saved, "owned by a user of A, systemId=A", expect(403, 403, 201, 201, 404, 201, 404), nil, saveFresh(sa, map[string]any{"systemId": tn.SystemA})},
		authzRow{"POST " + saved, "owned by a user of B", expect(403, 403, 404, 404, 201, 201, 404), nil, saveFresh(sb, nil)},
		authzRow{"POST " + saved, "owned by a user of foreign network", expect(403, 403, 404, 404, 404, 404, 201), nil, saveFresh(oa, nil)},
		authzRow{"POST " + saved, "owned by nobody", expect(403, 403, 404, 404, 404, 404, 404), nil, call("POST", saved, saveBody(freshEmail("nobody"), map[string]any{}, ""), nil)},
		authzRow{"POST " + saved, "owned by A's Admin, systemId=B", expect(403, 404, 404, 404, 404, 404, 404), nil,
			call("POST", saved, saveBody(tn.Admin.Email, map[string]any{}, tn.SystemB), nil)},
		authzRow{"POST " + saved, "owned by A's Admin, filterModel.systemIds=[B]", expect(403, 403, 404, 404, 404, 404, 404), nil,
			call("POST", saved, saveBody(tn.Admin.Email, map[string]any{"systemIds": []string{tn.SystemB}}, ""), nil)},
		authzRow{"POST " + saved, "owned by B's Teacher, filterModel.systemIds=[B]", expect(403, 403, 404, 404, 201, 201, 404), nil,
			call("POST", saved, saveBody(tn.TeacherB.Email, map[string]any{"systemIds": []string{tn.SystemB}}, ""), savedAs(fixed(tn.SystemB), func(string) string { return tn.TeacherB.Email }))},
		authzRow{"POST " + saved, "owned by the Coach, filterModel.systemIds=[foreign]", expect(403, 404, 404, 404, 404, 404, 404), nil,
			call("POST", saved, saveBody(tn.Coach.Email, map[string]any{"systemIds": []string{other.SystemA}}, ""), nil)},
	)

	// GET and DELETE /reports/saved/{id}.
	getSaved := func(id string) func(*testing.T) authzCall {
		return call("GET", saved+"/"+id, nil, func(t *testing.T, _ string, r *apitest.Resp) {
			wantEq(t, "_id", r.Map(t)["_id"], any(id))
		})
	}
	add(
		authzRow{"GET /api/v2/reports/saved/{id}", "of A's Admin", expect(403, 404, 200, 200, 404, 200, 404), nil, getSaved(ins.savedAdminA.id)},
		authzRow{"GET /api/v2/reports/saved/{id}", "of the Coach", expect(403, 200, 200, 200, 404, 200, 404), nil, getSaved(ins.savedCoachA.id)},
		authzRow{"GET /api/v2/reports/saved/{id}", "of B", expect(403, 404, 404, 404, 200, 200, 404), nil, getSaved(ins.savedB.id)},
		authzRow{"GET /api/v2/reports/saved/{id}", "of foreign network", expect(403, 404, 404, 404, 404, 404, 200), nil, getSaved(ins.savedForeign.id)},
		authzRow{"GET /api/v2/reports/saved/{id}", "no such saved report", expect(403, 404, 404, 404, 404, 404, 404), nil, getSaved("svr_nosuchreport0000")},
	)
	deleteSaved := func(s opentalent.Scope, ownerEmail string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			sr, err := f.db.CreateSavedReport(context.Background(), opentalent.Viewer{Scope: s}, opentalent.NewSavedReport{OwnerEmail: ownerEmail, Title: "To delete", FilterModel: opentalent.BuilderFilter{}})
			if err != nil {
				t.Fatalf("fixture saved report: %v", err)
			}
			return authzCall{method: "DELETE", path: saved + "/" + sr.ID, after: func(t *testing.T, changed bool) {
				wantEq(t, "saved report "+sr.ID+" exists", f.count(t, `SELECT count(*) FROM saved_reports WHERE id = $1`, sr.ID), map[bool]int{true: 0, false: 1}[changed])
			}}
		}
	}
	add(
		authzRow{"DELETE /api/v2/reports/saved/{id}", "of A's Admin", expect(403, 404, 204, 204, 404, 204, 404), nil, deleteSaved(sa, tn.Admin.Email)},
		authzRow{"DELETE /api/v2/reports/saved/{id}", "of the Coach", expect(403, 204, 204, 204, 404, 204, 404), nil, deleteSaved(sa, tn.Coach.Email)},
		authzRow{"DELETE /api/v2/reports/saved/{id}", "of B", expect(403, 404, 404, 404, 204, 204, 404), nil, deleteSaved(sb, tn.TeacherB.Email)},
		authzRow{"DELETE /api/v2/reports/saved/{id}", "of foreign network", expect(403, 404, 404, 404, 404, 404, 204), nil, deleteSaved(oa, other.Admin.Email)},
		authzRow{"DELETE /api/v2/reports/saved/{id}", "no such saved report", expect(403, 404, 404, 404, 404, 404, 404), nil, call("DELETE", saved+"/svr_nosuchreport0000", nil, nil)},
	)

	// POST /reports/reportBuilder/data: rows of the caller's sight for
	// filterOptions, of the owner's for a saved report.
	rowsIn := func(sg func(kind string) sight) func(*testing.T, string, *apitest.Resp) {
		return func(t *testing.T, kind string, r *apitest.Resp) {
			var out struct {
				ReportData []opentalent.BuilderRow `json:"reportData"`
				Pagination struct {
					TotalCount int `json:"totalCount"`
				} `json:"pagination"`
			}
			r.JSON(t, &out)
			s := sg(kind)
			seen := map[string]bool{}
			for _, row := range out.ReportData {
				seen[row.Email] = true
				if !s.allows(row.SystemID, row.Email) {
					t.Errorf("row %s of %s in system %s is out of sight", row.ID, row.Email, row.SystemID)
				}
			}
			for _, e := range ins.events {
				if s.allows(e.system, e.email) && !seen[e.email] {
					t.Errorf("no row of %s (system %s)", e.email, e.system)
				}
			}
			if out.Pagination.TotalCount < len(out.ReportData) {
				t.Errorf("totalCount %d, %d rows", out.Pagination.TotalCount, len(out.ReportData))
			}
		}
	}
	sightOfKind := func(kind string) sight { return f.sightOf(kind, false) }
	of := func(s sight) func(string) sight { return func(string) sight { return s } }
	const data = "/api/v2/reports/reportBuilder/data"
	byFilter := func(fm map[string]any, sg func(string) sight) func(*testing.T) authzCall {
		return call("POST", data, map[string]any{"filterOptions": fm, "pageSize": 100}, rowsIn(sg))
	}
	byReport := func(id string, sg func(string) sight) func(*testing.T) authzCall {
		return call("POST", data, map[string]any{"reportId": id, "pageSize": 100}, rowsIn(sg))
	}
	add(
		authzRow{"POST " + data, "filterOptions, no systemIds", expect(403, 200, 200, 200, 200, 200, 200), nil, byFilter(map[string]any{}, sightOfKind)},
		authzRow{"POST " + data, "filterOptions, systemIds=[A]", expect(403, 200, 200, 200, 404, 200, 404), nil,
			byFilter(map[string]any{"systemIds": []string{tn.SystemA}}, func(kind string) sight {
				s := f.sightOf(kind, false)
				s.systems = []string{tn.SystemA}
				return s
			})},
		authzRow{"POST " + data, "filterOptions, systemIds=[B]", expect(403, 404, 404, 404, 200, 200, 404), nil,
			byFilter(map[string]any{"systemIds": []string{tn.SystemB}}, of(sight{[]string{tn.SystemB}, nil}))},
		authzRow{"POST " + data, "filterOptions, systemIds=[foreign]", expect(403, 404, 404, 404, 404, 404, 200), nil,
			byFilter(map[string]any{"systemIds": []string{other.SystemA}}, of(sight{[]string{other.SystemA}, nil}))},
		// A Coach's userEmails cannot widen the Coach's sight.
		authzRow{"POST " + data, "filterOptions, userEmails of A", expect(403, 200, 200, 200, 200, 200, 200), nil,
			byFilter(map[string]any{"userEmails": []string{tn.Admin.Email, tn.Teacher.Email, tn.Teacher2.Email}}, func(kind string) sight {
				s := f.sightOf(kind, false)
				if s.emails == nil {
					s.emails = []string{tn.Admin.Email, tn.Teacher.Email, tn.Teacher2.Email}
				} else {
					s.emails = []string{tn.Teacher.Email}
				}
				return s
			})},
		authzRow{"POST " + data, "saved report of A's Admin", expect(403, 404, 200, 200, 404, 200, 404), nil,
			byReport(ins.savedAdminA.id, of(sight{[]string{tn.SystemA}, nil}))},
		authzRow{"POST " + data, "saved report of the Coach", expect(403, 200, 200, 200, 404, 200, 404), nil,
			byReport(ins.savedCoachA.id, of(f.sightOf(kCoach, false)))},
		// B's saved report runs as its owner, a Teacher: their rows alone.
		authzRow{"POST " + data, "saved report of B", expect(403, 404, 404, 404, 200, 200, 404), nil,
			byReport(ins.savedB.id, of(sight{[]string{tn.SystemB}, []string{tn.TeacherB.Email}}))},
		authzRow{"POST " + data, "saved report of foreign network", expect(403, 404, 404, 404, 404, 404, 200), nil,
			byReport(ins.savedForeign.id, of(sight{[]string{other.SystemA}, nil}))},
		authzRow{"POST " + data, "no such saved report", expect(403, 404, 404, 404, 404, 404, 404), nil, byReport("svr_nosuchreport0000", nil)},
	)

	// GET /reports/{reportId}/csv needs no token: whoever holds a valid
	// signed link gets the file, whatever Authorization header comes
	// along; a link altered in any way is a 403.
	all := func(st int) map[string]int {
		m := map[string]int{}
		for _, k := range append(slices.Clone(unauthKinds), authedKinds...) {
			m[k] = st
		}
		return m
	}
	csvOf := func(email string) func(*testing.T, string, *apitest.Resp) {
		return func(t *testing.T, _ string, r *apitest.Resp) {
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("content type %q", ct)
			}
			body := string(r.Body)
			if !strings.HasPrefix(body, "userName,email,role,status,createdAt,lastSeen,logins,activeDays\n") && !strings.HasPrefix(body, "userName,email,role,status,createdAt,lastSeen,logins,activeDays\r\n") {
				t.Errorf("not the accountUsage CSV: %q", body)
			}
			if !strings.Contains(body, email) {
				t.Errorf("the CSV lacks %s: %q", email, body)
			}
		}
	}
	const csvRoute = "GET /api/v2/reports/{reportId}/csv"
	soon := time.Now().Add(30 * time.Minute).Unix()
	linkQuery := func(link string) url.Values {
		u, _ := url.Parse(link)
		return u.Query()
	}
	qa := linkQuery(ins.linkAdminA)
	add(
		authzRow{csvRoute, "signed link of A's report", all(200), nil, call("GET", ins.linkAdminA, nil, csvOf(tn.Admin.Email))},
		authzRow{csvRoute, "signed link of foreign network's report", all(200), nil, call("GET", ins.linkForeign, nil, csvOf(other.Admin.Email))},
		authzRow{csvRoute, "A's link, id swapped to B's report", all(403), nil, call("GET", strings.Replace(ins.linkAdminA, ins.repAdminA.id, ins.repB.id, 1), nil, nil)},
		authzRow{csvRoute, "A's link, id swapped to a foreign report", all(403), nil, call("GET", strings.Replace(ins.linkAdminA, ins.repAdminA.id, ins.repForeign.id, 1), nil, nil)},
		authzRow{csvRoute, "A's link, expiry changed", all(403), nil,
			call("GET", "/api/v2/reports/"+ins.repAdminA.id+"/csv?expires="+fmt.Sprint(soon)+"&signature="+qa.Get("signature"), nil, nil)},
		authzRow{csvRoute, "A's link, signature of another report", all(403), nil,
			call("GET", "/api/v2/reports/"+ins.repAdminA.id+"/csv?expires="+qa.Get("expires")+"&signature="+ins.sign(ins.repB.id, qa.Get("expires")), nil, nil)},
		authzRow{csvRoute, "A's link, no signature", all(403), nil, call("GET", "/api/v2/reports/"+ins.repAdminA.id+"/csv?expires="+qa.Get("expires"), nil, nil)},
		authzRow{csvRoute, "validly signed, expired", all(403), nil, call("GET", ins.csvPath(ins.repAdminA.id, ins.repAdminA.id, time.Now().Add(-time.Minute).Unix()), nil, nil)},
		authzRow{csvRoute, "validly signed, no such report", all(404), nil, call("GET", ins.csvPath("export_nosuchreport0000", "export_nosuchreport0000", soon), nil, nil)},
	)
	return rows
}

// hintProbe is a request of the no-hint check: the same request naming an
// object of tn (target) and an identifier that names nothing (ghost).
type hintProbe struct {
	route  string
	target string // the identifier of tn's object the request names
	ghost  string // an identifier of the same kind that names nothing
	req    func(id, sys string) (method, path string, body any)
}

// insightsProbes are the no-hint probes of the Insights and Report Builder
// routes. sys is a system of the viewer.
func (f *authzFixture) insightsProbes(nobodyEmail string) []hintProbe {
	tn, other, ins := f.tn, f.other, f.ins
	// A user the viewer may name as run-as user or owner in its system.
	ownUser := func(sys string) string {
		return map[string]string{tn.SystemB: tn.TeacherB.Email, other.SystemA: other.Admin.Email}[sys]
	}
	window := map[string]any{"startTime": time.Now().Add(-time.Hour).UnixMilli(), "endTime": time.Now().UnixMilli()}
	const noReport, noSaved, noSystem = "export_nosuchreport0000", "svr_nosuchreport0000", "sys_nosuchsystem0000"
	return []hintProbe{
		{"GET /api/v2/reports/{reportId}", ins.repAdminA.id, noReport, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/reports/" + id, nil
		}},
		{"GET /api/v2/reports/{reportId} (Coach's)", ins.repCoachA.id, noReport, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/reports/" + id, nil
		}},
		{"POST /api/v2/reports (email)", tn.Teacher.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": id, "filterOptions": window}
		}},
		{"POST /api/v2/reports (groupIds)", ins.g1A, "grp_nosuchgroup00000", func(id, sys string) (string, string, any) {
			return "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": ownUser(sys),
				"filterOptions": map[string]any{"startTime": window["startTime"], "endTime": window["endTime"], "groupIds": []string{id}}}
		}},
		{"POST /api/v2/reports (reportBuilder reportId)", ins.savedAdminA.id, noSaved, func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/reports", map[string]any{"report": "reportBuilder", "reportId": id}
		}},
		{"GET /api/v2/reports/filterOptions?systemId", tn.SystemA, noSystem, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/reports/filterOptions?systemId=" + id, nil
		}},
		{"GET /api/v2/reports/saved/{id}", ins.savedAdminA.id, noSaved, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/reports/saved/" + id, nil
		}},
		{"GET /api/v2/reports/saved/{id} (Coach's)", ins.savedCoachA.id, noSaved, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/reports/saved/" + id, nil
		}},
		{"DELETE /api/v2/reports/saved/{id}", ins.savedAdminA.id, noSaved, func(id, _ string) (string, string, any) {
			return "DELETE", "/api/v2/reports/saved/" + id, nil
		}},
		{"POST /api/v2/reports/saved (ownerEmail)", tn.Teacher.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/reports/saved", map[string]any{"title": "Hijacked", "filterModel": map[string]any{}, "ownerEmail": id}
		}},
		{"POST /api/v2/reports/saved (systemId)", tn.SystemA, noSystem, func(id, sys string) (string, string, any) {
			return "POST", "/api/v2/reports/saved", map[string]any{"title": "Hijacked", "filterModel": map[string]any{}, "ownerEmail": ownUser(sys), "systemId": id}
		}},
		{"POST /api/v2/reports/saved (filterModel.systemIds)", tn.SystemA, noSystem, func(id, sys string) (string, string, any) {
			return "POST", "/api/v2/reports/saved", map[string]any{"title": "Hijacked", "filterModel": map[string]any{"systemIds": []string{id}}, "ownerEmail": ownUser(sys)}
		}},
		{"POST /api/v2/reports/reportBuilder/data (reportId)", ins.savedAdminA.id, noSaved, func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/reports/reportBuilder/data", map[string]any{"reportId": id}
		}},
		{"POST /api/v2/reports/reportBuilder/data (systemIds)", tn.SystemA, noSystem, func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/reports/reportBuilder/data", map[string]any{"filterOptions": map[string]any{"systemIds": []string{id}}}
		}},
	}
}

// secretsOfA are the Insights objects of tn's system A that no other tenant
// nor system B may learn.
func (ins *insightsFixture) secretsOfA() []string {
	return []string{ins.repAdminA.id, ins.repCoachA.id, ins.savedAdminA.id, ins.savedCoachA.id, ins.secretTitle, ins.g1A}
}

// insightsState counts tn's report requests and saved reports.
type insightsState struct{ requests, saved int }

func (ins *insightsFixture) state(t *testing.T, f *authzFixture) insightsState {
	return insightsState{
		requests: f.count(t, `SELECT count(*) FROM report_requests WHERE network_id = $1`, f.tn.NetworkID),
		saved:    f.count(t, `SELECT count(*) FROM saved_reports WHERE system_id IN ($1, $2)`, f.tn.SystemA, f.tn.SystemB),
	}
}

// checkUntouched checks that the no-hint probes neither queued a report nor
// saved or deleted a saved report of tn.
func (ins *insightsFixture) checkUntouched(t *testing.T, f *authzFixture, before insightsState) {
	t.Helper()
	if after := ins.state(t, f); after != before {
		t.Errorf("another tenant changed tn's Insights objects: before %+v, after %+v", before, after)
	}
	for _, s := range []owned{ins.savedAdminA, ins.savedCoachA} {
		if f.count(t, `SELECT count(*) FROM saved_reports WHERE id = $1`, s.id) != 1 {
			t.Errorf("saved report %s of system A was deleted by another tenant", s.id)
		}
	}
}
