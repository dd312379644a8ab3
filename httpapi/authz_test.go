package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/api"
	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// Token kinds: the columns of the authorization matrix.
const (
	kNone       = "none"
	kUnknown    = "unknown"
	kRevoked    = "revoked"
	kExpired    = "expired"
	kTeacher    = "Teacher"
	kCoach      = "Coach"
	kAdmin      = "Admin"
	kSystem     = "system"
	kSystemB    = "systemB"        // system token of the tenant's other system
	kNetwork    = "network"        // the tenant's network token
	kForeignNet = "foreignNetwork" // network token of another network
)

// unauthenticated columns: 401 on every route.
var unauthKinds = []string{kNone, kUnknown, kRevoked, kExpired}

// authedKinds is the order of the arguments of expect.
var authedKinds = []string{kTeacher, kCoach, kAdmin, kSystem, kSystemB, kNetwork, kForeignNet}

// expect gives the statuses of the authenticated columns in the order of
// authedKinds; the unauthenticated columns always expect 401.
func expect(teacher, coach, admin, system, systemB, network, foreignNet int) map[string]int {
	m := map[string]int{}
	for _, k := range unauthKinds {
		m[k] = http.StatusUnauthorized
	}
	for i, st := range []int{teacher, coach, admin, system, systemB, network, foreignNet} {
		m[authedKinds[i]] = st
	}
	return m
}

// authzCall is one request of a matrix cell.
type authzCall struct {
	method, path string
	body         any
	// after, when set, checks the state after the request: changed says
	// whether the write was expected to take effect.
	after func(t *testing.T, changed bool)
	// check, when set, checks the 2xx answer of a cell that got the
	// expected status: what a list or a page holds for that token kind.
	check func(t *testing.T, kind string, r *apitest.Resp)
}

// authzRow is one route pointed at one target, with the status every token
// kind must get.
type authzRow struct {
	route  string // the route pattern, as in the route table
	target string // what the request points at
	want   map[string]int
	// effect lists the columns whose request changes state; nil means those
	// whose expected status is 2xx.
	effect []string
	// build makes the request of one cell. Rows that write make fresh
	// objects here, so that cells never interfere.
	build func(t *testing.T) authzCall
}

// authzFixture is the world the matrix runs in: the tenant tn whose objects
// the requests target, and a tenant other on another network.
type authzFixture struct {
	env       *apitest.Env
	db        *store.DB
	tn, other *apitest.Tenant
	tokens    map[string]string
	// ins holds the Insights and Report Builder objects the matrix targets.
	ins *insightsFixture
}

func newAuthzFixture(t *testing.T, env *apitest.Env) *authzFixture {
	f := &authzFixture{env: env, db: env.App.DB, tn: env.NewTenant(t), other: env.NewTenant(t)}
	f.tokens = map[string]string{
		kNone: "", kUnknown: randomSecret(), kRevoked: f.tn.RevokedToken, kExpired: f.tn.ExpiredToken,
		kTeacher: f.tn.Teacher.Token, kCoach: f.tn.Coach.Token, kAdmin: f.tn.Admin.Token,
		kSystem: f.tn.SystemToken, kSystemB: f.tn.SystemTokenB, kNetwork: f.tn.NetworkToken, kForeignNet: f.other.NetworkToken,
	}
	f.ins = f.newInsightsFixture(t)
	return f
}

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return store.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func scopeOf(tn *apitest.Tenant, system string) opentalent.Scope {
	return opentalent.Scope{NetworkID: tn.NetworkID, SystemID: system}
}

func freshEmail(prefix string) string {
	return strings.ToLower(storetest.Name(prefix)) + "@example.org"
}

// newUser creates an Invited Teacher with no groups in a system.
func (f *authzFixture) newUser(t *testing.T, s opentalent.Scope) *opentalent.User {
	t.Helper()
	u, err := f.db.CreateUser(context.Background(), s, opentalent.NewUser{Email: freshEmail("u"), Name: "Fresh", Role: opentalent.RoleTeacher, SystemID: s.SystemID, SuppressInvite: false})
	if err != nil {
		t.Fatalf("fixture user: %v", err)
	}
	return u
}

func (f *authzFixture) newGroup(t *testing.T, s opentalent.Scope) string {
	t.Helper()
	g, err := f.db.CreateGroup(context.Background(), s, s.SystemID, storetest.Name("grp"))
	if err != nil {
		t.Fatalf("fixture group: %v", err)
	}
	return g.Name
}

func (f *authzFixture) newToken(t *testing.T, s opentalent.Scope, nt opentalent.NewToken) (id, secret string) {
	t.Helper()
	tok, secret, err := f.db.CreateToken(context.Background(), s, nt)
	if err != nil {
		t.Fatalf("fixture token: %v", err)
	}
	return tok.ID, secret
}

// lookupUser finds a user anywhere in the installation; nil if there is none.
func (f *authzFixture) lookupUser(t *testing.T, email string) *opentalent.User {
	t.Helper()
	ctx := context.Background()
	s, err := f.db.LookupUserScope(ctx, email)
	if opentalent.ErrorCode(err) == opentalent.ENOTFOUND {
		return nil
	}
	if err != nil {
		t.Fatalf("lookup user: %v", err)
	}
	u, err := f.db.FindUserByEmail(ctx, s, email)
	if err != nil {
		t.Fatalf("find user: %v", err)
	}
	return u
}

