package httpapi_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/jobs"
	"github.com/opentalent/opentalent/store/storetest"
)

var day = time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC).UnixMilli()

// seedEvents ingests a few events for tn through the API.
func seedEvents(t *testing.T, env *apitest.Env, tn *apitest.Tenant) {
	t.Helper()
	body := fmt.Sprintf(`{"events":[
		{"userId":%q,"timestamp":%d,"typeAlias":"Login"},
		{"userId":%q,"timestamp":%d,"typeAlias":"Login"},
		{"userId":%q,"timestamp":%d,"typeAlias":"Rubric Score","actionData":{"rubricId":"r1","rubricName":"=Core Rubric","observationId":"o1","domain":"Planning","dimension":"Goals","score":3,"maxScore":4}},
		{"userId":%q,"timestamp":%d,"typeAlias":"Login"}
	]}`, tn.Teacher.ID, day, tn.Teacher.ID, day+3600_000, tn.Coach.ID, day+7200_000, tn.Teacher2.ID, day)
	r := env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", body).Want(t, 200).Map(t)
	if len(r["failures"].([]any)) != 0 {
		t.Fatalf("seed failures %v", r)
	}
}

func window() map[string]any {
	return map[string]any{"startTime": day - 86400_000, "endTime": day + 86400_000}
}

