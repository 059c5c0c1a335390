package sheets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// wantFirm is the firm validRecord(i) converts to.
func wantFirm(tb testing.TB, i int) *domain.Firm {
	fen := int64(1_234_500_000)
	return &domain.Firm{
		USCC:                 testUSCC(tb, i),
		Name:                 fmt.Sprintf("杭州测试%d贸易有限公司", i),
		NameEN:               fmt.Sprintf("Hangzhou Test %d Trading Co., Ltd.", i),
		District:             commonv1.District_DISTRICT_XIAOSHAN,
		Industry:             commonv1.Industry_INDUSTRY_APPAREL,
		MainProducts:         "针织衫、羊绒围巾",
		HSCodes:              []string{"611012", "621420"},
		RevenueBand:          commonv1.RevenueBand_REVENUE_BAND_5M_TO_20M,
		AnnualExportValueFen: &fen,
		EmployeesBand:        commonv1.EmployeesBand_EMPLOYEES_BAND_20_TO_99,
		Stage:                commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Platforms:            []commonv1.SalesPlatform{commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_TIKTOK_SHOP},
		TargetMarkets:        []string{"US", "DE"},
		Needs:                []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE, commonv1.NeedTag_NEED_TAG_LOGISTICS},
		Contacts:             []domain.Contact{{Name: "张伟", Title: "总经理", Phone: "13812345678", Email: "zhang@example.com"}},
		Address:              "杭州市萧山区市心中路1号",
		Website:              "https://example.com",
	}
}

func utf16LE(s string) []byte {
	var buf bytes.Buffer
	buf.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&buf, binary.LittleEndian, u)
	}
	return buf.Bytes()
}

func TestParseFirmsReadsEveryFormat(t *testing.T) {
	rows := table(templateHeaders(), validRecord(t, 1), validRecord(t, 2))
	utf8CSV := csvBytes(t, rows)
	var tsv string // no cell holds a tab, quote or line break
	for _, r := range rows {
		tsv += strings.Join(r, "\t") + "\r\n"
	}
	tests := []struct {
		name    string
		content []byte
		format  Format
	}{
		{"xlsx", xlsxBytes(t, rows), FormatXLSX},
		{"UTF-8 CSV", utf8CSV, FormatCSV},
		{"UTF-8 CSV with BOM", append([]byte("\xEF\xBB\xBF"), utf8CSV...), FormatCSV},
		{"GB18030 CSV as saved by Excel on Chinese Windows", gb18030(t, utf8CSV), FormatCSV},
		{"CSV with CRLF line ends", []byte(strings.ReplaceAll(string(utf8CSV), "\n", "\r\n")), FormatCSV},
		{"UTF-16 tab-separated text (Excel Unicode text)", utf16LE(tsv), FormatCSV},
		{"UTF-8 tab-separated text", []byte(tsv), FormatCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseOK(t, tt.content)
			if res.Format != tt.format {
				t.Errorf("Format = %q, want %q", res.Format, tt.format)
			}
			if len(res.Rows) != 2 {
				t.Fatalf("got %d rows, want 2", len(res.Rows))
			}
			for i, r := range res.Rows {
				if !r.Valid() {
					t.Fatalf("row %d: %s", r.Number, rowErrors(r))
				}
				if r.Number != i+2 {
					t.Errorf("row number = %d, want %d", r.Number, i+2)
				}
				if diff := cmp.Diff(wantFirm(t, i+1), r.Firm); diff != "" {
					t.Errorf("row %d firm (-want +got):\n%s", r.Number, diff)
				}
			}
			if diff := cmp.Diff(Headers(), starred(res.Columns)); diff != "" {
				t.Errorf("Columns (-want +got):\n%s", diff)
			}
		})
	}
}

// starred marks required headers as the template does.
func starred(headers []string) []string {
	out := make([]string, len(headers))
	for i, h := range headers {
		out[i] = columnsByKey[headerKey(h)].displayHeader()
	}
	return out
}

