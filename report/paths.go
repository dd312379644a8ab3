package report

// The user × object progress reports: workflowParticipation, learningPathsStatus.

func init() {
	register(&Definition{
		Name: "workflowParticipation",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"workflowName", Text}, {"started", Int},
			{"stepsCompleted", Int}, {"completed", Int}, {"lastActivity", Time},
		},
		Accepted: []string{FilterWorkflowID},
		query:    workflowParticipation,
	})
	register(&Definition{
		Name: "learningPathsStatus",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"learningPathName", Text}, {"enrolledAt", Time},
			{"progressPercent", Int}, {"pathStatus", Text}, {"completedAt", Time},
		},
		Accepted: []string{FilterLearningPathID},
		query:    learningPathsStatus,
	})
}

// workflowParticipation is one row per scoped user and workflowId with
// workflow events in the window, by email, workflow name (the greatest,
// byte-wise, the events carry), then workflow id.
func workflowParticipation(q *query) string {
	wid := q.str("e", "workflowId")
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.user_id, e.type_alias AS k, e.ts, ` + wid + ` AS wid, ` + q.str("e", "workflowName") + ` AS wname
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tWorkflowStarted, tWorkflowStep, tWorkflowDone) + ` AND ` + actorInScope("e") + `
  AND ` + wid + ` IS NOT NULL` + q.eq(wid, q.p.Filter.WorkflowID) + `),
agg AS (SELECT ev.user_id, ev.wid, MAX(` + q.ord("ev.wname") + `) AS wname,
  SUM(CASE WHEN ev.k = '` + tWorkflowStarted + `' THEN 1 ELSE 0 END) AS started,
  SUM(CASE WHEN ev.k = '` + tWorkflowStep + `' THEN 1 ELSE 0 END) AS steps,
  SUM(CASE WHEN ev.k = '` + tWorkflowDone + `' THEN 1 ELSE 0 END) AS done,
  MAX(ev.ts) AS last_ts
  FROM ev GROUP BY ev.user_id, ev.wid)
SELECT u.name, u.email, a.wname, a.started, a.steps, a.done, a.last_ts
FROM agg a JOIN scoped u ON u.id = a.user_id
ORDER BY ` + q.ord("u.email") + `, ` + q.ord("COALESCE(a.wname, '')") + `, ` + q.ord("a.wid")
}

// learningPathsStatus is one row per scoped user and learningPathId with a
// learning path event in the window. Its state is as of endTime, from the
// user's events of that path: enrolledAt and completedAt are the first
// Enrolled and Completed; progressPercent is 100 when completed, else the
// newest numeric progressPercent (0 when none); pathStatus is Completed, In
// Progress (progress > 0) or Not Started. Rows are by email, path name (the
// greatest, byte-wise, up to endTime), then path id.
func learningPathsStatus(q *query) string {
	lid := q.str("e", "learningPathId")
	return `WITH ` + q.scoped() + `,
lp AS (SELECT e.user_id, e.type_alias AS k, e.ts, e.id AS eid, ` + lid + ` AS lid, ` + q.str("e", "learningPathName") + ` AS lname,
  ` + q.num("e", "progressPercent") + ` AS pp
  FROM events e WHERE ` + q.upToEnd("e") + ` AND ` + types("e", tPathEnrolled, tPathProgress, tPathCompleted) + ` AND ` + actorInScope("e") + `
  AND ` + lid + ` IS NOT NULL` + q.eq(lid, q.p.Filter.LearningPathID) + `),
pairs AS (SELECT lp.user_id, lp.lid, MAX(` + q.ord("lp.lname") + `) AS lname,
  MIN(CASE WHEN lp.k = '` + tPathEnrolled + `' THEN lp.ts END) AS enrolled,
  MIN(CASE WHEN lp.k = '` + tPathCompleted + `' THEN lp.ts END) AS completed
  FROM lp GROUP BY lp.user_id, lp.lid HAVING MAX(lp.ts) >= ` + q.arg(q.p.Filter.StartTime) + `),
pr AS (SELECT x.user_id, x.lid, x.pp FROM (SELECT lp.user_id, lp.lid, lp.pp,
  ROW_NUMBER() OVER (PARTITION BY lp.user_id, lp.lid ORDER BY lp.ts DESC, ` + q.ord("lp.eid") + ` DESC) AS rn
  FROM lp WHERE lp.pp IS NOT NULL) x WHERE x.rn = 1)
SELECT u.name, u.email, p.lname, p.enrolled,
  CASE WHEN p.completed IS NOT NULL THEN 100 ELSE COALESCE(pr.pp, 0) END,
  CASE WHEN p.completed IS NOT NULL THEN 'Completed' WHEN pr.pp > 0 THEN 'In Progress' ELSE 'Not Started' END,
  p.completed
FROM pairs p JOIN scoped u ON u.id = p.user_id LEFT JOIN pr ON pr.user_id = p.user_id AND pr.lid = p.lid
ORDER BY ` + q.ord("u.email") + `, ` + q.ord("COALESCE(p.lname, '')") + `, ` + q.ord("p.lid")
}
