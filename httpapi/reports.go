package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/opentalent/opentalent"
	"github.com/opentalent/opentalent/report"
)

// CSVLinkTTL is how long a csvDownloadUrl works (at most until the report
// itself expires).
const CSVLinkTTL = time.Hour

func (s *Server) reportRoutes() []route {
	return []route{
		{"GET /api/v2/reports/filterOptions", s.filterOptions},
		{"POST /api/v2/reports", s.createReport},
		{"GET /api/v2/reports", s.listReports},
		{"GET /api/v2/reports/{reportId}", s.getReport},
	}
}

// reportViewer is who looks at report requests: administrators see every
// request in their scope, Coaches and Teachers the ones run as themselves.
func reportViewer(p *opentalent.Principal) opentalent.ReportViewer {
	v := opentalent.ReportViewer{Scope: p.Scope()}
	if !p.IsAdmin() {
		v.UserID = p.User.ID
	}
	return v
}

type option struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type filterOption struct {
	Label   string   `json:"label"`
	Value   string   `json:"value"`
	Options []option `json:"options"`
}

func fixedOptions(values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{v, v}
	}
	return out
}

// commonFilters are the filters every report takes; the first two are
// required.
var commonFilters = []string{"startTime", "endTime", "groupIds", "roles", "userEmails"}

func (s *Server) filterOptions(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireDirectory(p); err != nil {
		return err
	}
	sys, err := s.SystemFor(r.Context(), p, r.URL.Query().Get("systemId"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	catalogue := func(kind string, fixed ...string) ([]option, error) {
		items, err := s.Reports.FindCatalogue(ctx, sys, kind)
		if err != nil {
			return nil, err
		}
		out := fixedOptions(fixed...)
		for _, it := range items {
			if !slices.Contains(fixed, it.ID) {
				out = append(out, option{it.Label, it.ID})
			}
		}
		return out, nil
	}
	opts := map[string]filterOption{}
	for _, c := range []struct{ key, label, kind string }{
		{report.FilterRubricID, "Rubrics", "rubric"},
		{report.FilterLearningPathID, "Learning paths", "learningPath"},
		{report.FilterForumID, "Forums", "forum"},
		{report.FilterWorkflowID, "Workflows", "workflow"},
		{report.FilterGoalType, "Goal types", "goalType"},
	} {
		o, err := catalogue(c.kind)
		if err != nil {
			return err
		}
		opts[c.key] = filterOption{c.label, c.key, o}
	}
	obs, err := catalogue("observationType", "Formal", "Informal", "Walkthrough")
	if err != nil {
		return err
	}
	opts[report.FilterObservationType] = filterOption{"Observation types", report.FilterObservationType, obs}
	groups, err := s.allGroups(ctx, p, sys)
	if err != nil {
		return err
	}
	opts["groupIds"] = filterOption{"Groups", "groupIds", groups}
	opts["roles"] = filterOption{"Roles", "roles", fixedOptions(opentalent.RoleTeacher, opentalent.RoleCoach, opentalent.RoleAdmin)}
	opts[report.FilterTypeAliases] = filterOption{"Activity types", report.FilterTypeAliases, fixedOptions(opentalent.ActivityTypes...)}
	opts[report.FilterStatus] = filterOption{"User status", report.FilterStatus, fixedOptions(opentalent.StatusInvited, opentalent.StatusActive, opentalent.StatusInactive)}

	type accepted struct {
		Accepted []string `json:"accepted"`
		Required []string `json:"required"`
	}
	reports := map[string]accepted{}
	for _, name := range report.Names() {
		def, _ := report.Lookup(name)
		reports[name] = accepted{append(slices.Clone(commonFilters), def.Accepted...), append([]string{"startTime", "endTime"}, def.Required...)}
	}
	reports[opentalent.ReportBuilder] = accepted{[]string{"reportId"}, []string{"reportId"}}
	writeJSON(w, http.StatusOK, map[string]any{"filterOptions": opts, "reports": reports})
	return nil
}

// allGroups lists every group of a system as filter options.
func (s *Server) allGroups(ctx context.Context, p *opentalent.Principal, systemID string) ([]option, error) {
	scope := opentalent.Scope{NetworkID: p.NetworkID, SystemID: systemID}
	out := []option{}
	for n := 1; ; n++ {
		groups, total, err := s.Groups.FindGroups(ctx, scope, "", opentalent.Page{Number: n, Limit: opentalent.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			out = append(out, option{g.Name, g.ID})
		}
		if n*opentalent.MaxPageLimit >= total {
			return out, nil
		}
	}
}

type createReportRequest struct {
	Report        string          `json:"report"`
	FilterOptions json.RawMessage `json:"filterOptions"`
	ReportID      string          `json:"reportId"`
	Email         string          `json:"email"`
}

func (s *Server) createReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if !p.CanReadDirectory() {
		return errForbidden
	}
	var req createReportRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	hasFilter := len(req.FilterOptions) > 0 && !bytes.Equal(req.FilterOptions, []byte("null"))
	if req.Report == opentalent.ReportBuilder {
		return s.createBuilderReport(w, r, p, req, hasFilter)
	}
	def, ok := report.Lookup(req.Report)
	if !ok {
		valid := append(report.Names(), opentalent.ReportBuilder)
		msg := "report is required"
		if req.Report != "" {
			msg = fmt.Sprintf("unknown report %q", req.Report)
		}
		return opentalent.Invalid(msg+"; one of: "+strings.Join(valid, ", "), opentalent.FieldError{Field: "report", Message: "must be one of " + strings.Join(valid, ", ")})
	}
	var fields []opentalent.FieldError
	if req.ReportID != "" {
		fields = append(fields, opentalent.FieldError{Field: "reportId", Message: "reportId is only for reportBuilder reports; other reports take filterOptions"})
	}
	if !hasFilter {
		fields = append(fields, opentalent.FieldError{Field: "filterOptions", Message: "filterOptions is required for " + def.Name + " reports"})
	}
	if req.Email == "" {
		fields = append(fields, opentalent.FieldError{Field: "email", Message: "email of the user to run the report as is required for " + def.Name + " reports"})
	}
	if len(fields) > 0 {
		return opentalent.Invalid(fields[0].Message, fields...)
	}
	filter, err := report.ParseOptions(req.FilterOptions, def)
	if err != nil {
		return err
	}
	runAs, err := s.Users.FindUserByEmail(r.Context(), p.Scope(), req.Email)
	if err != nil {
		return err
	}
	if !p.IsAdmin() && !p.IsUser(runAs.ID) {
		return opentalent.Errorf(opentalent.EFORBIDDEN, "a Coach may run reports only as themselves")
	}
	known, err := s.Reports.FindGroupIDs(r.Context(), runAs.SystemID, filter.GroupIDs)
	if err != nil {
		return err
	}
	var unknown []string
	for _, g := range filter.GroupIDs {
		if !known[g] {
			unknown = append(unknown, g)
		}
	}
	if len(unknown) > 0 {
		return opentalent.Invalid("unknown groupIds: "+strings.Join(unknown, ", "), opentalent.FieldError{Field: "filterOptions.groupIds", Message: "not groups of the system: " + strings.Join(unknown, ", ")})
	}
	var compact bytes.Buffer
	json.Compact(&compact, req.FilterOptions)
	rr := &opentalent.ReportRequest{
		NetworkID: p.NetworkID, SystemID: runAs.SystemID, TokenID: p.TokenID, RunAsUserID: runAs.ID,
		Report: def.Name, FilterOptions: compact.Bytes(),
	}
	if err := s.Reports.CreateReportRequest(r.Context(), rr); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"insightsReportRequestId": rr.ID})
	return nil
}

