package storetest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/opentalent/opentalent"
)

// dump returns every row of the application's tables, as sorted strings, so
// that a test can check that a sequence of calls wrote nothing.
func (e *env) dump(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"networks", "systems", "users", "roles", "groups", "user_groups", "profile_attributes",
		"notifications", "tokens", "events", "catalogue", "saved_reports", "report_requests", "settings"} {
		rows, err := e.db.Read.QueryContext(e.ctx, "SELECT * FROM "+table)
		must(t, err)
		cols, err := rows.Columns()
		must(t, err)
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			line := ""
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				line += fmt.Sprintf("%v|", v)
			}
			lines = append(lines, line)
		}
		must(t, rows.Err())
		rows.Close()
		slices.Sort(lines)
		out[table] = lines
	}
	return out
}

// TestTenancy calls every scoped store method on the objects of one tenant
// with the scope of another and checks that each answers ENOTFOUND (or an
// empty list) and that nothing at all was written.
func TestTenancy(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		a := e.tenant(t)      // the victim: network A, system A1
		a2 := e.sibling(t, a) // another system of network A
		b := e.tenant(t)      // another network
		e.groups(t, a, "G")
		alice := e.user(t, a, "alice", opentalent.RoleTeacher, "G")
		admin := e.user(t, a, "admin", opentalent.RoleAdmin)
		e.user(t, a2, "sam", opentalent.RoleTeacher)
		e.user(t, b, "bob", opentalent.RoleTeacher)
		must(t, e.db.SetProfileAttribute(e.ctx, a.scope, a.sys.ID, opentalent.ProfileAttribute{Label: "Grade"}))
		netTok, _, err := e.db.CreateToken(e.ctx, a.netW, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: a.net.ID})
		must(t, err)
		sysTok, _, err := e.db.CreateToken(e.ctx, a.netW, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: a.sys.ID})
		must(t, err)
		userTok, _, err := e.db.CreateToken(e.ctx, a.netW, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: alice.Email})
		must(t, err)
		e.ingest(t, a.scope, ev("e1", alice, 1000, "Rubric Score", `{"rubricId":"r1"}`))
		report := e.newReport(t, a, alice, "logins")
		adminViewer := opentalent.Viewer{Scope: a.scope, RunAs: admin}
		saved, err := e.db.CreateSavedReport(e.ctx, adminViewer, opentalent.NewSavedReport{Title: "Mine"})
		must(t, err)

		before := e.dump(t)

		type op struct {
			name string
			call func(s opentalent.Scope) error // the error; nil when a list came back empty
		}
		empty := func(n, total int, err error, what string) error {
			if err != nil {
				return err
			}
			if n != 0 || total != 0 {
				return fmt.Errorf("%s listed %d of %d", what, n, total)
			}
			return nil
		}
		p := page(1, 100)
		ops := []op{
			{"FindUsers", func(s opentalent.Scope) error {
				us, total, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: s, Query: "alice", Page: p})
				return empty(len(us), total, err, "users")
			}},
			{"FindUserByEmail", func(s opentalent.Scope) error { _, err := e.db.FindUserByEmail(e.ctx, s, alice.Email); return err }},
			{"CreateUser", func(s opentalent.Scope) error {
				_, err := e.db.CreateUser(e.ctx, s, opentalent.NewUser{Email: a.email("new"), Role: opentalent.RoleAdmin, SystemID: a.sys.ID})
				return err
			}},
			{"CreateUsers", func(s opentalent.Scope) error {
				_, err := e.db.CreateUsers(e.ctx, s, a.sys.ID, opentalent.RoleAdmin, false, []opentalent.NewUser{{Email: a.email("new")}})
				return err
			}},
			{"UpdateUser", func(s opentalent.Scope) error {
				return e.db.UpdateUser(e.ctx, s, alice.Email, opentalent.UserUpdate{Role: ptr(opentalent.RoleAdmin), Groups: &[]string{}})
			}},
			{"SetUsersGroups", func(s opentalent.Scope) error {
				return e.db.SetUsersGroups(e.ctx, s, a.sys.ID, []string{alice.Email}, nil, opentalent.ModeReplace)
			}},
			{"FindUserGroups", func(s opentalent.Scope) error { _, _, err := e.db.FindUserGroups(e.ctx, s, alice.Email, p); return err }},
			{"FindNotifications", func(s opentalent.Scope) error {
				_, _, err := e.db.FindNotifications(e.ctx, s, alice.Email, p)
				return err
			}},
			{"FindGroups", func(s opentalent.Scope) error {
				gs, total, err := e.db.FindGroups(e.ctx, s, "G", p)
				return empty(len(gs), total, err, "groups")
			}},
			{"CreateGroup", func(s opentalent.Scope) error { _, err := e.db.CreateGroup(e.ctx, s, a.sys.ID, "H"); return err }},
			{"RenameGroup", func(s opentalent.Scope) error { _, err := e.db.RenameGroup(e.ctx, s, a.sys.ID, "G", "H"); return err }},
			{"DeleteGroup", func(s opentalent.Scope) error { return e.db.DeleteGroup(e.ctx, s, a.sys.ID, "G") }},
			{"FindSystems", func(s opentalent.Scope) error {
				ss, _, err := e.db.FindSystems(e.ctx, s, "", p)
				if err != nil {
					return err
				}
				for _, x := range ss {
					if x.ID == a.sys.ID {
						return fmt.Errorf("listed system %s", x.ID)
					}
				}
				return nil
			}},
			{"FindSystem", func(s opentalent.Scope) error { _, err := e.db.FindSystem(e.ctx, s, a.sys.ID); return err }},
			{"FindRoles", func(s opentalent.Scope) error { _, _, err := e.db.FindRoles(e.ctx, s, a.sys.ID, "", p); return err }},
			{"FindProfileAttributes", func(s opentalent.Scope) error { _, err := e.db.FindProfileAttributes(e.ctx, s, a.sys.ID); return err }},
			{"SetProfileAttribute", func(s opentalent.Scope) error {
				return e.db.SetProfileAttribute(e.ctx, s, a.sys.ID, opentalent.ProfileAttribute{Label: "Grade", Question: "pwned"})
			}},
			{"DeleteProfileAttribute", func(s opentalent.Scope) error { return e.db.DeleteProfileAttribute(e.ctx, s, a.sys.ID, "Grade") }},
			{"CreateSystemToken", func(s opentalent.Scope) error {
				_, _, err := e.db.CreateToken(e.ctx, s, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: a.sys.ID})
				return err
			}},
			{"CreateUserToken", func(s opentalent.Scope) error {
				_, _, err := e.db.CreateToken(e.ctx, s, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: alice.Email})
				return err
			}},
			{"FindNetworkToken", func(s opentalent.Scope) error { _, err := e.db.FindToken(e.ctx, s, netTok.ID); return err }},
			{"FindSystemToken", func(s opentalent.Scope) error { _, err := e.db.FindToken(e.ctx, s, sysTok.ID); return err }},
			{"FindUserToken", func(s opentalent.Scope) error { _, err := e.db.FindToken(e.ctx, s, userTok.ID); return err }},
			{"RevokeNetworkToken", func(s opentalent.Scope) error { return e.db.RevokeToken(e.ctx, s, netTok.ID) }},
			{"RevokeSystemToken", func(s opentalent.Scope) error { return e.db.RevokeToken(e.ctx, s, sysTok.ID) }},
			{"RevokeUserToken", func(s opentalent.Scope) error { return e.db.RevokeToken(e.ctx, s, userTok.ID) }},
			{"IngestEvents", func(s opentalent.Scope) error {
				res, err := e.db.IngestEvents(e.ctx, s, []opentalent.Event{
					ev("e1", alice, 5000, "Login", ""),
					ev("e2", alice, 5000, "Rubric Score", `{"rubricId":"r1","rubricName":"pwned"}`),
					{ID: "e3", UserID: alice.ID, SystemID: a.sys.ID, Timestamp: 5000, TypeAlias: "Login", ActionData: json.RawMessage("{}")},
				})
				if err != nil {
					return err
				}
				if len(res.Successes) != 0 || len(res.Failures) != 3 {
					return fmt.Errorf("ingest: %+v", res)
				}
				return nil
			}},
			{"FindReportRequest", func(s opentalent.Scope) error {
				_, err := e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: s}, report.ID)
				return err
			}},
			{"FindReportRequests", func(s opentalent.Scope) error {
				rs, total, err := e.db.FindReportRequests(e.ctx, opentalent.ReportViewer{Scope: s}, p)
				return empty(len(rs), total, err, "report requests")
			}},
			{"CreateSavedReport", func(s opentalent.Scope) error {
				_, err := e.db.CreateSavedReport(e.ctx, opentalent.Viewer{Scope: s}, opentalent.NewSavedReport{OwnerEmail: admin.Email, Title: "x"})
				return err
			}},
			{"CreateSavedReportInSystem", func(s opentalent.Scope) error {
				_, err := e.db.CreateSavedReport(e.ctx, opentalent.Viewer{Scope: s}, opentalent.NewSavedReport{SystemID: a.sys.ID, OwnerEmail: admin.Email, Title: "x"})
				return err
			}},
			{"FindSavedReports", func(s opentalent.Scope) error {
				rs, total, err := e.db.FindSavedReports(e.ctx, opentalent.Viewer{Scope: s}, p)
				return empty(len(rs), total, err, "saved reports")
			}},
			{"FindSavedReportByID", func(s opentalent.Scope) error {
				_, err := e.db.FindSavedReportByID(e.ctx, opentalent.Viewer{Scope: s}, saved.ID)
				return err
			}},
			{"DeleteSavedReport", func(s opentalent.Scope) error {
				return e.db.DeleteSavedReport(e.ctx, opentalent.Viewer{Scope: s}, saved.ID)
			}},
			{"QueryBuilder", func(s opentalent.Scope) error {
				rows, total, err := e.db.QueryBuilder(e.ctx, opentalent.Viewer{Scope: s}, opentalent.BuilderFilter{}, 1, 10)
				if err != nil {
					return err
				}
				for _, r := range rows {
					if r.SystemID == a.sys.ID {
						return fmt.Errorf("builder row %+v of %d", r, total)
					}
				}
				return nil
			}},
			{"QueryBuilderSystem", func(s opentalent.Scope) error {
				_, _, err := e.db.QueryBuilder(e.ctx, opentalent.Viewer{Scope: s}, opentalent.BuilderFilter{SystemIDs: []string{a.sys.ID}}, 1, 10)
				return err
			}},
			{"StreamBuilderSystem", func(s opentalent.Scope) error {
				return e.db.StreamBuilder(e.ctx, opentalent.Viewer{Scope: s}, opentalent.BuilderFilter{SystemIDs: []string{a.sys.ID}}, func(opentalent.BuilderRow) error {
					return fmt.Errorf("streamed a row")
				})
			}},
		}
		// Lists come back empty; everything else is ENOTFOUND.
		lists := map[string]bool{"FindUsers": true, "FindGroups": true, "FindSystems": true, "IngestEvents": true, "FindReportRequests": true, "FindSavedReports": true, "QueryBuilder": true}

		for _, sc := range []struct {
			name  string
			scope opentalent.Scope
		}{
			{"OtherNetwork", b.netW},
			{"OtherNetworkSystem", b.scope},
			{"SiblingSystem", a2.scope},
			{"ForgedSystemOfOtherNetwork", opentalent.Scope{NetworkID: b.net.ID, SystemID: a.sys.ID}},
			{"UnknownNetwork", opentalent.Scope{NetworkID: "net_nope"}},
			{"Zero", opentalent.Scope{}},
		} {
			t.Run(sc.name, func(t *testing.T) {
				for _, o := range ops {
					err := o.call(sc.scope)
					switch {
					case lists[o.name] && err != nil:
						t.Errorf("%s: %v", o.name, err)
					case !lists[o.name] && opentalent.ErrorCode(err) != opentalent.ENOTFOUND:
						t.Errorf("%s: got %q (%v), want %q", o.name, opentalent.ErrorCode(err), err, opentalent.ENOTFOUND)
					}
				}
				// Minting a network token needs the network's own scope.
				_, _, err := e.db.CreateToken(e.ctx, sc.scope, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: a.net.ID})
				wantCode(t, err, opentalent.EFORBIDDEN)
			})
		}

		after := e.dump(t)
		for table, rows := range before {
			eq(t, "rows of "+table, after[table], rows)
		}

		// The same calls in the network's own scope find the objects, so
		// the checks above are not vacuous.
		for _, o := range ops {
			if lists[o.name] {
				continue
			}
			if err := o.call(a.netW); opentalent.ErrorCode(err) == opentalent.ENOTFOUND {
				t.Errorf("%s in scope: %v", o.name, err)
			}
		}
	})
}
