// Command talentbench is OpenTalent's benchmark suite. For each engine it
// builds data with the synthetic generator, starts the real server binary
// (cmd/talentd) as a subprocess on that database, and measures each API path
// against its bare baseline in the same run, so that the ratios hold on a
// shared, noisy machine:
//
//   - GET /users pages of 100 in a system of 100,000 users, 16 clients,
//     against FindUsers in-process;
//   - POST /users/bulk with 10,000 invites against a direct prepared INSERT;
//   - POST /activities in batches of 1,000 against a direct multi-row INSERT;
//   - the 20 reports against their own SQL written to CSV by a minimal loop;
//   - Report Builder data, page 1 against page 10,000;
//   - the server's peak RSS while it writes a 1,000,000-row and a
//     100,000-row activityStream CSV.
//
// It writes docs/benchmarks.md, docs/benchmarks.json and PNG charts.
//
//	go run ./cmd/talentbench [--scale 1m] [--engines sqlite,postgres] [--out docs] [--scaling 100k,1m] [--quick]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options is the command line.
type Options struct {
	Scale    Scale
	Scaling  []Scale
	Engines  []string
	Out      string
	Quick    bool
	Postgres string
	Keep     bool
	// Sizes of the API measures.
	DirectoryUsers int           // users in the GET /users system
	LoadDuration   time.Duration // GET /users load per side
	Clients        int
	BulkInvites    int
	IngestEvents   int
	BuilderDeep    int // the deep builder page
	Repeats        int // builder calls per page
}

// Scale is a data size: events and users of the generated world.
type Scale struct {
	Name          string
	Events, Users int
}

// parseScale reads "100k", "1m", "10m" or a plain number of events. Users
// are one per 100 events (10,000 users at 1m), at least 300.
func parseScale(s string) (Scale, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := 1
	num := s
	switch {
	case strings.HasSuffix(s, "k"):
		mult, num = 1_000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, num = 1_000_000, strings.TrimSuffix(s, "m")
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return Scale{}, fmt.Errorf("bad scale %q: want e.g. 100k, 1m, 10m or a number of events", s)
	}
	ev := n * mult
	return Scale{Name: s, Events: ev, Users: max(ev/100, 300)}, nil
}

func main() {
	log.SetFlags(log.Ltime)
	log.SetPrefix("talentbench: ")
	var (
		scale   = flag.String("scale", "1m", "data size of the main run: 100k, 1m, 10m (events; users are events/100)")
		scaling = flag.String("scaling", "", "event counts at which all reports are timed for the chart (default 100k,1m up to --scale; e.g. 100k,1m,10m)")
		engines = flag.String("engines", "sqlite,postgres", "engines to measure")
		out     = flag.String("out", "docs", "directory for benchmarks.md, benchmarks.json and the charts")
		quick   = flag.Bool("quick", false, "tiny sizes, for a smoke test of the suite (a few minutes)")
		pg      = flag.String("postgres", envOr("TALENT_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/test"), "PostgreSQL URL; each run gets a fresh schema (env TALENT_BENCH_POSTGRES)")
		keep    = flag.Bool("keep", false, "keep the databases (SQLite files, PostgreSQL schemas) and the server logs")
		replot  = flag.String("render", "", "only render benchmarks.md and the charts again from this benchmarks.json")
	)
	flag.Parse()
	if *replot != "" {
		if err := render(*replot, *out); err != nil {
			log.Fatal(err)
		}
		return
	}
	opts := Options{Out: *out, Quick: *quick, Postgres: *pg, Keep: *keep,
		DirectoryUsers: 100_000, LoadDuration: 10 * time.Second, Clients: 16, BulkInvites: 10_000,
		IngestEvents: 200_000, BuilderDeep: 10_000, Repeats: 7}
	var err error
	if *quick {
		*scale = "5k"
		if *scaling == "" {
			*scaling = "2k,5k"
		}
		opts.DirectoryUsers, opts.LoadDuration, opts.BulkInvites, opts.IngestEvents, opts.Repeats = 3_000, 2*time.Second, 500, 5_000, 3
	}
	if opts.Scale, err = parseScale(*scale); err != nil {
		log.Fatal(err)
	}
	if *scaling == "" {
		for _, s := range []string{"100k", "1m"} {
			sc, _ := parseScale(s)
			if sc.Events < opts.Scale.Events {
				opts.Scaling = append(opts.Scaling, sc)
			}
		}
	} else {
		for _, s := range strings.Split(*scaling, ",") {
			sc, err := parseScale(s)
			if err != nil {
				log.Fatal(err)
			}
			if sc.Events != opts.Scale.Events {
				opts.Scaling = append(opts.Scaling, sc)
			}
		}
	}
	slices.SortFunc(opts.Scaling, func(a, b Scale) int { return a.Events - b.Events })
	for _, e := range strings.Split(*engines, ",") {
		e = strings.TrimSpace(e)
		if e != "sqlite" && e != "postgres" {
			log.Fatalf("unknown engine %q: want sqlite or postgres", e)
		}
		opts.Engines = append(opts.Engines, e)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, strings.Join(os.Args[1:], " ")); err != nil {
		log.Fatal(err)
	}
}