func TestParseFirmsMatchesHeadersByName(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		ignored []string
	}{
		{
			name:    "headers without stars",
			headers: []string{"统一社会信用代码", "企业名称", "所在区县", "所属行业"},
		},
		{
			name:    "spaces, full-width star and parentheses, lower-case latin",
			headers: []string{" 统一社会信用代码＊ ", "企业 名称*", "所在区县", "所属行业*", "年出口额(万元)", "hs编码"},
		},
		{
			name:    "header split over two lines",
			headers: []string{"统一社会信用代码*", "企业名称*", "所在区县*", "所属行业*", "年出口额\n（万元）"},
		},
		{
			name:    "columns reordered",
			headers: []string{"联系电话", "所属行业*", "联系人", "企业名称*", "所在区县*", "统一社会信用代码*", "HS编码"},
		},
		{
			name:    "unknown columns are ignored and listed",
			headers: []string{"序号", "统一社会信用代码*", "备注", "企业名称*", "所在区县*", "所属行业*", "", "所属协会"},
			ignored: []string{"序号", "备注", "所属协会"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := validRecord(t, 7).with("序号", "1", "备注", "老会员", "所属协会", "杭州市服装协会")
			for _, content := range [][]byte{csvBytes(t, table(tt.headers, rec)), xlsxBytes(t, table(tt.headers, rec))} {
				res := parseOK(t, content)
				if len(res.Rows) != 1 || !res.Rows[0].Valid() {
					t.Fatalf("rows = %+v", res.Rows)
				}
				got := res.Rows[0].Firm
				if got.USCC != testUSCC(t, 7) || got.District != commonv1.District_DISTRICT_XIAOSHAN || got.Industry != commonv1.Industry_INDUSTRY_APPAREL {
					t.Errorf("firm = %+v", got)
				}
				for _, h := range tt.headers {
					if c, ok := columnsByKey[headerKey(h)]; ok && c.header == ColExportValue && (got.AnnualExportValueFen == nil || *got.AnnualExportValueFen != 1_234_500_000) {
						t.Errorf("export value = %v, want 1234.5万元", got.AnnualExportValueFen)
					}
				}
				if diff := cmp.Diff(tt.ignored, res.IgnoredColumns); diff != "" {
					t.Errorf("IgnoredColumns (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseFirmsRejectsBadFiles(t *testing.T) {
	good := table(templateHeaders(), validRecord(t, 1))
	zipNotWorkbook := func() []byte {
		f := excelize.NewFile()
		buf, _ := f.WriteToBuffer()
		// Corrupt the central directory: still starts with PK\x03\x04.
		b := buf.Bytes()
		return b[:len(b)/2]
	}
	tests := []struct {
		name    string
		content []byte
		want    []string
	}{
		{"empty file", nil, []string{"文件为空"}},
		{"only spaces and line breaks", []byte(" \r\n\t\n"), []string{"文件为空"}},
		{"only a BOM", []byte("\xEF\xBB\xBF"), []string{"文件为空"}},
		{"blank CSV rows", []byte(",,,\n,,\n"), []string{"未找到表头"}},
		{"legacy .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), []string{".xls", ".xlsx"}},
		{"PNG image", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), []string{"不是表格文件"}},
		{"truncated xlsx", zipNotWorkbook(), []string{"不是有效的.xlsx工作簿"}},
		{"zip magic and garbage", []byte("PK\x03\x04garbage"), []string{"不是有效的.xlsx工作簿"}},
		{"invalid UTF-8 after a UTF-8 BOM", []byte("\xEF\xBB\xBF\xff\xfe\xfd"), []string{"UTF-8"}},
		{
			name:    "wrong headers",
			content: csvBytes(t, [][]string{{"姓名", "年龄", "电话"}, {"张三", "30", "13812345678"}}),
			want:    []string{"第1行不是会员企业表头", "统一社会信用代码"},
		},
		{
			name:    "missing required columns named",
			content: csvBytes(t, [][]string{{"统一社会信用代码*", "企业名称*", "联系人"}, {testUSCC(t, 1), "杭州某公司", "张三"}}),
			want:    []string{"缺少必填列：所在区县、所属行业"},
		},
		{
			name:    "missing required column in xlsx after a title row",
			content: xlsxBytes(t, [][]string{{"杭州市服装行业协会会员名单"}, good[0], good[1]}),
			want:    []string{"第1行不是会员企业表头"},
		},
		{
			name:    "the same column twice",
			content: csvBytes(t, [][]string{append(slices.Clone(good[0]), "企业名称"), append(slices.Clone(good[1]), "x")}),
			want:    []string{"“企业名称”出现了两次", "第B列和第U列"},
		},
		{"a line with more columns than Excel has", []byte(strings.Join(good[0], ",") + strings.Repeat(",", maxColumns)), []string{"超过16384列"}},
		{"oversized file", append(csvBytes(t, good), bytes.Repeat([]byte(" "), MaxFileBytes)...), []string{"20MB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseFirms(tt.content)
			if res != nil {
				t.Errorf("result = %+v, want nil", res)
			}
			fileError(t, err, tt.want...)
		})
	}
}

func TestParseFirmsHeaderOnlyGivesNoRows(t *testing.T) {
	res := parseOK(t, csvBytes(t, [][]string{templateHeaders()}))
	if len(res.Rows) != 0 {
		t.Errorf("rows = %+v, want none", res.Rows)
	}
}

func TestParseFirmsSkipsBlankRowsAndNumbersRowsAsExcel(t *testing.T) {
	h := append([]string{"序号"}, templateHeaders()...)
	rec := func(i int) []string {
		return table(h, validRecord(t, i).with("序号", fmt.Sprint(i)))[1]
	}
	blankWithSerial := make([]string, len(h))
	blankWithSerial[0] = "99" // only the ignored column: a blank row
	spaces := []string{" ", "\u3000", "\t"}
	rows := [][]string{
		nil,             // 1: empty row above the header
		{"", "", ""},    // 2: empty cells
		h,               // 3: header
		rec(1),          // 4
		nil,             // 5
		spaces,          // 6: whitespace only
		rec(2),          // 7
		blankWithSerial, // 8
		rec(3),          // 9
		nil, nil,        // trailing blanks
	}
	t.Run("xlsx", func(t *testing.T) {
		res := parseOK(t, xlsxBytes(t, rows))
		checkNumbers(t, res, []int{4, 7, 9})
	})
	t.Run("csv", func(t *testing.T) {
		csvRows := slices.Clone(rows)
		for i, r := range csvRows {
			if r == nil {
				csvRows[i] = []string{""}
			}
		}
		res := parseOK(t, csvBytes(t, csvRows))
		checkNumbers(t, res, []int{4, 7, 9})
	})
	t.Run("csv with a cell spanning lines and blank lines", func(t *testing.T) {
		h := templateHeaders()
		multi := validRecord(t, 1).with(ColAddress, "杭州市萧山区\n市心中路1号")
		content := string(csvBytes(t, table(h, multi))) + "\n\n" + string(csvBytes(t, table(h, validRecord(t, 2))[1:]))
		res := parseOK(t, []byte(content))
		checkNumbers(t, res, []int{2, 5}) // Excel: header 1, firm 2, blank 3 and 4, firm 5
		if got := res.Rows[0].Firm.Address; got != "杭州市萧山区\n市心中路1号" {
			t.Errorf("address = %q", got)
		}
	})
	t.Run("xlsx with rows missing from the sheet XML", func(t *testing.T) {
		f := excelize.NewFile()
		defer f.Close()
		_ = f.SetSheetRow("Sheet1", "A5", &h)
		r := rec(1)
		_ = f.SetSheetRow("Sheet1", "A12", &r)
		buf, _ := f.WriteToBuffer()
		res := parseOK(t, buf.Bytes())
		checkNumbers(t, res, []int{12})
	})
}

func checkNumbers(t *testing.T, res *ParseResult, want []int) {
	t.Helper()
	var got []int
	for _, r := range res.Rows {
		if !r.Valid() {
			t.Errorf("row %d: %s", r.Number, rowErrors(r))
		}
		got = append(got, r.Number)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("row numbers (-want +got):\n%s", diff)
	}
}

func TestParseFirmsReportsBadCellsWithTheirColumn(t *testing.T) {
	manyHS := ""
	for i := 0; i < 21; i++ {
		manyHS += fmt.Sprintf("6204%02d、", 10+i)
	}
	tests := []struct {
		name   string
		set    []string // header, value pairs
		column string
		want   string // substring of the description
	}{
		{"USCC check character", []string{ColUSCC, "91330100799655059B"}, ColUSCC, "校验位"},
		{"USCC too short", []string{ColUSCC, "9133010079965505"}, ColUSCC, "18位"},
		{"USCC missing", []string{ColUSCC, ""}, ColUSCC, "不能为空"},
		{"USCC stored as a number by Excel", []string{ColUSCC, "9.14403001922038E+17"}, ColUSCC, "文本"},
		{"name missing", []string{ColName, ""}, ColName, "企业名称不能为空"},
		{"name too short", []string{ColName, "杭"}, ColName, "至少2个字"},
		{"name too long", []string{ColName, strings.Repeat("杭", 101)}, ColName, "不能超过100个字"},
		{"English name too long", []string{ColNameEN, strings.Repeat("a", 201)}, ColNameEN, "200"},
		{"district missing", []string{ColDistrict, ""}, ColDistrict, "请选择所在区县"},
		{"district without 区 gets a suggestion", []string{ColDistrict, "萧山"}, ColDistrict, "所在区县“萧山”无法识别，请填写如“萧山区”的区县名称"},
		{"district outside Hangzhou", []string{ColDistrict, "鄞州区"}, ColDistrict, "可选值：上城区"},
		{"industry unknown", []string{ColIndustry, "房地产"}, ColIndustry, "所属行业“房地产”无法识别"},
		{"products too long", []string{ColMainProducts, strings.Repeat("丝", 501)}, ColMainProducts, "500"},
		{"HS code too short", []string{ColHSCodes, "620442、62044"}, ColHSCodes, "6至10位"},
		{"HS code with letters", []string{ColHSCodes, "62O442"}, ColHSCodes, "非数字"},
		{"HS code chapter 98", []string{ColHSCodes, "980000"}, ColHSCodes, "章号"},
		{"HS code far too long", []string{ColHSCodes, strings.Repeat("6", 40)}, ColHSCodes, "6至10位"},
		{"too many HS codes", []string{ColHSCodes, manyHS}, ColHSCodes, "最多20个"},
		{"revenue band unknown", []string{ColRevenueBand, "3000万"}, ColRevenueBand, "营业收入区间“3000万”无法识别"},
		{"export value not a number", []string{ColExportValue, "约100"}, ColExportValue, "不是有效数字"},
		{"export value negative", []string{ColExportValue, "-5"}, ColExportValue, "不能为负数"},
		{"export value in yuan", []string{ColExportValue, "125000元"}, ColExportValue, "万元为单位"},
		{"export value below a fen", []string{ColExportValue, "1.1234567"}, ColExportValue, "最多6位小数"},
		{"export value with a decimal comma", []string{ColExportValue, "12,5"}, ColExportValue, "千位分隔符"},
		{"export value too large", []string{ColExportValue, "200000000"}, ColExportValue, "不能超过100000000"},
		{"export value placeholder", []string{ColExportValue, "无"}, ColExportValue, "未知请留空"},
		{"employees band unknown", []string{ColEmployeesBand, "50人"}, ColEmployeesBand, "员工人数区间“50人”无法识别"},
		{"stage unknown", []string{ColStage, "起步"}, ColStage, "跨境电商阶段“起步”无法识别"},
		{"platform unknown", []string{ColPlatforms, "亚马逊、拼多多"}, ColPlatforms, "销售平台“拼多多”无法识别"},
		{"platform suggestion", []string{ColPlatforms, "亚马逊美国站"}, ColPlatforms, "如“亚马逊”"},
		{"market is a region", []string{ColTargetMarkets, "美国、欧盟"}, ColTargetMarkets, "拆分为具体国家"},
		{"market unknown", []string{ColTargetMarkets, "火星"}, ColTargetMarkets, "目标市场“火星”无法识别"},
		{"need unknown", []string{ColNeeds, "找客户"}, ColNeeds, "需求“找客户”无法识别"},
		{"contact without phone or e-mail", []string{ColContactPhone, "", ColContactEmail, ""}, ColContactPhone, "至少填写联系电话或邮箱"},
		{"phone without contact name", []string{ColContactName, ""}, ColContactName, "联系人姓名不能为空"},
		{"phone malformed", []string{ColContactPhone, "1381234567"}, ColContactPhone, "11位手机号"},
		{"two phones in one cell", []string{ColContactPhone, "13812345678/0571-88888888"}, ColContactPhone, "只能填写一个号码"},
		{"masked phone from an export", []string{ColContactPhone, "138****5678"}, ColContactPhone, "脱敏"},
		{"e-mail malformed", []string{ColContactEmail, "zhang@"}, ColContactEmail, "邮箱格式不正确"},
		{"masked e-mail from an export", []string{ColContactEmail, "z***@example.com"}, ColContactEmail, "脱敏"},
		{"title too long", []string{ColContactTitle, strings.Repeat("经", 51)}, ColContactTitle, "50"},
		{"address too long", []string{ColAddress, strings.Repeat("路", 201)}, ColAddress, "200"},
		{"website without scheme", []string{ColWebsite, "www.example.com"}, ColWebsite, "http://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := validRecord(t, 3).with(tt.set...)
			for _, content := range [][]byte{csvBytes(t, table(templateHeaders(), rec)), xlsxBytes(t, table(templateHeaders(), rec))} {
				res := parseOK(t, content)
				if len(res.Rows) != 1 {
					t.Fatalf("got %d rows, want 1", len(res.Rows))
				}
				r := res.Rows[0]
				if r.Firm == nil {
					t.Fatal("Firm is nil")
				}
				if r.Valid() {
					t.Fatalf("row is valid, want an error on %s", tt.column)
				}
				found := false
				for _, e := range r.Errors {
					if e.Column != tt.column {
						t.Errorf("unexpected error on %s: %s", e.Column, e.Description)
					}
					if strings.Contains(e.Description, tt.want) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error containing %q: %s", tt.want, rowErrors(r))
				}
			}
		})
	}
}

func TestParseFirmsReportsEachColumnOnce(t *testing.T) {
	// The unknown district leaves District unset, which validation would
	// report again as "请选择所在区县"; only the conversion error remains.
	rec := validRecord(t, 1).with(ColDistrict, "萧山", ColIndustry, "不存在", ColHSCodes, "62044、abc")
	res := parseOK(t, csvBytes(t, table(templateHeaders(), rec)))
	var cols []string
	for _, e := range res.Rows[0].Errors {
		cols = append(cols, e.Column)
	}
	want := []string{ColDistrict, ColIndustry, ColHSCodes, ColHSCodes}
	if diff := cmp.Diff(want, cols); diff != "" {
		t.Errorf("error columns (-want +got):\n%s\n%s", diff, rowErrors(res.Rows[0]))
	}
}

func TestParseFirmsOrdersErrorsAsTheFileColumns(t *testing.T) {
	h := []string{"网址", "统一社会信用代码*", "企业名称*", "所在区县*", "所属行业*"}
	rec := validRecord(t, 1).with(ColWebsite, "ftp://x", ColUSCC, "123")
	res := parseOK(t, csvBytes(t, table(h, rec)))
	var cols []string
	for _, e := range res.Rows[0].Errors {
		cols = append(cols, e.Column)
	}
	if diff := cmp.Diff([]string{ColWebsite, ColUSCC}, cols); diff != "" {
		t.Errorf("error columns (-want +got):\n%s", diff)
	}
}

func TestParseFirmsAcceptsFlexibleCells(t *testing.T) {
	tests := []struct {
		name  string
		set   []string
		check func(*domain.Firm) bool
	}{
		{"enum names instead of labels", []string{ColDistrict, "DISTRICT_BINJIANG", ColIndustry, "silk", ColStage, "REPEAT_EXPORTS"},
			func(f *domain.Firm) bool {
				return f.District == commonv1.District_DISTRICT_BINJIANG && f.Industry == commonv1.Industry_INDUSTRY_SILK &&
					f.Stage == commonv1.CrossBorderStage_CROSS_BORDER_STAGE_REPEAT_EXPORTS
			}},
		{"list separators of every kind", []string{ColHSCodes, "620442,611012；621420 ; 6204.43，610910\n950300"},
			func(f *domain.Firm) bool {
				return slices.Equal(f.HSCodes, []string{"620442", "611012", "621420", "620443", "610910", "950300"})
			}},
		{"platform labels containing spaces", []string{ColPlatforms, "TikTok Shop 亚马逊 eBay"},
			func(f *domain.Firm) bool {
				return slices.Equal(f.Platforms, []commonv1.SalesPlatform{
					commonv1.SalesPlatform_SALES_PLATFORM_TIKTOK_SHOP, commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, commonv1.SalesPlatform_SALES_PLATFORM_EBAY,
				})
			}},
		{"markets by name, code and alias, duplicates dropped", []string{ColTargetMarkets, "美国 us UK 英国 日本"},
			func(f *domain.Firm) bool { return slices.Equal(f.TargetMarkets, []string{"US", "GB", "JP"}) }},
		{"full-width USCC and HS digits", []string{ColUSCC, "９１３３０１００７９９６５５０５８Ｂ", ColHSCodes, "６２０４４２"},
			func(f *domain.Firm) bool {
				return f.USCC == "91330100799655058B" && slices.Equal(f.HSCodes, []string{"620442"})
			}},
		{"lower-case USCC", []string{ColUSCC, "91330100799655058b"},
			func(f *domain.Firm) bool { return f.USCC == "91330100799655058B" }},
		{"phone with +86 and spaces", []string{ColContactPhone, "+86 138 1234 5678"},
			func(f *domain.Firm) bool { return f.Contacts[0].Phone == "13812345678" }},
		{"landline", []string{ColContactPhone, "0571-87654321"},
			func(f *domain.Firm) bool { return f.Contacts[0].Phone == "0571-87654321" }},
		{"no contact columns filled means no contact", []string{ColContactName, "", ColContactTitle, "", ColContactPhone, "", ColContactEmail, ""},
			func(f *domain.Firm) bool { return f.Contacts == nil }},
		{"empty export value is unknown", []string{ColExportValue, ""},
			func(f *domain.Firm) bool { return f.AnnualExportValueFen == nil }},
		{"zero export value is known", []string{ColExportValue, "0"},
			func(f *domain.Firm) bool { return f.AnnualExportValueFen != nil && *f.AnnualExportValueFen == 0 }},
		{"cells padded with ideographic and zero-width spaces", []string{ColName, "\u3000\u200b杭州测试公司 "},
			func(f *domain.Firm) bool { return f.Name == "杭州测试公司" }},
		{"control characters dropped", []string{ColName, "杭州\x07测试公司"},
			func(f *domain.Firm) bool { return f.Name == "杭州测试公司" }},
		{"CSV =\"…\" text idiom", []string{ColHSCodes, `="010121"`},
			func(f *domain.Firm) bool { return slices.Equal(f.HSCodes, []string{"010121"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseOK(t, csvBytes(t, table(templateHeaders(), validRecord(t, 4).with(tt.set...))))
			r := res.Rows[0]
			if !r.Valid() {
				t.Fatalf("row invalid: %s", rowErrors(r))
			}
			if !tt.check(r.Firm) {
				t.Errorf("firm = %+v", r.Firm)
			}
		})
	}
}

func TestParseFirmsReadsNumericCellsOfWorkbooks(t *testing.T) {
	// Cells typed as numbers in Excel: the raw XML value is read, not the
	// display format, and float noise beyond 15 digits is dropped.
	build := func(set func(f *excelize.File, cell func(col string) string)) []byte {
		f := excelize.NewFile()
		defer f.Close()
		h := templateHeaders()
		rec := validRecord(t, 5)
		row := make([]string, len(h))
		for i, hd := range h {
			row[i] = rec[columnsByKey[headerKey(hd)].header]
		}
		_ = f.SetSheetRow("Sheet1", "A1", &h)
		_ = f.SetSheetRow("Sheet1", "A2", &row)
		set(f, func(col string) string {
			for i, hd := range h {
				if columnsByKey[headerKey(hd)].header == col {
					return cellName(i, 2)
				}
			}
			t.Fatalf("no column %s", col)
			return ""
		})
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	res := parseOK(t, build(func(f *excelize.File, cell func(string) string) {
		_ = f.SetCellInt("Sheet1", cell(ColContactPhone), 13812345678)
		_ = f.SetCellInt("Sheet1", cell(ColHSCodes), 620442)
		_ = f.SetCellFloat("Sheet1", cell(ColExportValue), 0.3, 17, 64) // "0.29999999999999999"
	}))
	r := res.Rows[0]
	if !r.Valid() {
		t.Fatalf("row invalid: %s", rowErrors(r))
	}
	f := r.Firm
	if f.Contacts[0].Phone != "13812345678" || !slices.Equal(f.HSCodes, []string{"620442"}) || *f.AnnualExportValueFen != 300_000 {
		t.Errorf("firm = %+v, export %d", f, *f.AnnualExportValueFen)
	}

	// An all-digit USCC typed into a General cell loses its last digits.
	res = parseOK(t, build(func(f *excelize.File, cell func(string) string) {
		_ = f.SetCellFloat("Sheet1", cell(ColUSCC), 914403001922038216, -1, 64)
	}))
	if e := res.Rows[0].Errors; len(e) != 1 || e[0].Column != ColUSCC || !strings.Contains(e[0].Description, "文本") {
		t.Errorf("errors = %s", rowErrors(res.Rows[0]))
	}
}

func TestParseFirmsRejectsDuplicateUSCCWithinFile(t *testing.T) {
	a, b := validRecord(t, 1), validRecord(t, 2)
	dupLower := a.with(ColUSCC, strings.ToLower(a[ColUSCC]), ColName, "另一家公司")
	res := parseOK(t, csvBytes(t, table(templateHeaders(), a, b, a.with(ColName, "重复的公司"), dupLower)))
	if !res.Rows[0].Valid() || !res.Rows[1].Valid() {
		t.Fatalf("first rows should be valid: %s / %s", rowErrors(res.Rows[0]), rowErrors(res.Rows[1]))
	}
	for _, r := range res.Rows[2:] {
		if len(r.Errors) != 1 || r.Errors[0].Column != ColUSCC || !strings.Contains(r.Errors[0].Description, "与第2行重复") {
			t.Errorf("row %d errors = %s, want a duplicate of row 2", r.Number, rowErrors(r))
		}
	}
}

func TestParseFirmsRejectsMoreThanMaxDataRows(t *testing.T) {
	// The limit counts data rows; blank rows in between do not count.
	file := func(n int) []byte {
		rows := [][]string{templateHeaders()}
		row := table(templateHeaders(), record{ColUSCC: "x", ColName: "y"})[1]
		for i := 0; i < n; i++ {
			rows = append(rows, row)
			if i%1000 == 0 {
				rows = append(rows, []string{""})
			}
		}
		return csvBytes(t, rows)
	}
	_, err := ParseFirms(file(MaxDataRows + 1))
	fileError(t, err, "超过20000行")

	res := parseOK(t, file(MaxDataRows))
	if len(res.Rows) != MaxDataRows {
		t.Errorf("got %d rows, want %d", len(res.Rows), MaxDataRows)
	}
}

// badRow returns a record broken in one of several ways, and the column
// that should be reported.
func badRow(rec record, kind int) (record, string) {
	switch kind % 8 {
	case 0:
		u := rec[ColUSCC]
		wrong := "0"
		if u[17] == '0' {
			wrong = "1"
		}
		return rec.with(ColUSCC, u[:17]+wrong), ColUSCC
	case 1:
		return rec.with(ColDistrict, "杭州"), ColDistrict
	case 2:
		return rec.with(ColHSCodes, "12345"), ColHSCodes
	case 3:
		return rec.with(ColExportValue, "-1"), ColExportValue
	case 4:
		return rec.with(ColPlatforms, "拼多多"), ColPlatforms
	case 5:
		return rec.with(ColContactPhone, "12345"), ColContactPhone
	case 6:
		return rec.with(ColName, ""), ColName
	default:
		return rec.with(ColTargetMarkets, "欧盟"), ColTargetMarkets
	}
}

// tenThousandRows builds a 10,000-row workbook in which every 20th row (5%)
// is bad; it returns the file and the bad rows' numbers with their columns.
func tenThousandRows(tb testing.TB) ([]byte, map[int]string) {
	tb.Helper()
	h := templateHeaders()
	rows := make([][]string, 0, 10_001)
	rows = append(rows, h)
	bad := map[int]string{}
	for i := 1; i <= 10_000; i++ {
		rec := validRecord(tb, i)
		if i%20 == 0 {
			var col string
			rec, col = badRow(rec, i/20)
			bad[i+1] = col
		}
		rows = append(rows, table(h, rec)[1])
	}
	return xlsxBytes(tb, rows), bad
}

func TestParseFirms10kRowsWithFivePercentBad(t *testing.T) {
	content, wantBad := tenThousandRows(t)
	res := parseOK(t, content)
	if len(res.Rows) != 10_000 {
		t.Fatalf("got %d rows, want 10000", len(res.Rows))
	}
	gotBad := map[int]string{}
	for _, r := range res.Rows {
		if r.Valid() {
			if err := domain.ValidateFirm(r.Firm).Err(); err != nil {
				t.Fatalf("row %d valid but firm fails validation: %v", r.Number, err)
			}
			continue
		}
		gotBad[r.Number] = r.Errors[0].Column
		if len(r.Errors) != 1 {
			t.Errorf("row %d: %s", r.Number, rowErrors(r))
		}
	}
	if diff := cmp.Diff(wantBad, gotBad); diff != "" {
		t.Errorf("failed rows and columns (-want +got):\n%s", diff)
	}
	if len(gotBad) != 500 {
		t.Errorf("%d rows failed, want 500", len(gotBad))
	}
}

func TestColumnForField(t *testing.T) {
	tests := []struct{ field, want string }{
		{"uscc", ColUSCC},
		{"firm.uscc", ColUSCC},
		{"name", ColName},
		{"hs_codes", ColHSCodes},
		{"hs_codes[2]", ColHSCodes},
		{"annual_export_value_fen", ColExportValue},
		{"platforms[0]", ColPlatforms},
		{"target_markets[12]", ColTargetMarkets},
		{"contacts", ColContactName},
		{"contacts[0].name", ColContactName},
		{"contacts[0].title", ColContactTitle},
		{"contacts[0].phone", ColContactPhone},
		{"firm.contacts[0].email", ColContactEmail},
		{"contacts[0].unknown", ColContactName},
		{"website", ColWebsite},
		{"memberships[0]", ""},
		{"", ""},
		{"[[]]]", ""},
	}
	for _, tt := range tests {
		if got := ColumnForField(tt.field); got != tt.want {
			t.Errorf("ColumnForField(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

func TestEveryValidationFieldHasAColumn(t *testing.T) {
	// A firm breaking every rule it can: every violation must map to a column.
	bad := int64(-1)
	f := &domain.Firm{
		USCC: "x", NameEN: strings.Repeat("a", 300), District: 99, Industry: 99, RevenueBand: 99,
		EmployeesBand: 99, Stage: 99, HSCodes: make([]string, 25), AnnualExportValueFen: &bad,
		Platforms: []commonv1.SalesPlatform{99}, Needs: []commonv1.NeedTag{99}, TargetMarkets: make([]string, 60),
		Contacts: make([]domain.Contact, 6), Address: strings.Repeat("路", 300), Website: "x",
		MainProducts: strings.Repeat("丝", 600),
	}
	for _, v := range domain.ValidateFirm(f).Violations {
		if ColumnForField(v.Field) == "" {
			t.Errorf("no column for field %q", v.Field)
		}
	}
}

func TestFieldMask(t *testing.T) {
	h := []string{"统一社会信用代码", "企业名称", "所在区县", "所属行业", "联系电话", "邮箱", "HS编码"}
	res := parseOK(t, csvBytes(t, table(h, validRecord(t, 1))))
	want := []string{"uscc", "name", "district", "industry", "hs_codes", "contacts"}
	if diff := cmp.Diff(want, res.FieldMask()); diff != "" {
		t.Errorf("FieldMask (-want +got):\n%s", diff)
	}
}
