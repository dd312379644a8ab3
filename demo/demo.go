// Package demo builds the demo tenant that `talentd demo` serves: a network
// with two systems, schools as groups, and staff of every role.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
)

// Result is what Bootstrap made: the tokens are shown once.
type Result struct {
	Network      *opentalent.Network
	Systems      []*opentalent.System
	NetworkToken string
	SystemTokens []string
	// AdminEmail is an Admin of the first system.
	AdminEmail string
	// TeacherEmail is a Teacher of the first system.
	TeacherEmail string
}

var firstNames = []string{"Ada", "Bea", "Cal", "Dara", "Eli", "Fern", "Gus", "Hana", "Ivo", "June", "Kai", "Lena", "Milo", "Nia", "Otto", "Pia",
	"Quin", "Rosa", "Sami", "Tess", "Uma", "Vic", "Wren", "Xan", "Yara", "Zed", "Noor", "Theo", "Iris", "Omar", "Lio", "Mae"}
var lastNames = []string{"Abbot", "Brandt", "Castell", "Dunmore", "Eskew", "Farrow", "Gilder", "Hollis", "Imrie", "Jessup", "Kettle", "Lowry",
	"Marden", "Norcott", "Oakes", "Pruett", "Quarles", "Rudd", "Sayer", "Tolland", "Upton", "Vance", "Wexley", "Yardley"}

type systemPlan struct {
	name, domain string
	schools      []string
}

var plans = []systemPlan{
	{"Riverside Unified", "riverside.example.org", []string{"Riverside Elementary", "Northgate Middle", "Riverside High"}},
	{"Lakeview District", "lakeview.example.org", []string{"Lakeview Primary", "Harbor Middle", "Lakeview Secondary"}},
}

// IsEmpty reports whether the database has no network yet.
func IsEmpty(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM networks`).Scan(&n)
	return n == 0, err
}

// Bootstrap creates the demo network: two systems, each with three schools
// (groups), an Admin, a Coach per school and teachers in every school.
// Names come from a fixed seed, so every demo looks the same.
func Bootstrap(ctx context.Context, db *store.DB) (*Result, error) {
	rng := rand.New(rand.NewPCG(2026, 9))
	net, err := db.CreateNetwork(ctx, "Demo Network")
	if err != nil {
		return nil, err
	}
	res := &Result{Network: net}
	netScope := opentalent.Scope{NetworkID: net.ID}
	if _, res.NetworkToken, err = db.CreateToken(ctx, netScope, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: net.ID}); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	person := func(domain string) (name, email string) {
		for {
			f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
			email = strings.ToLower(f+"."+l) + "@" + domain
			if !used[email] {
				used[email] = true
				return f + " " + l, email
			}
		}
	}
	for _, plan := range plans {
		sys, err := db.CreateSystem(ctx, net.ID, plan.name)
		if err != nil {
			return nil, err
		}
		res.Systems = append(res.Systems, sys)
		scope := opentalent.Scope{NetworkID: net.ID, SystemID: sys.ID}
		_, tok, err := db.CreateToken(ctx, scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: sys.ID})
		if err != nil {
			return nil, err
		}
		res.SystemTokens = append(res.SystemTokens, tok)
		for _, school := range plan.schools {
			if _, err := db.CreateGroup(ctx, scope, sys.ID, school); err != nil {
				return nil, err
			}
		}
		add := func(role string, groups []string) (string, error) {
			name, email := person(plan.domain)
			_, err := db.CreateUser(ctx, scope, opentalent.NewUser{Email: email, Name: name, Role: role, SystemID: sys.ID, SuppressInvite: true, Groups: groups})
			return email, err
		}
		admin, err := add(opentalent.RoleAdmin, nil)
		if err != nil {
			return nil, fmt.Errorf("demo admin: %w", err)
		}
		for _, school := range plan.schools {
			if _, err := add(opentalent.RoleCoach, []string{school}); err != nil {
				return nil, fmt.Errorf("demo coach: %w", err)
			}
			for range 12 {
				email, err := add(opentalent.RoleTeacher, []string{school})
				if err != nil {
					return nil, fmt.Errorf("demo teacher: %w", err)
				}
				if res.TeacherEmail == "" {
					res.TeacherEmail = email
				}
			}
		}
		if res.AdminEmail == "" {
			res.AdminEmail = admin
		}
	}
	return res, nil
}
