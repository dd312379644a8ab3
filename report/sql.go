package report

import (
	"strconv"
	"strings"
)

const (
	engineSQLite   = "sqlite"
	enginePostgres = "postgres"
)

// Activity type aliases (SPEC §6) the reports read.
const (
	tLogin            = "Login"
	tVideoUpload      = "Video Upload"
	tVideoView        = "Video View"
	tVideoComment     = "Video Comment"
	tVideoTag         = "Video Tag"
	tVideoShare       = "Video Share"
	tFileUpload       = "File Upload"
	tFileDownload     = "File Download"
	tObservation      = "Observation Completed"
	tRubricScore      = "Rubric Score"
	tSelfAssessment   = "Self Assessment Submitted"
	tGoalCreated      = "Goal Created"
	tGoalUpdated      = "Goal Updated"
	tGoalCompleted    = "Goal Completed"
	tExemplarAdded    = "Exemplar Added"
	tExemplarView     = "Exemplar View"
	tForumPost        = "Forum Post"
	tForumReply       = "Forum Reply"
	tForumView        = "Forum View"
	tWorkflowStarted  = "Workflow Started"
	tWorkflowStep     = "Workflow Step Completed"
	tWorkflowDone     = "Workflow Completed"
	tCoachingSession  = "Coaching Session"
	tPathEnrolled     = "Learning Path Enrolled"
	tPathProgress     = "Learning Path Progress"
	tPathCompleted    = "Learning Path Completed"
	noGroupName       = "(no group)"
	millisPerDay      = 86400000
	jsonNumberPattern = `^[ \t\n\r]*-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?[ \t\n\r]*$`
)

// query builds one report query: it numbers the arguments ($1, $2… work on
// both engines) and hides the few differences between the dialects (JSON
// access, ISO weeks, text collation).
type query struct {
	engine string
	p      Params
	args   []any
}

