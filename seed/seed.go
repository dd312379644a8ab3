// Package seed generates a synthetic school network: districts (systems)
// with schools as groups, staff of every role with realistic fictional names,
// coaches attached to their schools' teachers, and a year of activity events
// covering every type of SPEC §6 on a school calendar.
//
// Generation is deterministic for a given Config: the same seed gives the
// same people, groups, events and event ids (user ids are the store's own,
// so events name users by whatever id the store gave each email). Events are
// generated one day at a time and loaded in batches through the store's
// ingestion path while the next are generated, so memory stays flat however
// many events are asked for.
//
// Running Generate again with the same Config on the same database reuses the
// network it made (found by its first user's email), creates nothing twice,
// and stores no event twice: every event carries its own deterministic _id.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
)

// Config says what to generate.
type Config struct {
	// Systems is the number of districts; Users the number of users across
	// them; Events the number of activity events across the year.
	Systems, Users, Events int
	// Seed selects the world; the same seed gives the same world.
	Seed uint64
	// Start is the first day of the 365-day window of activity (UTC). The
	// school calendar follows the real dates, so any start works; a school
	// year starts in the third week of August. Zero means DefaultStart.
	Start time.Time
	// NetworkName names the network; empty means "Synthetic Network (seed N)".
	NetworkName string
	// ReadyFunc, when set, is called once the network, systems, tokens,
	// groups and users exist, before any activity is loaded.
	ReadyFunc func(*Result)
}

// DefaultStart is the start of the window when Config.Start is zero: a fixed
// date, so that a seed means the same data whenever it runs.
var DefaultStart = time.Date(2025, time.August, 1, 0, 0, 0, 0, time.UTC)

// Limits on a Config.
const (
	MaxSystems = 1000
	MaxUsers   = 5_000_000
	MaxEvents  = 1_000_000_000
)

// BatchSize is the number of events of one IngestEvents call.
const BatchSize = opentalent.MaxEventsPerCall

// Days is the length of the activity window.
const Days = 365

// Result is what Generate made. Tokens are secrets, shown once.
type Result struct {
	NetworkID    string
	NetworkName  string
	NetworkToken string
	Systems      []SystemResult
	// Users, Groups and Events count what the world holds.
	Users, Groups, Events int
	// Start and End bound the activity window: [Start, End).
	Start, End time.Time
	// RubricID is the main observation rubric (domainsAndDimensions needs one).
	RubricID string
	// AdminEmail, CoachEmail and TeacherEmail are active users of the first
	// system, handy for trying the API.
	AdminEmail, CoachEmail, TeacherEmail string
	// Reused is set when the network already existed (a re-run).
	Reused bool
}

// SystemResult is one generated system.
type SystemResult struct {
	ID, Name, Token string
	Users, Groups   int
}

func (c *Config) defaults() error {
	if c.Systems == 0 {
		c.Systems = 2
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = time.Date(c.Start.Year(), c.Start.Month(), c.Start.Day(), 0, 0, 0, 0, time.UTC)
	if c.NetworkName == "" {
		c.NetworkName = "Synthetic Network (seed " + strconv.FormatUint(c.Seed, 10) + ")"
	}
	switch {
	case c.Systems < 1 || c.Systems > MaxSystems:
		return fmt.Errorf("systems must be 1 to %d", MaxSystems)
	case c.Users < 3*c.Systems || c.Users > MaxUsers:
		return fmt.Errorf("users must be at least 3 per system (%d) and at most %d", 3*c.Systems, MaxUsers)
	case c.Events < 0 || c.Events > MaxEvents:
		return fmt.Errorf("events must be 0 to %d", MaxEvents)
	}
	return nil
}

// gen is the state of one generation.
type gen struct {
	cfg     Config
	rng     *rand.Rand
	days    []calendarDay
	systems []*system
	users   []user
	ids     []string // store user ids, by user index
	sampler *alias

	// The day being generated and the session clock.
	d                   int32
	school              bool
	month               time.Month
	dayStart, dayEnd, t int64
	buf                 []rawEvent
	idSeq, evSeq        uint64
	evPrefix            string
	hourTotal           float64
}

func newGen(cfg Config) *gen {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed0fdeadbeef))}
	g.days = buildCalendar(cfg.Start, Days)
	g.evPrefix = "evt_" + strconv.FormatUint(cfg.Seed, 36) + "_"
	for _, w := range hourWeights {
		g.hourTotal += w
	}
	g.plan()
	weights := make([]float64, len(g.users))
	for i := range g.users {
		weights[i] = g.users[i].weight
	}
	g.sampler = newAlias(weights)
	return g
}

// Generate builds the world of cfg in db and loads its activity, calling
// progress (when set) as batches of events are stored.
func Generate(ctx context.Context, db *store.DB, cfg Config, progress func(done, total int)) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	g := newGen(cfg)
	res, err := g.createTenants(ctx, db)
	if err != nil {
		return nil, err
	}
	if cfg.ReadyFunc != nil {
		cfg.ReadyFunc(res)
	}
	n, err := g.load(ctx, db, opentalent.Scope{NetworkID: res.NetworkID}, progress)
	res.Events = n
	if err != nil {
		return res, err
	}
	return res, db.Analyze(ctx)
}

