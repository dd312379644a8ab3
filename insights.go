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
