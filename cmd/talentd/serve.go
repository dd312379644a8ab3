package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opentalent/opentalent/app"
	"github.com/opentalent/opentalent/demo"
)

func serverFlags(cmd *cobra.Command, cfg *app.Config) {
	dbFlag(cmd, &cfg.DSN)
	cmd.Flags().StringVar(&cfg.Addr, "addr", env("TALENT_ADDR", ":8080"), "listen address (env TALENT_ADDR)")
	cfg.PublicURL = os.Getenv("TALENT_PUBLIC_URL")
	cfg.SMTPURL = os.Getenv("TALENT_SMTP_URL")
	if v, err := strconv.ParseInt(os.Getenv("TALENT_MAX_BODY_BYTES"), 10, 64); err == nil {
		cfg.MaxBodyBytes = v
	}
	if v, err := strconv.Atoi(os.Getenv("TALENT_WORKERS")); err == nil {
		cfg.Workers = v
	}
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
	res, err := demo.Bootstrap(ctx, a.DB)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	base := a.URL()
	var b strings.Builder
	fmt.Fprintf(&b, "\nOpenTalent demo is running at %s\n\n", base)
	fmt.Fprintf(&b, "Network %q (%s)\n  network token: %s\n", res.Network.Name, res.Network.ID, res.NetworkToken)
	for i, sys := range res.Systems {
		fmt.Fprintf(&b, "System %q (%s)\n  system token:  %s\n", sys.Name, sys.ID, res.SystemTokens[i])
	}
	tok := res.SystemTokens[0]
	fmt.Fprintf(&b, "\nTry:\n")
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/users?pageNumber=1&limit=10'\n", tok, base)
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/users/%s'\n", tok, base, res.TeacherEmail)
	fmt.Fprintf(&b, "  curl -s -H 'Authorization: Bearer %s' '%s/api/v2/systems?pageNumber=1&limit=10'\n\n", res.NetworkToken, base)
	_, err = io.WriteString(out, b.String())
	return err
}
