package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"

	"github.com/riverqueue/river"

	"github.com/opentalent/opentalent"
)

var _ opentalent.UserService = (*DB)(nil)

// NormalizeEmail trims and lower-cases an email address and checks that it
// is a plain address (no display name), at most 254 characters long.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", errors.New("email is required")
	}
	if len(e) > 254 {
		return "", errors.New("email is longer than 254 characters")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return "", fmt.Errorf("%q is not a valid email address", s)
	}
	return e, nil
}

const userColumns = `u.id, u.system_id, u.email, u.name, u.role, u.status, u.last_seen, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (*opentalent.User, error) {
	var u opentalent.User
	var lastSeen sql.NullInt64
	var created int64
	if err := row.Scan(&u.ID, &u.SystemID, &u.Email, &u.Name, &u.Role, &u.Status, &lastSeen, &created); err != nil {
		return nil, err
	}
	u.LastSeen = nullMillisTime(lastSeen)
	u.CreatedAt = millisTime(created)
	return &u, nil
}

// FindUsers returns one page of the users matching f, ordered by email, and
// the number of matches across all pages.
func (db *DB) FindUsers(ctx context.Context, f opentalent.UserFilter) ([]opentalent.User, int, error) {
	var a args
	where := []string{a.scopeCond("u.system_id", f.Scope)}
	if f.Role != "" {
		where = append(where, "u.role = "+a.add(f.Role))
	}
	if f.Status != "" {
		where = append(where, "u.status = "+a.add(f.Status))
	}
	if f.Group != "" {
		where = append(where, `EXISTS (SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = u.id AND g.name_key = `+a.add(strings.ToLower(strings.TrimSpace(f.Group)))+`)`)
	}
	if f.Query != "" {
		p := a.add(likePattern(f.Query))
		where = append(where, fmt.Sprintf(`(u.email LIKE %s ESCAPE '\' OR %s LIKE %s ESCAPE '\')`, p, db.lower("u.name"), p))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM users u WHERE `+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	if total <= f.Page.Offset() {
		return []opentalent.User{}, total, nil
	}
	// A deferred join: the page's ids come from the (system_id, email, id)
	// index alone, and only those rows are read.
	q := `SELECT ` + userColumns + ` FROM users u JOIN (SELECT u.id, u.email FROM users u WHERE ` + cond + ` ORDER BY u.email` + db.collate() +
		` LIMIT ` + a.add(f.Page.Limit) + ` OFFSET ` + a.add(f.Page.Offset()) + `) p ON p.id = u.id ORDER BY p.email` + db.collate()
	rows, err := db.Read.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	users := make([]opentalent.User, 0, f.Page.Limit)
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		users = append(users, *u)
	}
	return users, total, rows.Err()
}

