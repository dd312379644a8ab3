package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/opentalent/opentalent"
)

var _ opentalent.ReportService = (*DB)(nil)

func viewerCond(a *args, v opentalent.ReportViewer) string {
	c := a.scopeCond("system_id", v.Scope)
	if v.UserID != "" {
		c += ` AND run_as_user_id = ` + a.add(v.UserID)
	}
	return c
}

const reportColumns = `id, network_id, system_id, token_id, run_as_user_id, report, filter_options, saved_report_id, status, progress,
	row_count, error, blob_key, created_at, completed_at, expires_at`

func scanReport(row interface{ Scan(...any) error }) (*opentalent.ReportRequest, error) {
	var (
		r                               opentalent.ReportRequest
		filter, saved, errText, blobKey sql.NullString
		rowCount, completed, expires    sql.NullInt64
		created                         int64
	)
	if err := row.Scan(&r.ID, &r.NetworkID, &r.SystemID, &r.TokenID, &r.RunAsUserID, &r.Report, &filter, &saved, &r.Status, &r.Progress,
		&rowCount, &errText, &blobKey, &created, &completed, &expires); err != nil {
		return nil, err
	}
	if filter.Valid {
		r.FilterOptions = []byte(filter.String)
	}
	r.SavedReportID, r.Error, r.BlobKey = saved.String, errText.String, blobKey.String
	if rowCount.Valid {
		r.RowCount = &rowCount.Int64
	}
	r.CreatedAt, r.CompletedAt, r.ExpiresAt = millisTime(created), nullMillisTime(completed), nullMillisTime(expires)
	return &r, nil
}

// CreateReportRequest stores a pending report request and queues its job in
// the same transaction, so a request is never lost between the two.
func (db *DB) CreateReportRequest(ctx context.Context, r *opentalent.ReportRequest) error {
	r.ID = NewID("export")
	r.Status = opentalent.ReportPending
	r.CreatedAt = millisTime(db.nowMillis())
	var filter sql.NullString
	if len(r.FilterOptions) > 0 {
		filter = sql.NullString{String: string(r.FilterOptions), Valid: true}
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO report_requests (id, network_id, system_id, token_id, run_as_user_id, report, filter_options, saved_report_id, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.ID, r.NetworkID, r.SystemID, r.TokenID, r.RunAsUserID, r.Report, filter, nullString(r.SavedReportID), r.Status, r.CreatedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("create report request: %w", err)
		}
		return db.enqueue(ctx, tx, opentalent.ReportArgs{RequestID: r.ID})
	})
}

// FindReportRequest returns a request the viewer may see.
func (db *DB) FindReportRequest(ctx context.Context, v opentalent.ReportViewer, id string) (*opentalent.ReportRequest, error) {
	var a args
	cond := viewerCond(&a, v)
	r, err := scanReport(db.Read.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM report_requests WHERE id = `+a.add(id)+` AND `+cond, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("report")
	}
	if err != nil {
		return nil, fmt.Errorf("find report: %w", err)
	}
	return r, nil
}

// FindReportRequests returns one page of the requests the viewer may see,
// newest first.
func (db *DB) FindReportRequests(ctx context.Context, v opentalent.ReportViewer, p opentalent.Page) ([]opentalent.ReportRequest, int, error) {
	var a args
	cond := viewerCond(&a, v)
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM report_requests WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT `+reportColumns+` FROM report_requests WHERE `+cond+` ORDER BY created_at DESC, id DESC LIMIT `+a.add(p.Limit)+` OFFSET `+a.add(p.Offset()), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find reports: %w", err)
	}
	defer rows.Close()
	out := []opentalent.ReportRequest{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *r)
	}
	return out, total, rows.Err()
}

// ReportJob is a report request as its job sees it: the request and the
// user it runs as.
type ReportJob struct {
	Request *opentalent.ReportRequest
	RunAs   *opentalent.User
}

