package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	env    *apitest.Env
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
		env: env,
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

// manyStrings is a JSON array of n distinct strings, to overflow the
// statement parameter limits of the engines (32,766 on SQLite, 65,535 on
// PostgreSQL) when a list is sent to the database as one IN (...).
func manyStrings(prefix string, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%s%d"`, prefix, i)
	}
	b.WriteByte(']')
	return b.String()
}

// noise is n bytes of incompressible hex text, too long for a B-tree index
// entry of PostgreSQL once it cannot be compressed.
func noise(n int) string {
	var b strings.Builder
	seed := sha256.Sum256([]byte("noise"))
	for b.Len() < n {
		seed = sha256.Sum256(seed[:])
		b.WriteString(hex.EncodeToString(seed[:]))
	}
	return b.String()[:n]
}

// FuzzActivities fuzzes the body of POST /activities.
func FuzzActivities(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	now := time.Now().Add(-time.Hour).UnixMilli()
	ev := func(fields string) string {
		return fmt.Sprintf(`{"events":[{"userId":%q,"timestamp":%d%s}]}`, tn.Teacher.ID, now, fields)
	}
	for _, s := range []string{
		ev(`,"typeAlias":"Login"`),
		ev(`,"_id":"e1","typeAlias":"Video View","actionData":{"videoId":"v1","videoTitle":"Intro","watchedSeconds":30}`),
		ev(`,"_id":"e1","typeAlias":"Video View","actionData":{"videoId":"v1","videoTitle":"Intro","watchedSeconds":30}`) + ``,
		ev(`,"typeAlias":"Rubric Score","actionData":{"rubricId":"r1","rubricName":"=HYPERLINK(\"x\")","score":3,"maxScore":4}`),
		ev(`,"typeAlias":"Observation Completed","systemId":"` + tn.SystemA + `","actionData":{"observationId":"o1","observeeId":"` + tn.Teacher2.ID + `"}`),
		ev(`,"typeAlias":"Login","systemId":"` + tn.SystemB + `"`),
		ev(`,"typeAlias":"Login","systemId":"sys_nope"`),
		`{"events":[{"userId":"` + tn.TeacherB.ID + `","timestamp":` + fmt.Sprint(now) + `,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"usr_nope","timestamp":` + fmt.Sprint(now) + `,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":` + fmt.Sprint(now) + `,"typeAlias":"Login"},{"userId":"` + tn.TeacherB.ID + `","timestamp":` + fmt.Sprint(now) + `,"typeAlias":"Login"},{}]}`,
		`{"events":[]}`, `{"events":null}`, `{"events":[null]}`, `{"events":[1,"x",[],true]}`, `{}`, `{"events":{}}`,
		// Numbers.
		ev(`,"typeAlias":"Login","timestamp":1`),
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":9223372036854775807,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":9223372036854775808,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":-9223372036854775808,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":1.7e12,"typeAlias":"Login"}]}`,
		`{"events":[{"userId":"` + tn.Teacher.ID + `","timestamp":"1700000000000","typeAlias":"Login"}]}`,
		ev(`,"typeAlias":"Video Upload","actionData":{"videoId":1e308,"duration":-1e308}`),
		ev(`,"typeAlias":"Video Upload","actionData":{"videoId":"v2","duration":1e400}`),
		ev(`,"typeAlias":"Video Upload","actionData":{"videoId":"v3","duration":1e1000000}`),
		ev(`,"typeAlias":"Video Upload","actionData":{"videoId":"v4","duration":123456789012345678901234567890}`),
		ev(`,"typeAlias":"Goal Updated","actionData":{"goalId":"g","progress":-0.0000000000000000000001}`),
		// Text: NUL, invalid UTF-8, escapes PostgreSQL's jsonb refuses.
		ev(`,"typeAlias":"Log\u0000in"`),
		ev(`,"typeAlias":"Login","actionData":{"k":"a\u0000b"}`),
		ev(`,"typeAlias":"Login","actionData":{"a\u0000b":1}`),
		ev(`,"typeAlias":"Login","actionData":{"k":"a\\u0000b"}`),
		ev(`,"typeAlias":"Login","actionData":{"k":"\ud800"}`),
		ev(`,"typeAlias":"Login","actionData":{"k":"\udc00\ud800"}`),
		ev(`,"typeAlias":"Login","actionData":{"k":"\ud83d\ude00"}`),
		ev(`,"typeAlias":"Login","actionData":{"k":"` + "\xff\xfe" + `"}`),
		ev(`,"typeAlias":"Login","actionData":{"` + "\xc3" + `":1}`),
		ev(`,"typeAlias":"` + "\xff" + `"`),
		ev(`,"_id":"` + "\xff" + `","typeAlias":"Login"`),
		ev(`,"_id":"","typeAlias":"Login"`),
		ev(`,"_id":"` + strings.Repeat("i", 129) + `","typeAlias":"Login"`),
		ev(`,"typeAlias":"` + strings.Repeat("t", 101) + `"`),
		// Shapes of actionData.
		ev(`,"typeAlias":"Login","actionData":null`),
		ev(`,"typeAlias":"Login","actionData":[]`),
		ev(`,"typeAlias":"Login","actionData":"x"`),
		ev(`,"typeAlias":"Login","actionData":{"a":{"b":{"c":[1,2,{"d":null}]}}}`),
		ev(`,"typeAlias":"Login","actionData":{"a":1,"a":2}`),
		ev(`,"typeAlias":"Login","actionData":{` + strings.Repeat(`"a":[`, 5000) + strings.Repeat(`]`, 5000) + `}`),
		// Catalogue ids and labels of every size.
		ev(`,"typeAlias":"Rubric Score","actionData":{"rubricId":"` + noise(3000) + `","rubricName":"big id"}`),
		ev(`,"typeAlias":"Forum Post","actionData":{"forumId":"f1","forumName":"` + noise(9000) + `"}`),
		ev(`,"typeAlias":"Learning Path Enrolled","actionData":{"learningPathId":{"x":1},"learningPathName":["n"]}`),
		ev(`,"typeAlias":"Workflow Started","actionData":{"workflowId":12.5,"workflowName":true}`),
		ev(`,"typeAlias":"Login","extra":1`),
		`{"events":[],"more":1}`, `[]`, `null`, ``, `{`, `{"events":[{"userId":`, "\xff\xfe",
	} {
		f.Add(s, uint8(0))
	}
	f.Add(ev(`,"typeAlias":"Login"`), uint8(1))
	f.Add(ev(`,"typeAlias":"Login"`), uint8(3))
	f.Add(ev(`,"typeAlias":"Login"`), uint8(4))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/activities", "", []byte(body))
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

// FuzzCreateReport fuzzes the body of POST /reports.
func FuzzCreateReport(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	w := `"startTime":1700000000000,"endTime":1800000000000`
	body := func(report, email, filter string) string {
		return fmt.Sprintf(`{"report":%q,"email":%q,"filterOptions":{%s}}`, report, email, filter)
	}
	for _, s := range []string{
		body("accountUsage", tn.Admin.Email, w),
		body("accountUsage", strings.ToUpper(tn.Admin.Email), w+`,"status":"Active","roles":["Teacher","Coach"]`),
		body("goals", tn.Admin.Email, w+`,"goalType":"x","groupIds":["G1"],"userEmails":["`+tn.Teacher.Email+`"]`),
		body("domainsAndDimensions", tn.Admin.Email, w+`,"rubricId":"r1"`),
		body("domainsAndDimensions", tn.Admin.Email, w),
		body("activityStream", tn.Admin.Email, w+`,"typeAliases":["Login","Nope"]`),
		body("observations", tn.Admin.Email, w+`,"observationType":"Formal","rubricId":"\u0000"`),
		body("accountUsage", tn.Coach.Email, w),
		body("accountUsage", tn.TeacherB.Email, w),
		body("accountUsage", "nobody@example.org", w),
		body("accountUsage", "", w),
		body("nope", tn.Admin.Email, w),
		body("", tn.Admin.Email, w),
		body("accountUsage", tn.Admin.Email, `"startTime":1`),
		body("accountUsage", tn.Admin.Email, `"startTime":2,"endTime":1`),
		body("accountUsage", tn.Admin.Email, `"startTime":-9223372036854775808,"endTime":9223372036854775807`),
		body("accountUsage", tn.Admin.Email, `"startTime":0,"endTime":9223372036854775808`),
		body("accountUsage", tn.Admin.Email, `"startTime":1e300,"endTime":1e301`),
		body("accountUsage", tn.Admin.Email, `"startTime":1.5,"endTime":2.5`),
		body("accountUsage", tn.Admin.Email, `"startTime":"1","endTime":"2"`),
		body("accountUsage", tn.Admin.Email, w+`,"groupIds":["grp_nope","G1",""]`),
		body("accountUsage", tn.Admin.Email, w+`,"groupIds":[null]`),
		body("accountUsage", tn.Admin.Email, w+`,"groupIds":`+manyStrings("g", 70000)),
		body("accountUsage", tn.Admin.Email, w+`,"userEmails":`+manyStrings("u", 70000)),
		body("activityStream", tn.Admin.Email, w+`,"typeAliases":`+manyStrings("t", 70000)),
		body("accountUsage", tn.Admin.Email, w+`,"roles":["Boss"]`),
		body("accountUsage", tn.Admin.Email, w+`,"status":"Gone"`),
		body("accountUsage", tn.Admin.Email, w+`,"colour":"red"`),
		body("accountUsage", tn.Admin.Email, w+`,"userEmails":["`+"\xff"+`"]`),
		body("forumUsage", tn.Admin.Email, w+`,"forumId":"`+"\xff\xfe"+`"`),
		body("forumUsage", tn.Admin.Email, w+`,"forumId":"\ud800"`),
		body("accountUsage", tn.Admin.Email, w+`,"userEmails":["\u0000"]`),
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":[]}`,
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":null}`,
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":"x"}`,
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":{` + w + `},"reportId":"x"}`,
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":{` + w + `} }  `,
		`{"report":"accountUsage","email":"` + tn.Admin.Email + `","filterOptions":{` + w + `,"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}}`,
		`{"report":"reportBuilder","reportId":"svr_nope"}`,
		`{"report":"reportBuilder","reportId":"svr_nope","filterOptions":{}}`,
		`{"report":"reportBuilder"}`,
		`{"report":"reportBuilder","reportId":"` + "\xff" + `"}`,
		`{"report":"reportBuilder","reportId":"\u0000"}`,
		`{"report":"reportBuilder","reportId":"` + strings.Repeat("x", 100000) + `"}`,
		`{"report":1}`, `{"report":"accountUsage","email":["a"]}`, `[]`, `null`, ``, `{`, "\xff",
	} {
		f.Add(s, uint8(0))
	}
	f.Add(body("accountUsage", tn.Coach.Email, w), uint8(4))
	f.Add(body("accountUsage", tn.Admin.Email, w), uint8(4))
	f.Add(body("accountUsage", tn.Teacher.Email, w), uint8(5))
	f.Add(body("accountUsage", tn.TeacherB.Email, w), uint8(1))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/reports", "", []byte(body))
		if st == http.StatusAccepted {
			var out struct {
				ID string `json:"insightsReportRequestId"`
			}
			if json.Unmarshal(b, &out) != nil || !strings.HasPrefix(out.ID, "export_") {
				t.Fatalf("202 without an insightsReportRequestId: %s", b)
			}
		}
	})
}

