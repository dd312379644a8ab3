// Package httpapi serves the Talent API v2 over HTTP: the route table, the
// handlers, authentication and the mapping of domain errors to RFC 9457
// problem documents.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gocloud.dev/blob"

	"github.com/opentalent/opentalent"
)

// DefaultMaxBodyBytes caps request bodies unless configured otherwise.
const DefaultMaxBodyBytes = 10 << 20

// Server holds the services the API is built on.
type Server struct {
	Users   opentalent.UserService
	Groups  opentalent.GroupService
	Tenants opentalent.TenantService
	Tokens  opentalent.TokenService
	// Builder serves Report Builder saved reports and rows.
	Builder opentalent.BuilderService
	// Activities stores activity events.
	Activities opentalent.ActivityService
	// Reports stores report requests.
	Reports opentalent.ReportService
	// Bucket holds the report files.
	Bucket *blob.Bucket
	// SigningKey signs CSV download links.
	SigningKey []byte
	// PublicURL is the base of the links the API hands out; empty builds
	// them from each request's Host.
	PublicURL string

	// PingFunc reports whether the database answers (readiness).
	PingFunc func(ctx context.Context) error
	// OpenAPIJSON is the contract served at /api/v2/openapi.json.
	OpenAPIJSON []byte
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	Logger       *slog.Logger
	// Registry receives the HTTP metrics; nil uses a private registry.
	Registry *prometheus.Registry

	handler  http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

type route struct {
	pattern string
	h       AuthedHandler
}

// routes is the table of every authenticated route.
func (s *Server) routes() []route {
	return slices.Concat(s.userRoutes(), s.reportRoutes(), s.builderRoutes())
}

// AuthedHandler is a handler that runs for an authenticated principal.
type AuthedHandler func(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error

type ctxKey int

const requestIDKey ctxKey = iota

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// Handler returns the HTTP handler of the API, building it on first use.
func (s *Server) Handler() http.Handler {
	if s.handler != nil {
		return s.handler
	}
	if s.MaxBodyBytes <= 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "talent_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "talent_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	s.Registry.MustRegister(s.requests, s.duration)

	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.authed(rt.h))
	}
	// The signed CSV link needs no bearer token. Its pattern is as wide as
	// /reports/{id}/{file} so that it does not collide with
	// /reports/saved/{id}, which is more specific and wins.
	mux.HandleFunc("GET /api/v2/reports/{reportId}/{file}", s.downloadCSV)
	mux.HandleFunc("GET /api/v2/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.OpenAPIJSON)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if s.PingFunc != nil {
			if err := s.PingFunc(ctx); err != nil {
				s.Logger.Warn("not ready", slog.Any("err", err))
				s.Error(w, r, opentalent.Errorf(opentalent.EUNAVAILABLE, "the database does not answer"))
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, opentalent.Errorf(opentalent.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path))
	})
	s.handler = s.middleware(mux)
	return s.handler
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware gives each request an id, recovers panics as 500s, and records
// metrics by route pattern.
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		rec := &statusRecorder{ResponseWriter: w}
		if err := checkURL(r.URL); err != nil {
			s.Error(rec, r, err)
			s.requests.WithLabelValues("unmatched", http.StatusText(rec.status)).Inc()
			return
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", slog.String("requestId", id), slog.Any("panic", v))
				if rec.status == 0 {
					s.Error(rec, r, opentalent.Errorf(opentalent.EINTERNAL, "internal error"))
				}
			}
			_, pattern := mux.Handler(r)
			if pattern == "" || pattern == "/" {
				pattern = "unmatched"
			}
			s.requests.WithLabelValues(pattern, http.StatusText(rec.status)).Inc()
			s.duration.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
		}()
		mux.ServeHTTP(rec, r)
	})
}

// authed authenticates the bearer token and runs h for its principal.
func (s *Server) authed(h AuthedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			s.Error(w, r, opentalent.Errorf(opentalent.EUNAUTHORIZED, "an Authorization: Bearer <token> header is required"))
			return
		}
		p, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if err := h(w, r, p); err != nil {
			s.Error(w, r, err)
		}
	})
}

var errForbidden = opentalent.Errorf(opentalent.EFORBIDDEN, "this token may not do that")

func requireAdmin(p *opentalent.Principal) error {
	if !p.IsAdmin() {
		return errForbidden
	}
	return nil
}

func requireDirectory(p *opentalent.Principal) error {
	if !p.CanReadDirectory() {
		return errForbidden
	}
	return nil
}

// SystemFor resolves the one system a request acts in: the systemId given,
// which must lie in the principal's scope, or the principal's own system; a
// network token with several systems must name one.
func (s *Server) SystemFor(ctx context.Context, p *opentalent.Principal, systemID string) (string, error) {
	if p.Kind != opentalent.TokenNetwork {
		if systemID != "" && systemID != p.SystemID {
			return "", opentalent.Errorf(opentalent.ENOTFOUND, "system not found")
		}
		return p.SystemID, nil
	}
	if systemID != "" {
		sys, err := s.Tenants.FindSystem(ctx, p.Scope(), systemID)
		if err != nil {
			return "", err
		}
		return sys.ID, nil
	}
	systems, total, err := s.Tenants.FindSystems(ctx, p.Scope(), "", opentalent.Page{Number: 1, Limit: 2})
	if err != nil {
		return "", err
	}
	if total != 1 {
		return "", opentalent.Invalid("systemId is required: this network token covers several systems", opentalent.FieldError{Field: "systemId", Message: "required for network tokens of networks with more than one system"})
	}
	return systems[0].ID, nil
}

// ScopeFor narrows the principal's scope to systemID when one is given.
func (s *Server) ScopeFor(ctx context.Context, p *opentalent.Principal, systemID string) (opentalent.Scope, error) {
	if systemID == "" {
		return p.Scope(), nil
	}
	id, err := s.SystemFor(ctx, p, systemID)
	if err != nil {
		return opentalent.Scope{}, err
	}
	return opentalent.Scope{NetworkID: p.NetworkID, SystemID: id}, nil
}
