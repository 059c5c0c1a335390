package app

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

var outcomeWritable = []string{
	"kind", "counterpart_name", "counterpart_role", "meeting_id", "value_fen", "occur_time", "platform", "market",
	"description", "verified",
}

var outcomeReadOnly = []string{"event_title", "firm_id", "firm_name", "sample", "create_time", "update_time"}

// outcomeFirm checks that p may record outcomes for firmID at e and returns
// the firm (read with p's rights) and whether p organises e.
func (s *Service) outcomeFirm(ctx context.Context, p auth.Principal, e *eventsv1.Event, firmID string) (*profilesv1.Firm, bool, error) {
	organiser := domain.IsOrganiser(p, e)
	switch {
	case organiser:
	case p.Is(auth.RoleFirmUser):
		if firmID != p.FirmID {
			return nil, false, apperr.PermissionDenied("企业用户只能记录本企业的成果")
		}
	case p.Is(auth.RoleAssociationAdmin):
	default:
		return nil, false, denied()
	}
	f, err := s.profiles.GetFirm(ctx, firmID)
	if err != nil {
		if !organiser && p.Is(auth.RoleAssociationAdmin) {
			return nil, false, apperr.PermissionDenied("只能记录本协会会员企业的成果")
		}
		return nil, false, profileErr(err, "企业", firmID)
	}
	if p.Is(auth.RoleAssociationAdmin) && !organiser && !slices.ContainsFunc(f.GetMemberships(), func(m *profilesv1.Membership) bool {
		return m.GetAssociationId() == p.AssociationID
	}) {
		return nil, false, apperr.PermissionDenied("只能记录本协会会员企业的成果")
	}
	return f, organiser, nil
}

func validateOutcome(o *eventsv1.Outcome, now time.Time) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if !refdata.Defined(o.GetKind()) {
		v.Add("outcome.kind", "请选择成果类型（%s）", refdata.Labels(o.GetKind().Descriptor()))
	}
	if o.GetKind() == eventsv1.OutcomeKind_OUTCOME_KIND_CONTRACT_SIGNED && o.ValueFen == nil {
		v.Add("outcome.value_fen", "签约须填写金额（单位：分）")
	}
	if o.ValueFen != nil && o.GetValueFen() < 0 {
		v.Add("outcome.value_fen", "金额不能为负数")
	}
	if o.GetOccurTime() == nil || !o.GetOccurTime().IsValid() {
		v.Add("outcome.occur_time", "请填写发生日期")
	} else if o.GetOccurTime().AsTime().After(now) {
		v.Add("outcome.occur_time", "发生日期不能晚于今天")
	}
	if o.GetMarket() != "" && !refdata.ValidMarket(o.GetMarket()) {
		v.Add("outcome.market", "市场代码“%s”无效，应为ISO 3166-1两位字母代码", o.GetMarket())
	}
	if n := utf8.RuneCountInString(o.GetDescription()); n > 1000 {
		v.Add("outcome.description", "说明不超过1000个字，当前%d个字", n)
	}
	if n := utf8.RuneCountInString(o.GetCounterpartName()); n > 200 {
		v.Add("outcome.counterpart_name", "对方名称不超过200个字")
	}
	return v
}

// CreateOutcome records an outcome of an event for a firm.
func (s *Service) CreateOutcome(ctx context.Context, eventID string, in *eventsv1.Outcome) (*eventsv1.Outcome, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) && !p.Is(auth.RoleAssociationAdmin) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("outcome", "请提供成果内容")
	}
	o := clone(in)
	o.Id, o.Etag, o.EventTitle, o.FirmName, o.Verified, o.CreateTime, o.UpdateTime = "", "", "", "", false, nil, nil
	o.Sample = in.GetSample() && domain.MayMarkSample(p)
	if o.GetFirmId() == "" && p.Is(auth.RoleFirmUser) {
		o.FirmId = p.FirmID
	}
	v := validateOutcome(o, s.now())
	if o.GetFirmId() == "" {
		v.Add("outcome.firm_id", "请指定企业")
	}
	if v.Err() != nil {
		return nil, v
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	f, _, err := s.outcomeFirm(ctx, p, e, o.GetFirmId())
	if err != nil {
		return nil, err
	}
	if s.now().Before(e.GetStartTime().AsTime()) {
		return nil, apperr.FailedPrecondition("活动尚未开始，还不能记录成果")
	}
	took, err := s.tookPart(ctx, e.GetId(), o.GetFirmId())
	if err != nil {
		return nil, err
	}
	if !took {
		return nil, apperr.FailedPrecondition("企业“%s”未报名也未参加本活动", f.GetName())
	}
	o.EventId, o.EventTitle, o.FirmName = e.GetId(), e.GetTitle(), f.GetName()
	assocs := []string{}
	for _, m := range f.GetMemberships() {
		assocs = append(assocs, m.GetAssociationId())
	}
	out, err := s.st.Outcomes.InsertWith(ctx, "", o, bson.M{
		"event_kind": adapters.EnumName(e.GetKind()), "district": adapters.EnumName(e.GetDistrict()), "assocs": assocs,
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "outcome.create", "outcome", out.GetId(), out.GetEtag(), fmt.Sprintf("%s %s", e.GetId(), o.GetFirmId()))
	return out, nil
}

// tookPart reports whether a firm holds a confirmed registration (or was
// checked in) or is a matchmaking participant of the event.
func (s *Service) tookPart(ctx context.Context, eventID, firmID string) (bool, error) {
	n, err := s.st.Registrations.Count(ctx, adapters.Query{EventID: eventID, Filter: bson.D{
		{Key: adapters.F("firm_id"), Value: firmID},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: adapters.F("status"), Value: adapters.EnumName(domain.RegConfirmed)}},
			bson.D{{Key: adapters.F("checked_in"), Value: true}},
		}},
	}})
	if err != nil || n > 0 {
		return n > 0, err
	}
	n, err = s.st.Participants.Count(ctx, adapters.Query{EventID: eventID, Filter: bson.D{{Key: adapters.F("firm_id"), Value: firmID}}})
	return n > 0, err
}