// FindUserByEmail returns the user with email inside s, with their groups.
func (db *DB) FindUserByEmail(ctx context.Context, s opentalent.Scope, email string) (*opentalent.User, error) {
	u, err := findUser(ctx, db.Read, s, email)
	if err != nil {
		return nil, err
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = $1 ORDER BY g.name_key`+db.collate(), u.ID)
	if err != nil {
		return nil, fmt.Errorf("find user groups: %w", err)
	}
	defer rows.Close()
	u.Groups = []string{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		u.Groups = append(u.Groups, g)
	}
	return u, rows.Err()
}

func findUser(ctx context.Context, q queryer, s opentalent.Scope, email string) (*opentalent.User, error) {
	var a args
	cond := a.scopeCond("u.system_id", s)
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = `+a.add(strings.ToLower(strings.TrimSpace(email)))+` AND `+cond, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// MaxGroupNames caps the group names of one request, and MaxGroupEmails
// the users of one PUT /users/groups.
const (
	MaxGroupNames  = 1000
	MaxGroupEmails = 10000
)

// groupSetOf resolves group names (case-insensitive) of one system, failing
// with a 400 that lists every name that does not exist.
func groupSetOf(ctx context.Context, q queryer, systemID string, names []string) (groupSet, error) {
	out := groupSet{}
	if len(names) == 0 {
		return out, nil
	}
	if len(names) > MaxGroupNames {
		return nil, opentalent.Invalid(fmt.Sprintf("at most %d groups per request", MaxGroupNames), opentalent.FieldError{Field: "groups", Message: fmt.Sprintf("at most %d items", MaxGroupNames)})
	}
	var a args
	keys := make([]string, 0, len(names))
	for _, n := range names {
		keys = append(keys, strings.ToLower(strings.TrimSpace(n)))
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, name_key FROM groups WHERE system_id = `+a.add(systemID)+` AND name_key IN `+a.in(keys), a...)
	if err != nil {
		return nil, fmt.Errorf("resolve groups: %w", err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var id, name, key string
		if err := rows.Scan(&id, &name, &key); err != nil {
			return nil, err
		}
		out[id] = name
		found[key] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var unknown []string
	for i, k := range keys {
		if !found[k] && !slices.Contains(unknown, names[i]) {
			unknown = append(unknown, names[i])
		}
	}
	if len(unknown) > 0 {
		return nil, opentalent.Invalid("unknown groups: "+strings.Join(unknown, ", "), opentalent.FieldError{Field: "groups", Message: "these groups do not exist: " + strings.Join(unknown, ", ")})
	}
	return out, nil
}

func (db *DB) notify(ctx context.Context, q queryer, userID, message string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, message, created_at) VALUES ($1, $2, $3, $4)`,
		newSortableID("ntf"), userID, message, db.nowMillis())
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, args river.JobArgs) error {
	if db.Queue == nil {
		return nil
	}
	if _, err := db.Queue.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func validateNewUser(u *opentalent.NewUser) error {
	email, err := NormalizeEmail(u.Email)
	if err != nil {
		return opentalent.Invalid(err.Error(), opentalent.FieldError{Field: "email", Message: err.Error()})
	}
	u.Email = email
	u.Name = strings.TrimSpace(u.Name)
	if len(u.Name) > 200 {
		return opentalent.Invalid("name is longer than 200 characters", opentalent.FieldError{Field: "name", Message: "at most 200 characters"})
	}
	if !opentalent.ValidRole(u.Role) {
		return opentalent.Invalid("role must be Teacher, Coach or Admin", opentalent.FieldError{Field: "role", Message: "must be Teacher, Coach or Admin"})
	}
	return nil
}

// insertUser writes a validated user, their groups, their invitation
// notification and job, inside tx.
func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, sys *opentalent.System, u opentalent.NewUser, groups groupSet) (*opentalent.User, error) {
	now := db.nowMillis()
	status := opentalent.StatusInvited
	if u.SuppressInvite {
		status = opentalent.StatusActive
	}
	id := NewID("usr")
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, system_id, email, name, role, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, sys.ID, u.Email, u.Name, u.Role, status, now)
	if isUniqueViolation(err) {
		return nil, opentalent.Errorf(opentalent.ECONFLICT, "User already exists")
	}
	if err != nil {
		return nil, fmt.Errorf("insert user: %w", err)
	}
	if err := db.setMembership(ctx, tx, id, groupSet{}, groups); err != nil {
		return nil, err
	}
	if !u.SuppressInvite {
		if err := db.notify(ctx, tx, id, fmt.Sprintf("You have been invited to %s.", sys.Name)); err != nil {
			return nil, err
		}
		if err := db.enqueue(ctx, tx, opentalent.InviteEmailArgs{UserID: id}); err != nil {
			return nil, err
		}
	}
	return &opentalent.User{ID: id, SystemID: sys.ID, Email: u.Email, Name: u.Name, Role: u.Role, Status: status, CreatedAt: millisTime(now), Groups: u.Groups}, nil
}

// CreateUser creates a user in system u.SystemID inside s. Without
// SuppressInvite the user is Invited and an invitation job is queued in the
// same transaction.
func (db *DB) CreateUser(ctx context.Context, s opentalent.Scope, u opentalent.NewUser) (*opentalent.User, error) {
	if err := validateNewUser(&u); err != nil {
		return nil, err
	}
	var out *opentalent.User
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		sys, err := systemInScope(ctx, tx, s, u.SystemID)
		if err != nil {
			return err
		}
		groups, err := groupSetOf(ctx, tx, sys.ID, u.Groups)
		if err != nil {
			return err
		}
		out, err = db.insertUser(ctx, tx, sys, u, groups)
		return err
	})
	return out, err
}

