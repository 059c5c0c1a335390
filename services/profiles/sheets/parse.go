package sheets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/width"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts legacy .xls files and password-protected workbooks.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// maxUnzipBytes bounds the uncompressed size of a workbook (a zip bomb is
// rejected before it is inflated). 20,000 rows of 21 columns need far less.
const maxUnzipBytes = 128 << 20

// maxColumns is Excel's column limit (XFD).
const maxColumns = 16_384

// maxDescriptionRunes bounds one error message.
const maxDescriptionRunes = 300

// invalid returns a file-level error on field "content".
func invalid(format string, args ...any) error {
	return apperr.Invalid("content", format, args...)
}

// ParseFirms reads a member-firm spreadsheet: an .xlsx workbook (its first
// sheet) or a CSV file in UTF-8 (with or without BOM), UTF-16 with BOM, or
// GB18030/GBK as Excel on Chinese Windows saves it. The format is recognised
// from the content, not a file name.
//
// The header is the first non-blank row; columns are matched by header name
// (a "*" marker, spaces and full-width characters are ignored), so their order
// may differ from the template's and unknown columns are skipped (listed in
// IgnoredColumns). Blank rows are skipped and not counted; a row whose
// recognised columns are all empty is blank too, so a pre-filled 序号 column
// does not make rows. Cells are trimmed. Each data row is
// converted, normalized (domain.NormalizeFirm) and validated
// (domain.ValidateFirm); every problem is reported on the row with its column.
// A USCC that appears twice makes the later rows fail.
//
// File-level problems — empty, not a spreadsheet, a corrupt workbook, no
// header, missing required columns, more than MaxDataRows data rows — return
// an apperr validation error on field "content" with a Chinese message, and no
// result.
func ParseFirms(content []byte) (*ParseResult, error) {
	switch {
	case len(content) == 0:
		return nil, invalid("文件为空，请使用导入模板填写后上传")
	case len(content) > MaxFileBytes:
		return nil, invalid("文件大小超过%dMB上限，请拆分为多个文件分批导入", MaxFileBytes>>20)
	case bytes.HasPrefix(content, zipMagic):
		return parseXLSX(content)
	case bytes.HasPrefix(content, oleMagic):
		return nil, invalid("不支持旧版Excel（.xls）文件或设有密码的工作簿：请在Excel中取消密码并“另存为”.xlsx格式后重新上传")
	default:
		return parseCSV(content)
	}
}

// parseXLSX reads the workbook's first sheet with the streaming row iterator.
func parseXLSX(content []byte) (res *ParseResult, err error) {
	// excelize is a large parser of untrusted input; a panic in it must not
	// take the service down, and the user should hear the file is damaged.
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, invalid("工作簿内容已损坏，无法读取：请在Excel中打开后重新保存，或另存为CSV后上传")
		}
	}()
	damaged := func() error {
		return invalid("文件不是有效的.xlsx工作簿或已损坏：请在Excel中打开后重新保存为.xlsx，或另存为CSV后上传")
	}
	f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{
		RawCellValue:   true,
		UnzipSizeLimit: maxUnzipBytes,
	})
	if err != nil {
		return nil, damaged()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, damaged()
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, damaged()
	}
	defer rows.Close()

	p := newParser(FormatXLSX)
	// Next yields every row number in order, gaps included, so counting
	// calls gives the row number Excel shows.
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, damaged()
		}
		if err := p.row(n, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		if errors.Is(err, excelize.ErrMaxRows) {
			return nil, invalid("数据行超过%d行上限，请拆分为多个文件分批导入", MaxDataRows)
		}
		return nil, damaged()
	}
	return p.finish()
}

// parseCSV decodes the text, guesses the delimiter and reads the records.
func parseCSV(content []byte) (*ParseResult, error) {
	text, err := decodeText(content)
	if err != nil {
		return nil, err
	}
	comma := sniffDelimiter(text)
	// encoding/csv slows down badly on a record of millions of fields;
	// Excel itself stops at maxColumns, so a longer line is no spreadsheet.
	line := 0
	for l := range strings.Lines(text) {
		line++
		if strings.Count(l, string(comma)) >= maxColumns {
			return nil, invalid("CSV第%d行超过%d列，不是有效的表格：请检查分隔符，或在Excel中另存为.xlsx后上传", line, maxColumns)
		}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true

	p := newParser(FormatCSV)
	// Excel shows every line of a CSV file as a row, blank ones included,
	// and a quoted cell spanning lines as one row; encoding/csv skips blank
	// lines, so row numbers are counted from line positions.
	number, prevEnd := 0, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, invalid("CSV格式有误（第%d行）：请检查引号是否成对，或在Excel中另存为.xlsx后上传", pe.Line)
			}
			return nil, invalid("CSV文件无法读取，请在Excel中另存为.xlsx后上传")
		}
		start, _ := r.FieldPos(0)
		number += max(start-prevEnd, 1)
		last := len(rec) - 1
		end, _ := r.FieldPos(last)
		prevEnd = end + strings.Count(rec[last], "\n")
		for i, c := range rec {
			rec[i] = unwrapExcelText(c)
		}
		if err := p.row(number, rec); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// decodeText turns CSV bytes into UTF-8 text: a UTF-8 BOM is dropped, a
