// Package apitest starts real talentd servers on a real database for the API
// tests, makes tenants with a token of every kind, and checks every response
// the tests receive against api/openapi.yaml.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/api"
	"github.com/opentalent/opentalent/app"
	"github.com/opentalent/opentalent/store/storetest"
)

// Env is one running server on its own database.
type Env struct {
	App    *app.App
	URL    string
	Engine string
	router routers.Router
	client *http.Client
}

// Option changes the server's configuration before it starts.
type Option func(*app.Config)

// WithSMTP makes the server send mail through the SMTP URL.
func WithSMTP(u string) Option { return func(c *app.Config) { c.SMTPURL = u } }

// WithRetention sets how long report files are kept.
func WithRetention(d time.Duration) Option { return func(c *app.Config) { c.Retention = d } }

var routerOnce = sync.OnceValues(func() (routers.Router, error) {
	doc, err := api.Load()
	if err != nil {
		return nil, err
	}
	return legacy.NewRouter(doc)
})

// Start runs a server on a new database of engine until the test ends.
func Start(tb testing.TB, engine string, opts ...Option) *Env {
	tb.Helper()
	return StartDSN(tb, engine, storetest.DSN(tb, engine), opts...)
}

// StartDSN runs a server on an existing database until the test ends.
func StartDSN(tb testing.TB, engine, dsn string, opts ...Option) *Env {
	tb.Helper()
	router, err := routerOnce()
	if err != nil {
		tb.Fatalf("load contract: %v", err)
	}
	cfg := app.Config{
		Addr:    "127.0.0.1:0",
		DSN:     dsn,
		BlobURL: "file://" + filepath.ToSlash(tb.TempDir()),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		a.Close()
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() { a.Close() })
	return &Env{App: a, URL: a.URL(), Engine: engine, router: router, client: &http.Client{Timeout: 60 * time.Second}}
}

// Member is a user of a tenant with a token of their own.
type Member struct {
	ID    string
	Email string
	Token string
}

// Tenant is a network with two systems and tokens of every kind. System A
// has groups G1 and G2: Coach and Teacher are in G1, Teacher2 in G2.
type Tenant struct {
	NetworkID             string
	SystemA, SystemB      string
	NetworkToken          string
	SystemToken           string
	SystemTokenB          string
	Admin, Coach, Teacher Member
	Teacher2, TeacherB    Member
	RevokedToken          string
	ExpiredToken          string
}

// NewTenant makes a tenant through the store. Names are unique per call, so
// tests may share a server.
func (e *Env) NewTenant(tb testing.TB) *Tenant {
	tb.Helper()
	ctx := context.Background()
	db := e.App.DB
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("tenant: %v", err)
		}
	}
	tag := strings.ToLower(storetest.Name("t"))
	net, err := db.CreateNetwork(ctx, "Network "+tag)
	must(err)
	t := &Tenant{NetworkID: net.ID}
	ns := opentalent.Scope{NetworkID: net.ID}
	_, t.NetworkToken, err = db.CreateToken(ctx, ns, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: net.ID})
	must(err)
	a, err := db.CreateSystem(ctx, net.ID, "System A "+tag)
	must(err)
	b, err := db.CreateSystem(ctx, net.ID, "System B "+tag)
	must(err)
	t.SystemA, t.SystemB = a.ID, b.ID
	sa := opentalent.Scope{NetworkID: net.ID, SystemID: a.ID}
	sb := opentalent.Scope{NetworkID: net.ID, SystemID: b.ID}
	_, t.SystemToken, err = db.CreateToken(ctx, sa, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: a.ID})
	must(err)
	_, t.SystemTokenB, err = db.CreateToken(ctx, sb, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: b.ID})
	must(err)
	for _, g := range []string{"G1", "G2"} {
		_, err := db.CreateGroup(ctx, sa, a.ID, g)
		must(err)
	}
	member := func(s opentalent.Scope, role, name string, groups ...string) Member {
		email := name + "." + tag + "@example.org"
		u, err := db.CreateUser(ctx, s, opentalent.NewUser{Email: email, Name: strings.ToUpper(name[:1]) + name[1:] + " " + tag, Role: role, SystemID: s.SystemID, SuppressInvite: true, Groups: groups})
		must(err)
		_, tok, err := db.CreateToken(ctx, s, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: email})
		must(err)
		return Member{ID: u.ID, Email: email, Token: tok}
	}
	t.Admin = member(sa, opentalent.RoleAdmin, "admin")
	t.Coach = member(sa, opentalent.RoleCoach, "coach", "G1")
	t.Teacher = member(sa, opentalent.RoleTeacher, "teacher", "G1")
	t.Teacher2 = member(sa, opentalent.RoleTeacher, "teacher2", "G2")
	t.TeacherB = member(sb, opentalent.RoleTeacher, "teacherb")
	rev, secret, err := db.CreateToken(ctx, sa, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: a.ID})
	must(err)
	must(db.RevokeToken(ctx, sa, rev.ID))
	t.RevokedToken = secret
	soon := time.Now().Add(20 * time.Millisecond)
	_, t.ExpiredToken, err = db.CreateToken(ctx, sa, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: a.ID, ExpiresAt: &soon})
	must(err)
	time.Sleep(time.Until(soon) + 5*time.Millisecond)
	return t
}

// Resp is a response as a client sees it.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Resp) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Resp) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request with a bearer token ("" for none) and a body (a string
// is sent as is, anything else as JSON), checks the response against the
// contract, and returns it.
func (e *Env) Do(tb testing.TB, token, method, path string, body any) *Resp {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &Resp{Status: res.StatusCode, Header: res.Header, Body: b}
	e.checkContract(tb, req, r)
	return r
}

// checkContract fails the test when a response does not match the
// documented response of its operation. Requests to undocumented paths
// must be problem documents.
func (e *Env) checkContract(tb testing.TB, req *http.Request, r *Resp) {
	tb.Helper()
	vreq := req.Clone(context.Background())
	vreq.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	route, params, err := e.router.FindRoute(vreq)
	if err != nil {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			tb.Errorf("contract: %s %s is not documented and answered %d %s", req.Method, req.URL.Path, r.Status, ct)
		}
		return
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  r.Status,
		Header:  r.Header,
		Body:    io.NopCloser(bytes.NewReader(r.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		tb.Errorf("contract: %s %s -> %d %s does not match api/openapi.yaml: %v", req.Method, req.URL.Path, r.Status, r.Body, err)
	}
}

// Problem asserts that r is a problem document with the status and returns
// its detail.
func (r *Resp) Problem(tb testing.TB, status int) map[string]any {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("content type %q, want application/problem+json", ct)
	}
	m := r.Map(tb)
	for _, k := range []string{"type", "title", "status", "detail"} {
		if _, ok := m[k]; !ok {
			tb.Fatalf("problem lacks %q: %s", k, r.Body)
		}
	}
	return m
}

// Want asserts the response status.
func (r *Resp) Want(tb testing.TB, status int) *Resp {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// WaitReport polls a report until it is no longer pending and returns the
// final response.
func (e *Env) WaitReport(tb testing.TB, token, id string) *Resp {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.Do(tb, token, "GET", "/api/v2/reports/"+id, nil)
		if r.Status != http.StatusAccepted || time.Now().After(deadline) {
			return r
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// Get fetches an absolute URL without a token (a signed link).
func (e *Env) Get(tb testing.TB, rawURL string) *Resp {
	tb.Helper()
	res, err := e.client.Get(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	r := &Resp{Status: res.StatusCode, Header: res.Header, Body: b}
	e.checkContract(tb, res.Request, r)
	return r
}