// builderFilters are filter models for the Report Builder fuzzers.
func builderFilters(tn *apitest.Tenant) []string {
	return []string{
		`{}`,
		`{"typeAliases":["Login","Video View"],"lastDays":7,"columns":["timestamp","email"]}`,
		`{"startTime":1700000000000,"endTime":1800000000000,"groupIds":["G1","grp_nope"],"userEmails":[" ` + strings.ToUpper(tn.Teacher.Email) + `"]}`,
		`{"systemIds":["` + tn.SystemA + `"]}`,
		`{"systemIds":["` + tn.SystemB + `"]}`,
		`{"systemIds":["sys_nope",""]}`,
		`{"systemIds":[]}`,
		`{"lastDays":0}`, `{"lastDays":-1}`, `{"lastDays":2147483648}`, `{"lastDays":9223372036854775807}`, `{"lastDays":1e20}`,
		`{"lastDays":1,"startTime":1}`,
		`{"startTime":-9223372036854775808,"endTime":9223372036854775807}`,
		`{"startTime":9223372036854775807}`, `{"endTime":-9223372036854775808}`,
		`{"startTime":5,"endTime":5}`, `{"startTime":1.5}`, `{"startTime":"1"}`,
		`{"columns":["_id","password"]}`, `{"columns":[]}`, `{"columns":null}`, `{"columns":["_id","_id"]}`,
		`{"typeAliases":[null]}`, `{"typeAliases":"Login"}`, `{"typeAlias":"Login"}`,
		`{"typeAliases":["\u0000"]}`, `{"userEmails":["` + "\xff" + `"]}`, `{"groupIds":["\ud800"]}`,
		`{"typeAliases":` + manyStrings("t", 70000) + `}`,
		`{"userEmails":` + manyStrings("u", 70000) + `}`,
		`{"groupIds":` + manyStrings("g", 40000) + `}`,
		`{"systemIds":` + manyStrings("s", 70000) + `}`,
		`[]`, `null`, `"x"`, `1`,
	}
}

