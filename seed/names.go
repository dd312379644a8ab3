package seed

// The vocabulary of the synthetic world. Every name here is invented or a
// common given name or surname; no list names a real person, school or
// district. The rubrics are original wording.

var firstNames = []string{
	"Aaliyah", "Abigail", "Adrian", "Aisha", "Alejandro", "Amara", "Amir", "Ana", "Andre", "Andrea", "Anika", "Arjun",
	"Ava", "Beatriz", "Benjamin", "Bianca", "Brooke", "Caleb", "Camila", "Carmen", "Chloe", "Colin", "Dana", "Daniel",
	"Daniela", "Darius", "Deja", "Diego", "Elena", "Eli", "Elijah", "Emeka", "Emily", "Emma", "Erin", "Esther",
	"Ethan", "Fatima", "Felix", "Gabriel", "Gloria", "Grace", "Hana", "Hannah", "Hector", "Hugo", "Imani", "Irene",
	"Isaac", "Isabel", "Ivan", "Jada", "Jamal", "Jasmine", "Javier", "Jenna", "Jin", "Joel", "Jordan", "Jose",
	"Julia", "Julian", "Kai", "Kayla", "Keisha", "Kenji", "Laila", "Lauren", "Leah", "Leo", "Liam", "Lucia",
	"Luis", "Malik", "Marcus", "Maria", "Mateo", "Maya", "Megan", "Mei", "Miguel", "Mila", "Nadia", "Naomi",
	"Nathan", "Nia", "Noah", "Nolan", "Nora", "Olivia", "Omar", "Owen", "Paula", "Priya", "Quinn", "Rafael",
	"Rashid", "Rebecca", "Renee", "Rosa", "Ruth", "Ryan", "Samir", "Samuel", "Sara", "Sean", "Simone", "Sofia",
	"Tariq", "Tessa", "Thomas", "Trevor", "Valeria", "Victor", "Vivian", "Wei", "Wesley", "Xavier", "Yara", "Yusuf",
	"Yvonne", "Zara", "Zoe", "Ines", "Kofi", "Lars", "Mina", "Oscar", "Petra", "Soren",
}

var lastNames = []string{
	"Abbott", "Acosta", "Adeyemi", "Alvarez", "Anand", "Baker", "Banerjee", "Barnes", "Bennett", "Bishop", "Brooks", "Calder",
	"Campbell", "Carter", "Castillo", "Chandra", "Chen", "Collins", "Cooper", "Cruz", "Daniels", "Delgado", "Diaz", "Dixon",
	"Donovan", "Duarte", "Edwards", "Ellis", "Espinoza", "Evans", "Farah", "Fischer", "Fleming", "Flores", "Foster", "Garcia",
	"Gibson", "Gordon", "Greene", "Guerrero", "Gupta", "Hall", "Hansen", "Harper", "Hayes", "Henderson", "Hernandez", "Holland",
	"Hughes", "Ibrahim", "Jackson", "Jensen", "Johnson", "Kaur", "Keller", "Kennedy", "Khan", "Kim", "Kowalski", "Lambert",
	"Larsen", "Lee", "Lopez", "Lucero", "Mahmoud", "Marsh", "Martinez", "Mendoza", "Meyer", "Mitchell", "Moreno", "Murphy",
	"Nakamura", "Navarro", "Nguyen", "Novak", "Obi", "Okafor", "Olsen", "Ortiz", "Owens", "Park", "Patel", "Perez",
	"Phillips", "Porter", "Quinlan", "Ramirez", "Reed", "Reyes", "Rivera", "Robinson", "Rojas", "Romero", "Russo", "Sanchez",
	"Santos", "Schmidt", "Shah", "Silva", "Singh", "Soto", "Stewart", "Sullivan", "Tanaka", "Taylor", "Thompson", "Torres",
	"Tran", "Turner", "Vargas", "Vasquez", "Walker", "Wallace", "Ward", "Watson", "Weber", "Williams", "Wong", "Yamamoto",
	"Young", "Zhang", "O'Connell", "Achebe", "Lindqvist", "Moretti",
}

