// Package demo builds the demo network that `talentd demo` serves: two
// districts with schools as groups, a few hundred staff of every role, and a
// year of synthetic activity (package seed) that fills every report.
package demo

import (
	"context"
	"time"

	"github.com/opentalent/opentalent/seed"
	"github.com/opentalent/opentalent/store"
)

// The size of the demo world.
const (
	Systems = 2
	Users   = 300
	Events  = 150_000
	Seed    = 2026
)

// IsEmpty reports whether the database has no network yet.
func IsEmpty(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM networks`).Scan(&n)
	return n == 0, err
}

// Config is the demo world as of now: its year of activity ends at the
// start of today (UTC), so "the last 30 days" has data too.
func Config(now time.Time) seed.Config {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return seed.Config{
		Systems: Systems, Users: Users, Events: Events, Seed: Seed,
		Start:       today.AddDate(0, 0, -seed.Days),
		NetworkName: "Demo Network",
	}
}

// Bootstrap creates the demo network. ready is called (when set) as soon as
// the network, tokens and users exist, before the year of activity loads;
// progress (when set) as events are stored.
func Bootstrap(ctx context.Context, db *store.DB, ready func(*seed.Result), progress func(done, total int)) (*seed.Result, error) {
	cfg := Config(db.NowFunc())
	cfg.ReadyFunc = ready
	return seed.Generate(ctx, db, cfg, progress)
}
