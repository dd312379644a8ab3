package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// TimeFormat is how Time cells are written: RFC 3339 in UTC with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Cell is one formatted value of a row.
type Cell struct {
	// Value is the formatted text: what a CSV file holds.
	Value string
	Kind  Kind
	// Null is set when the database value was NULL (Value is then "").
	Null bool
}

// JSONValue returns the cell as a JSON writer should emit it: numbers as
// numbers, NULL as nil, JSON as raw JSON, everything else as a string.
func (c Cell) JSONValue() any {
	switch {
	case c.Null && c.Kind != Text:
		return nil
	case c.Kind == Int || c.Kind == Decimal:
		return json.Number(c.Value)
	case c.Kind == JSON:
		return json.RawMessage(c.Value)
	}
	return c.Value
}

// RowWriter receives a report's rows, one at a time. The cells slice is not
// reused by Run: a writer may keep it.
type RowWriter interface {
	WriteRow(cells []Cell) error
}

// RowWriterFunc adapts a function to RowWriter.
type RowWriterFunc func(cells []Cell) error

// WriteRow calls f.
func (f RowWriterFunc) WriteRow(cells []Cell) error { return f(cells) }

// Run runs the report def with p on db (a handle of engine "sqlite" or
// "postgres") and streams its rows to out, one at a time: memory does not
// grow with the report's size. It returns the number of rows written.
func Run(ctx context.Context, db *sql.DB, engine string, def *Definition, p Params, out RowWriter) (int64, error) {
	text, args, err := def.SQL(engine, p)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return 0, fmt.Errorf("report %s: query: %w", def.Name, err)
	}
	defer rows.Close()

	dest := make([]any, len(def.Columns))
	for i, c := range def.Columns {
		switch c.Kind {
		case Int, Decimal:
			dest[i] = new(sql.NullFloat64)
		case Time:
			dest[i] = new(sql.NullInt64)
		default:
			dest[i] = new(sql.NullString)
		}
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("report %s: scan row %d: %w", def.Name, n+1, err)
		}
		cells := make([]Cell, len(def.Columns))
		for i, c := range def.Columns {
			cells[i], err = format(c.Kind, dest[i])
			if err != nil {
				return n, fmt.Errorf("report %s: row %d column %s: %w", def.Name, n+1, c.Name, err)
			}
		}
		if err := out.WriteRow(cells); err != nil {
			return n, fmt.Errorf("report %s: write row %d: %w", def.Name, n+1, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("report %s: %w", def.Name, err)
	}
	return n, nil
}

func format(k Kind, v any) (Cell, error) {
	c := Cell{Kind: k}
	switch k {
	case Int, Decimal:
		f := v.(*sql.NullFloat64)
		if !f.Valid {
			c.Null = true
			return c, nil
		}
		if k == Int {
			c.Value = FormatInt(f.Float64)
		} else {
			c.Value = FormatDecimal(f.Float64)
		}
	case Time:
		t := v.(*sql.NullInt64)
		if !t.Valid {
			c.Null = true
			return c, nil
		}
		c.Value = FormatTime(t.Int64)
	case JSON:
		s := v.(*sql.NullString)
		if !s.Valid {
			c.Null = true
			return c, nil
		}
		norm, err := NormalizeJSON([]byte(s.String))
		if err != nil {
			return c, err
		}
		c.Value = string(norm)
	default:
		s := v.(*sql.NullString)
		c.Value, c.Null = s.String, !s.Valid
	}
	return c, nil
}

// FormatInt writes a number as an integer, rounding half away from zero.
func FormatInt(f float64) string {
	r := math.Round(f)
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// FormatDecimal writes a number with exactly 2 decimals, rounding half away
// from zero the shortest decimal that denotes the float (so 1.005 is "1.01",
// as a reader expects, although the float is a hair below 1.005).
func FormatDecimal(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
	neg := f < 0
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	ip, frac, _ := strings.Cut(s, ".")
	frac += "000"
	n, _ := new(big.Int).SetString(ip+frac[:2], 10)
	if frac[2] >= '5' {
		n.Add(n, big.NewInt(1))
	}
	digits := n.String()
	for len(digits) < 3 {
		digits = "0" + digits
	}
	out := digits[:len(digits)-2] + "." + digits[len(digits)-2:]
	if neg && n.Sign() != 0 {
		out = "-" + out
	}
	return out
}

// FormatTime writes epoch milliseconds as RFC 3339 UTC with milliseconds.
func FormatTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(TimeFormat) }

// NormalizeJSON rewrites a JSON document compactly with object keys sorted,
// so that SQLite (text kept as sent) and PostgreSQL (jsonb) give the same bytes.
func NormalizeJSON(doc []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