// places name districts and schools.
var places = []string{
	"Alder Creek", "Amber Hill", "Ashford", "Aspen Grove", "Bayside", "Beacon Hill", "Birchwood", "Bluewater", "Briar Glen",
	"Brookhaven", "Cedar Valley", "Clearwater", "Copper Ridge", "Cypress Point", "Deer Run", "Eagle Crest", "Elm Hollow",
	"Fairview", "Fern Hill", "Foxglove", "Glenwood", "Golden Meadow", "Granite Falls", "Hawthorne", "Heather Ridge",
	"Hidden Lake", "Highland Park", "Holly Springs", "Iron Gate", "Juniper Flats", "Kestrel Point", "Lakeshore", "Laurel Bay",
	"Linden", "Lone Pine", "Maple Ridge", "Meadowbrook", "Mill Creek", "Mistwood", "North Star", "Oak Hollow", "Orchard Park",
	"Quarry Hill", "Raven Rock", "Red Maple", "River Bend", "Rosewood", "Sage Meadow", "Silver Lake", "Skyline", "Spring Valley",
	"Stone Bridge", "Sunridge", "Sycamore", "Tamarack", "Thistledown", "Timberline", "Twin Oaks", "Valley View", "West Haven",
	"Whispering Pines", "Wildflower", "Willow Creek", "Windmere", "Wren Hollow", "Yarrow Fields", "Larkspur", "Pinecrest",
}

var districtKinds = []string{"Unified School District", "Public Schools", "Community Schools", "School District"}

// schoolLevels with their share of schools.
var schoolLevels = []struct {
	name  string
	share float64
}{
	{"Elementary", 0.55}, {"Middle School", 0.2}, {"High School", 0.15}, {"K-8 Academy", 0.1},
}

// rubric is an observation rubric: domains of dimensions, scored 1..maxScore.
type rubric struct {
	id, name string
	domains  []domain
}

type domain struct {
	name string
	dims []string
}

const maxScore = 4

// practiceRubric is the district's main rubric: 4 domains of 4 to 6
// dimensions, used for formal and informal observations and self-assessment.
var practiceRubric = rubric{
	id:   "rub_core_practice",
	name: "Core Teaching Practice Rubric",
	domains: []domain{
		{"Designing Learning", []string{"Clear Learning Targets", "Coherent Unit Sequence", "Materials That Fit the Goal", "Planning for Every Learner", "Assessment Built Into the Plan"}},
		{"Classroom Community", []string{"Warm and Respectful Relationships", "Predictable Routines", "Shared Norms for Behavior", "Thoughtful Use of Space and Time"}},
		{"Engaging Instruction", []string{"Purposeful Questioning", "Student Talk and Discussion", "Checking Understanding in the Moment", "Productive Struggle", "Precise Explanations", "Timely Feedback to Students"}},
		{"Professional Growth", []string{"Reflecting on Practice", "Working With Colleagues", "Partnering With Families", "Seeking Out Learning"}},
	},
}

// walkthroughRubric is a short tool for brief classroom visits.
var walkthroughRubric = rubric{
	id:   "rub_walkthrough",
	name: "Classroom Walkthrough Snapshot",
	domains: []domain{
		{"Snapshot", []string{"Lesson Purpose Is Visible", "Students Are Doing the Thinking", "Environment Supports Learning", "Feedback Is Happening"}},
	},
}

var practiceDims = func() int {
	n := 0
	for _, d := range practiceRubric.domains {
		n += len(d.dims)
	}
	return n
}()

type workflowDef struct {
	id, name string
	steps    []string
	// roles that run it; months (1-12) when it is started, empty for any.
	teachers, leaders bool
	months            []int
}

var workflows = []workflowDef{
	{"wf_fall_goals", "Fall Goal-Setting Conference", []string{"Draft Growth Goals", "Coach Review", "Principal Approval"}, true, false, []int{8, 9, 10}},
	{"wf_midyear", "Mid-Year Reflection", []string{"Written Reflection", "Evidence Upload", "Reflection Conference"}, true, false, []int{12, 1, 2}},
	{"wf_peer_visit", "Peer Visit Exchange", []string{"Schedule Visit", "Visit a Colleague", "Share Feedback"}, true, false, nil},
	{"wf_summative", "End-of-Year Summative Review", []string{"Evidence Review", "Summative Conference", "Final Sign-off"}, true, true, []int{4, 5, 6}},
	{"wf_new_staff", "New Staff Onboarding", []string{"Account Setup", "Platform Orientation", "Meet Your Coach", "First Observation Scheduled"}, true, false, []int{7, 8, 9}},
	{"wf_caseload", "Coaching Caseload Planning", []string{"Review Caseload Data", "Set Cycle Calendar", "Share Plan With Principal"}, false, true, nil},
}