// ClaimReport takes the lease of a pending request for owner. It returns
// the job when the lease was taken, nil when the request is no longer
// pending, and a *LeaseHeldError while another live worker holds it.
func (db *DB) ClaimReport(ctx context.Context, id, owner string, lease time.Duration) (*ReportJob, error) {
	now := db.nowMillis()
	res, err := db.Write.ExecContext(ctx, `UPDATE report_requests SET lease_owner = $1, lease_until = $2, progress = 1
		WHERE id = $3 AND status = $4 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < $5)`,
		owner, now+lease.Milliseconds(), id, opentalent.ReportPending, now)
	if err != nil {
		return nil, fmt.Errorf("claim report: %w", err)
	}
	r, err := scanReport(db.Read.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM report_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("report")
	}
	if err != nil {
		return nil, fmt.Errorf("claim report: %w", err)
	}
	if r.Status != opentalent.ReportPending {
		return nil, nil
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var until sql.NullInt64
		if err := db.Read.QueryRowContext(ctx, `SELECT lease_until FROM report_requests WHERE id = $1`, id).Scan(&until); err != nil {
			return nil, fmt.Errorf("claim report: %w", err)
		}
		return nil, &LeaseHeldError{ID: id, Until: millisTime(until.Int64)}
	}
	u, err := scanUser(db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, r.RunAsUserID))
	if err != nil {
		return nil, fmt.Errorf("claim report: run-as user: %w", err)
	}
	return &ReportJob{Request: r, RunAs: u}, nil
}

// LeaseHeldError says another worker is producing the report; its lease
// runs until Until (zero when unknown).
type LeaseHeldError struct {
	ID    string
	Until time.Time
}

func (e *LeaseHeldError) Error() string {
	return "report " + e.ID + " is being produced by another worker"
}

// RenewReportLease extends owner's lease and records progress (0-100).
func (db *DB) RenewReportLease(ctx context.Context, id, owner string, lease time.Duration, progress int) error {
	res, err := db.Write.ExecContext(ctx, `UPDATE report_requests SET lease_until = $1, progress = $2 WHERE id = $3 AND lease_owner = $4 AND status = $5`,
		db.nowMillis()+lease.Milliseconds(), progress, id, owner, opentalent.ReportPending)
	if err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &LeaseHeldError{ID: id}
	}
	return nil
}

