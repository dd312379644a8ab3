package storetest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/opentalent/opentalent"
)

func TestGroups(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		names := func(t *testing.T, s opentalent.Scope, filter string, p opentalent.Page) ([]string, int) {
			t.Helper()
			gs, total, err := e.db.FindGroups(e.ctx, s, filter, p)
			must(t, err)
			out := []string{}
			for _, g := range gs {
				if g.ID == "" || g.SystemID == "" {
					t.Fatalf("group %+v", g)
				}
				out = append(out, g.Name)
			}
			return out, total
		}

		t.Run("CreateCaseInsensitiveUnique", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			sib := e.sibling(t, tn)
			g, err := e.db.CreateGroup(e.ctx, tn.netW, tn.sys.ID, "  Team A ")
			must(t, err)
			eq(t, "name", g.Name, "Team A")
			eq(t, "system", g.SystemID, tn.sys.ID)
			for _, n := range []string{"Team A", "team a", " TEAM A  "} {
				_, err := e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, n)
				wantCode(t, err, opentalent.ECONFLICT)
			}
			// The same name is free in another system.
			_, err = e.db.CreateGroup(e.ctx, sib.scope, sib.sys.ID, "team a")
			must(t, err)
			got, total := names(t, tn.scope, "", page(1, 10))
			eq(t, "groups", got, []string{"Team A"})
			eq(t, "total", total, 1)
			got, total = names(t, tn.netW, "", page(1, 10))
			slices.Sort(got) // equal name keys: order by id
			eq(t, "network groups", got, []string{"Team A", "team a"})
			eq(t, "network total", total, 2)
		})

		t.Run("CreateErrors", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			other := e.tenant(t)
			sib := e.sibling(t, tn)
			_, err := e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, "   ")
			wantField(t, err, "name")
			_, err = e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, strings.Repeat("g", 201))
			wantField(t, err, "name")
			_, err = e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, strings.Repeat("g", 200))
			must(t, err)
			_, err = e.db.CreateGroup(e.ctx, tn.scope, sib.sys.ID, "X")
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.CreateGroup(e.ctx, tn.netW, other.sys.ID, "X")
			wantCode(t, err, opentalent.ENOTFOUND)
			got, _ := names(t, sib.scope, "", page(1, 10))
			eq(t, "sibling has none", got, []string{})
		})

		t.Run("FindGroups", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "beta", "Alpha", "alpha_2", "alpha.2", "100%", "Zulu")
			all := []string{"100%", "Alpha", "alpha.2", "alpha_2", "beta", "Zulu"} // by lower-cased name, byte-wise
			got, total := names(t, tn.scope, "", page(1, 10))
			eq(t, "all", got, all)
			eq(t, "total", total, 6)
			for _, c := range []struct {
				filter string
				want   []string
			}{
				{"ALPHA", []string{"Alpha", "alpha.2", "alpha_2"}},
				{"_", []string{"alpha_2"}},
				{"%", []string{"100%"}},
				{"a.", []string{"alpha.2"}},
				{"zU", []string{"Zulu"}},
				{`\`, []string{}},
			} {
				got, total := names(t, tn.scope, c.filter, page(1, 10))
				eq(t, "filter "+c.filter, got, c.want)
				eq(t, "filter total "+c.filter, total, len(c.want))
			}
			got, total = names(t, tn.scope, "", page(2, 4))
			eq(t, "page 2", got, all[4:])
			eq(t, "page 2 total", total, 6)
			got, _ = names(t, tn.scope, "", page(3, 4))
			eq(t, "past the end", got, []string{})
		})

		t.Run("Rename", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "Team A", "Team B")
			u := e.user(t, tn, "u", opentalent.RoleTeacher, "Team A")
			_, err := e.db.RenameGroup(e.ctx, tn.scope, tn.sys.ID, "team a", "TEAM b")
			wantCode(t, err, opentalent.ECONFLICT)
			_, err = e.db.RenameGroup(e.ctx, tn.scope, tn.sys.ID, "Nope", "Team C")
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.RenameGroup(e.ctx, tn.scope, tn.sys.ID, "Team A", " ")
			wantField(t, err, "name")
			got, _ := names(t, tn.scope, "", page(1, 10))
			eq(t, "unchanged", got, []string{"Team A", "Team B"})

			// A change of case of its own name is no conflict.
			g, err := e.db.RenameGroup(e.ctx, tn.netW, tn.sys.ID, " team a ", "TEAM A")
			must(t, err)
			eq(t, "renamed", g.Name, "TEAM A")
			g, err = e.db.RenameGroup(e.ctx, tn.scope, tn.sys.ID, "Team A", "Team C")
			must(t, err)
			eq(t, "renamed again", g.Name, "Team C")
			eq(t, "same system", g.SystemID, tn.sys.ID)
			got, _ = names(t, tn.scope, "", page(1, 10))
			eq(t, "after rename", got, []string{"Team B", "Team C"})
			eq(t, "membership follows", e.userGroups(t, tn.scope, u.Email), []string{"Team C"})
			// The old name is free again.
			_, err = e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, "team a")
			must(t, err)
		})

		t.Run("Delete", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			e.groups(t, tn, "Gone", "Stays")
			a := e.user(t, tn, "a", opentalent.RoleTeacher, "Gone", "Stays")
			b := e.user(t, tn, "b", opentalent.RoleTeacher, "Gone")
			c := e.user(t, tn, "c", opentalent.RoleTeacher, "Stays")
			before := map[string]int{}
			for _, u := range []*opentalent.User{a, b, c} {
				before[u.Email] = len(e.notes(t, tn.scope, u.Email))
			}
			wantCode(t, e.db.DeleteGroup(e.ctx, tn.scope, tn.sys.ID, "Nope"), opentalent.ENOTFOUND)
			must(t, e.db.DeleteGroup(e.ctx, tn.netW, tn.sys.ID, " GONE "))
			got, _ := names(t, tn.scope, "", page(1, 10))
			eq(t, "groups", got, []string{"Stays"})
			eq(t, "a's groups", e.userGroups(t, tn.scope, a.Email), []string{"Stays"})
			eq(t, "b's groups", e.userGroups(t, tn.scope, b.Email), []string{})
			us, total, err := e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Group: "Gone", Page: page(1, 10)})
			must(t, err)
			eq(t, "no members", len(us), 0)
			eq(t, "no members total", total, 0)
			for _, u := range []*opentalent.User{a, b} {
				notes := e.notes(t, tn.scope, u.Email)
				eq(t, "one new note for "+u.Email, len(notes)-before[u.Email], 1)
				eq(t, "note", notes[0], `You were removed from the group "Gone".`)
			}
			eq(t, "non-member not notified", len(e.notes(t, tn.scope, c.Email)), before[c.Email])
			wantCode(t, e.db.DeleteGroup(e.ctx, tn.scope, tn.sys.ID, "Gone"), opentalent.ENOTFOUND)
			// The name can be used again and starts empty.
			_, err = e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, "gone")
			must(t, err)
			us, _, err = e.db.FindUsers(e.ctx, opentalent.UserFilter{Scope: tn.scope, Group: "gone", Page: page(1, 10)})
			must(t, err)
			eq(t, "new group is empty", len(us), 0)
		})
	})
}
