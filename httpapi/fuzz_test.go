package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/store"
)

// The fuzz targets send fuzzed requests to a real server and check that it
// never fails (5xx) and that every client error is a problem document.
// Plain `go test` runs their seed corpus only. They run on SQLite; set
// TALENT_FUZZ_ENGINE=postgres (with TALENT_TEST_POSTGRES) to run them on
// PostgreSQL instead.

type fuzzEnv struct {
	url    string
	client *http.Client
	tn     *apitest.Tenant
	// tokens the fuzzers pick from: administrators of several kinds, and a
	// Teacher and a Coach, so the authorization paths are fuzzed too.
	tokens []string
}

func startFuzz(f *testing.F) *fuzzEnv {
	f.Helper()
	engine := os.Getenv("TALENT_FUZZ_ENGINE")
	if engine == "" {
		engine = store.SQLite
	}
	env := apitest.Start(f, engine)
	tn := env.NewTenant(f)
	return &fuzzEnv{
		url: env.URL,
		// No redirects: the first answer is the one checked.
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		tn:     tn,
		tokens: []string{tn.SystemToken, tn.NetworkToken, tn.Admin.Token, tn.SystemTokenB, tn.Coach.Token, tn.Teacher.Token},
	}
}

func (fe *fuzzEnv) token(who uint8) string { return fe.tokens[int(who)%len(fe.tokens)] }

// do sends a request whose URL is base+path with the raw query set verbatim,
// checks the answer and returns its status and body.
func (fe *fuzzEnv) do(t *testing.T, token, method, path, rawQuery string, body []byte) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, fe.url+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.URL.RawQuery = rawQuery
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := fe.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, req.URL.RequestURI(), err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, method+" "+req.URL.RequestURI(), body, res, b)
	return res.StatusCode, b
}

// checkAnswer asserts the invariants every answer keeps, whatever the input.
func checkAnswer(t *testing.T, what string, reqBody []byte, res *http.Response, body []byte) {
	t.Helper()
	ct := res.Header.Get("Content-Type")
	shortReq := string(reqBody)
	if len(shortReq) > 300 {
		shortReq = shortReq[:300] + "..."
	}
	switch {
	case res.StatusCode >= 500:
		t.Fatalf("%s with body %q: server error %d: %s", what, shortReq, res.StatusCode, body)
	case res.StatusCode >= 400:
		if ct != "application/problem+json" {
			t.Fatalf("%s with body %q: %d with content type %q, want application/problem+json: %s", what, shortReq, res.StatusCode, ct, body)
		}
		var p struct {
			Type   string `json:"type"`
			Title  string `json:"title"`
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("%s: problem document is not JSON: %v: %s", what, err, body)
		}
		if p.Status != res.StatusCode || p.Type == "" || p.Title == "" || p.Detail == "" {
			t.Fatalf("%s: incomplete problem document for %d: %s", what, res.StatusCode, body)
		}
		for _, leak := range []string{"SQL", "sqlite", "pgx", "SQLSTATE", "goroutine", "panic", ".go:"} {
			if strings.Contains(p.Detail, leak) {
				t.Fatalf("%s: problem detail leaks internals (%q): %s", what, leak, body)
			}
		}
	case res.StatusCode >= 300:
		// A redirect of the router (path cleaning): no body to check.
	default:
		if res.StatusCode != http.StatusNoContent && !json.Valid(body) {
			t.Fatalf("%s: %d answer is not JSON (%q): %s", what, res.StatusCode, ct, body)
		}
	}
}

