package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store/storetest"
)

func TestUsers(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		env := apitest.Start(t, engine)
		t.Run("CreateGetUpdate", func(t *testing.T) {
			tn := env.NewTenant(t)
			r := env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{
				"email": "  Jane.Doe@Example.ORG ", "role": "Teacher", "name": "Jane Doe", "groups": []string{"g1"},
			}).Want(t, http.StatusCreated)
			if id := r.Map(t)["userId"].(string); !strings.HasPrefix(id, "usr_") {
				t.Fatalf("userId %q", id)
			}
			u := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/JANE.DOE@example.org", nil).Want(t, 200).Map(t)
			if u["email"] != "jane.doe@example.org" || u["status"] != "Invited" || u["role"] != "Teacher" || u["lastSeen"] != nil {
				t.Fatalf("user %v", u)
			}
			if g := u["groups"].([]any); len(g) != 1 || g[0] != "G1" {
				t.Fatalf("groups %v", g)
			}
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/users/jane.doe@example.org", map[string]any{"role": "Coach", "groups": []string{"G2"}, "name": "Jane D"}).Want(t, 200)
			u = env.Do(t, tn.SystemToken, "GET", "/api/v2/users/jane.doe@example.org", nil).Want(t, 200).Map(t)
			if u["role"] != "Coach" || u["name"] != "Jane D" || u["groups"].([]any)[0] != "G2" {
				t.Fatalf("after update %v", u)
			}
			notes := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/jane.doe@example.org/notifications?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			var msgs []string
			for _, n := range notes["notifications"].([]any) {
				msgs = append(msgs, n.(map[string]any)["message"].(string))
			}
			all := strings.Join(msgs, "|")
			for _, want := range []string{"invited", `added to the group "G1"`, `removed from the group "G1"`, `added to the group "G2"`, "role changed from Teacher to Coach"} {
				if !strings.Contains(all, want) {
					t.Errorf("notifications %q lack %q", all, want)
				}
			}
		})
		t.Run("ErrDuplicateEmail", func(t *testing.T) {
			tn := env.NewTenant(t)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{"email": strings.ToUpper(tn.Teacher.Email), "role": "Teacher"}).Problem(t, 409)
		})
		t.Run("ErrValidation", func(t *testing.T) {
			tn := env.NewTenant(t)
			for name, body := range map[string]string{
				"bad email":     `{"email":"not-an-email","role":"Teacher"}`,
				"bad role":      `{"email":"x@example.org","role":"Boss"}`,
				"no role":       `{"email":"x@example.org"}`,
				"unknown field": `{"email":"x@example.org","role":"Teacher","nmae":"typo"}`,
				"not json":      `{"email":`,
				"array":         `[]`,
				"wrong type":    `{"email":5,"role":"Teacher"}`,
				"trailing":      `{"email":"x@example.org","role":"Teacher"} {}`,
				"unknown group": `{"email":"x@example.org","role":"Teacher","groups":["G1","Nope","Nada"]}`,
				"empty":         ``,
			} {
				t.Run(name, func(t *testing.T) {
					p := env.Do(t, tn.SystemToken, "POST", "/api/v2/users", body).Problem(t, 400)
					if name == "unknown group" && (!strings.Contains(p["detail"].(string), "Nope") || !strings.Contains(p["detail"].(string), "Nada")) {
						t.Fatalf("unknown groups not listed: %v", p)
					}
				})
			}
			// Nothing was created by any of them.
			r := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/x@example.org", nil)
			r.Problem(t, 404)
		})
		t.Run("ErrBodyTooLarge", func(t *testing.T) {
			tn := env.NewTenant(t)
			big := `{"email":"x@example.org","role":"Teacher","name":"` + strings.Repeat("a", 11<<20) + `"}`
			env.Do(t, tn.SystemToken, "POST", "/api/v2/users", big).Problem(t, 413)
		})
		t.Run("ListFilters", func(t *testing.T) {
			tn := env.NewTenant(t)
			list := func(q string) map[string]any {
				return env.Do(t, tn.SystemToken, "GET", "/api/v2/users?"+q, nil).Want(t, 200).Map(t)
			}
			all := list("pageNumber=1&limit=2")
			if all["totalCount"].(float64) != 4 || all["pageCount"].(float64) != 2 || all["usersListedCount"].(float64) != 2 {
				t.Fatalf("page %v", all)
			}
			emails := func(m map[string]any) []string {
				var out []string
				for _, u := range m["users"].([]any) {
					out = append(out, u.(map[string]any)["email"].(string))
				}
				return out
			}
			if got := emails(list("pageNumber=1&limit=10&role=Teacher")); len(got) != 2 {
				t.Fatalf("teachers %v", got)
			}
			if got := emails(list("pageNumber=1&limit=10&group=g1")); len(got) != 2 || got[0] != tn.Coach.Email {
				t.Fatalf("group g1 %v", got)
			}
			if got := emails(list("pageNumber=1&limit=10&q=TEACHER2")); len(got) != 1 || got[0] != tn.Teacher2.Email {
				t.Fatalf("q %v", got)
			}
			if got := emails(list("pageNumber=1&limit=10&q=%25")); len(got) != 0 {
				t.Fatalf("q=%% matched %v", got)
			}
			if got := emails(list("pageNumber=9&limit=10")); len(got) != 0 {
				t.Fatalf("past the end %v", got)
			}
			net := env.Do(t, tn.NetworkToken, "GET", "/api/v2/users?pageNumber=1&limit=100", nil).Want(t, 200).Map(t)
			if net["totalCount"].(float64) != 5 {
				t.Fatalf("network sees %v users", net["totalCount"])
			}
			netB := env.Do(t, tn.NetworkToken, "GET", "/api/v2/users?pageNumber=1&limit=100&systemId="+tn.SystemB, nil).Want(t, 200).Map(t)
			if got := emails(netB); len(got) != 1 || got[0] != tn.TeacherB.Email {
				t.Fatalf("system B %v", got)
			}
			for _, q := range []string{"limit=10", "pageNumber=1", "pageNumber=0&limit=10", "pageNumber=1&limit=1001", "pageNumber=x&limit=10", "pageNumber=1&limit=10&role=Boss", "pageNumber=1&limit=10&status=Gone"} {
				p := env.Do(t, tn.SystemToken, "GET", "/api/v2/users?"+q, nil).Problem(t, 400)
				if strings.Contains(q, "1001") && !strings.Contains(p["detail"].(string), "1000") {
					t.Errorf("limit error does not name the maximum: %v", p)
				}
			}
		})
		t.Run("Bulk", func(t *testing.T) {
			tn := env.NewTenant(t)
			r := env.Do(t, tn.SystemToken, "POST", "/api/v2/users/bulk", map[string]any{
				"role": "Teacher", "suppress_invite": true,
				"invites": []map[string]string{{"email": "b1@example.org", "name": "B One"}, {"email": "bad"}, {"email": tn.Coach.Email}, {"email": "B1@example.org"}, {"email": "b2@example.org"}},
			}).Want(t, 200).Map(t)
			if len(r["successes"].([]any)) != 2 || len(r["failures"].([]any)) != 3 {
				t.Fatalf("bulk %v", r)
			}
			u := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/b2@example.org", nil).Want(t, 200).Map(t)
			if u["status"] != "Active" {
				t.Fatalf("suppressed invite status %v", u["status"])
			}
		})
		t.Run("GroupsMembership", func(t *testing.T) {
			tn := env.NewTenant(t)
			set := func(mode string, groups ...string) {
				env.Do(t, tn.SystemToken, "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{tn.Teacher.Email, tn.Teacher2.Email}, "groups": groups, "mode": mode}).Want(t, 200)
			}
			groupsOf := func(email string) string {
				m := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/"+url.PathEscape(email)+"/groups?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
				return fmt.Sprint(m["groups"])
			}
			set("add", "G2")
			if g := groupsOf(tn.Teacher.Email); g != "[G1 G2]" {
				t.Fatalf("after add %s", g)
			}
			set("remove", "G1")
			if g := groupsOf(tn.Teacher.Email) + groupsOf(tn.Teacher2.Email); g != "[G2][G2]" {
				t.Fatalf("after remove %s", g)
			}
			set("", "G1")
			if g := groupsOf(tn.Teacher2.Email); g != "[G1]" {
				t.Fatalf("after replace %s", g)
			}
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{tn.Teacher.Email}, "groups": []string{"G1"}, "mode": "merge"}).Problem(t, 400)
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{tn.Teacher.Email}, "groups": []string{"Nope"}}).Problem(t, 400)
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{tn.TeacherB.Email}, "groups": []string{"G1"}}).Problem(t, 400)
		})
		t.Run("Groups", func(t *testing.T) {
			tn := env.NewTenant(t)
			g := env.Do(t, tn.SystemToken, "POST", "/api/v2/groups", map[string]any{"name": " Science "}).Want(t, 201).Map(t)
			if g["name"] != "Science" || !strings.HasPrefix(g["_id"].(string), "grp_") {
				t.Fatalf("group %v", g)
			}
			env.Do(t, tn.SystemToken, "POST", "/api/v2/groups", map[string]any{"name": "science"}).Problem(t, 409)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/groups", map[string]any{"name": "  "}).Problem(t, 400)
			list := env.Do(t, tn.SystemToken, "GET", "/api/v2/groups?pageNumber=1&limit=10&name=SCI", nil).Want(t, 200).Map(t)
			if fmt.Sprint(list["groups"]) != "[Science]" {
				t.Fatalf("list %v", list)
			}
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/groups/science", map[string]any{"name": "Biology"}).Want(t, 200)
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/groups/Biology", map[string]any{"name": "g1"}).Problem(t, 409)
			env.Do(t, tn.SystemToken, "PUT", "/api/v2/groups/Nope", map[string]any{"name": "X"}).Problem(t, 404)
			env.Do(t, tn.SystemToken, "DELETE", "/api/v2/groups/G1", nil).Want(t, 200)
			u := env.Do(t, tn.SystemToken, "GET", "/api/v2/users/"+tn.Teacher.Email, nil).Want(t, 200).Map(t)
			if len(u["groups"].([]any)) != 0 {
				t.Fatalf("membership survived delete: %v", u)
			}
			// A network token of a two-system network must name the system.
			env.Do(t, tn.NetworkToken, "POST", "/api/v2/groups", map[string]any{"name": "Net"}).Problem(t, 400)
			env.Do(t, tn.NetworkToken, "POST", "/api/v2/groups", map[string]any{"name": "Net", "systemId": tn.SystemB}).Want(t, 201)
			env.Do(t, tn.NetworkToken, "DELETE", "/api/v2/groups/Net?systemId="+tn.SystemB, nil).Want(t, 200)
		})
		t.Run("SystemsRolesProfile", func(t *testing.T) {
			tn := env.NewTenant(t)
			s := env.Do(t, tn.NetworkToken, "GET", "/api/v2/systems?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			if s["totalCount"].(float64) != 2 {
				t.Fatalf("systems %v", s)
			}
			s = env.Do(t, tn.SystemToken, "GET", "/api/v2/systems?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			if s["totalCount"].(float64) != 1 {
				t.Fatalf("system token sees %v", s)
			}
			r := env.Do(t, tn.SystemToken, "GET", "/api/v2/roles?pageNumber=1&limit=10", nil).Want(t, 200).Map(t)
			counts := map[string]float64{}
			for _, x := range r["roles"].([]any) {
				m := x.(map[string]any)
				counts[m["type"].(string)] = m["usersCount"].(float64)
			}
			if counts["Teacher"] != 2 || counts["Coach"] != 1 || counts["System Admin"] != 1 {
				t.Fatalf("role counts %v", counts)
			}
			pa := env.Do(t, tn.SystemToken, "GET", "/api/v2/systems/"+tn.SystemA+"/profileAttributes", nil).Want(t, 200)
			if string(pa.Body) != "[]\n" {
				t.Fatalf("profile attributes %s", pa.Body)
			}
			env.Do(t, tn.SystemToken, "GET", "/api/v2/systems/"+tn.SystemB+"/profileAttributes", nil).Problem(t, 404)
		})
	})
}
