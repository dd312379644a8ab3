package report

// The forum reports: forumUsage, forumParticipation.

func init() {
	register(&Definition{
		Name: "forumUsage",
		Columns: []Column{
			{"forumId", Text}, {"forumName", Text}, {"posts", Int}, {"replies", Int}, {"views", Int}, {"participants", Int},
		},
		Accepted: []string{FilterForumID},
		query:    forumUsage,
	})
	register(&Definition{
		Name: "forumParticipation",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"posts", Int}, {"replies", Int}, {"views", Int},
		},
		Accepted: []string{FilterForumID},
		query:    forumParticipation,
	})
}

// forumUsage is one row per forumId of the Forum Post, Reply and View events
// of scoped actors in the window, by name (the greatest, byte-wise, the
// events carry) then id. participants are the distinct users who posted or
// replied.
func forumUsage(q *query) string {
	fid := q.str("e", "forumId")
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.user_id, e.type_alias AS k, ` + fid + ` AS fid, ` + q.str("e", "forumName") + ` AS fname
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tForumPost, tForumReply, tForumView) + ` AND ` + actorInScope("e") + `
  AND ` + fid + ` IS NOT NULL` + q.eq(fid, q.p.Filter.ForumID) + `),
agg AS (SELECT ev.fid, MAX(` + q.ord("ev.fname") + `) AS fname,
  SUM(CASE WHEN ev.k = '` + tForumPost + `' THEN 1 ELSE 0 END) AS posts,
  SUM(CASE WHEN ev.k = '` + tForumReply + `' THEN 1 ELSE 0 END) AS replies,
  SUM(CASE WHEN ev.k = '` + tForumView + `' THEN 1 ELSE 0 END) AS views,
  COUNT(DISTINCT CASE WHEN ev.k <> '` + tForumView + `' THEN ev.user_id END) AS participants
  FROM ev GROUP BY ev.fid)
SELECT a.fid, a.fname, a.posts, a.replies, a.views, a.participants FROM agg a
ORDER BY ` + q.ord("COALESCE(a.fname, '')") + `, ` + q.ord("a.fid")
}

// forumParticipation lists every scoped user with their forum events in the
// window (of one forum with the forumId filter).
func forumParticipation(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT e.user_id, SUM(` + ifType("e", tForumPost) + `) AS posts, SUM(` + ifType("e", tForumReply) + `) AS replies,
  SUM(` + ifType("e", tForumView) + `) AS views
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tForumPost, tForumReply, tForumView) + ` AND ` + actorInScope("e") +
		q.eq(q.str("e", "forumId"), q.p.Filter.ForumID) + `
  GROUP BY e.user_id)
SELECT s.name, s.email, COALESCE(a.posts, 0), COALESCE(a.replies, 0), COALESCE(a.views, 0)
FROM scoped s LEFT JOIN agg a ON a.user_id = s.id
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}
