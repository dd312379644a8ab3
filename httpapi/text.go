package httpapi

import (
	"bytes"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/opentalent/opentalent"
)

// errBadText refuses text that no engine should store: NUL characters
// (PostgreSQL cannot hold them in text or JSON) and invalid UTF-8.
var errBadText = opentalent.Invalid("the request contains a NUL character or invalid UTF-8")

func badText(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }

// checkURL refuses paths and query values with bad text.
func checkURL(u *url.URL) error {
	if badText(u.Path) {
		return errBadText
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return opentalent.Invalid("the query string is malformed")
	}
	for k, vs := range q {
		if badText(k) {
			return errBadText
		}
		for _, v := range vs {
			if badText(v) {
				return errBadText
			}
		}
	}
	return nil
}

var rawMessageType = reflect.TypeOf([]byte(nil))

// checkText walks a decoded request and refuses NUL characters in its
// strings and in raw JSON (as the \u0000 escape), and invalid UTF-8 in raw
// JSON, which the decoder keeps as it comes.
func checkText(v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		if badText(v.String()) {
			return errBadText
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if err := checkText(v.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().ConvertibleTo(rawMessageType) && v.Type().Elem().Kind() == reflect.Uint8 {
			if bytes.Contains(v.Bytes(), []byte(`\u0000`)) || !utf8.Valid(v.Bytes()) {
				return errBadText
			}
			return nil
		}
		for i := range v.Len() {
			if err := checkText(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if err := checkText(k); err != nil {
				return err
			}
			if err := checkText(v.MapIndex(k)); err != nil {
				return err
			}
		}
	}
	return nil
}
