package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Roles of planned users, as indexes.
const (
	roleTeacher uint8 = iota
	roleCoach
	roleAdmin
)

var roleNames = [...]string{"Teacher", "Coach", "Admin"}

// Planned account statuses.
const (
	statusActive uint8 = iota
	statusInvited
	statusInactive
)

var statusNames = [...]string{"Active", "Invited", "Inactive"}

const (
	noDay        = math.MaxInt32
	groupLeaders = "District Leadership"
	groupCoaches = "Instructional Coaches"
	groupNewHire = "New Teacher Cohort"
)

// user is one planned user and the state of their year.
type user struct {
	email, name string
	sys         int32
	school      int32 // index in the system's schools; -1 for district staff
	role        uint8
	status      uint8
	weight      float64 // relative activity; 0 for accounts never used
	leaveDay    int32   // no activity after this day (leavers); noDay otherwise
	skill       float32 // latent practice level, about 1.8 to 3.4
	newHire     bool

	// Teachers: their coach and where their coaching cycle stands.
	coach     int32
	observed  bool  // observed, debrief pending
	obsDay    int32 // day of the pending observation
	nextCycle int32 // first day a new cycle may start
	weakDim   int16 // practice-rubric dimension to work on
	lastVisit int32 // day of the last admin visit

	// Coaches: the teachers they coach.
	caseload []int32
	cursor   int

	goalID           string
	goalProg, goalTo int
	wf, wfStep       int // 1-based workflow index (0 none), steps completed
	wfDone           uint32
	lp, lpProg       int // 1-based learning path index (0 none), progress
	lpDone           uint32
	selfDone         uint8 // self-assessment windows done
}

type school struct {
	name     string
	teachers []int32
}

// system is one planned district and its shared content.
type system struct {
	name, domain string
	id           string
	schools      []school
	groups       []string
	members      [][]int32 // by group
	users        []int32
	teachers     []int32
	forumIDs     []string
	videos       ring[video]
	files        ring[file]
	exemplars    ring[exemplar]
	threads      ring[thread]
}

type video struct {
	id, title string
	duration  int
	owner     int32
}

type file struct{ id, name string }

type exemplar struct{ id, title string }

type thread struct {
	forum int
	id    string
}

// ring keeps the newest items of a library, so that memory stays flat
// however many events a seed writes.
type ring[T any] struct {
	items []T
	next  int
}

const ringSize = 400

func (r *ring[T]) add(v T) {
	if len(r.items) < ringSize {
		r.items = append(r.items, v)
		return
	}
	r.items[r.next] = v
	r.next = (r.next + 1) % ringSize
}

// pick returns a random item, favouring the newest; false when empty.
func (r *ring[T]) pick(rng *rand.Rand) (T, bool) {
	var zero T
	n := len(r.items)
	if n == 0 {
		return zero, false
	}
	if rng.IntN(2) == 0 {
		// One of the 20 newest.
		k := rng.IntN(min(n, 20))
		newest := (r.next - 1 + n) % n
		if n < ringSize {
			newest = n - 1
		}
		return r.items[(newest-k+n)%n], true
	}
	return r.items[rng.IntN(n)], true
}

