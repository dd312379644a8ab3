package storetest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/store"
)

func TestTokens(t *testing.T) {
	conformance(t, func(t *testing.T, e *env) {
		t.Run("CreateScopeRules", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			sib := e.sibling(t, tn)
			other := e.tenant(t)
			u := e.user(t, tn, "u", opentalent.RoleCoach)
			stranger := e.user(t, sib, "s", opentalent.RoleTeacher)
			for _, c := range []struct {
				name  string
				scope opentalent.Scope
				tok   opentalent.NewToken
				code  string
				want  opentalent.Token // NetworkID, SystemID, UserID
			}{
				{"NetworkFromNetwork", tn.netW, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.net.ID}, "",
					opentalent.Token{NetworkID: tn.net.ID}},
				{"NetworkFromSystem", tn.scope, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.net.ID}, opentalent.EFORBIDDEN, opentalent.Token{}},
				{"NetworkOfOtherNetwork", tn.netW, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: other.net.ID}, opentalent.EFORBIDDEN, opentalent.Token{}},
				{"SystemFromNetwork", tn.netW, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: sib.sys.ID}, "",
					opentalent.Token{NetworkID: tn.net.ID, SystemID: sib.sys.ID}},
				{"SystemFromSystem", tn.scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.sys.ID}, "",
					opentalent.Token{NetworkID: tn.net.ID, SystemID: tn.sys.ID}},
				{"SystemOfSibling", tn.scope, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: sib.sys.ID}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"SystemOfOtherNetwork", tn.netW, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: other.sys.ID}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"SystemUnknown", tn.netW, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: "sys_nope"}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"UserFromSystem", tn.scope, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: strings.ToUpper(u.Email)}, "",
					opentalent.Token{NetworkID: tn.net.ID, SystemID: tn.sys.ID, UserID: u.ID}},
				{"UserFromNetwork", tn.netW, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: stranger.Email}, "",
					opentalent.Token{NetworkID: tn.net.ID, SystemID: sib.sys.ID, UserID: stranger.ID}},
				{"UserOfSibling", tn.scope, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: stranger.Email}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"UserUnknown", tn.netW, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: tn.email("nobody")}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"UserOfOtherNetwork", other.netW, opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: u.Email}, opentalent.ENOTFOUND, opentalent.Token{}},
				{"BadKind", tn.netW, opentalent.NewToken{Kind: "admin", NetworkID: tn.net.ID}, opentalent.EINVALID, opentalent.Token{}},
				{"ExpiryInThePast", tn.netW, opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.sys.ID, ExpiresAt: ptr(epoch)}, opentalent.EINVALID, opentalent.Token{}},
			} {
				t.Run(c.name, func(t *testing.T) {
					tok, secret, err := e.db.CreateToken(e.ctx, c.scope, c.tok)
					wantCode(t, err, c.code)
					if c.code != "" {
						return
					}
					if !strings.HasPrefix(secret, store.TokenPrefix) || len(secret) < 40 || tok.ID == "" || tok.Kind != c.tok.Kind {
						t.Fatalf("token %+v, secret %q", tok, secret)
					}
					eq(t, "tenant", [3]string{tok.NetworkID, tok.SystemID, tok.UserID}, [3]string{c.want.NetworkID, c.want.SystemID, c.want.UserID})
					p, err := e.db.Authenticate(e.ctx, secret)
					must(t, err)
					eq(t, "principal", [4]string{p.TokenID, p.Kind, p.NetworkID, p.SystemID}, [4]string{tok.ID, tok.Kind, c.want.NetworkID, c.want.SystemID})
					if (p.User != nil) != (c.tok.Kind == opentalent.TokenUser) || (p.User != nil && p.User.ID != c.want.UserID) {
						t.Fatalf("principal user %+v", p.User)
					}
					found, err := e.db.FindToken(e.ctx, c.scope, tok.ID)
					must(t, err)
					eq(t, "found", *found, *tok)
				})
			}
		})

		t.Run("Authenticate", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			u := e.user(t, tn, "u", opentalent.RoleAdmin)
			mint := func(nt opentalent.NewToken) (*opentalent.Token, string) {
				t.Helper()
				tok, secret, err := e.db.CreateToken(e.ctx, tn.netW, nt)
				must(t, err)
				return tok, secret
			}
			_, userSecret := mint(opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: u.Email})
			p, err := e.db.Authenticate(e.ctx, userSecret)
			must(t, err)
			eq(t, "user", p.User.Email, u.Email)
			eq(t, "role", p.User.Role, opentalent.RoleAdmin)
			eq(t, "scope", p.Scope(), tn.scope)

			for _, s := range []string{"", "ott_nope", userSecret + "x", strings.TrimPrefix(userSecret, store.TokenPrefix)} {
				_, err := e.db.Authenticate(e.ctx, s)
				wantCode(t, err, opentalent.EUNAUTHORIZED)
			}

			// An inactive user's tokens stop working, and work again when
			// the user is active.
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Status: ptr(opentalent.StatusInactive)}))
			_, err = e.db.Authenticate(e.ctx, userSecret)
			wantCode(t, err, opentalent.EUNAUTHORIZED)
			must(t, e.db.UpdateUser(e.ctx, tn.scope, u.Email, opentalent.UserUpdate{Status: ptr(opentalent.StatusInvited)}))
			_, err = e.db.Authenticate(e.ctx, userSecret)
			must(t, err)

			// Revoked.
			tok, secret := mint(opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.sys.ID})
			must(t, e.db.RevokeToken(e.ctx, tn.scope, tok.ID))
			_, err = e.db.Authenticate(e.ctx, secret)
			wantCode(t, err, opentalent.EUNAUTHORIZED)
			must(t, e.db.RevokeToken(e.ctx, tn.scope, tok.ID)) // twice is fine
			found, err := e.db.FindToken(e.ctx, tn.scope, tok.ID)
			must(t, err)
			if found.RevokedAt == nil {
				t.Fatal("revokedAt not set")
			}
		})

		t.Run("Expiry", func(t *testing.T) {
			// Moves the shared clock: other subtests do not depend on it
			// beyond its moving forward.
			tn := e.tenant(t)
			exp := e.clock.Peek().Add(time.Hour).Truncate(time.Millisecond)
			tok, secret, err := e.db.CreateToken(e.ctx, tn.netW, opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.net.ID, ExpiresAt: &exp})
			must(t, err)
			eq(t, "expiry", *tok.ExpiresAt, exp)
			found, err := e.db.FindToken(e.ctx, tn.netW, tok.ID)
			must(t, err)
			eq(t, "stored expiry", found.ExpiresAt.Equal(exp), true)
			_, err = e.db.Authenticate(e.ctx, secret)
			must(t, err)
			e.clock.Add(time.Hour)
			_, err = e.db.Authenticate(e.ctx, secret)
			wantCode(t, err, opentalent.EUNAUTHORIZED)
		})

		t.Run("RevokeScope", func(t *testing.T) {
			t.Parallel()
			tn := e.tenant(t)
			sib := e.sibling(t, tn)
			other := e.tenant(t)
			u := e.user(t, tn, "u", opentalent.RoleTeacher)
			mint := func(nt opentalent.NewToken) (*opentalent.Token, string) {
				t.Helper()
				tok, secret, err := e.db.CreateToken(e.ctx, tn.netW, nt)
				must(t, err)
				return tok, secret
			}
			netTok, netSecret := mint(opentalent.NewToken{Kind: opentalent.TokenNetwork, NetworkID: tn.net.ID})
			sysTok, sysSecret := mint(opentalent.NewToken{Kind: opentalent.TokenSystem, SystemID: tn.sys.ID})
			userTok, userSecret := mint(opentalent.NewToken{Kind: opentalent.TokenUser, UserEmail: u.Email})
			for _, c := range []struct {
				name  string
				scope opentalent.Scope
				id    string
			}{
				{"SystemScopeOnNetworkToken", tn.scope, netTok.ID},
				{"SiblingOnSystemToken", sib.scope, sysTok.ID},
				{"SiblingOnUserToken", sib.scope, userTok.ID},
				{"OtherNetworkOnNetworkToken", other.netW, netTok.ID},
				{"OtherNetworkOnSystemToken", other.netW, sysTok.ID},
				{"OtherSystemOnUserToken", other.scope, userTok.ID},
				{"ForgedScope", opentalent.Scope{NetworkID: other.net.ID, SystemID: tn.sys.ID}, sysTok.ID},
				{"Unknown", tn.netW, "tok_nope"},
			} {
				t.Run(c.name, func(t *testing.T) {
					wantCode(t, e.db.RevokeToken(e.ctx, c.scope, c.id), opentalent.ENOTFOUND)
					_, err := e.db.FindToken(e.ctx, c.scope, c.id)
					wantCode(t, err, opentalent.ENOTFOUND)
				})
			}
			for _, s := range []string{netSecret, sysSecret, userSecret} {
				_, err := e.db.Authenticate(e.ctx, s)
				must(t, err)
			}
			// A system scope revokes its own system's and users' tokens; a
			// network scope revokes any token of its network.
			must(t, e.db.RevokeToken(e.ctx, tn.scope, userTok.ID))
			must(t, e.db.RevokeToken(e.ctx, tn.netW, sysTok.ID))
			must(t, e.db.RevokeToken(e.ctx, tn.netW, netTok.ID))
			for _, s := range []string{netSecret, sysSecret, userSecret} {
				_, err := e.db.Authenticate(e.ctx, s)
				wantCode(t, err, opentalent.EUNAUTHORIZED)
			}
		})
	})
}
