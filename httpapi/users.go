package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/opentalent/opentalent"
)

func (s *Server) userRoutes() []route {
	return []route{
		{"GET /api/v2/users", s.listUsers},
		{"POST /api/v2/users", s.createUser},
		{"POST /api/v2/users/bulk", s.createUsers},
		{"PUT /api/v2/users/groups", s.setUsersGroups},
		{"GET /api/v2/users/{email}", s.getUser},
		{"PUT /api/v2/users/{email}", s.updateUser},
		{"GET /api/v2/users/{email}/groups", s.listUserGroups},
		{"GET /api/v2/users/{email}/notifications", s.listNotifications},
		{"GET /api/v2/groups", s.listGroups},
		{"POST /api/v2/groups", s.createGroup},
		{"PUT /api/v2/groups/{name}", s.renameGroup},
		{"DELETE /api/v2/groups/{name}", s.deleteGroup},
		{"GET /api/v2/systems", s.listSystems},
		{"GET /api/v2/roles", s.listRoles},
		{"GET /api/v2/systems/{system}/profileAttributes", s.listProfileAttributes},
		{"POST /api/v2/tokens", s.createToken},
		{"DELETE /api/v2/tokens/{id}", s.revokeToken},
		{"POST /api/v2/activities", s.ingestActivities},
	}
}

type userSummary struct {
	Email    string     `json:"email"`
	Role     string     `json:"role"`
	Name     string     `json:"name"`
	Status   string     `json:"status"`
	LastSeen *time.Time `json:"lastSeen"`
}

type userDetail struct {
	userSummary
	Groups []string `json:"groups"`
}

func summary(u *opentalent.User) userSummary {
	return userSummary{Email: u.Email, Role: u.Role, Name: u.Name, Status: u.Status, LastSeen: u.LastSeen}
}

type message struct {
	Message string `json:"message"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	q := r.URL.Query()
	pg, err := page(q)
	if err != nil {
		return err
	}
	f := opentalent.UserFilter{Page: pg, Group: q.Get("group"), Query: q.Get("q")}
	if f.Role, err = oneOf(q, "role", opentalent.ValidRole, "Teacher, Coach, Admin"); err != nil {
		return err
	}
	if f.Status, err = oneOf(q, "status", opentalent.ValidStatus, "Invited, Active, Inactive"); err != nil {
		return err
	}
	if f.Scope, err = s.ScopeFor(r.Context(), p, q.Get("systemId")); err != nil {
		return err
	}
	users, total, err := s.Users.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]userSummary, len(users))
	for i := range users {
		out[i] = summary(&users[i])
	}
	writePage(w, pg, total, "users", out, map[string]any{"usersListedCount": len(out)})
	return nil
}

type createUserRequest struct {
	Email          string   `json:"email"`
	Role           string   `json:"role"`
	Name           string   `json:"name"`
	SystemID       string   `json:"systemId"`
	SuppressInvite bool     `json:"suppress_invite"`
	Groups         []string `json:"groups"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req createUserRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	sys, err := s.SystemFor(r.Context(), p, req.SystemID)
	if err != nil {
		return err
	}
	u, err := s.Users.CreateUser(r.Context(), p.Scope(), opentalent.NewUser{
		Email: req.Email, Role: req.Role, Name: req.Name, SystemID: sys, SuppressInvite: req.SuppressInvite, Groups: req.Groups,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"userId": u.ID})
	return nil
}

// MaxBulkInvites caps one bulk create.
const MaxBulkInvites = 10000

