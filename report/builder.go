package report

import (
	"slices"

	"github.com/opentalent/opentalent"
)

// builderKinds are the cell kinds of the Report Builder columns.
var builderKinds = map[string]Kind{"timestamp": Time, "actionData": JSON}

// BuilderDefinition describes the CSV of a saved Report Builder report:
// its chosen columns, or every column when none are chosen.
func BuilderDefinition(columns []string) *Definition {
	if len(columns) == 0 {
		columns = opentalent.BuilderColumns
	}
	def := &Definition{Name: opentalent.ReportBuilder}
	for _, c := range opentalent.BuilderColumns {
		if slices.Contains(columns, c) {
			def.Columns = append(def.Columns, Column{Name: c, Kind: builderKinds[c]})
		}
	}
	return def
}

// BuilderCells formats one Report Builder row as the cells of def.
func BuilderCells(def *Definition, row opentalent.BuilderRow) []Cell {
	cells := make([]Cell, len(def.Columns))
	for i, c := range def.Columns {
		var v string
		switch c.Name {
		case "_id":
			v = row.ID
		case "userId":
			v = row.UserID
		case "userName":
			v = row.UserName
		case "email":
			v = row.Email
		case "systemId":
			v = row.SystemID
		case "systemName":
			v = row.SystemName
		case "timestamp":
			v = FormatTime(row.Timestamp)
		case "typeAlias":
			v = row.TypeAlias
		case "actionData":
			v = string(row.ActionData)
		}
		cells[i] = Cell{Value: v, Kind: c.Kind}
	}
	return cells
}
