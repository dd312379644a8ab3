package opentalent

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Report Builder page sizes (SPEC §9).
const (
	BuilderMinPageSize     = 10
	BuilderMaxPageSize     = 100
	BuilderDefaultPageSize = 50
)

// MaxSavedReportTitle caps a saved report's title, in bytes.
const MaxSavedReportTitle = 200

// MaxLastDays caps a filter model's lastDays (a century).
const MaxLastDays = 36500

// MaxFilterValues caps each list of a report filter or filter model: the
// lists go to the database as parameters, whose number the engines cap.
const MaxFilterValues = 1000

// Viewer is who Report Builder rows are read for: a tenant scope and, for
// user tokens and saved reports, the user whose run-as rule narrows the rows
// (Admin: the whole system; Coach: the coach and the members of the coach's
// groups; Teacher: the teacher alone). RunAs is nil for network and system
// tokens, which see every event of their scope.
type Viewer struct {
	Scope Scope
	RunAs *User
}

// ViewerOf returns the viewer of a principal: its scope and, for user
// tokens, its user.
func ViewerOf(p *Principal) Viewer {
	v := Viewer{Scope: p.Scope()}
	if p.Kind == TokenUser {
		v.RunAs = p.User
	}
	return v
}

// IsAdmin reports whether the viewer sees every saved report and every event
// of its scope: network and system tokens, and Admins.
func (v Viewer) IsAdmin() bool { return v.RunAs == nil || v.RunAs.Role == RoleAdmin }

// NewSavedReport is a Report Builder report to save. OwnerEmail names the
// user the report belongs to and runs as: it is required for network and
// system tokens, defaults to the caller for user tokens, and only Admins may
// name someone other than themselves. SystemID, when set, must be the
// owner's system.
type NewSavedReport struct {
	SystemID    string
	OwnerEmail  string
	Title       string
	FilterModel BuilderFilter
}

// BuilderService stores Report Builder saved reports and reads the activity
// rows a filter model selects.
type BuilderService interface {
	// CreateSavedReport saves a report inside v's scope.
	CreateSavedReport(ctx context.Context, v Viewer, r NewSavedReport) (*SavedReport, error)
	// FindSavedReports returns one page of the saved reports v may see, by
	// title then id, and how many there are: all of the scope for
	// administrators, the reports they own for other users.
	FindSavedReports(ctx context.Context, v Viewer, p Page) ([]SavedReport, int, error)
	// FindSavedReportByID returns a saved report v may see; ENOTFOUND otherwise.
	FindSavedReportByID(ctx context.Context, v Viewer, id string) (*SavedReport, error)
	// DeleteSavedReport deletes a saved report v may see; ENOTFOUND otherwise.
	DeleteSavedReport(ctx context.Context, v Viewer, id string) error
	// SavedReportViewer returns the viewer a saved report runs as: its
	// owner, with the owner's current role, in the report's system.
	SavedReportViewer(ctx context.Context, r *SavedReport) (Viewer, error)
	// QueryBuilder returns page (1-based) of pageSize rows selected by fm for
	// v, ordered by timestamp then ingestion order, and the number of rows
	// across all pages. A page past the end is empty.
	QueryBuilder(ctx context.Context, v Viewer, fm BuilderFilter, page, pageSize int) ([]BuilderRow, int, error)
	// StreamBuilder calls fn with every row selected by fm for v, in the
	// order of QueryBuilder, and stops at fn's first error.
	StreamBuilder(ctx context.Context, v Viewer, fm BuilderFilter, fn func(BuilderRow) error) error
}

// Validate checks the parts of a filter model that need no database:
// columns are known, lastDays is at least 1 and excludes startTime and
// endTime, and startTime is before endTime.
func (f BuilderFilter) Validate() error {
	var fields []FieldError
	for _, l := range []struct {
		name string
		n    int
	}{{"typeAliases", len(f.TypeAliases)}, {"groupIds", len(f.GroupIDs)}, {"userEmails", len(f.UserEmails)}, {"systemIds", len(f.SystemIDs)}, {"columns", len(f.Columns)}} {
		if l.n > MaxFilterValues {
			fields = append(fields, FieldError{Field: l.name, Message: fmt.Sprintf("at most %d items", MaxFilterValues)})
		}
	}
	for _, c := range f.Columns {
		if !slices.Contains(BuilderColumns, c) {
			fields = append(fields, FieldError{Field: "columns", Message: fmt.Sprintf("unknown column %q; columns are %s", c, strings.Join(BuilderColumns, ", "))})
		}
	}
	if f.LastDays != nil {
		if *f.LastDays < 1 || *f.LastDays > MaxLastDays {
			fields = append(fields, FieldError{Field: "lastDays", Message: fmt.Sprintf("must be 1 to %d", MaxLastDays)})
		}
		if f.StartTime != nil || f.EndTime != nil {
			fields = append(fields, FieldError{Field: "lastDays", Message: "cannot be combined with startTime or endTime"})
		}
	}
	if f.StartTime != nil && f.EndTime != nil && *f.StartTime >= *f.EndTime {
		fields = append(fields, FieldError{Field: "endTime", Message: "must be after startTime"})
	}
	if len(fields) == 0 {
		return nil
	}
	msgs := make([]string, len(fields))
	for i, fe := range fields {
		msgs[i] = fe.Field + " " + fe.Message
	}
	return Invalid("invalid filter: "+strings.Join(msgs, "; "), fields...)
}

// ValidateBuilderPage checks a Report Builder page number and size.
func ValidateBuilderPage(page, pageSize int) error {
	var fields []FieldError
	if page < 1 {
		fields = append(fields, FieldError{Field: "pageNumber", Message: "must be at least 1"})
	}
	if pageSize < BuilderMinPageSize || pageSize > BuilderMaxPageSize {
		fields = append(fields, FieldError{Field: "pageSize", Message: fmt.Sprintf("must be between %d and %d", BuilderMinPageSize, BuilderMaxPageSize)})
	}
	if len(fields) == 0 {
		return nil
	}
	msgs := make([]string, len(fields))
	for i, fe := range fields {
		msgs[i] = fe.Field + " " + fe.Message
	}
	return Invalid("invalid pagination: "+strings.Join(msgs, "; "), fields...)
}