// FuzzBuilderData fuzzes the body of POST /reports/reportBuilder/data.
func FuzzBuilderData(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	for _, fm := range builderFilters(tn) {
		f.Add(`{"filterOptions":`+fm+`}`, uint8(0))
	}
	for _, s := range []string{
		`{"filterOptions":{},"pageSize":10,"pageNumber":1}`,
		`{"filterOptions":{},"pageSize":100,"pageNumber":2147483647}`,
		`{"filterOptions":{},"pageSize":100,"pageNumber":9223372036854775807}`,
		`{"filterOptions":{},"pageSize":100,"pageNumber":9223372036854775808}`,
		`{"filterOptions":{},"pageSize":9,"pageNumber":0}`,
		`{"filterOptions":{},"pageSize":-9223372036854775808}`,
		`{"filterOptions":{},"pageSize":50.5}`,
		`{"filterOptions":{},"pageSize":null,"pageNumber":null}`,
		`{"filterOptions":{},"pageSize":"10"}`,
		`{"filterOptions":null}`,
		`{"reportId":"svr_nope"}`, `{"reportId":""}`, `{"reportId":"\u0000"}`, `{"reportId":"` + "\xff" + `"}`,
		`{"reportId":"svr_nope","filterOptions":{}}`, `{}`, `{"limit":10}`,
		`[]`, `null`, ``, `{`, "\xff",
	} {
		f.Add(s, uint8(0))
	}
	f.Add(`{"filterOptions":{"systemIds":["`+tn.SystemB+`"]}}`, uint8(1))
	f.Add(`{"filterOptions":{}}`, uint8(4))
	f.Add(`{"filterOptions":{}}`, uint8(5))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/reports/reportBuilder/data", "", []byte(body))
		if st == http.StatusOK {
			var out struct {
				ReportData []json.RawMessage `json:"reportData"`
				Pagination *struct {
					PageSize, TotalCount, TotalPages int
				} `json:"pagination"`
			}
			if err := json.Unmarshal(b, &out); err != nil || out.ReportData == nil || out.Pagination == nil || len(out.ReportData) > out.Pagination.PageSize {
				t.Fatalf("200 without reportData and pagination: %s", b)
			}
		}
	})
}