// analysisMarker ends the generated part of benchmarks.md; what follows it
// (the explanation of the missed targets) is kept when the file is rewritten.
const analysisMarker = "<!-- ANALYSIS -->\n"

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, opts Options, args string) error {
	began := time.Now()
	work, err := os.MkdirTemp("", "talentbench-")
	if err != nil {
		return err
	}
	if !opts.Keep {
		defer os.RemoveAll(work)
	} else {
		log.Printf("keeping work directory %s", work)
	}
	res := &Results{
		Command: "go run ./cmd/talentbench " + args,
		Date:    began.UTC().Format(time.RFC3339),
		Scale:   opts.Scale,
		Quick:   opts.Quick,
	}
	if strings.TrimSpace(args) == "" {
		res.Command = "go run ./cmd/talentbench"
	}
	res.Machine = describeMachine(ctx, opts)
	res.Commit = gitCommit(ctx)

	log.Printf("building the server binary")
	bin := filepath.Join(work, "talentd")
	if err := buildServer(ctx, bin); err != nil {
		return err
	}
	for _, engine := range opts.Engines {
		er := &EngineResult{Engine: engine}
		res.Engines = append(res.Engines, er)
		t0 := time.Now()
		if err := runEngine(ctx, opts, engine, bin, work, er); err != nil {
			er.Error = err.Error()
			log.Printf("%s: %v", engine, err)
			if ctx.Err() != nil {
				return err
			}
		}
		er.WallSeconds = time.Since(t0).Seconds()
		log.Printf("%s done in %s", engine, time.Since(t0).Round(time.Second))
	}
	res.WallSeconds = time.Since(began).Seconds()
	res.finish()
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	if err := writeJSON(res, filepath.Join(opts.Out, "benchmarks.json")); err != nil {
		return err
	}
	if err := writeOutputs(res, opts.Out); err != nil {
		return err
	}
	log.Printf("wrote %s in %s", filepath.Join(opts.Out, "benchmarks.md"), time.Since(began).Round(time.Second))
	return nil
}

// render writes benchmarks.md and the charts again from a benchmarks.json.
func render(jsonPath, out string) error {
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return err
	}
	res.finish()
	return writeOutputs(&res, out)
}

// writeOutputs writes the charts and benchmarks.md into out.
func writeOutputs(res *Results, out string) error {
	if err := writeCharts(res, out); err != nil {
		log.Printf("charts: %v", err)
	}
	md := markdown(res)
	mdPath := filepath.Join(out, "benchmarks.md")
	// Keep the hand-written analysis below the marker of the previous file.
	if old, err := os.ReadFile(mdPath); err == nil {
		if _, analysis, ok := strings.Cut(string(old), analysisMarker); ok && strings.TrimSpace(analysis) != "" {
			md += strings.TrimLeft(analysis, "\n")
		}
	}
	if err := os.WriteFile(mdPath, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Println(md)
	return nil
}

// gitCommit names the code measured: HEAD, marked dirty when tracked files
// differ from it.
func gitCommit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(out))
	if exec.CommandContext(ctx, "git", "diff", "--quiet", "HEAD").Run() != nil {
		c += " (with uncommitted changes)"
	}
	return c
}
