package store_test

import (
	"context"
	"testing"
	"time"
	"strconv"
)

func TestZZPlan(t *testing.T) {
	w := newBuilderWorld(t, "sqlite")
	var evs []testEvent
	users := []string{w.admin.ID, w.coach.ID, w.teacher.ID, w.teacher2.ID}
	for i := range 100000 {
		evs = append(evs, testEvent{system: w.sysA, id: "e" + itoa(i), user: users[i%4], ts: 1_700_000_000_000 + int64(i/3)*1000, typ: testTypes[i%3]})
	}
	insertEvents(t, w.db, evs)
	ctx := context.Background()
	for _, q := range []string{
		`SELECT count(*), max(e.seq) FROM events e WHERE e.system_id = $1 AND e.ts >= $2`,
		`SELECT e.ts, e.seq FROM events e WHERE e.system_id = $1 AND e.ts >= $2 ORDER BY e.ts DESC, e.seq DESC LIMIT 1 OFFSET 99`,
		`SELECT e.ts, e.seq FROM events e WHERE e.system_id = $1 AND e.ts >= $2 AND (e.ts, e.seq) >= (1700000000000, 5) ORDER BY e.ts, e.seq LIMIT 1 OFFSET 4096`,
		`SELECT e.ts, e.seq FROM events e WHERE e.system_id = $1 AND e.ts >= $2 AND (e.ts, e.seq) <= (1700033000000, 99000) ORDER BY e.ts DESC, e.seq DESC LIMIT 1 OFFSET 4096`,
		`SELECT e.id FROM (SELECT e.seq, e.id, e.user_id, e.system_id, e.ts FROM events e WHERE e.system_id = $1 AND e.ts >= $2 AND (e.ts, e.seq) >= (1700033000000, 99000) ORDER BY e.ts, e.seq LIMIT 100) e JOIN users u ON u.id = e.user_id JOIN systems s ON s.id = e.system_id ORDER BY e.ts, e.seq`,
	} {
		rows, err := w.db.Read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, w.sysA, int64(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Log(q)
		for rows.Next() {
			var a, b, c int
			var d string
			rows.Scan(&a, &b, &c, &d)
			t.Log("   ", d)
		}
		rows.Close()
		start := time.Now()
		for range 10 {
			r, _ := w.db.Read.QueryContext(ctx, q, w.sysA, int64(0))
			for r.Next() {
			}
			r.Close()
		}
		t.Log("   time", time.Since(start)/10)
	}
}
func itoa(i int) string { return strconv.Itoa(i) }
