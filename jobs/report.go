package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gocloud.dev/blob"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store"
)

// MaxReportData is the number of rows GET /reports/{id} shows inline; the
// CSV always has every row.
const MaxReportData = 10000

// ReportWorker produces one report: it streams rows from the database into
// a CSV object in the bucket, which is published only when whole.
type ReportWorker struct {
	river.WorkerDefaults[opentalent.ReportArgs]
	DB        *store.DB
	Builder   opentalent.BuilderService
	Bucket    *blob.Bucket
	Retention time.Duration
	// Owner names this node in report leases.
	Owner string
	// Lease is how long a report stays claimed without a heartbeat; a
	// report whose worker died is requeued once it lapses (ReapLeases).
	Lease time.Duration
	// MaxDuration stops a report that runs longer (River's job timeout).
	// The lease, not this timer, tells a live worker from a dead one.
	MaxDuration time.Duration
	Logger      *slog.Logger
}

// Timeout is the longest a report may run.
func (w *ReportWorker) Timeout(*river.Job[opentalent.ReportArgs]) time.Duration { return w.MaxDuration }

// Maintain refreshes the database's planner statistics every interval
// until ctx ends, so that report plans keep up with growing data. (Open
// refreshed them already, so the first run waits an interval.)
func Maintain(ctx context.Context, db *store.DB, interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, false, func(ctx context.Context) error {
		if err := db.Analyze(ctx); err != nil {
			return fmt.Errorf("refresh planner statistics: %w", err)
		}
		return nil
	}, logger)
}

// ReapLeases requeues, at once and then every interval until ctx ends, the
// reports whose worker died (their lease lapsed). It runs on every node:
// River rescues a job of a dead node only after its timeout, which for
// reports is long.
func ReapLeases(ctx context.Context, db *store.DB, interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, true, func(ctx context.Context) error {
		n, err := db.ReapReportLeases(ctx)
		if n > 0 {
			logger.Info("requeued reports of a lost worker", slog.Int("reports", n))
		}
		if err != nil {
			return fmt.Errorf("reap report leases: %w", err)
		}
		return nil
	}, logger)
}

// every calls fn every interval until ctx ends (and once at the start when
// now is set), logging its errors.
func every(ctx context.Context, interval time.Duration, now bool, fn func(context.Context) error, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if now {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("maintenance", slog.Any("err", err))
			}
		}
		now = true
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Work produces the report of one request.
func (w *ReportWorker) Work(ctx context.Context, job *river.Job[opentalent.ReportArgs]) error {
	id := job.Args.RequestID
	rj, err := w.DB.ClaimReport(ctx, id, w.Owner, w.Lease)
	var held *store.LeaseHeldError
	switch {
	case errors.As(err, &held):
		// Another worker holds the lease: look again when it lapses.
		return river.JobSnooze(max(time.Until(held.Until), 0) + time.Second)
	case opentalent.ErrorCode(err) == opentalent.ENOTFOUND:
		return river.JobCancel(err)
	case err != nil:
		return err
	case rj == nil:
		return nil // already complete or failed
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	progress := make(chan int, 1)
	go w.heartbeat(ctx, cancel, id, progress)

	rows, truncated, err := w.produce(ctx, rj, progress)
	if cause := context.Cause(ctx); cause != nil && errors.As(cause, &held) {
		return river.JobSnooze(w.Lease)
	}
	if err != nil {
		var de *opentalent.Error
		if errors.As(err, &de) || job.Attempt >= job.MaxAttempts {
			w.fail(id, err)
			return river.JobCancel(err)
		}
		return err
	}
	if err := w.DB.CompleteReport(ctx, id, w.Owner, csvKey(id), dataKey(id), rows, truncated, w.Retention); err != nil {
		return err
	}
	msg := fmt.Sprintf("Your %s report is ready (%d rows).", rj.Request.Report, rows)
	if err := w.DB.NotifyUser(ctx, rj.RunAs.ID, msg); err != nil {
		w.Logger.Warn("report notification", slog.String("report", id), slog.Any("err", err))
	}
	return nil
}

func (w *ReportWorker) fail(id string, err error) {
	msg := "the report could not be produced"
	var de *opentalent.Error
	if errors.As(err, &de) {
		msg = de.Message
	}
	w.Logger.Error("report failed", slog.String("report", id), slog.Any("err", err))
	if ferr := w.DB.FailReport(context.Background(), id, msg); ferr != nil {
		w.Logger.Error("mark report failed", slog.String("report", id), slog.Any("err", ferr))
	}
}

// heartbeat renews the lease until ctx ends; losing the lease cancels the
// work.
func (w *ReportWorker) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, id string, progress <-chan int) {
	t := time.NewTicker(w.Lease / 3)
	defer t.Stop()
	p := 1
	for {
		select {
		case <-ctx.Done():
			return
		case p = <-progress:
		case <-t.C:
			if err := w.DB.RenewReportLease(ctx, id, w.Owner, w.Lease, p); err != nil {
				var held *store.LeaseHeldError
				if errors.As(err, &held) {
					cancel(err)
					return
				}
				w.Logger.Warn("renew report lease", slog.String("report", id), slog.Any("err", err))
			}
		}
	}
}