// OutcomeFilter is ListOutcomes' and ExportOutcomes' filters.
type OutcomeFilter struct {
	EventID       string
	Kind          eventsv1.OutcomeKind
	FirmID        string
	AssociationID string
	EventKind     eventsv1.EventKind
	District      commonv1.District
	OccurAfter    *timestamppb.Timestamp
	OccurBefore   *timestamppb.Timestamp
	Verified      *bool
}

func (f OutcomeFilter) key() string {
	ver := "-"
	if f.Verified != nil {
		ver = fmt.Sprint(*f.Verified)
	}
	return fmt.Sprintf("%s|%v|%s|%s|%v|%v|%v|%v|%s", f.EventID, f.Kind, f.FirmID, f.AssociationID, f.EventKind, f.District, f.OccurAfter.AsTime(), f.OccurBefore.AsTime(), ver)
}

func (s *Service) outcomeQuery(ctx context.Context, p auth.Principal, f OutcomeFilter) (adapters.Query, error) {
	if f.EventID == "" {
		return adapters.Query{}, apperr.Invalid("event_id", "请提供活动id，或用“-”查询全部活动")
	}
	var q bson.D
	organiser := false
	if f.EventID != "-" {
		e, _, err := s.getEvent(ctx, p, f.EventID)
		if err != nil {
			return adapters.Query{}, err
		}
		organiser = domain.IsOrganiser(p, e)
	} else {
		switch {
		case p.Is(auth.RoleBureauAdmin), p.Role == auth.RoleSystem:
			organiser = true
		case p.Is(auth.RoleDistrictOfficer):
			q = append(q, bson.E{Key: adapters.F("district"), Value: adapters.EnumName(p.District)})
			organiser = true
		}
	}
	if !organiser {
		switch {
		case p.Is(auth.RoleFirmUser):
			q = append(q, bson.E{Key: adapters.F("firm_id"), Value: p.FirmID})
		case p.Is(auth.RoleAssociationAdmin):
			q = append(q, bson.E{Key: adapters.F("assocs"), Value: p.AssociationID})
		default:
			q = append(q, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{}}}})
		}
	}
	if f.Kind != 0 {
		q = append(q, bson.E{Key: adapters.F("kind"), Value: adapters.EnumName(f.Kind)})
	}
	if f.FirmID != "" {
		q = append(q, bson.E{Key: adapters.F("firm_id"), Value: f.FirmID})
	}
	if f.AssociationID != "" {
		q = append(q, bson.E{Key: adapters.F("assocs"), Value: f.AssociationID})
	}
	if f.EventKind != 0 {
		q = append(q, bson.E{Key: adapters.F("event_kind"), Value: adapters.EnumName(f.EventKind)})
	}
	if f.District != 0 {
		q = append(q, bson.E{Key: adapters.F("district"), Value: adapters.EnumName(f.District)})
	}
	if f.OccurAfter != nil {
		q = append(q, bson.E{Key: adapters.F("occur"), Value: bson.D{{Key: "$gte", Value: f.OccurAfter.AsTime()}}})
	}
	if f.OccurBefore != nil {
		q = append(q, bson.E{Key: adapters.F("occur"), Value: bson.D{{Key: "$lt", Value: f.OccurBefore.AsTime()}}})
	}
	if f.Verified != nil {
		q = append(q, bson.E{Key: adapters.F("verified"), Value: *f.Verified})
	}
	ev := f.EventID
	if ev == "-" {
		ev = ""
	}
	return adapters.Query{EventID: ev, Filter: q, Sort: bson.D{{Key: adapters.F("occur"), Value: -1}}}, nil
}