// load generates the events in a goroutine and stores them in batches as
// they come, so that generation and storage overlap.
func (g *gen) load(ctx context.Context, db *store.DB, scope opentalent.Scope, progress func(done, total int)) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []opentalent.Event, 2)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		genErr <- g.events(ctx, func(b []opentalent.Event) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	total := g.cfg.Events
	if progress != nil {
		progress(0, total)
	}
	done := 0
	var loadErr error
	for b := range batches {
		if loadErr != nil {
			continue // drain
		}
		r, err := db.IngestEvents(ctx, scope, b)
		if err == nil && len(r.Failures) > 0 {
			f := r.Failures[0]
			err = fmt.Errorf("event %s refused: %s", f.ID, f.Error)
		}
		if err != nil {
			loadErr = fmt.Errorf("load events: %w", err)
			cancel()
			continue
		}
		done += len(b)
		if progress != nil {
			progress(done, total)
		}
	}
	if err := <-genErr; loadErr == nil && err != nil {
		loadErr = err
	}
	return done, loadErr
}

// events generates the year's events in time order and hands them to emit
// in batches of BatchSize, each event with its deterministic _id.
func (g *gen) events(ctx context.Context, emit func([]opentalent.Event) error) error {
	total := g.cfg.Events
	if total == 0 || g.sampler == nil {
		return nil
	}
	// Each day's share of the events, by cumulative rounding so that the
	// shares add up to the total exactly.
	var sum float64
	for _, d := range g.days {
		sum += d.weight
	}
	quota := make([]int, len(g.days))
	var cum float64
	prev := 0
	for i, d := range g.days {
		cum += d.weight
		next := int(math.Round(float64(total) * cum / sum))
		quota[i], prev = next-prev, next
	}
	batch := make([]opentalent.Event, 0, BatchSize)
	emitted, want := 0, 0
	for d := range g.days {
		if err := ctx.Err(); err != nil {
			return err
		}
		want += quota[d]
		if want-emitted <= 0 {
			continue
		}
		g.buf = g.buf[:0]
		g.day(d, want-emitted)
		slices.SortFunc(g.buf, func(a, b rawEvent) int {
			if a.ts != b.ts {
				return int(a.ts - b.ts)
			}
			return int(a.seq) - int(b.seq)
		})
		if over := emitted + len(g.buf) - total; over > 0 {
			g.buf = g.buf[:len(g.buf)-over]
		}
		for i := range g.buf {
			e := &g.buf[i]
			g.evSeq++
			batch = append(batch, opentalent.Event{
				ID:         g.eventID(),
				UserID:     g.ids[e.user],
				SystemID:   g.systems[g.users[e.user].sys].id,
				Timestamp:  e.ts,
				TypeAlias:  typeNames[e.typ],
				ActionData: e.data,
			})
			e.data = nil
			if len(batch) == BatchSize {
				if err := emit(batch); err != nil {
					return err
				}
				batch = make([]opentalent.Event, 0, BatchSize)
			}
		}
		emitted += len(g.buf)
		if emitted >= total {
			break
		}
	}
	if len(batch) > 0 {
		return emit(batch)
	}
	return nil
}

// eventID is the next event's id: the seed and a counter, fixed-width so
// that ids sort in time order and land at the end of the (system_id, id)
// index, which keeps bulk loads of millions of events fast.
func (g *gen) eventID() string {
	return g.evPrefix + fmt.Sprintf("%010d", g.evSeq)
}

