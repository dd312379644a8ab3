package httpapi

import (
	"net/http"
	"time"

	"github.com/opentalent/opentalent"
)

// builderRoutes are the Report Builder routes: saved reports and paginated
// rows.
func (s *Server) builderRoutes() []route {
	return []route{
		{"GET /api/v2/reports/saved", s.listSavedReports},
		{"POST /api/v2/reports/saved", s.createSavedReport},
		{"GET /api/v2/reports/saved/{id}", s.getSavedReport},
		{"DELETE /api/v2/reports/saved/{id}", s.deleteSavedReport},
		{"POST /api/v2/reports/reportBuilder/data", s.queryReportBuilderData},
	}
}

// requireBuilder lets administrators and Coaches use the Report Builder;
// Teachers may read only their own user, groups and notifications.
func requireBuilder(p *opentalent.Principal) error {
	if !p.IsAdmin() && p.User.Role != opentalent.RoleCoach {
		return errForbidden
	}
	return nil
}

type savedReportResponse struct {
	ID          string                   `json:"_id"`
	Title       string                   `json:"title"`
	OwnerEmail  string                   `json:"ownerEmail"`
	SystemID    string                   `json:"systemId"`
	FilterModel opentalent.BuilderFilter `json:"filterModel"`
	CreatedAt   time.Time                `json:"createdAt"`
}

func savedReportOf(r *opentalent.SavedReport) savedReportResponse {
	return savedReportResponse{ID: r.ID, Title: r.Title, OwnerEmail: r.OwnerEmail, SystemID: r.SystemID, FilterModel: r.FilterModel, CreatedAt: r.CreatedAt.UTC()}
}

func (s *Server) listSavedReports(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireBuilder(p); err != nil {
		return err
	}
	pg, err := page(r.URL.Query())
	if err != nil {
		return err
	}
	reports, total, err := s.Builder.FindSavedReports(r.Context(), opentalent.ViewerOf(p), pg)
	if err != nil {
		return err
	}
	out := make([]savedReportResponse, len(reports))
	for i := range reports {
		out[i] = savedReportOf(&reports[i])
	}
	writePage(w, pg, total, "savedReports", out, nil)
	return nil
}

type savedReportRequest struct {
	Title       string                    `json:"title"`
	FilterModel *opentalent.BuilderFilter `json:"filterModel"`
	SystemID    string                    `json:"systemId"`
	OwnerEmail  string                    `json:"ownerEmail"`
}

func (s *Server) createSavedReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireBuilder(p); err != nil {
		return err
	}
	var req savedReportRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.FilterModel == nil {
		return opentalent.Invalid("filterModel is required", opentalent.FieldError{Field: "filterModel", Message: "required"})
	}
	sr, err := s.Builder.CreateSavedReport(r.Context(), opentalent.ViewerOf(p), opentalent.NewSavedReport{
		SystemID: req.SystemID, OwnerEmail: req.OwnerEmail, Title: req.Title, FilterModel: *req.FilterModel,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, savedReportOf(sr))
	return nil
}

func (s *Server) getSavedReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireBuilder(p); err != nil {
		return err
	}
	sr, err := s.Builder.FindSavedReportByID(r.Context(), opentalent.ViewerOf(p), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, savedReportOf(sr))
	return nil
}

func (s *Server) deleteSavedReport(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireBuilder(p); err != nil {
		return err
	}
	if err := s.Builder.DeleteSavedReport(r.Context(), opentalent.ViewerOf(p), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type builderDataRequest struct {
	ReportID      string                    `json:"reportId"`
	FilterOptions *opentalent.BuilderFilter `json:"filterOptions"`
	PageSize      *int                      `json:"pageSize"`
	PageNumber    *int                      `json:"pageNumber"`
}

type builderPagination struct {
	PageNumber int `json:"pageNumber"`
	PageSize   int `json:"pageSize"`
	TotalCount int `json:"totalCount"`
	TotalPages int `json:"totalPages"`
}

type builderDataResponse struct {
	ReportData       []opentalent.BuilderRow `json:"reportData"`
	Pagination       builderPagination       `json:"pagination"`
	ReportID         *string                 `json:"reportId"`
	SavedReportTitle *string                 `json:"savedReportTitle"`
}

// queryReportBuilderData serves one page of Report Builder rows, from a
// saved report (run as its owner) or from filter options (run as the caller).
func (s *Server) queryReportBuilderData(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireBuilder(p); err != nil {
		return err
	}
	var req builderDataRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if (req.ReportID == "") == (req.FilterOptions == nil) {
		return opentalent.Invalid("You must provide either reportId or filterOptions, but not both.",
			opentalent.FieldError{Field: "reportId", Message: "exactly one of reportId and filterOptions is required"},
			opentalent.FieldError{Field: "filterOptions", Message: "exactly one of reportId and filterOptions is required"})
	}
	pageNumber, pageSize := 1, opentalent.BuilderDefaultPageSize
	if req.PageNumber != nil {
		pageNumber = *req.PageNumber
	}
	if req.PageSize != nil {
		pageSize = *req.PageSize
	}
	if err := opentalent.ValidateBuilderPage(pageNumber, pageSize); err != nil {
		return err
	}
	res := builderDataResponse{Pagination: builderPagination{PageNumber: pageNumber, PageSize: pageSize}}
	viewer, filter := opentalent.ViewerOf(p), req.FilterOptions
	if req.ReportID != "" {
		sr, err := s.Builder.FindSavedReportByID(r.Context(), viewer, req.ReportID)
		if err != nil {
			return err
		}
		if viewer, err = s.Builder.SavedReportViewer(r.Context(), sr); err != nil {
			return err
		}
		filter, res.ReportID, res.SavedReportTitle = &sr.FilterModel, &sr.ID, &sr.Title
	}
	rows, total, err := s.Builder.QueryBuilder(r.Context(), viewer, *filter, pageNumber, pageSize)
	if err != nil {
		return err
	}
	res.ReportData = rows
	res.Pagination.TotalCount = total
	res.Pagination.TotalPages = (total + pageSize - 1) / pageSize
	writeJSON(w, http.StatusOK, res)
	return nil
}
