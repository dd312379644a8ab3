package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/opentalent/opentalent"
)

var _ opentalent.TokenService = (*DB)(nil)

// TokenPrefix starts every token secret, so that a leaked one is easy to
// recognise in logs and by secret scanners.
const TokenPrefix = "ott_"

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken mints a token for a network, system or user inside s and
// returns it with its secret, which is never stored.
func (db *DB) CreateToken(ctx context.Context, s opentalent.Scope, t opentalent.NewToken) (*opentalent.Token, string, error) {
	tok := &opentalent.Token{ID: NewID("tok"), Kind: t.Kind, CreatedAt: millisTime(db.nowMillis()), ExpiresAt: t.ExpiresAt}
	switch t.Kind {
	case opentalent.TokenNetwork:
		if s.SystemID != "" || t.NetworkID != s.NetworkID {
			return nil, "", opentalent.Errorf(opentalent.EFORBIDDEN, "only a network operator may mint network tokens")
		}
		if _, err := db.LookupNetworkScope(ctx, t.NetworkID); err != nil {
			return nil, "", err
		}
		tok.NetworkID = t.NetworkID
	case opentalent.TokenSystem:
		sys, err := systemInScope(ctx, db.Read, s, t.SystemID)
		if err != nil {
			return nil, "", err
		}
		tok.NetworkID, tok.SystemID = sys.NetworkID, sys.ID
	case opentalent.TokenUser:
		u, err := findUser(ctx, db.Read, s, t.UserEmail)
		if err != nil {
			return nil, "", err
		}
		sys, err := systemInScope(ctx, db.Read, s, u.SystemID)
		if err != nil {
			return nil, "", err
		}
		tok.NetworkID, tok.SystemID, tok.UserID = sys.NetworkID, sys.ID, u.ID
	default:
		return nil, "", opentalent.Invalid("kind must be network, system or user", opentalent.FieldError{Field: "kind", Message: "must be network, system or user"})
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(db.NowFunc()) {
		return nil, "", opentalent.Invalid("expiry must be in the future", opentalent.FieldError{Field: "expiresIn", Message: "must be positive"})
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var expires sql.NullInt64
	if t.ExpiresAt != nil {
		expires = sql.NullInt64{Int64: t.ExpiresAt.UnixMilli(), Valid: true}
	}
	_, err := db.Write.ExecContext(ctx, `INSERT INTO tokens (id, kind, secret_hash, network_id, system_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		tok.ID, tok.Kind, hashSecret(secret), tok.NetworkID, nullString(tok.SystemID), nullString(tok.UserID), tok.CreatedAt.UnixMilli(), expires)
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return tok, secret, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

var errBadToken = opentalent.Errorf(opentalent.EUNAUTHORIZED, "the bearer token is missing, unknown, revoked or expired")

// Authenticate returns the principal of a token secret.
func (db *DB) Authenticate(ctx context.Context, secret string) (*opentalent.Principal, error) {
	var (
		p                opentalent.Principal
		systemID, userID sql.NullString
		expires, revoked sql.NullInt64
	)
	err := db.Read.QueryRowContext(ctx, `SELECT id, kind, network_id, system_id, user_id, expires_at, revoked_at FROM tokens WHERE secret_hash = $1`, hashSecret(secret)).
		Scan(&p.TokenID, &p.Kind, &p.NetworkID, &systemID, &userID, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if revoked.Valid || (expires.Valid && expires.Int64 <= db.nowMillis()) {
		return nil, errBadToken
	}
	p.SystemID = systemID.String
	if p.Kind == opentalent.TokenUser {
		u, err := scanUser(db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, userID.String))
		if err != nil {
			return nil, fmt.Errorf("authenticate: %w", err)
		}
		if u.Status == opentalent.StatusInactive {
			return nil, errBadToken
		}
		p.User = u
	}
	return &p, nil
}

// tokenInScope returns the condition under which a token may be seen from s:
// network tokens only from their network's scope, others from their system's.
func tokenInScope(a *args, s opentalent.Scope) string {
	if s.SystemID == "" {
		return `network_id = ` + a.add(s.NetworkID)
	}
	return `network_id = ` + a.add(s.NetworkID) + ` AND system_id = ` + a.add(s.SystemID)
}

// FindToken returns the token with id inside s.
func (db *DB) FindToken(ctx context.Context, s opentalent.Scope, id string) (*opentalent.Token, error) {
	var a args
	cond := tokenInScope(&a, s)
	var t opentalent.Token
	var systemID, userID sql.NullString
	var created int64
	var expires, revoked sql.NullInt64
	err := db.Read.QueryRowContext(ctx, `SELECT id, kind, network_id, system_id, user_id, created_at, expires_at, revoked_at FROM tokens WHERE id = `+a.add(id)+` AND `+cond, a...).
		Scan(&t.ID, &t.Kind, &t.NetworkID, &systemID, &userID, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("token")
	}
	if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	t.SystemID, t.UserID = systemID.String, userID.String
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = millisTime(created), nullMillisTime(expires), nullMillisTime(revoked)
	return &t, nil
}

// RevokeToken revokes the token with id inside s. Revoking twice is fine.
func (db *DB) RevokeToken(ctx context.Context, s opentalent.Scope, id string) error {
	if _, err := db.FindToken(ctx, s, id); err != nil {
		return err
	}
	var a args
	cond := tokenInScope(&a, s)
	_, err := db.Write.ExecContext(ctx, `UPDATE tokens SET revoked_at = `+a.add(db.nowMillis())+` WHERE revoked_at IS NULL AND id = `+a.add(id)+` AND `+cond, a...)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// ExpiresIn turns a duration into an expiry time from now; zero means never.
func (db *DB) ExpiresIn(d time.Duration) *time.Time {
	if d == 0 {
		return nil
	}
	t := db.NowFunc().Add(d)
	return &t
}

// TokenNetwork returns the network of a token by id, across the whole
// installation; for operators' tools only.
func (db *DB) TokenNetwork(ctx context.Context, id string) (string, error) {
	var n string
	err := db.Read.QueryRowContext(ctx, `SELECT network_id FROM tokens WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("token")
	}
	return n, err
}
