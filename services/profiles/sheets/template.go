package sheets

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

var errNoSample = errors.New("sheets: sample firm is invalid")

// Template sample row identity: an import that meets this row reports it
// instead of registering the example firm.
const (
	TemplateSampleUSCC = "91330100799655058B"
	TemplateSampleName = "杭州启航丝绸服饰有限公司"
)

// sampleFirm is the template's example row: a plausible Hangzhou silk firm
// with a valid USCC. It is written through the export path, so it is
// guaranteed to parse back.
func sampleFirm() *domain.Firm {
	exports := int64(1250_500_000) // 1250.5万元
	return &domain.Firm{
		USCC:                 TemplateSampleUSCC,
		Name:                 TemplateSampleName,
		NameEN:               "Hangzhou Qihang Silk Apparel Co., Ltd.",
		District:             commonv1.District_DISTRICT_XIHU,
		Industry:             commonv1.Industry_INDUSTRY_SILK,
		MainProducts:         "真丝围巾、真丝睡衣、丝绸礼盒",
		HSCodes:              []string{"621410", "620821"},
		RevenueBand:          commonv1.RevenueBand_REVENUE_BAND_20M_TO_100M,
		AnnualExportValueFen: &exports,
		EmployeesBand:        commonv1.EmployeesBand_EMPLOYEES_BAND_100_TO_299,
		Stage:                commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER,
		Platforms: []commonv1.SalesPlatform{
			commonv1.SalesPlatform_SALES_PLATFORM_AMAZON,
			commonv1.SalesPlatform_SALES_PLATFORM_TIKTOK_SHOP,
		},
		TargetMarkets: []string{"US", "DE", "JP"},
		Needs: []commonv1.NeedTag{
			commonv1.NeedTag_NEED_TAG_OVERSEAS_WAREHOUSE,
			commonv1.NeedTag_NEED_TAG_BRAND_IP,
		},
		Contacts: []domain.Contact{{Name: "王丽", Title: "外贸经理", Phone: "13800138000", Email: "wangli@example.com"}},
		Address:  "杭州市西湖区文三路100号",
		Website:  "https://www.example.com",
	}
}

// generalNotes open the instructions sheet.
var generalNotes = []string{
	"1. 请在“" + SheetFirms + "”工作表填写，第一行是表头，请勿修改表头文字；列的顺序可以调整，无法识别的列会被忽略。",
	"2. 每行填写一家企业，带“*”的列为必填。第2行是示例，导入前请删除或改写为真实企业。",
	"3. 同一文件内统一社会信用代码不能重复；已登记的企业按统一社会信用代码更新资料，不会重复创建，重复导入同一文件不会产生重复数据。",
	"4. 可多选的列（HS编码、销售平台、目标市场、需求）用“、”分隔多个值；下拉选项见“" + SheetChoices + "”工作表。",
	fmt.Sprintf("5. 每个文件最多%d行数据，大小不超过%dMB；也可以上传CSV文件（UTF-8或GBK编码，表头相同）。", MaxDataRows, MaxFileBytes>>20),
	"6. 导入后，未通过校验的行会列出行号、列名和原因；其余行正常导入。修改后重新导入即可。",
}

// Template returns the import template: sheet "会员企业" with the header row
// (required columns marked "*", frozen), one example row and drop-downs on the
// enum columns; sheet "可选值" listing every allowed value; and sheet
// "填写说明" explaining each column. The file parses back with ParseFirms into
// exactly one valid row (the example).
func Template() ([]byte, error) {
	sample := sampleFirm()
	domain.NormalizeFirm(sample)
	if err := domain.ValidateFirm(sample).Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", errNoSample, err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetFirms); err != nil {
		return nil, fmt.Errorf("sheets: name sheet: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return nil, fmt.Errorf("sheets: styles: %w", err)
	}
	if err := writeTemplateSheet(f, st, sample); err != nil {
		return nil, fmt.Errorf("sheets: template sheet: %w", err)
	}
	if err := addChoices(f, SheetFirms, MaxDataRows+1, st.header); err != nil {
		return nil, fmt.Errorf("sheets: choices: %w", err)
	}
	if err := writeInstructions(f, st, sample); err != nil {
		return nil, fmt.Errorf("sheets: instructions: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("sheets: write template: %w", err)
	}
	return buf.Bytes(), nil
}

func writeTemplateSheet(f *excelize.File, st styles, sample *domain.Firm) error {
	const sheet = SheetFirms
	for i := range columns {
		c := &columns[i]
		letter := columnName(i)
		if err := f.SetColWidth(sheet, letter, letter, c.width); err != nil {
			return err
		}
		if c.text {
			// Before the cells are written: SetColStyle restyles
			// existing cells of the column too.
			if err := f.SetColStyle(sheet, letter, st.text); err != nil {
				return err
			}
		}
	}
	for i := range columns {
		c := &columns[i]
		head := cellName(i, 1)
		if err := f.SetCellValue(sheet, head, c.displayHeader()); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, head, head, st.forHeader(c)); err != nil {
			return err
		}
		v := c.get(sample, true)
		if v == nil || v == "" {
			continue
		}
		cell := cellName(i, 2)
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if c.text {
			if err := f.SetCellStyle(sheet, cell, cell, st.text); err != nil {
				return err
			}
		}
	}
	if err := f.SetRowHeight(sheet, 1, 30); err != nil {
		return err
	}
	return f.SetPanes(sheet, frozenHeader())
}

func writeInstructions(f *excelize.File, st styles, sample *domain.Firm) error {
	const sheet = SheetInstructions
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(sheet, cell, cell, style)
	}
	if err := set("A1", "会员企业导入填写说明", title); err != nil {
		return err
	}
	row := 3
	for _, note := range generalNotes {
		if err := f.SetCellValue(sheet, cellName(0, row), note); err != nil {
			return err
		}
		row++
	}
	row++
	for i, h := range []string{"列名", "是否必填", "填写要求", "示例"} {
		if err := set(cellName(i, row), h, st.header); err != nil {
			return err
		}
	}
	for i := range columns {
		c := &columns[i]
		row++
		required := "选填"
		if c.required {
			required = "必填"
		}
		example := ""
		switch v := c.get(sample, true).(type) {
		case string:
			example = v
		case float64:
			example = strconv.FormatFloat(v, 'f', -1, 64)
		}
		for j, v := range []string{c.header, required, c.note, example} {
			if err := set(cellName(j, row), v, wrap); err != nil {
				return err
			}
		}
	}
	for col, w := range map[string]float64{"A": 20, "B": 10, "C": 70, "D": 36} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}
