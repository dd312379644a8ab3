// Package app wires the store, the job queue and the HTTP API into a running
// server. cmd/talentd runs it; the API tests start the same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets

	"github.com/opentalent/opentalent/api"
	"github.com/opentalent/opentalent/httpapi"
	"github.com/opentalent/opentalent/jobs"
	"github.com/opentalent/opentalent/store"
)

// Config is the server's configuration; see the README for the variables.
type Config struct {
	Addr         string
	DSN          string
	PublicURL    string
	SMTPURL      string
	MaxBodyBytes int64
	// Workers is the number of jobs worked at once on this node.
	Workers int
	// BlobURL names the bucket report files go to (a gocloud.dev/blob URL);
	// empty means a directory talent-reports beside the working directory.
	BlobURL string
	// SigningKey signs CSV download links; empty uses a random key kept in
	// the database, shared by every node.
	SigningKey string
	// Retention is how long report files are kept (default 7 days).
	Retention time.Duration
	// RescueAfter is how long a job may run before it is taken to be lost
	// with its node (default 2 minutes). Reports are recovered sooner, by
	// their lease.
	RescueAfter time.Duration
	// ReportTimeout is the longest a report may run (default 6 hours).
	ReportTimeout time.Duration
	Logger        *slog.Logger
}

// App is a running server.
type App struct {
	Config Config
	DB     *store.DB
	Jobs   *jobs.Client
	API    *httpapi.Server
	// Mailer sends invitations; tests may set it before Start.
	Mailer jobs.Mailer
	// Bucket holds report files.
	Bucket *blob.Bucket

	listener   net.Listener
	stopReaper context.CancelFunc // stops the lease reaper and maintenance
	http       *http.Server
	done       chan error
}

// reportLease is how long a report stays claimed without a heartbeat.
const reportLease = 10 * time.Second

// Open opens the database and builds the server without starting it.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = httpapi.DefaultMaxBodyBytes
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.ReportTimeout <= 0 {
		cfg.ReportTimeout = 6 * time.Hour
	}
	db, err := store.Open(ctx, cfg.DSN)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db}
	if a.Bucket, err = openBucket(ctx, cfg.BlobURL); err != nil {
		db.Close()
		return nil, err
	}
	key := []byte(cfg.SigningKey)
	if len(key) == 0 {
		if key, err = db.Secret(ctx, "csv_signing_key"); err != nil {
			a.Bucket.Close()
			db.Close()
			return nil, err
		}
	}
	if a.Mailer, err = jobs.NewMailer(cfg.SMTPURL, cfg.Logger); err != nil {
		db.Close()
		return nil, err
	}
	spec, err := api.JSON()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load OpenAPI document: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.API = &httpapi.Server{
		Users: db, Groups: db, Tenants: db, Tokens: db, Activities: db,
		Builder:      db,
		Reports:      db,
		Bucket:       a.Bucket,
		SigningKey:   key,
		PublicURL:    cfg.PublicURL,
		PingFunc:     db.Ping,
		OpenAPIJSON:  spec,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Logger:       cfg.Logger,
		Registry:     reg,
	}
	return a, nil
}

// Start builds the job client, starts its workers and serves HTTP on
// Config.Addr (":0" picks a free port; see URL).
func (a *App) Start(ctx context.Context) error {
	var err error
	if a.listener, err = net.Listen("tcp", a.Config.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.InviteWorker{DB: a.DB, Mailer: a.Mailer, PublicURL: a.PublicURL()})
	river.AddWorker(workers, &jobs.ReportWorker{DB: a.DB, Builder: a.DB, Bucket: a.Bucket, Retention: a.Config.Retention,
		Owner: store.NewID("node"), Lease: reportLease, MaxDuration: a.Config.ReportTimeout, Logger: a.Config.Logger})
	river.AddWorker(workers, &jobs.RetentionWorker{DB: a.DB, Bucket: a.Bucket, Logger: a.Config.Logger})
	a.Jobs, err = jobs.NewClient(a.DB, jobs.Config{
		Workers: workers, MaxWorkers: a.Config.Workers, Logger: a.Config.Logger, RescueAfter: a.Config.RescueAfter,
		PeriodicJobs: []*river.PeriodicJob{jobs.RetentionJob(10 * time.Minute)},
	})
	if err != nil {
		return err
	}
	a.DB.Queue = a.Jobs
	if err := a.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	reapCtx, stopReaper := context.WithCancel(context.Background())
	a.stopReaper = stopReaper
	go jobs.ReapLeases(reapCtx, a.DB, reportLease/2, a.Config.Logger)
	go jobs.Maintain(reapCtx, a.DB, time.Hour, a.Config.Logger)
	a.http = &http.Server{Handler: a.API.Handler(), ReadHeaderTimeout: 10 * time.Second}
	a.done = make(chan error, 1)
	go func() { a.done <- a.http.Serve(a.listener) }()
	return nil
}

// URL is the base URL the server listens on.
func (a *App) URL() string {
	addr := a.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// PublicURL is the configured public base URL, or the listen URL. It is
// known once Start has begun listening.
func (a *App) PublicURL() string {
	if a.Config.PublicURL != "" {
		return strings.TrimRight(a.Config.PublicURL, "/")
	}
	return a.URL()
}

// Wait blocks until the HTTP server stops.
func (a *App) Wait() error {
	err := <-a.done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops serving, lets running requests and jobs finish for a while,
// and closes the database.
func (a *App) Close() error {
	var errs []error
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, a.http.Shutdown(ctx))
		cancel()
	}
	if a.stopReaper != nil {
		a.stopReaper()
	}
	if a.Jobs != nil {
		errs = append(errs, jobs.Stop(a.Jobs, 10*time.Second))
	}
	errs = append(errs, a.Bucket.Close(), a.DB.Close())
	return errors.Join(errs...)
}

// openBucket opens the bucket report files go to; an empty URL is a
// directory talent-reports in the working directory.
func openBucket(ctx context.Context, u string) (*blob.Bucket, error) {
	if u == "" {
		dir, err := filepath.Abs("talent-reports")
		if err != nil {
			return nil, err
		}
		u = "file://" + filepath.ToSlash(dir) + "?create_dir=1"
	}
	b, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("open report bucket %q: %w", u, err)
	}
	return b, nil
}
