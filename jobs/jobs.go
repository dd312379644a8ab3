// Package jobs holds the durable background jobs (River) and the client that
// runs them on either engine.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/opentalent/opentalent/store"
)

// Client is the job queue client.
type Client = river.Client[*sql.Tx]

// Config configures the job client.
type Config struct {
	Workers *river.Workers
	// PeriodicJobs run on the elected leader node.
	PeriodicJobs []*river.PeriodicJob
	MaxWorkers   int
	Logger       *slog.Logger
	// PollInterval is how often idle workers look for new jobs.
	PollInterval time.Duration
	// RescueAfter is how long a job may run before it is assumed lost (its
	// node died) and made available again. Report jobs hold a lease, so a
	// rescued copy of a live report waits instead of running twice.
	RescueAfter time.Duration
}

// NewClient builds a River client on db's write handle: River's SQLite
// driver on SQLite, its database/sql driver on PostgreSQL. The client can
// insert jobs at once; it works them only after Start.
func NewClient(db *store.DB, cfg Config) (*Client, error) {
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 2 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		// Short, so that a report starts soon after it is asked for: the
		// database/sql drivers poll (no LISTEN/NOTIFY).
		cfg.PollInterval = 50 * time.Millisecond
	}
	rc := &river.Config{
		Logger:               cfg.Logger,
		Workers:              cfg.Workers,
		PeriodicJobs:         cfg.PeriodicJobs,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		Schema:               db.Schema,
		JobTimeout:           min(time.Minute, cfg.RescueAfter/2),
		RescueStuckJobsAfter: cfg.RescueAfter,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
	}
	var (
		c   *Client
		err error
	)
	if db.Engine == store.SQLite {
		c, err = river.NewClient(riversqlite.New(db.Write), rc)
	} else {
		c, err = river.NewClient(riverdatabasesql.New(db.Write), rc)
	}
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	return c, nil
}

// Stop stops the client, letting running jobs finish for up to grace.
func Stop(c *Client, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return c.Stop(ctx)
}
