package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opentalent/opentalent"
)

var _ opentalent.TenantService = (*DB)(nil)

// defaultRoles are the roles every system starts with: name, type, and the
// user role each maps to.
var defaultRoles = []struct{ name, typ, userRole string }{
	{"Teacher", "Teacher", opentalent.RoleTeacher},
	{"Coach", "Coach", opentalent.RoleCoach},
	{"Administrator", "System Admin", opentalent.RoleAdmin},
}

// CreateNetwork creates a network.
func (db *DB) CreateNetwork(ctx context.Context, name string) (*opentalent.Network, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, opentalent.Invalid("network name is required", opentalent.FieldError{Field: "name", Message: "required"})
	}
	n := &opentalent.Network{ID: NewID("net"), Name: name, CreatedAt: millisTime(db.nowMillis())}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO networks (id, name, created_at) VALUES ($1, $2, $3)`, n.ID, n.Name, n.CreatedAt.UnixMilli()); err != nil {
		return nil, fmt.Errorf("create network: %w", err)
	}
	return n, nil
}

// CreateSystem creates a system in a network, with its three default roles.
func (db *DB) CreateSystem(ctx context.Context, networkID, name string) (*opentalent.System, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, opentalent.Invalid("system name is required", opentalent.FieldError{Field: "name", Message: "required"})
	}
	sys := &opentalent.System{ID: NewID("sys"), NetworkID: networkID, Name: name, CreatedAt: millisTime(db.nowMillis())}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM networks WHERE id = $1`, networkID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("network")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO systems (id, network_id, name, created_at) VALUES ($1, $2, $3, $4)`, sys.ID, networkID, name, sys.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("create system: %w", err)
		}
		for _, r := range defaultRoles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO roles (id, system_id, name, type, user_role) VALUES ($1, $2, $3, $4, $5)`, NewID("rol"), sys.ID, r.name, r.typ, r.userRole); err != nil {
				return fmt.Errorf("create role: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sys, nil
}

// FindSystems returns one page of the systems in s, by name.
func (db *DB) FindSystems(ctx context.Context, s opentalent.Scope, name string, p opentalent.Page) ([]opentalent.System, int, error) {
	var a args
	cond := a.scopeCond("id", s)
	if name != "" {
		cond += ` AND ` + db.lower("name") + ` LIKE ` + a.add(likePattern(name)) + ` ESCAPE '\'`
	}
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM systems WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count systems: %w", err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, network_id, name, created_at FROM systems WHERE `+cond+` ORDER BY name`+db.collate()+`, id LIMIT `+a.add(p.Limit)+` OFFSET `+a.add(p.Offset()), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find systems: %w", err)
	}
	defer rows.Close()
	out := []opentalent.System{}
	for rows.Next() {
		var sys opentalent.System
		var created int64
		if err := rows.Scan(&sys.ID, &sys.NetworkID, &sys.Name, &created); err != nil {
			return nil, 0, err
		}
		sys.CreatedAt = millisTime(created)
		out = append(out, sys)
	}
	return out, total, rows.Err()
}

// FindSystem returns the system with id inside s.
func (db *DB) FindSystem(ctx context.Context, s opentalent.Scope, id string) (*opentalent.System, error) {
	return systemInScope(ctx, db.Read, s, id)
}