// groupExists says whether a group of that exact name exists in scope s.
func (f *authzFixture) groupExists(t *testing.T, s opentalent.Scope, name string) bool {
	t.Helper()
	gs, _, err := f.db.FindGroups(context.Background(), s, name, opentalent.Page{Number: 1, Limit: 100})
	if err != nil {
		t.Fatalf("find groups: %v", err)
	}
	return slices.ContainsFunc(gs, func(g opentalent.Group) bool { return g.Name == name })
}

func (f *authzFixture) tokenWorks(secret string) bool {
	_, err := f.db.Authenticate(context.Background(), secret)
	return err == nil
}

func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

const pg = "pageNumber=1&limit=10"

// rows is the matrix: every route of the API against objects of the own
// system (A), the other system of the same network (B), and another network.
func (f *authzFixture) rows() []authzRow {
	tn, other := f.tn, f.other
	sa, sb, oa := scopeOf(tn, tn.SystemA), scopeOf(tn, tn.SystemB), scopeOf(other, other.SystemA)
	netScope := opentalent.Scope{NetworkID: tn.NetworkID}
	esc := url.PathEscape
	get := func(path string) func(*testing.T) authzCall {
		return func(*testing.T) authzCall { return authzCall{method: "GET", path: path} }
	}
	sysParam := func(id string) string {
		if id == "" {
			return ""
		}
		return "&systemId=" + id
	}
	withSystem := func(m map[string]any, id string) map[string]any {
		if id != "" {
			m["systemId"] = id
		}
		return m
	}
	// userExists checks that a user exists iff the write took effect.
	userCreated := func(email string) func(*testing.T, bool) {
		return func(t *testing.T, changed bool) {
			wantEq(t, "user "+email+" exists", f.lookupUser(t, email) != nil, changed)
		}
	}
	var rows []authzRow
	add := func(r ...authzRow) { rows = append(rows, r...) }

	// GET /users
	add(
		authzRow{"GET /api/v2/users", "no systemId", expect(403, 200, 200, 200, 200, 200, 200), nil, get("/api/v2/users?" + pg)},
		authzRow{"GET /api/v2/users", "systemId=A", expect(403, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/users?" + pg + sysParam(tn.SystemA))},
		authzRow{"GET /api/v2/users", "systemId=B", expect(403, 404, 404, 404, 200, 200, 404), nil, get("/api/v2/users?" + pg + sysParam(tn.SystemB))},
		authzRow{"GET /api/v2/users", "systemId=foreign", expect(403, 404, 404, 404, 404, 404, 200), nil, get("/api/v2/users?" + pg + sysParam(other.SystemA))},
	)
	// POST /users
	createUser := func(system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			email := freshEmail("new")
			return authzCall{method: "POST", path: "/api/v2/users", body: withSystem(map[string]any{"email": email, "role": "Teacher", "suppress_invite": true}, system), after: userCreated(email)}
		}
	}
	add(
		authzRow{"POST /api/v2/users", "systemId=A", expect(403, 403, 201, 201, 404, 201, 404), nil, createUser(tn.SystemA)},
		authzRow{"POST /api/v2/users", "no systemId", expect(403, 403, 201, 201, 201, 400, 400), nil, createUser("")},
		authzRow{"POST /api/v2/users", "systemId=foreign", expect(403, 403, 404, 404, 404, 404, 201), nil, createUser(other.SystemA)},
	)
	// POST /users/bulk
	bulk := func(system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			email := freshEmail("bulk")
			return authzCall{method: "POST", path: "/api/v2/users/bulk", body: withSystem(map[string]any{"invites": []map[string]string{{"email": email}}, "role": "Teacher", "suppress_invite": true}, system), after: userCreated(email)}
		}
	}
	add(
		authzRow{"POST /api/v2/users/bulk", "systemId=A", expect(403, 403, 200, 200, 404, 200, 404), nil, bulk(tn.SystemA)},
		authzRow{"POST /api/v2/users/bulk", "no systemId", expect(403, 403, 200, 200, 200, 400, 400), nil, bulk("")},
		authzRow{"POST /api/v2/users/bulk", "systemId=foreign", expect(403, 403, 404, 404, 404, 404, 200), nil, bulk(other.SystemA)},
	)
	// PUT /users/groups: add a fresh user of A to G2.
	usersGroups := func(system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			u := f.newUser(t, sa)
			return authzCall{method: "PUT", path: "/api/v2/users/groups", body: withSystem(map[string]any{"emails": []string{u.Email}, "groups": []string{"G2"}, "mode": "add"}, system),
				after: func(t *testing.T, changed bool) {
					got := f.lookupUser(t, u.Email)
					wantEq(t, "groups of "+u.Email, fmt.Sprint(got.Groups), map[bool]string{true: "[G2]", false: "[]"}[changed])
				}}
		}
	}
	add(
		authzRow{"PUT /api/v2/users/groups", "user of A, systemId=A", expect(403, 403, 200, 200, 404, 200, 404), nil, usersGroups(tn.SystemA)},
		// Without systemId system B's token looks for G2 in B: an unknown group, 400.
		authzRow{"PUT /api/v2/users/groups", "user of A, no systemId", expect(403, 403, 200, 200, 400, 400, 400), nil, usersGroups("")},
		authzRow{"PUT /api/v2/users/groups", "user of A, systemId=foreign", expect(403, 403, 404, 404, 404, 404, 400), nil, usersGroups(other.SystemA)},
	)
	// GET /users/{email}, /groups, /notifications
	for _, sub := range []string{"", "/groups"} {
		route := "GET /api/v2/users/{email}" + sub
		q := ""
		if sub != "" {
			q = "?" + pg
		}
		add(
			authzRow{route, "self (Teacher)", expect(200, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/users/" + esc(tn.Teacher.Email) + sub + q)},
			authzRow{route, "neighbour in A", expect(403, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/users/" + esc(tn.Teacher2.Email) + sub + q)},
			authzRow{route, "user of B", expect(404, 404, 404, 404, 200, 200, 404), nil, get("/api/v2/users/" + esc(tn.TeacherB.Email) + sub + q)},
			authzRow{route, "user of foreign network", expect(404, 404, 404, 404, 404, 404, 200), nil, get("/api/v2/users/" + esc(other.Teacher.Email) + sub + q)},
			authzRow{route, "nobody", expect(404, 404, 404, 404, 404, 404, 404), nil, get("/api/v2/users/" + esc(freshEmail("nobody")) + sub + q)},
		)
	}
	notes := func(email string) func(*testing.T) authzCall {
		return get("/api/v2/users/" + esc(email) + "/notifications?" + pg)
	}
	add(
		authzRow{"GET /api/v2/users/{email}/notifications", "Teacher's own", expect(200, 403, 200, 200, 404, 200, 404), nil, notes(tn.Teacher.Email)},
		authzRow{"GET /api/v2/users/{email}/notifications", "Coach's own", expect(403, 200, 200, 200, 404, 200, 404), nil, notes(tn.Coach.Email)},
		authzRow{"GET /api/v2/users/{email}/notifications", "neighbour in A", expect(403, 403, 200, 200, 404, 200, 404), nil, notes(tn.Teacher2.Email)},
		authzRow{"GET /api/v2/users/{email}/notifications", "user of B", expect(404, 404, 404, 404, 200, 200, 404), nil, notes(tn.TeacherB.Email)},
		authzRow{"GET /api/v2/users/{email}/notifications", "user of foreign network", expect(404, 404, 404, 404, 404, 404, 200), nil, notes(other.Teacher.Email)},
	)
	// PUT /users/{email}: a fresh user, renamed and promoted.
	updateUser := func(s opentalent.Scope) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			u := f.newUser(t, s)
			return authzCall{method: "PUT", path: "/api/v2/users/" + esc(u.Email), body: map[string]any{"name": "Renamed", "role": "Admin"},
				after: func(t *testing.T, changed bool) {
					got := f.lookupUser(t, u.Email)
					wantEq(t, "name", got.Name == "Renamed", changed)
					wantEq(t, "role is Admin", got.Role == "Admin", changed)
				}}
		}
	}
	add(
		authzRow{"PUT /api/v2/users/{email}", "user of A", expect(403, 403, 200, 200, 404, 200, 404), nil, updateUser(sa)},
		authzRow{"PUT /api/v2/users/{email}", "user of B", expect(403, 403, 404, 404, 200, 200, 404), nil, updateUser(sb)},
		authzRow{"PUT /api/v2/users/{email}", "user of foreign network", expect(403, 403, 404, 404, 404, 404, 200), nil, updateUser(oa)},
	)
	// GET /groups
	add(
		authzRow{"GET /api/v2/groups", "no systemId", expect(403, 200, 200, 200, 200, 200, 200), nil, get("/api/v2/groups?" + pg)},
		authzRow{"GET /api/v2/groups", "systemId=A", expect(403, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/groups?" + pg + sysParam(tn.SystemA))},
		authzRow{"GET /api/v2/groups", "systemId=foreign", expect(403, 404, 404, 404, 404, 404, 200), nil, get("/api/v2/groups?" + pg + sysParam(other.SystemA))},
	)
	// POST /groups
	createGroup := func(system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			name := storetest.Name("newgrp")
			return authzCall{method: "POST", path: "/api/v2/groups", body: withSystem(map[string]any{"name": name}, system), after: func(t *testing.T, changed bool) {
				exists := f.groupExists(t, netScope, name) || f.groupExists(t, scopeOf(other, ""), name)
				wantEq(t, "group "+name+" exists", exists, changed)
			}}
		}
	}
	add(
		authzRow{"POST /api/v2/groups", "systemId=A", expect(403, 403, 201, 201, 404, 201, 404), nil, createGroup(tn.SystemA)},
		authzRow{"POST /api/v2/groups", "no systemId", expect(403, 403, 201, 201, 201, 400, 400), nil, createGroup("")},
		authzRow{"POST /api/v2/groups", "systemId=foreign", expect(403, 403, 404, 404, 404, 404, 201), nil, createGroup(other.SystemA)},
	)
	// PUT /groups/{name}: rename a fresh group.
	renameGroup := func(s opentalent.Scope, system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			old, renamed := f.newGroup(t, s), storetest.Name("renamed")
			return authzCall{method: "PUT", path: "/api/v2/groups/" + esc(old), body: withSystem(map[string]any{"name": renamed}, system), after: func(t *testing.T, changed bool) {
				wantEq(t, "old name "+old+" exists", f.groupExists(t, s, old), !changed)
				wantEq(t, "new name "+renamed+" exists", f.groupExists(t, s, renamed), changed)
			}}
		}
	}
	add(
		authzRow{"PUT /api/v2/groups/{name}", "group of A, systemId=A", expect(403, 403, 200, 200, 404, 200, 404), nil, renameGroup(sa, tn.SystemA)},
		authzRow{"PUT /api/v2/groups/{name}", "group of A, no systemId", expect(403, 403, 200, 200, 404, 400, 400), nil, renameGroup(sa, "")},
		authzRow{"PUT /api/v2/groups/{name}", "group of foreign network", expect(403, 403, 404, 404, 404, 404, 200), nil, renameGroup(oa, other.SystemA)},
	)
	// DELETE /groups/{name}: a fresh group with a member.
	deleteGroup := func(s opentalent.Scope, system string) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			name := f.newGroup(t, s)
			u := f.newUser(t, s)
			if err := f.db.UpdateUser(context.Background(), s, u.Email, opentalent.UserUpdate{Groups: &[]string{name}}); err != nil {
				t.Fatal(err)
			}
			path := "/api/v2/groups/" + esc(name)
			if system != "" {
				path += "?systemId=" + system
			}
			return authzCall{method: "DELETE", path: path, after: func(t *testing.T, changed bool) {
				wantEq(t, "group "+name+" exists", f.groupExists(t, s, name), !changed)
				wantEq(t, "member keeps the group", fmt.Sprint(f.lookupUser(t, u.Email).Groups) == "["+name+"]", !changed)
			}}
		}
	}
	add(
		authzRow{"DELETE /api/v2/groups/{name}", "group of A, systemId=A", expect(403, 403, 200, 200, 404, 200, 404), nil, deleteGroup(sa, tn.SystemA)},
		authzRow{"DELETE /api/v2/groups/{name}", "group of A, no systemId", expect(403, 403, 200, 200, 404, 400, 400), nil, deleteGroup(sa, "")},
		authzRow{"DELETE /api/v2/groups/{name}", "group of foreign network", expect(403, 403, 404, 404, 404, 404, 200), nil, deleteGroup(oa, other.SystemA)},
	)
	// Systems, roles, profile attributes.
	add(
		authzRow{"GET /api/v2/systems", "all", expect(403, 200, 200, 200, 200, 200, 200), nil, get("/api/v2/systems?" + pg)},
		authzRow{"GET /api/v2/roles", "no systemId", expect(403, 200, 200, 200, 200, 400, 400), nil, get("/api/v2/roles?" + pg)},
		authzRow{"GET /api/v2/roles", "systemId=A", expect(403, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/roles?" + pg + sysParam(tn.SystemA))},
		authzRow{"GET /api/v2/roles", "systemId=B", expect(403, 404, 404, 404, 200, 200, 404), nil, get("/api/v2/roles?" + pg + sysParam(tn.SystemB))},
		authzRow{"GET /api/v2/roles", "systemId=foreign", expect(403, 404, 404, 404, 404, 404, 200), nil, get("/api/v2/roles?" + pg + sysParam(other.SystemA))},
		authzRow{"GET /api/v2/systems/{system}/profileAttributes", "system A", expect(403, 200, 200, 200, 404, 200, 404), nil, get("/api/v2/systems/" + tn.SystemA + "/profileAttributes")},
		authzRow{"GET /api/v2/systems/{system}/profileAttributes", "system B", expect(403, 404, 404, 404, 200, 200, 404), nil, get("/api/v2/systems/" + tn.SystemB + "/profileAttributes")},
		authzRow{"GET /api/v2/systems/{system}/profileAttributes", "foreign system", expect(403, 404, 404, 404, 404, 404, 200), nil, get("/api/v2/systems/" + other.SystemA + "/profileAttributes")},
		authzRow{"GET /api/v2/systems/{system}/profileAttributes", "no such system", expect(403, 404, 404, 404, 404, 404, 404), nil, get("/api/v2/systems/sys_nosuchsystem/profileAttributes")},
	)
	// POST /tokens
	mint := func(body map[string]any) func(*testing.T) authzCall {
		return func(*testing.T) authzCall { return authzCall{method: "POST", path: "/api/v2/tokens", body: body} }
	}
	add(
		authzRow{"POST /api/v2/tokens", "kind=system, systemId=A", expect(403, 403, 403, 403, 403, 201, 404), nil, mint(map[string]any{"kind": "system", "systemId": tn.SystemA})},
		authzRow{"POST /api/v2/tokens", "kind=system, no systemId", expect(403, 403, 403, 403, 403, 400, 400), nil, mint(map[string]any{"kind": "system"})},
		authzRow{"POST /api/v2/tokens", "kind=user, user of A", expect(403, 403, 201, 201, 404, 201, 404), nil, mint(map[string]any{"kind": "user", "email": tn.Teacher.Email, "expiresIn": "1h"})},
		authzRow{"POST /api/v2/tokens", "kind=user, user of foreign network", expect(403, 403, 404, 404, 404, 404, 201), nil, mint(map[string]any{"kind": "user", "email": other.Teacher.Email, "expiresIn": "1h"})},
	)
	// DELETE /tokens/{id}: a fresh token each time.
	revoke := func(s opentalent.Scope, nt func(*testing.T) opentalent.NewToken) func(*testing.T) authzCall {
		return func(t *testing.T) authzCall {
			id, secret := f.newToken(t, s, nt(t))
			return authzCall{method: "DELETE", path: "/api/v2/tokens/" + id, after: func(t *testing.T, changed bool) {
				wantEq(t, "token "+id+" still works", f.tokenWorks(secret), !changed)
			}}
		}
	}
	userTok := func(s opentalent.Scope) func(*testing.T) opentalent.NewToken {
		return func(t *testing.T) opentalent.NewToken {
			return opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: f.newUser(t, s).Email}
		}
	}
	add(
		authzRow{"DELETE /api/v2/tokens/{id}", "user token of A", expect(403, 403, 204, 204, 404, 204, 404), nil, revoke(sa, userTok(sa))},
		authzRow{"DELETE /api/v2/tokens/{id}", "system token of A", expect(403, 403, 204, 204, 404, 204, 404), nil,
			revoke(sa, func(*testing.T) opentalent.NewToken {
				return opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.SystemA}
			})},
		authzRow{"DELETE /api/v2/tokens/{id}", "network token", expect(403, 403, 404, 404, 404, 204, 404), nil,
			revoke(netScope, func(*testing.T) opentalent.NewToken {
				return opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.NetworkID}
			})},
		authzRow{"DELETE /api/v2/tokens/{id}", "user token of foreign network", expect(403, 403, 404, 404, 404, 404, 204), nil, revoke(oa, userTok(oa))},
		authzRow{"DELETE /api/v2/tokens/{id}", "no such token", expect(403, 403, 404, 404, 404, 404, 404), nil, func(*testing.T) authzCall {
			return authzCall{method: "DELETE", path: "/api/v2/tokens/tok_nosuchtoken0000000"}
		}},
	)
	// POST /activities: a Login of a fresh Invited user makes them Active.
	// Events of users outside the token's scope are per-event failures in a
	// 200, so the effect is what the matrix checks: the event is stored and
	// the user touched only by the columns in effect.
	ingest := func(s opentalent.Scope, effect ...string) authzRow {
		target := map[string]string{tn.SystemA: "user of A", tn.SystemB: "user of B", other.SystemA: "user of foreign network"}[s.SystemID]
		return authzRow{"POST /api/v2/activities", target, expect(403, 403, 200, 200, 200, 200, 200), effect, func(t *testing.T) authzCall {
			u := f.newUser(t, s)
			ev := map[string]any{"userId": u.ID, "timestamp": time.Now().Add(-time.Minute).UnixMilli(), "typeAlias": "Login"}
			return authzCall{method: "POST", path: "/api/v2/activities", body: map[string]any{"events": []any{ev}}, after: func(t *testing.T, changed bool) {
				got := f.lookupUser(t, u.Email)
				wantEq(t, "user became Active", got.Status == opentalent.StatusActive, changed)
				wantEq(t, "lastSeen set", got.LastSeen != nil, changed)
				wantEq(t, "events stored for "+u.Email, f.count(t, `SELECT count(*) FROM events WHERE user_id = $1`, u.ID), map[bool]int{true: 1, false: 0}[changed])
			}, check: func(t *testing.T, kind string, r *apitest.Resp) {
				checkIngestAnswer(t, r, []bool{slices.Contains(effect, kind)})
			}}
		}}
	}
	add(ingest(sa, kAdmin, kSystem, kNetwork), ingest(sb, kSystemB, kNetwork), ingest(oa, kForeignNet))
	add(f.insightsRows()...)
	return rows
}