type reportSummary struct {
	ReportID    string     `json:"reportId"`
	Report      string     `json:"report"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"createdAt"`
	CompletedAt *time.Time `json:"completedAt"`
}

func (s *Server) listReports(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if !p.CanReadDirectory() {
		return errForbidden
	}
	pg, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	reqs, total, err := s.Reports.FindReportRequests(r.Context(), reportViewer(p), pg)
	if err != nil {
		return err
	}
	out := make([]reportSummary, len(reqs))
	for i, rr := range reqs {
		out[i] = reportSummary{rr.ID, rr.Report, rr.Status, rr.CreatedAt, rr.CompletedAt}
	}
	writePage(w, pg, total, "reports", out, nil)
	return nil
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if !p.CanReadDirectory() {
		return errForbidden
	}
	rr, err := s.Reports.FindReportRequest(r.Context(), reportViewer(p), r.PathValue("reportId"))
	if err != nil {
		return err
	}
	out := map[string]any{"reportId": rr.ID, "status": rr.Status, "report": rr.Report}
	if len(rr.FilterOptions) > 0 {
		out["filterOptions"] = rr.FilterOptions
	}
	if rr.SavedReportID != "" {
		out["savedReportId"] = rr.SavedReportID
	}
	switch rr.Status {
	case opentalent.ReportPending:
		out["progress"] = rr.Progress
		writeJSON(w, http.StatusAccepted, out)
	case opentalent.ReportFailed:
		out["error"] = rr.Error
		writeJSON(w, http.StatusInternalServerError, out)
	case opentalent.ReportExpired:
		return opentalent.Errorf(opentalent.EGONE, "report %s expired and its files were deleted; request it again", rr.ID)
	default:
		_, dataKey, truncated, err := s.Reports.ReportFiles(r.Context(), rr.ID)
		if err != nil {
			return err
		}
		out["rowCount"] = rr.RowCount
		out["completedAt"] = rr.CompletedAt
		out["csvDownloadUrl"] = s.csvURL(r, rr)
		if rr.Report != opentalent.ReportBuilder {
			data, err := s.Bucket.ReadAll(r.Context(), dataKey)
			if err != nil {
				return fmt.Errorf("read report preview: %w", err)
			}
			out["reportData"] = json.RawMessage(data)
			out["reportDataTruncated"] = truncated
		}
		writeJSON(w, http.StatusOK, out)
	}
	return nil
}