// FuzzCreateUser fuzzes the body of POST /users.
func FuzzCreateUser(f *testing.F) {
	fe := startFuzz(f)
	for _, s := range []string{
		`{"email":"jane@example.org","role":"Teacher","name":"Jane","suppress_invite":true}`,
		`{"email":"  MiXeD@Example.ORG ","role":"Coach","groups":["G1","g2"]}`,
		`{"email":"x@example.org","role":"Admin","systemId":"` + fe.tn.SystemB + `"}`,
		`{"email":"x@example.org","role":"Admin","systemId":"sys_nope"}`,
		`{"email":"` + fe.tn.Teacher.Email + `","role":"Teacher"}`,
		`{"email":"x@example.org","role":"Teacher","groups":["G1","Nope"]}`,
		`{"email":"x@example.org","role":"Teacher","groups":[]}`,
		`{"email":"x@example.org","role":"Teacher","groups":null}`,
		`{"email":"x@example.org","role":"Teacher","groups":[null]}`,
		`{"email":"x@example.org","role":"Boss"}`,
		`{"email":"not-an-email","role":"Teacher"}`,
		`{"email":"a\u0000b@example.org","role":"Teacher"}`,
		`{"email":"x@example.org","role":"Teacher","name":"nul\u0000name"}`,
		`{"email":"x@example.org","role":"Teacher","groups":["G\u00001"]}`,
		`{"email":"\"q\"@example.org","role":"Teacher"}`,
		`{"email":"Jane <jane@example.org>","role":"Teacher"}`,
		`{"email":"x@[127.0.0.1]","role":"Teacher"}`,
		`{"email":"x@example.org","role":"Teacher","name":"` + strings.Repeat("é", 150) + `"}`,
		`{"email":"` + strings.Repeat("a", 250) + `@example.org","role":"Teacher"}`,
		`{"email":"x@example.org","role":"Teacher","nmae":"typo"}`,
		`{"email":5,"role":"Teacher"}`,
		`{"email":"x@example.org","role":"Teacher","suppress_invite":"yes"}`,
		`{"email":"x@example.org","role":"Teacher"} {}`,
		`{"email":"x@example.org","role":"Teacher"} x`,
		`{"email":"x@example.org","role":"Teacher","email":"y@example.org"}`,
		`[]`, `null`, `""`, `0`, `{`, `{"email":`, ``, `{}`, "\xff\xfe", `{"email":"\xff@example.org","role":"Teacher"}`,
		`{"groups":[` + strings.Repeat(`"g",`, 2000) + `"g"],"email":"many@example.org","role":"Teacher"}`,
	} {
		f.Add(s, uint8(0))
	}
	f.Add(`{"email":"net@example.org","role":"Teacher"}`, uint8(1))
	f.Add(`{"email":"coach@example.org","role":"Teacher"}`, uint8(4))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/users", "", []byte(body))
		if st == http.StatusCreated {
			var out struct{ UserID string }
			if json.Unmarshal(b, &out) != nil || !strings.HasPrefix(out.UserID, "usr_") {
				t.Fatalf("201 without a userId: %s", b)
			}
		}
	})
}

// FuzzBulkCreate fuzzes the body of POST /users/bulk.
func FuzzBulkCreate(f *testing.F) {
	fe := startFuzz(f)
	for _, s := range []string{
		`{"role":"Teacher","suppress_invite":true,"invites":[{"email":"b1@example.org","name":"B One"},{"email":"bad"},{"email":"B1@example.org"}]}`,
		`{"role":"Teacher","invites":[]}`,
		`{"role":"Teacher","invites":null}`,
		`{"role":"Teacher"}`,
		`{"role":"Boss","invites":[{"email":"b@example.org"}]}`,
		`{"role":"Teacher","invites":[null,{},{"email":null}]}`,
		`{"role":"Teacher","invites":[{"email":"` + fe.tn.Teacher.Email + `"}]}`,
		`{"role":"Teacher","invites":[{"email":"n\u0000l@example.org","name":"x\u0000y"}]}`,
		`{"role":"Teacher","invites":[{"email":"b@example.org","extra":1}]}`,
		`{"role":"Teacher","invites":[{"email":"b@example.org"}],"systemId":"` + fe.tn.SystemB + `"}`,
		`{"role":"Teacher","invites":[{"email":"b@example.org"}],"systemId":"sys_nope"}`,
		`{"role":"Teacher","invites":"b@example.org"}`,
		`{"role":"Teacher","invites":[{"email":"b@example.org","name":"` + strings.Repeat("n", 300) + `"}]}`,
		`[]`, `{`, ``, `null`,
	} {
		f.Add(s, uint8(0))
	}
	f.Add(`{"role":"Coach","invites":[{"email":"bn@example.org"}]}`, uint8(1))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/users/bulk", "", []byte(body))
		if st == http.StatusOK {
			var out struct {
				Successes, Failures []json.RawMessage
			}
			if err := json.Unmarshal(b, &out); err != nil || out.Successes == nil || out.Failures == nil {
				t.Fatalf("200 without successes and failures: %s", b)
			}
		}
	})
}

