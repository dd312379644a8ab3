package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/opentalent/opentalent/store"
)

// RetentionArgs is the periodic job that deletes expired report files.
type RetentionArgs struct{}

// Kind names the job for the queue.
func (RetentionArgs) Kind() string { return "report_retention" }

// RetentionWorker deletes the files of reports past their retention and
// marks those reports expired.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	DB     *store.DB
	Bucket *blob.Bucket
	Logger *slog.Logger
}

// Work deletes expired report files, a batch at a time.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	for {
		expired, err := w.DB.FindExpiredReports(ctx, 500)
		if err != nil || len(expired) == 0 {
			return err
		}
		for _, r := range expired {
			for _, key := range []string{r.CSVKey, r.DataKey} {
				if key == "" {
					continue
				}
				if err := w.Bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
					return err
				}
			}
			if err := w.DB.MarkReportExpired(ctx, r.ID); err != nil {
				return err
			}
			w.Logger.Info("report expired", slog.String("report", r.ID))
		}
	}
}

// RetentionJob schedules the retention worker every interval, and once at
// start.
func RetentionJob(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return RetentionArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