type bulkRequest struct {
	Invites []struct {
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"invites"`
	Role           string `json:"role"`
	SuppressInvite bool   `json:"suppress_invite"`
	SystemID       string `json:"systemId"`
}

func (s *Server) createUsers(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req bulkRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Invites == nil {
		return opentalent.Invalid("invites is required", opentalent.FieldError{Field: "invites", Message: "required"})
	}
	if len(req.Invites) > MaxBulkInvites {
		return opentalent.Invalid("at most 10000 invites per request", opentalent.FieldError{Field: "invites", Message: "at most 10000 items"})
	}
	sys, err := s.SystemFor(r.Context(), p, req.SystemID)
	if err != nil {
		return err
	}
	invites := make([]opentalent.NewUser, len(req.Invites))
	for i, in := range req.Invites {
		invites[i] = opentalent.NewUser{Email: in.Email, Name: in.Name}
	}
	res, err := s.Users.CreateUsers(r.Context(), p.Scope(), sys, req.Role, req.SuppressInvite, invites)
	if err != nil {
		return err
	}
	type success struct {
		Email  string `json:"email"`
		UserID string `json:"userId"`
	}
	type failure struct {
		Email string `json:"email"`
		Error string `json:"error"`
	}
	out := struct {
		Successes []success `json:"successes"`
		Failures  []failure `json:"failures"`
	}{Successes: make([]success, len(res.Successes)), Failures: make([]failure, len(res.Failures))}
	for i, u := range res.Successes {
		out.Successes[i] = success{u.Email, u.ID}
	}
	for i, f := range res.Failures {
		out.Failures[i] = failure{f.Email, f.Error}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// findVisibleUser returns the user named in the path if the principal may
// read them: a foreign user is a 404, a neighbour a Teacher may not see a 403.
func (s *Server) findVisibleUser(r *http.Request, p *opentalent.Principal) (*opentalent.User, error) {
	u, err := s.Users.FindUserByEmail(r.Context(), p.Scope(), r.PathValue("email"))
	if err != nil {
		return nil, err
	}
	if !p.CanReadDirectory() && !p.IsUser(u.ID) {
		return nil, errForbidden
	}
	return u, nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	u, err := s.findVisibleUser(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userDetail{userSummary: summary(u), Groups: u.Groups})
	return nil
}

type updateUserRequest struct {
	Name   *string   `json:"name"`
	Role   *string   `json:"role"`
	Status *string   `json:"status"`
	Groups *[]string `json:"groups"`
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req updateUserRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	err := s.Users.UpdateUser(r.Context(), p.Scope(), r.PathValue("email"), opentalent.UserUpdate{Name: req.Name, Role: req.Role, Status: req.Status, Groups: req.Groups})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, message{"User details updated successfully."})
	return nil
}

type usersGroupsRequest struct {
	Emails   []string `json:"emails"`
	Groups   []string `json:"groups"`
	Mode     string   `json:"mode"`
	SystemID string   `json:"systemId"`
}

func (s *Server) setUsersGroups(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req usersGroupsRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Groups == nil {
		return opentalent.Invalid("groups is required", opentalent.FieldError{Field: "groups", Message: "required"})
	}
	sys, err := s.SystemFor(r.Context(), p, req.SystemID)
	if err != nil {
		return err
	}
	if err := s.Users.SetUsersGroups(r.Context(), p.Scope(), sys, req.Emails, req.Groups, req.Mode); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, message{"User groups updated successfully for multiple users."})
	return nil
}

func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	pg, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	email := r.PathValue("email")
	groups, total, err := s.Users.FindUserGroups(r.Context(), p.Scope(), email, pg)
	if err != nil {
		return err // a user outside the scope is a 404
	}
	if !p.CanReadDirectory() && !strings.EqualFold(strings.TrimSpace(email), p.User.Email) {
		return errForbidden
	}
	writePage(w, pg, total, "groups", groups, nil)
	return nil
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	pg, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	u, err := s.Users.FindUserByEmail(r.Context(), p.Scope(), r.PathValue("email"))
	if err != nil {
		return err
	}
	if !p.IsAdmin() && !p.IsUser(u.ID) {
		return errForbidden
	}
	notes, total, err := s.Users.FindNotifications(r.Context(), p.Scope(), u.Email, pg)
	if err != nil {
		return err
	}
	type note struct {
		ID        string    `json:"id"`
		Message   string    `json:"message"`
		Timestamp time.Time `json:"timestamp"`
	}
	out := make([]note, len(notes))
	for i, n := range notes {
		out[i] = note{n.ID, n.Message, n.CreatedAt}
	}
	writePage(w, pg, total, "notifications", out, nil)
	return nil
}