// FuzzUpdateUser fuzzes the target and the body of PUT /users/{email}.
func FuzzUpdateUser(f *testing.F) {
	fe := startFuzz(f)
	targets := []string{fe.tn.Teacher2.Email, fe.tn.TeacherB.Email, "nobody@example.org", strings.ToUpper(fe.tn.Teacher2.Email)}
	for _, s := range []string{
		`{"name":"New Name"}`,
		`{"role":"Coach","status":"Active","groups":["G1","G2"]}`,
		`{"role":"Admin"}`, `{"status":"Inactive"}`, `{"status":"Active"}`,
		`{"groups":[]}`, `{"groups":null}`, `{"groups":["Nope"]}`, `{"groups":[null]}`, `{"groups":["G\u00001"]}`,
		`{"name":null,"role":null,"status":null}`,
		`{"name":"nul\u0000"}`,
		`{"name":"` + strings.Repeat("x", 201) + `"}`,
		`{"role":"Boss"}`, `{"status":"Gone"}`, `{"email":"new@example.org"}`,
		`{"role":1}`, `{"groups":"G1"}`, `{}`, `[]`, `null`, ``, `{`, `{} {}`,
		`{"groups":[` + strings.Repeat(`"G1",`, 2000) + `"G2"]}`,
	} {
		for i := range targets {
			f.Add(s, uint8(i), uint8(0))
		}
	}
	f.Add(`{"name":"Coach edit"}`, uint8(0), uint8(4))
	f.Add(`{"name":"Network edit"}`, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, body string, target, who uint8) {
		email := targets[int(target)%len(targets)]
		fe.do(t, fe.token(who), "PUT", "/api/v2/users/"+url.PathEscape(email), "", []byte(body))
	})
}

// FuzzUsersGroups fuzzes the body of PUT /users/groups.
func FuzzUsersGroups(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	for _, s := range []string{
		`{"emails":["` + tn.Teacher.Email + `","` + tn.Teacher2.Email + `"],"groups":["G2"],"mode":"add"}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":["g1"],"mode":"remove"}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":[],"mode":"replace"}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":["G1"]}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":["G1"],"mode":"merge"}`,
		`{"emails":["` + tn.TeacherB.Email + `"],"groups":["G1"]}`,
		`{"emails":["` + tn.TeacherB.Email + `"],"groups":[],"systemId":"` + tn.SystemB + `"}`,
		`{"emails":["nobody@example.org"],"groups":["Nope"]}`,
		`{"emails":[],"groups":["G1"]}`,
		`{"emails":null,"groups":["G1"]}`,
		`{"emails":["` + tn.Teacher.Email + `"]}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":null}`,
		`{"emails":[null],"groups":[null]}`,
		`{"emails":["a\u0000b"],"groups":["G\u00001"]}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":["G1"],"systemId":"sys_nope"}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":["G1"],"colour":"red"}`,
		`{"emails":"x","groups":"y"}`, `[]`, `{`, ``, `null`,
		`{"emails":[` + strings.Repeat(`"`+tn.Teacher.Email+`",`, 1000) + `"x@example.org"],"groups":["G1"]}`,
		`{"emails":["` + tn.Teacher.Email + `"],"groups":[` + strings.Repeat(`"G1",`, 2000) + `"G2"],"mode":"add"}`,
	} {
		f.Add(s, uint8(0))
	}
	f.Add(`{"emails":["`+tn.Teacher.Email+`"],"groups":["G1"],"systemId":"`+tn.SystemA+`"}`, uint8(1))
	f.Add(`{"emails":["`+tn.Teacher.Email+`"],"groups":["G1"]}`, uint8(5))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		fe.do(t, fe.token(who), "PUT", "/api/v2/users/groups", "", []byte(body))
	})
}

