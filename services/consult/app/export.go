package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/consult/adapters"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// MaxExportRows bounds an export; more is RESOURCE_EXHAUSTED.
const MaxExportRows = 50_000

// Export sheet names.
const (
	SheetSessions = "咨询明细"
	SheetSummary  = "状态汇总"
)

// XLSXContentType is the media type of the exports.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ExportConsultations exports consultations to .xlsx, one row per session
// (one for a consultation without sessions) and a summary by status. Scope is
// forced by role: officers their district, association admins their members,
// experts their cases; firm users may not export.
func (s *Service) ExportConsultations(ctx context.Context, req *consultv1.ExportConsultationsRequest) (*commonv1.File, error) {
	p, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	f := adapters.ConsultationFilter{
		Scope: domain.ScopeFor(p), ExpertID: req.GetExpertId(), District: req.GetDistrict(), AssociationID: req.GetAssociationId(),
		Statuses: req.GetStatuses(),
	}
	switch {
	case p.Is(auth.RoleFirmUser):
		return nil, denied("导出咨询台账")
	case p.Is(auth.RoleDistrictOfficer):
		f.District = p.District
	case p.Is(auth.RoleAssociationAdmin):
		f.AssociationID = p.AssociationID
	case p.Is(auth.RoleExpert):
		f.ExpertID = p.ExpertID
	}
	if req.GetCreateAfter() != nil {
		f.CreateAfter = req.GetCreateAfter().AsTime()
	}
	if req.GetCreateBefore() != nil {
		f.CreateBefore = req.GetCreateBefore().AsTime()
	}
	if f.Scope.Empty() {
		return nil, denied("导出咨询台账")
	}
	list, err := s.st.Consultations.All(ctx, f, MaxExportRows)
	if err != nil {
		return nil, err
	}
	rows := 0
	for _, c := range list {
		rows += max(1, len(c.GetSessions()))
	}
	if rows > MaxExportRows {
		return nil, apperr.ResourceExhausted("导出超过%d行，请缩小筛选范围（专家、区县、协会、状态或申请时间）", MaxExportRows)
	}
	withNotes := !p.Is(auth.RoleAssociationAdmin)
	notes := map[string][]*consultv1.CaseNote{}
	if withNotes {
		cids := make([]string, len(list))
		for i, c := range list {
			cids[i] = c.GetId()
		}
		all, err := s.st.Notes.ForConsultations(ctx, cids)
		if err != nil {
			return nil, err
		}
		for _, n := range all {
			notes[n.GetSessionId()] = append(notes[n.GetSessionId()], n)
		}
	}
	content, err := buildWorkbook(list, notes, withNotes)
	if err != nil {
		return nil, err
	}
	name := "咨询台账"
	switch {
	case f.ExpertID != "":
		name += "-专家" + f.ExpertID
	case f.District != 0:
		name += "-" + refdata.Label(f.District)
	case f.AssociationID != "":
		name += "-协会" + f.AssociationID
	}
	s.record(ctx, p, "consultation.export", "consultation", "", "", fmt.Sprintf("%d consultations, %d rows, filter %+v", len(list), rows, req), nil)
	return &commonv1.File{Name: name + "-" + s.now().In(domain.CST).Format("20060102") + ".xlsx", ContentType: XLSXContentType, Content: content}, nil
}

// ExportHeaders are the columns of the sessions sheet; the advice columns
// come last and only for callers who may read case notes.
var (
	ExportHeaders = []string{"咨询编号", "企业", "区县", "行业", "代为申请协会", "主题", "咨询领域", "阶段", "状态", "当前专家",
		"场次", "场次专家", "方式", "地点", "开始时间", "场次状态", "缺席方", "评分", "联系人", "联系电话", "申请时间", "示例数据"}
	AdviceHeaders = []string{"咨询记录", "建议", "回访日期", "推荐政策", "推荐培训"}
)

