package seed

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Activity types, as indexes into typeNames (SPEC §6).
const (
	tLogin uint8 = iota
	tVideoUpload
	tVideoView
	tVideoComment
	tVideoTag
	tVideoShare
	tFileUpload
	tFileDownload
	tObservation
	tRubricScore
	tSelfAssessment
	tGoalCreated
	tGoalUpdated
	tGoalCompleted
	tExemplarAdded
	tExemplarView
	tForumPost
	tForumReply
	tForumView
	tWorkflowStarted
	tWorkflowStep
	tWorkflowCompleted
	tCoachingSession
	tPathEnrolled
	tPathProgress
	tPathCompleted
	numTypes
)

var typeNames = [numTypes]string{
	"Login", "Video Upload", "Video View", "Video Comment", "Video Tag", "Video Share", "File Upload", "File Download",
	"Observation Completed", "Rubric Score", "Self Assessment Submitted", "Goal Created", "Goal Updated", "Goal Completed",
	"Exemplar Added", "Exemplar View", "Forum Post", "Forum Reply", "Forum View", "Workflow Started",
	"Workflow Step Completed", "Workflow Completed", "Coaching Session", "Learning Path Enrolled",
	"Learning Path Progress", "Learning Path Completed",
}

// rawEvent is an event as generated, before it gets its id.
type rawEvent struct {
	ts   int64
	seq  uint32
	user int32
	typ  uint8
	data []byte
}

var emptyObject = []byte("{}")

// Activities a session may hold.
type activity uint8

const (
	aVideoView activity = iota
	aVideoUpload
	aFileUpload
	aFileDownload
	aForumView
	aForumReply
	aForumPost
	aExemplarView
	aExemplarAdd
	aWorkflow
	aLearningPath
	aGoal
	aSelfAssessment
	aCycle    // coach: the next step of a coaching cycle
	aCheckIn  // coach: a coaching session outside a cycle
	aWalkthru // admin: a classroom visit
	numActivities
)

// mixes are the relative odds of each activity, by role, on school days and
// on other days (breaks and summer: no observations, coaching or goals).
var mixes = func() (m [3][2][numActivities]float64) {
	set := func(role uint8, school bool, kv map[activity]float64) {
		i := 0
		if !school {
			i = 1
		}
		for k, v := range kv {
			m[role][i][k] = v
		}
	}
	set(roleTeacher, true, map[activity]float64{aVideoView: 16, aVideoUpload: 4, aFileUpload: 3, aFileDownload: 9, aForumView: 11,
		aForumReply: 4, aForumPost: 1.5, aExemplarView: 7, aWorkflow: 6, aLearningPath: 8, aGoal: 12, aSelfAssessment: 4})
	set(roleCoach, true, map[activity]float64{aCycle: 34, aCheckIn: 9, aVideoView: 10, aVideoUpload: 1.5, aFileUpload: 5,
		aFileDownload: 3, aForumView: 5, aForumReply: 5, aForumPost: 3, aExemplarView: 3, aExemplarAdd: 5, aWorkflow: 3, aLearningPath: 3})
	set(roleAdmin, true, map[activity]float64{aWalkthru: 22, aForumPost: 5, aForumView: 6, aForumReply: 2, aFileUpload: 7,
		aFileDownload: 5, aExemplarAdd: 3, aExemplarView: 4, aWorkflow: 9, aVideoView: 6, aLearningPath: 2})
	off := map[activity]float64{aLearningPath: 30, aVideoView: 18, aForumView: 14, aForumReply: 4, aFileDownload: 10,
		aFileUpload: 5, aExemplarView: 9}
	for r := range uint8(3) {
		set(r, false, off)
	}
	return m
}()

// day generates the sessions of day d until about want events exist.
func (g *gen) day(d int, want int) {
	cd := &g.days[d]
	g.school = cd.kind == daySchool
	g.month = cd.start.Month()
	g.dayStart = cd.start.UnixMilli()
	g.dayEnd = g.dayStart + 24*3600*1000 - 1
	g.d = int32(d)
	misses := 0
	for len(g.buf) < want && misses < 1000 {
		u := g.sampler.sample(g.rng)
		if g.users[u].leaveDay < g.d {
			misses++
			continue
		}
		g.session(u)
	}
}