// queryEscape makes s fit for a request line: bytes that may not appear in
// a URL are percent-encoded, everything else (including '%', '&', '=' and
// broken escapes) is sent as it is.
func queryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}' {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// FuzzListQuery fuzzes the query of GET /users and GET /groups.
func FuzzListQuery(f *testing.F) {
	fe := startFuzz(f)
	for _, q := range []string{
		"pageNumber=1&limit=10",
		"pageNumber=1&limit=1000&role=Teacher&status=Active&group=g1&q=teach",
		"pageNumber=2&limit=1",
		"pageNumber=1073741824&limit=1000",
		"pageNumber=1073741825&limit=1000",
		"pageNumber=99999999999999999999&limit=10",
		"pageNumber=-1&limit=-1",
		"pageNumber=1&limit=1001",
		"pageNumber=1&limit=0",
		"pageNumber=0x10&limit=1e3",
		"pageNumber=1&limit=10&q=%25",
		"pageNumber=1&limit=10&q=_",
		"pageNumber=1&limit=10&q=%5C",
		"pageNumber=1&limit=10&q=%00",
		"pageNumber=1&limit=10&name=%00",
		"pageNumber=1&limit=10&group=%00",
		"pageNumber=1&limit=10&q=%FF%FE",
		"pageNumber=1&limit=10&q='%20OR%201=1--",
		"pageNumber=1&limit=10&systemId=" + fe.tn.SystemB,
		"pageNumber=1&limit=10&systemId=sys_nope",
		"pageNumber=1&limit=10&systemId=%00",
		"pageNumber=1&limit=10&role=Boss",
		"pageNumber=1&limit=10&status=Gone",
		"pageNumber=1&pageNumber=2&limit=10&limit=20",
		"pageNumber=%zz&limit=10",
		"pageNumber=1;limit=10",
		"", "&&&", "=", "%",
	} {
		f.Add(q, false, uint8(0))
		f.Add(q, true, uint8(0))
	}
	f.Add("pageNumber=1&limit=10", false, uint8(1))
	f.Add("pageNumber=1&limit=10&systemId=%FF", false, uint8(1))
	f.Add("pageNumber=1&limit=10&systemId=%00", true, uint8(1))
	f.Add("pageNumber=1&limit=10&systemId="+fe.tn.SystemB, true, uint8(1))
	f.Add("pageNumber=1&limit=10", true, uint8(4))
	f.Add("pageNumber=1&limit=10", false, uint8(5))
	f.Fuzz(func(t *testing.T, raw string, groups bool, who uint8) {
		path := "/api/v2/users"
		if groups {
			path = "/api/v2/groups"
		}
		fe.do(t, fe.token(who), "GET", path, queryEscape(raw), nil)
	})
}

// FuzzEmailPath fuzzes the {email} of GET /users/{email} and its groups and
// notifications.
func FuzzEmailPath(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	for _, e := range []string{
		tn.Teacher.Email, strings.ToUpper(tn.Teacher.Email), " " + tn.Teacher.Email + " ", tn.TeacherB.Email,
		"nobody@example.org", "", ".", "..", "/", "a/b", "%", "%00", "\x00", "a\x00b@example.org", "\xff", "é@example.org",
		"groups", "bulk", "x?y#z", strings.Repeat("a", 5000), "'; DROP TABLE users; --", "*", "%25",
	} {
		for sub := range uint8(3) {
			f.Add(e, sub, uint8(0))
		}
	}
	f.Add(tn.Teacher.Email, uint8(0), uint8(5))
	f.Add(tn.Teacher2.Email, uint8(2), uint8(4))
	f.Fuzz(func(t *testing.T, email string, sub, who uint8) {
		path := "/api/v2/users/" + url.PathEscape(email)
		query := ""
		switch sub % 3 {
		case 1:
			path, query = path+"/groups", "pageNumber=1&limit=10"
		case 2:
			path, query = path+"/notifications", "pageNumber=1&limit=10"
		}
		fe.do(t, fe.token(who), "GET", path, query, nil)
	})
}