func csvKey(id string) string  { return "reports/" + id + ".csv" }
func dataKey(id string) string { return "reports/" + id + ".json" }

// produce writes the CSV and the JSON preview and returns the row count.
// A write is published only by a successful Close; on any error the
// writer's context is cancelled first, so nothing partial appears.
func (w *ReportWorker) produce(ctx context.Context, rj *store.ReportJob, progress chan<- int) (int64, bool, error) {
	def, run, err := w.source(ctx, rj)
	if err != nil {
		return 0, false, err
	}
	wctx, cancelWrite := context.WithCancel(ctx)
	defer cancelWrite()
	csvOut, err := w.Bucket.NewWriter(wctx, csvKey(rj.Request.ID), &blob.WriterOptions{ContentType: "text/csv; charset=utf-8"})
	if err != nil {
		return 0, false, fmt.Errorf("open csv: %w", err)
	}
	dataOut, err := w.Bucket.NewWriter(wctx, dataKey(rj.Request.ID), &blob.WriterOptions{ContentType: "application/json"})
	if err != nil {
		cancelWrite()
		csvOut.Close()
		return 0, false, fmt.Errorf("open preview: %w", err)
	}
	abort := func(err error) (int64, bool, error) {
		cancelWrite()
		csvOut.Close()
		dataOut.Close()
		return 0, false, err
	}
	cw := report.NewCSVWriter(csvOut)
	if err := cw.WriteHeader(def); err != nil {
		return abort(err)
	}
	preview := newPreview(dataOut, def.ColumnNames())
	setProgress := func(pct int) {
		select {
		case progress <- pct:
		default:
		}
	}
	setProgress(10)
	rows, err := run(report.RowWriterFunc(func(cells []report.Cell) error {
		if err := cw.WriteRow(cells); err != nil {
			return err
		}
		return preview.add(cells)
	}))
	if err != nil {
		return abort(err)
	}
	if err := cw.Flush(); err != nil {
		return abort(err)
	}
	if err := preview.close(); err != nil {
		return abort(err)
	}
	setProgress(95)
	if err := csvOut.Close(); err != nil {
		cancelWrite()
		dataOut.Close()
		return 0, false, fmt.Errorf("publish csv: %w", err)
	}
	if err := dataOut.Close(); err != nil {
		return 0, false, fmt.Errorf("publish preview: %w", err)
	}
	return rows, preview.truncated, nil
}

// source returns the columns of a request's report and the function that
// streams its rows: one of the catalogue's reports, or a saved Report
// Builder report run as its owner.
func (w *ReportWorker) source(ctx context.Context, rj *store.ReportJob) (*report.Definition, func(report.RowWriter) (int64, error), error) {
	if rj.Request.Report == opentalent.ReportBuilder {
		scope := opentalent.Scope{NetworkID: rj.Request.NetworkID, SystemID: rj.Request.SystemID}
		saved, err := w.Builder.FindSavedReportByID(ctx, opentalent.Viewer{Scope: scope}, rj.Request.SavedReportID)
		if err != nil {
			if opentalent.ErrorCode(err) == opentalent.ENOTFOUND {
				return nil, nil, opentalent.Errorf(opentalent.EINVALID, "the saved report was deleted")
			}
			return nil, nil, err
		}
		viewer, err := w.Builder.SavedReportViewer(ctx, saved)
		if err != nil {
			return nil, nil, err
		}
		def := report.BuilderDefinition(saved.FilterModel.Columns)
		return def, func(out report.RowWriter) (int64, error) {
			var n int64
			err := w.Builder.StreamBuilder(ctx, viewer, saved.FilterModel, func(row opentalent.BuilderRow) error {
				n++
				return out.WriteRow(report.BuilderCells(def, row))
			})
			return n, err
		}, nil
	}
	def, ok := report.Lookup(rj.Request.Report)
	if !ok {
		return nil, nil, opentalent.Errorf(opentalent.EINVALID, "unknown report %q", rj.Request.Report)
	}
	filter, err := report.ParseOptions(rj.Request.FilterOptions, def)
	if err != nil {
		return nil, nil, err
	}
	params := report.Params{SystemID: rj.Request.SystemID, RunAs: report.RunAs{UserID: rj.RunAs.ID, Role: rj.RunAs.Role}, Filter: filter}
	return def, func(out report.RowWriter) (int64, error) {
		return report.Run(ctx, w.DB.Read, w.DB.Engine, def, params, out)
	}, nil
}

// preview writes the first MaxReportData rows as a JSON array of objects.
type preview struct {
	w         io.Writer
	names     []string
	n         int
	truncated bool
}

func newPreview(w io.Writer, names []string) *preview {
	return &preview{w: w, names: names}
}

func (p *preview) add(cells []report.Cell) error {
	if p.n >= MaxReportData {
		p.truncated = true
		return nil
	}
	sep := ","
	if p.n == 0 {
		sep = "["
	}
	p.n++
	// An object with the columns in report order.
	b := []byte(sep + "{")
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(p.names[i])
		v, err := json.Marshal(c.JSONValue())
		if err != nil {
			return err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	_, err := p.w.Write(append(b, '}'))
	return err
}

func (p *preview) close() error {
	end := "]"
	if p.n == 0 {
		end = "[]"
	}
	_, err := io.WriteString(p.w, end)
	return err
}
