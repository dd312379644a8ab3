package report

// The goal reports: goals, goalsActivity, goalsCreation.

func init() {
	register(&Definition{
		Name: "goals",
		Columns: []Column{
			{"goalId", Text}, {"goalTitle", Text}, {"goalType", Text}, {"ownerName", Text}, {"ownerEmail", Text},
			{"createdAt", Time}, {"dueDate", Text}, {"goalStatus", Text}, {"progress", Int}, {"completedAt", Time},
		},
		Accepted: []string{FilterGoalType},
		query:    goals,
	})
	register(&Definition{
		Name: "goalsActivity",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"goalsCreated", Int}, {"goalsUpdated", Int}, {"goalsCompleted", Int},
		},
		query: goalsActivity,
	})
	register(&Definition{
		Name:    "goalsCreation",
		Columns: []Column{{"week", Text}, {"groupName", Text}, {"goalsCreated", Int}},
		query:   goalsCreation,
	})
}

// goals is one row per goalId of the Goal Created events of scoped actors in
// the window (the first such event, by time then event id, when a goal was
// created twice), oldest first. Its state is as of endTime, from the goal's
// events of any user of the system: Completed with completedAt (the first
// Goal Completed) and progress 100 when completed; else the newest Goal
// Updated goalStatus ("Not Started" when none) and the newest numeric
// progress (0 when none). dueDate is written as sent.
func goals(q *query) string {
	gid := q.str("e", "goalId")
	newest := func(name, value string) string {
		return name + ` AS (SELECT x.gid, x.v FROM (SELECT ` + gid + ` AS gid, ` + value + ` AS v,
  ROW_NUMBER() OVER (PARTITION BY ` + gid + ` ORDER BY e.ts DESC, ` + q.ord("e.id") + ` DESC) AS rn
  FROM events e WHERE ` + q.upToEnd("e") + ` AND ` + types("e", tGoalUpdated) + ` AND ` + value + ` IS NOT NULL
  AND ` + gid + ` IN (SELECT g.gid FROM g)) x WHERE x.rn = 1)`
	}
	return `WITH ` + q.scoped() + `,
created AS (SELECT e.id AS eid, e.ts, e.user_id, ` + gid + ` AS gid, ` + q.str("e", "goalTitle") + ` AS title,
  ` + q.str("e", "goalType") + ` AS gtype, ` + q.str("e", "dueDate") + ` AS due,
  ROW_NUMBER() OVER (PARTITION BY ` + gid + ` ORDER BY e.ts, ` + q.ord("e.id") + `) AS rn
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tGoalCreated) + ` AND ` + actorInScope("e") + `
  AND ` + gid + ` IS NOT NULL` + q.eq(q.str("e", "goalType"), q.p.Filter.GoalType) + `),
g AS (SELECT * FROM created WHERE created.rn = 1),
done AS (SELECT ` + gid + ` AS gid, MIN(e.ts) AS at FROM events e WHERE ` + q.upToEnd("e") + ` AND ` + types("e", tGoalCompleted) + `
  AND ` + gid + ` IN (SELECT g.gid FROM g) GROUP BY ` + gid + `),
` + newest("st", q.str("e", "goalStatus")) + `,
` + newest("pr", q.num("e", "progress")) + `
SELECT g.gid, g.title, g.gtype, u.name, u.email, g.ts, g.due,
  CASE WHEN done.at IS NOT NULL THEN 'Completed' ELSE COALESCE(st.v, 'Not Started') END,
  CASE WHEN done.at IS NOT NULL THEN 100 ELSE COALESCE(pr.v, 0) END, done.at
FROM g JOIN scoped u ON u.id = g.user_id LEFT JOIN done ON done.gid = g.gid
LEFT JOIN st ON st.gid = g.gid LEFT JOIN pr ON pr.gid = g.gid
ORDER BY g.ts, ` + q.ord("g.eid")
}

// goalsActivity lists every scoped user with their goal events in the window.
func goalsActivity(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT e.user_id, SUM(` + ifType("e", tGoalCreated) + `) AS created, SUM(` + ifType("e", tGoalUpdated) + `) AS updated,
  SUM(` + ifType("e", tGoalCompleted) + `) AS completed
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tGoalCreated, tGoalUpdated, tGoalCompleted) + ` AND ` + actorInScope("e") + `
  GROUP BY e.user_id)
SELECT s.name, s.email, COALESCE(a.created, 0), COALESCE(a.updated, 0), COALESCE(a.completed, 0)
FROM scoped s LEFT JOIN agg a ON a.user_id = s.id
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}

// goalsCreation counts the Goal Created events of scoped actors in the window
// by ISO week (UTC) and by each group of the actor; actors in no group count
// under "(no group)". With a groupIds filter only those groups appear (every
// scoped user is then in one of them). Only non-zero rows are written, by
// week then group name.
func goalsCreation(q *query) string {
	groupFilter := ""
	if len(q.p.Filter.GroupIDs) > 0 {
		groupFilter = " AND g.id IN " + q.list(q.p.Filter.GroupIDs)
	}
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.user_id, ` + q.isoWeek("e.ts") + ` AS wk FROM events e
  WHERE ` + q.window("e") + ` AND ` + types("e", tGoalCreated) + ` AND ` + actorInScope("e") + `),
gm AS (SELECT ug.user_id, g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
  WHERE g.system_id = ` + q.arg(q.p.SystemID) + groupFilter + `),
agg AS (SELECT ev.wk, COALESCE(gm.name, '` + noGroupName + `') AS gname, COUNT(*) AS n
  FROM ev LEFT JOIN gm ON gm.user_id = ev.user_id GROUP BY ev.wk, COALESCE(gm.name, '` + noGroupName + `'))
SELECT a.wk, a.gname, a.n FROM agg a ORDER BY ` + q.ord("a.wk") + `, ` + q.ord("a.gname")
}
