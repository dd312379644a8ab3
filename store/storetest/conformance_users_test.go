package storetest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opentalent/opentalent"
)

func TestCreateUser(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			u, err := e.db.CreateUser(e.ctx, tn.netW, opentalent.NewUser{
				Email: "  Alice.Smith@" + strings.ToUpper(tn.domain) + " ", Name: "  Alice Smith ", Role: opentalent.RoleCoach, SystemID: tn.sys.ID,
			})
			must(t, err)
			want := tn.email("alice.smith")
			eq(t, "email", u.Email, want)
			eq(t, "name", u.Name, "Alice Smith")
			eq(t, "status", u.Status, opentalent.StatusInvited)
			eq(t, "system", u.SystemID, tn.sys.ID)
			if u.ID == "" || u.LastSeen != nil || !u.CreatedAt.After(epoch) {
				t.Fatalf("user %+v", u)
			}
			got, err := e.db.FindUserByEmail(e.ctx, tn.scope, " ALICE.smith@"+tn.domain)
			must(t, err)
			eq(t, "found id", got.ID, u.ID)
			eq(t, "found email", got.Email, want)
			eq(t, "found role", got.Role, opentalent.RoleCoach)
			eq(t, "found created", got.CreatedAt, u.CreatedAt)
			eq(t, "no groups", got.Groups, []string{})
			eq(t, "invitation", e.notes(t, tn.scope, want), []string{"You have been invited to " + tn.sys.Name + "."})
		})

		t.Run("SuppressInvite", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			u, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: tn.email("quiet"), Role: opentalent.RoleTeacher, SystemID: tn.sys.ID, SuppressInvite: true})
			must(t, err)
			eq(t, "status", u.Status, opentalent.StatusActive)
			eq(t, "no notifications", e.notes(t, tn.scope, u.Email), []string{})
		})

		t.Run("Groups", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "Team A", "Team B", "Other")
			_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: tn.email("g"), Role: opentalent.RoleTeacher, SystemID: tn.sys.ID,
				SuppressInvite: true, Groups: []string{"team b", " TEAM A", "Team A"}})
			must(t, err)
			u, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("g"))
			must(t, err)
			eq(t, "groups", u.Groups, []string{"Team A", "Team B"})
			notes := e.notes(t, tn.scope, u.Email)
			if len(notes) != 2 || !contains(strings.Join(notes, "|"), `"Team A"`) || !contains(strings.Join(notes, "|"), `"Team B"`) {
				t.Fatalf("notifications %q, want one per group joined", notes)
			}
		})

		t.Run("ErrUnknownGroups", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "Known")
			other := e.sibling(t, tn)
			e.groups(t, other, "Theirs") // a group of another system does not count
			_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: tn.email("g"), Role: opentalent.RoleTeacher, SystemID: tn.sys.ID,
				Groups: []string{"known", "Nope", "Theirs"}})
			wantField(t, err, "groups")
			if msg := opentalent.ErrorMessage(err); !strings.HasSuffix(msg, ": Nope, Theirs") {
				t.Fatalf("message %q should name exactly the unknown groups", msg)
			}
			_, err = e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("g"))
			wantCode(t, err, opentalent.ENOTFOUND)
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			for _, c := range []struct {
				name, email, uname, role, field string
			}{
				{"EmptyEmail", "  ", "", opentalent.RoleTeacher, "email"},
				{"NotAnEmail", "not-an-email", "", opentalent.RoleTeacher, "email"},
				{"DisplayName", "Alice <alice@" + tn.domain + ">", "", opentalent.RoleTeacher, "email"},
				{"NoDotInDomain", "alice@localhost", "", opentalent.RoleTeacher, "email"},
				{"TwoAts", "a@b@" + tn.domain, "", opentalent.RoleTeacher, "email"},
				{"TooLong", strings.Repeat("a", 250) + "@x.org", "", opentalent.RoleTeacher, "email"},
				{"NameTooLong", tn.email("n"), strings.Repeat("n", 201), opentalent.RoleTeacher, "name"},
				{"EmptyRole", tn.email("r"), "", "", "role"},
				{"BadRole", tn.email("r"), "", "Owner", "role"},
				{"RoleCase", tn.email("r"), "", "admin", "role"},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: c.email, Name: c.uname, Role: c.role, SystemID: tn.sys.ID})
					wantField(t, err, c.field)
				})
			}
			users, total, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Page: page(1, 10)})
			must(t, err)
			eq(t, "nothing created", total, 0)
			eq(t, "nothing listed", users, []opentalent.User{})
		})

		t.Run("ErrConflict", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t)
			e.user(t, tn, "taken", opentalent.RoleTeacher)
			for _, c := range []struct {
				name string
				tn   *tenant
			}{{"SameSystem", tn}, {"OtherNetwork", other}} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.db.CreateUser(e.ctx, c.tn.scope, opentalent.NewUser{Email: " TAKEN@" + tn.domain, Role: opentalent.RoleAdmin, SystemID: c.tn.sys.ID})
					wantCode(t, err, opentalent.ECONFLICT)
				})
			}
			// The original is untouched and the store still works after the
			// failed transaction.
			u, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("taken"))
			must(t, err)
			eq(t, "role", u.Role, opentalent.RoleTeacher)
			_, err = e.db.FindUserByEmail(e.ctx, other.scope, tn.email("taken"))
			wantCode(t, err, opentalent.ENOTFOUND)
			e.user(t, other, "fresh", opentalent.RoleTeacher)
		})

		t.Run("ErrSystemNotFound", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t)
			sib := e.sibling(t, tn)
			for _, c := range []struct {
				name   string
				scope  opentalent.Scope
				system string
			}{
				{"UnknownSystem", tn.netW, "sys_nope"},
				{"EmptySystem", tn.netW, ""},
				{"OtherNetwork", tn.netW, other.sys.ID},
				{"SiblingOfSystemScope", tn.scope, sib.sys.ID},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.db.CreateUser(e.ctx, c.scope, opentalent.NewUser{Email: tn.email("x"), Role: opentalent.RoleTeacher, SystemID: c.system})
					wantCode(t, err, opentalent.ENOTFOUND)
				})
			}
		})
	})
}

