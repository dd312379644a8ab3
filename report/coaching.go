package report

// The reports attributed to both sides of a relation: observations
// (observer and observee) and coachingFrequency (the teacher coached).

func init() {
	register(&Definition{
		Name: "observations",
		Columns: []Column{
			{"timestamp", Time}, {"observationId", Text}, {"observerName", Text}, {"observerEmail", Text},
			{"observeeName", Text}, {"observeeEmail", Text}, {"rubricName", Text}, {"observationType", Text},
			{"averageScore", Decimal},
		},
		Accepted: []string{FilterRubricID, FilterObservationType},
		query:    observations,
	})
	register(&Definition{
		Name: "coachingFrequency",
		Columns: []Column{
			{"teacherName", Text}, {"teacherEmail", Text}, {"sessions", Int}, {"coaches", Int},
			{"lastSession", Time}, {"averageDaysBetweenSessions", Decimal},
		},
		query: coachingFrequency,
	})
}

// observations is one row per Observation Completed event in the window whose
// observer (observerId, the actor when absent) or observee is in scope, oldest
// first. Names and emails are only shown for scoped users, so a report never
// names someone outside the run-as scope. averageScore is the mean of the
// Rubric Score events of the system with the same observationId, up to endTime.
func observations(q *query) string {
	return `WITH ` + q.scoped() + `,
obs AS (SELECT e.ts, e.id AS eid, ` + q.str("e", "observationId") + ` AS oid,
  COALESCE(` + q.str("e", "observerId") + `, e.user_id) AS observer, ` + q.str("e", "observeeId") + ` AS observee,
  ` + q.str("e", "rubricName") + ` AS rname, ` + q.str("e", "observationType") + ` AS otype
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tObservation) +
		q.eq(q.str("e", "rubricId"), q.p.Filter.RubricID) + q.eq(q.str("e", "observationType"), q.p.Filter.ObservationType) + `),
o AS (SELECT * FROM obs WHERE obs.observer IN (SELECT id FROM scoped) OR obs.observee IN (SELECT id FROM scoped)),
sc AS (SELECT ` + q.str("e", "observationId") + ` AS oid, ` + avg(q.num("e", "score")) + ` AS mean
  FROM events e WHERE ` + q.upToEnd("e") + ` AND ` + types("e", tRubricScore) + `
  AND ` + q.str("e", "observationId") + ` IN (SELECT o.oid FROM o) GROUP BY ` + q.str("e", "observationId") + `)
SELECT o.ts, o.oid, ur.name, ur.email, ue.name, ue.email, o.rname, o.otype, sc.mean
FROM o LEFT JOIN scoped ur ON ur.id = o.observer LEFT JOIN scoped ue ON ue.id = o.observee
LEFT JOIN sc ON sc.oid = o.oid
ORDER BY o.ts, ` + q.ord("o.eid")
}

// coachingFrequency groups the Coaching Session events in the window by
// teacherId, for teachers in scope (whoever sent the event). coaches are
// distinct coachId (the actor when absent); the average gap is
// (last - first) / (sessions - 1) in days, empty with fewer than two sessions.
func coachingFrequency(q *query) string {
	return `WITH ` + q.scoped() + `,
cs AS (SELECT ` + q.str("e", "teacherId") + ` AS tid, COALESCE(` + q.str("e", "coachId") + `, e.user_id) AS cid, e.ts
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tCoachingSession) + `),
agg AS (SELECT cs.tid, COUNT(*) AS n, COUNT(DISTINCT cs.cid) AS coaches, MIN(cs.ts) AS t_first, MAX(cs.ts) AS t_last
  FROM cs WHERE cs.tid IN (SELECT id FROM scoped) GROUP BY cs.tid)
SELECT u.name, u.email, a.n, a.coaches, a.t_last,
  CASE WHEN a.n > 1 THEN CAST(a.t_last - a.t_first AS DOUBLE PRECISION) / (a.n - 1) / ` + itoa(millisPerDay) + ` END
FROM agg a JOIN scoped u ON u.id = a.tid
ORDER BY ` + q.ord("u.email") + `, ` + q.ord("u.id")
}
