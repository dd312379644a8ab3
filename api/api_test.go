package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/opentalent/opentalent/api"
)

var routes = []struct{ method, path string }{
	{http.MethodGet, "/api/v2/users"},
	{http.MethodPost, "/api/v2/users"},
	{http.MethodPost, "/api/v2/users/bulk"},
	{http.MethodGet, "/api/v2/users/{email}"},
	{http.MethodPut, "/api/v2/users/{email}"},
	{http.MethodPut, "/api/v2/users/groups"},
	{http.MethodGet, "/api/v2/users/{email}/groups"},
	{http.MethodGet, "/api/v2/users/{email}/notifications"},
	{http.MethodGet, "/api/v2/groups"},
	{http.MethodPost, "/api/v2/groups"},
	{http.MethodPut, "/api/v2/groups/{name}"},
	{http.MethodDelete, "/api/v2/groups/{name}"},
	{http.MethodGet, "/api/v2/systems"},
	{http.MethodGet, "/api/v2/roles"},
	{http.MethodGet, "/api/v2/systems/{system}/profileAttributes"},
	{http.MethodGet, "/api/v2/reports/filterOptions"},
	{http.MethodPost, "/api/v2/reports"},
	{http.MethodGet, "/api/v2/reports"},
	{http.MethodGet, "/api/v2/reports/{reportId}"},
	{http.MethodGet, "/api/v2/reports/{reportId}/csv"},
	{http.MethodPost, "/api/v2/reports/reportBuilder/data"},
	{http.MethodGet, "/api/v2/reports/saved"},
	{http.MethodPost, "/api/v2/reports/saved"},
	{http.MethodGet, "/api/v2/reports/saved/{id}"},
	{http.MethodDelete, "/api/v2/reports/saved/{id}"},
	{http.MethodPost, "/api/v2/activities"},
	{http.MethodPost, "/api/v2/tokens"},
	{http.MethodDelete, "/api/v2/tokens/{id}"},
	{http.MethodGet, "/api/v2/openapi.json"},
	{http.MethodGet, "/healthz"},
	{http.MethodGet, "/readyz"},
	{http.MethodGet, "/metrics"},
}

// Routes reachable without a bearer token.
var public = map[string]bool{
	"GET /api/v2/openapi.json":           true,
	"GET /api/v2/reports/{reportId}/csv": true,
	"GET /healthz":                       true,
	"GET /readyz":                        true,
	"GET /metrics":                       true,
}

func load(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := api.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return doc
}

func TestDocumentValidates(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if doc.Components == nil || doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Fatal("missing bearerAuth security scheme")
	}
}

func TestEveryRoutePresent(t *testing.T) {
	doc := load(t)
	for _, r := range routes {
		item := doc.Paths.Value(r.path)
		if item == nil {
			t.Errorf("path %s missing", r.path)
			continue
		}
		op := item.GetOperation(r.method)
		if op == nil {
			t.Errorf("%s %s missing", r.method, r.path)
			continue
		}
		if op.Responses == nil || op.Responses.Len() == 0 {
			t.Errorf("%s %s has no responses", r.method, r.path)
		}
		key := r.method + " " + r.path
		isPublic := op.Security != nil && len(*op.Security) == 0
		if isPublic != public[key] {
			t.Errorf("%s: public = %v, want %v", key, isPublic, public[key])
		}
		if !public[key] && op.Responses.Status(http.StatusUnauthorized) == nil {
			t.Errorf("%s: no 401 response", key)
		}
	}
	want := map[string]bool{}
	for _, r := range routes {
		want[r.method+" "+r.path] = true
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !want[method+" "+path] {
				t.Errorf("undocumented-in-test operation %s %s", method, path)
			}
		}
	}
}

func TestErrorsAreProblems(t *testing.T) {
	doc := load(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, ref := range op.Responses.Map() {
				if code == "" || code[0] == '2' {
					continue
				}
				if method == http.MethodGet && path == "/api/v2/reports/{reportId}" && code == "500" {
					if ref.Value.Content.Get("application/json") == nil {
						t.Errorf("%s %s %s: want application/json report body", method, path, code)
					}
					continue
				}
				if ref.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s %s %s: not application/problem+json", method, path, code)
				}
			}
		}
	}
}

