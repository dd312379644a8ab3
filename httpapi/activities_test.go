package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store/storetest"
)

func TestActivities(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		env := apitest.Start(t, engine)
		ts := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC).UnixMilli()
		t.Run("IngestIdempotentWithFailures", func(t *testing.T) {
			tn := env.NewTenant(t)
			body := fmt.Sprintf(`{"events":[
				{"_id":"e1","userId":%q,"timestamp":%d,"typeAlias":"Login"},
				{"_id":"e2","userId":%q,"timestamp":%d,"typeAlias":"Video Upload","actionData":{"videoId":"v1","videoTitle":"Fractions","duration":600}},
				{"userId":%q,"timestamp":%d,"typeAlias":"Rubric Score","actionData":{"rubricId":"r1","rubricName":"Core Rubric","score":3}},
				{"_id":"bad-user","userId":"usr_nobody","timestamp":%d,"typeAlias":"Login"},
				{"_id":"foreign","userId":%q,"timestamp":%d,"typeAlias":"Login"},
				{"_id":"no-ts","userId":%q,"typeAlias":"Login"},
				{"_id":"bad-data","userId":%q,"timestamp":%d,"typeAlias":"Login","actionData":[1]},
				{"_id":"extra","userId":%q,"timestamp":%d,"typeAlias":"Login","colour":"red"},
				"not an object"
			]}`, tn.Teacher.ID, ts, tn.Teacher.ID, ts+1000, tn.Coach.ID, ts+2000, ts, tn.TeacherB.ID, ts,
				tn.Teacher.ID, tn.Teacher.ID, ts, tn.Teacher.ID, ts)
			r := env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", body).Want(t, 200).Map(t)
			if n := len(r["successes"].([]any)); n != 3 {
				t.Fatalf("successes %d: %v", n, r)
			}
			var idx []string
			for _, f := range r["failures"].([]any) {
				m := f.(map[string]any)
				idx = append(idx, fmt.Sprint(m["index"]))
				if m["error"] == "" {
					t.Errorf("failure without a reason: %v", m)
				}
			}
			if strings.Join(idx, ",") != "3,4,5,6,7,8" {
				t.Fatalf("failure indexes %v", idx)
			}
			u := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/"+tn.Teacher.Email, nil).Want(t, 200).Map(t)
			if u["lastSeen"] != time.UnixMilli(ts+1000).UTC().Format(time.RFC3339) {
				t.Fatalf("lastSeen %v", u["lastSeen"])
			}
			// Re-sending changes nothing.
			r2 := env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", fmt.Sprintf(`{"events":[{"_id":"e1","userId":%q,"timestamp":%d,"typeAlias":"Login"}]}`, tn.Teacher.ID, ts+99999)).Want(t, 200).Map(t)
			if len(r2["successes"].([]any)) != 1 {
				t.Fatalf("resend %v", r2)
			}
			var n int
			var at int64
			if err := env.App.DB.Read.QueryRow(`SELECT count(*), max(ts) FROM events WHERE system_id = $1 AND id = 'e1'`, tn.SystemA).Scan(&n, &at); err != nil || n != 1 || at != ts {
				t.Fatalf("e1 stored %d times at %d (%v)", n, at, err)
			}
			var label string
			if err := env.App.DB.Read.QueryRow(`SELECT label FROM catalogue WHERE system_id = $1 AND kind = 'rubric' AND item_id = 'r1'`, tn.SystemA).Scan(&label); err != nil || label != "Core Rubric" {
				t.Fatalf("catalogue %q %v", label, err)
			}
		})
		t.Run("LoginActivatesInvited", func(t *testing.T) {
			tn := env.NewTenant(t)
			id := env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{"email": "inv@example.org", "role": "Teacher", "suppress_invite": false}).Want(t, http.StatusCreated).Map(t)["userId"].(string)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", fmt.Sprintf(`{"events":[{"userId":%q,"timestamp":%d,"typeAlias":"Login"}]}`, id, ts)).Want(t, 200)
			if st := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/inv@example.org", nil).Want(t, 200).Map(t)["status"]; st != "Active" {
				t.Fatalf("status %v", st)
			}
		})
		t.Run("ErrLimits", func(t *testing.T) {
			tn := env.NewTenant(t)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", `{}`).Problem(t, 400)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", `{"events":{}}`).Problem(t, 400)
			many := "{\"events\":[" + strings.Repeat(`{},`, 5000) + "{}]}"
			env.Do(t, tn.SystemToken, "POST", "/api/v2/activities", many).Problem(t, 400)
			env.Do(t, tn.Teacher.Token, "POST", "/api/v2/activities", `{"events":[]}`).Problem(t, 403)
		})
	})
}
