package sheets

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

func ptr[T any](v T) *T { return &v }

// normalized returns valid, normalized copies of firms, failing the test on
// an invalid one: round trips are only promised for valid profiles.
func normalized(tb testing.TB, firms []*domain.Firm) []*domain.Firm {
	tb.Helper()
	out := make([]*domain.Firm, len(firms))
	for i, f := range firms {
		c := f.Clone()
		domain.NormalizeFirm(c)
		if err := domain.ValidateFirm(c).Err(); err != nil {
			tb.Fatalf("test firm %d invalid: %v", i, err)
		}
		out[i] = c
	}
	return out
}

func writeFirms(tb testing.TB, firms []*domain.Firm, opts ExportOptions) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteFirms(&buf, firms, opts); err != nil {
		tb.Fatalf("WriteFirms: %v", err)
	}
	return buf.Bytes()
}

// roundTrip writes firms with contacts revealed, parses the file and checks
// every profile comes back equal.
func roundTrip(t *testing.T, firms []*domain.Firm) *ParseResult {
	t.Helper()
	res := parseOK(t, writeFirms(t, firms, ExportOptions{RevealContacts: true}))
	if len(res.Rows) != len(firms) {
		t.Fatalf("got %d rows, want %d", len(res.Rows), len(firms))
	}
	for i, r := range res.Rows {
		if !r.Valid() {
			t.Fatalf("row %d: %s", r.Number, rowErrors(r))
		}
		if r.Number != i+2 {
			t.Errorf("row number = %d, want %d", r.Number, i+2)
		}
		if !domain.SameProfile(firms[i], r.Firm) {
			t.Errorf("row %d differs (-want +got):\n%s", r.Number, cmp.Diff(firms[i], r.Firm))
		}
	}
	return res
}

func TestWriteFirmsRoundTrip(t *testing.T) {
	full := wantFirm(t, 1)
	full.ID, full.Version = "firm-1", 7
	full.Memberships = []domain.Membership{{AssociationID: "assoc-1", CreateTime: time.Now()}, {AssociationID: "assoc-gone"}}
	firms := normalized(t, []*domain.Firm{
		full,
		{ // only the required columns
			USCC: testUSCC(t, 2), Name: "杭州最简公司", District: commonv1.District_DISTRICT_JIANDE, Industry: commonv1.Industry_INDUSTRY_OTHER,
		},
		{ // export value not a multiple of 100 yuan, landline, e-mail only contact
			USCC: testUSCC(t, 3), Name: "杭州精确到分有限公司", District: commonv1.District_DISTRICT_LINAN, Industry: commonv1.Industry_INDUSTRY_TEA,
			AnnualExportValueFen: ptr(int64(123_456_789)),
			Contacts:             []domain.Contact{{Name: "李娜", Phone: "0571-87654321-801"}},
		},
		{
			USCC: testUSCC(t, 4), Name: "杭州只有邮箱公司", District: commonv1.District_DISTRICT_FUYANG, Industry: commonv1.Industry_INDUSTRY_TOYS,
			AnnualExportValueFen: ptr(int64(0)),
			Contacts:             []domain.Contact{{Name: "Tom", Email: "tom@example.cn"}},
		},
		{ // the largest value, text that looks like a formula, XML specials
			USCC: testUSCC(t, 5), Name: "=1+1 杭州公式公司", NameEN: `A&B <Trading> "Co" 'Ltd'`,
			District: commonv1.District_DISTRICT_QIANTANG, Industry: commonv1.Industry_INDUSTRY_CHEMICALS,
			AnnualExportValueFen: ptr(int64(domain.MaxExportValueFen)),
			MainProducts:         "第一行\n第二行",
			HSCodes:              []string{"010121", "2902200000"},
		},
	})
	res := roundTrip(t, firms)
	if diff := cmp.Diff([]string{ColAssociations}, res.IgnoredColumns); diff != "" {
		t.Errorf("IgnoredColumns (-want +got):\n%s", diff)
	}

	content := writeFirms(t, firms, ExportOptions{RevealContacts: true, AssociationNames: map[string]string{"assoc-1": "杭州市服装行业协会"}})
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	last := columnName(len(columns))
	if got, _ := f.GetCellValue(SheetFirms, last+"2"); got != "杭州市服装行业协会、assoc-gone" {
		t.Errorf("所属协会 = %q", got)
	}
	if got, _ := f.GetCellValue(SheetFirms, last+"3"); got != "" {
		t.Errorf("所属协会 without memberships = %q", got)
	}
	if formula, _ := f.GetCellFormula(SheetFirms, "B6"); formula != "" {
		t.Errorf("a name starting with = became formula %q", formula)
	}
}