// arg adds an argument and returns its placeholder. Each use of a value gets
// its own placeholder, so no driver has to resolve repeated ones.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// list returns "(ph1, ph2, …)" for a non-empty list of values.
func (q *query) list(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = q.arg(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

func (q *query) pg() bool { return q.engine == enginePostgres }

// str is the text value of actionData field of the events row alias a, NULL
// when absent.
func (q *query) str(a, field string) string {
	if q.pg() {
		return "(" + a + ".action_data ->> '" + field + "')"
	}
	return "CAST(json_extract(" + a + ".action_data, '$." + field + "') AS TEXT)"
}

// num is the numeric value of actionData field as a double: JSON numbers and
// strings holding a JSON number count; anything else is NULL (never an error).
func (q *query) num(a, field string) string {
	if q.pg() {
		v := "(" + a + ".action_data ->> '" + field + "')"
		return "(CASE jsonb_typeof(" + a + ".action_data -> '" + field + "')" +
			" WHEN 'number' THEN CAST(" + v + " AS DOUBLE PRECISION)" +
			" WHEN 'string' THEN CASE WHEN " + v + " ~ '" + jsonNumberPattern + "' THEN CAST(" + v + " AS DOUBLE PRECISION) END END)"
	}
	path := "'$." + field + "'"
	v := "json_extract(" + a + ".action_data, " + path + ")"
	return "(CASE json_type(" + a + ".action_data, " + path + ")" +
		" WHEN 'integer' THEN CAST(" + v + " AS REAL) WHEN 'real' THEN " + v +
		" WHEN 'text' THEN CASE WHEN json_valid(" + v + ") THEN CASE WHEN json_type(" + v + ") IN ('integer', 'real')" +
		" THEN CAST(" + v + " AS REAL) END END END)"
}

// ord makes a text expression sort byte-wise, as SQLite does by default.
func (q *query) ord(expr string) string {
	if q.pg() {
		return "(" + expr + ") COLLATE \"C\""
	}
	return expr
}

// isoWeek is the ISO week ("2025-W07") of an epoch-millisecond expression, in UTC.
func (q *query) isoWeek(ts string) string {
	if q.pg() {
		return "to_char(to_timestamp(" + ts + " / 1000) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW')"
	}
	return "strftime('%G-W%V', " + ts + " / 1000, 'unixepoch')"
}

// types is the condition that the events row alias a has one of the aliases.
// The aliases are constants of this package, never input.
func types(a string, aliases ...string) string {
	quoted := make([]string, len(aliases))
	for i, t := range aliases {
		quoted[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
	}
	if len(quoted) == 1 {
		return a + ".type_alias = " + quoted[0]
	}
	return a + ".type_alias IN (" + strings.Join(quoted, ", ") + ")"
}

// ifType is 1 when the events row alias a has the alias t, else 0: for SUM.
func ifType(a, t string) string {
	return "CASE WHEN " + types(a, t) + " THEN 1 ELSE 0 END"
}

// system is the tenant condition on the events row alias a.
func (q *query) system(a string) string { return a + ".system_id = " + q.arg(q.p.SystemID) }

// window is the tenant and time-window condition on the events row alias a.
func (q *query) window(a string) string {
	return q.system(a) + " AND " + a + ".ts >= " + q.arg(q.p.Filter.StartTime) + " AND " + a + ".ts < " + q.arg(q.p.Filter.EndTime)
}

// upToEnd is the tenant condition and ts < endTime on the events row alias a:
// for state "as of the end of the window" (goal status, learning paths).
func (q *query) upToEnd(a string) string {
	return q.system(a) + " AND " + a + ".ts < " + q.arg(q.p.Filter.EndTime)
}

// actorInScope is the condition that the events row alias a was done by a scoped user.
func actorInScope(a string) string { return a + ".user_id IN (SELECT id FROM scoped)" }

// eq adds "AND expr = value" when value is set.
func (q *query) eq(expr, value string) string {
	if value == "" {
		return ""
	}
	return " AND " + expr + " = " + q.arg(value)
}

// scoped is the first CTE of every report: the users of the system that the
// run-as rule and the groupIds, roles and userEmails filters leave.
func (q *query) scoped() string {
	p := q.p
	var b strings.Builder
	b.WriteString("scoped AS (SELECT u.id, u.email, u.name, u.role, u.status, u.created_at, u.last_seen FROM users u WHERE u.system_id = ")
	b.WriteString(q.arg(p.SystemID))
	switch p.RunAs.Role {
	case "Admin":
	case "Coach":
		b.WriteString(" AND (u.id = " + q.arg(p.RunAs.UserID) +
			" OR EXISTS (SELECT 1 FROM user_groups cg JOIN user_groups mg ON mg.group_id = cg.group_id WHERE cg.user_id = " +
			q.arg(p.RunAs.UserID) + " AND mg.user_id = u.id))")
	case "Teacher":
		b.WriteString(" AND u.id = " + q.arg(p.RunAs.UserID))
	default: // Validate refuses other roles; never widen the scope.
		b.WriteString(" AND 1 = 0")
	}
	if len(p.Filter.GroupIDs) > 0 {
		b.WriteString(" AND EXISTS (SELECT 1 FROM user_groups fg JOIN groups g ON g.id = fg.group_id WHERE fg.user_id = u.id AND g.system_id = " +
			q.arg(p.SystemID) + " AND fg.group_id IN " + q.list(p.Filter.GroupIDs) + ")")
	}
	if len(p.Filter.Roles) > 0 {
		b.WriteString(" AND u.role IN " + q.list(p.Filter.Roles))
	}
	if len(p.Filter.UserEmails) > 0 {
		b.WriteString(" AND u.email IN " + q.list(p.Filter.UserEmails))
	}
	b.WriteString(")")
	return b.String()
}

// avg is the mean of a numeric expression as sum/count, NULL when there is none.
func avg(expr string) string {
	return "SUM(" + expr + ") / NULLIF(COUNT(" + expr + "), 0)"
}

func itoa(n int) string { return strconv.Itoa(n) }
