// Package report is the Insights report catalogue: one Definition per report
// of SPEC §7 (its columns, filters and SQL for both engines), Run to stream a
// report's rows out of the database, and a CSV writer for them.
//
// Adding a report is one change: a register call in the file of its family
// (users.go, rubrics.go, coaching.go, goals.go, content.go, community.go,
// paths.go) with its columns, filters and query. sql.go holds the shared
// pieces: the scoped-users CTE every query starts with, the time window, and
// the few dialect differences (JSON access, ISO weeks, byte-wise ordering).
//
// Report semantics beyond SPEC §7 are decided in each query's doc comment.
package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opentalent/opentalent"
)

// Kind says how a column's values are typed and formatted.
type Kind int

// Column kinds.
const (
	// Text is a string cell.
	Text Kind = iota
	// Int is an integer cell, written without separators.
	Int
	// Decimal is a number written with exactly 2 decimals ("3.50"); empty when NULL.
	Decimal
	// Time is an epoch-millisecond value written as RFC 3339 UTC
	// ("2006-01-02T15:04:05.000Z"); empty when NULL.
	Time
	// JSON is a compact JSON document.
	JSON
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Int:
		return "int"
	case Decimal:
		return "decimal"
	case Time:
		return "time"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Column is one column of a report: its header name and kind.
type Column struct {
	Name string
	Kind Kind
}

// Extra filter keys (SPEC §7 "extra filters"), spelled as filterOptions spells them.
const (
	FilterRubricID        = "rubricId"
	FilterGoalType        = "goalType"
	FilterForumID         = "forumId"
	FilterWorkflowID      = "workflowId"
	FilterObservationType = "observationType"
	FilterLearningPathID  = "learningPathId"
	FilterStatus          = "status"
	FilterTypeAliases     = "typeAliases"
)

// Definition describes one report of the catalogue.
type Definition struct {
	// Name is the report's API name, e.g. "systemPerformance".
	Name string
	// Columns are the CSV header names and kinds, in order.
	Columns []Column
	// Accepted lists the extra filter keys the report applies; others are ignored.
	Accepted []string
	// Required lists the extra filter keys that must be set.
	Required []string

	// query writes the report's SQL for q's engine and parameters, adding its
	// arguments to q.
	query func(q *query) string
}

// Accepts reports whether the report applies the extra filter key.
func (d *Definition) Accepts(key string) bool { return slices.Contains(d.Accepted, key) }

// ColumnNames returns the header row.
func (d *Definition) ColumnNames() []string {
	names := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		names[i] = c.Name
	}
	return names
}

// Validate checks that p can run this report: a system, a run-as user with a
// known role, a time window and every required extra filter.
func (d *Definition) Validate(p Params) error {
	var fields []opentalent.FieldError
	if p.SystemID == "" {
		fields = append(fields, opentalent.FieldError{Field: "systemId", Message: "is required"})
	}
	if p.RunAs.UserID == "" {
		fields = append(fields, opentalent.FieldError{Field: "email", Message: "is required"})
	}
	if !opentalent.ValidRole(p.RunAs.Role) {
		fields = append(fields, opentalent.FieldError{Field: "email", Message: fmt.Sprintf("run-as user has unknown role %q", p.RunAs.Role)})
	}
	if p.Filter.EndTime < p.Filter.StartTime {
		fields = append(fields, opentalent.FieldError{Field: "endTime", Message: "must not be before startTime"})
	}
	for _, key := range d.Required {
		if !p.Filter.has(key) {
			fields = append(fields, opentalent.FieldError{Field: key, Message: "is required for report " + d.Name})
		}
	}
	if len(fields) > 0 {
		return opentalent.Invalid("invalid report parameters", fields...)
	}
	return nil
}

// SQL returns the query text and arguments of the report for engine
// ("sqlite" or "postgres") and p, as Run would execute them.
func (d *Definition) SQL(engine string, p Params) (string, []any, error) {
	if engine != engineSQLite && engine != enginePostgres {
		return "", nil, fmt.Errorf("report %s: unknown engine %q", d.Name, engine)
	}
	if d.query == nil {
		return "", nil, fmt.Errorf("report %s: not a catalogue report", d.Name)
	}
	if err := d.Validate(p); err != nil {
		return "", nil, err
	}
	q := &query{engine: engine, p: p.normalized()}
	text := d.query(q)
	return text, q.args, nil
}

// RunAs is the user a report runs as; Role decides the rows it may contain:
// Admin the whole system, Coach the coach and the members of the coach's
// groups, Teacher the teacher alone.
type RunAs struct {
	UserID string
	Role   string
}

// Filter holds a report's filters. Times are epoch milliseconds: StartTime
// inclusive, EndTime exclusive. Empty lists and strings filter nothing.
type Filter struct {
	StartTime, EndTime int64
	GroupIDs           []string
	Roles              []string
	UserEmails         []string

	RubricID        string
	GoalType        string
	ForumID         string
	WorkflowID      string
	ObservationType string
	LearningPathID  string
	Status          string
	TypeAliases     []string
}

func (f Filter) has(key string) bool {
	switch key {
	case FilterRubricID:
		return f.RubricID != ""
	case FilterGoalType:
		return f.GoalType != ""
	case FilterForumID:
		return f.ForumID != ""
	case FilterWorkflowID:
		return f.WorkflowID != ""
	case FilterObservationType:
		return f.ObservationType != ""
	case FilterLearningPathID:
		return f.LearningPathID != ""
	case FilterStatus:
		return f.Status != ""
	case FilterTypeAliases:
		return len(f.TypeAliases) > 0
	}
	return false
}

// Params are everything a report run depends on.
type Params struct {
	// SystemID is the tenant; every query has it in its WHERE clause.
	SystemID string
	RunAs    RunAs
	Filter   Filter
}

// normalized returns p with user emails trimmed and lower-cased, as they are stored.
func (p Params) normalized() Params {
	if len(p.Filter.UserEmails) > 0 {
		emails := make([]string, len(p.Filter.UserEmails))
		for i, e := range p.Filter.UserEmails {
			emails[i] = strings.ToLower(strings.TrimSpace(e))
		}
		p.Filter.UserEmails = emails
	}
	return p
}

var catalogue = map[string]*Definition{}

// register adds d to the catalogue; called from the family files' init.
func register(d *Definition) {
	if _, dup := catalogue[d.Name]; dup {
		panic("report: duplicate definition " + d.Name)
	}
	for _, k := range d.Required {
		if !d.Accepts(k) {
			panic("report: " + d.Name + " requires unaccepted filter " + k)
		}
	}
	catalogue[d.Name] = d
}

// Lookup returns the definition of the report named name.
func Lookup(name string) (*Definition, bool) {
	d, ok := catalogue[name]
	return d, ok
}

// Names returns the names of every report of the catalogue, sorted.
func Names() []string {
	names := make([]string, 0, len(catalogue))
	for n := range catalogue {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