// authzRoutes lists every route of the API that takes a bearer token; the
// matrix must cover each.
var authzRoutes = []string{
	"GET /api/v2/users", "POST /api/v2/users", "POST /api/v2/users/bulk", "PUT /api/v2/users/groups",
	"GET /api/v2/users/{email}", "PUT /api/v2/users/{email}", "GET /api/v2/users/{email}/groups",
	"GET /api/v2/users/{email}/notifications", "GET /api/v2/groups", "POST /api/v2/groups",
	"PUT /api/v2/groups/{name}", "DELETE /api/v2/groups/{name}", "GET /api/v2/systems", "GET /api/v2/roles",
	"GET /api/v2/systems/{system}/profileAttributes", "POST /api/v2/tokens", "DELETE /api/v2/tokens/{id}",
	"POST /api/v2/activities",
	"GET /api/v2/reports/filterOptions", "POST /api/v2/reports", "GET /api/v2/reports", "GET /api/v2/reports/{reportId}",
	"POST /api/v2/reports/reportBuilder/data", "GET /api/v2/reports/saved", "POST /api/v2/reports/saved",
	"GET /api/v2/reports/saved/{id}", "DELETE /api/v2/reports/saved/{id}",
}

// publicRoutes lists the /api/v2 routes that need no bearer token and are
// in the matrix all the same: their rows expect the same status whatever
// token (or none) comes with the request.
var publicRoutes = []string{"GET /api/v2/reports/{reportId}/csv"}