var learningPaths = []struct{ id, name string }{
	{"lp_formative", "Everyday Formative Assessment"},
	{"lp_routines", "Building Routines That Last"},
	{"lp_rigor", "Designing Tasks Worth Doing"},
	{"lp_discourse", "Growing Student Discourse"},
	{"lp_multilingual", "Supporting Multilingual Learners"},
	{"lp_feedback", "Feedback That Moves Learning"},
	{"lp_coaching", "Foundations of Instructional Coaching"},
}

var forums = []struct {
	name    string
	leaders bool // where coaches and admins post most
}{
	{"New Teacher Lounge", false},
	{"Math Instruction Exchange", false},
	{"Literacy Across the Day", false},
	{"Classroom Culture Q&A", false},
	{"Tech Tools Corner", false},
	{"Coaching Community of Practice", true},
	{"District Announcements", true},
}

var threadTopics = []string{
	"Ideas for the first week", "How do you run morning meeting?", "Exit tickets that actually get used", "Favorite fraction manipulatives",
	"Small-group rotations with 32 students", "Parent conference prep", "Making anchor charts students use", "Getting quiet students talking",
	"Grading load in December", "Warm-ups that build number sense", "Lab safety routines", "Read-aloud picks for upper grades",
	"Co-teaching schedules", "Transitions after lunch", "Using video to reflect", "Spring testing calendar",
}

var subjects = []string{"Math", "ELA", "Science", "Social Studies", "Spanish", "Art", "Music", "PE", "Computer Science", "Reading Intervention"}

var grades = []string{"K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}

var videoPractices = []string{
	"number talk warm-up", "think-pair-share", "small-group guided reading", "gallery walk", "lab debrief", "Socratic seminar",
	"modeling with manipulatives", "exit ticket routine", "turn-and-talk", "mini-lesson launch", "station rotation", "peer feedback protocol",
	"vocabulary routine", "whole-class discussion", "closing circle", "error analysis",
}

var videoTags = []string{
	"Questioning", "Discourse", "Routines", "Small Groups", "Feedback", "Engagement", "Checking for Understanding", "Modeling",
	"Differentiation", "Classroom Culture", "Closure", "Warm-Up",
}

var fileKinds = []struct{ stem, ext string }{
	{"Unit Plan", "docx"}, {"Lesson Plan", "docx"}, {"Exit Ticket Bank", "pdf"}, {"Rubric for Student Work", "pdf"}, {"Seating Chart", "xlsx"},
	{"Data Tracker", "xlsx"}, {"Family Newsletter", "docx"}, {"Anchor Chart Photos", "zip"}, {"Slides", "pptx"}, {"Reading Log", "pdf"},
	{"Observation Notes", "docx"}, {"Coaching Cycle Plan", "docx"}, {"PD Session Slides", "pptx"}, {"Student Work Samples", "pdf"},
}

var exemplarKinds = []string{
	"Student-led discussion protocol", "Strong lesson opening", "Clear success criteria", "Well-paced transitions", "High-quality feedback on writing",
	"Math talk moves in action", "Inquiry lab launch", "Differentiated task menu", "Family communication template", "Reflection journal prompts",
}

var goalTypes = []string{"Instructional Practice", "Student Learning", "Professional Growth", "Classroom Culture"}

var goalStems = map[string][]string{
	"Instructional Practice": {"Strengthen %s", "Make %s a daily habit", "Improve %s in every lesson"},
	"Student Learning":       {"Raise unit assessment results in %s", "Close the gap in %s", "Grow reading fluency in %s"},
	"Professional Growth":    {"Complete the %s learning path", "Lead a team session on %s", "Observe two colleagues on %s"},
	"Classroom Culture":      {"Build %s", "Sustain %s through the spring", "Co-create %s with students"},
}

var cultureTopics = []string{"predictable routines", "student ownership of norms", "a welcoming start to class", "calm transitions"}

var sessionTypes = []string{"Post-Observation Debrief", "Planning Session", "Check-in", "Co-Teaching", "Data Review", "Video Reflection"}
