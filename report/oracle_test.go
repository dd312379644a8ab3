package report_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/opentalent/opentalent/report"
)

// expect returns the rows the oracle computes for the report name.
func expect(w *world, name string, p report.Params) [][]string {
	o := newOracle(w, p)
	switch name {
	case "systemPerformance":
		return o.systemPerformance()
	case "accountUsage":
		return o.accountUsage()
	case "frequencySnapshot":
		return o.frequencySnapshot()
	case "activityStream":
		return o.activityStream()
	case "domainsAndDimensions":
		return o.domainsAndDimensions()
	case "selfAssessments":
		return o.selfAssessments()
	case "rubricUsage":
		return o.rubricUsage()
	case "observations":
		return o.observations()
	case "coachingFrequency":
		return o.coachingFrequency()
	case "goals":
		return o.goals()
	case "goalsActivity":
		return o.goalsActivity()
	case "goalsCreation":
		return o.goalsCreation()
	case "videoInteraction":
		return o.videoInteraction()
	case "videoUsage":
		return o.videoUsage()
	case "fileUsage":
		return o.fileUsage()
	case "exemplarUsage":
		return o.exemplarUsage()
	case "forumUsage":
		return o.forumUsage()
	case "forumParticipation":
		return o.forumParticipation()
	case "workflowParticipation":
		return o.workflowParticipation()
	case "learningPathsStatus":
		return o.learningPathsStatus()
	}
	panic("no oracle for " + name)
}

func (o *oracle) systemPerformance() [][]string {
	if o.sys == nil {
		return nil
	}
	active := map[string]bool{}
	counts := map[string]int{}
	var sum float64
	var n int
	for _, e := range o.events() {
		active[e.user] = true
		counts[e.typ]++
		if x, ok := e.num("score"); ok && e.typ == "Rubric Score" {
			sum += x
			n++
		}
	}
	return [][]string{{o.sys.id, o.sys.name, itoa(len(o.scope)), itoa(len(active)), itoa(counts["Login"]),
		itoa(counts["Observation Completed"]), dec(sum, n), itoa(counts["Video Upload"]), itoa(counts["Goal Created"]),
		itoa(counts["Goal Completed"]), itoa(counts["Coaching Session"])}}
}

func (o *oracle) accountUsage() [][]string {
	return o.perUser(func(u *wUser) []string {
		if o.f.Status != "" && u.status != o.f.Status {
			return nil
		}
		days := map[int64]bool{}
		for _, e := range o.events() {
			if e.user == u.id {
				days[e.ts/86400000] = true
			}
		}
		ls := ""
		if u.lastSeen != nil {
			ls = tm(*u.lastSeen)
		}
		return []string{u.name, u.email, u.role, u.status, tm(u.createdAt), ls, itoa(o.count(u, "Login", nil)), itoa(len(days))}
	})
}

func (o *oracle) frequencySnapshot() [][]string {
	return o.perUser(func(u *wUser) []string {
		var recv, given, coaching int
		for _, e := range o.w.events {
			if !o.inWindow(e) {
				continue
			}
			if e.typ == "Observation Completed" {
				if e.s("observeeId") == u.id {
					recv++
				}
				if e.observer() == u.id {
					given++
				}
			}
			if e.typ == "Coaching Session" && (e.s("teacherId") == u.id || e.coach() == u.id) {
				coaching++
			}
		}
		return []string{u.name, u.email, u.role, itoa(o.count(u, "Login", nil)), itoa(recv), itoa(given),
			itoa(o.count(u, "Video Upload", nil)), itoa(o.count(u, "Goal Created", nil)), itoa(coaching)}
	})
}

func (o *oracle) activityStream() [][]string {
	var rows [][]string
	for _, e := range sortedEvents(o.events(o.f.TypeAliases...)) {
		u := o.scope[e.user]
		data, _ := json.Marshal(e.data)
		norm, _ := report.NormalizeJSON(data)
		rows = append(rows, []string{tm(e.ts), u.name, u.email, o.sys.name, e.typ, string(norm)})
	}
	return rows
}