// TestAuthz runs the authorization matrix and the no-hint checks on one
// server per engine.
func TestAuthz(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		env := apitest.Start(t, engine)
		f := newAuthzFixture(t, env)
		rows := f.rows()
		t.Run("Coverage", func(t *testing.T) { testAuthzCoverage(t, env, rows) })
		t.Run("Matrix", func(t *testing.T) {
			for _, row := range rows {
				t.Run(row.route+" "+row.target, func(t *testing.T) {
					t.Parallel()
					for _, kind := range append(slices.Clone(unauthKinds), authedKinds...) {
						t.Run(kind, func(t *testing.T) {
							t.Parallel()
							f.runCell(t, row, kind)
						})
					}
				})
			}
		})
		t.Run("SelfRevoke", func(t *testing.T) { f.testSelfRevoke(t) })
		t.Run("NoForeignHint", func(t *testing.T) { f.testNoForeignHint(t) })
	})
}

func (f *authzFixture) runCell(t *testing.T, row authzRow, kind string) {
	want, ok := row.want[kind]
	if !ok {
		t.Fatalf("%s (%s): no expectation for token kind %s", row.route, row.target, kind)
	}
	c := row.build(t)
	r := f.env.Do(t, f.tokens[kind], c.method, c.path, c.body)
	where := fmt.Sprintf("%s [%s] as %s", row.route, row.target, kind)
	if r.Status != want {
		t.Errorf("%s: got %d, want %d: %s", where, r.Status, want, r.Body)
	}
	if r.Status >= 400 {
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: error content type %q, want application/problem+json", where, ct)
		}
	}
	if want == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s: 401 without a WWW-Authenticate: Bearer header (got %q)", where, r.Header.Get("WWW-Authenticate"))
	}
	if c.check != nil && r.Status == want && want/100 == 2 {
		t.Run("answer", func(t *testing.T) {
			c.check(t, kind, r)
			if t.Failed() {
				t.Errorf("%s: the answer is wrong for this token kind", where)
			}
		})
	}
	if c.after != nil {
		changed := want/100 == 2
		if row.effect != nil {
			changed = slices.Contains(row.effect, kind)
		}
		t.Run("after", func(t *testing.T) {
			c.after(t, changed)
			if t.Failed() {
				t.Errorf("%s: state after the request is wrong (got status %d, want %d; change expected: %v)", where, r.Status, want, changed)
			}
		})
	}
}