// Local school hours (UTC−5) 6:00 to 18:59 fall on the same UTC day.
var hourWeights = []float64{0.3, 1.2, 0.8, 0.6, 0.6, 0.7, 1.0, 0.7, 0.8, 1.5, 1.4, 0.9, 0.6}

const utcOffsetHours = 5

func (g *gen) sessionStart() int64 {
	x := g.rng.Float64() * g.hourTotal
	h := len(hourWeights) - 1
	for i, w := range hourWeights {
		if x < w {
			h = i
			break
		}
		x -= w
	}
	return int64((6+utcOffsetHours+h)*3600+g.rng.IntN(3600)) * 1000
}

// session is one visit of u: a login and one or more activities.
func (g *gen) session(u int32) {
	g.t = g.dayStart + g.sessionStart()
	g.emit(u, tLogin, emptyObject)
	n := 1
	for n < 6 && g.rng.Float64() < 0.5 {
		n++
	}
	for range n {
		g.activity(u)
	}
}

// emit appends an event of u at the session clock and moves the clock on.
func (g *gen) emit(u int32, typ uint8, data []byte) {
	g.buf = append(g.buf, rawEvent{ts: min(g.t, g.dayEnd), seq: uint32(len(g.buf)), user: u, typ: typ, data: data})
	g.t += int64(20+g.rng.IntN(280)) * 1000
}

func (g *gen) activity(u int32) {
	usr := &g.users[u]
	mix := 0
	if !g.school {
		mix = 1
	}
	w := &mixes[usr.role][mix]
	var total float64
	for _, x := range w {
		total += x
	}
	x := g.rng.Float64() * total
	a := activity(0)
	for i, v := range w {
		if x < v {
			a = activity(i)
			break
		}
		x -= v
	}
	s := g.systems[usr.sys]
	switch a {
	case aVideoView:
		g.videoView(s, u)
	case aVideoUpload:
		g.videoUpload(s, u)
	case aFileUpload:
		g.fileUpload(s, u)
	case aFileDownload:
		if f, ok := s.files.pick(g.rng); ok {
			g.emit(u, tFileDownload, newObj().str("fileId", f.id).str("fileName", f.name).done())
		} else {
			g.fileUpload(s, u)
		}
	case aForumView, aForumReply:
		t, ok := s.threads.pick(g.rng)
		if !ok {
			g.forumPost(s, u)
			return
		}
		data := newObj().str("forumId", s.forumIDs[t.forum]).str("forumName", forums[t.forum].name).str("threadId", t.id).done()
		g.emit(u, tForumView, data)
		if a == aForumReply || g.rng.Float64() < 0.12 {
			g.emit(u, tForumReply, data)
		}
	case aForumPost:
		g.forumPost(s, u)
	case aExemplarView:
		if e, ok := s.exemplars.pick(g.rng); ok {
			g.emit(u, tExemplarView, newObj().str("exemplarId", e.id).str("exemplarTitle", e.title).done())
		} else {
			g.videoView(s, u)
		}
	case aExemplarAdd:
		e := exemplar{id: g.newID("exm"), title: g.exemplarTitle()}
		s.exemplars.add(e)
		g.emit(u, tExemplarAdded, newObj().str("exemplarId", e.id).str("exemplarTitle", e.title).done())
	case aWorkflow:
		g.workflow(u)
	case aLearningPath:
		g.learningPath(u)
	case aGoal:
		g.goal(u)
	case aSelfAssessment:
		g.selfAssessment(u)
	case aCycle:
		g.cycle(u)
	case aCheckIn:
		if t := g.nextTeacher(u, func(t *user) bool { return true }); t >= 0 {
			g.coachingSession(u, t, sessionTypes[1+g.rng.IntN(len(sessionTypes)-1)])
			if tu := &g.users[t]; tu.goalID != "" && g.rng.Float64() < 0.5 {
				g.updateGoal(t)
			}
		}
	case aWalkthru:
		g.walkthrough(s, u)
	}
}

func (g *gen) videoTitle() string {
	return fmt.Sprintf("Grade %s %s: %s", grades[g.rng.IntN(len(grades))], subjects[g.rng.IntN(len(subjects))],
		videoPractices[g.rng.IntN(len(videoPractices))])
}

