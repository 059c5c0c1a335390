package sheets

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// styles are the cell styles of the firm sheet.
type styles struct {
	header, requiredHeader, infoHeader int
	text, info                         int
}

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	headerStyle := func(font, fill string) *excelize.Style {
		return &excelize.Style{
			Font:      &excelize.Font{Bold: true, Color: font},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			Border:    border,
			NumFmt:    49, // text: the header stays as typed
		}
	}
	var s styles
	var err error
	for _, x := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, headerStyle("000000", "DDEBF7")},
		{&s.requiredHeader, headerStyle("C00000", "DDEBF7")},
		{&s.infoHeader, headerStyle("7F7F7F", "EDEDED")},
		// Text format keeps codes, HS codes and phones as typed; Excel
		// would otherwise turn 18-digit codes into 9.14E+17.
		{&s.text, &excelize.Style{NumFmt: 49}},
		{&s.info, &excelize.Style{NumFmt: 49, Font: &excelize.Font{Color: "7F7F7F"}}},
	} {
		if *x.id, err = f.NewStyle(x.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s styles) forHeader(c *column) int {
	if c.required {
		return s.requiredHeader
	}
	return s.header
}

// cellName returns "B7" for the 0-based column i and 1-based row.
func cellName(i, row int) string {
	return columnName(i) + fmt.Sprint(row)
}

// addChoices writes the SheetChoices sheet, one column per column with
// choices, and adds drop-downs on rows 2..lastRow of dataSheet referring to
// it. Single-valued columns reject values outside the list; multi-valued ones
// offer the list but accept anything, since a cell may hold several values
// separated by 、.
func addChoices(f *excelize.File, dataSheet string, lastRow int, bold int) error {
	if _, err := f.NewSheet(SheetChoices); err != nil {
		return err
	}
	j := 0
	for i := range columns {
		c := &columns[i]
		if c.choices == nil {
			continue
		}
		values := c.choices()
		letter := columnName(j)
		if err := f.SetCellValue(SheetChoices, cellName(j, 1), c.header); err != nil {
			return err
		}
		if err := f.SetCellStyle(SheetChoices, cellName(j, 1), cellName(j, 1), bold); err != nil {
			return err
		}
		for k, v := range values {
			if err := f.SetCellValue(SheetChoices, cellName(j, k+2), v); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(SheetChoices, letter, letter, max(c.width, 14)); err != nil {
			return err
		}

		dv := excelize.NewDataValidation(true)
		target := columnName(i)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", target, target, lastRow)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", SheetChoices, letter, letter, len(values)+1))
		switch {
		case c.header == ColTargetMarkets:
			dv.SetInput(c.header, "可从下拉列表选择常用国家；其他国家填写中文名称或ISO二位代码（如DE）。多个用“、”分隔。")
		case c.multi:
			dv.SetInput(c.header, "可从下拉列表选择一个；多个值请手工输入，用“、”分隔。")
		default:
			dv.SetInput(c.header, "请从下拉列表选择。")
			dv.SetError(excelize.DataValidationErrorStyleStop, c.header+"无效", fmt.Sprintf("请从下拉列表选择%s，可选值见“%s”工作表。", c.header, SheetChoices))
		}
		if err := f.AddDataValidation(dataSheet, dv); err != nil {
			return err
		}
		j++
	}
	return nil
}

// exportCell returns column c's value for f, styled for the export.
func exportCell(c *column, f *domain.Firm, reveal bool, st styles) any {
	v := c.get(f, reveal)
	if v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return nil
		}
		if c.text {
			return excelize.Cell{StyleID: st.text, Value: s}
		}
	}
	return v
}

// WriteFirms writes firms as an .xlsx workbook in the template's columns, so
// the file can be edited and imported back, plus a trailing informational
// 所属协会 column (association names joined with 、; import ignores it). The
// sheet is streamed, so tens of thousands of firms need little memory.
//
// Contacts are masked unless opts.RevealContacts; the caller decides who may
// reveal and audits the export. Only each firm's first contact fits the
// columns: a firm with several contacts exports the first, and importing the
// file back must not be taken as deleting the others. A nil firm is an error.
func WriteFirms(w io.Writer, firms []*domain.Firm, opts ExportOptions) error {
	if len(firms) >= excelize.TotalRows {
		return fmt.Errorf("sheets: %d firms exceed the %d rows of a worksheet", len(firms), excelize.TotalRows-1)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetFirms); err != nil {
		return fmt.Errorf("sheets: name sheet: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("sheets: styles: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetFirms)
	if err != nil {
		return fmt.Errorf("sheets: stream writer: %w", err)
	}
	n := len(columns)
	for i := range columns {
		if err := sw.SetColWidth(i+1, i+1, columns[i].width); err != nil {
			return fmt.Errorf("sheets: column width: %w", err)
		}
		if columns[i].text {
			if err := sw.SetColStyle(i+1, i+1, st.text); err != nil {
				return fmt.Errorf("sheets: column style: %w", err)
			}
		}
	}
	if err := sw.SetColWidth(n+1, n+1, 30); err != nil {
		return fmt.Errorf("sheets: column width: %w", err)
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return fmt.Errorf("sheets: panes: %w", err)
	}

	header := make([]any, n+1)
	for i := range columns {
		header[i] = excelize.Cell{StyleID: st.forHeader(&columns[i]), Value: columns[i].displayHeader()}
	}
	header[n] = excelize.Cell{StyleID: st.infoHeader, Value: ColAssociations}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return fmt.Errorf("sheets: header: %w", err)
	}

	row := make([]any, n+1)
	names := make([]string, 0, 4)
	for k, firm := range firms {
		if firm == nil {
			return fmt.Errorf("sheets: firm %d is nil", k)
		}
		for i := range columns {
			row[i] = exportCell(&columns[i], firm, opts.RevealContacts, st)
		}
		names = names[:0]
		for _, id := range firm.AssociationIDs() {
			name := opts.AssociationNames[id]
			if name == "" {
				name = id
			}
			names = append(names, name)
		}
		row[n] = nil
		if len(names) > 0 {
			row[n] = excelize.Cell{StyleID: st.info, Value: strings.Join(names, listSeparator)}
		}
		if err := sw.SetRow(cellName(0, k+2), row); err != nil {
			return fmt.Errorf("sheets: row %d: %w", k+2, err)
		}
	}
	// Drop-downs on the rows written plus room to add firms.
	lastRow := max(len(firms)+1, MaxDataRows+1)
	lastRow = min(lastRow, excelize.TotalRows)
	if err := addChoices(f, SheetFirms, lastRow, st.header); err != nil {
		return fmt.Errorf("sheets: choices: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheets: flush: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("sheets: write: %w", err)
	}
	return nil
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}
}