// testAuthzCoverage checks that the matrix covers every route, and that
// every documented /api/v2 operation the server serves is in it.
func testAuthzCoverage(t *testing.T, env *apitest.Env, rows []authzRow) {
	covered := map[string]bool{}
	for _, r := range rows {
		if !slices.Contains(authzRoutes, r.route) && !slices.Contains(publicRoutes, r.route) {
			t.Errorf("matrix row for %s, which is not in authzRoutes or publicRoutes", r.route)
		}
		covered[r.route] = true
	}
	for _, r := range slices.Concat(authzRoutes, publicRoutes) {
		if !covered[r] {
			t.Errorf("route %s has no row in the authorization matrix", r)
		}
	}
	doc, err := api.Load()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v2/") || path == "/api/v2/openapi.json" {
			continue
		}
		for method := range item.Operations() {
			route := method + " " + path
			if covered[route] {
				continue
			}
			// A documented route the server serves answers 401 without a
			// token; one it does not serve (yet) has no route (404).
			req, err := http.NewRequest(method, env.URL+param.ReplaceAllString(path, "x"), nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			switch {
			case res.StatusCode == http.StatusUnauthorized:
				t.Errorf("%s is served but missing from the authorization matrix", route)
			default:
				t.Logf("%s is documented but not served here (%d); not in the matrix", route, res.StatusCode)
			}
		}
	}
}