// CreateUsers creates many users of one role in one transaction. An invite
// that cannot be made (bad email, duplicate, unknown group) is reported in
// Failures and never fails the others.
func (db *DB) CreateUsers(ctx context.Context, s opentalent.Scope, systemID, role string, suppressInvite bool, invites []opentalent.NewUser) (*opentalent.BulkResult, error) {
	if !opentalent.ValidRole(role) {
		return nil, opentalent.Invalid("role must be Teacher, Coach or Admin", opentalent.FieldError{Field: "role", Message: "must be Teacher, Coach or Admin"})
	}
	res := &opentalent.BulkResult{Successes: []opentalent.User{}, Failures: []opentalent.BulkFailure{}}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		sys, err := systemInScope(ctx, tx, s, systemID)
		if err != nil {
			return err
		}
		valid := make([]opentalent.NewUser, 0, len(invites))
		seen := make(map[string]bool, len(invites))
		for _, in := range invites {
			in.Role, in.SuppressInvite, in.SystemID, in.Groups = role, suppressInvite, systemID, nil
			if err := validateNewUser(&in); err != nil {
				res.Failures = append(res.Failures, opentalent.BulkFailure{Email: in.Email, Error: opentalent.ErrorMessage(err)})
				continue
			}
			if seen[in.Email] {
				res.Failures = append(res.Failures, opentalent.BulkFailure{Email: in.Email, Error: "Duplicate email in this request"})
				continue
			}
			seen[in.Email] = true
			valid = append(valid, in)
		}
		existing, err := existingEmails(ctx, tx, valid)
		if err != nil {
			return err
		}
		ins := &bulkUsers{db: db, tx: tx, sys: sys, suppressInvite: suppressInvite}
		for _, in := range valid {
			if existing[in.Email] {
				res.Failures = append(res.Failures, opentalent.BulkFailure{Email: in.Email, Error: "User already exists"})
				continue
			}
			res.Successes = append(res.Successes, *ins.add(in))
		}
		return ins.write(ctx)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// existingEmails returns which of the invites' emails are taken anywhere in
// the installation (emails are unique across it).
func existingEmails(ctx context.Context, tx *sql.Tx, invites []opentalent.NewUser) (map[string]bool, error) {
	out := map[string]bool{}
	const chunk = 500
	for i := 0; i < len(invites); i += chunk {
		part := invites[i:min(i+chunk, len(invites))]
		emails := make([]string, len(part))
		for j, in := range part {
			emails[j] = in.Email
		}
		var a args
		rows, err := tx.QueryContext(ctx, `SELECT email FROM users WHERE email IN `+a.in(emails), a...)
		if err != nil {
			return nil, fmt.Errorf("find existing emails: %w", err)
		}
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			out[e] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bulkUsers collects many new users, their invitation notifications and
// jobs, and writes them with multi-row statements.
type bulkUsers struct {
	db             *DB
	tx             *sql.Tx
	sys            *opentalent.System
	suppressInvite bool
	users, notes   [][]any
	jobs           []river.InsertManyParams
}

func (b *bulkUsers) add(in opentalent.NewUser) *opentalent.User {
	now := b.db.nowMillis()
	status := opentalent.StatusInvited
	if b.suppressInvite {
		status = opentalent.StatusActive
	}
	id := NewID("usr")
	b.users = append(b.users, []any{id, b.sys.ID, in.Email, in.Name, in.Role, status, now})
	if !b.suppressInvite {
		b.notes = append(b.notes, []any{newSortableID("ntf"), id, fmt.Sprintf("You have been invited to %s.", b.sys.Name), now})
		b.jobs = append(b.jobs, river.InsertManyParams{Args: opentalent.InviteEmailArgs{UserID: id}})
	}
	return &opentalent.User{ID: id, SystemID: b.sys.ID, Email: in.Email, Name: in.Name, Role: in.Role, Status: status, CreatedAt: millisTime(now)}
}

func (b *bulkUsers) write(ctx context.Context) error {
	err := b.db.bulkInsert(ctx, b.tx, `INSERT INTO users (id, system_id, email, name, role, status, created_at)`, 7, b.users, "", nil)
	if isUniqueViolation(err) {
		return opentalent.Errorf(opentalent.ECONFLICT, "another request created some of these users at the same time; send the invites again")
	}
	if err != nil {
		return fmt.Errorf("insert users: %w", err)
	}
	if err := b.db.bulkInsert(ctx, b.tx, `INSERT INTO notifications (id, user_id, message, created_at)`, 4, b.notes, "", nil); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if len(b.jobs) > 0 && b.db.Queue != nil {
		if _, err := b.db.Queue.InsertManyFastTx(ctx, b.tx, b.jobs); err != nil {
			return fmt.Errorf("enqueue invitations: %w", err)
		}
	}
	return nil
}

// groupSet is a user's groups: id -> display name.
type groupSet map[string]string

func (db *DB) userGroupSet(ctx context.Context, q queryer, userID string) (groupSet, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("find user groups: %w", err)
	}
	defer rows.Close()
	out := groupSet{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// setMembership moves a user from the groups in have to those in want,
// notifying them of each change.
func (db *DB) setMembership(ctx context.Context, tx *sql.Tx, userID string, have, want groupSet) error {
	for id, name := range want {
		if _, ok := have[id]; ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_groups (user_id, group_id) VALUES ($1, $2)`, userID, id); err != nil {
			return fmt.Errorf("add to group: %w", err)
		}
		if err := db.notify(ctx, tx, userID, fmt.Sprintf("You were added to the group %q.", name)); err != nil {
			return err
		}
	}
	for id, name := range have {
		if _, ok := want[id]; ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_groups WHERE user_id = $1 AND group_id = $2`, userID, id); err != nil {
			return fmt.Errorf("remove from group: %w", err)
		}
		if err := db.notify(ctx, tx, userID, fmt.Sprintf("You were removed from the group %q.", name)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateUser changes a user's name, role, status or groups.
func (db *DB) UpdateUser(ctx context.Context, s opentalent.Scope, email string, upd opentalent.UserUpdate) error {
	if upd.Name != nil {
		n := strings.TrimSpace(*upd.Name)
		if len(n) > 200 {
			return opentalent.Invalid("name is longer than 200 characters", opentalent.FieldError{Field: "name", Message: "at most 200 characters"})
		}
		upd.Name = &n
	}
	if upd.Role != nil && !opentalent.ValidRole(*upd.Role) {
		return opentalent.Invalid("role must be Teacher, Coach or Admin", opentalent.FieldError{Field: "role", Message: "must be Teacher, Coach or Admin"})
	}
	if upd.Status != nil && !opentalent.ValidStatus(*upd.Status) {
		return opentalent.Invalid("status must be Invited, Active or Inactive", opentalent.FieldError{Field: "status", Message: "must be Invited, Active or Inactive"})
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		u, err := findUser(ctx, tx, s, email)
		if err != nil {
			return err
		}
		var want groupSet
		if upd.Groups != nil {
			if want, err = groupSetOf(ctx, tx, u.SystemID, *upd.Groups); err != nil {
				return err
			}
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.Status != nil {
			u.Status = *upd.Status
		}
		if upd.Role != nil && *upd.Role != u.Role {
			if err := db.notify(ctx, tx, u.ID, fmt.Sprintf("Your role changed from %s to %s.", u.Role, *upd.Role)); err != nil {
				return err
			}
			u.Role = *upd.Role
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, role = $2, status = $3 WHERE id = $4`, u.Name, u.Role, u.Status, u.ID); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if want == nil {
			return nil
		}
		have, err := db.userGroupSet(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return db.setMembership(ctx, tx, u.ID, have, want)
	})
}

// SetUsersGroups sets, adds or removes the named groups of many users of one
// system. Every email and every group must exist there.
func (db *DB) SetUsersGroups(ctx context.Context, s opentalent.Scope, systemID string, emails, groups []string, mode string) error {
	if mode == "" {
		mode = opentalent.ModeReplace
	}
	if mode != opentalent.ModeReplace && mode != opentalent.ModeAdd && mode != opentalent.ModeRemove {
		return opentalent.Invalid("mode must be replace, add or remove", opentalent.FieldError{Field: "mode", Message: "must be replace, add or remove"})
	}
	if len(emails) == 0 || len(emails) > MaxGroupEmails {
		msg := fmt.Sprintf("emails must list 1 to %d users", MaxGroupEmails)
		return opentalent.Invalid(msg, opentalent.FieldError{Field: "emails", Message: msg})
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		sys, err := systemInScope(ctx, tx, s, systemID)
		if err != nil {
			return err
		}
		named, err := groupSetOf(ctx, tx, sys.ID, groups)
		if err != nil {
			return err
		}
		scope := opentalent.Scope{NetworkID: sys.NetworkID, SystemID: sys.ID}
		var users []*opentalent.User
		var unknown []string
		for _, e := range emails {
			u, err := findUser(ctx, tx, scope, e)
			if opentalent.ErrorCode(err) == opentalent.ENOTFOUND {
				unknown = append(unknown, e)
				continue
			}
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		if len(unknown) > 0 {
			return opentalent.Invalid("unknown users: "+strings.Join(unknown, ", "), opentalent.FieldError{Field: "emails", Message: "these users do not exist: " + strings.Join(unknown, ", ")})
		}
		for _, u := range users {
			have, err := db.userGroupSet(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			want := groupSet{}
			switch mode {
			case opentalent.ModeReplace:
				want = named
			case opentalent.ModeAdd:
				maps.Copy(want, have)
				maps.Copy(want, named)
			case opentalent.ModeRemove:
				for id, n := range have {
					if _, drop := named[id]; !drop {
						want[id] = n
					}
				}
			}
			if err := db.setMembership(ctx, tx, u.ID, have, want); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindUserGroups returns one page of a user's group names, by name.
func (db *DB) FindUserGroups(ctx context.Context, s opentalent.Scope, email string, p opentalent.Page) ([]string, int, error) {
	u, err := findUser(ctx, db.Read, s, email)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM user_groups WHERE user_id = $1`, u.ID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count user groups: %w", err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = $1 ORDER BY g.name_key`+db.collate()+`, g.id LIMIT $2 OFFSET $3`,
		u.ID, p.Limit, p.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("find user groups: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	return out, total, rows.Err()
}

// FindNotifications returns one page of a user's notifications, newest first.
func (db *DB) FindNotifications(ctx context.Context, s opentalent.Scope, email string, p opentalent.Page) ([]opentalent.Notification, int, error) {
	u, err := findUser(ctx, db.Read, s, email)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1`, u.ID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", err)
	}
	rows, err := db.Read.QueryContext(ctx, `SELECT id, message, created_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
		u.ID, p.Limit, p.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("find notifications: %w", err)
	}
	defer rows.Close()
	out := []opentalent.Notification{}
	for rows.Next() {
		var n opentalent.Notification
		var at int64
		if err := rows.Scan(&n.ID, &n.Message, &at); err != nil {
			return nil, 0, err
		}
		n.CreatedAt = millisTime(at)
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// Invitation is what an invitation email needs to know.
type Invitation struct {
	Email, Name, Status, SystemName string
}

// FindInvitation returns the invitation details of a user by id. It is for
// the job that sends invitations, which acts for the installation, not for a
// tenant's token.
func (db *DB) FindInvitation(ctx context.Context, userID string) (*Invitation, error) {
	var in Invitation
	err := db.Read.QueryRowContext(ctx, `SELECT u.email, u.name, u.status, s.name FROM users u JOIN systems s ON s.id = u.system_id WHERE u.id = $1`, userID).
		Scan(&in.Email, &in.Name, &in.Status, &in.SystemName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	return &in, nil
}

// NotifyUser writes a notification for a user by id; for jobs acting for
// the installation.
func (db *DB) NotifyUser(ctx context.Context, userID, message string) error {
	return db.notify(ctx, db.Write, userID, message)
}
