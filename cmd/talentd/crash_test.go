package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// buildBinary compiles talentd once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "talentd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type server struct {
	cmd  *exec.Cmd
	base string
}

func startServer(t *testing.T, bin, dsn, blobs string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", dsn)
	cmd.Env = append(os.Environ(), "TALENT_JOB_RESCUE_AFTER=2s", "TALENT_BLOB_URL=file://"+filepath.ToSlash(blobs))
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) call(t *testing.T, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

const crashEvents = 400_000

// TestCrashMidReport kills the real server with SIGKILL while it produces a
// large report, restarts it, and checks that the report completes exactly
// once with a whole CSV, and that nothing partial was ever published.
func TestCrashMidReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		dsn := storetest.DSN(t, engine)
		blobs := t.TempDir()
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		nw, _ := db.CreateNetwork(ctx, "Crash")
		sys, err := db.CreateSystem(ctx, nw.ID, "Crash District")
		if err != nil {
			t.Fatal(err)
		}
		scope := opentalent.Scope{NetworkID: nw.ID, SystemID: sys.ID}
		admin, err := db.CreateUser(ctx, scope, opentalent.NewUser{Email: "admin@crash.org", Role: "Admin", SystemID: sys.ID, SuppressInvite: true})
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := db.CreateToken(ctx, scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: sys.ID})
		if err != nil {
			t.Fatal(err)
		}
		series := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $4) SELECT i FROM n`
		if engine == store.Postgres {
			series = `SELECT generate_series(1, $4::int) AS i`
		}
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		if _, err := db.Write.Exec(`INSERT INTO events (system_id, id, user_id, ts, type_alias, action_data)
			SELECT $1, 'e' || i, $2, CAST($3 AS BIGINT) + i * 1000, 'Video View', '{"videoId":"v1","watchedSeconds":30}' FROM (`+series+`) s`,
			sys.ID, admin.ID, start, crashEvents); err != nil {
			t.Fatal(err)
		}
		db.Close()

		srv := startServer(t, bin, dsn, blobs)
		body := fmt.Sprintf(`{"report":"activityStream","email":"admin@crash.org","filterOptions":{"startTime":%d,"endTime":%d}}`, start, start+crashEvents*1000+1000)
		status, m := srv.call(t, token, "POST", "/api/v2/reports", body)
		if status != 202 {
			t.Fatalf("request: %d %v", status, m)
		}
		id := m["insightsReportRequestId"].(string)
		// Kill the server as soon as a worker has claimed the report.
		for {
			status, m = srv.call(t, token, "GET", "/api/v2/reports/"+id, "")
			if status != 202 {
				t.Fatalf("the report finished before the kill (%d); make it bigger", status)
			}
			if m["progress"].(float64) >= 1 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // well into the rows
		srv.cmd.Process.Kill()
		srv.cmd.Wait()
		if _, err := os.Stat(filepath.Join(blobs, "reports", id+".csv")); !os.IsNotExist(err) {
			t.Fatalf("a CSV was published by the killed server: %v", err)
		}
		time.Sleep(2500 * time.Millisecond) // past TALENT_JOB_RESCUE_AFTER

		srv = startServer(t, bin, dsn, blobs)
		deadline := time.Now().Add(120 * time.Second)
		for status == 202 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			status, m = srv.call(t, token, "GET", "/api/v2/reports/"+id, "")
		}
		if status != 200 || m["rowCount"].(float64) != crashEvents {
			t.Errorf("after restart: %d %v", status, m["rowCount"])
			dumpJobs(t, dsn, id)
			t.FailNow()
		}
		res, err := http.Get(m["csvDownloadUrl"].(string))
		if err != nil {
			t.Fatal(err)
		}
		csv, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if lines := strings.Count(string(csv), "\r\n"); lines != crashEvents+1 {
			t.Fatalf("csv has %d lines, want %d", lines, crashEvents+1)
		}
		_, notes := srv.call(t, token, "GET", "/api/v2/users/admin@crash.org/notifications?pageNumber=1&limit=100", "")
		ready := 0
		for _, n := range notes["notifications"].([]any) {
			if strings.Contains(n.(map[string]any)["message"].(string), "report is ready") {
				ready++
			}
		}
		if ready != 1 {
			t.Fatalf("report completed %d times, want exactly once", ready)
		}
	})
}

// dumpJobs logs the queue and the request, to explain a failure.
func dumpJobs(t *testing.T, dsn, id string) {
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Log(err)
		return
	}
	defer db.Close()
	rows, err := db.Read.Query(`SELECT id, kind, state, attempt, CAST(errors AS TEXT) FROM river_job ORDER BY id`)
	if err != nil {
		t.Log(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var jid, attempt int64
		var kind, state string
		var errs *string
		rows.Scan(&jid, &kind, &state, &attempt, &errs)
		e := ""
		if errs != nil {
			e = *errs
		}
		t.Logf("job %d %s %s attempt %d errors %.300s", jid, kind, state, attempt, e)
	}
	var status string
	var progress int
	var owner *string
	db.Read.QueryRow(`SELECT status, progress, lease_owner FROM report_requests WHERE id = $1`, id).Scan(&status, &progress, &owner)
	t.Logf("request %s: %s progress %d owner %v", id, status, progress, owner)
}
