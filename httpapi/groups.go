package httpapi

import (
	"net/http"
	"time"

	"github.com/opentalent/opentalent"
)

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	q := r.URL.Query()
	pg, err := page(q)
	if err != nil {
		return err
	}
	scope, err := s.ScopeFor(r.Context(), p, q.Get("systemId"))
	if err != nil {
		return err
	}
	groups, total, err := s.Groups.FindGroups(r.Context(), scope, q.Get("name"), pg)
	if err != nil {
		return err
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	writePage(w, pg, total, "groups", names, nil)
	return nil
}

type groupRequest struct {
	Name     string `json:"name"`
	SystemID string `json:"systemId"`
}

type groupResponse struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req groupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	sys, err := s.SystemFor(r.Context(), p, req.SystemID)
	if err != nil {
		return err
	}
	g, err := s.Groups.CreateGroup(r.Context(), p.Scope(), sys, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, groupResponse{g.ID, g.Name})
	return nil
}

func (s *Server) renameGroup(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req groupRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	systemID := req.SystemID
	if systemID == "" {
		systemID = r.URL.Query().Get("systemId")
	}
	sys, err := s.SystemFor(r.Context(), p, systemID)
	if err != nil {
		return err
	}
	g, err := s.Groups.RenameGroup(r.Context(), p.Scope(), sys, r.PathValue("name"), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupResponse{g.ID, g.Name})
	return nil
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req struct {
		SystemID string `json:"systemId"`
	}
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &req); err != nil {
			return err
		}
	}
	if req.SystemID == "" {
		req.SystemID = r.URL.Query().Get("systemId")
	}
	sys, err := s.SystemFor(r.Context(), p, req.SystemID)
	if err != nil {
		return err
	}
	if err := s.Groups.DeleteGroup(r.Context(), p.Scope(), sys, r.PathValue("name")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, message{"Group deleted successfully."})
	return nil
}

func (s *Server) listSystems(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	q := r.URL.Query()
	pg, err := page(q)
	if err != nil {
		return err
	}
	systems, total, err := s.Tenants.FindSystems(r.Context(), p.Scope(), q.Get("name"), pg)
	if err != nil {
		return err
	}
	out := make([]groupResponse, len(systems))
	for i, sys := range systems {
		out[i] = groupResponse{sys.ID, sys.Name}
	}
	writePage(w, pg, total, "systems", out, nil)
	return nil
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	q := r.URL.Query()
	pg, err := page(q)
	if err != nil {
		return err
	}
	sys, err := s.SystemFor(r.Context(), p, q.Get("systemId"))
	if err != nil {
		return err
	}
	roles, total, err := s.Tenants.FindRoles(r.Context(), p.Scope(), sys, q.Get("name"), pg)
	if err != nil {
		return err
	}
	type role struct {
		ID         string `json:"_id"`
		Name       string `json:"name"`
		Type       string `json:"type"`
		UsersCount int    `json:"usersCount"`
	}
	out := make([]role, len(roles))
	for i, x := range roles {
		out[i] = role{x.ID, x.Name, x.Type, x.UsersCount}
	}
	writePage(w, pg, total, "roles", out, nil)
	return nil
}

func (s *Server) listProfileAttributes(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	sys, err := s.SystemFor(r.Context(), p, r.PathValue("system"))
	if err != nil {
		return err
	}
	attrs, err := s.Tenants.FindProfileAttributes(r.Context(), p.Scope(), sys)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, attrs)
	return nil
}

type tokenRequest struct {
	Kind      string `json:"kind"`
	SystemID  string `json:"systemId"`
	Email     string `json:"email"`
	ExpiresIn string `json:"expiresIn"`
}

// createToken mints system tokens (network tokens only) and user tokens
// (administrators).
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req tokenRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	nt := opentalent.NewToken{Kind: req.Kind}
	if req.ExpiresIn != "" {
		d, err := time.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			return opentalent.Invalid("expiresIn must be a positive duration such as 720h", opentalent.FieldError{Field: "expiresIn", Message: "a positive duration such as 720h"})
		}
		at := time.Now().Add(d)
		nt.ExpiresAt = &at
	}
	switch req.Kind {
	case opentalent.TokenSystem:
		if p.Kind != opentalent.TokenNetwork {
			return opentalent.Errorf(opentalent.EFORBIDDEN, "only network tokens may mint system tokens")
		}
		sys, err := s.SystemFor(r.Context(), p, req.SystemID)
		if err != nil {
			return err
		}
		nt.SystemID = sys
	case opentalent.TokenUser:
		if req.Email == "" {
			return opentalent.Invalid("email is required for user tokens", opentalent.FieldError{Field: "email", Message: "required"})
		}
		nt.UserEmail = req.Email
	default:
		return opentalent.Invalid("kind must be system or user", opentalent.FieldError{Field: "kind", Message: "must be system or user"})
	}
	t, secret, err := s.Tokens.CreateToken(r.Context(), p.Scope(), nt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "kind": t.Kind, "token": secret, "expiresAt": t.ExpiresAt})
	return nil
}

// revokeToken revokes a token in the caller's scope; anyone may revoke the
// token they are using.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	id := r.PathValue("id")
	if id != p.TokenID {
		if err := requireAdmin(p); err != nil {
			return err
		}
	}
	if err := s.Tokens.RevokeToken(r.Context(), p.Scope(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