// FindRoles returns one page of a system's roles with the number of users
// holding each.
func (db *DB) FindRoles(ctx context.Context, s opentalent.Scope, systemID, name string, p opentalent.Page) ([]opentalent.Role, int, error) {
	if _, err := systemInScope(ctx, db.Read, s, systemID); err != nil {
		return nil, 0, err
	}
	var a args
	cond := `r.system_id = ` + a.add(systemID)
	if name != "" {
		cond += ` AND ` + db.lower("r.name") + ` LIKE ` + a.add(likePattern(name)) + ` ESCAPE '\'`
	}
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM roles r WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count roles: %w", err)
	}
	q := `SELECT r.id, r.name, r.type, (SELECT count(*) FROM users u WHERE u.system_id = r.system_id AND u.role = r.user_role)
		FROM roles r WHERE ` + cond + ` ORDER BY r.name` + db.collate() + `, r.id LIMIT ` + a.add(p.Limit) + ` OFFSET ` + a.add(p.Offset())
	rows, err := db.Read.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find roles: %w", err)
	}
	defer rows.Close()
	out := []opentalent.Role{}
	for rows.Next() {
		var r opentalent.Role
		if err := rows.Scan(&r.ID, &r.Name, &r.Type, &r.UsersCount); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// FindProfileAttributes returns a system's profile attributes in the order
// they were defined.
func (db *DB) FindProfileAttributes(ctx context.Context, s opentalent.Scope, systemID string) ([]opentalent.ProfileAttribute, error) {
	if _, err := systemInScope(ctx, db.Read, s, systemID); err != nil {
		return nil, err
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, label, created_by_user_name, viewable_by, question, required, for_roles, options
		FROM profile_attributes WHERE system_id = $1 ORDER BY position, id`, systemID)
	if err != nil {
		return nil, fmt.Errorf("find profile attributes: %w", err)
	}
	defer rows.Close()
	out := []opentalent.ProfileAttribute{}
	for rows.Next() {
		var pa opentalent.ProfileAttribute
		var viewable, forRoles, options string
		var required int
		if err := rows.Scan(&pa.ID, &pa.Label, &pa.CreatedByUserName, &viewable, &pa.Question, &required, &forRoles, &options); err != nil {
			return nil, err
		}
		pa.Required = required != 0
		if err := json.Unmarshal([]byte(viewable), &pa.ViewableBy); err != nil {
			return nil, fmt.Errorf("profile attribute %s: %w", pa.ID, err)
		}
		if err := json.Unmarshal([]byte(forRoles), &pa.For); err != nil {
			return nil, fmt.Errorf("profile attribute %s: %w", pa.ID, err)
		}
		if err := json.Unmarshal([]byte(options), &pa.Options); err != nil {
			return nil, fmt.Errorf("profile attribute %s: %w", pa.ID, err)
		}
		out = append(out, pa)
	}
	return out, rows.Err()
}

// SetProfileAttribute creates a profile attribute, or replaces the one with
// the same label.
func (db *DB) SetProfileAttribute(ctx context.Context, s opentalent.Scope, systemID string, pa opentalent.ProfileAttribute) error {
	pa.Label = strings.TrimSpace(pa.Label)
	if pa.Label == "" {
		return opentalent.Invalid("label is required", opentalent.FieldError{Field: "label", Message: "required"})
	}
	nonNil := func(v []string) []string {
		if v == nil {
			return []string{}
		}
		return v
	}
	if pa.Options == nil {
		pa.Options = []opentalent.ProfileAttributeOption{}
	}
	viewable, _ := json.Marshal(nonNil(pa.ViewableBy))
	forRoles, _ := json.Marshal(nonNil(pa.For))
	options, _ := json.Marshal(pa.Options)
	required := 0
	if pa.Required {
		required = 1
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := systemInScope(ctx, tx, s, systemID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO profile_attributes (id, system_id, position, label, created_by_user_name, viewable_by, question, required, for_roles, options)
			VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM profile_attributes WHERE system_id = $2), $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (system_id, label) DO UPDATE SET created_by_user_name = excluded.created_by_user_name, viewable_by = excluded.viewable_by,
			question = excluded.question, required = excluded.required, for_roles = excluded.for_roles, options = excluded.options`,
			NewID("pat"), systemID, pa.Label, pa.CreatedByUserName, string(viewable), pa.Question, required, string(forRoles), string(options))
		if err != nil {
			return fmt.Errorf("set profile attribute: %w", err)
		}
		return nil
	})
}

// DeleteProfileAttribute deletes a system's profile attribute by label.
func (db *DB) DeleteProfileAttribute(ctx context.Context, s opentalent.Scope, systemID, label string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := systemInScope(ctx, tx, s, systemID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM profile_attributes WHERE system_id = $1 AND label = $2`, systemID, strings.TrimSpace(label))
		if err != nil {
			return fmt.Errorf("delete profile attribute: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("profile attribute")
		}
		return nil
	})
}
