package report

// The content reports: videoInteraction, videoUsage, fileUsage, exemplarUsage.

func init() {
	register(&Definition{
		Name: "videoInteraction",
		Columns: []Column{
			{"videoId", Text}, {"videoTitle", Text}, {"ownerEmail", Text}, {"views", Int}, {"uniqueViewers", Int},
			{"watchedSeconds", Int}, {"comments", Int}, {"tags", Int}, {"shares", Int},
		},
		query: videoInteraction,
	})
	register(&Definition{
		Name: "videoUsage",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"videosUploaded", Int}, {"minutesUploaded", Decimal},
			{"videosViewed", Int}, {"minutesWatched", Decimal},
		},
		query: videoUsage,
	})
	register(&Definition{
		Name: "fileUsage",
		Columns: []Column{
			{"userName", Text}, {"email", Text}, {"filesUploaded", Int}, {"bytesUploaded", Int}, {"downloads", Int},
		},
		query: fileUsage,
	})
	register(&Definition{
		Name: "exemplarUsage",
		Columns: []Column{
			{"exemplarId", Text}, {"exemplarTitle", Text}, {"added", Int}, {"views", Int}, {"uniqueViewers", Int},
		},
		query: exemplarUsage,
	})
}

// videoInteraction is one row per videoId of the Video Upload, View, Comment,
// Tag and Share events of scoped actors in the window. The owner is the actor
// of the video's first Video Upload up to endTime, if that actor is in scope
// (else empty); videoTitle is that upload's title, else the greatest
// (byte-wise) title of the counted events. Rows are by title, then id.
func videoInteraction(q *query) string {
	vid := q.str("e", "videoId")
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.user_id, e.type_alias AS k, ` + vid + ` AS vid, ` + q.str("e", "videoTitle") + ` AS title,
  ` + q.num("e", "watchedSeconds") + ` AS ws
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tVideoUpload, tVideoView, tVideoComment, tVideoTag, tVideoShare) + `
  AND ` + actorInScope("e") + ` AND ` + vid + ` IS NOT NULL),
agg AS (SELECT ev.vid, MAX(` + q.ord("ev.title") + `) AS title,
  SUM(CASE WHEN ev.k = '` + tVideoView + `' THEN 1 ELSE 0 END) AS views,
  COUNT(DISTINCT CASE WHEN ev.k = '` + tVideoView + `' THEN ev.user_id END) AS viewers,
  SUM(CASE WHEN ev.k = '` + tVideoView + `' THEN ev.ws END) AS ws,
  SUM(CASE WHEN ev.k = '` + tVideoComment + `' THEN 1 ELSE 0 END) AS comments,
  SUM(CASE WHEN ev.k = '` + tVideoTag + `' THEN 1 ELSE 0 END) AS tags,
  SUM(CASE WHEN ev.k = '` + tVideoShare + `' THEN 1 ELSE 0 END) AS shares
  FROM ev GROUP BY ev.vid),
own AS (SELECT x.vid, x.user_id, x.title FROM (SELECT ` + vid + ` AS vid, e.user_id, ` + q.str("e", "videoTitle") + ` AS title,
  ROW_NUMBER() OVER (PARTITION BY ` + vid + ` ORDER BY e.ts, ` + q.ord("e.id") + `) AS rn
  FROM events e WHERE ` + q.upToEnd("e") + ` AND ` + types("e", tVideoUpload) + `
  AND ` + vid + ` IN (SELECT agg.vid FROM agg)) x WHERE x.rn = 1 AND x.user_id IN (SELECT id FROM scoped)),
r AS (SELECT a.vid, COALESCE(own.title, a.title) AS title, u.email, a.views, a.viewers, COALESCE(a.ws, 0) AS ws,
  a.comments, a.tags, a.shares
  FROM agg a LEFT JOIN own ON own.vid = a.vid LEFT JOIN scoped u ON u.id = own.user_id)
SELECT r.vid, r.title, r.email, r.views, r.viewers, r.ws, r.comments, r.tags, r.shares FROM r
ORDER BY ` + q.ord("COALESCE(r.title, '')") + `, ` + q.ord("r.vid")
}

// videoUsage lists every scoped user with their uploads and views in the window.
func videoUsage(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT e.user_id, SUM(` + ifType("e", tVideoUpload) + `) AS uploads,
  SUM(CASE WHEN ` + types("e", tVideoUpload) + ` THEN ` + q.num("e", "duration") + ` END) AS duration,
  SUM(` + ifType("e", tVideoView) + `) AS views,
  SUM(CASE WHEN ` + types("e", tVideoView) + ` THEN ` + q.num("e", "watchedSeconds") + ` END) AS watched
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tVideoUpload, tVideoView) + ` AND ` + actorInScope("e") + `
  GROUP BY e.user_id)
SELECT s.name, s.email, COALESCE(a.uploads, 0), COALESCE(a.duration, 0) / 60, COALESCE(a.views, 0), COALESCE(a.watched, 0) / 60
FROM scoped s LEFT JOIN agg a ON a.user_id = s.id
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}

// fileUsage lists every scoped user with their uploads and downloads in the window.
func fileUsage(q *query) string {
	return `WITH ` + q.scoped() + `,
agg AS (SELECT e.user_id, SUM(` + ifType("e", tFileUpload) + `) AS uploads,
  SUM(CASE WHEN ` + types("e", tFileUpload) + ` THEN ` + q.num("e", "sizeBytes") + ` END) AS bytes,
  SUM(` + ifType("e", tFileDownload) + `) AS downloads
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tFileUpload, tFileDownload) + ` AND ` + actorInScope("e") + `
  GROUP BY e.user_id)
SELECT s.name, s.email, COALESCE(a.uploads, 0), COALESCE(a.bytes, 0), COALESCE(a.downloads, 0)
FROM scoped s LEFT JOIN agg a ON a.user_id = s.id
ORDER BY ` + q.ord("s.email") + `, ` + q.ord("s.id")
}

// exemplarUsage is one row per exemplarId of the Exemplar Added and View
// events of scoped actors in the window, by title (the greatest, byte-wise,
// the events carry) then id.
func exemplarUsage(q *query) string {
	xid := q.str("e", "exemplarId")
	return `WITH ` + q.scoped() + `,
ev AS (SELECT e.user_id, e.type_alias AS k, ` + xid + ` AS xid, ` + q.str("e", "exemplarTitle") + ` AS title
  FROM events e WHERE ` + q.window("e") + ` AND ` + types("e", tExemplarAdded, tExemplarView) + ` AND ` + actorInScope("e") + `
  AND ` + xid + ` IS NOT NULL),
agg AS (SELECT ev.xid, MAX(` + q.ord("ev.title") + `) AS title,
  SUM(CASE WHEN ev.k = '` + tExemplarAdded + `' THEN 1 ELSE 0 END) AS added,
  SUM(CASE WHEN ev.k = '` + tExemplarView + `' THEN 1 ELSE 0 END) AS views,
  COUNT(DISTINCT CASE WHEN ev.k = '` + tExemplarView + `' THEN ev.user_id END) AS viewers
  FROM ev GROUP BY ev.xid)
SELECT a.xid, a.title, a.added, a.views, a.viewers FROM agg a
ORDER BY ` + q.ord("COALESCE(a.title, '')") + `, ` + q.ord("a.xid")
}
