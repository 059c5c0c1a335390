package app

import (
	"bytes"
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// maxExportRows bounds an export; narrower filters are needed beyond it.
const maxExportRows = 50_000

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheet is one worksheet to write: a header row and data rows.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// workbook writes sheets into an .xlsx file with a bold, frozen header.
func workbook(sheets ...sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return nil, err
		}
		sw, err := f.NewStreamWriter(sh.name)
		if err != nil {
			return nil, err
		}
		if err := sw.SetColWidth(1, max(len(sh.header), 1), 18); err != nil {
			return nil, err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		head := make([]any, len(sh.header))
		for j, h := range sh.header {
			head[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, err
		}
		for r, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func file(name string, content []byte) *commonv1.File {
	return &commonv1.File{Name: name, ContentType: xlsxType, Content: content}
}

// ExportRegistrations exports registrations with ListRegistrations'
// visibility.
func (s *Service) ExportRegistrations(ctx context.Context, f RegistrationFilter, reveal bool) (*commonv1.File, error) {
	p := auth.FromContext(ctx)
	if f.EventID == "" {
		return nil, apperr.Invalid("event_id", "请提供活动id，或用“-”导出全部活动")
	}
	if p.Anonymous() {
		return nil, denied()
	}
	q, err := s.registrationQuery(ctx, p, f)
	if err != nil {
		return nil, err
	}
	if reveal {
		organiser := domain.MayOrganise(p)
		if f.EventID != "-" && organiser {
			e, _, _ := s.st.Events.Get(ctx, f.EventID)
			organiser = e != nil && domain.IsOrganiser(p, e)
		}
		if !organiser {
			return nil, apperr.PermissionDenied("只有主办方可以导出完整联系方式")
		}
	}
	n, err := s.st.Registrations.Count(ctx, q)
	if err != nil {
		return nil, err
	}
	if n > maxExportRows {
		return nil, apperr.ResourceExhausted("符合条件的报名有%d条，超过单次导出上限%d条，请缩小筛选范围", n, maxExportRows)
	}
	list, err := s.st.Registrations.All(ctx, q)
	if err != nil {
		return nil, err
	}
	titles := s.eventTitles(ctx, list)
	sh := sheet{name: "报名名单", header: []string{"活动", "报名编号", "单位", "单位类型", "推荐协会", "参会人", "职务", "电话", "邮箱", "来源", "状态", "签到码", "签到时间", "备注", "报名时间"}}
	for _, r := range list {
		phone, email := contactOf(r.GetAttendee(), reveal)
		kind := "企业"
		if r.GetAssociationId() != "" {
			kind = "社会组织"
		}
		code := r.GetCheckInCode()
		sh.rows = append(sh.rows, []any{
			titles[r.GetEventId()], r.GetId(), r.GetPartyName(), kind, r.GetNominatingAssociationId(), r.GetAttendee().GetName(),
			r.GetAttendee().GetTitle(), phone, email, refdata.Label(r.GetSource()), refdata.Label(r.GetStatus()), code,
			timeCell(r.GetCheckInTime()), r.GetNote(), timeCell(r.GetCreateTime()),
		})
	}
	content, err := workbook(sh)
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%d条", len(list))
	if reveal {
		detail += "，含完整联系方式"
	}
	s.record(ctx, "registration.export", "event", f.EventID, "", detail)
	return file("报名名单.xlsx", content), nil
}

func timeCell(t *timestamppb.Timestamp) string {
	if t == nil || !t.IsValid() {
		return ""
	}
	return fmtTime(t.AsTime())
}

func labelOrEmpty(e protoreflect.Enum) string {
	if e.Number() == 0 {
		return ""
	}
	return refdata.Label(e)
}

func bsonStatus(st eventsv1.RegistrationStatus) bson.D {
	return bson.D{{Key: adapters.F("status"), Value: adapters.EnumName(st)}}
}

func (s *Service) eventTitles(ctx context.Context, list []*eventsv1.Registration) map[string]string {
	out := map[string]string{}
	for _, r := range list {
		if _, ok := out[r.GetEventId()]; ok {
			continue
		}
		if e, _, err := s.st.Events.Get(ctx, r.GetEventId()); err == nil {
			out[r.GetEventId()] = e.GetTitle()
		} else {
			out[r.GetEventId()] = r.GetEventId()
		}
	}
	return out
}

// ExportAttendance exports one row per confirmed registration with its
// check-in and one column per session.
func (s *Service) ExportAttendance(ctx context.Context, eventID string) (*commonv1.File, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	e, _, err := s.organisedEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	list, err := s.st.Registrations.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bsonStatus(domain.RegConfirmed)})
	if err != nil {
		return nil, err
	}
	sh := sheet{name: "出勤", header: []string{"报名编号", "单位", "参会人", "签到时间"}}
	for _, ses := range e.GetSessions() {
		sh.header = append(sh.header, ses.GetTitle())
	}
	sh.header = append(sh.header, "出勤课时", "证书编号")
	for _, r := range list {
		row := []any{r.GetId(), r.GetPartyName(), r.GetAttendee().GetName(), timeCell(r.GetCheckInTime())}
		attended := 0
		for _, ses := range e.GetSessions() {
			mark := ""
			for _, a := range r.GetAttendance() {
				if a.GetSessionId() == ses.GetId() {
					mark = "√"
					attended++
				}
			}
			row = append(row, mark)
		}
		row = append(row, attended, r.GetCertificateId())
		sh.rows = append(sh.rows, row)
	}
	content, err := workbook(sh)
	if err != nil {
		return nil, err
	}
	s.record(ctx, "attendance.export", "event", e.GetId(), "", fmt.Sprintf("%d条", len(list)))
	return file("出勤表.xlsx", content), nil
}

// ExportOutcomes exports outcomes with ListOutcomes' filters and visibility.
func (s *Service) ExportOutcomes(ctx context.Context, f OutcomeFilter) (*commonv1.File, error) {
	p := auth.FromContext(ctx)
	if p.Anonymous() {
		return nil, denied()
	}
	q, err := s.outcomeQuery(ctx, p, f)
	if err != nil {
		return nil, err
	}
	n, err := s.st.Outcomes.Count(ctx, q)
	if err != nil {
		return nil, err
	}
	if n > maxExportRows {
		return nil, apperr.ResourceExhausted("符合条件的成果有%d条，超过单次导出上限%d条，请缩小筛选范围", n, maxExportRows)
	}
	list, err := s.st.Outcomes.All(ctx, q)
	if err != nil {
		return nil, err
	}
	sh := sheet{name: "成果台账", header: []string{"活动", "企业", "成果类型", "对方", "对方类型", "金额（元）", "发生日期", "平台", "市场", "说明", "已核实"}}
	for _, o := range list {
		var yuan any = ""
		if o.ValueFen != nil {
			yuan = float64(o.GetValueFen()) / 100
		}
		verified := "否"
		if o.GetVerified() {
			verified = "是"
		}
		sh.rows = append(sh.rows, []any{
			o.GetEventTitle(), o.GetFirmName(), refdata.Label(o.GetKind()), o.GetCounterpartName(), labelOrEmpty(o.GetCounterpartRole()),
			yuan, timeCell(o.GetOccurTime()), labelOrEmpty(o.GetPlatform()), o.GetMarket(), o.GetDescription(), verified,
		})
	}
	t := OutcomeTotals(list)
	sh2 := sheet{name: "汇总", header: []string{"合作意向", "样品订单", "签约", "签约金额（元）", "跨境首单", "企业数"}, rows: [][]any{{
		t.GetIntents(), t.GetSampleOrders(), t.GetContractsSigned(), float64(t.GetContractValueFen()) / 100, t.GetFirstCrossBorderOrders(), t.GetFirms(),
	}}}
	content, err := workbook(sh, sh2)
	if err != nil {
		return nil, err
	}
	s.record(ctx, "outcome.export", "event", f.EventID, "", fmt.Sprintf("%d条", len(list)))
	return file("成果台账.xlsx", content), nil
}
