package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/internal/apitest"
	"github.com/opentalent/opentalent/jobs"
	"github.com/opentalent/opentalent/store"
	"github.com/opentalent/opentalent/store/storetest"
)

func TestInvitations(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		t.Run("SentOnceWithDetails", func(t *testing.T) {
			sink := apitest.StartSMTP(t)
			env := apitest.Start(t, engine, apitest.WithSMTP(sink.URL))
			tn := env.NewTenant(t)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{"email": "New.Teacher@Example.org", "role": "Teacher", "name": "Nia Teacher"}).Want(t, 201)
			env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{"email": "quiet@example.org", "role": "Teacher", "suppress_invite": true}).Want(t, 201)
			got := sink.WaitFor(1, 15*time.Second)
			time.Sleep(300 * time.Millisecond) // a second message, if any, would arrive now
			got = sink.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages, want 1: %+v", len(got), got)
			}
			m := got[0]
			if m.From != "invites@opentalent.test" || len(m.To) != 1 || m.To[0] != "new.teacher@example.org" {
				t.Fatalf("envelope %+v", m)
			}
			if !strings.Contains(m.Data, "Subject: You are invited to System A") || !strings.Contains(m.Data, "Hello Nia Teacher") || !strings.Contains(m.Data, env.URL) {
				t.Fatalf("message %q", m.Data)
			}
		})
		t.Run("ConcurrentWrites", func(t *testing.T) {
			sink := apitest.StartSMTP(t)
			env := apitest.Start(t, engine, apitest.WithSMTP(sink.URL))
			tn := env.NewTenant(t)
			const writers, each = 8, 15
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						r := env.Do(t, tn.SystemToken, "POST", "/api/v2/users", map[string]any{"email": fmt.Sprintf("c%d-%d@example.org", w, i), "role": "Teacher"})
						if r.Status != 201 {
							t.Errorf("create: %d %s", r.Status, r.Body)
						}
						// Other writes interleave with the queue's own.
						env.Do(t, tn.SystemToken, "POST", "/api/v2/groups", map[string]any{"name": fmt.Sprintf("g%d-%d", w, i)})
					}
				}()
			}
			wg.Wait()
			got := sink.WaitFor(writers*each, 60*time.Second)
			time.Sleep(300 * time.Millisecond)
			got = sink.Messages()
			seen := map[string]int{}
			for _, m := range got {
				seen[m.To[0]]++
			}
			if len(got) != writers*each || len(seen) != writers*each {
				t.Fatalf("%d messages to %d addresses, want %d each once", len(got), len(seen), writers*each)
			}
		})
		t.Run("CrashBeforeSendLosesNothing", func(t *testing.T) {
			// A server that commits users with their invitation jobs, then
			// dies before any worker runs: the jobs are in the database.
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			workers := river.NewWorkers()
			river.AddWorker(workers, &jobs.InviteWorker{DB: db}) // registered, never started
			queue, err := jobs.NewClient(db, jobs.Config{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			db.Queue = queue
			ctx := context.Background()
			net, _ := db.CreateNetwork(ctx, "N")
			sys, err := db.CreateSystem(ctx, net.ID, "Crashville")
			if err != nil {
				t.Fatal(err)
			}
			scope := opentalent.Scope{NetworkID: net.ID, SystemID: sys.ID}
			if _, err := db.CreateUser(ctx, scope, opentalent.NewUser{Email: "survivor@example.org", Role: "Teacher", SystemID: sys.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateUsers(ctx, scope, sys.ID, "Coach", false, []opentalent.NewUser{{Email: "bulk1@example.org"}, {Email: "bulk2@example.org"}}); err != nil {
				t.Fatal(err)
			}
			db.Close()

			sink := apitest.StartSMTP(t)
			apitest.StartDSN(t, engine, dsn, apitest.WithSMTP(sink.URL))
			got := sink.WaitFor(3, 30*time.Second)
			if len(got) != 3 {
				t.Fatalf("after restart %d invitations arrived, want 3", len(got))
			}
		})
	})
}
