package opentalent

import (
	"context"
	"encoding/json"
	"time"
)

// MaxEventsPerCall caps one POST /activities.
const MaxEventsPerCall = 5000

// IngestFailure is one event of a batch that was not stored.
type IngestFailure struct {
	Index int
	ID    string
	Error string
}

// IngestResult lists the ids of the events stored (or already present) and
// the events refused, each with a reason.
type IngestResult struct {
	Successes []string
	Failures  []IngestFailure
}

// ActivityService stores activity events.
type ActivityService interface {
	// IngestEvents validates and stores events inside s. Events already
	// stored (same system and _id) count as successes and change nothing.
	IngestEvents(ctx context.Context, s Scope, events []Event) (*IngestResult, error)
}

// Report request statuses.
const (
	ReportPending  = "pending"
	ReportComplete = "complete"
	ReportFailed   = "failed"
	ReportExpired  = "expired"
)

// ReportBuilder is the report type of saved Report Builder reports.
const ReportBuilder = "reportBuilder"

// ReportRequest is one asked-for report and what became of it.
type ReportRequest struct {
	ID            string
	NetworkID     string
	SystemID      string
	TokenID       string
	RunAsUserID   string
	Report        string
	FilterOptions json.RawMessage
	SavedReportID string
	Status        string
	Progress      int
	RowCount      *int64
	Error         string
	BlobKey       string
	CreatedAt     time.Time
	CompletedAt   *time.Time
	ExpiresAt     *time.Time
}

// ReportArgs is the durable job that produces one report.
type ReportArgs struct {
	RequestID string `json:"requestId"`
}

// Kind names the job for the queue.
func (ReportArgs) Kind() string { return "report" }

// BuilderFilter is a Report Builder filter model (SPEC §9).
type BuilderFilter struct {
	TypeAliases []string `json:"typeAliases,omitempty"`
	StartTime   *int64   `json:"startTime,omitempty"`
	EndTime     *int64   `json:"endTime,omitempty"`
	LastDays    *int     `json:"lastDays,omitempty"`
	GroupIDs    []string `json:"groupIds,omitempty"`
	UserEmails  []string `json:"userEmails,omitempty"`
	SystemIDs   []string `json:"systemIds,omitempty"`
	Columns     []string `json:"columns,omitempty"`
}

// BuilderColumns are the columns a Report Builder report may show, in
// their default order.
var BuilderColumns = []string{"_id", "userId", "userName", "email", "systemId", "systemName", "timestamp", "typeAlias", "actionData"}

// SavedReport is a Report Builder report saved by a user.
type SavedReport struct {
	ID          string
	SystemID    string
	OwnerUserID string
	OwnerEmail  string
	Title       string
	FilterModel BuilderFilter
	CreatedAt   time.Time
}

// BuilderRow is one event as the Report Builder shows it.
type BuilderRow struct {
	ID         string          `json:"_id"`
	UserID     string          `json:"userId"`
	UserName   string          `json:"userName"`
	Email      string          `json:"email"`
	SystemID   string          `json:"systemId"`
	SystemName string          `json:"systemName"`
	Timestamp  int64           `json:"timestamp"`
	TypeAlias  string          `json:"typeAlias"`
	ActionData json.RawMessage `json:"actionData"`
}

// ReportViewer is who looks at report requests: a scope, narrowed to the
// requests run as one user when UserID is set (Coaches and Teachers see
// only their own).
type ReportViewer struct {
	Scope  Scope
	UserID string
}

// CatalogueItem is one rubric, learning path, forum... of a system.
type CatalogueItem struct{ ID, Label string }

// ReportService stores report requests and the catalogue behind filters.
type ReportService interface {
	// CreateReportRequest stores a pending request and queues its job.
	CreateReportRequest(ctx context.Context, r *ReportRequest) error
	FindReportRequest(ctx context.Context, v ReportViewer, id string) (*ReportRequest, error)
	FindReportRequests(ctx context.Context, v ReportViewer, p Page) ([]ReportRequest, int, error)
	// ReportFiles returns the object keys of a complete report's CSV and
	// JSON preview, and whether the preview was cut short.
	ReportFiles(ctx context.Context, id string) (csvKey, dataKey string, truncated bool, err error)
	// FindCatalogue lists a system's items of one kind (rubric, forum...).
	FindCatalogue(ctx context.Context, systemID, kind string) ([]CatalogueItem, error)
	// FindGroupIDs returns which of ids are groups of the system.
	FindGroupIDs(ctx context.Context, systemID string, ids []string) (map[string]bool, error)
}

// ActivityTypes is the activity vocabulary of SPEC §6: the typeAlias values
// the reports understand. Other aliases are stored as they come.
var ActivityTypes = []string{
	"Login", "Video Upload", "Video View", "Video Comment", "Video Tag", "Video Share", "File Upload", "File Download",
	"Observation Completed", "Rubric Score", "Self Assessment Submitted", "Goal Created", "Goal Updated", "Goal Completed",
	"Exemplar Added", "Exemplar View", "Forum Post", "Forum Reply", "Forum View", "Workflow Started",
	"Workflow Step Completed", "Workflow Completed", "Coaching Session", "Learning Path Enrolled",
	"Learning Path Progress", "Learning Path Completed",
}
