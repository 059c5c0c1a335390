package main

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// Column headers, as the import reads them.
const (
	colUSCC          = sheets.ColUSCC
	colName          = sheets.ColName
	colNameEN        = sheets.ColNameEN
	colDistrict      = sheets.ColDistrict
	colIndustry      = sheets.ColIndustry
	colMainProducts  = sheets.ColMainProducts
	colHSCodes       = sheets.ColHSCodes
	colRevenueBand   = sheets.ColRevenueBand
	colExportValue   = sheets.ColExportValue
	colEmployeesBand = sheets.ColEmployeesBand
	colStage         = sheets.ColStage
	colPlatforms     = sheets.ColPlatforms
	colTargetMarkets = sheets.ColTargetMarkets
	colNeeds         = sheets.ColNeeds
	colContactName   = sheets.ColContactName
	colContactTitle  = sheets.ColContactTitle
	colContactPhone  = sheets.ColContactPhone
	colContactEmail  = sheets.ColContactEmail
	colAddress       = sheets.ColAddress
	colWebsite       = sheets.ColWebsite
)

// badKind is one way a planted row is wrong. Each bad row breaks exactly one
// rule, in exactly one column.
type badKind int

const (
	badCheckChar badKind = iota // USCC with a wrong check character
	badHSCode                   // an HS code of five digits
	badDistrict                 // a district label the import does not know
	badDuplicate                // a USCC that an earlier row of the file has
	badPhone                    // a malformed phone number
	numBadKinds
)

func (k badKind) String() string {
	return [...]string{"USCC check character", "5-digit HS code", "unknown district", "duplicate USCC in file", "malformed phone"}[k]
}

// column is the header the import must blame for a row of this kind.
func (k badKind) column() string {
	return [...]string{colUSCC, colHSCodes, colDistrict, colUSCC, colContactPhone}[k]
}

// plantedRow is a bad row the workbook holds on purpose.
type plantedRow struct {
	Row  int // as Excel shows it; the header is row 1
	Kind badKind
	// Value is the offending cell as written.
	Value string
}

// workbook is the generated import file and what it should produce.
type workbook struct {
	Content []byte
	Rows    int
	// Bad lists the planted bad rows in row order.
	Bad []plantedRow
	// USCCs maps each valid row's number to its USCC.
	USCCs map[int]string
}

// Valid is the number of rows the import should save.
func (w *workbook) Valid() int { return w.Rows - len(w.Bad) }

// badCount is how many of rows are planted bad at share: rounded, and at
// least one of each kind when the share is positive and the file can hold it.
func badCount(rows int, share float64) int {
	if share <= 0 || rows < 2 {
		return 0
	}
	n := int(math.Round(float64(rows) * share))
	n = max(n, min(int(numBadKinds), rows-1))
	return min(n, rows-1) // row 2 always stays valid: duplicates need an original
}

// buildWorkbook generates rows firms, plants round(rows×badShare) bad rows
// at random positions (cycling through the kinds), and writes the .xlsx the
// way an association fills in the template: the template's header row, text
// cells for codes and phones, the export value as a number.
func buildWorkbook(rows int, badShare float64, seed uint64) (*workbook, error) {
	g := newFirmGen(seed)
	firms := make([]*firmCells, rows)
	for i := range firms {
		firms[i] = g.newFirm()
	}

	// Choose the bad rows among indexes 1..rows-1; index 0 stays valid so
	// every duplicate has an earlier original.
	nBad := badCount(rows, badShare)
	perm := g.r.Perm(rows - 1)[:nBad]
	sort.Ints(perm)
	kinds := make([]badKind, nBad)
	for i := range kinds {
		kinds[i] = badKind(i % int(numBadKinds))
	}
	g.r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })

	isBad := make([]bool, rows)
	for _, p := range perm {
		isBad[p+1] = true
	}
	wb := &workbook{Rows: rows, USCCs: map[int]string{}}
	for n, p := range perm {
		i := p + 1
		kind := kinds[n]
		f := firms[i]
		var value string
		switch kind {
		case badCheckChar:
			code := f.text[colUSCC]
			last := strings.IndexByte(orgAlphabet, code[17])
			wrong := orgAlphabet[(last+1+g.r.IntN(len(orgAlphabet)-1))%len(orgAlphabet)]
			value = code[:17] + string(wrong)
			f.text[colUSCC] = value
		case badHSCode:
			// A six-digit code that lost its last digit.
			value = pick(g.r, []string{"62044", "85176", "94044", "09021", "87083", "96081"})
			if hs := f.text[colHSCodes]; hs != "" {
				value = strings.ReplaceAll(strings.Split(hs, "、")[0], ".", "")[:5]
				f.text[colHSCodes] = hs + "、" + value
			} else {
				f.text[colHSCodes] = value
			}
		case badDistrict:
			value = pick(g.r, badDistrictLabels)
			f.text[colDistrict] = value
		case badDuplicate:
			// The same firm entered twice: an earlier valid row's USCC,
			// with slightly different details.
			var orig int
			for {
				orig = g.r.IntN(i)
				if !isBad[orig] {
					break
				}
			}
			dup := firms[orig].clone()
			dup.text[colMainProducts] += "、配件"
			value = dup.text[colUSCC]
			firms[i] = dup
		case badPhone:
			value = pick(g.r, []string{
				fmt.Sprintf("138000%04d", g.r.IntN(10_000)),    // ten digits
				fmt.Sprintf("138-0000-%04d", g.r.IntN(10_000)), // a mobile in landline dashes
				fmt.Sprintf("0571-87%04d", g.r.IntN(10_000)),   // six-digit number
				fmt.Sprintf("1280000%04d", g.r.IntN(10_000)),   // no such mobile prefix
			})
			if f.text[colContactName] == "" {
				f.text[colContactName] = pick(g.r, surnames) + pick(g.r, givenNames)
			}
			f.text[colContactPhone] = value
		}
		wb.Bad = append(wb.Bad, plantedRow{Row: i + 2, Kind: kind, Value: value})
	}
	for i, f := range firms {
		if !isBad[i] {
			wb.USCCs[i+2] = f.text[colUSCC]
		}
	}

	content, err := writeXLSX(firms)
	if err != nil {
		return nil, err
	}
	wb.Content = content
	return wb, nil
}

// writeXLSX writes the firms under the template's header row.
func writeXLSX(firms []*firmCells) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheets.SheetFirms); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, fmt.Errorf("workbook: style: %w", err)
	}
	sw, err := f.NewStreamWriter(sheets.SheetFirms)
	if err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	headers := sheets.Headers()
	keys := make([]string, len(headers))
	header := make([]any, len(headers))
	for i, h := range headers {
		keys[i] = strings.TrimSuffix(h, "*")
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, fmt.Errorf("workbook: header: %w", err)
	}
	row := make([]any, len(headers))
	for n, firm := range firms {
		for i, k := range keys {
			row[i] = nil
			if k == colExportValue {
				if firm.exportWan != nil {
					row[i] = *firm.exportWan
				}
				continue
			}
			if v := firm.text[k]; v != "" {
				row[i] = excelize.Cell{StyleID: text, Value: v}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, fmt.Errorf("workbook: row %d: %w", n+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("workbook: flush: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("workbook: write: %w", err)
	}
	return buf.Bytes(), nil
}

// plantedKinds counts the planted rows by kind, in kind order.
func plantedKinds(bad []plantedRow) string {
	counts := make([]int, numBadKinds)
	for _, b := range bad {
		counts[b.Kind]++
	}
	parts := make([]string, 0, numBadKinds)
	for k := range numBadKinds {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}