// CompleteReport marks owner's request complete with its files.
func (db *DB) CompleteReport(ctx context.Context, id, owner, blobKey, dataKey string, rows int64, truncated bool, retention time.Duration) error {
	now := db.nowMillis()
	t := 0
	if truncated {
		t = 1
	}
	res, err := db.Write.ExecContext(ctx, `UPDATE report_requests SET status = $1, progress = 100, row_count = $2, blob_key = $3, data_key = $4, truncated = $5,
		completed_at = $6, expires_at = $7, lease_owner = NULL, lease_until = NULL WHERE id = $8 AND lease_owner = $9 AND status = $10`,
		opentalent.ReportComplete, rows, blobKey, dataKey, t, now, now+retention.Milliseconds(), id, owner, opentalent.ReportPending)
	if err != nil {
		return fmt.Errorf("complete report: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &LeaseHeldError{ID: id}
	}
	return nil
}

// FailReport marks a pending request failed with a message for the client.
func (db *DB) FailReport(ctx context.Context, id, message string) error {
	_, err := db.Write.ExecContext(ctx, `UPDATE report_requests SET status = $1, error = $2, completed_at = $3, lease_owner = NULL, lease_until = NULL WHERE id = $4 AND status = $5`,
		opentalent.ReportFailed, message, db.nowMillis(), id, opentalent.ReportPending)
	if err != nil {
		return fmt.Errorf("fail report: %w", err)
	}
	return nil
}

// ReportFiles returns the keys of a complete request's CSV and JSON preview
// and whether the preview was cut short.
func (db *DB) ReportFiles(ctx context.Context, id string) (csvKey, dataKey string, truncated bool, err error) {
	var c, d sql.NullString
	var t int
	err = db.Read.QueryRowContext(ctx, `SELECT blob_key, data_key, truncated FROM report_requests WHERE id = $1 AND status = $2`, id, opentalent.ReportComplete).Scan(&c, &d, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, notFound("report")
	}
	if err != nil {
		return "", "", false, fmt.Errorf("report files: %w", err)
	}
	return c.String, d.String, t != 0, nil
}

// ExpiredReport is a complete report past its retention.
type ExpiredReport struct{ ID, CSVKey, DataKey string }

// FindExpiredReports returns up to limit complete reports whose files
// have passed their retention.
func (db *DB) FindExpiredReports(ctx context.Context, limit int) ([]ExpiredReport, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT id, blob_key, data_key FROM report_requests WHERE status = $1 AND expires_at < $2 ORDER BY expires_at LIMIT $3`,
		opentalent.ReportComplete, db.nowMillis(), limit)
	if err != nil {
		return nil, fmt.Errorf("find expired reports: %w", err)
	}
	defer rows.Close()
	var out []ExpiredReport
	for rows.Next() {
		var r ExpiredReport
		var c, d sql.NullString
		if err := rows.Scan(&r.ID, &c, &d); err != nil {
			return nil, err
		}
		r.CSVKey, r.DataKey = c.String, d.String
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkReportExpired records that a report's files were deleted.
func (db *DB) MarkReportExpired(ctx context.Context, id string) error {
	_, err := db.Write.ExecContext(ctx, `UPDATE report_requests SET status = $1, blob_key = NULL, data_key = NULL WHERE id = $2 AND status = $3`,
		opentalent.ReportExpired, id, opentalent.ReportComplete)
	if err != nil {
		return fmt.Errorf("expire report: %w", err)
	}
	return nil
}

// Secret returns the installation secret called name, creating a random
// one on first use, so every node sharing the database agrees on it.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	rand.Read(b)
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var v string
	if err := db.Write.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return hex.DecodeString(v)
}

// FindCatalogue returns a system's catalogue items of one kind, by label.
func (db *DB) FindCatalogue(ctx context.Context, systemID, kind string) ([]opentalent.CatalogueItem, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT item_id, label FROM catalogue WHERE system_id = $1 AND kind = $2 ORDER BY label`+db.collate()+`, item_id`, systemID, kind)
	if err != nil {
		return nil, fmt.Errorf("find catalogue: %w", err)
	}
	defer rows.Close()
	out := []opentalent.CatalogueItem{}
	for rows.Next() {
		var it opentalent.CatalogueItem
		if err := rows.Scan(&it.ID, &it.Label); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// FindGroupIDs returns which of ids are groups of the system.
func (db *DB) FindGroupIDs(ctx context.Context, systemID string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	rows, err := db.Read.QueryContext(ctx, `SELECT id FROM groups WHERE system_id = `+a.add(systemID)+` AND id IN `+a.in(ids), a...)
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ReapReportLeases finds pending reports whose worker stopped renewing its
// lease (its node died), releases each lease and queues a new job for the
// report in the same transaction. The lapse is checked again in the update,
// so when several nodes reap at once each report is requeued once.
func (db *DB) ReapReportLeases(ctx context.Context) (int, error) {
	rows, err := db.Read.QueryContext(ctx, `SELECT id FROM report_requests WHERE status = $1 AND lease_owner IS NOT NULL AND lease_until < $2`,
		opentalent.ReportPending, db.nowMillis())
	if err != nil {
		return 0, fmt.Errorf("find lapsed leases: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := db.withTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE report_requests SET lease_owner = NULL, lease_until = NULL
				WHERE id = $1 AND status = $2 AND lease_owner IS NOT NULL AND lease_until < $3`, id, opentalent.ReportPending, db.nowMillis())
			if err != nil {
				return fmt.Errorf("release lease: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil
			}
			n++
			return db.enqueue(ctx, tx, opentalent.ReportArgs{RequestID: id})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