func sortedEvents(es []*wEvent) []*wEvent {
	out := append([]*wEvent(nil), es...)
	slices.SortFunc(out, func(a, b *wEvent) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
	return out
}

type stat struct {
	name     string
	n        int
	sum      float64
	scores   int
	min, max float64
}

func (s *stat) add(x float64, ok bool) {
	if !ok {
		return
	}
	if s.scores == 0 || x < s.min {
		s.min = x
	}
	if s.scores == 0 || x > s.max {
		s.max = x
	}
	s.sum += x
	s.scores++
}

func (s *stat) mean() string { return dec(s.sum, s.scores) }

func (o *oracle) domainsAndDimensions() [][]string {
	groups := map[[2]string]*stat{}
	var keys [][2]string
	for _, e := range o.events("Rubric Score") {
		if e.s("rubricId") != o.f.RubricID || !has(e, "rubricId") {
			continue
		}
		k := [2]string{e.s("domain"), e.s("dimension")}
		g := groups[k]
		if g == nil {
			g = &stat{}
			groups[k] = g
			keys = append(keys, k)
		}
		rn, ok := e.str("rubricName")
		maxStr(&g.name, rn, ok)
		g.n++
		g.add(e.num("score"))
	}
	var rows [][]string
	for _, k := range keys {
		g := groups[k]
		lo, hi := "", ""
		if g.scores > 0 {
			lo, hi = report.FormatDecimal(g.min), report.FormatDecimal(g.max)
		}
		rows = append(rows, []string{g.name, k[0], k[1], itoa(g.n), g.mean(), lo, hi})
	}
	sortRows(rows, 1, 2)
	return rows
}

func has(e *wEvent, f string) bool { _, ok := e.str(f); return ok }

func optDec(x float64, ok bool) string {
	if !ok {
		return ""
	}
	return report.FormatDecimal(x)
}

func (o *oracle) selfAssessments() [][]string {
	var rows [][]string
	for _, e := range sortedEvents(o.events("Self Assessment Submitted")) {
		if o.f.RubricID != "" && (e.s("rubricId") != o.f.RubricID || !has(e, "rubricId")) {
			continue
		}
		u := o.scope[e.user]
		rows = append(rows, []string{tm(e.ts), u.name, u.email, e.s("rubricName"), e.s("domain"), e.s("dimension"),
			optDec(e.num("score")), optDec(e.num("maxScore"))})
	}
	return rows
}

func (o *oracle) rubricUsage() [][]string {
	type agg struct {
		name                 string
		obs, scores, selfs   int
		st                   stat
		observers, observees map[string]bool
	}
	m := map[string]*agg{}
	var ids []string
	for _, e := range o.events("Observation Completed", "Rubric Score", "Self Assessment Submitted") {
		rid, ok := e.str("rubricId")
		if !ok || o.f.RubricID != "" && rid != o.f.RubricID {
			continue
		}
		a := m[rid]
		if a == nil {
			a = &agg{observers: map[string]bool{}, observees: map[string]bool{}}
			m[rid] = a
			ids = append(ids, rid)
		}
		rn, ok := e.str("rubricName")
		maxStr(&a.name, rn, ok)
		switch e.typ {
		case "Observation Completed":
			a.obs++
			a.observers[e.observer()] = true
			if s, ok := e.str("observeeId"); ok {
				a.observees[s] = true
			}
		case "Rubric Score":
			a.scores++
			a.st.add(e.num("score"))
		default:
			a.selfs++
		}
	}
	var rows [][]string
	for _, id := range ids {
		a := m[id]
		rows = append(rows, []string{id, a.name, itoa(a.obs), itoa(a.scores), itoa(a.selfs), a.st.mean(), itoa(len(a.observers)), itoa(len(a.observees))})
	}
	sortRows(rows, 1, 0)
	return rows
}

func (o *oracle) observations() [][]string {
	var rows [][]string
	for _, e := range o.all() {
		if !o.inWindow(e) || e.typ != "Observation Completed" {
			continue
		}
		if o.f.RubricID != "" && (e.s("rubricId") != o.f.RubricID || !has(e, "rubricId")) ||
			o.f.ObservationType != "" && (e.s("observationType") != o.f.ObservationType || !has(e, "observationType")) {
			continue
		}
		observer, observee := o.scope[e.observer()], o.scope[e.s("observeeId")]
		if observer == nil && observee == nil {
			continue
		}
		var st stat
		if oid, ok := e.str("observationId"); ok {
			for _, s := range o.w.events {
				if s.system == o.p.SystemID && s.ts < o.f.EndTime && s.typ == "Rubric Score" && has(s, "observationId") && s.s("observationId") == oid {
					st.add(s.num("score"))
				}
			}
		}
		row := []string{tm(e.ts), e.s("observationId"), "", "", "", "", e.s("rubricName"), e.s("observationType"), st.mean()}
		if observer != nil {
			row[2], row[3] = observer.name, observer.email
		}
		if observee != nil {
			row[4], row[5] = observee.name, observee.email
		}
		rows = append(rows, row)
	}
	return rows
}

func (o *oracle) coachingFrequency() [][]string {
	return o.perUser(func(u *wUser) []string {
		n := 0
		var first, last int64
		coaches := map[string]bool{}
		for _, e := range o.w.events {
			if !o.inWindow(e) || e.typ != "Coaching Session" || !has(e, "teacherId") || e.s("teacherId") != u.id {
				continue
			}
			if n == 0 || e.ts < first {
				first = e.ts
			}
			if n == 0 || e.ts > last {
				last = e.ts
			}
			n++
			coaches[e.coach()] = true
		}
		if n == 0 {
			return nil
		}
		gap := ""
		if n > 1 {
			gap = report.FormatDecimal(float64(last-first) / float64(n-1) / 86400000)
		}
		return []string{u.name, u.email, itoa(n), itoa(len(coaches)), tm(last), gap}
	})
}

func (o *oracle) goals() [][]string {
	first := map[string]*wEvent{}
	var ids []string
	for _, e := range sortedEvents(o.events("Goal Created")) {
		gid, ok := e.str("goalId")
		if !ok || o.f.GoalType != "" && (e.s("goalType") != o.f.GoalType || !has(e, "goalType")) {
			continue
		}
		if first[gid] == nil {
			first[gid] = e
			ids = append(ids, gid)
		}
	}
	var rows [][]string
	for _, gid := range ids {
		c := first[gid]
		var done, status, progress *wEvent
		for _, e := range o.all() {
			if e.system != o.p.SystemID || e.ts >= o.f.EndTime || !has(e, "goalId") || e.s("goalId") != gid {
				continue
			}
			switch e.typ {
			case "Goal Completed":
				if done == nil {
					done = e
				}
			case "Goal Updated":
				if has(e, "goalStatus") {
					status = e
				}
				if _, ok := e.num("progress"); ok {
					progress = e
				}
			}
		}
		st, pr, at := "Not Started", "0", ""
		if status != nil {
			st = status.s("goalStatus")
		}
		if progress != nil {
			x, _ := progress.num("progress")
			pr = report.FormatInt(x)
		}
		if done != nil {
			st, pr, at = "Completed", "100", tm(done.ts)
		}
		u := o.scope[c.user]
		rows = append(rows, []string{gid, c.s("goalTitle"), c.s("goalType"), u.name, u.email, tm(c.ts), c.s("dueDate"), st, pr, at})
	}
	return rows
}

func (o *oracle) goalsActivity() [][]string {
	return o.perUser(func(u *wUser) []string {
		return []string{u.name, u.email, itoa(o.count(u, "Goal Created", nil)), itoa(o.count(u, "Goal Updated", nil)), itoa(o.count(u, "Goal Completed", nil))}
	})
}

func (o *oracle) goalsCreation() [][]string {
	names := map[string]string{}
	for _, g := range o.w.groups {
		if g.system == o.p.SystemID && (len(o.f.GroupIDs) == 0 || contains(o.f.GroupIDs, g.id)) {
			names[g.id] = g.name
		}
	}
	counts := map[[2]string]int{}
	for _, e := range o.events("Goal Created") {
		y, wk := time.UnixMilli(e.ts / 1000 * 1000).UTC().ISOWeek()
		week := fmt.Sprintf("%04d-W%02d", y, wk)
		var gs []string
		for _, m := range o.w.members {
			if m[0] == e.user && names[m[1]] != "" {
				gs = append(gs, names[m[1]])
			}
		}
		if len(gs) == 0 {
			gs = []string{"(no group)"}
		}
		for _, g := range gs {
			counts[[2]string{week, g}]++
		}
	}
	var rows [][]string
	for k, n := range counts {
		rows = append(rows, []string{k[0], k[1], itoa(n)})
	}
	sortRows(rows, 0, 1)
	return rows
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func (o *oracle) videoInteraction() [][]string {
	type agg struct {
		title                         string
		views, comments, tags, shares int
		ws                            float64
		viewers                       map[string]bool
	}
	m := map[string]*agg{}
	var ids []string
	for _, e := range o.events("Video Upload", "Video View", "Video Comment", "Video Tag", "Video Share") {
		vid, ok := e.str("videoId")
		if !ok {
			continue
		}
		a := m[vid]
		if a == nil {
			a = &agg{viewers: map[string]bool{}}
			m[vid] = a
			ids = append(ids, vid)
		}
		t, ok := e.str("videoTitle")
		maxStr(&a.title, t, ok)
		switch e.typ {
		case "Video View":
			a.views++
			a.viewers[e.user] = true
			if x, ok := e.num("watchedSeconds"); ok {
				a.ws += x
			}
		case "Video Comment":
			a.comments++
		case "Video Tag":
			a.tags++
		case "Video Share":
			a.shares++
		}
	}
	var rows [][]string
	for _, vid := range ids {
		a := m[vid]
		title, owner := a.title, ""
		for _, e := range o.all() {
			if e.system == o.p.SystemID && e.ts < o.f.EndTime && e.typ == "Video Upload" && has(e, "videoId") && e.s("videoId") == vid {
				if u := o.scope[e.user]; u != nil {
					owner = u.email
					if t, ok := e.str("videoTitle"); ok {
						title = t
					}
				}
				break
			}
		}
		rows = append(rows, []string{vid, title, owner, itoa(a.views), itoa(len(a.viewers)), report.FormatInt(a.ws), itoa(a.comments), itoa(a.tags), itoa(a.shares)})
	}
	sortRows(rows, 1, 0)
	return rows
}

func (o *oracle) sum(u *wUser, typ, field string) float64 {
	var s float64
	for _, e := range o.events(typ) {
		if x, ok := e.num(field); ok && e.user == u.id {
			s += x
		}
	}
	return s
}

func (o *oracle) videoUsage() [][]string {
	return o.perUser(func(u *wUser) []string {
		return []string{u.name, u.email, itoa(o.count(u, "Video Upload", nil)), report.FormatDecimal(o.sum(u, "Video Upload", "duration") / 60),
			itoa(o.count(u, "Video View", nil)), report.FormatDecimal(o.sum(u, "Video View", "watchedSeconds") / 60)}
	})
}

func (o *oracle) fileUsage() [][]string {
	return o.perUser(func(u *wUser) []string {
		return []string{u.name, u.email, itoa(o.count(u, "File Upload", nil)), report.FormatInt(o.sum(u, "File Upload", "sizeBytes")),
			itoa(o.count(u, "File Download", nil))}
	})
}

// objects groups the counted events of the types by the id field, keeping the
// greatest name field; fn adds each event to its group's counters.
func (o *oracle) objects(idField, nameField, filter string, typesList []string, ncounters int, fn func(e *wEvent, c []int, users []map[string]bool)) [][]string {
	type agg struct {
		name  string
		c     []int
		users []map[string]bool
	}
	m := map[string]*agg{}
	var ids []string
	for _, e := range o.events(typesList...) {
		id, ok := e.str(idField)
		if !ok || filter != "" && id != filter {
			continue
		}
		a := m[id]
		if a == nil {
			a = &agg{c: make([]int, ncounters), users: []map[string]bool{{}}}
			m[id] = a
			ids = append(ids, id)
		}
		n, ok := e.str(nameField)
		maxStr(&a.name, n, ok)
		fn(e, a.c, a.users)
	}
	var rows [][]string
	for _, id := range ids {
		a := m[id]
		row := []string{id, a.name}
		for _, c := range a.c {
			row = append(row, itoa(c))
		}
		rows = append(rows, append(row, itoa(len(a.users[0]))))
	}
	sortRows(rows, 1, 0)
	return rows
}

func (o *oracle) exemplarUsage() [][]string {
	return o.objects("exemplarId", "exemplarTitle", "", []string{"Exemplar Added", "Exemplar View"}, 2, func(e *wEvent, c []int, users []map[string]bool) {
		if e.typ == "Exemplar Added" {
			c[0]++
		} else {
			c[1]++
			users[0][e.user] = true
		}
	})
}

func (o *oracle) forumUsage() [][]string {
	return o.objects("forumId", "forumName", o.f.ForumID, []string{"Forum Post", "Forum Reply", "Forum View"}, 3, func(e *wEvent, c []int, users []map[string]bool) {
		switch e.typ {
		case "Forum Post":
			c[0]++
			users[0][e.user] = true
		case "Forum Reply":
			c[1]++
			users[0][e.user] = true
		default:
			c[2]++
		}
	})
}

func (o *oracle) forumParticipation() [][]string {
	inForum := func(e *wEvent) bool { return o.f.ForumID == "" || has(e, "forumId") && e.s("forumId") == o.f.ForumID }
	return o.perUser(func(u *wUser) []string {
		return []string{u.name, u.email, itoa(o.count(u, "Forum Post", inForum)), itoa(o.count(u, "Forum Reply", inForum)), itoa(o.count(u, "Forum View", inForum))}
	})
}

func (o *oracle) workflowParticipation() [][]string {
	var rows [][]string
	for _, u := range o.sorted {
		type agg struct {
			name     string
			s, st, d int
			last     int64
		}
		m := map[string]*agg{}
		for _, e := range o.events("Workflow Started", "Workflow Step Completed", "Workflow Completed") {
			wid, ok := e.str("workflowId")
			if e.user != u.id || !ok || o.f.WorkflowID != "" && wid != o.f.WorkflowID {
				continue
			}
			a := m[wid]
			if a == nil {
				a = &agg{}
				m[wid] = a
			}
			n, ok := e.str("workflowName")
			maxStr(&a.name, n, ok)
			switch e.typ {
			case "Workflow Started":
				a.s++
			case "Workflow Step Completed":
				a.st++
			default:
				a.d++
			}
			if e.ts > a.last {
				a.last = e.ts
			}
		}
		var part [][]string
		for wid, a := range m {
			part = append(part, []string{u.name, u.email, a.name, itoa(a.s), itoa(a.st), itoa(a.d), tm(a.last), wid})
		}
		sortRows(part, 2, 7)
		for _, r := range part {
			rows = append(rows, r[:7])
		}
	}
	return rows
}

func (o *oracle) learningPathsStatus() [][]string {
	var rows [][]string
	for _, u := range o.sorted {
		byPath := map[string][]*wEvent{}
		for _, e := range o.all() {
			lid, ok := e.str("learningPathId")
			if e.system != o.p.SystemID || e.user != u.id || e.ts >= o.f.EndTime || !ok ||
				o.f.LearningPathID != "" && lid != o.f.LearningPathID ||
				!contains([]string{"Learning Path Enrolled", "Learning Path Progress", "Learning Path Completed"}, e.typ) {
				continue
			}
			byPath[lid] = append(byPath[lid], e)
		}
		var part [][]string
		for lid, es := range byPath {
			var name string
			var enrolled, completed int64
			var hasEnrolled, hasCompleted, inWindow, hasPP bool
			var pp float64
			for _, e := range es { // oldest first
				n, ok := e.str("learningPathName")
				maxStr(&name, n, ok)
				if e.ts >= o.f.StartTime {
					inWindow = true
				}
				if e.typ == "Learning Path Enrolled" && !hasEnrolled {
					enrolled, hasEnrolled = e.ts, true
				}
				if e.typ == "Learning Path Completed" && !hasCompleted {
					completed, hasCompleted = e.ts, true
				}
				if x, ok := e.num("progressPercent"); ok {
					pp, hasPP = x, true
				}
			}
			if !inWindow {
				continue
			}
			status, progress := "Not Started", "0"
			if hasPP {
				progress = report.FormatInt(pp)
				if pp > 0 {
					status = "In Progress"
				}
			}
			if hasCompleted {
				status, progress = "Completed", "100"
			}
			part = append(part, []string{u.name, u.email, name, optTime(enrolled, hasEnrolled), progress, status, optTime(completed, hasCompleted), lid})
		}
		sortRows(part, 2, 7)
		for _, r := range part {
			rows = append(rows, r[:7])
		}
	}
	return rows
}

func (o *oracle) all() []*wEvent {
	if o.allSorted == nil {
		o.allSorted = sortedEvents(o.w.events)
	}
	return o.allSorted
}
