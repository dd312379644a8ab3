package main_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/opentalent/opentalent/store/storetest"
)

// talentd runs the binary and returns its standard output.
func talentd(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("talentd %s: %v %s", strings.Join(args, " "), err, msg)
	}
	return string(out)
}

// TestAdminCommands drives every admin command through the real binary
// while a server runs on the same database, and uses what they print.
func TestAdminCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	bin := buildBinary(t)
	storetest.ForEachEngine(t, func(t *testing.T, engine string) {
		dsn := storetest.DSN(t, engine)
		srv := startServer(t, bin, dsn, t.TempDir())

		var boot struct {
			NetworkID    string `json:"networkId"`
			NetworkToken string `json:"networkToken"`
			Systems      []struct {
				ID    string `json:"_id"`
				Name  string `json:"name"`
				Token string `json:"token"`
			} `json:"systems"`
		}
		out := talentd(t, bin, "admin", "bootstrap", "--db", dsn, "--network", "North", "--system", "North High", "--system", "North Middle", "--json")
		if err := json.Unmarshal([]byte(out), &boot); err != nil || len(boot.Systems) != 2 || !strings.HasPrefix(boot.NetworkToken, "ott_") {
			t.Fatalf("bootstrap printed %q (%v)", out, err)
		}
		if st, m := srv.call(t, boot.NetworkToken, "GET", "/api/v2/systems?pageNumber=1&limit=10", ""); st != 200 || m["totalCount"].(float64) != 2 {
			t.Fatalf("network token: %d %v", st, m)
		}
		sysTok := boot.Systems[0].Token
		if st, _ := srv.call(t, sysTok, "POST", "/api/v2/users", `{"email":"lead@north.org","role":"Admin","suppress_invite":true}`); st != 201 {
			t.Fatalf("create user: %d", st)
		}

		var tok struct{ ID, Kind, Token string }
		out = talentd(t, bin, "admin", "token", "create", "--db", dsn, "--kind", "user", "--email", "LEAD@north.org", "--expires", "1h", "--json")
		if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Kind != "user" || tok.Token == "" {
			t.Fatalf("token create printed %q", out)
		}
		if st, _ := srv.call(t, tok.Token, "GET", "/api/v2/users/lead@north.org", ""); st != 200 {
			t.Fatalf("user token: %d", st)
		}
		talentd(t, bin, "admin", "token", "revoke", "--db", dsn, tok.ID)
		if st, _ := srv.call(t, tok.Token, "GET", "/api/v2/users/lead@north.org", ""); st != 401 {
			t.Fatalf("revoked token: %d", st)
		}
		out = talentd(t, bin, "admin", "token", "create", "--db", dsn, "--kind", "system", "--system", boot.Systems[1].ID, "--json")
		if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Kind != "system" {
			t.Fatalf("system token printed %q", out)
		}

		var sys struct {
			ID        string `json:"_id"`
			NetworkID string `json:"networkId"`
		}
		out = talentd(t, bin, "admin", "system", "add", "--db", dsn, "--network", boot.NetworkID, "--name", "North Elementary", "--json")
		if err := json.Unmarshal([]byte(out), &sys); err != nil || sys.NetworkID != boot.NetworkID {
			t.Fatalf("system add printed %q", out)
		}
		if _, m := srv.call(t, boot.NetworkToken, "GET", "/api/v2/systems?pageNumber=1&limit=10", ""); m["totalCount"].(float64) != 3 {
			t.Fatalf("after system add: %v", m)
		}

		talentd(t, bin, "admin", "profile-attribute", "set", "--db", dsn, "--system", sys.ID, "--label", "Subject", "--question", "What do you teach?",
			"--required", "--for", "Teacher", "--viewable-by", "Admin", "--option", "Math", "--option", "Art", "--created-by", "Ops")
		out = talentd(t, bin, "admin", "profile-attribute", "list", "--db", dsn, "--system", sys.ID)
		var attrs []map[string]any
		if err := json.Unmarshal([]byte(out), &attrs); err != nil || len(attrs) != 1 || attrs[0]["question"] != "What do you teach?" || len(attrs[0]["options"].([]any)) != 2 {
			t.Fatalf("profile attributes %q", out)
		}
		talentd(t, bin, "admin", "profile-attribute", "delete", "--db", dsn, "--system", sys.ID, "--label", "Subject")
		if out = talentd(t, bin, "admin", "profile-attribute", "list", "--db", dsn, "--system", sys.ID); strings.TrimSpace(out) != "[]" {
			t.Fatalf("after delete %q", out)
		}
		if err := exec.Command(bin, "admin", "token", "create", "--db", dsn, "--kind", "user", "--email", "nobody@north.org").Run(); err == nil {
			t.Fatal("token for an unknown user succeeded")
		}
	})
}
