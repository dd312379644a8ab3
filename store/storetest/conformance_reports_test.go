package storetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

// newReport stores a pending report request run as u (db.Queue is nil: no
// job is queued).
func (e *env) newReport(t *testing.T, tn *tenant, u *opentalent.User, report string) *opentalent.ReportRequest {
	t.Helper()
	r := &opentalent.ReportRequest{
		NetworkID: tn.net.ID, SystemID: tn.sys.ID, TokenID: "tok_x", RunAsUserID: u.ID, Report: report,
		FilterOptions: json.RawMessage(`{"startTime":1}`),
	}
	must(t, e.db.CreateReportRequest(e.ctx, r))
	return r
}

func TestReportRequests(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		if e.db.Queue != nil {
			t.Fatal("MustOpenDB should leave Queue nil")
		}

		t.Run("CreateAndFind", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			a := e.user(t, tn, "a", opentalent.RoleAdmin)
			b := e.user(t, tn, "b", opentalent.RoleTeacher)
			r1 := e.newReport(t, tn, a, "userActivity")
			r2 := e.newReport(t, tn, b, "logins")
			r3 := &opentalent.ReportRequest{NetworkID: tn.net.ID, SystemID: tn.sys.ID, TokenID: "tok_y", RunAsUserID: a.ID, Report: opentalent.ReportBuilder, SavedReportID: "svr_1"}
			must(t, e.db.CreateReportRequest(e.ctx, r3))
			if !strings.HasPrefix(r1.ID, "export_") || r1.Status != opentalent.ReportPending || !r1.CreatedAt.After(epoch) {
				t.Fatalf("created %+v", r1)
			}
			got, err := e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.netW}, r1.ID)
			must(t, err)
			eq(t, "round trip", got.Report+" "+got.RunAsUserID+" "+got.TokenID+" "+got.Status, "userActivity "+a.ID+" tok_x pending")
			eq(t, "filter", string(got.FilterOptions), `{"startTime":1}`)
			eq(t, "created", got.CreatedAt, r1.CreatedAt)
			if got.CompletedAt != nil || got.ExpiresAt != nil || got.RowCount != nil || got.Progress != 0 {
				t.Fatalf("pending request %+v", got)
			}
			got3, err := e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r3.ID)
			must(t, err)
			eq(t, "saved report", got3.SavedReportID, "svr_1")
			eq(t, "no filter", got3.FilterOptions, json.RawMessage(nil))

			ids := func(v opentalent.ReportViewer, p opentalent.Page) ([]string, int) {
				rs, total, err := e.db.FindReportRequests(e.ctx, v, p)
				must(t, err)
				out := []string{}
				for _, r := range rs {
					out = append(out, r.ID)
				}
				return out, total
			}
			all, total := ids(opentalent.ReportViewer{Scope: tn.scope}, page(1, 10))
			eq(t, "newest first", all, []string{r3.ID, r2.ID, r1.ID})
			eq(t, "total", total, 3)
			p2, total := ids(opentalent.ReportViewer{Scope: tn.scope}, page(2, 2))
			eq(t, "page 2", p2, []string{r1.ID})
			eq(t, "page 2 total", total, 3)
			mine, total := ids(opentalent.ReportViewer{Scope: tn.scope, UserID: b.ID}, page(1, 10))
			eq(t, "run as b", mine, []string{r2.ID})
			eq(t, "run as b total", total, 1)
			_, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope, UserID: b.ID}, r1.ID)
			wantCode(t, err, opentalent.ENOTFOUND)
			_, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, "export_nope")
			wantCode(t, err, opentalent.ENOTFOUND)
		})

		t.Run("FailReport", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			a := e.user(t, tn, "a", opentalent.RoleAdmin)
			r := e.newReport(t, tn, a, "logins")
			must(t, e.db.FailReport(e.ctx, r.ID, "too many rows"))
			got, err := e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r.ID)
			must(t, err)
			eq(t, "status", got.Status, opentalent.ReportFailed)
			eq(t, "error", got.Error, "too many rows")
			if got.CompletedAt == nil {
				t.Fatal("completedAt not set")
			}
			job, err := e.db.ClaimReport(e.ctx, r.ID, "w1", time.Minute)
			if job != nil || err != nil {
				t.Fatalf("claim of a failed report: %v, %v", job, err)
			}
			_, _, _, err = e.db.ReportFiles(e.ctx, r.ID)
			wantCode(t, err, opentalent.ENOTFOUND)
			// Failing again, or completing, changes nothing.
			must(t, e.db.FailReport(e.ctx, r.ID, "other"))
			var lhe *store.LeaseHeldError
			if err := e.db.CompleteReport(e.ctx, r.ID, "w1", "k", "d", 1, false, time.Hour); !errors.As(err, &lhe) {
				t.Fatalf("complete of a failed report: %v", err)
			}
			got, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r.ID)
			must(t, err)
			eq(t, "error kept", got.Error, "too many rows")
		})

		t.Run("Secret", func(t *testing.T) {
			t.Parallel()
			a, err := e.db.Secret(e.ctx, "csv-links")
			must(t, err)
			b, err := e.db.Secret(e.ctx, "csv-links")
			must(t, err)
			c, err := e.db.Secret(e.ctx, "other")
			must(t, err)
			if len(a) != 32 || !bytes.Equal(a, b) || bytes.Equal(a, c) {
				t.Fatalf("secrets %x %x %x", a, b, c)
			}
		})
	})
}

