package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/opentalent/opentalent"
)

// decode reads one JSON object from the request body into v. Unknown fields,
// trailing data, NUL characters and a body over the size cap are client
// errors. The content
// type is not checked, so that a plain `curl -d` works.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return decodeError(err)
		}
		return opentalent.Invalid("the request body must hold one JSON object and nothing after it")
	}
	return checkText(reflect.ValueOf(v))
}

func decodeError(err error) error {
	var (
		tooBig    *http.MaxBytesError
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		fieldName string
	)
	switch {
	case errors.As(err, &tooBig):
		return opentalent.Errorf(opentalent.ETOOLARGE, "the request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return opentalent.Invalid("the request body is empty; a JSON object is expected")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return opentalent.Invalid("the request body is not valid JSON")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return opentalent.Invalid("the request body must be a JSON object")
		}
		return opentalent.Invalid(fmt.Sprintf("%s must be %s", field, jsonKind(typeErr.Type.Kind().String())), opentalent.FieldError{Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		fieldName = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return opentalent.Invalid(fmt.Sprintf("unknown field %q", fieldName), opentalent.FieldError{Field: fieldName, Message: "unknown field"})
	default:
		return opentalent.Invalid("the request body could not be read: " + err.Error())
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "int32", "float64":
		return "a number"
	}
	return "of another type"
}

// page parses the pageNumber and limit query parameters. Both are required,
// as in the seed.
func page(q url.Values) (opentalent.Page, error) {
	var p opentalent.Page
	var fields []opentalent.FieldError
	parse := func(name string, max int) int {
		v := q.Get(name)
		if v == "" {
			fields = append(fields, opentalent.FieldError{Field: name, Message: "required"})
			return 0
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			fields = append(fields, opentalent.FieldError{Field: name, Message: "must be an integer"})
		case n < 1:
			fields = append(fields, opentalent.FieldError{Field: name, Message: "must be at least 1"})
		case max > 0 && n > max:
			fields = append(fields, opentalent.FieldError{Field: name, Message: fmt.Sprintf("must be at most %d", max)})
		}
		return n
	}
	p.Number = parse("pageNumber", 1<<30)
	p.Limit = parse("limit", opentalent.MaxPageLimit)
	if len(fields) > 0 {
		msgs := make([]string, len(fields))
		for i, f := range fields {
			msgs[i] = f.Field + " " + f.Message
		}
		return p, opentalent.Invalid("invalid pagination: "+strings.Join(msgs, "; "), fields...)
	}
	return p, nil
}

// oneOf checks an optional enumerated query parameter.
func oneOf(q url.Values, name string, valid func(string) bool, allowed string) (string, error) {
	v := q.Get(name)
	if v != "" && !valid(v) {
		return "", opentalent.Invalid(fmt.Sprintf("%s must be one of %s", name, allowed), opentalent.FieldError{Field: name, Message: "must be one of " + allowed})
	}
	return v, nil
}