func buildWorkbook(list []*consultv1.Consultation, notes map[string][]*consultv1.CaseNote, withNotes bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSessions); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetSessions)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	headers := ExportHeaders
	if withNotes {
		headers = append(append([]string{}, ExportHeaders...), AdviceHeaders...)
	}
	row := func(n int, vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, vals)
	}
	hv := make([]any, len(headers))
	for i, h := range headers {
		hv[i] = h
	}
	if err := row(1, hv); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	counts := map[consultv1.ConsultationStatus]int{}
	n := 2
	for _, c := range list {
		counts[c.GetStatus()]++
		needs := make([]string, len(c.GetNeeds()))
		for i, t := range c.GetNeeds() {
			needs[i] = refdata.Label(t)
		}
		base := []any{c.GetId(), c.GetFirm().GetName(), refdata.Label(c.GetFirm().GetDistrict()), refdata.Label(c.GetFirm().GetIndustry()),
			c.GetFiledByAssociationId(), c.GetSubject(), strings.Join(needs, "、"), refdata.Label(c.GetStage()), refdata.Label(c.GetStatus()), c.GetExpertName()}
		tail := []any{c.GetContact().GetName(), contact.MaskPhone(c.GetContact().GetPhone()), c.GetCreateTime().AsTime().In(domain.CST).Format("2006-01-02 15:04"), yesNo(c.GetSample())}
		sessions := c.GetSessions()
		if len(sessions) == 0 {
			vals := append(append(append([]any{}, base...), "", "", "", "", "", "", "", ""), tail...)
			if err := row(n, vals); err != nil {
				return nil, fmt.Errorf("export: %w", err)
			}
			n++
			continue
		}
		for i, sess := range sessions {
			place := sess.GetVenue().GetPark()
			if sess.GetMode() == consultv1.SessionMode_SESSION_MODE_ONLINE {
				place = "线上"
			}
			absent, rating := "", ""
			if sess.GetAbsentParty() != 0 {
				absent = refdata.Label(sess.GetAbsentParty())
			}
			if r := sess.GetRating(); r != nil {
				rating = fmt.Sprintf("%d", r.GetScore())
			}
			vals := append(append([]any{}, base...), fmt.Sprintf("第%d场", i+1), sess.GetExpertName(), refdata.Label(sess.GetMode()), place,
				sess.GetStartTime().AsTime().In(domain.CST).Format("2006-01-02 15:04"), refdata.Label(sess.GetStatus()), absent, rating)
			vals = append(vals, tail...)
			if withNotes {
				var sum, adv, follow, pol, tr []string
				for _, note := range notes[sess.GetId()] {
					sum = append(sum, note.GetSummary())
					if note.GetAdvice() != "" {
						adv = append(adv, note.GetAdvice())
					}
					if note.GetFollowUpTime() != nil {
						follow = append(follow, note.GetFollowUpTime().AsTime().In(domain.CST).Format("2006-01-02"))
					}
					pol = append(pol, note.GetPolicyIds()...)
					tr = append(tr, note.GetTrainingEventIds()...)
				}
				vals = append(vals, strings.Join(sum, "\n"), strings.Join(adv, "\n"), strings.Join(follow, "、"), strings.Join(pol, "、"), strings.Join(tr, "、"))
			}
			if err := row(n, vals); err != nil {
				return nil, fmt.Errorf("export: %w", err)
			}
			n++
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if _, err := f.NewSheet(SheetSummary); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	_ = f.SetSheetRow(SheetSummary, "A1", &[]any{"状态", "咨询数"})
	r := 2
	for _, st := range domain.Statuses {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		_ = f.SetSheetRow(SheetSummary, cell, &[]any{refdata.Label(st), counts[st]})
		r++
	}
	cell, _ := excelize.CoordinatesToCellName(1, r)
	_ = f.SetSheetRow(SheetSummary, cell, &[]any{"合计", len(list)})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return ""
}