func (g *gen) exemplarTitle() string {
	return fmt.Sprintf("%s (%s, Grade %s)", exemplarKinds[g.rng.IntN(len(exemplarKinds))], subjects[g.rng.IntN(len(subjects))],
		grades[g.rng.IntN(len(grades))])
}

func (g *gen) videoUpload(s *system, u int32) {
	v := video{id: g.newID("vid"), title: g.videoTitle(), duration: 240 + g.rng.IntN(2400), owner: u}
	s.videos.add(v)
	g.emit(u, tVideoUpload, newObj().str("videoId", v.id).str("videoTitle", v.title).num("duration", int64(v.duration)).done())
	for k := g.rng.IntN(4); k > 0; k-- {
		g.emit(u, tVideoTag, newObj().str("videoId", v.id).str("tag", videoTags[g.rng.IntN(len(videoTags))]).done())
	}
	if g.rng.Float64() < 0.45 {
		to := g.users[u].coach
		if to < 0 || g.rng.IntN(3) == 0 {
			to = s.users[g.rng.IntN(len(s.users))]
		}
		if to != u {
			g.emit(u, tVideoShare, newObj().str("videoId", v.id).str("sharedWithUserId", g.ids[to]).done())
		}
	}
}

func (g *gen) videoView(s *system, u int32) {
	v, ok := s.videos.pick(g.rng)
	if !ok {
		g.videoUpload(s, u)
		return
	}
	watched := v.duration
	if g.rng.Float64() < 0.6 {
		watched = int(float64(v.duration) * (0.1 + 0.85*g.rng.Float64()))
	}
	g.emit(u, tVideoView, newObj().str("videoId", v.id).str("videoTitle", v.title).num("watchedSeconds", int64(watched)).done())
	comment := 0.1
	if g.users[u].role == roleCoach || v.owner == u {
		comment = 0.45
	}
	if g.rng.Float64() < comment {
		g.emit(u, tVideoComment, newObj().str("videoId", v.id).str("commentId", g.newID("cmt")).done())
	}
	if g.users[u].role == roleCoach && g.rng.Float64() < 0.2 {
		g.emit(u, tVideoTag, newObj().str("videoId", v.id).str("tag", videoTags[g.rng.IntN(len(videoTags))]).done())
	}
}

func (g *gen) fileUpload(s *system, u int32) {
	k := fileKinds[g.rng.IntN(len(fileKinds))]
	f := file{id: g.newID("fil"), name: fmt.Sprintf("%s - %s Gr%s.%s", k.stem, subjects[g.rng.IntN(len(subjects))], grades[g.rng.IntN(len(grades))], k.ext)}
	s.files.add(f)
	size := int64(math.Exp(11.5 + 1.4*g.rng.NormFloat64()))
	size = max(2_000, min(size, 200_000_000))
	g.emit(u, tFileUpload, newObj().str("fileId", f.id).str("fileName", f.name).num("sizeBytes", size).done())
}

func (g *gen) forumPost(s *system, u int32) {
	leader := g.users[u].role != roleTeacher
	var k int
	for {
		k = g.rng.IntN(len(forums))
		if forums[k].leaders == leader || g.rng.IntN(4) == 0 {
			break
		}
	}
	t := thread{forum: k, id: g.newID("thr")}
	s.threads.add(t)
	g.emit(u, tForumPost, newObj().str("forumId", s.forumIDs[k]).str("forumName", forums[k].name).str("threadId", t.id).
		str("title", threadTopics[g.rng.IntN(len(threadTopics))]).done())
}

