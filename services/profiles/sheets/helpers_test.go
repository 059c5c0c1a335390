package sheets

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/uscc"
)

// testUSCC returns a valid USCC unique for i.
func testUSCC(tb testing.TB, i int) string {
	tb.Helper()
	first := fmt.Sprintf("91330100%09d", i)
	c, ok := uscc.CheckChar(first)
	if !ok {
		tb.Fatalf("CheckChar(%q) failed", first)
	}
	return first + string(c)
}

// record is one spreadsheet row keyed by column header.
type record map[string]string

// validRecord is a complete, valid row for firm i.
func validRecord(tb testing.TB, i int) record {
	return record{
		ColUSCC:          testUSCC(tb, i),
		ColName:          fmt.Sprintf("杭州测试%d贸易有限公司", i),
		ColNameEN:        fmt.Sprintf("Hangzhou Test %d Trading Co., Ltd.", i),
		ColDistrict:      "萧山区",
		ColIndustry:      "服装服饰",
		ColMainProducts:  "针织衫、羊绒围巾",
		ColHSCodes:       "6110.12、621420",
		ColRevenueBand:   "500万-2000万元",
		ColExportValue:   "1,234.5",
		ColEmployeesBand: "20-99人",
		ColStage:         "已出单",
		ColPlatforms:     "亚马逊、TikTok Shop",
		ColTargetMarkets: "美国、DE",
		ColNeeds:         "海外仓、跨境物流",
		ColContactName:   "张伟",
		ColContactTitle:  "总经理",
		ColContactPhone:  "13812345678",
		ColContactEmail:  "zhang@example.com",
		ColAddress:       "杭州市萧山区市心中路1号",
		ColWebsite:       "https://example.com",
	}
}

// with returns a copy of r with the given header/value pairs set.
func (r record) with(kv ...string) record {
	c := make(record, len(r))
	for k, v := range r {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// templateHeaders are the template headers, required ones starred.
func templateHeaders() []string { return Headers() }

// table lays records out under headers; a header's canonical name (without
// "*" and normalization) picks the record value.
func table(headers []string, recs ...record) [][]string {
	out := [][]string{headers}
	for _, r := range recs {
		row := make([]string, len(headers))
		for i, h := range headers {
			if c, ok := columnsByKey[headerKey(h)]; ok {
				row[i] = r[c.header]
			} else {
				row[i] = r[h]
			}
		}
		out = append(out, row)
	}
	return out
}

func csvBytes(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func gb18030(tb testing.TB, b []byte) []byte {
	tb.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// xlsxBytes writes rows to the first sheet, starting at row 1; a nil row
// leaves an empty row. Cells are strings unless given as other values via
// xlsxCells.
func xlsxBytes(tb testing.TB, rows [][]string) []byte {
	tb.Helper()
	anyRows := make([][]any, len(rows))
	for i, r := range rows {
		if r == nil {
			continue
		}
		anyRows[i] = make([]any, len(r))
		for j, v := range r {
			anyRows[i][j] = v
		}
	}
	return xlsxCells(tb, anyRows)
}

// xlsxCells streams rows of arbitrary cell values into a workbook.
func xlsxCells(tb testing.TB, rows [][]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// parseOK parses content and fails the test on a file-level error.
func parseOK(tb testing.TB, content []byte) *ParseResult {
	tb.Helper()
	res, err := ParseFirms(content)
	if err != nil {
		tb.Fatalf("ParseFirms: %v", err)
	}
	return res
}

// fileError asserts a file-level error on "content" containing every want.
func fileError(tb testing.TB, err error, want ...string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("ParseFirms: no error, want one containing %q", want)
	}
	v, ok := apperr.AsValidation(err)
	if !ok || len(v.Violations) != 1 || v.Violations[0].Field != "content" {
		tb.Fatalf("ParseFirms error = %#v, want one violation on field content", err)
	}
	for _, w := range want {
		if !strings.Contains(v.Violations[0].Description, w) {
			tb.Errorf("error %q does not contain %q", v.Violations[0].Description, w)
		}
	}
}

// rowErrors formats a row's errors for failure messages.
func rowErrors(r Row) string {
	var parts []string
	for _, e := range r.Errors {
		parts = append(parts, e.Column+": "+e.Description)
	}
	return strings.Join(parts, " | ")
}
