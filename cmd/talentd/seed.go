package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/opentalent/opentalent/seed"
	"github.com/opentalent/opentalent/store"
)

func newSeedCmd() *cobra.Command {
	var dsn, start string
	var cfg seed.Config
	var asJSON, quiet bool
	cmd := &cobra.Command{
		Use:   "seed --systems N --users N --events N [--seed S] [--start YYYY-MM-DD] [--db DSN] [--json]",
		Short: "Generate a deterministic synthetic network with a year of activity",
		Long: `Generate a synthetic school network: districts with schools as groups, staff with
realistic fictional names, coaches attached to their schools' teachers, and a
year of activity events on a school calendar, loaded through the store's bulk
paths. The same --seed gives the same data; running again with the same flags
on the same database adds nothing twice. Tokens are printed once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if start != "" {
				t, err := time.Parse("2006-01-02", start)
				if err != nil {
					return fmt.Errorf("--start: want YYYY-MM-DD: %w", err)
				}
				cfg.Start = t
			}
			ctx := cmd.Context()
			return withDB(ctx, dsn, func(db *store.DB) error {
				began := time.Now()
				var progress func(done, total int)
				if !quiet {
					last := time.Time{}
					progress = func(done, total int) {
						if now := time.Now(); done == total || now.Sub(last) >= time.Second {
							last = now
							rate := float64(done) / max(now.Sub(began).Seconds(), 1e-3)
							fmt.Fprintf(os.Stderr, "\rseed: %d/%d events (%.0f/s)   ", done, total, rate)
							if done == total {
								fmt.Fprintln(os.Stderr)
							}
						}
					}
				}
				res, err := seed.Generate(ctx, db, cfg, progress)
				if err != nil {
					return err
				}
				return printSeed(cmd.OutOrStdout(), res, time.Since(began), asJSON)
			})
		},
	}
	dbFlag(cmd, &dsn)
	cmd.Flags().IntVar(&cfg.Systems, "systems", 2, "number of systems (districts)")
	cmd.Flags().IntVar(&cfg.Users, "users", 300, "number of users across the systems")
	cmd.Flags().IntVar(&cfg.Events, "events", 150_000, "number of activity events across the year")
	cmd.Flags().Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed gives the same data")
	cmd.Flags().StringVar(&start, "start", "", "first day of the 365-day activity window (default "+seed.DefaultStart.Format("2006-01-02")+")")
	cmd.Flags().StringVar(&cfg.NetworkName, "network", "", `network name (default "Synthetic Network (seed S)")`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress on stderr")
	return cmd
}

func printSeed(w io.Writer, res *seed.Result, took time.Duration, asJSON bool) error {
	rate := float64(res.Events) / max(took.Seconds(), 1e-3)
	if asJSON {
		type sysOut struct {
			ID     string `json:"_id"`
			Name   string `json:"name"`
			Token  string `json:"token"`
			Users  int    `json:"users"`
			Groups int    `json:"groups"`
		}
		out := struct {
			NetworkID       string   `json:"networkId"`
			NetworkName     string   `json:"networkName"`
			NetworkToken    string   `json:"networkToken"`
			Systems         []sysOut `json:"systems"`
			Users           int      `json:"users"`
			Groups          int      `json:"groups"`
			Events          int      `json:"events"`
			Start           string   `json:"start"`
			End             string   `json:"end"`
			RubricID        string   `json:"rubricId"`
			AdminEmail      string   `json:"adminEmail"`
			CoachEmail      string   `json:"coachEmail"`
			TeacherEmail    string   `json:"teacherEmail"`
			Reused          bool     `json:"reused"`
			Seconds         float64  `json:"seconds"`
			EventsPerSecond float64  `json:"eventsPerSecond"`
		}{
			NetworkID: res.NetworkID, NetworkName: res.NetworkName, NetworkToken: res.NetworkToken, Users: res.Users,
			Groups: res.Groups, Events: res.Events, Start: res.Start.Format(time.RFC3339), End: res.End.Format(time.RFC3339),
			RubricID: res.RubricID, AdminEmail: res.AdminEmail, CoachEmail: res.CoachEmail, TeacherEmail: res.TeacherEmail,
			Reused: res.Reused, Seconds: took.Seconds(), EventsPerSecond: rate,
		}
		for _, s := range res.Systems {
			out.Systems = append(out.Systems, sysOut{s.ID, s.Name, s.Token, s.Users, s.Groups})
		}
		return printJSON(w, out)
	}
	verb := "created"
	if res.Reused {
		verb = "completed (re-run; existing data kept)"
	}
	fmt.Fprintf(w, "Network %q (%s) %s\n  network token: %s\n", res.NetworkName, res.NetworkID, verb, res.NetworkToken)
	for _, s := range res.Systems {
		fmt.Fprintf(w, "System %q (%s): %d users, %d groups\n  system token:  %s\n", s.Name, s.ID, s.Users, s.Groups, s.Token)
	}
	fmt.Fprintf(w, "%d users, %d groups, %d events from %s to %s in %s (%.0f events/s)\n",
		res.Users, res.Groups, res.Events, res.Start.Format("2006-01-02"), res.End.Format("2006-01-02"), took.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "Try as: admin %s, coach %s, teacher %s; rubricId %s\n", res.AdminEmail, res.CoachEmail, res.TeacherEmail, res.RubricID)
	return nil
}
