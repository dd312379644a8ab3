package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Results is everything one run measured; benchmarks.json is this.
type Results struct {
	Command     string          `json:"command"`
	Commit      string          `json:"commit,omitempty"`
	Date        string          `json:"date"`
	Machine     Machine         `json:"machine"`
	Scale       Scale           `json:"scale"`
	Quick       bool            `json:"quick,omitempty"`
	WallSeconds float64         `json:"wallSeconds"`
	Engines     []*EngineResult `json:"engines"`
	Misses      []string        `json:"misses"`
}

// EngineResult is the run of one engine.
type EngineResult struct {
	Engine      string         `json:"engine"`
	Error       string         `json:"error,omitempty"`
	WallSeconds float64        `json:"wallSeconds"`
	Setup       []Setup        `json:"setup"`
	Measures    []Measure      `json:"measures"`
	Points      []ScalingPoint `json:"reportsByScale"`
}

// Setup is a timed preparation step (data generation).
type Setup struct {
	What    string  `json:"what"`
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"eventsPerSecond,omitempty"`
}

// Measure is one line of the results table. Ratio compares Value with
// Baseline in the direction where bigger is worse for the API.
type Measure struct {
	Engine   string  `json:"engine"`
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Baseline float64 `json:"baseline,omitempty"`
	Unit     string  `json:"unit"`
	Ratio    float64 `json:"ratio,omitempty"`
	Target   string  `json:"target,omitempty"`
	Result   string  `json:"result,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// ScalingPoint is every report timed on one data size.
type ScalingPoint struct {
	Scale       string         `json:"scale"`
	Events      int            `json:"events"`
	Users       int            `json:"users"`
	SeedSeconds float64        `json:"seedSeconds"`
	Main        bool           `json:"main,omitempty"`
	Reports     []ReportTiming `json:"reports"`
}

// ReportTiming is one report through the API and run directly.
type ReportTiming struct {
	Report        string  `json:"report"`
	Rows          int64   `json:"rows"`
	APISeconds    float64 `json:"apiSeconds"`
	DirectSeconds float64 `json:"directSeconds"`
	Ratio         float64 `json:"ratio"`
	Result        string  `json:"result"`
}

func (p ScalingPoint) totals() (api, direct float64) {
	for _, r := range p.Reports {
		api += r.APISeconds
		direct += r.DirectSeconds
	}
	return api, direct
}

// finish lists the missed targets.
func (r *Results) finish() {
	r.Misses = []string{}
	for _, e := range r.Engines {
		for _, m := range e.Measures {
			if m.Result == "MISS" {
				r.Misses = append(r.Misses, e.Engine+": "+m.Name)
			}
		}
		for _, p := range e.Points {
			if !p.Main {
				continue
			}
			for _, rt := range p.Reports {
				if rt.Result == "MISS" {
					r.Misses = append(r.Misses, fmt.Sprintf("%s: report %s (%.2f×)", e.Engine, rt.Report, rt.Ratio))
				}
			}
		}
	}
}

func writeJSON(r *Results, path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func num(v float64, unit string) string {
	switch {
	case v == 0:
		return "0"
	case unit == "events/s" || unit == "req/s":
		return commas(int(v + 0.5))
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func markdown(r *Results) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# OpenTalent benchmarks\n\n")
	w("Produced by `%s` on %s; the whole run took **%s** (generation, build and every measure).\n", r.Command, r.Date, (time.Duration(r.WallSeconds) * time.Second).String())
	if r.Quick {
		w("\n> **--quick run**: tiny sizes for a smoke test; these numbers say nothing about performance.\n")
	}
	w("\nEvery API measure is taken against its baseline **in the same run**, on the same database, one right after\n")
	w("the other, and the targets are on the ratios: the machine is shared and noisy, so absolute numbers move from\n")
	w("run to run while the ratios hold. The server is the real binary (`go build ./cmd/talentd`, `talentd serve`)\n")
	w("started as a subprocess on 127.0.0.1; the baselines run in the benchmark process on its own `store.Open` handle.\n\n")

	if r.Commit != "" {
		w("Code measured: commit `%s`.\n\n", r.Commit)
	}
	m := r.Machine
	w("## Machine\n\n| | |\n|---|---|\n")
	w("| CPU | %s |\n| Cores | %d |\n| Memory | %s |\n| OS | %s |\n| Go | %s |\n| SQLite | %s |\n| PostgreSQL | %s |\n\n",
		m.CPU, m.Cores, m.MemoryGB, m.OS, m.Go, m.SQLite, m.Postgres)

	w("## Data\n\n")
	w("Built by the synthetic generator (`seed.Generate`, seed 1, one system, a school year of activity from the\n")
	w("generator's default start) loading through the store's bulk path. Main scale: **%s events, %s users**.\n\n", commas(r.Scale.Events), commas(r.Scale.Users))
	w("| Engine | Step | Seconds | Events/s |\n|---|---|---:|---:|\n")
	for _, e := range r.Engines {
		for _, s := range e.Setup {
			w("| %s | %s | %.1f | %s |\n", e.Engine, s.What, s.Seconds, commas(int(s.Rate)))
		}
	}
	w("\n")

	w("## Results\n\n")
	w("Ratio is API / baseline for times, baseline / API for rates: above 1 the API is slower. RSS rows show the\n")
	w("idle RSS before in the baseline column.\n\n")
	w("| Engine | Measure | Value | Baseline | Ratio | Target | Result |\n|---|---|---:|---:|---:|---|---|\n")
	for _, e := range r.Engines {
		if e.Error != "" {
			w("| %s | **run failed**: %s | | | | | MISS |\n", e.Engine, strings.ReplaceAll(e.Error, "|", "\\|"))
		}
		for _, ms := range e.Measures {
			base, ratio := "", ""
			if ms.Baseline != 0 {
				base = num(ms.Baseline, ms.Unit) + " " + ms.Unit
			}
			if ms.Ratio != 0 {
				ratio = fmt.Sprintf("%.2f×", ms.Ratio)
			}
			res := ms.Result
			if res == "MISS" {
				res = "**MISS**"
			}
			w("| %s | %s | %s %s | %s | %s | %s | %s |\n", e.Engine, ms.Name, num(ms.Value, ms.Unit), ms.Unit, base, ratio, ms.Target, res)
		}
	}
	w("\nNotes on the measures:\n\n")
	seen := map[string]bool{}
	for _, e := range r.Engines {
		for _, ms := range e.Measures {
			if ms.Note != "" && !strings.Contains(ms.Note, "samples") && !strings.Contains(ms.Note, "first calls") && !strings.Contains(ms.Note, "API requests") && !seen[ms.Note] {
				seen[ms.Note] = true
				w("- %s: %s.\n", strings.SplitN(ms.Name, " (", 2)[0], ms.Note)
			}
		}
	}
	for _, e := range r.Engines {
		for _, ms := range e.Measures {
			if strings.Contains(ms.Note, "samples") || strings.Contains(ms.Note, "first calls") || strings.Contains(ms.Note, "API requests") {
				w("- %s, %s: %s.\n", e.Engine, strings.SplitN(ms.Name, " (", 2)[0], ms.Note)
			}
		}
	}

	w("\n## Reports\n\n")
	w("Each of the 20 reports over the whole window, run as an Admin: seconds from `POST /api/v2/reports` to the\n")
	w("complete answer of `GET /api/v2/reports/{id}` (polled every 20 ms), against the report's own SQL\n")
	w("(`Definition.SQL`) run on the database and written to a CSV file by a minimal loop. Target: ≤ 1.5×.\n")
	w("`domainsAndDimensions` gets the generated rubric as its required `rubricId`; no other extra filter is set.\n")
	w("The activityStream API time is the one of the memory measure above.\n\n")
	for _, e := range r.Engines {
		for _, p := range e.Points {
			if !p.Main {
				continue
			}
			w("### %s, %s events, %s users\n\n", e.Engine, commas(p.Events), commas(p.Users))
			w("| Report | Rows | API s | Direct s | API − direct s | Ratio | Result |\n|---|---:|---:|---:|---:|---:|---|\n")
			for _, rt := range p.Reports {
				res := rt.Result
				if res == "MISS" {
					res = "**MISS**"
				}
				w("| %s | %s | %.3f | %.3f | %+.3f | %.2f× | %s |\n", rt.Report, commas(int(rt.Rows)), rt.APISeconds, rt.DirectSeconds, rt.APISeconds-rt.DirectSeconds, rt.Ratio, res)
			}
			api, direct := p.totals()
			w("| **total** | | **%.2f** | **%.2f** | %+.2f | %.2f× | |\n\n", api, direct, api-direct, api/direct)
		}
	}

	w("## Scaling\n\n")
	w("Total seconds of the 20 reports (API / direct) by data size; ![report time vs events](report-scaling.png)\n\n")
	w("| Engine | Events | Users | Generate s | 20 reports API s | 20 reports direct s | Ratio |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, e := range r.Engines {
		for _, p := range e.Points {
			api, direct := p.totals()
			w("| %s | %s | %s | %.1f | %.2f | %.2f | %.2f× |\n", e.Engine, commas(p.Events), commas(p.Users), p.SeedSeconds, api, direct, api/direct)
		}
	}
	w("\n![API vs baseline ratios](benchmark-ratios.png)\n")

	w("\n## Wall time\n\n| Engine | Seconds |\n|---|---:|\n")
	for _, e := range r.Engines {
		w("| %s | %.0f |\n", e.Engine, e.WallSeconds)
	}
	w("| **total** (build included) | **%.0f** |\n", r.WallSeconds)

	w("\n## Missed targets\n\n")
	if len(r.Misses) == 0 {
		w("None.\n")
	}
	for _, miss := range r.Misses {
		w("- %s\n", miss)
	}
	w("\n" + analysisMarker)
	return b.String()
}