func (g *gen) workflow(u int32) {
	usr := &g.users[u]
	if usr.wf == 0 {
		var can []int
		for i, w := range workflows {
			ok := usr.wfDone&(1<<i) == 0 && (usr.role == roleTeacher && w.teachers || usr.role != roleTeacher && w.leaders)
			if ok && (len(w.months) == 0 || slices.Contains(w.months, int(g.month))) {
				can = append(can, i)
			}
		}
		if len(can) == 0 {
			g.learningPath(u)
			return
		}
		i := can[g.rng.IntN(len(can))]
		usr.wf, usr.wfStep = i+1, 0
		w := workflows[i]
		g.emit(u, tWorkflowStarted, newObj().str("workflowId", w.id).str("workflowName", w.name).str("stepName", w.steps[0]).done())
		return
	}
	w := workflows[usr.wf-1]
	g.emit(u, tWorkflowStep, newObj().str("workflowId", w.id).str("workflowName", w.name).str("stepName", w.steps[usr.wfStep]).done())
	usr.wfStep++
	if usr.wfStep == len(w.steps) {
		g.emit(u, tWorkflowCompleted, newObj().str("workflowId", w.id).str("workflowName", w.name).str("stepName", w.steps[len(w.steps)-1]).done())
		usr.wfDone |= 1 << (usr.wf - 1)
		usr.wf = 0
	} else if g.rng.Float64() < 0.03 {
		usr.wfDone |= 1 << (usr.wf - 1) // abandoned
		usr.wf = 0
	}
}

func (g *gen) learningPath(u int32) {
	usr := &g.users[u]
	if usr.lp == 0 {
		var can []int
		for i, p := range learningPaths {
			if usr.lpDone&(1<<i) == 0 && (p.id != "lp_coaching" || usr.role != roleTeacher) {
				can = append(can, i)
			}
		}
		if len(can) == 0 {
			g.emit(u, tForumView, g.anyThread(u))
			return
		}
		i := can[g.rng.IntN(len(can))]
		usr.lp, usr.lpProg = i+1, 0
		p := learningPaths[i]
		g.emit(u, tPathEnrolled, newObj().str("learningPathId", p.id).str("learningPathName", p.name).num("progressPercent", 0).done())
		return
	}
	p := learningPaths[usr.lp-1]
	usr.lpProg = min(100, usr.lpProg+8+g.rng.IntN(22))
	if usr.lpProg == 100 {
		g.emit(u, tPathCompleted, newObj().str("learningPathId", p.id).str("learningPathName", p.name).num("progressPercent", 100).done())
		usr.lpDone |= 1 << (usr.lp - 1)
		usr.lp = 0
		return
	}
	g.emit(u, tPathProgress, newObj().str("learningPathId", p.id).str("learningPathName", p.name).num("progressPercent", int64(usr.lpProg)).done())
	if g.rng.Float64() < 0.04 {
		usr.lpDone |= 1 << (usr.lp - 1) // abandoned part way
		usr.lp = 0
	}
}

// anyThread is the actionData of a view of some thread of u's system, for
// activities that find nothing else to do.
func (g *gen) anyThread(u int32) []byte {
	s := g.systems[g.users[u].sys]
	if t, ok := s.threads.pick(g.rng); ok {
		return newObj().str("forumId", s.forumIDs[t.forum]).str("forumName", forums[t.forum].name).str("threadId", t.id).done()
	}
	return newObj().str("forumId", s.forumIDs[0]).str("forumName", forums[0].name).done()
}

// goal: a teacher works on their goal, or sets one of their own.
func (g *gen) goal(u int32) {
	usr := &g.users[u]
	if usr.goalID != "" {
		g.updateGoal(u)
		return
	}
	if g.month >= time.August && g.month <= time.November || g.rng.Float64() < 0.2 {
		gt := goalTypes[2+g.rng.IntN(2)]
		g.createGoal(u, gt)
		return
	}
	g.learningPath(u)
}

func (g *gen) createGoal(u int32, gtype string) {
	usr := &g.users[u]
	var topic string
	switch gtype {
	case "Professional Growth":
		topic = learningPaths[g.rng.IntN(len(learningPaths)-1)].name
	case "Classroom Culture":
		topic = cultureTopics[g.rng.IntN(len(cultureTopics))]
	case "Student Learning":
		topic = subjects[g.rng.IntN(len(subjects))]
	default:
		dim := int(usr.weakDim)
		if dim < 0 {
			dim = g.rng.IntN(practiceDims)
		}
		topic = lowerFirst(practiceDim(dim))
	}
	stems := goalStems[gtype]
	title := fmt.Sprintf(stems[g.rng.IntN(len(stems))], topic)
	usr.goalID = g.newID("goal")
	usr.goalProg = 0
	usr.goalTo = 100
	if g.rng.Float64() < 0.35 {
		usr.goalTo = 30 + 10*g.rng.IntN(7)
	}
	due := time.UnixMilli(g.t).UTC().AddDate(0, 0, 42+g.rng.IntN(60)).Format("2006-01-02")
	g.emit(u, tGoalCreated, newObj().str("goalId", usr.goalID).str("goalTitle", title).str("goalType", gtype).str("dueDate", due).done())
}

