package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/opentalent/opentalent"
)

type activitiesRequest struct {
	Events []json.RawMessage `json:"events"`
}

type eventInput struct {
	ID         *string         `json:"_id"`
	UserID     string          `json:"userId"`
	SystemID   string          `json:"systemId"`
	Timestamp  *int64          `json:"timestamp"`
	TypeAlias  string          `json:"typeAlias"`
	ActionData json.RawMessage `json:"actionData"`
}

// minEventTime is the earliest timestamp accepted: 2000-01-01.
const minEventTime = 946684800000

// parseEvent decodes and checks one event on its own.
func parseEvent(raw json.RawMessage, now time.Time) (opentalent.Event, error) {
	var in eventInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return opentalent.Event{}, errors.New(opentalent.ErrorMessage(decodeError(err)))
	}
	if checkText(reflect.ValueOf(in)) != nil {
		return opentalent.Event{}, errors.New("the event contains a NUL character or invalid UTF-8")
	}
	e := opentalent.Event{UserID: in.UserID, SystemID: in.SystemID, TypeAlias: in.TypeAlias}
	if in.ID != nil {
		if *in.ID == "" || len(*in.ID) > 128 {
			return e, errors.New("_id must be 1 to 128 characters")
		}
		e.ID = *in.ID
	}
	switch {
	case in.UserID == "":
		return e, errors.New("userId is required")
	case in.Timestamp == nil:
		return e, errors.New("timestamp is required (epoch milliseconds)")
	case *in.Timestamp < minEventTime || *in.Timestamp > now.Add(24*time.Hour).UnixMilli():
		return e, errors.New("timestamp must be epoch milliseconds between 2000-01-01 and tomorrow")
	case in.TypeAlias == "" || len(in.TypeAlias) > 100:
		return e, errors.New("typeAlias must be 1 to 100 characters")
	}
	e.Timestamp = *in.Timestamp
	data, err := normalizeActionData(in.ActionData)
	if err != nil {
		return e, err
	}
	e.ActionData = data
	return e, nil
}

// normalizeActionData parses actionData and writes it again as compact
// JSON, so that what is stored is valid on both engines: a JSON object,
// numbers within float64 range (kept as written), no NUL characters, and
// lone UTF-16 surrogates replaced by U+FFFD.
func normalizeActionData(raw json.RawMessage) (json.RawMessage, error) {
	data := bytes.TrimSpace(raw)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return json.RawMessage("{}"), nil
	}
	if data[0] != '{' {
		return nil, errors.New("actionData must be a JSON object")
	}
	if plainJSON(data) && json.Valid(data) {
		var b bytes.Buffer
		if err := json.Compact(&b, data); err == nil {
			return b.Bytes(), nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, errors.New("actionData is not valid JSON")
	}
	if err := checkJSONValue(v); err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, errors.New("actionData cannot be stored")
	}
	return out, nil
}

// plainJSON reports whether JSON text needs no normalising: no \u escapes
// in strings (so no NUL and no lone surrogate) and, outside strings, no
// exponent and no run of more than 300 digits (so every number fits a
// float64). Most events are plain; the others take the full path.
func plainJSON(data []byte) bool {
	inString, escaped, digits := false, false, 0
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				if c == 'u' {
					return false
				}
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString, digits = true, 0
		case c == 'e' || c == 'E':
			return false
		case c >= '0' && c <= '9':
			if digits++; digits > 300 {
				return false
			}
		default:
			digits = 0
		}
	}
	return true
}

func checkJSONValue(v any) error {
	switch x := v.(type) {
	case string:
		if badText(x) {
			return errors.New("actionData contains a NUL character")
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(x), 64); err != nil {
			return fmt.Errorf("actionData number %.40s is out of range", x)
		}
	case map[string]any:
		for k, e := range x {
			if badText(k) {
				return errors.New("actionData contains a NUL character")
			}
			if err := checkJSONValue(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkJSONValue(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) ingestActivities(w http.ResponseWriter, r *http.Request, p *opentalent.Principal) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	var req activitiesRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Events == nil {
		return opentalent.Invalid("events is required", opentalent.FieldError{Field: "events", Message: "required"})
	}
	if len(req.Events) > opentalent.MaxEventsPerCall {
		return opentalent.Invalid(fmt.Sprintf("at most %d events per call", opentalent.MaxEventsPerCall), opentalent.FieldError{Field: "events", Message: fmt.Sprintf("at most %d items", opentalent.MaxEventsPerCall)})
	}
	type failure struct {
		Index int    `json:"index"`
		ID    string `json:"_id,omitempty"`
		Error string `json:"error"`
	}
	type success struct {
		ID string `json:"_id"`
	}
	out := struct {
		Successes []success `json:"successes"`
		Failures  []failure `json:"failures"`
	}{Successes: []success{}, Failures: []failure{}}
	now := time.Now()
	events := make([]opentalent.Event, 0, len(req.Events))
	index := make([]int, 0, len(req.Events)) // position in the request of events[i]
	for i, raw := range req.Events {
		e, err := parseEvent(raw, now)
		if err != nil {
			out.Failures = append(out.Failures, failure{Index: i, ID: e.ID, Error: err.Error()})
			continue
		}
		events = append(events, e)
		index = append(index, i)
	}
	res, err := s.Activities.IngestEvents(r.Context(), p.Scope(), events)
	if err != nil {
		return err
	}
	for _, f := range res.Failures {
		out.Failures = append(out.Failures, failure{Index: index[f.Index], ID: f.ID, Error: f.Error})
	}
	slices.SortFunc(out.Failures, func(a, b failure) int { return a.Index - b.Index })
	for _, id := range res.Successes {
		out.Successes = append(out.Successes, success{id})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