// TestReportLease drives the lease with the fake clock, so each engine gets
// a database of its own.
func TestReportLease(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		tn := e.tenant(t)
		a := e.user(t, tn, "a", opentalent.RoleCoach)
		r := e.newReport(t, tn, a, "logins")
		const lease = 30 * time.Second
		var lhe *store.LeaseHeldError

		job, err := e.db.ClaimReport(e.ctx, r.ID, "w1", lease)
		must(t, err)
		if job == nil || job.Request.ID != r.ID || job.RunAs.ID != a.ID || job.RunAs.Role != opentalent.RoleCoach {
			t.Fatalf("job %+v", job)
		}
		eq(t, "progress", job.Request.Progress, 1)

		job, err = e.db.ClaimReport(e.ctx, r.ID, "w2", lease)
		if job != nil || !errors.As(err, &lhe) || lhe.ID != r.ID {
			t.Fatalf("second owner: %v, %v", job, err)
		}
		// The owner may claim again (a retried job on the same worker).
		job, err = e.db.ClaimReport(e.ctx, r.ID, "w1", lease)
		must(t, err)
		if job == nil {
			t.Fatal("owner's reclaim returned no job")
		}
		must(t, e.db.RenewReportLease(e.ctx, r.ID, "w1", lease, 40))
		if err := e.db.RenewReportLease(e.ctx, r.ID, "w2", lease, 50); !errors.As(err, &lhe) {
			t.Fatalf("renew by non-owner: %v", err)
		}
		got, err := e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r.ID)
		must(t, err)
		eq(t, "progress renewed", got.Progress, 40)

		// Still held just before the lease lapses.
		e.clock.Add(lease - time.Second)
		_, err = e.db.ClaimReport(e.ctx, r.ID, "w2", lease)
		if !errors.As(err, &lhe) {
			t.Fatalf("claim before the lease lapsed: %v", err)
		}
		// Lapsed: another worker takes over and the first loses it.
		e.clock.Add(2 * time.Second)
		job, err = e.db.ClaimReport(e.ctx, r.ID, "w2", lease)
		must(t, err)
		if job == nil {
			t.Fatal("no job after the lease lapsed")
		}
		if err := e.db.CompleteReport(e.ctx, r.ID, "w1", "csv/1", "json/1", 7, false, time.Hour); !errors.As(err, &lhe) {
			t.Fatalf("complete by the old owner: %v", err)
		}
		if err := e.db.RenewReportLease(e.ctx, r.ID, "w1", lease, 60); !errors.As(err, &lhe) {
			t.Fatalf("renew by the old owner: %v", err)
		}
		_, _, _, err = e.db.ReportFiles(e.ctx, r.ID)
		wantCode(t, err, opentalent.ENOTFOUND)

		must(t, e.db.CompleteReport(e.ctx, r.ID, "w2", "csv/2", "json/2", 7, true, time.Hour))
		now := e.clock.Peek()
		got, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r.ID)
		must(t, err)
		eq(t, "status", got.Status, opentalent.ReportComplete)
		eq(t, "progress", got.Progress, 100)
		if got.RowCount == nil || *got.RowCount != 7 || got.CompletedAt == nil || got.ExpiresAt == nil {
			t.Fatalf("complete request %+v", got)
		}
		eq(t, "expiry", got.ExpiresAt.Sub(*got.CompletedAt), time.Hour)
		if got.CompletedAt.After(now) || now.Sub(*got.CompletedAt) > time.Second {
			t.Fatalf("completedAt %v, now %v", got.CompletedAt, now)
		}
		csvKey, dataKey, truncated, err := e.db.ReportFiles(e.ctx, r.ID)
		must(t, err)
		eq(t, "files", [2]string{csvKey, dataKey}, [2]string{"csv/2", "json/2"})
		eq(t, "truncated", truncated, true)

		// Done: a claim, a second completion and a failure change nothing.
		job, err = e.db.ClaimReport(e.ctx, r.ID, "w3", lease)
		if job != nil || err != nil {
			t.Fatalf("claim of a complete report: %v, %v", job, err)
		}
		if err := e.db.CompleteReport(e.ctx, r.ID, "w2", "csv/3", "json/3", 1, false, time.Hour); !errors.As(err, &lhe) {
			t.Fatalf("second completion: %v", err)
		}
		must(t, e.db.FailReport(e.ctx, r.ID, "late"))
		_, err = e.db.ClaimReport(e.ctx, "export_nope", "w1", lease)
		wantCode(t, err, opentalent.ENOTFOUND)

		// Retention.
		other := e.newReport(t, tn, a, "logins") // pending: never expires
		exp, err := e.db.FindExpiredReports(e.ctx, 10)
		must(t, err)
		eq(t, "nothing expired yet", len(exp), 0)
		e.clock.Add(time.Hour + time.Second)
		exp, err = e.db.FindExpiredReports(e.ctx, 10)
		must(t, err)
		eq(t, "expired", exp, []store.ExpiredReport{{ID: r.ID, CSVKey: "csv/2", DataKey: "json/2"}})
		must(t, e.db.MarkReportExpired(e.ctx, r.ID))
		must(t, e.db.MarkReportExpired(e.ctx, other.ID)) // not complete: no change
		exp, err = e.db.FindExpiredReports(e.ctx, 10)
		must(t, err)
		eq(t, "expired once", len(exp), 0)
		got, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, r.ID)
		must(t, err)
		eq(t, "status", got.Status, opentalent.ReportExpired)
		eq(t, "blob key", got.BlobKey, "")
		_, _, _, err = e.db.ReportFiles(e.ctx, r.ID)
		wantCode(t, err, opentalent.ENOTFOUND)
		got, err = e.db.FindReportRequest(e.ctx, opentalent.ReportViewer{Scope: tn.scope}, other.ID)
		must(t, err)
		eq(t, "pending untouched", got.Status, opentalent.ReportPending)
	})
}

func TestSecretSurvivesReopen(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Parallel()
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn)
		must(t, err)
		a, err := db.Secret(ctx, "csv-links")
		must(t, err)
		db.Close()
		db, err = store.Open(ctx, dsn)
		must(t, err)
		defer db.Close()
		b, err := db.Secret(ctx, "csv-links")
		must(t, err)
		if len(a) != 32 || !bytes.Equal(a, b) {
			t.Fatalf("secret %x before reopening, %x after", a, b)
		}
	})
}