// UTF-16 BOM selects UTF-16, valid UTF-8 stays, and anything else is read as
// GB18030 (a superset of GBK and GB2312). Binary content is refused.
func decodeText(content []byte) (string, error) {
	notText := func() (string, error) {
		return "", invalid("文件不是表格文件：请上传.xlsx工作簿或CSV文件（可从导入模板开始填写）")
	}
	var text string
	switch {
	case bytes.HasPrefix(content, utf8BOM):
		content = content[len(utf8BOM):]
		if !utf8.Valid(content) {
			return "", invalid("文件标明为UTF-8编码，但含有无效字符：请在Excel中重新“另存为”CSV UTF-8或.xlsx")
		}
		text = string(content)
	case bytes.HasPrefix(content, []byte{0xFF, 0xFE}), bytes.HasPrefix(content, []byte{0xFE, 0xFF}):
		b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(content)
		if err != nil {
			return notText()
		}
		text = string(b)
	case utf8.Valid(content):
		text = string(content)
	default:
		b, err := simplifiedchinese.GB18030.NewDecoder().Bytes(content)
		if err != nil || bytes.ContainsRune(b, utf8.RuneError) {
			return "", invalid("文件编码无法识别：请在Excel中“另存为”CSV UTF-8或.xlsx格式后上传")
		}
		text = string(b)
	}
	if strings.ContainsRune(text, 0) {
		return notText()
	}
	if strings.TrimFunc(text, isTrimRune) == "" {
		return "", invalid("文件为空，请使用导入模板填写后上传")
	}
	return text, nil
}

// sniffDelimiter picks the separator of the first non-blank line: comma,
// tab (Excel's "Unicode text") or semicolon, whichever occurs most outside
// quotes; comma when none does.
func sniffDelimiter(text string) rune {
	line := text
	for {
		var rest string
		var found bool
		line, rest, found = strings.Cut(line, "\n")
		if strings.TrimFunc(line, isTrimRune) != "" || !found {
			break
		}
		line = rest
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch r {
		case '"':
			quoted = !quoted
		case ',', '\t', ';':
			if !quoted {
				counts[r]++
			}
		}
	}
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// unwrapExcelText undoes the ="0123" idiom some tools write into CSV files to
// keep leading zeros.
func unwrapExcelText(s string) string {
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && !strings.Contains(s[2:len(s)-1], `"`) {
		return s[2 : len(s)-1]
	}
	return s
}

func isTrimRune(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
}

// cleanCell trims a cell and drops control characters other than tab and
// newline, which are invisible in Excel and invalid in XML.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, isTrimRune)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return strings.Map(func(r rune) rune {
				if unicode.IsControl(r) && r != '\t' && r != '\n' {
					return -1
				}
				return r
			}, s)
		}
	}
	return s
}