func TestReports(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		env := apitest.Start(t, engine, apitest.WithRetention(time.Hour))
		t.Run("LifecycleAndCSV", func(t *testing.T) {
			tn := env.NewTenant(t)
			seedEvents(t, env, tn)
			r := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": tn.Admin.Email, "filterOptions": window()}).Want(t, http.StatusAccepted).Map(t)
			id := r["insightsReportRequestId"].(string)
			if !strings.HasPrefix(id, "export_") {
				t.Fatalf("id %q", id)
			}
			done := env.WaitReport(t, tn.SystemToken, id).Want(t, 200).Map(t)
			if done["status"] != "complete" || done["rowCount"].(float64) != 4 {
				t.Fatalf("report %v", done)
			}
			data := done["reportData"].([]any)
			first := data[0].(map[string]any)
			if first["email"] != tn.Admin.Email || first["logins"].(float64) != 0 {
				t.Fatalf("first row %v", first)
			}
			link := done["csvDownloadUrl"].(string)
			if !strings.HasPrefix(link, env.URL+"/api/v2/reports/"+id+"/csv?") {
				t.Fatalf("link %s", link)
			}
			c := env.Get(t, link).Want(t, 200)
			rows, err := csv.NewReader(strings.NewReader(string(c.Body))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "userName,email,role,status,createdAt,lastSeen,logins,activeDays" || len(rows) != 5 {
				t.Fatalf("csv %q", rows)
			}
			for _, row := range rows[1:] {
				if row[1] == tn.Teacher.Email && (row[6] != "2" || row[7] != "1") {
					t.Fatalf("teacher row %q", row)
				}
			}
			env.Get(t, strings.Replace(link, "signature=", "signature=00", 1)).Problem(t, 403)
			env.Get(t, strings.Replace(link, "expires=", "expires=1", 1)).Problem(t, 403)
			env.Get(t, env.URL+"/api/v2/reports/"+id+"/csv").Problem(t, 403)
			// Another tenant cannot see the request.
			other := env.NewTenant(t)
			env.Do(t, other.SystemToken, "GET", "/api/v2/reports/"+id, nil).Problem(t, 404)
			env.Do(t, tn.SystemTokenB, "GET", "/api/v2/reports/"+id, nil).Problem(t, 404)
			list := env.Do(t, tn.SystemToken, "GET", "/api/v2/reports?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			if list["totalCount"].(float64) != 1 {
				t.Fatalf("list %v", list)
			}
			notes := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/"+tn.Admin.Email+"/notifications?pageNumber=1&limit=5", nil).Want(t, 200)
			if !strings.Contains(string(notes.Body), "accountUsage report is ready") {
				t.Fatalf("no ready notification: %s", notes.Body)
			}
		})
		t.Run("CSVInjection", func(t *testing.T) {
			tn := env.NewTenant(t)
			seedEvents(t, env, tn)
			id := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "rubricUsage", "email": tn.Admin.Email, "filterOptions": window()}).Want(t, 202).Map(t)["insightsReportRequestId"].(string)
			done := env.WaitReport(t, tn.SystemToken, id).Want(t, 200).Map(t)
			body := string(env.Get(t, done["csvDownloadUrl"].(string)).Want(t, 200).Body)
			if !strings.Contains(body, "'=Core Rubric") {
				t.Fatalf("formula not neutralised: %q", body)
			}
		})
		t.Run("CoachScope", func(t *testing.T) {
			tn := env.NewTenant(t)
			seedEvents(t, env, tn)
			id := env.Do(t, tn.Coach.Token, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": tn.Coach.Email, "filterOptions": window()}).Want(t, 202).Map(t)["insightsReportRequestId"].(string)
			done := env.WaitReport(t, tn.Coach.Token, id).Want(t, 200)
			if strings.Contains(string(done.Body), tn.Teacher2.Email) || !strings.Contains(string(done.Body), tn.Teacher.Email) {
				t.Fatalf("coach report scope: %s", done.Body)
			}
			env.Do(t, tn.Coach.Token, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": tn.Admin.Email, "filterOptions": window()}).Problem(t, 403)
			env.Do(t, tn.Teacher.Token, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": tn.Teacher.Email, "filterOptions": window()}).Problem(t, 403)
		})
		t.Run("ErrValidation", func(t *testing.T) {
			tn := env.NewTenant(t)
			w := window()
			cases := map[string]any{
				"unknown type":          map[string]any{"report": "nope", "email": tn.Admin.Email, "filterOptions": w},
				"no type":               map[string]any{"email": tn.Admin.Email, "filterOptions": w},
				"no filterOptions":      map[string]any{"report": "goals", "email": tn.Admin.Email},
				"no email":              map[string]any{"report": "goals", "filterOptions": w},
				"reportId refused":      map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": w, "reportId": "x"},
				"builder needs id":      map[string]any{"report": "reportBuilder"},
				"builder no filters":    map[string]any{"report": "reportBuilder", "reportId": "x", "filterOptions": w},
				"unknown filter":        map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"startTime": 1, "endTime": 2, "colour": "red"}},
				"filter not accepted":   map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"startTime": 1, "endTime": 2, "forumId": "f"}},
				"required filter":       map[string]any{"report": "domainsAndDimensions", "email": tn.Admin.Email, "filterOptions": w},
				"no startTime":          map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"endTime": 2}},
				"end before start":      map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"startTime": 5, "endTime": 2}},
				"bad role":              map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"startTime": 1, "endTime": 2, "roles": []string{"Boss"}}},
				"unknown group":         map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": map[string]any{"startTime": 1, "endTime": 2, "groupIds": []string{"grp_nope"}}},
				"filterOptions not obj": map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": []int{1}},
			}
			for name, body := range cases {
				t.Run(name, func(t *testing.T) {
					env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", body).Problem(t, 400)
				})
			}
			env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "goals", "email": tn.TeacherB.Email, "filterOptions": w}).Problem(t, 404)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "reportBuilder", "reportId": "srp_nope"}).Problem(t, 404)
			list := env.Do(t, tn.SystemToken, "GET", "/api/v2/reports?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			if list["totalCount"].(float64) != 0 {
				t.Fatalf("a refused request was stored: %v", list)
			}
		})
		t.Run("FilterOptions", func(t *testing.T) {
			tn := env.NewTenant(t)
			seedEvents(t, env, tn)
			f := env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/filterOptions", nil).Want(t, 200).Map(t)
			rubrics := fmt.Sprint(f["filterOptions"].(map[string]any)["rubricId"])
			if !strings.Contains(rubrics, "=Core Rubric") || !strings.Contains(rubrics, "r1") {
				t.Fatalf("rubric options %s", rubrics)
			}
			reports := f["reports"].(map[string]any)
			if len(reports) != 21 {
				t.Fatalf("%d report types", len(reports))
			}
			dd := fmt.Sprint(reports["domainsAndDimensions"].(map[string]any)["required"])
			if !strings.Contains(dd, "rubricId") {
				t.Fatalf("domainsAndDimensions required %s", dd)
			}
			env.Do(t, tn.NetworkToken, "GET", "/api/v2/reports/filterOptions", nil).Problem(t, 400)
			env.Do(t, tn.NetworkToken, "GET", "/api/v2/reports/filterOptions?systemId="+tn.SystemB, nil).Want(t, 200)
			env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/filterOptions?systemId="+tn.SystemB, nil).Problem(t, 404)
		})
		t.Run("Retention", func(t *testing.T) {
			tn := env.NewTenant(t)
			id := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "goals", "email": tn.Admin.Email, "filterOptions": window()}).Want(t, 202).Map(t)["insightsReportRequestId"].(string)
			link := env.WaitReport(t, tn.SystemToken, id).Want(t, 200).Map(t)["csvDownloadUrl"].(string)
			db := env.App.DB
			if _, err := db.Write.Exec(`UPDATE report_requests SET expires_at = 1 WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			w := &jobs.RetentionWorker{DB: db, Bucket: env.App.Bucket, Logger: env.App.Config.Logger}
			if err := w.Work(context.Background(), &river.Job[jobs.RetentionArgs]{}); err != nil {
				t.Fatal(err)
			}
			env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/"+id, nil).Problem(t, 410)
			env.Get(t, link).Problem(t, 404)
			if ok, _ := env.App.Bucket.Exists(context.Background(), "reports/"+id+".csv"); ok {
				t.Fatal("file survived retention")
			}
		})
	})
}
