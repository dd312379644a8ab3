package report

import (
	"bufio"
	"io"
	"strings"
)

// CSVWriter writes a report as RFC 4180 CSV: UTF-8, CRLF after every record,
// a header row, and fields quoted when they hold a comma, a quote, a line
// break or leading/trailing spaces (line breaks inside a field are kept
// byte for byte). It guards spreadsheet users against CSV injection: a Text
// or JSON cell that starts with =, +, -, @, tab or carriage return gets a
// leading '. Numbers and times are never prefixed, so negative numbers stay
// numbers.
type CSVWriter struct {
	w   *bufio.Writer
	err error
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// WriteHeader writes the column names of def.
func (c *CSVWriter) WriteHeader(def *Definition) error {
	for i, col := range def.Columns {
		c.field(i, col.Name)
	}
	return c.end()
}

// WriteRow writes one row.
func (c *CSVWriter) WriteRow(cells []Cell) error {
	for i, cell := range cells {
		v := cell.Value
		if (cell.Kind == Text || cell.Kind == JSON) && needsGuard(v) {
			v = "'" + v
		}
		c.field(i, v)
	}
	return c.end()
}

// Flush writes buffered rows to the underlying writer and returns the first
// error met so far.
func (c *CSVWriter) Flush() error {
	if c.err == nil {
		c.err = c.w.Flush()
	}
	return c.err
}

func (c *CSVWriter) field(i int, v string) {
	if c.err != nil {
		return
	}
	if i > 0 {
		c.w.WriteByte(',')
	}
	if !needsQuotes(v) {
		_, c.err = c.w.WriteString(v)
		return
	}
	c.w.WriteByte('"')
	c.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
	c.err = c.w.WriteByte('"')
}

func (c *CSVWriter) end() error {
	if c.err == nil {
		_, c.err = c.w.WriteString("\r\n")
	}
	return c.err
}

func needsQuotes(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' {
		return true
	}
	return strings.ContainsAny(v, ",\"\r\n")
}

func needsGuard(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}