// headerKey normalizes a header for matching: full-width forms narrowed, a
// "*" marker, spaces and line breaks removed, Latin letters upper-cased.
func headerKey(h string) string {
	h = width.Narrow.String(h)
	h = strings.Map(func(r rune) rune {
		if r == '*' || unicode.IsSpace(r) || isTrimRune(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, h)
	return h
}

// mappedColumn is a recognised column and its position in the file.
type mappedColumn struct {
	index int
	col   *column
}

// parser turns rows into a ParseResult; both formats feed it row by row.
type parser struct {
	res        ParseResult
	headerRow  int
	mapped     []mappedColumn
	position   map[string]int // header → file column index, for ordering errors
	dataRows   int
	seenUSCC   map[string]int
	xlsx       bool
	cellBuffer []string
}

func newParser(format Format) *parser {
	return &parser{
		res:      ParseResult{Format: format},
		seenUSCC: map[string]int{},
		xlsx:     format == FormatXLSX,
	}
}

// row consumes one row: the header until one is found, then data.
func (p *parser) row(number int, raw []string) error {
	if p.headerRow == 0 {
		cells := p.clean(raw)
		if allBlank(cells) {
			return nil
		}
		return p.header(number, cells)
	}
	// Only the mapped cells matter; a row whose mapped cells are all blank
	// (say, only a pre-filled 序号) is a blank row.
	blank := true
	for _, m := range p.mapped {
		if m.index < len(raw) && strings.TrimFunc(raw[m.index], isTrimRune) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil
	}
	p.dataRows++
	if p.dataRows > MaxDataRows {
		return invalid("数据行超过%d行上限（不含表头和空行），请拆分为多个文件分批导入", MaxDataRows)
	}
	p.res.Rows = append(p.res.Rows, p.convert(number, raw))
	return nil
}

func (p *parser) clean(raw []string) []string {
	p.cellBuffer = p.cellBuffer[:0]
	for _, c := range raw {
		p.cellBuffer = append(p.cellBuffer, cleanCell(c))
	}
	return p.cellBuffer
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// header maps the header row's cells to columns.
func (p *parser) header(number int, cells []string) error {
	p.headerRow = number
	p.position = map[string]int{}
	for i, h := range cells {
		if h == "" {
			continue
		}
		col, ok := columnsByKey[headerKey(h)]
		if !ok {
			p.res.IgnoredColumns = append(p.res.IgnoredColumns, h)
			continue
		}
		if prev, dup := p.position[col.header]; dup {
			return invalid("表头第%d行中“%s”出现了两次（第%s列和第%s列），请删除多余的一列", number, col.header, columnName(prev), columnName(i))
		}
		p.position[col.header] = i
		p.mapped = append(p.mapped, mappedColumn{index: i, col: col})
		p.res.Columns = append(p.res.Columns, col.header)
	}
	if len(p.mapped) == 0 {
		return invalid("第%d行不是会员企业表头：未识别到任何列。表头须为第一个非空行，请使用导入模板（应包含%s等列）", number, strings.Join(requiredHeaders(), "、"))
	}
	var missing []string
	for _, h := range requiredHeaders() {
		if _, ok := p.position[h]; !ok {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return invalid("缺少必填列：%s。表头须为第一个非空行（当前为第%d行），请使用导入模板的表头", strings.Join(missing, "、"), number)
	}
	return nil
}

func requiredHeaders() []string {
	var out []string
	for _, c := range columns {
		if c.required {
			out = append(out, c.header)
		}
	}
	return out
}

// columnName returns the Excel column letters of a 0-based index.
func columnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return name
}

// convert builds, normalizes and validates one data row's firm.
func (p *parser) convert(number int, raw []string) Row {
	rb := rowBuilder{firm: &domain.Firm{}, xlsx: p.xlsx}
	var errs []CellError
	failed := map[string]bool{}
	add := func(col, desc string) {
		desc = clipDescription(desc)
		for _, e := range errs {
			if e.Column == col && e.Description == desc {
				return
			}
		}
		errs = append(errs, CellError{Column: col, Description: desc})
	}
	for _, m := range p.mapped {
		if m.index >= len(raw) {
			continue
		}
		v := cleanCell(raw[m.index])
		if v == "" {
			continue
		}
		c := m.col
		if n := utf8.RuneCountInString(v); n > c.maxRunes {
			add(c.header, fmt.Sprintf("%s不能超过%d个字符（当前%d个）", c.header, c.maxRunes, n))
			failed[c.header] = true
			continue
		}
		for _, msg := range c.set(&rb, v) {
			add(c.header, msg)
			failed[c.header] = true
		}
	}
	f := rb.firm
	if rb.contact != (domain.Contact{}) {
		f.Contacts = []domain.Contact{rb.contact}
	}
	domain.NormalizeFirm(f)
	for _, v := range domain.ValidateFirm(f).Violations {
		col := ColumnForField(v.Field)
		if col == "" {
			col = v.Field
		}
		if failed[col] {
			continue // the conversion error already explains it
		}
		add(col, v.Description)
	}
	if f.USCC != "" && !slices.ContainsFunc(errs, func(e CellError) bool { return e.Column == ColUSCC }) {
		if first, dup := p.seenUSCC[f.USCC]; dup {
			add(ColUSCC, fmt.Sprintf("统一社会信用代码%s与第%d行重复，同一企业只能填写一行", f.USCC, first))
		} else {
			p.seenUSCC[f.USCC] = number
		}
	}
	// Report in the file's column order, as the user reads the row.
	slices.SortStableFunc(errs, func(a, b CellError) int { return p.order(a.Column) - p.order(b.Column) })
	return Row{Number: number, Firm: f, Errors: errs}
}

func (p *parser) order(header string) int {
	if i, ok := p.position[header]; ok {
		return i
	}
	return 1 << 30 // fields without a column last
}

func clipDescription(s string) string {
	if utf8.RuneCountInString(s) <= maxDescriptionRunes {
		return s
	}
	return string([]rune(s)[:maxDescriptionRunes]) + "…"
}

// finish checks that a header was found.
func (p *parser) finish() (*ParseResult, error) {
	if p.headerRow == 0 {
		return nil, invalid("文件中没有内容：未找到表头行，请使用导入模板填写后上传")
	}
	return &p.res, nil
}