func TestWriteFirmsEveryChoiceRoundTrips(t *testing.T) {
	var firms []*domain.Firm
	n := 0
	add := func(mut func(f *domain.Firm)) {
		n++
		f := &domain.Firm{USCC: testUSCC(t, n), Name: fmt.Sprintf("杭州选项%d公司", n),
			District: commonv1.District_DISTRICT_SHANGCHENG, Industry: commonv1.Industry_INDUSTRY_APPAREL}
		mut(f)
		firms = append(firms, f)
	}
	for _, c := range refdata.EnumCodes(commonv1.District(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.District(0).Descriptor(), c.Code)
		add(func(f *domain.Firm) { f.District = commonv1.District(num) })
	}
	for _, c := range refdata.EnumCodes(commonv1.Industry(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.Industry(0).Descriptor(), c.Code)
		add(func(f *domain.Firm) { f.Industry = commonv1.Industry(num) })
	}
	for _, c := range refdata.EnumCodes(commonv1.RevenueBand(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.RevenueBand(0).Descriptor(), c.Code)
		add(func(f *domain.Firm) { f.RevenueBand = commonv1.RevenueBand(num) })
	}
	for _, c := range refdata.EnumCodes(commonv1.EmployeesBand(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.EmployeesBand(0).Descriptor(), c.Code)
		add(func(f *domain.Firm) { f.EmployeesBand = commonv1.EmployeesBand(num) })
	}
	for _, c := range refdata.EnumCodes(commonv1.CrossBorderStage(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.CrossBorderStage(0).Descriptor(), c.Code)
		add(func(f *domain.Firm) { f.Stage = commonv1.CrossBorderStage(num) })
	}
	var platforms []commonv1.SalesPlatform
	for _, c := range refdata.EnumCodes(commonv1.SalesPlatform(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.SalesPlatform(0).Descriptor(), c.Code)
		platforms = append(platforms, commonv1.SalesPlatform(num))
	}
	add(func(f *domain.Firm) { f.Platforms = platforms })
	var needs []commonv1.NeedTag
	for _, c := range refdata.EnumCodes(commonv1.NeedTag(0).Descriptor()) {
		num, _ := refdata.ParseEnum(commonv1.NeedTag(0).Descriptor(), c.Code)
		needs = append(needs, commonv1.NeedTag(num))
	}
	add(func(f *domain.Firm) { f.Needs = needs })
	var markets []string
	for _, m := range refdata.Markets() {
		markets = append(markets, m.Code)
	}
	for chunk := range slices.Chunk(markets, domain.MaxMarkets) {
		add(func(f *domain.Firm) { f.TargetMarkets = chunk })
	}
	roundTrip(t, normalized(t, firms))
}

