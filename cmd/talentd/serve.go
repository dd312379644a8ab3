package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/opentalent/opentalent/app"
	"github.com/opentalent/opentalent/demo"
	"github.com/opentalent/opentalent/seed"
)

func serverFlags(cmd *cobra.Command, cfg *app.Config) {
	dbFlag(cmd, &cfg.DSN)
	cmd.Flags().StringVar(&cfg.Addr, "addr", env("TALENT_ADDR", ":8080"), "listen address (env TALENT_ADDR)")
}

// configFromEnv reads the settings that have no flag; see the README.
func configFromEnv(cfg *app.Config) error {
	cfg.PublicURL = os.Getenv("TALENT_PUBLIC_URL")
	cfg.SMTPURL = os.Getenv("TALENT_SMTP_URL")
	cfg.BlobURL = os.Getenv("TALENT_BLOB_URL")
	cfg.SigningKey = os.Getenv("TALENT_SIGNING_KEY")
	if s := os.Getenv("TALENT_MAX_BODY_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("TALENT_MAX_BODY_BYTES must be a positive number of bytes, got %q", s)
		}
		cfg.MaxBodyBytes = n
	}
	if s := os.Getenv("TALENT_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return fmt.Errorf("TALENT_WORKERS must be a positive number, got %q", s)
		}
		cfg.Workers = n
	}
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{{"TALENT_REPORT_RETENTION", &cfg.Retention}, {"TALENT_JOB_RESCUE_AFTER", &cfg.RescueAfter}, {"TALENT_REPORT_TIMEOUT", &cfg.ReportTimeout}} {
		if s := os.Getenv(v.name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s must be a positive duration such as 168h, got %q", v.name, s)
			}
			*v.dst = d
		}
	}
	return nil
}

func newServeCmd() *cobra.Command {
	var cfg app.Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server (migrations are applied at start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), cfg, nil)
		},
	}
	serverFlags(cmd, &cfg)
	return cmd
}

func newDemoCmd() *cobra.Command {
	var cfg app.Config
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create a demo network on an empty database, print tokens to try, and serve",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), cfg, func(ctx context.Context, a *app.App) error {
				return printDemo(ctx, a, cmd.OutOrStdout())
			})
		},
	}
	serverFlags(cmd, &cfg)
	return cmd
}

// run opens and starts the server, calls ready, and serves until the
// context ends.
func run(ctx context.Context, cfg app.Config, ready func(context.Context, *app.App) error) error {
	if err := configFromEnv(&cfg); err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		return err
	}
	cfg.Logger.Info("serving", slog.String("url", a.URL()), slog.String("engine", a.DB.Engine))
	if ready != nil {
		if err := ready(ctx, a); err != nil {
			a.Close()
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Wait() }()
	select {
	case err := <-errc:
		a.Close()
		return err
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
		return a.Close()
	}
}

func printDemo(ctx context.Context, a *app.App, out io.Writer) error {
	empty, err := demo.IsEmpty(ctx, a.DB)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintf(out, "The database already holds data; tokens are shown only when they are made.\nMint new ones with: talentd admin token create --kind network --network ID --json\n")
		return nil
	}
	base := a.URL()
	// The tokens and the commands to try come first, as soon as the people
	// exist; the year of activity then loads with a progress line.
	ready := func(res *seed.Result) {
		var b strings.Builder
		fmt.Fprintf(&b, "\nOpenTalent demo is running at %s\n\n", base)
		fmt.Fprintf(&b, "Network %q (%s)\n  network token: %s\n", res.NetworkName, res.NetworkID, res.NetworkToken)
		for _, sys := range res.Systems {
			fmt.Fprintf(&b, "System %q (%s): %d users\n  system token:  %s\n", sys.Name, sys.ID, sys.Users, sys.Token)
		}
		tok := res.Systems[0].Token
		fmt.Fprintf(&b, "\nTry:\n")
		fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/users?pageNumber=1&limit=10'\n", tok, base)
		fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/users/%s'\n", tok, base, res.TeacherEmail)
		fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/systems?pageNumber=1&limit=10'\n\n", res.NetworkToken, base)
		fmt.Fprintf(&b, "Reports cover %s to %s (startTime=%d endTime=%d); run them as %s (Admin) or %s (Coach); rubricId %s.\n",
			res.Start.Format("2006-01-02"), res.End.Format("2006-01-02"), res.Start.UnixMilli(), res.End.UnixMilli(), res.AdminEmail, res.CoachEmail, res.RubricID)
		fmt.Fprintf(&b, "Loading a year of activity:")
		io.WriteString(out, b.String())
	}
	began := time.Now()
	step := 0
	progress := func(done, total int) {
		if total > 0 && done*4 >= (step+1)*total {
			step = done * 4 / total
			fmt.Fprintf(out, " %d%%", step*25)
		}
	}
	res, err := demo.Bootstrap(ctx, a.DB, ready, progress)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, err = fmt.Fprintf(out, " (%d events in %s)\n\n", res.Events, time.Since(began).Round(100*time.Millisecond))
	return err
}
