package httpapi_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store/storetest"
)

// builderEvent is an event fixture; its index is its ingestion order.
type builderEvent struct {
	id, system, email, typ string
	ts                     int64
}

// builderFixture writes events straight into the events table: 60 in
// system A spread over the tenant's four users of A, two per timestamp, 8
// hours apart over the last 10 days, and 7 in system B.
func builderFixture(t *testing.T, env *apitest.Env, tn *apitest.Tenant) []builderEvent {
	t.Helper()
	ctx := context.Background()
	db := env.App.DB
	ids := map[string]string{}
	for _, m := range []struct {
		sys   string
		email string
	}{{tn.SystemA, tn.Admin.Email}, {tn.SystemA, tn.Coach.Email}, {tn.SystemA, tn.Teacher.Email}, {tn.SystemA, tn.Teacher2.Email}, {tn.SystemB, tn.TeacherB.Email}} {
		u, err := db.FindUserByEmail(ctx, opentalent.Scope{NetworkID: tn.NetworkID, SystemID: m.sys}, m.email)
		if err != nil {
			t.Fatal(err)
		}
		ids[m.email] = u.ID
	}
	base := time.Now().Add(-10*24*time.Hour + time.Hour).UnixMilli()
	types := []string{"Login", "Video Upload", "File Upload"}
	usersA := []string{tn.Admin.Email, tn.Coach.Email, tn.Teacher.Email, tn.Teacher2.Email}
	var evs []builderEvent
	for i := range 60 {
		// Inserted newest-pair first within each day, so ingestion order is not timestamp order.
		evs = append(evs, builderEvent{id: fmt.Sprintf("a%02d", i), system: tn.SystemA, email: usersA[i%4], typ: types[i%3], ts: base + int64((59-i)/2)*8*3600_000})
	}
	for i := range 7 {
		evs = append(evs, builderEvent{id: fmt.Sprintf("b%02d", i), system: tn.SystemB, email: tn.TeacherB.Email, typ: types[i%3], ts: base + int64(i)*3600_000})
	}
	for _, e := range evs {
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.system, e.id, ids[e.email], e.ts, e.typ, `{"k":"`+e.id+`"}`); err != nil {
			t.Fatal(err)
		}
	}
	return evs
}

// naive returns the ids of the events keep accepts, by timestamp then
// ingestion order.
func naive(evs []builderEvent, keep func(builderEvent) bool) []string {
	var sel []builderEvent
	for _, e := range evs {
		if keep(e) {
			sel = append(sel, e)
		}
	}
	slices.SortStableFunc(sel, func(a, b builderEvent) int { return cmp.Compare(a.ts, b.ts) })
	out := []string{}
	for _, e := range sel {
		out = append(out, e.id)
	}
	return out
}

func dataIDs(m map[string]any) []string {
	out := []string{}
	for _, r := range m["reportData"].([]any) {
		out = append(out, r.(map[string]any)["_id"].(string))
	}
	return out
}

// allPages fetches every page of a Report Builder query at pageSize 10 and
// checks the counters of each.
func allPages(t *testing.T, env *apitest.Env, token string, body map[string]any) []string {
	t.Helper()
	var all []string
	for page := 1; ; page++ {
		b := map[string]any{"pageSize": 10, "pageNumber": page}
		for k, v := range body {
			b[k] = v
		}
		m := env.Do(t, token, "POST", "/api/v2/reports/reportBuilder/data", b).Want(t, http.StatusOK).Map(t)
		p := m["pagination"].(map[string]any)
		total := int(p["totalCount"].(float64))
		if int(p["pageNumber"].(float64)) != page || int(p["pageSize"].(float64)) != 10 || int(p["totalPages"].(float64)) != (total+9)/10 {
			t.Fatalf("pagination %v", p)
		}
		ids := dataIDs(m)
		if page > (total+9)/10 {
			if len(ids) != 0 {
				t.Fatalf("page %d past the end has rows %v", page, ids)
			}
			if len(all) != total {
				t.Fatalf("pages hold %d rows, totalCount %d", len(all), total)
			}
			return all
		}
		if want := min(10, total-len(all)); len(ids) != want {
			t.Fatalf("page %d has %d rows, want %d", page, len(ids), want)
		}
		all = append(all, ids...)
	}
}