// createTenants creates (or, on a re-run, finds) the network, its systems,
// groups, users and memberships, and mints tokens.
func (g *gen) createTenants(ctx context.Context, db *store.DB) (*Result, error) {
	res := &Result{NetworkName: g.cfg.NetworkName, Start: g.cfg.Start, End: g.cfg.Start.AddDate(0, 0, Days), RubricID: practiceRubric.id}
	existing := map[string]*opentalent.System{}
	if sc, err := db.LookupUserScope(ctx, g.users[0].email); err == nil {
		res.NetworkID, res.Reused = sc.NetworkID, true
		for page := 1; ; page++ {
			list, total, err := db.FindSystems(ctx, opentalent.Scope{NetworkID: sc.NetworkID}, "", opentalent.Page{Number: page, Limit: opentalent.MaxPageLimit})
			if err != nil {
				return nil, err
			}
			for i := range list {
				existing[list[i].Name] = &list[i]
			}
			if page*opentalent.MaxPageLimit >= total {
				break
			}
		}
	} else if opentalent.ErrorCode(err) != opentalent.ENOTFOUND {
		return nil, err
	} else {
		net, err := db.CreateNetwork(ctx, g.cfg.NetworkName)
		if err != nil {
			return nil, err
		}
		res.NetworkID = net.ID
	}
	netScope := opentalent.Scope{NetworkID: res.NetworkID}
	var err error
	if _, res.NetworkToken, err = db.CreateToken(ctx, netScope, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: res.NetworkID}); err != nil {
		return nil, err
	}
	g.ids = make([]string, len(g.users))
	for _, s := range g.systems {
		sys := existing[s.name]
		if sys == nil {
			if sys, err = db.CreateSystem(ctx, res.NetworkID, s.name); err != nil {
				return nil, err
			}
		}
		s.id = sys.ID
		scope := opentalent.Scope{NetworkID: res.NetworkID, SystemID: s.id}
		_, tok, err := db.CreateToken(ctx, scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: s.id})
		if err != nil {
			return nil, err
		}
		for _, name := range s.groups {
			if _, err := db.CreateGroup(ctx, scope, s.id, name); err != nil && opentalent.ErrorCode(err) != opentalent.ECONFLICT {
				return nil, fmt.Errorf("create group %q: %w", name, err)
			}
		}
		if err := g.createUsers(ctx, db, s, scope); err != nil {
			return nil, err
		}
		for k, name := range s.groups {
			m := s.members[k]
			for i := 0; i < len(m); i += store.MaxGroupEmails {
				part := m[i:min(i+store.MaxGroupEmails, len(m))]
				emails := make([]string, len(part))
				for j, u := range part {
					emails[j] = g.users[u].email
				}
				if err := db.SetUsersGroups(ctx, scope, s.id, emails, []string{name}, opentalent.ModeAdd); err != nil {
					return nil, fmt.Errorf("fill group %q: %w", name, err)
				}
			}
		}
		for _, id := range s.users {
			u := &g.users[id]
			if u.status == statusActive {
				continue
			}
			st := statusNames[u.status]
			if err := db.UpdateUser(ctx, scope, u.email, opentalent.UserUpdate{Status: &st}); err != nil {
				return nil, fmt.Errorf("set status of %s: %w", u.email, err)
			}
		}
		res.Systems = append(res.Systems, SystemResult{ID: s.id, Name: s.name, Token: tok, Users: len(s.users), Groups: len(s.groups)})
		res.Users += len(s.users)
		res.Groups += len(s.groups)
	}
	// Handy users of the first system: the busiest of each role.
	best := [3]int32{-1, -1, -1}
	for _, id := range g.systems[0].users {
		u := &g.users[id]
		if u.status == statusActive && u.weight > 0 && (best[u.role] < 0 || u.weight > g.users[best[u.role]].weight) {
			best[u.role] = id
		}
	}
	email := func(id int32) string {
		if id < 0 {
			return ""
		}
		return g.users[id].email
	}
	res.TeacherEmail, res.CoachEmail, res.AdminEmail = email(best[roleTeacher]), email(best[roleCoach]), email(best[roleAdmin])
	return res, nil
}

const userChunk = 2000

// createUsers creates a system's users through the bulk path, one role at a
// time, and records the id the store gave each. Users that exist already
// (a re-run) are looked up instead.
func (g *gen) createUsers(ctx context.Context, db *store.DB, s *system, scope opentalent.Scope) error {
	byEmail := make(map[string]int32, len(s.users))
	for _, id := range s.users {
		byEmail[g.users[id].email] = id
	}
	var missing int
	for role := range uint8(3) {
		var invites []opentalent.NewUser
		flush := func() error {
			if len(invites) == 0 {
				return nil
			}
			r, err := db.CreateUsers(ctx, scope, s.id, roleNames[role], true, invites)
			if err != nil {
				return fmt.Errorf("create users: %w", err)
			}
			for _, u := range r.Successes {
				g.ids[byEmail[u.Email]] = u.ID
			}
			for _, f := range r.Failures {
				if f.Error != "User already exists" {
					return fmt.Errorf("create user %s: %s", f.Email, f.Error)
				}
				missing++
			}
			invites = invites[:0]
			return nil
		}
		for _, id := range s.users {
			u := &g.users[id]
			if u.role != role {
				continue
			}
			invites = append(invites, opentalent.NewUser{Email: u.email, Name: u.name})
			if len(invites) == userChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if missing == 0 {
		return nil
	}
	for page := 1; ; page++ {
		list, total, err := db.FindUsers(ctx, opentalent.UserFilter{Scope: scope, Page: opentalent.Page{Number: page, Limit: opentalent.MaxPageLimit}})
		if err != nil {
			return err
		}
		for _, u := range list {
			if id, ok := byEmail[u.Email]; ok {
				g.ids[id] = u.ID
			}
		}
		if page*opentalent.MaxPageLimit >= total {
			break
		}
	}
	var lost []string
	for _, id := range s.users {
		if g.ids[id] == "" {
			lost = append(lost, g.users[id].email)
		}
	}
	if len(lost) > 0 {
		return errors.New("these emails belong to users of another system (the database holds other data; use an empty database or another seed): " +
			strings.Join(lost[:min(5, len(lost))], ", "))
	}
	return nil
}