func TestJSONAndYAML(t *testing.T) {
	if !bytes.HasPrefix(api.YAML(), []byte("openapi: 3.1.0")) {
		t.Error("YAML does not start with the openapi version")
	}
	b, err := api.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JSON is not valid JSON: %v", err)
	}
	if m["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", m["openapi"])
	}
	// The JSON form must load and validate too.
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("reload JSON: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate JSON: %v", err)
	}
	if !strings.Contains(string(b), `"null"`) {
		t.Error("nullable types lost in JSON conversion")
	}
}

// TestResponsesValidate checks representative server responses against the
// document with openapi3filter, the way the server's HTTP tests do.
func TestResponsesValidate(t *testing.T) {
	doc := load(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	cases := []struct {
		name, method, url string
		status            int
		ctype, body       string
		wantOp            string
		ok                bool
	}{
		{"users null lastSeen", "GET", "/api/v2/users?pageNumber=1&limit=10", 200, "application/json",
			`{"users":[{"email":"a@b.co","role":"Teacher","name":"","status":"Invited","lastSeen":null}],"pageNumber":1,"usersListedCount":1,"pageCount":1,"totalCount":1}`, "listUsers", true},
		{"users bad lastSeen", "GET", "/api/v2/users?pageNumber=1&limit=10", 200, "application/json",
			`{"users":[{"email":"a@b.co","role":"Teacher","name":"","status":"Invited","lastSeen":5}],"pageNumber":1,"usersListedCount":1,"pageCount":1,"totalCount":1}`, "listUsers", false},
		{"users bad role", "GET", "/api/v2/users?pageNumber=1&limit=10", 200, "application/json",
			`{"users":[{"email":"a@b.co","role":"Boss","name":"","status":"Active","lastSeen":null}],"pageNumber":1,"usersListedCount":1,"pageCount":1,"totalCount":1}`, "listUsers", false},
		{"users missing totalCount", "GET", "/api/v2/users?pageNumber=1&limit=10", 200, "application/json",
			`{"users":[],"pageNumber":1,"usersListedCount":0,"pageCount":0}`, "listUsers", false},
		{"user groups route wins over {email}", "PUT", "/api/v2/users/groups", 200, "application/json",
			`{"message":"ok"}`, "updateUsersGroups", true},
		{"user detail", "GET", "/api/v2/users/a@b.co", 200, "application/json",
			`{"email":"a@b.co","role":"Admin","name":"A","status":"Active","lastSeen":"2024-01-01T00:00:00Z","groups":[],"extra":1}`, "getUser", true},
		{"problem 404", "GET", "/api/v2/users/a@b.co", 404, "application/problem+json",
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"no such user"}`, "getUser", true},
		{"problem missing detail", "GET", "/api/v2/users/a@b.co", 404, "application/problem+json",
			`{"type":"about:blank","title":"Not Found","status":404}`, "getUser", false},
		{"report failed 500", "GET", "/api/v2/reports/export_1", 500, "application/json",
			`{"reportId":"export_1","status":"failed","report":"goals","error":"boom"}`, "getReport", true},
		{"report pending", "GET", "/api/v2/reports/export_1", 202, "application/json",
			`{"reportId":"export_1","status":"pending","report":"reportBuilder","savedReportId":"s1","progress":0}`, "getReport", true},
		{"report complete", "GET", "/api/v2/reports/export_1", 200, "application/json",
			`{"reportId":"export_1","status":"complete","report":"goals","filterOptions":{"startTime":1,"endTime":2},"rowCount":0,"csvDownloadUrl":"http://x/api/v2/reports/export_1/csv?expires=1&signature=a","completedAt":"2024-01-01T00:00:00Z","reportData":[]}`, "getReport", true},
		{"filterOptions route", "GET", "/api/v2/reports/filterOptions", 200, "application/json",
			`{"filterOptions":{"status":{"label":"Status","value":"status","options":[{"label":"Active","value":"Active"}]}},"reports":{"goals":{"accepted":["startTime"],"required":["startTime"]}}}`, "getReportFilterOptions", true},
		{"saved route", "GET", "/api/v2/reports/saved?pageNumber=1&limit=5", 200, "application/json",
			`{"savedReports":[],"pageNumber":1,"pageCount":0,"totalCount":0}`, "listSavedReports", true},
		{"csv", "GET", "/api/v2/reports/export_1/csv?expires=1&signature=a", 200, "text/csv; charset=utf-8",
			"a,b\n1,2\n", "downloadReportCsv", true},
		{"builder data", "POST", "/api/v2/reports/reportBuilder/data", 200, "application/json",
			`{"reportData":[{"_id":"e1","userId":"u1","systemId":"s1","timestamp":1641000000000,"typeAlias":"Login","actionData":{}}],"pagination":{"pageNumber":1,"pageSize":50,"totalCount":1,"totalPages":1},"reportId":null,"savedReportTitle":null}`, "queryReportBuilderData", true},
		{"token", "POST", "/api/v2/tokens", 201, "application/json",
			`{"id":"t1","kind":"system","token":"secret","expiresAt":null}`, "createToken", true},
		{"delete saved", "DELETE", "/api/v2/reports/saved/s1", 204, "", "", "deleteSavedReport", true},
		{"metrics", "GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", "up 1\n", "metrics", true},
		{"readyz 503", "GET", "/readyz", 503, "application/problem+json",
			`{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"db down"}`, "readyz", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.url, nil)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("FindRoute: %v", err)
			}
			if route.Operation.OperationID != c.wantOp {
				t.Fatalf("routed to %s, want %s", route.Operation.OperationID, c.wantOp)
			}
			h := http.Header{}
			if c.ctype != "" {
				h.Set("Content-Type", c.ctype)
			}
			err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{
					Request: req, PathParams: params, Route: route,
				},
				Status: c.status,
				Header: h,
				Body:   io.NopCloser(strings.NewReader(c.body)),
			})
			if c.ok && err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			if !c.ok && err == nil {
				t.Error("invalid response accepted")
			}
		})
	}
}

// TestRequestsValidate checks that request bodies reject unknown fields and
// enforce the documented constraints.
func TestRequestsValidate(t *testing.T) {
	doc := load(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	cases := []struct {
		name, method, url, body string
		ok                      bool
	}{
		{"create user", "POST", "/api/v2/users", `{"email":"a@b.co","role":"Teacher"}`, true},
		{"create user unknown field", "POST", "/api/v2/users", `{"email":"a@b.co","role":"Teacher","nmae":"x"}`, false},
		{"create user missing role", "POST", "/api/v2/users", `{"email":"a@b.co"}`, false},
		{"builder both", "POST", "/api/v2/reports/reportBuilder/data", `{"reportId":"s","filterOptions":{}}`, false},
		{"builder neither", "POST", "/api/v2/reports/reportBuilder/data", `{"pageSize":10}`, false},
		{"builder filter", "POST", "/api/v2/reports/reportBuilder/data", `{"filterOptions":{"lastDays":7,"columns":["email"]},"pageSize":10}`, true},
		{"builder bad column", "POST", "/api/v2/reports/reportBuilder/data", `{"filterOptions":{"columns":["nope"]}}`, false},
		{"report", "POST", "/api/v2/reports", `{"report":"goals","email":"a@b.co","filterOptions":{"startTime":1,"endTime":2}}`, true},
		{"report bad type", "POST", "/api/v2/reports", `{"report":"nope","reportId":"x"}`, false},
		{"activities", "POST", "/api/v2/activities", `{"events":[{"userId":"u","timestamp":1,"typeAlias":"Custom Thing"}]}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer x")
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("FindRoute: %v", err)
			}
			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
				Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
			})
			if c.ok && err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			if !c.ok && err == nil {
				t.Error("invalid request accepted")
			}
		})
	}
}