func TestBuilder(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		env := apitest.Start(t, engine)
		const data = "/api/v2/reports/reportBuilder/data"

		t.Run("SavedReports", func(t *testing.T) {
			t.Parallel()
			tn, other := env.NewTenant(t), env.NewTenant(t)
			create := func(token string, body map[string]any) *apitest.Resp {
				return env.Do(t, token, "POST", "/api/v2/reports/saved", body)
			}
			fm := map[string]any{"typeAliases": []string{"Login"}, "lastDays": 30, "columns": []string{"timestamp", "email"}}
			create(tn.SystemToken, map[string]any{"title": "No owner", "filterModel": fm}).Problem(t, 400)
			r := create(tn.SystemToken, map[string]any{"title": " Beta ", "filterModel": fm, "ownerEmail": strings.ToUpper(tn.Admin.Email)}).Want(t, http.StatusCreated).Map(t)
			if r["title"] != "Beta" || r["ownerEmail"] != tn.Admin.Email || r["systemId"] != tn.SystemA || !strings.HasPrefix(r["_id"].(string), "svr_") {
				t.Fatalf("created %v", r)
			}
			if got := fmt.Sprint(r["filterModel"]); got != "map[columns:[timestamp email] lastDays:30 typeAliases:[Login]]" {
				t.Fatalf("filterModel %s", got)
			}
			beta := r["_id"].(string)
			forCoach := create(tn.Admin.Token, map[string]any{"title": "Alpha", "filterModel": map[string]any{}, "ownerEmail": tn.Coach.Email}).Want(t, 201).Map(t)
			if forCoach["ownerEmail"] != tn.Coach.Email {
				t.Fatalf("admin saved for coach: %v", forCoach)
			}
			own := create(tn.Coach.Token, map[string]any{"title": "Gamma", "filterModel": map[string]any{}}).Want(t, 201).Map(t)
			if own["ownerEmail"] != tn.Coach.Email {
				t.Fatalf("coach's own: %v", own)
			}
			net := create(tn.NetworkToken, map[string]any{"title": "Delta", "filterModel": map[string]any{}, "ownerEmail": tn.TeacherB.Email}).Want(t, 201).Map(t)
			if net["systemId"] != tn.SystemB {
				t.Fatalf("network token saved in %v", net["systemId"])
			}

			t.Run("ErrCreate", func(t *testing.T) {
				for name, c := range map[string]struct {
					token  string
					body   map[string]any
					status int
				}{
					"coach for admin":     {tn.Coach.Token, map[string]any{"title": "x", "filterModel": fm, "ownerEmail": tn.Admin.Email}, 403},
					"teacher":             {tn.Teacher.Token, map[string]any{"title": "x", "filterModel": fm}, 403},
					"owner elsewhere":     {tn.SystemToken, map[string]any{"title": "x", "filterModel": fm, "ownerEmail": other.Admin.Email}, 404},
					"owner in B":          {tn.SystemToken, map[string]any{"title": "x", "filterModel": fm, "ownerEmail": tn.TeacherB.Email}, 404},
					"owner not in system": {tn.NetworkToken, map[string]any{"title": "x", "filterModel": fm, "ownerEmail": tn.TeacherB.Email, "systemId": tn.SystemA}, 404},
					"system elsewhere":    {tn.SystemToken, map[string]any{"title": "x", "filterModel": fm, "ownerEmail": tn.Admin.Email, "systemId": tn.SystemB}, 404},
					"systemIds outside":   {tn.Admin.Token, map[string]any{"title": "x", "filterModel": map[string]any{"systemIds": []string{other.SystemA}}}, 404},
					"empty title":         {tn.Admin.Token, map[string]any{"title": "  ", "filterModel": fm}, 400},
					"long title":          {tn.Admin.Token, map[string]any{"title": strings.Repeat("t", 201), "filterModel": fm}, 400},
					"no filterModel":      {tn.Admin.Token, map[string]any{"title": "x"}, 400},
					"bad column":          {tn.Admin.Token, map[string]any{"title": "x", "filterModel": map[string]any{"columns": []string{"secret"}}}, 400},
					"unknown field":       {tn.Admin.Token, map[string]any{"title": "x", "filterModel": fm, "tilte": "typo"}, 400},
					"unknown filter key":  {tn.Admin.Token, map[string]any{"title": "x", "filterModel": map[string]any{"typeAlias": "Login"}}, 400},
					"lastDays and start":  {tn.Admin.Token, map[string]any{"title": "x", "filterModel": map[string]any{"lastDays": 3, "startTime": 1}}, 400},
				} {
					t.Run(name, func(t *testing.T) { create(c.token, c.body).Problem(t, c.status) })
				}
			})

			list := func(token string) []string {
				m := env.Do(t, token, "GET", "/api/v2/reports/saved?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
				var titles []string
				for _, r := range m["savedReports"].([]any) {
					titles = append(titles, r.(map[string]any)["title"].(string))
				}
				if int(m["totalCount"].(float64)) != len(titles) {
					t.Fatalf("list %v", m)
				}
				return titles
			}
			for token, want := range map[string]string{
				tn.SystemToken: "[Alpha Beta Gamma]", tn.Admin.Token: "[Alpha Beta Gamma]", tn.Coach.Token: "[Alpha Gamma]",
				tn.NetworkToken: "[Alpha Beta Delta Gamma]", tn.SystemTokenB: "[Delta]", other.NetworkToken: "[]",
			} {
				if got := fmt.Sprint(list(token)); got != want {
					t.Errorf("list: got %s, want %s", got, want)
				}
			}
			env.Do(t, tn.Teacher.Token, "GET", "/api/v2/reports/saved?pageNumber=1&limit=10", nil).Problem(t, 403)
			env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/saved?pageNumber=1", nil).Problem(t, 400)
			p := env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/saved?pageNumber=2&limit=2", nil).Want(t, 200).Map(t)
			if len(p["savedReports"].([]any)) != 1 || p["pageCount"].(float64) != 2 {
				t.Fatalf("page 2: %v", p)
			}

			got := env.Do(t, tn.NetworkToken, "GET", "/api/v2/reports/saved/"+beta, nil).Want(t, 200).Map(t)
			if fmt.Sprint(got) != fmt.Sprint(r) {
				t.Fatalf("get %v, created %v", got, r)
			}
			for _, token := range []string{tn.Coach.Token, tn.SystemTokenB, other.SystemToken, other.NetworkToken} {
				env.Do(t, token, "GET", "/api/v2/reports/saved/"+beta, nil).Problem(t, 404)
				env.Do(t, token, "DELETE", "/api/v2/reports/saved/"+beta, nil).Problem(t, 404)
			}
			env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/elsewhere/"+beta, nil).Problem(t, 404)
			env.Do(t, tn.Coach.Token, "DELETE", "/api/v2/reports/saved/"+own["_id"].(string), nil).Want(t, http.StatusNoContent)
			env.Do(t, tn.SystemToken, "DELETE", "/api/v2/reports/saved/"+beta, nil).Want(t, http.StatusNoContent)
			env.Do(t, tn.SystemToken, "GET", "/api/v2/reports/saved/"+beta, nil).Problem(t, 404)
			env.Do(t, tn.SystemToken, "DELETE", "/api/v2/reports/saved/"+beta, nil).Problem(t, 404)
			if got := fmt.Sprint(list(tn.SystemToken)); got != "[Alpha]" {
				t.Fatalf("after delete %s", got)
			}
		})

		t.Run("Data", func(t *testing.T) {
			t.Parallel()
			tn := env.NewTenant(t)
			evs := builderFixture(t, env, tn)
			inA := func(e builderEvent) bool { return e.system == tn.SystemA }
			want := naive(evs, inA)
			if got := allPages(t, env, tn.SystemToken, map[string]any{"filterOptions": map[string]any{}}); !slices.Equal(got, want) {
				t.Fatalf("pages %v\nwant %v", got, want)
			}
			m := env.Do(t, tn.SystemToken, "POST", data, map[string]any{"filterOptions": map[string]any{}}).Want(t, 200).Map(t)
			if v, ok := m["reportId"]; !ok || v != nil {
				t.Fatalf("reportId %v", m)
			}
			if v, ok := m["savedReportTitle"]; !ok || v != nil {
				t.Fatalf("savedReportTitle %v", m)
			}
			if p := m["pagination"].(map[string]any); p["pageSize"].(float64) != 50 || p["pageNumber"].(float64) != 1 || p["totalPages"].(float64) != 2 {
				t.Fatalf("default pagination %v", p)
			}
			first := m["reportData"].([]any)[0].(map[string]any)
			e := evs[slices.IndexFunc(evs, func(e builderEvent) bool { return e.id == want[0] })]
			if first["email"] != e.email || first["systemId"] != tn.SystemA || !strings.HasPrefix(first["systemName"].(string), "System A") ||
				first["userName"] == "" || first["typeAlias"] != e.typ || first["timestamp"].(float64) != float64(e.ts) || fmt.Sprint(first["actionData"]) != "map[k:"+e.id+"]" {
				t.Fatalf("row %v, event %+v", first, e)
			}

			now := time.Now().UnixMilli()
			lastDaysStart := now - now%60_000 - 3*86_400_000
			mid := evs[20].ts
			for name, c := range map[string]struct {
				filter map[string]any
				keep   func(builderEvent) bool
			}{
				"typeAliases": {map[string]any{"typeAliases": []string{"Login", "File Upload"}}, func(e builderEvent) bool { return inA(e) && e.typ != "Video Upload" }},
				"window":      {map[string]any{"startTime": mid - 1, "endTime": mid + 3*8*3600_000}, func(e builderEvent) bool { return inA(e) && e.ts >= mid-1 && e.ts < mid+3*8*3600_000 }},
				"lastDays":    {map[string]any{"lastDays": 3}, func(e builderEvent) bool { return inA(e) && e.ts >= lastDaysStart }},
				"userEmails":  {map[string]any{"userEmails": []string{" " + strings.ToUpper(tn.Teacher.Email)}}, func(e builderEvent) bool { return e.email == tn.Teacher.Email }},
				"groupName":   {map[string]any{"groupIds": []string{"g2"}}, func(e builderEvent) bool { return e.email == tn.Teacher2.Email }},
				"unknownUser": {map[string]any{"userEmails": []string{"nobody@example.org"}}, func(builderEvent) bool { return false }},
				"unknownGrp":  {map[string]any{"groupIds": []string{"grp_nope"}}, func(builderEvent) bool { return false }},
				"columns":     {map[string]any{"columns": []string{"timestamp", "typeAlias"}}, inA},
			} {
				t.Run(name, func(t *testing.T) {
					if got, want := allPages(t, env, tn.SystemToken, map[string]any{"filterOptions": c.filter}), naive(evs, c.keep); !slices.Equal(got, want) {
						t.Fatalf("got %v\nwant %v", got, want)
					}
				})
			}

			t.Run("ReportID", func(t *testing.T) {
				sr := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports/saved", map[string]any{"title": "Videos", "ownerEmail": tn.Admin.Email,
					"filterModel": map[string]any{"typeAliases": []string{"Video Upload"}}}).Want(t, 201).Map(t)
				id := sr["_id"].(string)
				m := env.Do(t, tn.Admin.Token, "POST", data, map[string]any{"reportId": id, "pageSize": 10}).Want(t, 200).Map(t)
				if m["reportId"] != id || m["savedReportTitle"] != "Videos" {
					t.Fatalf("response %v", m)
				}
				if got, want := allPages(t, env, tn.NetworkToken, map[string]any{"reportId": id}), naive(evs, func(e builderEvent) bool { return inA(e) && e.typ == "Video Upload" }); !slices.Equal(got, want) {
					t.Fatalf("got %v\nwant %v", got, want)
				}
			})
		})

		t.Run("Validation", func(t *testing.T) {
			t.Parallel()
			tn, other := env.NewTenant(t), env.NewTenant(t)
			sr := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports/saved", map[string]any{"title": "R", "ownerEmail": tn.Admin.Email, "filterModel": map[string]any{}}).Want(t, 201).Map(t)
			id := sr["_id"].(string)
			for name, c := range map[string]struct {
				token  string
				body   any
				status int
				detail string
			}{
				"both":            {tn.SystemToken, map[string]any{"reportId": id, "filterOptions": map[string]any{}}, 400, "either reportId or filterOptions"},
				"neither":         {tn.SystemToken, map[string]any{"pageSize": 10}, 400, "either reportId or filterOptions"},
				"pageSize 9":      {tn.SystemToken, map[string]any{"filterOptions": map[string]any{}, "pageSize": 9}, 400, "pageSize"},
				"pageSize 101":    {tn.SystemToken, map[string]any{"filterOptions": map[string]any{}, "pageSize": 101}, 400, "pageSize"},
				"pageSize text":   {tn.SystemToken, `{"filterOptions":{},"pageSize":"ten"}`, 400, "pageSize"},
				"pageNumber 0":    {tn.SystemToken, map[string]any{"filterOptions": map[string]any{}, "pageNumber": 0}, 400, "pageNumber"},
				"bad column":      {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"columns": []string{"_id", "password"}}}, 400, "password"},
				"lastDays 0":      {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"lastDays": 0}}, 400, "lastDays"},
				"lastDays+end":    {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"lastDays": 2, "endTime": 5}}, 400, "lastDays"},
				"start after end": {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"startTime": 10, "endTime": 10}}, 400, "endTime"},
				"unknown filter":  {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"typeAlias": "Login"}}, 400, "typeAlias"},
				"unknown field":   {tn.SystemToken, map[string]any{"filterOptions": map[string]any{}, "limit": 10}, 400, "limit"},
				"not json":        {tn.SystemToken, `{"filterOptions":`, 400, ""},
				"other system":    {tn.SystemToken, map[string]any{"filterOptions": map[string]any{"systemIds": []string{tn.SystemB}}}, 404, ""},
				"other tenant":    {tn.NetworkToken, map[string]any{"filterOptions": map[string]any{"systemIds": []string{tn.SystemA, other.SystemA}}}, 404, ""},
				"unknown report":  {tn.SystemToken, map[string]any{"reportId": "svr_nope"}, 404, ""},
				"foreign report":  {other.SystemToken, map[string]any{"reportId": id}, 404, ""},
				"report in A":     {tn.SystemTokenB, map[string]any{"reportId": id}, 404, ""},
				"teacher":         {tn.Teacher.Token, map[string]any{"filterOptions": map[string]any{}}, 403, ""},
				"no token":        {"", map[string]any{"filterOptions": map[string]any{}}, 401, ""},
			} {
				t.Run(name, func(t *testing.T) {
					p := env.Do(t, c.token, "POST", data, c.body).Problem(t, c.status)
					if !strings.Contains(p["detail"].(string), c.detail) {
						t.Fatalf("detail %q lacks %q", p["detail"], c.detail)
					}
				})
			}
		})

		t.Run("Tenancy", func(t *testing.T) {
			t.Parallel()
			tn := env.NewTenant(t)
			evs := builderFixture(t, env, tn)
			by := func(emails ...string) func(builderEvent) bool {
				return func(e builderEvent) bool { return slices.Contains(emails, e.email) }
			}
			all := map[string]any{"filterOptions": map[string]any{}}
			check := func(name, token string, body map[string]any, keep func(builderEvent) bool) {
				t.Run(name, func(t *testing.T) {
					if got, want := allPages(t, env, token, body), naive(evs, keep); !slices.Equal(got, want) {
						t.Fatalf("got %v\nwant %v", got, want)
					}
				})
			}
			saved := func(owner string) map[string]any {
				sr := env.Do(t, tn.SystemToken, "POST", "/api/v2/reports/saved", map[string]any{"title": "As " + owner, "ownerEmail": owner, "filterModel": map[string]any{}}).Want(t, 201).Map(t)
				return map[string]any{"reportId": sr["_id"]}
			}
			check("Coach", tn.Coach.Token, all, by(tn.Coach.Email, tn.Teacher.Email))
			check("Admin", tn.Admin.Token, all, func(e builderEvent) bool { return e.system == tn.SystemA })
			check("System", tn.SystemToken, all, func(e builderEvent) bool { return e.system == tn.SystemA })
			check("SystemB", tn.SystemTokenB, all, by(tn.TeacherB.Email))
			check("Network", tn.NetworkToken, all, func(builderEvent) bool { return true })
			check("NetworkSystemB", tn.NetworkToken, map[string]any{"filterOptions": map[string]any{"systemIds": []string{tn.SystemB}}}, by(tn.TeacherB.Email))
			check("CoachFilterCannotWiden", tn.Coach.Token, map[string]any{"filterOptions": map[string]any{"userEmails": []string{tn.Teacher2.Email, tn.Teacher.Email}}}, by(tn.Teacher.Email))
			// A saved report runs as its owner, whoever reads it.
			check("SavedAsTeacher", tn.SystemToken, saved(tn.Teacher.Email), by(tn.Teacher.Email))
			check("SavedAsCoachReadByAdmin", tn.Admin.Token, saved(tn.Coach.Email), by(tn.Coach.Email, tn.Teacher.Email))
			check("SavedAsAdminReadByNetwork", tn.NetworkToken, saved(tn.Admin.Email), func(e builderEvent) bool { return e.system == tn.SystemA })
		})
	})
}