// publicURL is the configured public base URL, or one built from the
// request when none is configured.
func (s *Server) publicURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) signCSV(id string, expires int64) string {
	m := hmac.New(sha256.New, s.SigningKey)
	fmt.Fprintf(m, "%s\n%d", id, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// csvURL returns a signed link to a report's CSV, valid for CSVLinkTTL or
// until the report expires, whichever is sooner.
func (s *Server) csvURL(r *http.Request, rr *opentalent.ReportRequest) string {
	exp := time.Now().Add(CSVLinkTTL)
	if rr.ExpiresAt != nil && rr.ExpiresAt.Before(exp) {
		exp = *rr.ExpiresAt
	}
	e := exp.Unix()
	return fmt.Sprintf("%s/api/v2/reports/%s/csv?expires=%d&signature=%s", s.publicURL(r), rr.ID, e, s.signCSV(rr.ID, e))
}

// downloadCSV serves a report's CSV to whoever holds a valid signed link;
// no bearer token is needed. A tampered or expired link is a 403.
func (s *Server) downloadCSV(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("reportId")
	if r.PathValue("file") != "csv" {
		s.Error(w, r, opentalent.Errorf(opentalent.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path))
		return
	}
	q := r.URL.Query()
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	sig, herr := hex.DecodeString(q.Get("signature"))
	if err != nil || herr != nil || !hmac.Equal(sig, mustHex(s.signCSV(id, expires))) {
		s.Error(w, r, opentalent.Errorf(opentalent.EFORBIDDEN, "the download link is invalid"))
		return
	}
	if time.Now().Unix() > expires {
		s.Error(w, r, opentalent.Errorf(opentalent.EFORBIDDEN, "the download link has expired; get a new one from GET /api/v2/reports/%s", id))
		return
	}
	csvKey, _, _, err := s.Reports.ReportFiles(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rd, err := s.Bucket.NewReader(r.Context(), csvKey, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		s.Error(w, r, opentalent.Errorf(opentalent.ENOTFOUND, "report file not found"))
		return
	}
	if err != nil {
		s.Error(w, r, fmt.Errorf("open report csv: %w", err))
		return
	}
	defer rd.Close()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, id))
	w.Header().Set("Content-Length", strconv.FormatInt(rd.Size(), 10))
	if _, err := io.Copy(w, rd); err != nil && !errors.Is(err, context.Canceled) {
		s.Logger.Warn("csv download interrupted", "report", id, "err", err)
	}
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// createBuilderReport queues the CSV export of a saved Report Builder
// report, which runs as the saved report's owner.
func (s *Server) createBuilderReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal, req createReportRequest, hasFilter bool) error {
	var fields []opentalent.FieldError
	if hasFilter {
		fields = append(fields, opentalent.FieldError{Field: "filterOptions", Message: "filterOptions are not accepted for reportBuilder reports; save the report and pass its reportId"})
	}
	if req.ReportID == "" {
		fields = append(fields, opentalent.FieldError{Field: "reportId", Message: "reportId of a saved report is required for reportBuilder reports"})
	}
	if len(fields) > 0 {
		return opentalent.Invalid(fields[0].Message, fields...)
	}
	saved, err := s.Builder.FindSavedReportByID(r.Context(), opentalent.ViewerOf(p), req.ReportID)
	if err != nil {
		return err
	}
	rr := &opentalent.ReportRequest{
		NetworkID: p.NetworkID, SystemID: saved.SystemID, TokenID: p.TokenID, RunAsUserID: saved.OwnerUserID,
		Report: opentalent.ReportBuilder, SavedReportID: saved.ID,
	}
	if err := s.Reports.CreateReportRequest(r.Context(), rr); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"insightsReportRequestId": rr.ID})
	return nil
}
