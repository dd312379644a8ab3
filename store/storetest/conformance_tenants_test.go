package storetest_test

import (
	"slices"
	"testing"

	"github.com/opentalent/opentalent"
)

func TestSystems(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("CreateSystemMakesThreeRoles", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			roles, total, err := e.db.FindRoles(e.ctx, tn.scope, tn.sys.ID, "", page(1, 10))
			must(t, err)
			eq(t, "total", total, 3)
			type rt struct {
				Name, Type string
				Users      int
			}
			got := func(rs []opentalent.Role) []rt {
				var out []rt
				for _, r := range rs {
					if r.ID == "" {
						t.Fatalf("role %q has no id", r.Name)
					}
					out = append(out, rt{r.Name, r.Type, r.UsersCount})
				}
				return out
			}
			eq(t, "roles", got(roles), []rt{{"Administrator", "System Admin", 0}, {"Coach", "Coach", 0}, {"Teacher", "Teacher", 0}})

			e.user(t, tn, "adm", opentalent.RoleAdmin)
			e.user(t, tn, "t1", opentalent.RoleTeacher)
			e.user(t, tn, "t2", opentalent.RoleTeacher)
			roles, _, err = e.db.FindRoles(e.ctx, tn.netW, tn.sys.ID, "", page(1, 10))
			must(t, err)
			eq(t, "roles with users", got(roles), []rt{{"Administrator", "System Admin", 1}, {"Coach", "Coach", 0}, {"Teacher", "Teacher", 2}})

			roles, total, err = e.db.FindRoles(e.ctx, tn.scope, tn.sys.ID, "TEACH", page(1, 10))
			must(t, err)
			eq(t, "filtered", got(roles), []rt{{"Teacher", "Teacher", 2}})
			eq(t, "filtered total", total, 1)
			roles, total, err = e.db.FindRoles(e.ctx, tn.scope, tn.sys.ID, "", page(2, 2))
			must(t, err)
			eq(t, "page 2", got(roles), []rt{{"Teacher", "Teacher", 2}})
			eq(t, "page 2 total", total, 3)
		})

		t.Run("CreateSystemValidation", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			_, err := e.db.CreateSystem(e.ctx, tn.net.ID, "   ")
			wantField(t, err, "name")
			_, err = e.db.CreateSystem(e.ctx, "net_nope", "X")
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.CreateNetwork(e.ctx, " ")
			wantField(t, err, "name")
			s, err := e.db.CreateSystem(e.ctx, tn.net.ID, "  Trimmed  ")
			must(t, err)
			eq(t, "name", s.Name, "Trimmed")
			eq(t, "network", s.NetworkID, tn.net.ID)
			got, err := e.db.FindSystem(e.ctx, tn.netW, s.ID)
			must(t, err)
			eq(t, "found", *got, *s)
		})

		t.Run("FindSystems", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t) // another network: never listed
			// tn.sys has a random name "sys-…": sorts after the upper-case
			// names and before "zeta".
			for _, n := range []string{"beta", "Alpha", "alpha_2", "alpha.2", "Gamma%", "zeta"} {
				_, err := e.db.CreateSystem(e.ctx, tn.net.ID, n)
				must(t, err)
			}
			names := func(s opentalent.Scope, filter string, p opentalent.Page) ([]string, int) {
				t.Helper()
				ss, total, err := e.db.FindSystems(e.ctx, s, filter, p)
				must(t, err)
				out := []string{}
				for _, x := range ss {
					if x.NetworkID != s.NetworkID {
						t.Fatalf("system %s of network %s listed in scope %+v", x.ID, x.NetworkID, s)
					}
					out = append(out, x.Name)
				}
				return out, total
			}
			// Byte-wise order, the same on both engines: upper case first,
			// '.' (0x2e) before '_' (0x5f) before letters.
			all, total := names(tn.netW, "", page(1, 100))
			eq(t, "all", all, []string{"Alpha", "Gamma%", "alpha.2", "alpha_2", "beta", tn.sys.Name, "zeta"})
			eq(t, "total", total, 7)
			if !slices.IsSorted(all) {
				t.Fatalf("not byte-wise sorted: %v", all)
			}

			for _, c := range []struct {
				filter string
				want   []string
			}{
				{"ALPHA", []string{"Alpha", "alpha.2", "alpha_2"}},
				{"_", []string{"alpha_2"}}, // '_' is no wildcard
				{"%", []string{"Gamma%"}},  // nor is '%'
				{"a.2", []string{"alpha.2"}},
				{`\`, []string{}},
				{"nothing", []string{}},
			} {
				got, total := names(tn.netW, c.filter, page(1, 100))
				eq(t, "filter "+c.filter, got, c.want)
				eq(t, "filter total "+c.filter, total, len(c.want))
			}

			p1, total := names(tn.netW, "", page(1, 3))
			eq(t, "page 1", p1, []string{"Alpha", "Gamma%", "alpha.2"})
			eq(t, "page 1 total", total, 7)
			p3, _ := names(tn.netW, "", page(3, 3))
			eq(t, "page 3", p3, []string{"zeta"})
			p4, total := names(tn.netW, "", page(4, 3))
			eq(t, "page past the end", p4, []string{})
			eq(t, "page past the end total", total, 7)

			// A system scope sees its own system only.
			own, total := names(tn.scope, "", page(1, 100))
			eq(t, "system scope", own, []string{tn.sys.Name})
			eq(t, "system scope total", total, 1)
			none, _ := names(tn.scope, "alpha", page(1, 100))
			eq(t, "system scope filtered", none, []string{})
			theirs, _ := names(other.netW, "", page(1, 100))
			eq(t, "other network", theirs, []string{other.sys.Name})
		})

		t.Run("FindSystemsNonASCIIName", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			_, err := e.db.CreateSystem(e.ctx, tn.net.ID, "École Nord")
			must(t, err)
			for _, f := range []string{"École", "cole", "ÉCOLE", "école"} {
				ss, total, err := e.db.FindSystems(e.ctx, tn.netW, f, page(1, 10))
				must(t, err)
				if total != 1 || len(ss) != 1 {
					t.Errorf("FindSystems(%q) found %d systems named \"École Nord\", want 1 (case-insensitive match of non-ASCII letters)", f, total)
				}
			}
		})
	})
}

func TestProfileAttributes(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		tn := e.tenant(t)
		other := e.sibling(t, tn)
		labels := func(s *tenant) []string {
			t.Helper()
			pas, err := e.db.FindProfileAttributes(e.ctx, s.scope, s.sys.ID)
			must(t, err)
			out := []string{}
			for _, pa := range pas {
				out = append(out, pa.Label)
			}
			return out
		}
		set := func(s *tenant, pa opentalent.ProfileAttribute) {
			t.Helper()
			must(t, e.db.SetProfileAttribute(e.ctx, s.scope, s.sys.ID, pa))
		}
		eq(t, "empty", labels(tn), []string{})

		full := opentalent.ProfileAttribute{
			Label: "Grade", CreatedByUserName: "Ada", ViewableBy: []string{"Admin", "Coach"}, Question: "Which grade?",
			Required: true, For: []string{"Teacher"}, Options: []opentalent.ProfileAttributeOption{{Label: "K"}, {Label: "1"}},
		}
		set(tn, full)
		set(tn, opentalent.ProfileAttribute{Label: " Subject "}) // trimmed
		set(tn, opentalent.ProfileAttribute{Label: "Campus"})
		eq(t, "definition order", labels(tn), []string{"Grade", "Subject", "Campus"})

		pas, err := e.db.FindProfileAttributes(e.ctx, tn.netW, tn.sys.ID)
		must(t, err)
		got := pas[0]
		got.ID = ""
		eq(t, "round trip", got, full)
		empty := pas[1]
		empty.ID = ""
		eq(t, "nil slices come back empty", empty, opentalent.ProfileAttribute{
			Label: "Subject", ViewableBy: []string{}, For: []string{}, Options: []opentalent.ProfileAttributeOption{},
		})

		// Setting an existing label replaces it in place.
		set(tn, opentalent.ProfileAttribute{Label: "Grade", Question: "Grade taught?"})
		pas, err = e.db.FindProfileAttributes(e.ctx, tn.scope, tn.sys.ID)
		must(t, err)
		eq(t, "upsert keeps position", labels(tn), []string{"Grade", "Subject", "Campus"})
		eq(t, "upsert replaces", pas[0].Question, "Grade taught?")
		eq(t, "upsert replaces required", pas[0].Required, false)
		eq(t, "upsert replaces options", pas[0].Options, []opentalent.ProfileAttributeOption{})

		// The same label in another system is another attribute.
		set(other, opentalent.ProfileAttribute{Label: "Grade", Question: "theirs"})
		eq(t, "other system", labels(other), []string{"Grade"})

		wantField(t, e.db.SetProfileAttribute(e.ctx, tn.scope, tn.sys.ID, opentalent.ProfileAttribute{Label: "  "}), "label")
		wantCode(t, e.db.DeleteProfileAttribute(e.ctx, tn.scope, tn.sys.ID, "Nope"), opentalent.ENOTFOUND)
		must(t, e.db.DeleteProfileAttribute(e.ctx, tn.scope, tn.sys.ID, " Grade "))
		eq(t, "after delete", labels(tn), []string{"Subject", "Campus"})
		eq(t, "other system untouched", labels(other), []string{"Grade"})
		wantCode(t, e.db.DeleteProfileAttribute(e.ctx, tn.scope, tn.sys.ID, "Grade"), opentalent.ENOTFOUND)
		set(tn, opentalent.ProfileAttribute{Label: "Grade"})
		eq(t, "re-added goes last", labels(tn), []string{"Subject", "Campus", "Grade"})
	})
}
