package report

// The system and per-user activity reports: systemPerformance, accountUsage,
// frequencySnapshot, activityStream.

func init() {
	register(&Definition{
		Name: "systemPerformance",
		Columns: []Column{
			{"systemId", Text}, {"systemName", Text}, {"totalUsers", Int}, {"activeUsers", Int},
			{"logins", Int}, {"observations", Int}, {"averageRubricScore", Decimal}, {"videosUploaded", Int},
			{"goalsCreated", Int}, {"goalsCompleted", Int}, {"coachingSessions", Int},
		},
		query: systemPerformance,
	})
	register(&Definition{
		Name: "accountUsage",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"role", Text}, {"status", Text}, {"createdAt", Time},
			{"lastSeen", Time}, {"logins", Int}, {"activeDays", Int},
		},
		Accepted: []string{FilterStatus},
		query:    accountUsage,
	})
	register(&Definition{
		Name: "frequencySnapshot",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"role", Text}, {"logins", Int}, {"observationsReceived", Int},
			{"observationsGiven", Int}, {"videosUploaded", Int}, {"goalsCreated", Int}, {"coachingSessions", Int},
		},
		query: frequencySnapshot,
	})
	register(&Definition{
		Name: "activityStream",
		Columns: []Column{
			{"timestamp", Time}, {"userName", Text}, {"email", Text}, {"systemName", Text},
			{"typeAlias", Text}, {"actionData", JSON},
		},
		Accepted: []string{FilterTypeAliases},
		query:    activityStream,
	})
}

// systemPerformance is one row for the system. Every count is over events
// of scoped actors in the window (observations and coaching sessions by
// their actor too); activeUsers have at least one event of any type.
func systemPerformance(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT COUNT(DISTINCT e.user_id) AS active,
  SUM(` + ifType("e", tLogin) + `) AS logins,
  SUM(` + ifType("e", tObservation) + `) AS observations,
  SUM(CASE WHEN ` + types("e", tRubricScore) + ` THEN ` + q.num("e", "score") + ` END) AS score_sum,
  COUNT(CASE WHEN ` + types("e", tRubricScore) + ` THEN ` + q.num("e", "score") + ` END) AS score_n,
  SUM(` + ifType("e", tVideoUpload) + `) AS videos,
  SUM(` + ifType("e", tGoalCreated) + `) AS goals_created,
  SUM(` + ifType("e", tGoalCompleted) + `) AS goals_completed,
  SUM(` + ifType("e", tCoachingSession) + `) AS coaching
  FROM events e WHERE ` + q.window("e") + ` AND ` + actorInScope("e") + `)
SELECT s.id, s.name, (SELECT COUNT(*) FROM scoped), a.active, COALESCE(a.logins, 0), COALESCE(a.observations, 0),
  a.score_sum / NULLIF(a.score_n, 0), COALESCE(a.videos, 0), COALESCE(a.goals_created, 0),
  COALESCE(a.goals_completed, 0), COALESCE(a.coaching, 0)
FROM systems s CROSS JOIN agg a WHERE s.id = ` + q.arg(q.p.SystemID)
}

// accountUsage lists every scoped user (of the status filter, when given).
func accountUsage(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT e.user_id, SUM(` + ifType("e", tLogin) + `) AS logins, COUNT(DISTINCT e.ts / ` + itoa(millisPerDay) + `) AS days
  FROM events e WHERE ` + q.window("e") + ` AND ` + actorInScope("e") + ` GROUP BY e.user_id)
SELECT s.name, s.email, s.role, s.status, s.created_at, s.last_seen, COALESCE(a.logins, 0), COALESCE(a.days, 0)
FROM scoped s LEFT JOIN agg a ON a.user_id = s.id
WHERE 1 = 1` + q.eq("s.status", q.p.Filter.Status) + `
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}

// frequencySnapshot lists every scoped user. Logins, uploads and goals are
// counted by actor; observationsReceived by observeeId and observationsGiven
// by observerId (the actor when absent), whoever sent the event; a coaching
// session counts for its teacherId and its coachId (the actor when absent).
func frequencySnapshot(q *query) string {
	observer := "COALESCE(" + q.str("e", "observerId") + ", e.user_id)"
	coach := "COALESCE(" + q.str("e", "coachId") + ", e.user_id)"
	teacher := q.str("e", "teacherId")
	return `WITH ` + q.scoped() + `,
facts AS (
  SELECT e.user_id AS uid, e.type_alias AS k FROM events e
    WHERE ` + q.window("e") + ` AND ` + types("e", tLogin, tVideoUpload, tGoalCreated) + ` AND ` + actorInScope("e") + `
  UNION ALL SELECT ` + q.str("e", "observeeId") + `, 'received' FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tObservation) + `
  UNION ALL SELECT ` + observer + `, 'given' FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tObservation) + `
  UNION ALL SELECT ` + teacher + `, 'coaching' FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tCoachingSession) + `
  UNION ALL SELECT ` + coach + `, 'coaching' FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tCoachingSession) + `
    AND ` + coach + ` <> COALESCE(` + teacher + `, '')),
agg AS (SELECT f.uid,
  SUM(CASE WHEN f.k = 'Login' THEN 1 ELSE 0 END) AS logins,
  SUM(CASE WHEN f.k = 'received' THEN 1 ELSE 0 END) AS received,
  SUM(CASE WHEN f.k = 'given' THEN 1 ELSE 0 END) AS given,
  SUM(CASE WHEN f.k = 'Video Upload' THEN 1 ELSE 0 END) AS videos,
  SUM(CASE WHEN f.k = 'Goal Created' THEN 1 ELSE 0 END) AS goals,
  SUM(CASE WHEN f.k = 'coaching' THEN 1 ELSE 0 END) AS coaching
  FROM facts f WHERE f.uid IN (SELECT id FROM scoped) GROUP BY f.uid)
SELECT s.name, s.email, s.role, COALESCE(a.logins, 0), COALESCE(a.received, 0), COALESCE(a.given, 0),
  COALESCE(a.videos, 0), COALESCE(a.goals, 0), COALESCE(a.coaching, 0)
FROM scoped s LEFT JOIN agg a ON a.uid = s.id
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}

// activityStream is every event of a scoped actor in the window (of the
// typeAliases filter, when given), oldest first.
func activityStream(q *query) string {
	typeFilter := ""
	if len(q.p.Filter.TypeAliases) > 0 {
		typeFilter = " AND e.type_alias IN " + q.list(q.p.Filter.TypeAliases)
	}
	return `WITH ` + q.scoped() + `
SELECT e.ts, u.name, u.email, sy.name, e.type_alias, e.action_data
FROM events e JOIN scoped u ON u.id = e.user_id JOIN systems sy ON sy.id = e.system_id
WHERE ` + q.window("e") + typeFilter + `
ORDER BY e.ts, ` + q.ord("e.id")
}
