package httpapi

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"

	"github.com/opentalent/opentalent"
)

// ProblemTypeBase prefixes the type URI of every problem document.
const ProblemTypeBase = "https://opentalent.dev/problems/"

var codeStatus = map[string]int{
	opentalent.EINVALID:        http.StatusBadRequest,
	opentalent.EUNAUTHORIZED:   http.StatusUnauthorized,
	opentalent.EFORBIDDEN:      http.StatusForbidden,
	opentalent.ENOTFOUND:       http.StatusNotFound,
	opentalent.EMETHODNOTALLOW: http.StatusMethodNotAllowed,
	opentalent.ECONFLICT:       http.StatusConflict,
	opentalent.EGONE:           http.StatusGone,
	opentalent.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	opentalent.EUNAVAILABLE:    http.StatusServiceUnavailable,
	opentalent.EINTERNAL:       http.StatusInternalServerError,
}

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type   string                  `json:"type"`
	Title  string                  `json:"title"`
	Status int                     `json:"status"`
	Detail string                  `json:"detail"`
	Errors []opentalent.FieldError `json:"errors,omitempty"`
}

// Error writes err as a problem document. Internal errors are logged with the
// request id and shown to the client as "internal error" only.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := opentalent.ErrorCode(err)
	status, ok := codeStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := Problem{Type: ProblemTypeBase + code, Title: http.StatusText(status), Status: status, Detail: opentalent.ErrorMessage(err)}
	if e, ok := err.(*opentalent.Error); ok {
		p.Errors = e.Fields
	}
	if status == http.StatusInternalServerError {
		s.Logger.ErrorContext(r.Context(), "internal error", slog.String("requestId", requestID(r)), slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="talent"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writePage writes one page of a list: the items under key, the seed's
// counters, and any extra fields.
func writePage(w http.ResponseWriter, pg opentalent.Page, total int, key string, items any, extra map[string]any) {
	body := map[string]any{key: items, "pageNumber": pg.Number, "pageCount": pg.PageCount(total), "totalCount": total}
	maps.Copy(body, extra)
	writeJSON(w, http.StatusOK, body)
}