func TestWriteFirmsMasksContactsUnlessRevealed(t *testing.T) {
	firms := normalized(t, []*domain.Firm{wantFirm(t, 1)})
	cells := func(opts ExportOptions) (phone, email string) {
		f, err := excelize.OpenReader(bytes.NewReader(writeFirms(t, firms, opts)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		phone, _ = f.GetCellValue(SheetFirms, cellName(columnIndex(ColContactPhone), 2))
		email, _ = f.GetCellValue(SheetFirms, cellName(columnIndex(ColContactEmail), 2))
		return phone, email
	}
	if p, e := cells(ExportOptions{}); p != "138****5678" || e != "z***@example.com" {
		t.Errorf("masked export has %q, %q", p, e)
	}
	if p, e := cells(ExportOptions{RevealContacts: true}); p != "13812345678" || e != "zhang@example.com" {
		t.Errorf("revealed export has %q, %q", p, e)
	}
	// A masked export edited and imported back says why the contact fails.
	res := parseOK(t, writeFirms(t, firms, ExportOptions{}))
	var cols []string
	for _, e := range res.Rows[0].Errors {
		cols = append(cols, e.Column)
		if !strings.Contains(e.Description, "脱敏") {
			t.Errorf("error %q does not explain the masking", e.Description)
		}
	}
	if diff := cmp.Diff([]string{ColContactPhone, ColContactEmail}, cols); diff != "" {
		t.Errorf("error columns (-want +got):\n%s", diff)
	}
}

func columnIndex(header string) int {
	for i, c := range columns {
		if c.header == header {
			return i
		}
	}
	return -1
}

func TestWriteFirmsLayout(t *testing.T) {
	content := writeFirms(t, normalized(t, []*domain.Firm{wantFirm(t, 1)}), ExportOptions{})
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{SheetFirms, SheetChoices}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	rows, err := f.GetRows(SheetFirms)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(Headers(), ColAssociations), rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	checkFrozenHeader(t, f)
	checkDropDowns(t, f)
	// Code columns are text, so editing in Excel keeps them as typed.
	style, _ := f.GetCellStyle(SheetFirms, "A2")
	if s, _ := f.GetStyle(style); s == nil || s.NumFmt != 49 {
		t.Errorf("USCC cell style = %+v, want text format", s)
	}
}

func checkFrozenHeader(t *testing.T, f *excelize.File) {
	t.Helper()
	panes, err := f.GetPanes(SheetFirms)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the header frozen", panes, err)
	}
}

// checkDropDowns checks that every column with choices has a drop-down
// referring to its list on the choices sheet.
func checkDropDowns(t *testing.T, f *excelize.File) {
	t.Helper()
	dvs, err := f.GetDataValidations(SheetFirms)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	for i, c := range columns {
		if c.choices == nil {
			continue
		}
		l := columnName(i)
		dv := bySqref[fmt.Sprintf("%s2:%s%d", l, l, MaxDataRows+1)]
		if dv == nil {
			t.Errorf("no drop-down on %s (%s)", c.header, l)
			continue
		}
		if dv.Type != "list" || !strings.Contains(dv.Formula1, SheetChoices) {
			t.Errorf("%s drop-down = %+v", c.header, dv)
		}
	}
}

func TestWriteFirmsRejectsNilFirm(t *testing.T) {
	if err := WriteFirms(&bytes.Buffer{}, []*domain.Firm{nil}, ExportOptions{}); err == nil {
		t.Error("WriteFirms accepted a nil firm")
	}
}

func TestWriteFirmsStreamsLargeExports(t *testing.T) {
	firms := make([]*domain.Firm, 12_000)
	for i := range firms {
		firms[i] = wantFirm(t, i+1)
		firms[i].AnnualExportValueFen = ptr(int64(i) * 1_234_567)
	}
	roundTrip(t, firms)
}

func TestTemplateParsesBackToOneValidRow(t *testing.T) {
	content, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	res := parseOK(t, content)
	if len(res.Rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(res.Rows))
	}
	r := res.Rows[0]
	if !r.Valid() || r.Number != 2 {
		t.Fatalf("row %d: %s", r.Number, rowErrors(r))
	}
	want := normalized(t, []*domain.Firm{sampleFirm()})[0]
	if !domain.SameProfile(want, r.Firm) {
		t.Errorf("sample row differs (-want +got):\n%s", cmp.Diff(want, r.Firm))
	}
	if len(res.IgnoredColumns) != 0 || len(res.Columns) != len(columns) {
		t.Errorf("Columns = %v, IgnoredColumns = %v", res.Columns, res.IgnoredColumns)
	}
}

func TestTemplateLayout(t *testing.T) {
	content, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{SheetFirms, SheetChoices, SheetInstructions}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	rows, _ := f.GetRows(SheetFirms)
	if diff := cmp.Diff(Headers(), rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for i, h := range rows[0] {
		if strings.HasSuffix(h, "*") != columns[i].required {
			t.Errorf("header %q: required mark wrong", h)
		}
		style, _ := f.GetCellStyle(SheetFirms, cellName(i, 1))
		if s, _ := f.GetStyle(style); s == nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("header %q is not bold", h)
		}
		if w, _ := f.GetColWidth(SheetFirms, columnName(i)); w < 10 {
			t.Errorf("column %q width %v", h, w)
		}
	}
	checkFrozenHeader(t, f)
	checkDropDowns(t, f)

	// The choices sheet lists every allowed value, each accepted by import.
	choices, _ := f.GetCols(SheetChoices)
	for i, col := range choices { // GetCols pads columns to the longest
		for len(col) > 0 && col[len(col)-1] == "" {
			col = col[:len(col)-1]
		}
		choices[i] = col
	}
	j := 0
	for i := range columns {
		c := &columns[i]
		if c.choices == nil {
			continue
		}
		if j >= len(choices) || choices[j][0] != c.header {
			t.Fatalf("choices column %d is not %s", j, c.header)
		}
		if diff := cmp.Diff(c.choices(), choices[j][1:]); diff != "" {
			t.Errorf("%s choices (-want +got):\n%s", c.header, diff)
		}
		for _, v := range choices[j][1:] {
			if errs := c.set(&rowBuilder{firm: &domain.Firm{}}, v); len(errs) > 0 {
				t.Errorf("%s choice %q refused: %v", c.header, v, errs)
			}
		}
		j++
	}
	if len(choices[0]) != 14 { // header + 13 districts and counties
		t.Errorf("district choices = %v", choices[0])
	}

	// The instructions explain every column.
	notes, _ := f.GetRows(SheetInstructions)
	var text strings.Builder
	for _, r := range notes {
		text.WriteString(strings.Join(r, " "))
	}
	for _, c := range columns {
		if !strings.Contains(text.String(), c.header) {
			t.Errorf("instructions do not mention %s", c.header)
		}
	}
}
