package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/opentalent/opentalent"
)

// Options is the filterOptions object of POST /reports, as clients send it.
type Options struct {
	StartTime       *int64   `json:"startTime"`
	EndTime         *int64   `json:"endTime"`
	GroupIDs        []string `json:"groupIds"`
	Roles           []string `json:"roles"`
	UserEmails      []string `json:"userEmails"`
	RubricID        string   `json:"rubricId"`
	GoalType        string   `json:"goalType"`
	ForumID         string   `json:"forumId"`
	WorkflowID      string   `json:"workflowId"`
	ObservationType string   `json:"observationType"`
	LearningPathID  string   `json:"learningPathId"`
	Status          string   `json:"status"`
	TypeAliases     []string `json:"typeAliases"`
}

// extras maps each extra filter key to whether o sets it.
func (o *Options) extras() map[string]bool {
	return map[string]bool{
		FilterRubricID: o.RubricID != "", FilterGoalType: o.GoalType != "", FilterForumID: o.ForumID != "",
		FilterWorkflowID: o.WorkflowID != "", FilterObservationType: o.ObservationType != "",
		FilterLearningPathID: o.LearningPathID != "", FilterStatus: o.Status != "", FilterTypeAliases: len(o.TypeAliases) > 0,
	}
}

// ParseOptions decodes and checks a report's filterOptions: startTime and
// endTime are required, unknown keys and extra filters the report does not
// take are refused, and its required filters must be set.
func ParseOptions(raw []byte, def *Definition) (Filter, error) {
	var o Options
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		msg := "filterOptions must be an object of known filters"
		field := "filterOptions"
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field = "filterOptions." + strings.Trim(name, `"`)
			msg = fmt.Sprintf("unknown filter %s; %s accepts startTime, endTime, groupIds, roles, userEmails%s", strings.Trim(name, `"`), def.Name, acceptedSuffix(def))
		} else if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
			field = "filterOptions." + te.Field
			msg = fmt.Sprintf("filterOptions.%s has the wrong type", te.Field)
		}
		return Filter{}, opentalent.Invalid(msg, opentalent.FieldError{Field: field, Message: msg})
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Filter{}, opentalent.Invalid("filterOptions must be one JSON object")
	}
	var fields []opentalent.FieldError
	bad := func(field, msg string) {
		fields = append(fields, opentalent.FieldError{Field: "filterOptions." + field, Message: msg})
	}
	if o.StartTime == nil {
		bad("startTime", "required (epoch milliseconds, inclusive)")
	}
	if o.EndTime == nil {
		bad("endTime", "required (epoch milliseconds, exclusive)")
	}
	if o.StartTime != nil && o.EndTime != nil && *o.EndTime <= *o.StartTime {
		bad("endTime", "must be after startTime")
	}
	for name, l := range map[string][]string{"groupIds": o.GroupIDs, "roles": o.Roles, "userEmails": o.UserEmails, FilterTypeAliases: o.TypeAliases} {
		if len(l) > opentalent.MaxFilterValues {
			bad(name, fmt.Sprintf("at most %d items", opentalent.MaxFilterValues))
		}
	}
	for _, r := range o.Roles {
		if !opentalent.ValidRole(r) {
			bad("roles", fmt.Sprintf("%q is not one of Teacher, Coach, Admin", r))
		}
	}
	if o.Status != "" && !opentalent.ValidStatus(o.Status) {
		bad("status", "must be one of Invited, Active, Inactive")
	}
	for key, set := range o.extras() {
		if set && !def.Accepts(key) {
			bad(key, fmt.Sprintf("not accepted by report %s", def.Name))
		}
	}
	for _, key := range def.Required {
		if !o.extras()[key] {
			bad(key, fmt.Sprintf("required by report %s", def.Name))
		}
	}
	if len(fields) > 0 {
		slices.SortFunc(fields, func(a, b opentalent.FieldError) int { return strings.Compare(a.Field, b.Field) })
		msgs := make([]string, len(fields))
		for i, f := range fields {
			msgs[i] = f.Field + ": " + f.Message
		}
		return Filter{}, opentalent.Invalid("invalid filterOptions: "+strings.Join(msgs, "; "), fields...)
	}
	return Filter{
		StartTime: *o.StartTime, EndTime: *o.EndTime, GroupIDs: o.GroupIDs, Roles: o.Roles, UserEmails: o.UserEmails,
		RubricID: o.RubricID, GoalType: o.GoalType, ForumID: o.ForumID, WorkflowID: o.WorkflowID,
		ObservationType: o.ObservationType, LearningPathID: o.LearningPathID, Status: o.Status, TypeAliases: o.TypeAliases,
	}, nil
}

func acceptedSuffix(def *Definition) string {
	if len(def.Accepted) == 0 {
		return ""
	}
	return ", " + strings.Join(def.Accepted, ", ")
}
