package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/opentalent/opentalent"
)

var _ opentalent.GroupService = (*DB)(nil)

func validateGroupName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" || len(n) > 200 {
		return "", opentalent.Invalid("group name must be 1 to 200 characters", opentalent.FieldError{Field: "name", Message: "must be 1 to 200 characters"})
	}
	return n, nil
}

// FindGroups returns one page of the groups in s whose name contains name
// (case-insensitive), ordered by name.
func (db *DB) FindGroups(ctx context.Context, s opentalent.Scope, name string, p opentalent.Page) ([]opentalent.Group, int, error) {
	var a args
	cond := a.scopeCond("system_id", s)
	if name != "" {
		cond += ` AND name_key LIKE ` + a.add(likePattern(name)) + ` ESCAPE '\'`
	}
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM groups WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count groups: %w", err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, system_id, name FROM groups WHERE `+cond+` ORDER BY name_key`+db.collate()+`, id LIMIT `+a.add(p.Limit)+` OFFSET `+a.add(p.Offset()), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find groups: %w", err)
	}
	defer rows.Close()
	out := []opentalent.Group{}
	for rows.Next() {
		var g opentalent.Group
		if err := rows.Scan(&g.ID, &g.SystemID, &g.Name); err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	return out, total, rows.Err()
}

// CreateGroup creates a group in a system of s; a name taken in that system
// (case-insensitive) is a conflict.
func (db *DB) CreateGroup(ctx context.Context, s opentalent.Scope, systemID, name string) (*opentalent.Group, error) {
	n, err := validateGroupName(name)
	if err != nil {
		return nil, err
	}
	g := &opentalent.Group{ID: NewID("grp"), SystemID: systemID, Name: n}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := systemInScope(ctx, tx, s, systemID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO groups (id, system_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5)`,
			g.ID, systemID, n, strings.ToLower(n), db.nowMillis())
		if isUniqueViolation(err) {
			return opentalent.Errorf(opentalent.ECONFLICT, "a group named %q already exists", n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func findGroup(ctx context.Context, q queryer, s opentalent.Scope, systemID, name string) (*opentalent.Group, error) {
	var a args
	cond := a.scopeCond("system_id", s)
	var g opentalent.Group
	err := q.QueryRowContext(ctx, `SELECT id, system_id, name FROM groups WHERE system_id = `+a.add(systemID)+` AND name_key = `+a.add(strings.ToLower(strings.TrimSpace(name)))+` AND `+cond, a...).
		Scan(&g.ID, &g.SystemID, &g.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("group")
	}
	if err != nil {
		return nil, fmt.Errorf("find group: %w", err)
	}
	return &g, nil
}

// RenameGroup renames a group of a system in s.
func (db *DB) RenameGroup(ctx context.Context, s opentalent.Scope, systemID, name, newName string) (*opentalent.Group, error) {
	n, err := validateGroupName(newName)
	if err != nil {
		return nil, err
	}
	var g *opentalent.Group
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if g, err = findGroup(ctx, tx, s, systemID, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE groups SET name = $1, name_key = $2 WHERE id = $3`, n, strings.ToLower(n), g.ID)
		if isUniqueViolation(err) {
			return opentalent.Errorf(opentalent.ECONFLICT, "a group named %q already exists", n)
		}
		g.Name = n
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup deletes a group of a system in s, and with it every membership;
// each former member is notified.
func (db *DB) DeleteGroup(ctx context.Context, s opentalent.Scope, systemID, name string) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		g, err := findGroup(ctx, tx, s, systemID, name)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT user_id FROM user_groups WHERE group_id = $1`, g.ID)
		if err != nil {
			return fmt.Errorf("find members: %w", err)
		}
		var members []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			members = append(members, id)
		}
		rows.Close()
		for _, id := range members {
			if err := db.notify(ctx, tx, id, fmt.Sprintf("You were removed from the group %q.", g.Name)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_groups WHERE group_id = $1`, g.ID); err != nil {
			return fmt.Errorf("delete memberships: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM groups WHERE id = $1`, g.ID); err != nil {
			return fmt.Errorf("delete group: %w", err)
		}
		return nil
	})
}
