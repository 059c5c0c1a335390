package sheets

import (
	"strings"
	"testing"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

func FuzzParseFirms(f *testing.F) {
	h := templateHeaders()
	valid := csvBytes(f, table(h, validRecord(f, 1), validRecord(f, 2)))
	bad := csvBytes(f, table(h, validRecord(f, 3).with(ColDistrict, "萧山", ColExportValue, "-1,2"), validRecord(f, 3)))
	for _, seed := range [][]byte{
		valid,
		bad,
		gb18030(f, valid),
		append([]byte("\xEF\xBB\xBF"), valid...),
		utf16LE(strings.Join(h, "\t") + "\r\n"),
		csvBytes(f, [][]string{h}),
		csvBytes(f, [][]string{{"统一社会信用代码", "企业名称"}, {"91330100799655058B", "x"}}),
		[]byte(strings.Join(h, ",") + "\n\"unterminated,\"\"quote\n,,,\n"),
		[]byte("统一社会信用代码,企业名称,所在区县,所属行业,HS编码,销售平台\n91330100799655058B,杭州某某有限公司,西湖区,丝绸,\"620442、 62O442\",TikTok Shop Shop\n"),
		[]byte("统一社会信用代码;企业名称;所在区县;所属行业\n91330100799655058B;杭州某某有限公司;西湖区;丝绸\n"),
		[]byte("a,b\n\x00\x01"),
		[]byte("\xff\xfe\xfd"),
		[]byte(""),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseFirms(data)
		if err != nil {
			v, ok := apperr.AsValidation(err)
			if !ok || len(v.Violations) != 1 || v.Violations[0].Field != "content" || v.Violations[0].Description == "" {
				t.Fatalf("file-level error %#v is not a validation error on content", err)
			}
			if res != nil {
				t.Fatal("result returned with an error")
			}
			return
		}
		prev := 0
		for _, r := range res.Rows {
			if r.Number <= prev {
				t.Fatalf("row number %d after %d", r.Number, prev)
			}
			prev = r.Number
			if r.Firm == nil {
				t.Fatalf("row %d has no firm", r.Number)
			}
			if r.Valid() {
				if err := domain.ValidateFirm(r.Firm).Err(); err != nil {
					t.Fatalf("row %d has no errors but its firm fails validation: %v", r.Number, err)
				}
				continue
			}
			for _, e := range r.Errors {
				if e.Column == "" || e.Description == "" {
					t.Fatalf("row %d: empty error %+v", r.Number, e)
				}
			}
		}
	})
}

func BenchmarkParseFirms10k(b *testing.B) {
	content, _ := tenThousandRows(b)
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := ParseFirms(content)
		if err != nil || len(res.Rows) != 10_000 {
			b.Fatalf("ParseFirms: %v", err)
		}
	}
}