func (g *gen) updateGoal(u int32) {
	usr := &g.users[u]
	if usr.goalProg >= usr.goalTo {
		if g.rng.Float64() < 0.7 {
			return // a stalled goal gets few updates
		}
		g.emit(u, tGoalUpdated, newObj().str("goalId", usr.goalID).num("progress", int64(usr.goalProg)).str("goalStatus", "Needs Support").done())
		return
	}
	usr.goalProg = min(usr.goalTo, usr.goalProg+10+5*g.rng.IntN(5))
	if usr.goalProg == 100 {
		g.emit(u, tGoalUpdated, newObj().str("goalId", usr.goalID).num("progress", 100).str("goalStatus", "In Progress").done())
		g.emit(u, tGoalCompleted, newObj().str("goalId", usr.goalID).done())
		usr.goalID = ""
		return
	}
	status := "In Progress"
	if g.rng.Float64() < 0.12 {
		status = "Needs Support"
	} else if usr.goalProg >= 60 {
		status = "On Track"
	}
	g.emit(u, tGoalUpdated, newObj().str("goalId", usr.goalID).num("progress", int64(usr.goalProg)).str("goalStatus", status).done())
}

func (g *gen) selfAssessment(u int32) {
	usr := &g.users[u]
	w := selfAssessmentWindow(time.UnixMilli(g.dayStart).UTC())
	if w < 0 || usr.selfDone&(1<<w) != 0 {
		g.videoView(g.systems[usr.sys], u)
		return
	}
	usr.selfDone |= 1 << w
	k := 0
	for _, d := range practiceRubric.domains {
		for _, dim := range d.dims {
			// Teachers rate themselves a little higher than observers do.
			score := g.score(u, k, 0.3)
			g.emit(u, tSelfAssessment, newObj().str("rubricId", practiceRubric.id).str("rubricName", practiceRubric.name).
				str("domain", d.name).str("dimension", dim).num("score", int64(score)).num("maxScore", maxScore).done())
			k++
		}
	}
}

// score draws u's score on dimension k: their level, a stable per-dimension
// offset, growth over the year, and noise.
func (g *gen) score(u int32, k int, bias float64) int {
	usr := &g.users[u]
	off := float64(mix64(g.cfg.Seed^uint64(u)<<20^uint64(k))%1000)/1000*1.2 - 0.6
	growth := 0.45 * float64(g.d) / float64(len(g.days))
	x := float64(usr.skill) + off + growth + bias + 0.55*g.rng.NormFloat64()
	return int(max(1, min(maxScore, math.Round(x))))
}