// FuzzSavedReport fuzzes the body of POST /reports/saved.
func FuzzSavedReport(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	for _, fm := range builderFilters(tn) {
		f.Add(`{"title":"Fuzz","ownerEmail":"`+tn.Admin.Email+`","filterModel":`+fm+`}`, uint8(0))
	}
	for _, s := range []string{
		`{"title":"Mine","filterModel":{}}`,
		`{"title":"Coach's","ownerEmail":"` + tn.Coach.Email + `","filterModel":{}}`,
		`{"title":"B","ownerEmail":"` + tn.TeacherB.Email + `","filterModel":{}}`,
		`{"title":"B","ownerEmail":"` + tn.Admin.Email + `","systemId":"` + tn.SystemB + `","filterModel":{}}`,
		`{"title":"X","ownerEmail":"nobody@example.org","filterModel":{}}`,
		`{"title":"X","ownerEmail":"` + tn.Admin.Email + `","systemId":"sys_nope","filterModel":{}}`,
		`{"title":"","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"   ","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"` + strings.Repeat("é", 100) + `","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"` + strings.Repeat("é", 101) + `","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"` + noise(1<<20) + `","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"t\u0000","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"` + "\xff" + `","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"\ud800","ownerEmail":"` + tn.Admin.Email + `","filterModel":{}}`,
		`{"title":"X","ownerEmail":"` + tn.Admin.Email + `\u0000","filterModel":{}}`,
		`{"title":"X","ownerEmail":"` + tn.Admin.Email + `"}`,
		`{"title":"X","ownerEmail":"` + tn.Admin.Email + `","filterModel":null}`,
		`{"title":"X","ownerEmail":"` + tn.Admin.Email + `","filterModel":{},"id":"svr_mine"}`,
		`{"title":1,"filterModel":{}}`, `[]`, `null`, ``, `{`, "\xff",
	} {
		f.Add(s, uint8(0))
	}
	f.Add(`{"title":"Net","ownerEmail":"`+tn.TeacherB.Email+`","filterModel":{"systemIds":["`+tn.SystemB+`"]}}`, uint8(1))
	f.Add(`{"title":"Coach","filterModel":{}}`, uint8(4))
	f.Add(`{"title":"Coach for admin","ownerEmail":"`+tn.Admin.Email+`","filterModel":{}}`, uint8(4))
	f.Add(`{"title":"Teacher","filterModel":{}}`, uint8(5))
	f.Fuzz(func(t *testing.T, body string, who uint8) {
		st, b := fe.do(t, fe.token(who), "POST", "/api/v2/reports/saved", "", []byte(body))
		if st == http.StatusCreated {
			var out struct {
				ID string `json:"_id"`
			}
			if json.Unmarshal(b, &out) != nil || !strings.HasPrefix(out.ID, "svr_") {
				t.Fatalf("201 without an _id: %s", b)
			}
			// What was saved reads back.
			if st, got := fe.do(t, fe.token(who), "GET", "/api/v2/reports/saved/"+out.ID, "", nil); st != http.StatusOK {
				t.Fatalf("saved report %s reads back as %d: %s", out.ID, st, got)
			}
		}
	})
}