// TestFindUsers checks filters, escaping, paging and a byte-wise order by
// email that is the same on both engines, whatever PostgreSQL's collation.
func TestFindUsers(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		tn := e.tenant(t)
		sib := e.sibling(t, tn)
		other := e.tenant(t)
		e.groups(t, tn, "Team A", "Team B")
		type fx struct {
			email, name, role string
			invite            bool
			groups            []string
		}
		// Input order is not email order; some input is upper case.
		fixtures := []fx{
			{"zed@x.org", "Zed", opentalent.RoleTeacher, false, nil},
			{"AB@X.org", "Ab Upper", opentalent.RoleCoach, true, []string{"Team A"}},
			{"a_b@x.org", "Under Score", opentalent.RoleTeacher, false, []string{"team a", "Team B"}},
			{"a.b@x.org", "Dot", opentalent.RoleAdmin, false, nil},
			{"ab2@x.org", "Digit", opentalent.RoleTeacher, true, []string{"Team B"}},
			{"a-b@x.org", "Bob Builder", opentalent.RoleTeacher, false, nil},
			{"a%b@x.org", "100% Percent", opentalent.RoleCoach, false, nil},
			{"B@x.org", "Capital", opentalent.RoleTeacher, true, nil},
			{"bs@x.org", `Back\Slash`, opentalent.RoleTeacher, false, nil},
		}
		for _, f := range fixtures {
			_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{Email: f.email, Name: f.name, Role: f.role, SystemID: tn.sys.ID, SuppressInvite: !f.invite, Groups: f.groups})
			must(t, err)
		}
		// Users elsewhere that must never be listed from tn.scope.
		_, err := e.db.CreateUser(e.ctx, sib.scope, opentalent.NewUser{Email: "aaa@sib.org", Name: "Sibling", Role: opentalent.RoleTeacher, SystemID: sib.sys.ID})
		must(t, err)
		_, err = e.db.CreateUser(e.ctx, other.scope, opentalent.NewUser{Email: "a_c@other.org", Name: "Other", Role: opentalent.RoleTeacher, SystemID: other.sys.ID})
		must(t, err)

		// Byte order: '%' 0x25 < '-' 0x2d < '.' 0x2e < '2' 0x32 < '@' 0x40 <
		// '_' 0x5f < letters. A locale collation would ignore the
		// punctuation and order these differently.
		all := []string{"a%b@x.org", "a-b@x.org", "a.b@x.org", "a_b@x.org", "ab2@x.org", "ab@x.org", "b@x.org", "bs@x.org", "zed@x.org"}

		find := func(f opentalent.UserFilter) ([]string, int) {
			t.Helper()
			if f.Scope == (opentalent.Scope{}) {
				f.Scope = tn.scope
			}
			if f.Page == (opentalent.Page{}) {
				f.Page = page(1, 100)
			}
			us, total, err := e.db.FindUsers(e.ctx, f)
			must(t, err)
			return emailsOf(us), total
		}

		t.Run("Order", func(t *testing.T) {
			got, total := find(opentalent.UserFilter{})
			eq(t, "emails", got, all)
			eq(t, "total", total, len(all))
		})

		t.Run("Fields", func(t *testing.T) {
			us, _, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Query: "ab@", Page: page(1, 10)})
			must(t, err)
			if len(us) != 1 {
				t.Fatalf("got %d users", len(us))
			}
			u := us[0]
			eq(t, "name", u.Name, "Ab Upper")
			eq(t, "role", u.Role, opentalent.RoleCoach)
			eq(t, "status", u.Status, opentalent.StatusInvited)
			eq(t, "system", u.SystemID, tn.sys.ID)
		})

		t.Run("Paging", func(t *testing.T) {
			for n, want := range [][]string{all[0:4], all[4:8], all[8:], {}} {
				got, total := find(opentalent.UserFilter{Page: page(n+1, 4)})
				eq(t, fmt.Sprintf("page %d", n+1), got, want)
				eq(t, fmt.Sprintf("page %d total", n+1), total, len(all))
			}
			got, total := find(opentalent.UserFilter{Role: opentalent.RoleTeacher, Page: page(2, 2)})
			eq(t, "filtered page", got, []string{"ab2@x.org", "b@x.org"})
			eq(t, "filtered total", total, 6)
		})

		t.Run("Filters", func(t *testing.T) {
			for _, c := range []struct {
				name string
				f    opentalent.UserFilter
				want []string
			}{
				{"RoleAdmin", opentalent.UserFilter{Role: opentalent.RoleAdmin}, []string{"a.b@x.org"}},
				{"RoleCoach", opentalent.UserFilter{Role: opentalent.RoleCoach}, []string{"a%b@x.org", "ab@x.org"}},
				{"RoleUnknown", opentalent.UserFilter{Role: "Owner"}, []string{}},
				{"StatusInvited", opentalent.UserFilter{Status: opentalent.StatusInvited}, []string{"ab2@x.org", "ab@x.org", "b@x.org"}},
				{"StatusActive", opentalent.UserFilter{Status: opentalent.StatusActive}, []string{"a%b@x.org", "a-b@x.org", "a.b@x.org", "a_b@x.org", "bs@x.org", "zed@x.org"}},
				{"StatusInactive", opentalent.UserFilter{Status: opentalent.StatusInactive}, []string{}},
				{"Group", opentalent.UserFilter{Group: "Team A"}, []string{"a_b@x.org", "ab@x.org"}},
				{"GroupCaseInsensitive", opentalent.UserFilter{Group: "TEAM b"}, []string{"a_b@x.org", "ab2@x.org"}},
				{"GroupUnknown", opentalent.UserFilter{Group: "Nope"}, []string{}},
				{"GroupAndRole", opentalent.UserFilter{Group: "team a", Role: opentalent.RoleCoach}, []string{"ab@x.org"}},
				{"GroupAndStatus", opentalent.UserFilter{Group: "team b", Status: opentalent.StatusActive}, []string{"a_b@x.org"}},
				{"QueryUnderscoreIsLiteral", opentalent.UserFilter{Query: "_"}, []string{"a_b@x.org"}},
				{"QueryPercentIsLiteral", opentalent.UserFilter{Query: "%"}, []string{"a%b@x.org"}}, // also the name "100% Percent"
				{"QueryBackslashIsLiteral", opentalent.UserFilter{Query: `\`}, []string{"bs@x.org"}},
				{"QueryBackslashPercent", opentalent.UserFilter{Query: `\%`}, []string{}},
				{"QueryCaseInsensitive", opentalent.UserFilter{Query: "A_B@X"}, []string{"a_b@x.org"}},
				{"QueryDot", opentalent.UserFilter{Query: "a.b"}, []string{"a.b@x.org"}},
				{"QueryName", opentalent.UserFilter{Query: "BUILDER"}, []string{"a-b@x.org"}},
				{"QueryNamePart", opentalent.UserFilter{Query: "score"}, []string{"a_b@x.org"}},
				{"QueryNoMatch", opentalent.UserFilter{Query: "nobody"}, []string{}},
				{"QueryAndRole", opentalent.UserFilter{Query: "a", Role: opentalent.RoleAdmin}, []string{"a.b@x.org"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					got, total := find(c.f)
					eq(t, "emails", got, c.want)
					eq(t, "total", total, len(c.want))
				})
			}
		})

		t.Run("NetworkScope", func(t *testing.T) {
			got, total := find(opentalent.UserFilter{Scope: tn.netW, Query: "a"})
			want := []string{"a%b@x.org", "a-b@x.org", "a.b@x.org", "a_b@x.org", "aaa@sib.org", "ab2@x.org", "ab@x.org", "b@x.org", "bs@x.org"}
			eq(t, "emails", got, want)
			eq(t, "total", total, len(want))
			got, _ = find(opentalent.UserFilter{Scope: sib.scope})
			eq(t, "sibling system", got, []string{"aaa@sib.org"})
			got, _ = find(opentalent.UserFilter{Scope: other.netW})
			eq(t, "other network", got, []string{"a_c@other.org"})
		})

		t.Run("NonASCIIName", func(t *testing.T) {
			x := e.tenant(t)
			_, err := e.db.CreateUser(e.ctx, x.scope, opentalent.NewUser{Email: x.email("emile"), Name: "Émile Zoë", Role: opentalent.RoleTeacher, SystemID: x.sys.ID})
			must(t, err)
			for _, q := range []string{"zoë", "ZOË", "Émile", "émile"} {
				got, _ := find(opentalent.UserFilter{Scope: x.scope, Query: q})
				if len(got) != 1 {
					t.Errorf("FindUsers(Query %q) found %v, want the user named \"Émile Zoë\"", q, got)
				}
			}
		})
	})
}

func TestCreateUsers(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t)
			e.user(t, other, "taken", opentalent.RoleTeacher) // exists in another network
			e.user(t, tn, "mine", opentalent.RoleTeacher)     // exists in this system
			res, err := e.db.CreateUsers(e.ctx, tn.netW, tn.sys.ID, opentalent.RoleCoach, false, []opentalent.NewUser{
				{Email: " One@" + tn.domain, Name: " One "},
				{Email: "one@" + strings.ToUpper(tn.domain)}, // duplicate after normalisation
				{Email: "bad"},
				{Email: other.email("taken")},
				{Email: tn.email("two"), Name: "Two", Role: opentalent.RoleAdmin, Groups: []string{"ignored"}}, // role and groups come from the call
				{Email: tn.email("MINE")},
				{Email: tn.email("three"), Name: strings.Repeat("n", 201)},
			})
			must(t, err)
			var got []string
			for _, u := range res.Successes {
				got = append(got, u.Email+" "+u.Name+" "+u.Role+" "+u.Status)
				if u.ID == "" || u.SystemID != tn.sys.ID {
					t.Fatalf("success %+v", u)
				}
			}
			eq(t, "successes", got, []string{
				tn.email("one") + " One Coach Invited",
				tn.email("two") + " Two Coach Invited",
			})
			fails := map[string]string{}
			for _, f := range res.Failures {
				if _, dup := fails[f.Email]; dup {
					t.Fatalf("two failures for %s: %+v", f.Email, res.Failures)
				}
				fails[f.Email] = f.Error
			}
			if len(res.Failures) != 5 {
				t.Fatalf("failures %+v, want 5", res.Failures)
			}
			for email, want := range map[string]string{
				tn.email("one"):      "Duplicate email in this request",
				"bad":                "not a valid email",
				other.email("taken"): "User already exists",
				tn.email("mine"):     "User already exists",
				tn.email("three"):    "200",
			} {
				if !contains(fails[email], want) {
					t.Fatalf("failure of %q is %q, want it to say %q (all: %+v)", email, fails[email], want, res.Failures)
				}
			}
			u, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email("two"))
			must(t, err)
			eq(t, "no groups", u.Groups, []string{})
			eq(t, "invited", e.notes(t, tn.scope, tn.email("one")), []string{"You have been invited to " + tn.sys.Name + "."})
			eq(t, "invited two", e.notes(t, tn.scope, tn.email("two")), []string{"You have been invited to " + tn.sys.Name + "."})
			// The user of the other network is untouched.
			_, err = e.db.FindUserByEmail(e.ctx, other.scope, other.email("taken"))
			must(t, err)
			_, total, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Page: page(1, 10)})
			must(t, err)
			eq(t, "users in system", total, 3)
		})

		t.Run("SuppressInvite", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			res, err := e.db.CreateUsers(e.ctx, tn.scope, tn.sys.ID, opentalent.RoleTeacher, true, []opentalent.NewUser{{Email: tn.email("a")}, {Email: tn.email("b")}})
			must(t, err)
			eq(t, "failures", res.Failures, []opentalent.BulkFailure{})
			for _, u := range res.Successes {
				eq(t, "status", u.Status, opentalent.StatusActive)
				eq(t, "notes", e.notes(t, tn.scope, u.Email), []string{})
			}
			eq(t, "count", len(res.Successes), 2)
		})

		t.Run("Empty", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			res, err := e.db.CreateUsers(e.ctx, tn.scope, tn.sys.ID, opentalent.RoleTeacher, false, nil)
			must(t, err)
			eq(t, "result", *res, opentalent.BulkResult{Successes: []opentalent.User{}, Failures: []opentalent.BulkFailure{}})
		})

		t.Run("Errors", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t)
			_, err := e.db.CreateUsers(e.ctx, tn.scope, tn.sys.ID, "Owner", false, []opentalent.NewUser{{Email: tn.email("a")}})
			wantField(t, err, "role")
			_, err = e.db.CreateUsers(e.ctx, tn.scope, other.sys.ID, opentalent.RoleTeacher, false, []opentalent.NewUser{{Email: tn.email("a")}})
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.CreateUsers(e.ctx, tn.netW, "sys_nope", opentalent.RoleTeacher, false, []opentalent.NewUser{{Email: tn.email("a")}})
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.FindUserByEmail(e.ctx, tn.netW, tn.email("a"))
			wantCode(t, err, opentalent.ENOTFOUND)
		})

		t.Run("Many", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			// More than one chunk of the existing-email lookup (500).
			var invites []opentalent.NewUser
			for i := range 1200 {
				invites = append(invites, opentalent.NewUser{Email: tn.email(fmt.Sprintf("u%04d", i))})
			}
			e.user(t, tn, "u1100", opentalent.RoleTeacher)
			res, err := e.db.CreateUsers(e.ctx, tn.scope, tn.sys.ID, opentalent.RoleTeacher, false, invites)
			must(t, err)
			eq(t, "successes", len(res.Successes), 1199)
			eq(t, "failures", res.Failures, []opentalent.BulkFailure{{Email: tn.email("u1100"), Error: "User already exists"}})
			_, total, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Status: opentalent.StatusInvited, Page: page(1, 1)})
			must(t, err)
			eq(t, "invited", total, 1199)
		})
	})
}

func TestUpdateUser(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("RoleStatusName", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			u := e.user(t, tn, "u", opentalent.RoleTeacher)
			must(t, e.db.UpdateUser(e.ctx, tn.netW, strings.ToUpper(u.Email), opentalent.UserUpdate{
				Name: ptr("  New Name "), Role: ptr(opentalent.RoleCoach), Status: ptr(opentalent.StatusInactive),
			}))
			got, err := e.db.FindUserByEmail(e.ctx, tn.scope, u.Email)
			must(t, err)
			eq(t, "name", got.Name, "New Name")
			eq(t, "role", got.Role, opentalent.RoleCoach)
			eq(t, "status", got.Status, opentalent.StatusInactive)
			eq(t, "notes", e.notes(t, tn.scope, u.Email), []string{"Your role changed from Teacher to Coach."})

			// The same role again is no change and no notification; nil
			// fields stay as they are.
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Role: ptr(opentalent.RoleCoach)}))
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{}))
			got2, err := e.db.FindUserByEmail(e.ctx, tn.scope, u.Email)
			must(t, err)
			eq(t, "unchanged", *got2, *got)
			eq(t, "no new notes", len(e.notes(t, tn.scope, u.Email)), 1)

			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Role: ptr(opentalent.RoleAdmin), Status: ptr(opentalent.StatusActive)}))
			eq(t, "notes newest first", e.notes(t, tn.scope, u.Email), []string{"Your role changed from Coach to Admin.", "Your role changed from Teacher to Coach."})
		})

		t.Run("Errors", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "G")
			u := e.user(t, tn, "u", opentalent.RoleTeacher, "G")
			for _, c := range []struct {
				name  string
				upd   opentalent.UserUpdate
				field string
			}{
				{"BadRole", opentalent.UserUpdate{Role: ptr("Owner")}, "role"},
				{"BadStatus", opentalent.UserUpdate{Status: ptr("Gone"), Role: ptr(opentalent.RoleAdmin)}, "status"},
				{"NameTooLong", opentalent.UserUpdate{Name: ptr(strings.Repeat("n", 201))}, "name"},
				{"UnknownGroup", opentalent.UserUpdate{Role: ptr(opentalent.RoleAdmin), Groups: &[]string{"Nope"}}, "groups"},
			} {
				t.Run(c.name, func(t *testing.T) {
					wantField(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, c.upd), c.field)
				})
			}
			wantCode(t, e.db.UpdateUser(e.ctx, tn.scope, tn.email("nobody"), opentalent.UserUpdate{Role: ptr(opentalent.RoleAdmin)}), opentalent.ENOTFOUND)
			got, err := e.db.FindUserByEmail(e.ctx, tn.scope, u.Email)
			must(t, err)
			eq(t, "nothing changed", *got, *u)
			eq(t, "no notes", len(e.notes(t, tn.scope, u.Email)), 1) // joined G at creation
		})

		t.Run("Groups", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "A", "B", "C")
			u := e.user(t, tn, "u", opentalent.RoleTeacher, "A", "B")
			base := len(e.notes(t, tn.scope, u.Email))
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Groups: &[]string{"b", "c"}}))
			eq(t, "groups", e.userGroups(t, tn.scope, u.Email), []string{"B", "C"})
			notes := e.notes(t, tn.scope, u.Email)
			eq(t, "two new notes", len(notes)-base, 2)
			got := strings.Join(notes[:2], "|")
			if !contains(got, `You were added to the group "C".`) || !contains(got, `You were removed from the group "A".`) {
				t.Fatalf("notes %q", notes[:2])
			}
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Groups: &[]string{}}))
			eq(t, "no groups", e.userGroups(t, tn.scope, u.Email), []string{})
			eq(t, "notes", len(e.notes(t, tn.scope, u.Email))-base, 4)
		})
	})
}

func TestSetUsersGroups(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		setup := func(t *testing.T) (*tenant, []string) {
			tn := e.tenant(t)
			e.groups(t, tn, "A", "B", "C")
			a := e.user(t, tn, "a", opentalent.RoleTeacher, "A")
			b := e.user(t, tn, "b", opentalent.RoleTeacher, "B", "C")
			return tn, []string{a.Email, b.Email}
		}
		state := func(t *testing.T, tn *tenant, emails []string) [][]string {
			var out [][]string
			for _, em := range emails {
				out = append(out, e.userGroups(t, tn.scope, em))
			}
			return out
		}
		for _, c := range []struct {
			mode   string
			groups []string
			want   [][]string
			notes  []int // new notifications per user
		}{
			{opentalent.ModeReplace, []string{"a", "B"}, [][]string{{"A", "B"}, {"A", "B"}}, []int{1, 2}},
			{"", []string{"C"}, [][]string{{"C"}, {"C"}}, []int{2, 1}},
			{opentalent.ModeReplace, nil, [][]string{{}, {}}, []int{1, 2}},
			{opentalent.ModeAdd, []string{"b", "C"}, [][]string{{"A", "B", "C"}, {"B", "C"}}, []int{2, 0}},
			{opentalent.ModeRemove, []string{"A", "c"}, [][]string{{}, {"B"}}, []int{1, 1}},
			{opentalent.ModeRemove, nil, [][]string{{"A"}, {"B", "C"}}, []int{0, 0}},
		} {
			t.Run(fmt.Sprintf("%s%v", c.mode, c.groups), func(t *testing.T) {
				t.Parallel()
				tn, emails := setup(t)
				before := []int{len(e.notes(t, tn.scope, emails[0])), len(e.notes(t, tn.scope, emails[1]))}
				// Upper-case emails, and one twice: both are the same user.
				must(t, e.db.SetUsersGroups(e.ctx, tn.netW, tn.sys.ID, []string{strings.ToUpper(emails[0]), emails[1], emails[1]}, c.groups, c.mode))
				eq(t, "groups", state(t, tn, emails), c.want)
				for i, em := range emails {
					eq(t, "new notes of "+em, len(e.notes(t, tn.scope, em))-before[i], c.notes[i])
				}
			})
		}

		t.Run("Errors", func(t *testing.T) {
			t.Parallel()
			tn, emails := setup(t)
			sib := e.sibling(t, tn)
			e.groups(t, sib, "S")
			stranger := e.user(t, sib, "s", opentalent.RoleTeacher)
			other := e.tenant(t)
			before := state(t, tn, emails)
			for _, c := range []struct {
				name          string
				scope         opentalent.Scope
				system        string
				emails, names []string
				mode, code    string
				field         string
			}{
				{"BadMode", tn.scope, tn.sys.ID, emails, []string{"A"}, "toggle", opentalent.EINVALID, "mode"},
				{"NoEmails", tn.scope, tn.sys.ID, nil, []string{"A"}, "", opentalent.EINVALID, "emails"},
				{"UnknownEmail", tn.scope, tn.sys.ID, append([]string{tn.email("nobody")}, emails...), []string{"A"}, "", opentalent.EINVALID, "emails"},
				{"UserOfSiblingSystem", tn.netW, tn.sys.ID, append([]string{stranger.Email}, emails...), []string{"A"}, "", opentalent.EINVALID, "emails"},
				{"UnknownGroup", tn.scope, tn.sys.ID, emails, []string{"A", "Nope"}, opentalent.ModeAdd, opentalent.EINVALID, "groups"},
				{"GroupOfSiblingSystem", tn.netW, tn.sys.ID, emails, []string{"S"}, opentalent.ModeAdd, opentalent.EINVALID, "groups"},
				{"SystemOutsideScope", tn.scope, sib.sys.ID, []string{stranger.Email}, []string{"S"}, "", opentalent.ENOTFOUND, ""},
				{"OtherNetwork", other.netW, tn.sys.ID, emails, []string{"A"}, "", opentalent.ENOTFOUND, ""},
			} {
				t.Run(c.name, func(t *testing.T) {
					err := e.db.SetUsersGroups(e.ctx, c.scope, c.system, c.emails, c.names, c.mode)
					if c.field != "" {
						wantField(t, err, c.field)
					} else {
						wantCode(t, err, c.code)
					}
				})
			}
			eq(t, "nothing changed", state(t, tn, emails), before)
			eq(t, "stranger untouched", e.userGroups(t, sib.scope, stranger.Email), []string{})
		})
	})
}

func TestFindUserGroupsAndNotifications(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		tn := e.tenant(t)
		e.groups(t, tn, "beta", "Alpha", "alpha_2", "alpha.2", "Zulu")
		u := e.user(t, tn, "u", opentalent.RoleTeacher, "beta", "Alpha", "alpha_2", "alpha.2")
		// name_key order, byte-wise: "alpha" < "alpha.2" < "alpha_2" < "beta".
		want := []string{"Alpha", "alpha.2", "alpha_2", "beta"}
		eq(t, "all", e.userGroups(t, tn.scope, u.Email), want)
		eq(t, "FindUserByEmail groups", func() []string {
			got, err := e.db.FindUserByEmail(e.ctx, tn.scope, u.Email)
			must(t, err)
			return got.Groups
		}(), want)
		for n, w := range [][]string{want[:3], want[3:], {}} {
			gs, total, err := e.db.FindUserGroups(e.ctx, tn.netW, u.Email, page(n+1, 3))
			must(t, err)
			eq(t, fmt.Sprintf("page %d", n+1), gs, w)
			eq(t, "total", total, 4)
		}
		_, _, err := e.db.FindUserGroups(e.ctx, tn.scope, tn.email("nobody"), page(1, 3))
		wantCode(t, err, opentalent.ENOTFOUND)

		// Notifications, newest first, paged.
		v := e.user(t, tn, "v", opentalent.RoleTeacher)
		for _, r := range []string{opentalent.RoleCoach, opentalent.RoleAdmin, opentalent.RoleTeacher, opentalent.RoleCoach} {
			must(t, e.db.UpdateUser(e.ctx, tn.scope, v.Email, opentalent.UserUpdate{Role: ptr(r)}))
		}
		msgs := []string{
			"Your role changed from Admin to Teacher.",
			"Your role changed from Coach to Admin.",
			"Your role changed from Teacher to Coach.",
		}
		all := append([]string{"Your role changed from Teacher to Coach."}, msgs...)
		eq(t, "all notes", e.notes(t, tn.scope, v.Email), all)
		ns, total, err := e.db.FindNotifications(e.ctx, tn.netW, v.Email, page(2, 3))
		must(t, err)
		eq(t, "total", total, 4)
		if len(ns) != 1 || ns[0].Message != all[3] || ns[0].ID == "" {
			t.Fatalf("page 2: %+v", ns)
		}
		first, _, err := e.db.FindNotifications(e.ctx, tn.netW, v.Email, page(1, 3))
		must(t, err)
		for i := 1; i < len(first); i++ {
			if !first[i-1].CreatedAt.After(first[i].CreatedAt) {
				t.Fatalf("not newest first: %+v", first)
			}
		}
		if first[0].CreatedAt.Before(epoch) || first[0].CreatedAt.Location() != epoch.Location() {
			t.Fatalf("timestamp %v", first[0].CreatedAt)
		}
		ns, total, err = e.db.FindNotifications(e.ctx, tn.netW, v.Email, page(3, 3))
		must(t, err)
		eq(t, "past the end", ns, []opentalent.Notification{})
		eq(t, "past the end total", total, 4)
		_, _, err = e.db.FindNotifications(e.ctx, tn.scope, tn.email("nobody"), page(1, 3))
		wantCode(t, err, opentalent.ENOTFOUND)

		// Notifications of another user are not listed.
		eq(t, "u's notes", len(e.notes(t, tn.scope, u.Email)), 4)
	})
}