func practiceDim(k int) string {
	for _, d := range practiceRubric.domains {
		if k < len(d.dims) {
			return d.dims[k]
		}
		k -= len(d.dims)
	}
	return ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// nextTeacher returns the next teacher of coach c's caseload, round-robin,
// who is in use, still here and satisfies ok; -1 if none.
func (g *gen) nextTeacher(c int32, ok func(*user) bool) int32 {
	cu := &g.users[c]
	n := len(cu.caseload)
	for range n {
		t := cu.caseload[cu.cursor%n]
		cu.cursor++
		tu := &g.users[t]
		if tu.weight > 0 && tu.leaveDay >= g.d && ok(tu) {
			return t
		}
	}
	return -1
}

// cycle moves one of coach c's teachers through a coaching cycle: an
// observation with rubric scores, then a debrief session from which the
// teacher sets a goal; the next cycle starts some weeks later.
func (g *gen) cycle(c int32) {
	t := g.nextTeacher(c, func(tu *user) bool {
		return tu.observed && tu.obsDay < g.d || !tu.observed && tu.nextCycle <= g.d
	})
	if t < 0 {
		g.videoView(g.systems[g.users[c].sys], c)
		return
	}
	tu := &g.users[t]
	if !tu.observed {
		typ := "Formal"
		if x := g.rng.Float64(); x < 0.45 {
			typ = "Informal"
		} else if x < 0.7 {
			typ = "Walkthrough"
		}
		g.observe(c, t, typ)
		tu.observed, tu.obsDay = true, g.d
		return
	}
	tu.observed = false
	tu.nextCycle = g.d + 21 + int32(g.rng.IntN(28))
	g.coachingSession(c, t, sessionTypes[0])
	if tu.goalID == "" || tu.goalProg >= tu.goalTo || g.rng.Float64() < 0.25 {
		if g.rng.Float64() < 0.8 {
			gt := goalTypes[0]
			if g.rng.Float64() < 0.3 {
				gt = goalTypes[1]
			}
			g.createGoal(t, gt)
		}
	}
}

func (g *gen) coachingSession(c, t int32, kind string) {
	g.emit(c, tCoachingSession, newObj().str("coachId", g.ids[c]).str("teacherId", g.ids[t]).str("sessionType", kind).
		num("durationMinutes", int64(15+5*g.rng.IntN(10))).done())
}

// walkthrough: an admin visits a teacher of their school (any school of
// the district for district staff) not visited in the last two weeks; now
// and then it is a formal evaluation.
func (g *gen) walkthrough(s *system, a int32) {
	pool := s.teachers
	if sch := g.users[a].school; sch >= 0 && len(s.schools[sch].teachers) > 0 {
		pool = s.schools[sch].teachers
	}
	for range 8 {
		t := pool[g.rng.IntN(len(pool))]
		if tu := &g.users[t]; tu.weight > 0 && tu.leaveDay >= g.d && tu.lastVisit+14 <= g.d {
			typ := "Walkthrough"
			if g.rng.Float64() < 0.15 {
				typ = "Formal"
			}
			tu.lastVisit = g.d
			g.observe(a, t, typ)
			return
		}
	}
	g.emit(a, tForumView, g.anyThread(a))
}

// observe writes an Observation Completed by o of t and its Rubric Scores:
// every dimension for a formal observation, two domains for an informal
// one, the short tool for a walkthrough.
func (g *gen) observe(o, t int32, typ string) {
	r := &practiceRubric
	if typ == "Walkthrough" {
		r = &walkthroughRubric
	}
	id := g.newID("obs")
	g.emit(o, tObservation, newObj().str("observationId", id).str("observerId", g.ids[o]).str("observeeId", g.ids[t]).
		str("rubricId", r.id).str("rubricName", r.name).str("observationType", typ).done())
	skip := -1
	if typ == "Informal" {
		skip = g.rng.IntN(len(r.domains))
	}
	k, worst, worstScore := 0, -1, maxScore+1
	for di, d := range r.domains {
		if typ == "Informal" && di != skip && di != (skip+1)%len(r.domains) {
			k += len(d.dims)
			continue
		}
		for _, dim := range d.dims {
			kk := k
			if r == &walkthroughRubric {
				kk = 100 + k
			}
			score := g.score(t, kk, 0)
			if r == &practiceRubric && score < worstScore {
				worst, worstScore = k, score
			}
			g.buf = append(g.buf, rawEvent{ts: min(g.t, g.dayEnd), seq: uint32(len(g.buf)), user: o, typ: tRubricScore,
				data: newObj().str("observationId", id).str("rubricId", r.id).str("rubricName", r.name).str("domain", d.name).
					str("dimension", dim).num("score", int64(score)).num("maxScore", maxScore).done()})
			g.t += int64(5+g.rng.IntN(40)) * 1000
			k++
		}
	}
	if worst >= 0 {
		g.users[t].weakDim = int16(worst)
	}
}

// newID returns a deterministic id with a readable prefix.
func (g *gen) newID(prefix string) string {
	g.idSeq++
	return prefix + "_" + strconv.FormatUint(mix64(g.cfg.Seed*0x9e3779b97f4a7c15+g.idSeq), 36)
}

// mix64 is the splitmix64 finaliser: a bijection on uint64.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
