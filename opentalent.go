package opentalent

import (
	"context"
	"encoding/json"
	"time"
)

// User roles as the API spells them, and the role types of the seed.
const (
	RoleTeacher = "Teacher"
	RoleCoach   = "Coach"
	RoleAdmin   = "Admin"
)

// User statuses.
const (
	StatusInvited  = "Invited"
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// ValidRole reports whether r is one of Teacher, Coach and Admin.
func ValidRole(r string) bool { return r == RoleTeacher || r == RoleCoach || r == RoleAdmin }

// ValidStatus reports whether s is one of Invited, Active and Inactive.
func ValidStatus(s string) bool {
	return s == StatusInvited || s == StatusActive || s == StatusInactive
}

// MaxPageLimit is the largest page a list endpoint returns.
const MaxPageLimit = 1000

// Page selects one page of a list: Number >= 1, 1 <= Limit <= MaxPageLimit.
type Page struct {
	Number int
	Limit  int
}

// Offset is the number of items before the page.
func (p Page) Offset() int { return (p.Number - 1) * p.Limit }

// PageCount is the number of pages total items fill.
func (p Page) PageCount(total int) int {
	if p.Limit <= 0 {
		return 0
	}
	return (total + p.Limit - 1) / p.Limit
}

// Scope is the tenant a store call is confined to: one system when SystemID
// is set, otherwise every system of NetworkID. Every store read and write
// takes one, and every query puts it in its WHERE clause.
type Scope struct {
	NetworkID string
	SystemID  string
}

// Network owns systems.
type Network struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// System is a tenant: a district or organisation.
type System struct {
	ID        string
	NetworkID string
	Name      string
	CreatedAt time.Time
}

// User is a member of one system.
type User struct {
	ID        string
	SystemID  string
	Email     string
	Name      string
	Role      string
	Status    string
	LastSeen  *time.Time
	CreatedAt time.Time
	Groups    []string
}

// Role is one of the three roles each system starts with.
type Role struct {
	ID         string
	Name       string
	Type       string
	UsersCount int
}

// Group is a named set of users of one system.
type Group struct {
	ID       string
	SystemID string
	Name     string
}

// ProfileAttributeOption is one answer a profile attribute offers.
type ProfileAttributeOption struct {
	Label string `json:"label"`
}

// ProfileAttribute is a question asked of a system's users.
type ProfileAttribute struct {
	ID                string                   `json:"-"`
	Label             string                   `json:"label"`
	CreatedByUserName string                   `json:"createdByUserName"`
	ViewableBy        []string                 `json:"viewableBy"`
	Question          string                   `json:"question"`
	Required          bool                     `json:"required"`
	For               []string                 `json:"for"`
	Options           []ProfileAttributeOption `json:"options"`
}

// Notification is a message for one user.
type Notification struct {
	ID        string
	Message   string
	CreatedAt time.Time
}

// Token kinds.
const (
	TokenNetwork = "network"
	TokenSystem  = "system"
	TokenUser    = "user"
)

// Token is a bearer credential. Its secret is shown once, at creation, and
// only its hash is kept.
type Token struct {
	ID        string
	Kind      string
	NetworkID string
	SystemID  string
	UserID    string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// NewToken describes a token to mint.
type NewToken struct {
	Kind      string
	NetworkID string
	SystemID  string
	UserEmail string
	ExpiresAt *time.Time
}

// Principal is who a request acts as: derived from its bearer token.
type Principal struct {
	TokenID   string
	Kind      string
	NetworkID string
	SystemID  string // empty for network tokens
	User      *User  // set for user tokens
}

// Scope returns the tenant the principal may see.
func (p *Principal) Scope() Scope {
	return Scope{NetworkID: p.NetworkID, SystemID: p.SystemID}
}

// IsAdmin reports whether the principal has administrator rights in its
// scope: network and system tokens, and user tokens of Admins.
func (p *Principal) IsAdmin() bool {
	return p.Kind != TokenUser || p.User.Role == RoleAdmin
}

// CanReadDirectory reports whether the principal may read the users, groups,
// roles and profile attributes of its scope: administrators and Coaches.
func (p *Principal) CanReadDirectory() bool {
	return p.IsAdmin() || p.User.Role == RoleCoach
}

// IsUser reports whether the principal is the user with this id.
func (p *Principal) IsUser(userID string) bool {
	return p.Kind == TokenUser && p.User.ID == userID
}

// UserFilter selects users of a list.
type UserFilter struct {
	Scope  Scope
	Role   string
	Status string
	Group  string
	Query  string
	Page   Page
}

// NewUser is a user to create.
type NewUser struct {
	Email          string
	Name           string
	Role           string
	SystemID       string
	SuppressInvite bool
	Groups         []string
}

// UserUpdate changes some fields of a user; nil fields stay as they are.
type UserUpdate struct {
	Name   *string
	Role   *string
	Status *string
	Groups *[]string
}

// Group membership update modes of PUT /users/groups.
const (
	ModeReplace = "replace"
	ModeAdd     = "add"
	ModeRemove  = "remove"
)

// BulkFailure is one invite of a bulk create that was not made.
type BulkFailure struct {
	Email string
	Error string
}

// BulkResult is the outcome of a bulk create: every invite is in exactly one list.
type BulkResult struct {
	Successes []User
	Failures  []BulkFailure
}

// InviteEmailArgs is the durable job that sends a user their invitation.
type InviteEmailArgs struct {
	UserID string `json:"userId"`
}

// Kind names the job for the queue.
func (InviteEmailArgs) Kind() string { return "invite_email" }

// UserService manages users.
type UserService interface {
	FindUsers(ctx context.Context, f UserFilter) ([]User, int, error)
	FindUserByEmail(ctx context.Context, s Scope, email string) (*User, error)
	CreateUser(ctx context.Context, s Scope, u NewUser) (*User, error)
	CreateUsers(ctx context.Context, s Scope, systemID, role string, suppressInvite bool, invites []NewUser) (*BulkResult, error)
	UpdateUser(ctx context.Context, s Scope, email string, upd UserUpdate) error
	SetUsersGroups(ctx context.Context, s Scope, systemID string, emails, groups []string, mode string) error
	FindUserGroups(ctx context.Context, s Scope, email string, p Page) ([]string, int, error)
	FindNotifications(ctx context.Context, s Scope, email string, p Page) ([]Notification, int, error)
}

// GroupService manages groups.
type GroupService interface {
	FindGroups(ctx context.Context, s Scope, name string, p Page) ([]Group, int, error)
	CreateGroup(ctx context.Context, s Scope, systemID, name string) (*Group, error)
	RenameGroup(ctx context.Context, s Scope, systemID, name, newName string) (*Group, error)
	DeleteGroup(ctx context.Context, s Scope, systemID, name string) error
}

// TenantService manages networks, systems, roles and profile attributes.
type TenantService interface {
	CreateNetwork(ctx context.Context, name string) (*Network, error)
	CreateSystem(ctx context.Context, networkID, name string) (*System, error)
	FindSystems(ctx context.Context, s Scope, name string, p Page) ([]System, int, error)
	// FindSystem returns the system with id inside s; ENOTFOUND otherwise.
	FindSystem(ctx context.Context, s Scope, id string) (*System, error)
	FindRoles(ctx context.Context, s Scope, systemID, name string, p Page) ([]Role, int, error)
	FindProfileAttributes(ctx context.Context, s Scope, systemID string) ([]ProfileAttribute, error)
	SetProfileAttribute(ctx context.Context, s Scope, systemID string, a ProfileAttribute) error
	DeleteProfileAttribute(ctx context.Context, s Scope, systemID, label string) error
}

// TokenService mints, checks and revokes bearer tokens.
type TokenService interface {
	// CreateToken mints a token inside s and returns it with its secret.
	CreateToken(ctx context.Context, s Scope, t NewToken) (*Token, string, error)
	// Authenticate returns the principal of a secret; EUNAUTHORIZED if the
	// secret is unknown, revoked, expired, or its user is inactive.
	Authenticate(ctx context.Context, secret string) (*Principal, error)
	// RevokeToken revokes the token with id inside s.
	RevokeToken(ctx context.Context, s Scope, id string) error
	FindToken(ctx context.Context, s Scope, id string) (*Token, error)
}

// Event is one activity event: the fact table of every Insights report.
type Event struct {
	ID         string          `json:"_id"`
	UserID     string          `json:"userId"`
	SystemID   string          `json:"systemId"`
	Timestamp  int64           `json:"timestamp"`
	TypeAlias  string          `json:"typeAlias"`
	ActionData json.RawMessage `json:"actionData"`
}