// ListOutcomes lists outcomes with totals over all pages.
func (s *Service) ListOutcomes(ctx context.Context, f OutcomeFilter, size int32, token string) ([]*eventsv1.Outcome, string, int, *eventsv1.OutcomeTotals, error) {
	p := auth.FromContext(ctx)
	page, err := paging.Parse(size, token, f.key())
	if err != nil {
		return nil, "", 0, nil, err
	}
	q, err := s.outcomeQuery(ctx, p, f)
	if err != nil {
		return nil, "", 0, nil, err
	}
	all, err := s.st.Outcomes.All(ctx, q)
	if err != nil {
		return nil, "", 0, nil, err
	}
	totals := OutcomeTotals(all)
	total := len(all)
	if page.Offset >= total {
		return nil, "", total, totals, nil
	}
	list := all[page.Offset:min(page.Offset+page.Size, total)]
	return list, page.Next(len(list), total), total, totals, nil
}

// OutcomeTotals sums a list of outcomes.
func OutcomeTotals(list []*eventsv1.Outcome) *eventsv1.OutcomeTotals {
	t := &eventsv1.OutcomeTotals{}
	firms := map[string]bool{}
	for _, o := range list {
		firms[o.GetFirmId()] = true
		switch o.GetKind() {
		case eventsv1.OutcomeKind_OUTCOME_KIND_INTENT:
			t.Intents++
		case eventsv1.OutcomeKind_OUTCOME_KIND_SAMPLE_ORDER:
			t.SampleOrders++
		case eventsv1.OutcomeKind_OUTCOME_KIND_CONTRACT_SIGNED:
			t.ContractsSigned++
			t.ContractValueFen += o.GetValueFen()
		case eventsv1.OutcomeKind_OUTCOME_KIND_FIRST_CROSS_BORDER_ORDER:
			t.FirstCrossBorderOrders++
		}
	}
	t.Firms = int32(len(firms))
	return t
}

// writableOutcome reads an outcome p may change.
func (s *Service) writableOutcome(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Outcome, bool, error) {
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) && !p.Is(auth.RoleAssociationAdmin) {
		return nil, false, denied()
	}
	if id == "" {
		return nil, false, apperr.Invalid("outcome_id", "请提供成果id")
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, false, err
	}
	o, _, err := s.st.Outcomes.Get(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if o.GetEventId() != e.GetId() {
		return nil, false, apperr.NotFound("成果记录%s不存在", id)
	}
	_, organiser, err := s.outcomeFirm(ctx, p, e, o.GetFirmId())
	if err != nil {
		if apperr.IsKind(err, apperr.KindPermissionDenied) {
			return nil, false, apperr.NotFound("成果记录%s不存在", id)
		}
		return nil, false, err
	}
	return o, organiser, nil
}

// UpdateOutcome changes an outcome.
func (s *Service) UpdateOutcome(ctx context.Context, in *eventsv1.Outcome, paths []string) (*eventsv1.Outcome, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("outcome", "请提供成果内容")
	}
	version, paths, err := updateMask("outcome", in.GetId(), in.GetEtag(), paths, outcomeWritable, outcomeReadOnly)
	if err != nil {
		return nil, err
	}
	_, organiser, err := s.writableOutcome(ctx, p, in.GetEventId(), in.GetId())
	if err != nil {
		return nil, err
	}
	if slices.Contains(paths, "verified") && !organiser {
		return nil, apperr.PermissionDenied("只有主办方可以核实成果")
	}
	out, err := s.st.Outcomes.Update(ctx, in.GetId(), version, func(o *eventsv1.Outcome) error {
		if o.GetVerified() && !organiser {
			return apperr.FailedPrecondition("成果已核实，不能再修改")
		}
		fieldmask.Apply(o, in, paths)
		if v := validateOutcome(o, s.now()); v.Err() != nil {
			return v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "outcome.update", "outcome", out.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return out, nil
}

// DeleteOutcome soft-deletes an outcome.
func (s *Service) DeleteOutcome(ctx context.Context, eventID, id, etagText string) error {
	p := auth.FromContext(ctx)
	version, err := versionOf(etagText)
	if err != nil {
		return err
	}
	if version == 0 {
		return apperr.Invalid("etag", "请提供读取时返回的etag，以免覆盖他人的修改")
	}
	_, organiser, err := s.writableOutcome(ctx, p, eventID, id)
	if err != nil {
		return err
	}
	if err := s.st.Outcomes.Delete(ctx, id, version, func(o *eventsv1.Outcome) error {
		if o.GetVerified() && !organiser {
			return apperr.FailedPrecondition("成果已核实，只有主办方可以删除")
		}
		return nil
	}); err != nil {
		return err
	}
	s.record(ctx, "outcome.delete", "outcome", id, etagText, "")
	return nil
}
