package storetest_test

// The store conformance suite: behaviour tests that call the store's methods
// directly and run, with the same expectations, on SQLite and PostgreSQL
// (river's riverdrivertest). Each top-level test opens its own database per
// engine; each subtest makes its own tenant, so subtests never share state.

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// clock is a fake time source for db.NowFunc. Every reading moves it one
// millisecond forward, so rows written one after the other (notifications,
// report requests) have distinct, increasing timestamps on both engines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

// Add moves the clock forward by d.
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Peek returns the current time without moving the clock.
func (c *clock) Peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// env is one fresh database of one engine, driven by a fake clock.
type env struct {
	engine string
	db     *store.DB
	clock  *clock
	ctx    context.Context
}

var epoch = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	db := storetest.MustOpenDB(t, engine)
	c := &clock{now: epoch}
	db.NowFunc = c.Now
	return &env{engine: engine, db: db, clock: c, ctx: context.Background()}
}

// conformance runs fn on a fresh database of each engine, in parallel.
func conformance(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		fn(t, newEnv(t, engine))
	})
}

// tenant is a network with one system; scope is the system's, net the
// network's. domain is unique to the tenant, for the emails of its users.
type tenant struct {
	net    *opentalent.Network
	sys    *opentalent.System
	scope  opentalent.Scope
	netW   opentalent.Scope
	domain string
}

func (e *env) tenant(t *testing.T) *tenant {
	t.Helper()
	n, err := e.db.CreateNetwork(e.ctx, storetest.Name("net"))
	must(t, err)
	s, err := e.db.CreateSystem(e.ctx, n.ID, storetest.Name("sys"))
	must(t, err)
	return &tenant{
		net: n, sys: s,
		scope:  opentalent.Scope{NetworkID: n.ID, SystemID: s.ID},
		netW:   opentalent.Scope{NetworkID: n.ID},
		domain: strings.ToLower(storetest.Name("d")) + ".test",
	}
}

// sibling adds another system to t's network and returns it as a tenant
// sharing t's network.
func (e *env) sibling(t *testing.T, tn *tenant) *tenant {
	t.Helper()
	s, err := e.db.CreateSystem(e.ctx, tn.net.ID, storetest.Name("sys"))
	must(t, err)
	return &tenant{
		net: tn.net, sys: s,
		scope:  opentalent.Scope{NetworkID: tn.net.ID, SystemID: s.ID},
		netW:   tn.netW,
		domain: strings.ToLower(storetest.Name("d")) + ".test",
	}
}

func (tn *tenant) email(local string) string { return local + "@" + tn.domain }

// user creates an Active user (no invitation) and returns them as stored.
func (e *env) user(t *testing.T, tn *tenant, local, role string, groups ...string) *opentalent.User {
	t.Helper()
	_, err := e.db.CreateUser(e.ctx, tn.scope, opentalent.NewUser{
		Email: tn.email(local), Name: local, Role: role, SystemID: tn.sys.ID, SuppressInvite: true, Groups: groups,
	})
	must(t, err)
	u, err := e.db.FindUserByEmail(e.ctx, tn.scope, tn.email(local))
	must(t, err)
	return u
}

func (e *env) groups(t *testing.T, tn *tenant, names ...string) {
	t.Helper()
	for _, n := range names {
		_, err := e.db.CreateGroup(e.ctx, tn.scope, tn.sys.ID, n)
		must(t, err)
	}
}

// notes returns the messages of a user's notifications, newest first.
func (e *env) notes(t *testing.T, s opentalent.Scope, email string) []string {
	t.Helper()
	ns, total, err := e.db.FindNotifications(e.ctx, s, email, page(1, 1000))
	must(t, err)
	if total != len(ns) {
		t.Fatalf("notifications of %s: total %d, listed %d", email, total, len(ns))
	}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Message
	}
	return out
}

func (e *env) userGroups(t *testing.T, s opentalent.Scope, email string) []string {
	t.Helper()
	gs, total, err := e.db.FindUserGroups(e.ctx, s, email, page(1, 1000))
	must(t, err)
	if total != len(gs) {
		t.Fatalf("groups of %s: total %d, listed %d", email, total, len(gs))
	}
	return gs
}

func page(n, limit int) opentalent.Page { return opentalent.Page{Number: n, Limit: limit} }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries the domain error code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := opentalent.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// wantField fails unless err is EINVALID naming field among its field errors.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, opentalent.EINVALID)
	var de *opentalent.Error
	errors.As(err, &de)
	for _, f := range de.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("error %v names fields %v, want %q", err, de.Fields, field)
}

func eq[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func emailsOf(us []opentalent.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Email
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