// FuzzCSVLink fuzzes the report id and the query of the signed CSV link,
// which needs no token: only a link the server signed opens a file.
func FuzzCSVLink(f *testing.F) {
	fe := startFuzz(f)
	tn := fe.tn
	env := fe.env
	id := env.Do(f, tn.SystemToken, "POST", "/api/v2/reports", map[string]any{"report": "accountUsage", "email": tn.Admin.Email,
		"filterOptions": map[string]any{"startTime": 1700000000000, "endTime": 1800000000000}}).Want(f, http.StatusAccepted).Map(f)["insightsReportRequestId"].(string)
	link, _ := env.WaitReport(f, tn.SystemToken, id).Want(f, http.StatusOK).Map(f)["csvDownloadUrl"].(string)
	u, err := url.Parse(link)
	if err != nil {
		f.Fatal(err)
	}
	valid := u.RawQuery
	q := u.Query()
	for _, c := range []struct{ id, query string }{
		{id, valid},
		{id, "signature=" + q.Get("signature") + "&expires=" + q.Get("expires")},
		{id, valid + "&expires=1"},
		{id, "expires=1&" + valid},
		{id, "expires=" + q.Get("expires") + "&signature=" + strings.ToUpper(q.Get("signature"))},
		{id, "expires=" + q.Get("expires") + "&signature=" + q.Get("signature")[:10]},
		{id, "expires=" + q.Get("expires") + "0&signature=" + q.Get("signature")},
		{id, "expires=9223372036854775807&signature=" + q.Get("signature")},
		{id, "expires=9223372036854775808&signature=" + q.Get("signature")},
		{id, "expires=-9223372036854775808&signature=" + q.Get("signature")},
		{id, "expires=1e10&signature=" + q.Get("signature")},
		{id, "expires=+" + q.Get("expires") + "&signature=" + q.Get("signature")},
		{id, "expires=" + q.Get("expires") + "&signature=zz"},
		{id, "expires=" + q.Get("expires") + "&signature=%00"},
		{id, "expires=" + q.Get("expires") + "&signature=%FF"},
		{id, "expires=" + q.Get("expires") + "&signature=" + strings.Repeat("ab", 100000)},
		{id, ""}, {id, "%"}, {id, "&&="}, {id, "expires=%zz"},
		{"export_nope", valid}, {"", valid}, {"x/y", valid}, {"..", valid}, {".", valid}, {"%00", valid}, {"\x00", valid}, {"\xff", valid},
		{"saved", valid}, {"filterOptions", valid}, {"reportBuilder", valid}, {strings.Repeat("e", 10000), valid},
		{"' OR 1=1 --", valid}, {id + ".csv", valid}, {strings.ToUpper(id), valid},
	} {
		f.Add(c.id, c.query, uint8(0))
	}
	f.Add(id, valid, uint8(1))
	f.Add(id, valid, uint8(2))
	f.Fuzz(func(t *testing.T, rid, rawQuery string, tail uint8) {
		path := "/api/v2/reports/" + url.PathEscape(rid)
		switch tail % 3 {
		case 0:
			path += "/csv"
		case 1:
			path += "/CSV"
		case 2:
			path += "/csv/"
		}
		req, err := http.NewRequest("GET", fe.url+path, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		req.URL.RawQuery = queryEscape(rawQuery)
		res, err := fe.client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", req.URL.RequestURI(), err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		what := "GET " + req.URL.RequestURI()
		if res.StatusCode == http.StatusOK {
			// Only the link the server signed opens the file.
			if rid != id || tail%3 != 0 {
				t.Fatalf("%s: 200 for a link the server did not sign", what)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Fatalf("%s: CSV with content type %q", what, ct)
			}
			return
		}
		checkAnswer(t, what, nil, res, b)
	})
}