// testSelfRevoke checks that every kind of token may revoke itself, and
// then stops working.
func (f *authzFixture) testSelfRevoke(t *testing.T) {
	tn := f.tn
	sa := scopeOf(tn, tn.SystemA)
	for _, c := range []struct {
		kind string
		s    opentalent.Scope
		nt   opentalent.NewToken
	}{
		{"Teacher", sa, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: tn.Teacher.Email}},
		{"Coach", sa, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: tn.Coach.Email}},
		{"Admin", sa, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: tn.Admin.Email}},
		{"system", sa, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.SystemA}},
		{"network", opentalent.Scope{NetworkID: tn.NetworkID}, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.NetworkID}},
	} {
		t.Run(c.kind, func(t *testing.T) {
			t.Parallel()
			id, secret := f.newToken(t, c.s, c.nt)
			// A Teacher may not revoke another token...
			if c.kind == "Teacher" || c.kind == "Coach" {
				otherID, otherSecret := f.newToken(t, c.s, c.nt)
				r := f.env.Do(t, secret, "DELETE", "/api/v2/tokens/"+otherID, nil)
				wantEq(t, "DELETE /api/v2/tokens/{id} of another token of the same user as "+c.kind+": status", r.Status, 403)
				wantEq(t, "the other token still works", f.tokenWorks(otherSecret), true)
			}
			// ...but every token may revoke itself.
			r := f.env.Do(t, secret, "DELETE", "/api/v2/tokens/"+id, nil)
			wantEq(t, "DELETE /api/v2/tokens/{own id} as "+c.kind+": status", r.Status, 204)
			r = f.env.Do(t, secret, "GET", "/api/v2/users/"+url.PathEscape(tn.Teacher.Email), nil)
			wantEq(t, "GET /api/v2/users/{email} with the revoked "+c.kind+" token: status", r.Status, 401)
		})
	}
}

