// Package sheets converts member-firm spreadsheets to and from domain.Firm:
// it parses the .xlsx and .csv files associations upload (Chinese headers, one
// firm per row), writes the import template, and exports firms back to .xlsx
// in the same columns so an export can be edited and imported again.
//
// One column table (columns.go) drives parsing, the template and the export,
// so the three cannot drift apart. Parsing never saves anything and never
// fails on a bad cell: file-level problems (not a spreadsheet, missing
// required columns, too many rows) return an apperr validation error on field
// "content"; cell-level problems are reported per row with the column header
// and the rule, in Chinese, the way the import RPC returns them.
package sheets

import (
	"strings"

	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// MIME types and file names of the files this package reads and writes.
const (
	// ContentTypeXLSX is the MIME type of .xlsx workbooks.
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// ContentTypeCSV is the MIME type of .csv files.
	ContentTypeCSV = "text/csv"
	// TemplateFileName is the download name of the import template.
	TemplateFileName = "会员企业导入模板.xlsx"
	// ExportFileName is the download name of a firm export.
	ExportFileName = "会员企业.xlsx"
)

// Sheet names of the template and the export.
const (
	// SheetFirms holds the header row and one firm per row. Import reads the
	// workbook's first sheet whatever its name.
	SheetFirms = "会员企业"
	// SheetChoices lists the allowed values behind the drop-downs.
	SheetChoices = "可选值"
	// SheetInstructions explains every column (template only).
	SheetInstructions = "填写说明"
)

// Limits of a parsed file.
const (
	// MaxDataRows is the most data rows (blank rows not counted) one file may
	// hold; larger files are rejected as a whole.
	MaxDataRows = 20_000
	// MaxFileBytes is the largest file ParseFirms accepts, the same bound
	// the import RPC documents.
	MaxFileBytes = 20 << 20
	// ExportValueMaxDecimals is how many decimals of 万元 an export value may
	// carry. Six decimals of 万元 is exactly one fen, so every value the API
	// can store survives export and re-import unchanged; a finer value cannot
	// be stored and is rejected rather than rounded.
	ExportValueMaxDecimals = 6
	// FenPerWan is the number of fen in one 万元 (10,000 yuan).
	FenPerWan = 1_000_000
)

// Format is the kind of file ParseFirms recognised.
type Format string

// The formats ParseFirms reads.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// ParseResult is a parsed spreadsheet: every non-blank data row in file order.
type ParseResult struct {
	// Format is the recognised file format.
	Format Format
	// Columns are the recognised columns present in the file (canonical
	// headers without "*"), in file order. A column absent from the file
	// leaves its fields empty in every Firm, so an import that updates
	// stored firms should only touch the fields of FieldMask.
	Columns []string
	// IgnoredColumns are the non-empty headers that match no column, as
	// written; their cells are not read. Worth showing the user: a
	// misspelled header silently drops a column.
	IgnoredColumns []string
	// Rows are the data rows, blank rows skipped.
	Rows []Row
}

// Row is one data row.
type Row struct {
	// Number is the row number the user sees in Excel (the header is row 1
	// when it is the first row); for CSV, the record number.
	Number int
	// Firm is the converted, normalized firm. It is never nil. When Errors
	// is empty it passes domain.ValidateFirm; otherwise it holds what could
	// be converted and must not be saved.
	Firm *domain.Firm
	// Errors lists each broken rule with its column; empty for a valid row.
	Errors []CellError
}

// Valid reports whether the row has no errors.
func (r *Row) Valid() bool { return len(r.Errors) == 0 }

// CellError is one broken rule in one cell of a row.
type CellError struct {
	// Column is the canonical column header without "*", e.g. "HS编码".
	Column string
	// Description states the rule in Chinese and names the column, e.g.
	// "所在区县“萧山”无法识别，请填写如“萧山区”的区县名称".
	Description string
}

// FieldMask returns the API field names (as in UpdateFirm's field mask, e.g.
// "hs_codes", "contacts") of the columns present in the file, in table order.
// The contact columns together map to "contacts".
func (r *ParseResult) FieldMask() []string {
	present := make(map[string]bool, len(r.Columns))
	for _, c := range r.Columns {
		present[c] = true
	}
	var out []string
	seen := map[string]bool{}
	for i := range columns {
		c := &columns[i]
		if !present[c.header] {
			continue
		}
		f, _, _ := strings.Cut(c.field, ".")
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// ExportOptions controls WriteFirms.
type ExportOptions struct {
	// AssociationNames maps association ids to names for the trailing
	// 所属协会 column; an id missing from the map is written as the id.
	AssociationNames map[string]string
	// RevealContacts writes phones and e-mails whole. Only for callers
	// allowed to reveal contacts; the caller audits the export. Otherwise
	// they are masked (138****5678, w***@example.cn).
	RevealContacts bool
}

// ColumnForField maps a domain validation field path to the column header
// that holds it: "hs_codes[2]" → "HS编码", "contacts[0].phone" → "联系电话",
// "uscc" → "统一社会信用代码". A leading "firm." is ignored. It returns "" for
// fields no column holds (memberships, ids).
func ColumnForField(field string) string {
	f := strings.TrimPrefix(field, "firm.")
	if strings.IndexByte(f, '[') >= 0 {
		var b strings.Builder
		depth := 0
		for _, r := range f {
			switch {
			case r == '[':
				depth++
			case r == ']' && depth > 0:
				depth--
			case depth == 0:
				b.WriteRune(r)
			}
		}
		f = b.String()
	}
	if h, ok := fieldColumns[f]; ok {
		return h
	}
	if head, _, ok := strings.Cut(f, "."); ok {
		return fieldColumns[head]
	}
	return ""
}
