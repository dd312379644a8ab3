package report

// The rubric reports: domainsAndDimensions, selfAssessments, rubricUsage.
// Scores are the numeric `score` of Rubric Score (observation) events;
// self-assessment scores are only in selfAssessments and counted in rubricUsage.

func init() {
	register(&Definition{
		Name: "domainsAndDimensions",
		Columns: []Column{
			{"rubricName", Text}, {"domain", Text}, {"dimension", Text}, {"scores", Int},
			{"averageScore", Decimal}, {"minScore", Decimal}, {"maxScore", Decimal},
		},
		Accepted: []string{FilterRubricID},
		Required: []string{FilterRubricID},
		query:    domainsAndDimensions,
	})
	register(&Definition{
		Name: "selfAssessments",
		Columns: []Column{
			{"timestamp", Time}, {"userName", Text}, {"email", Text}, {"rubricName", Text},
			{"domain", Text}, {"dimension", Text}, {"score", Decimal}, {"maxScore", Decimal},
		},
		Accepted: []string{FilterRubricID},
		query:    selfAssessments,
	})
	register(&Definition{
		Name: "rubricUsage",
		Columns: []Column{
			{"rubricId", Text}, {"rubricName", Text}, {"observations", Int}, {"scores", Int},
			{"selfAssessments", Int}, {"averageScore", Decimal}, {"observers", Int}, {"observees", Int},
		},
		Accepted: []string{FilterRubricID},
		query:    rubricUsage,
	})
}

// domainsAndDimensions groups the Rubric Score events of scoped actors in the
// window for one rubric by domain and dimension (missing ones group under "").
// scores counts the events; the mean, min and max are over numeric scores.
// rubricName is the greatest (byte-wise) name the events carry.
func domainsAndDimensions(q *query) string {
	score := q.num("e", "score")
	return `WITH ` + q.scoped() + `,
sc AS (SELECT ` + q.str("e", "rubricName") + ` AS rname, COALESCE(` + q.str("e", "domain") + `, '') AS domain,
  COALESCE(` + q.str("e", "dimension") + `, '') AS dimension, ` + score + ` AS score
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tRubricScore) + ` AND ` + actorInScope("e") +
		q.eq(q.str("e", "rubricId"), q.p.Filter.RubricID) + `),
agg AS (SELECT MAX(` + q.ord("sc.rname") + `) AS rname, sc.domain, sc.dimension, COUNT(*) AS n,
  ` + avg("sc.score") + ` AS mean, MIN(sc.score) AS lo, MAX(sc.score) AS hi
  FROM sc GROUP BY sc.domain, sc.dimension)
SELECT a.rname, a.domain, a.dimension, a.n, a.mean, a.lo, a.hi FROM agg a
ORDER BY ` + q.ord("a.domain") + `, ` + q.ord("a.dimension")
}

// selfAssessments is one row per Self Assessment Submitted event of a scoped
// actor in the window, oldest first.
func selfAssessments(q *query) string {
	return `WITH ` + q.scoped() + `
SELECT e.ts, u.name, u.email, ` + q.str("e", "rubricName") + `, ` + q.str("e", "domain") + `, ` + q.str("e", "dimension") + `,
  ` + q.num("e", "score") + `, ` + q.num("e", "maxScore") + `
FROM events e JOIN scoped u ON u.id = e.user_id
WHERE ` + q.window("e") + ` AND ` + types("e", tSelfAssessment) + q.eq(q.str("e", "rubricId"), q.p.Filter.RubricID) + `
ORDER BY e.ts, ` + q.ord("e.id")
}

// rubricUsage is one row per rubricId of the Observation Completed, Rubric
// Score and Self Assessment Submitted events of scoped actors in the window.
// averageScore is over Rubric Score events; observers and observees are
// distinct observerId (the actor when absent) and observeeId.
func rubricUsage(q *query) string {
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.type_alias AS k, ` + q.str("e", "rubricId") + ` AS rid, ` + q.str("e", "rubricName") + ` AS rname,
  ` + q.num("e", "score") + ` AS score, COALESCE(` + q.str("e", "observerId") + `, e.user_id) AS observer,
  ` + q.str("e", "observeeId") + ` AS observee
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tObservation, tRubricScore, tSelfAssessment) + ` AND ` + actorInScope("e") +
		q.eq(q.str("e", "rubricId"), q.p.Filter.RubricID) + `),
agg AS (SELECT ev.rid, MAX(` + q.ord("ev.rname") + `) AS rname,
  SUM(CASE WHEN ev.k = '` + tObservation + `' THEN 1 ELSE 0 END) AS observations,
  SUM(CASE WHEN ev.k = '` + tRubricScore + `' THEN 1 ELSE 0 END) AS scores,
  SUM(CASE WHEN ev.k = '` + tSelfAssessment + `' THEN 1 ELSE 0 END) AS selfs,
  ` + avg("CASE WHEN ev.k = '"+tRubricScore+"' THEN ev.score END") + ` AS mean,
  COUNT(DISTINCT CASE WHEN ev.k = '` + tObservation + `' THEN ev.observer END) AS observers,
  COUNT(DISTINCT CASE WHEN ev.k = '` + tObservation + `' THEN ev.observee END) AS observees
  FROM ev WHERE ev.rid IS NOT NULL GROUP BY ev.rid)
SELECT a.rid, a.rname, a.observations, a.scores, a.selfs, a.mean, a.observers, a.observees FROM agg a
ORDER BY ` + q.ord("COALESCE(a.rname, '')") + `, ` + q.ord("a.rid")
}