// plan lays out systems, schools, groups and users.
func (g *gen) plan() {
	rng := g.rng
	n := g.cfg.Systems
	// District names: distinct places.
	order := rng.Perm(len(places))
	sizes := make([]float64, n)
	var total float64
	for i := range sizes {
		sizes[i] = 0.7 + 0.6*rng.Float64()
		total += sizes[i]
	}
	left := g.cfg.Users
	for i := range n {
		place := places[order[i%len(places)]]
		if i >= len(places) {
			place = fmt.Sprintf("%s %d", place, i/len(places)+1)
		}
		s := &system{
			name:   place + " " + districtKinds[rng.IntN(len(districtKinds))],
			domain: slug(place) + ".example.org",
		}
		size := int(math.Round(float64(g.cfg.Users) * sizes[i] / total))
		if i == n-1 {
			size = left
		}
		size = max(3, min(size, left-3*(n-1-i)))
		left -= size
		g.planSystem(int32(i), s, size)
		g.systems = append(g.systems, s)
	}
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *gen) planSystem(si int32, s *system, size int) {
	rng := g.rng
	admins := max(1, int(math.Round(0.05*float64(size))))
	coaches := max(1, int(math.Round(0.10*float64(size))))
	teachers := size - admins - coaches
	if teachers < 1 {
		teachers, admins, coaches = 1, 1, size-2
	}
	// Schools, named from places the district's own name does not use.
	nSchools := max(1, int(math.Round(float64(teachers)/45)))
	used := map[string]bool{}
	prefixes := []string{"", "North ", "South ", "East ", "West ", "Central "}
	for k := 0; len(s.schools) < nSchools; k++ {
		lv := schoolLevels[len(schoolLevels)-1].name
		x := rng.Float64()
		for _, l := range schoolLevels {
			if x < l.share {
				lv = l.name
				break
			}
			x -= l.share
		}
		name := prefixes[min(k/len(places), len(prefixes)-1)] + places[rng.IntN(len(places))] + " " + lv
		if k >= len(places)*len(prefixes) {
			name = fmt.Sprintf("%s Campus %d", name, k)
		}
		if used[strings.ToLower(name)] {
			continue
		}
		used[strings.ToLower(name)] = true
		s.schools = append(s.schools, school{name: name})
	}
	schoolWeight := make([]float64, nSchools)
	var sw float64
	for i := range schoolWeight {
		schoolWeight[i] = 0.6 + rng.Float64()
		sw += schoolWeight[i]
	}
	pickSchool := func() int32 {
		x := rng.Float64() * sw
		for i, w := range schoolWeight {
			if x < w {
				return int32(i)
			}
			x -= w
		}
		return int32(nSchools - 1)
	}
	emails := map[string]int{}
	add := func(role uint8, sch int32) int32 {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		local := slug(first) + "." + slug(last)
		emails[local]++
		if k := emails[local]; k > 1 {
			local = fmt.Sprintf("%s%d", local, k)
		}
		u := user{
			email: local + "@" + s.domain, name: first + " " + last, sys: si, school: sch, role: role,
			leaveDay: noDay, coach: -1, weakDim: -1, lastVisit: -100,
			skill: float32(2.0 + 0.9*rng.Float64() + 0.25*rng.NormFloat64()),
		}
		// Heavy-tailed activity: log-normal, heavier for coaches and admins.
		u.weight = math.Exp(1.05 * rng.NormFloat64())
		switch role {
		case roleCoach:
			u.weight = 3 * (0.5 + u.weight)
		case roleAdmin:
			u.weight = 1.6 * (0.3 + u.weight)
		case roleTeacher:
			switch x := rng.Float64(); {
			case x < 0.06: // never accepted their invitation
				u.weight, u.status = 0, statusInvited
			case x < 0.118: // an account nobody uses
				u.weight = 0
			case x < 0.158: // left the district during the year
				u.status = statusInactive
				u.leaveDay = int32(float64(len(g.days)) * (0.3 + 0.5*rng.Float64()))
			}
			u.newHire = rng.Float64() < 0.12
			if u.newHire {
				u.skill -= 0.35
			}
		}
		id := int32(len(g.users))
		g.users = append(g.users, u)
		s.users = append(s.users, id)
		return id
	}
	// Admins: the first runs the district; then a principal per school
	// while there are admins to spare; the rest work at the district office.
	var leaders []int32
	for k := range admins {
		sch := int32(-1)
		if k > 0 && k <= nSchools && admins > 1 {
			sch = int32(k - 1)
		}
		id := add(roleAdmin, sch)
		if sch < 0 {
			leaders = append(leaders, id)
		}
	}
	coachIDs := make([]int32, coaches)
	for k := range coaches {
		coachIDs[k] = add(roleCoach, int32(k%nSchools))
	}
	for range teachers {
		sch := pickSchool()
		id := add(roleTeacher, sch)
		s.schools[sch].teachers = append(s.schools[sch].teachers, id)
		s.teachers = append(s.teachers, id)
	}
	// Caseloads: a school's teachers are shared among its coaches; a school
	// without its own coach is served by a coach of another school.
	bySchool := make([][]int32, nSchools)
	for _, c := range coachIDs {
		sch := g.users[c].school
		bySchool[sch] = append(bySchool[sch], c)
	}
	coachSchools := map[int32][]int32{}
	for sch := range s.schools {
		cs := bySchool[sch]
		if len(cs) == 0 {
			cs = []int32{coachIDs[sch%len(coachIDs)]}
		}
		for k, t := range s.schools[sch].teachers {
			c := cs[k%len(cs)]
			g.users[t].coach = c
			g.users[c].caseload = append(g.users[c].caseload, t)
			if sch := int32(sch); !containsInt32(coachSchools[c], sch) {
				coachSchools[c] = append(coachSchools[c], sch)
			}
		}
	}
	// Groups: one per school (its principal, coaches and teachers), district
	// leadership, the coaches, and a cohort of new teachers.
	for sch := range s.schools {
		s.groups = append(s.groups, s.schools[sch].name)
		var m []int32
		for _, id := range s.users {
			u := &g.users[id]
			if u.role != roleCoach && u.school == int32(sch) || u.role == roleCoach && containsInt32(coachSchools[id], int32(sch)) {
				m = append(m, id)
			}
		}
		s.members = append(s.members, m)
	}
	s.groups = append(s.groups, groupLeaders, groupCoaches, groupNewHire)
	s.members = append(s.members, leaders, coachIDs, nil)
	for _, t := range s.teachers {
		if g.users[t].newHire {
			s.members[len(s.members)-1] = append(s.members[len(s.members)-1], t)
		}
	}
	for k := range forums {
		s.forumIDs = append(s.forumIDs, fmt.Sprintf("frm_%s_%d", slug(s.name)[:min(12, len(slug(s.name)))], k+1))
	}
}

func containsInt32(xs []int32, x int32) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// alias samples indexes in proportion to weights in O(1) (Vose's method).
type alias struct {
	prob  []float64
	alias []int32
}

func newAlias(w []float64) *alias {
	n := len(w)
	var sum float64
	for _, x := range w {
		sum += x
	}
	if n == 0 || sum <= 0 {
		return nil
	}
	a := &alias{prob: make([]float64, n), alias: make([]int32, n)}
	scaled := make([]float64, n)
	var small, large []int32
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s], a.alias[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, l := range large {
		a.prob[l] = 1
	}
	for _, s := range small {
		a.prob[s] = 1
	}
	return a
}

func (a *alias) sample(rng *rand.Rand) int32 {
	i := rng.IntN(len(a.prob))
	if rng.Float64() < a.prob[i] {
		return int32(i)
	}
	return a.alias[i]
}
