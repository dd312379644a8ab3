package report_test

import (
	"context"
	"testing"

	"github.com/opentalent/opentalent/report"
	"github.com/opentalent/opentalent/store/storetest"
)

// BenchmarkReports runs every report as an admin over a random system of
// about 50,000 events: go test -bench Reports -run ^$ ./report/
func BenchmarkReports(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			storetest.SkipUnlessAvailable(b, engine)
			var w *world
			for seed := uint64(1); seed <= 20; seed++ {
				part, _, _ := randomWorld(seed)
				if w == nil {
					w = part
					continue
				}
				// Fold the other seeds' events into the first world's systems and users.
				for i, e := range part.events {
					u := w.users[i%len(w.users)]
					e.system, e.user = u.system, u.id
					e.id += "-" + string(rune('a'+seed))
					w.events = append(w.events, e)
				}
			}
			db := storetest.MustOpenDB(b, engine)
			w.insert(b, db)
			p := report.Params{SystemID: w.systems[0].id, RunAs: report.RunAs{UserID: w.users[0].id, Role: "Admin"},
				Filter: report.Filter{StartTime: 0, EndTime: 1 << 62, RubricID: "r1"}}
			for _, name := range report.Names() {
				def, _ := report.Lookup(name)
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						if _, err := report.Run(context.Background(), db.Read, db.Engine, def, p, report.RowWriterFunc(func([]report.Cell) error { return nil })); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