// testNoForeignHint checks that a request from another tenant about an
// object of tn gets exactly the answer it would get for an object that does
// not exist, and that neither it nor any list names tn's objects.
func (f *authzFixture) testNoForeignHint(t *testing.T) {
	tn, other := f.tn, f.other
	ctx := context.Background()
	sa := scopeOf(tn, tn.SystemA)
	tag := strings.TrimSuffix(strings.TrimPrefix(tn.Teacher.Email, "teacher."), "@example.org")
	secretGroup := f.newGroup(t, sa)
	secretGroupOf, _, err := f.db.FindGroups(ctx, sa, secretGroup, opentalent.Page{Number: 1, Limit: 1})
	if err != nil || len(secretGroupOf) != 1 {
		t.Fatalf("secret group: %v %v", secretGroupOf, err)
	}
	if err := f.db.UpdateUser(ctx, sa, tn.Teacher2.Email, opentalent.UserUpdate{Groups: &[]string{"G2", secretGroup}}); err != nil {
		t.Fatal(err)
	}
	tokID, _ := f.newToken(t, sa, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.SystemA})
	insBefore := f.ins.state(t, f)

	// What system A holds, which neither system B nor another network may learn.
	secretsOfA := []string{tn.SystemA, "System A " + tag, tn.Teacher.Email, tn.Teacher.ID, tn.Teacher2.Email, tn.Teacher2.ID,
		tn.Coach.Email, tn.Coach.ID, tn.Admin.Email, tn.Admin.ID, "Teacher " + tag, "Coach " + tag, "Admin " + tag,
		secretGroup, secretGroupOf[0].ID, tokID}
	secretsOfA = append(secretsOfA, f.ins.secretsOfA()...)
	viewers := []struct {
		name, token string
		secrets     []string // must appear in no answer
		ownSystem   string   // a system the viewer may act in
	}{
		{kSystemB, tn.SystemTokenB, secretsOfA, tn.SystemB},
		{kForeignNet, other.NetworkToken, append(slices.Clone(secretsOfA), tag, tn.SystemB, tn.TeacherB.ID, tn.NetworkID), other.SystemA},
	}
	type probe = hintProbe
	nobodyEmail := freshEmail("ghost")
	probes := []probe{
		{"GET /api/v2/users/{email}", tn.Teacher.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/users/" + url.PathEscape(id), nil
		}},
		{"PUT /api/v2/users/{email}", tn.Teacher.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "PUT", "/api/v2/users/" + url.PathEscape(id), map[string]any{"name": "Hijacked"}
		}},
		{"GET /api/v2/users/{email}/groups", tn.Teacher2.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/users/" + url.PathEscape(id) + "/groups?" + pg, nil
		}},
		{"GET /api/v2/users/{email}/notifications", tn.Teacher.Email, nobodyEmail, func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/users/" + url.PathEscape(id) + "/notifications?" + pg, nil
		}},
		{"PUT /api/v2/users/groups (email)", tn.Teacher.Email, nobodyEmail, func(id, sys string) (string, string, any) {
			return "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{id}, "groups": []string{}, "systemId": sys}
		}},
		{"PUT /api/v2/users/groups (systemId)", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "PUT", "/api/v2/users/groups", map[string]any{"emails": []string{nobodyEmail}, "groups": []string{}, "systemId": id}
		}},
		{"POST /api/v2/users", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/users", map[string]any{"email": nobodyEmail, "role": "Teacher", "systemId": id}
		}},
		{"POST /api/v2/users/bulk", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/users/bulk", map[string]any{"invites": []any{map[string]string{"email": nobodyEmail}}, "role": "Teacher", "systemId": id}
		}},
		{"GET /api/v2/users?systemId", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/users?" + pg + "&systemId=" + id, nil
		}},
		{"GET /api/v2/groups?systemId", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/groups?" + pg + "&systemId=" + id, nil
		}},
		{"POST /api/v2/groups", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/groups", map[string]any{"name": storetest.Name("x"), "systemId": id}
		}},
		{"PUT /api/v2/groups/{name} (systemId)", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "PUT", "/api/v2/groups/" + url.PathEscape(secretGroup), map[string]any{"name": "Hijacked", "systemId": id}
		}},
		{"PUT /api/v2/groups/{name} (name)", secretGroup, "grp-nosuchgroup", func(id, sys string) (string, string, any) {
			return "PUT", "/api/v2/groups/" + url.PathEscape(id), map[string]any{"name": "Hijacked", "systemId": sys}
		}},
		{"DELETE /api/v2/groups/{name} (systemId)", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "DELETE", "/api/v2/groups/" + url.PathEscape(secretGroup) + "?systemId=" + id, nil
		}},
		{"DELETE /api/v2/groups/{name} (name)", secretGroup, "grp-nosuchgroup", func(id, sys string) (string, string, any) {
			return "DELETE", "/api/v2/groups/" + url.PathEscape(id) + "?systemId=" + sys, nil
		}},
		{"GET /api/v2/roles?systemId", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/roles?" + pg + "&systemId=" + id, nil
		}},
		{"GET /api/v2/systems/{system}/profileAttributes", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "GET", "/api/v2/systems/" + id + "/profileAttributes", nil
		}},
		{"POST /api/v2/tokens (user)", tn.Teacher.Email, nobodyEmail, func(id, sys string) (string, string, any) {
			return "POST", "/api/v2/tokens", map[string]any{"kind": "user", "email": id}
		}},
		{"POST /api/v2/tokens (system)", tn.SystemA, "sys_nosuchsystem0000", func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/tokens", map[string]any{"kind": "system", "systemId": id}
		}},
		{"DELETE /api/v2/tokens/{id}", tokID, "tok_nosuchtoken00000", func(id, _ string) (string, string, any) {
			return "DELETE", "/api/v2/tokens/" + id, nil
		}},
		{"POST /api/v2/activities", tn.Teacher.ID, "usr_nosuchuser000000", func(id, _ string) (string, string, any) {
			return "POST", "/api/v2/activities", map[string]any{"events": []any{map[string]any{"userId": id, "timestamp": time.Now().UnixMilli(), "typeAlias": "Login"}}}
		}},
	}
	probes = append(probes, f.insightsProbes(nobodyEmail)...)
	lists := []string{"/api/v2/users?pageNumber=1&limit=1000", "/api/v2/groups?pageNumber=1&limit=1000", "/api/v2/systems?pageNumber=1&limit=1000",
		"/api/v2/roles?pageNumber=1&limit=1000&systemId=", "/api/v2/reports?pageNumber=1&limit=1000", "/api/v2/reports/saved?pageNumber=1&limit=1000",
		"/api/v2/reports/filterOptions?systemId="}
	for _, v := range viewers {
		leaks := func(t *testing.T, where string, body []byte, except string) {
			t.Helper()
			b := string(body)
			if except != "" {
				b = strings.ReplaceAll(b, except, "<echo>")
			}
			for _, s := range v.secrets {
				if s != "" && strings.Contains(b, s) {
					t.Errorf("%s as %s: the answer names %q of another tenant: %s", where, v.name, s, body)
				}
			}
		}
		t.Run(v.name, func(t *testing.T) {
			for _, p := range probes {
				t.Run(p.route, func(t *testing.T) {
					m, path, body := p.req(p.target, v.ownSystem)
					real := f.env.Do(t, v.token, m, path, body)
					m, path, body = p.req(p.ghost, v.ownSystem)
					ghost := f.env.Do(t, v.token, m, path, body)
					if p.route == "POST /api/v2/activities" {
						// Per-event failures in a 200: the event must fail.
						if !strings.Contains(string(real.Body), `"successes":[]`) {
							t.Errorf("%s as %s: an event of another tenant's user was stored: %s", p.route, v.name, real.Body)
						}
					} else if real.Status/100 == 2 {
						t.Errorf("%s on another tenant's object as %s: got %d, want an error: %s", p.route, v.name, real.Status, real.Body)
					}
					norm := func(b []byte, id string) string { return strings.ReplaceAll(string(b), id, "<id>") }
					if r, g := norm(real.Body, p.target), norm(ghost.Body, p.ghost); real.Status != ghost.Status || r != g {
						t.Errorf("%s as %s: an object of another tenant answers differently from one that does not exist:\n existing: %d %s\n missing:  %d %s",
							p.route, v.name, real.Status, r, ghost.Status, g)
					}
					leaks(t, p.route, real.Body, p.target)
				})
			}
			for _, l := range lists {
				if strings.HasSuffix(l, "systemId=") {
					l += v.ownSystem
				}
				t.Run("GET "+l, func(t *testing.T) {
					r := f.env.Do(t, v.token, "GET", l, nil).Want(t, 200)
					leaks(t, "GET "+l, r.Body, "")
				})
			}
			// Every Report Builder row the viewer may read.
			t.Run("POST /api/v2/reports/reportBuilder/data", func(t *testing.T) {
				for page := 1; ; page++ {
					r := f.env.Do(t, v.token, "POST", "/api/v2/reports/reportBuilder/data", map[string]any{"filterOptions": map[string]any{}, "pageSize": 100, "pageNumber": page}).Want(t, 200)
					leaks(t, "POST /api/v2/reports/reportBuilder/data", r.Body, "")
					if !strings.Contains(string(r.Body), `"_id"`) || page == 50 {
						break
					}
				}
			})
		})
	}
	// The secret group was not renamed or deleted by any probe.
	if !f.groupExists(t, sa, secretGroup) {
		t.Errorf("group %s of system A was changed by another tenant", secretGroup)
	}
	if u := f.lookupUser(t, tn.Teacher.Email); u.Name == "Hijacked" {
		t.Errorf("user %s was renamed by another tenant", tn.Teacher.Email)
	}
	// No probe deleted a saved report or queued a report of tn.
	f.ins.checkUntouched(t, f, insBefore)
}
