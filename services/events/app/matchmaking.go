package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

const (
	reqPending   = eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_PENDING
	reqAccepted  = eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_ACCEPTED
	reqDeclined  = eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_DECLINED
	reqExpired   = eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_EXPIRED
	reqCancelled = eventsv1.MeetingRequestStatus_MEETING_REQUEST_STATUS_CANCELLED

	roleFirm = eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM
)

// matchmakingEvent reads a readable MATCHMAKING event (FAILED_PRECONDITION for
// another kind) and its settings, and says whether p organises it.
func (s *Service) matchmakingEvent(ctx context.Context, p auth.Principal, eventID string) (*eventsv1.Event, *eventsv1.MatchmakingSettings, bool, error) {
	if p.Anonymous() {
		return nil, nil, false, apperr.Unauthenticated("请先登录")
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, nil, false, err
	}
	if e.GetKind() != eventsv1.EventKind_EVENT_KIND_MATCHMAKING {
		return nil, nil, false, apperr.FailedPrecondition("活动“%s”不是资源对接会，没有1对1会谈", e.GetTitle())
	}
	set, _, err := s.st.Settings.Get(ctx, e.GetId())
	if apperr.IsKind(err, apperr.KindNotFound) {
		set, err = s.st.Settings.Insert(ctx, e.GetId(), s.defaultSettings(e.GetId(), e.GetSample()))
	}
	if err != nil {
		return nil, nil, false, err
	}
	set.MaxMeetings = int32(s.maxMeetings)
	return e, set, domain.IsOrganiser(p, e), nil
}

// ownParticipant returns the participant p's firm acts for at the event, or
// nil.
func (s *Service) ownParticipant(ctx context.Context, p auth.Principal, eventID string) (*eventsv1.Participant, error) {
	if !p.Is(auth.RoleFirmUser) {
		return nil, nil
	}
	list, err := s.st.Participants.All(ctx, adapters.Query{EventID: eventID, Filter: bson.D{{Key: adapters.F("firm_id"), Value: p.FirmID}}})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// actsFor reports whether p acts for participant pt.
func actsFor(p auth.Principal, pt *eventsv1.Participant) bool {
	return p.Is(auth.RoleFirmUser) && pt.GetFirmId() != "" && pt.GetFirmId() == p.FirmID
}

// GetMatchmakingSettings returns the event's settings.
func (s *Service) GetMatchmakingSettings(ctx context.Context, eventID string) (*eventsv1.MatchmakingSettings, error) {
	p := auth.FromContext(ctx)
	_, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	if !organiser {
		own, err := s.ownParticipant(ctx, p, eventID)
		if err != nil {
			return nil, err
		}
		if own == nil {
			return nil, apperr.PermissionDenied("只有主办方和对接会参会方可以查看对接设置")
		}
	}
	return set, nil
}

var settingsWritable = []string{"slots", "tables", "rules", "request_ttl", "request_open_time", "request_close_time", "max_requests_per_participant"}

// UpdateMatchmakingSettings changes the settings.
func (s *Service) UpdateMatchmakingSettings(ctx context.Context, in *eventsv1.MatchmakingSettings, paths []string) (*eventsv1.MatchmakingSettings, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("settings", "请提供对接会设置")
	}
	paths = fieldmask.TopLevel(slices.DeleteFunc(slices.Clone(paths), func(x string) bool { return x == "event_id" }))
	version, paths, err := updateMask("settings", in.GetEventId(), in.GetEtag(), paths, settingsWritable, []string{"max_meetings", "create_time", "update_time"})
	if err != nil {
		if v, ok := apperr.AsValidation(err); ok {
			for i := range v.Violations {
				if v.Violations[i].Field == "settings.id" {
					v.Violations[i].Field = "settings.event_id"
				}
			}
		}
		return nil, err
	}
	e, _, organiser, err := s.matchmakingEvent(ctx, p, in.GetEventId())
	if err != nil {
		return nil, err
	}
	if !organiser {
		return nil, apperr.PermissionDenied("只有活动的主办方可以修改对接设置")
	}
	sched, _, err := s.storedSchedule(ctx, e.GetId())
	if err != nil {
		return nil, err
	}
	out, err := s.st.Settings.Update(ctx, e.GetId(), version, func(set *eventsv1.MatchmakingSettings) error {
		fieldmask.Apply(set, in, paths)
		for _, sl := range set.GetSlots() {
			if sl.GetId() == "" {
				sl.Id = ids.New()
			}
		}
		for _, tb := range set.GetTables() {
			if tb.GetId() == "" {
				tb.Id = ids.New()
			}
		}
		if v := validateSettings(e, set); v.Err() != nil {
			return v
		}
		for _, m := range sched.GetMeetings() {
			if m.GetSlotId() == "" {
				continue
			}
			if !slices.ContainsFunc(set.GetSlots(), func(x *eventsv1.Slot) bool { return x.GetId() == m.GetSlotId() }) ||
				!slices.ContainsFunc(set.GetTables(), func(x *eventsv1.Table) bool { return x.GetId() == m.GetTableId() }) {
				return apperr.FailedPrecondition("会谈%s排在要删除的时段或桌位上，请先移动或移出该会谈", m.GetId())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.MaxMeetings = int32(s.maxMeetings)
	s.record(ctx, "matchmaking.settings", "event", e.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return out, nil
}

func validateSettings(e *eventsv1.Event, set *eventsv1.MatchmakingSettings) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if len(set.GetSlots()) > 48 {
		v.Add("settings.slots", "时段最多48个，当前%d个", len(set.GetSlots()))
	}
	var prev time.Time
	for i, sl := range set.GetSlots() {
		f := fmt.Sprintf("settings.slots[%d]", i)
		if sl.GetStartTime() == nil || sl.GetEndTime() == nil || !sl.GetEndTime().AsTime().After(sl.GetStartTime().AsTime()) {
			v.Add(f+".end_time", "请填写开始和结束时间，结束须晚于开始")
			continue
		}
		if sl.GetStartTime().AsTime().Before(e.GetStartTime().AsTime()) || sl.GetEndTime().AsTime().After(e.GetEndTime().AsTime()) {
			v.Add(f+".start_time", "时段须在活动起止时间之内")
		}
		if sl.GetStartTime().AsTime().Before(prev) {
			v.Add(f+".start_time", "时段须按时间顺序排列且互不重叠")
		}
		prev = sl.GetEndTime().AsTime()
	}
	if len(set.GetTables()) > 2000 {
		v.Add("settings.tables", "桌位最多2000个，当前%d个", len(set.GetTables()))
	}
	names := map[string]bool{}
	hosts := map[string]bool{}
	for i, tb := range set.GetTables() {
		f := fmt.Sprintf("settings.tables[%d]", i)
		if tb.GetName() == "" || names[tb.GetName()] {
			v.Add(f+".name", "请填写桌位名称，且不能重复")
		}
		names[tb.GetName()] = true
		if tb.GetCapacity() < 0 || tb.GetCapacity() > 50 {
			v.Add(f+".capacity", "桌位容量须在1至50之间（0表示1）")
		}
		if h := tb.GetHostParticipantId(); h != "" {
			if hosts[h] {
				v.Add(f+".host_participant_id", "一个参会方只能固定一个桌位")
			}
			hosts[h] = true
		}
	}
	for i, r := range set.GetRules() {
		if !refdata.Defined(r.GetRequesterRole()) || !refdata.Defined(r.GetRecipientRole()) {
			v.Add(fmt.Sprintf("settings.rules[%d]", i), "请选择发起方和接收方角色")
		}
	}
	if ttl := set.GetRequestTtl(); ttl != nil && (ttl.AsDuration() < time.Hour || ttl.AsDuration() > 30*24*time.Hour) {
		v.Add("settings.request_ttl", "请求有效期须在1小时至30天之间")
	}
	if set.GetMaxRequestsPerParticipant() < 0 {
		v.Add("settings.max_requests_per_participant", "不能为负数（0表示不限）")
	}
	return v
}

// CreateParticipant adds a participant.
func (s *Service) CreateParticipant(ctx context.Context, eventID string, in *eventsv1.Participant) (*eventsv1.Participant, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("participant", "请提供参会方信息")
	}
	pt := clone(in)
	pt.Id, pt.Etag, pt.RegistrationId, pt.CreateTime, pt.UpdateTime = "", "", "", nil, nil
	pt.RequestsSent, pt.RequestsReceived, pt.MeetingsAccepted, pt.MeetingsPlaced = 0, 0, 0, 0
	pt.Sample = in.GetSample() && domain.MayMarkSample(p)
	if p.Is(auth.RoleFirmUser) {
		if pt.GetFirmId() == "" {
			pt.FirmId = p.FirmID
		}
		if pt.GetRole() == 0 {
			pt.Role = roleFirm
		}
		if pt.GetFirmId() != p.FirmID || pt.GetRole() != roleFirm {
			return nil, apperr.PermissionDenied("企业用户只能以企业身份登记本企业")
		}
	}
	v := &apperr.ValidationError{}
	if !refdata.Defined(pt.GetRole()) {
		v.Add("participant.role", "请选择参会角色（%s）", refdata.Labels(pt.GetRole().Descriptor()))
	}
	if pt.GetRole() == roleFirm && pt.GetFirmId() == "" {
		v.Add("participant.firm_id", "企业参会方须指定企业")
	}
	if pt.GetFirmId() == "" && pt.GetDisplayName() == "" {
		v.Add("participant.display_name", "请填写参会方名称")
	}
	if n := utf8.RuneCountInString(pt.GetProfileLine()); n > 100 {
		v.Add("participant.profile_line", "简介不超过100个字，当前%d个字", n)
	}
	if v.Err() != nil {
		return nil, v
	}
	e, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	if domain.MayOrganise(p) && !organiser {
		return nil, apperr.PermissionDenied("只有活动的主办方可以添加参会方")
	}
	if st := domain.EffectiveStatus(e, s.now()); st == domain.Cancelled || st == domain.Completed {
		return nil, apperr.FailedPrecondition("活动已%s", statusLabel(st))
	}
	if v := blockedValid(set, pt.GetBlockedSlotIds()); v.Err() != nil {
		return nil, v
	}
	if pt.GetFirmId() != "" {
		f, err := s.profiles.GetFirm(ctx, pt.GetFirmId())
		if err != nil {
			return nil, profileErr(err, "企业", pt.GetFirmId())
		}
		if pt.GetDisplayName() == "" {
			pt.DisplayName = f.GetName()
		}
	}
	if pt.GetRole() == roleFirm {
		regs, err := s.st.Registrations.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{
			{Key: adapters.F("firm_id"), Value: pt.GetFirmId()}, {Key: adapters.F("status"), Value: adapters.EnumName(domain.RegConfirmed)},
		}})
		if err != nil {
			return nil, err
		}
		if len(regs) == 0 {
			return nil, apperr.FailedPrecondition("企业须先报名成功才能参加1对1对接")
		}
		pt.RegistrationId = regs[0].GetId()
	}
	pt.EventId = e.GetId()
	out, err := s.st.Participants.Insert(ctx, "", pt)
	if err != nil {
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, apperr.AlreadyExists("该企业已是本场对接会的参会方")
		}
		return nil, err
	}
	s.record(ctx, "participant.create", "participant", out.GetId(), out.GetEtag(), pt.GetDisplayName())
	return s.presentParticipants(ctx, e.GetId(), []*eventsv1.Participant{out})[0], nil
}

func blockedValid(set *eventsv1.MatchmakingSettings, blocked []string) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	for i, b := range blocked {
		if !slices.ContainsFunc(set.GetSlots(), func(x *eventsv1.Slot) bool { return x.GetId() == b }) {
			v.Add(fmt.Sprintf("participant.blocked_slot_ids[%d]", i), "时段%s不存在", b)
		}
	}
	return v
}

// presentParticipants fills the counts and masks contacts.
func (s *Service) presentParticipants(ctx context.Context, eventID string, list []*eventsv1.Participant) []*eventsv1.Participant {
	reqs, _ := s.st.Requests.All(ctx, adapters.Query{EventID: eventID})
	sched, _, _ := s.storedSchedule(ctx, eventID)
	placed := map[string]bool{}
	for _, m := range sched.GetMeetings() {
		if m.GetSlotId() != "" {
			placed[m.GetId()] = true
		}
	}
	now := s.now()
	for _, pt := range list {
		pt.Contact = domain.MaskContact(pt.GetContact())
		for _, r := range reqs {
			st := effectiveRequest(r, now)
			if st != reqPending && st != reqAccepted {
				continue
			}
			if r.GetRequesterParticipantId() == pt.GetId() {
				pt.RequestsSent++
			}
			if r.GetRecipientParticipantId() == pt.GetId() {
				pt.RequestsReceived++
			}
			if st == reqAccepted && (r.GetRequesterParticipantId() == pt.GetId() || r.GetRecipientParticipantId() == pt.GetId()) {
				pt.MeetingsAccepted++
				if placed[r.GetId()] {
					pt.MeetingsPlaced++
				}
			}
		}
	}
	return list
}

// ListParticipants lists the participant directory.
func (s *Service) ListParticipants(ctx context.Context, eventID string, role eventsv1.ParticipantRole, firmID, nameContains string, size int32, token string) ([]*eventsv1.Participant, string, int, error) {
	p := auth.FromContext(ctx)
	page, err := paging.Parse(size, token, fmt.Sprintf("%s|%v|%s|%s", eventID, role, firmID, nameContains))
	if err != nil {
		return nil, "", 0, err
	}
	e, _, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, "", 0, err
	}
	if !organiser {
		own, err := s.ownParticipant(ctx, p, e.GetId())
		if err != nil {
			return nil, "", 0, err
		}
		if own == nil {
			return nil, "", 0, apperr.PermissionDenied("只有主办方和对接会参会方可以查看参会方名录")
		}
	}
	var q bson.D
	if role != 0 {
		q = append(q, bson.E{Key: adapters.F("role"), Value: int32(role)})
	}
	if firmID != "" {
		q = append(q, bson.E{Key: adapters.F("firm_id"), Value: firmID})
	}
	if nameContains != "" {
		q = append(q, bson.E{Key: adapters.F("text"), Value: bson.Regex{Pattern: quoteMeta(nameContains), Options: "i"}})
	}
	list, total, err := s.st.Participants.Find(ctx, adapters.Query{EventID: e.GetId(), Filter: q,
		Sort: bson.D{{Key: adapters.F("role"), Value: 1}, {Key: adapters.F("name"), Value: 1}}}, page.Offset, page.Size)
	if err != nil {
		return nil, "", 0, err
	}
	return s.presentParticipants(ctx, e.GetId(), list), page.Next(len(list), total), total, nil
}

// participantFor reads a participant of the event that p organises or acts
// for.
func (s *Service) participantFor(ctx context.Context, p auth.Principal, eventID, id string) (*eventsv1.Event, *eventsv1.MatchmakingSettings, *eventsv1.Participant, bool, error) {
	e, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, nil, nil, false, err
	}
	pt, _, err := s.st.Participants.Get(ctx, id)
	if err != nil || pt.GetEventId() != e.GetId() {
		return nil, nil, nil, false, apperr.NotFound("参会方%s不存在", id)
	}
	if !organiser && !actsFor(p, pt) {
		return nil, nil, nil, false, apperr.PermissionDenied("只能操作本企业的参会方")
	}
	return e, set, pt, organiser, nil
}

// UpdateParticipant changes a participant.
func (s *Service) UpdateParticipant(ctx context.Context, in *eventsv1.Participant, paths []string) (*eventsv1.Participant, error) {
	p := auth.FromContext(ctx)
	if in == nil {
		return nil, apperr.Invalid("participant", "请提供参会方信息")
	}
	version, paths, err := updateMask("participant", in.GetId(), in.GetEtag(), paths,
		[]string{"display_name", "profile_line", "industries", "markets", "platform", "services", "contact", "blocked_slot_ids"},
		[]string{"role", "firm_id", "event_id", "registration_id", "requests_sent", "requests_received", "meetings_accepted", "meetings_placed", "sample", "create_time", "update_time"})
	if err != nil {
		return nil, err
	}
	e, set, _, _, err := s.participantFor(ctx, p, in.GetEventId(), in.GetId())
	if err != nil {
		return nil, err
	}
	if v := blockedValid(set, in.GetBlockedSlotIds()); slices.Contains(paths, "blocked_slot_ids") && v.Err() != nil {
		return nil, v
	}
	if utf8.RuneCountInString(in.GetProfileLine()) > 100 {
		return nil, apperr.Invalid("participant.profile_line", "简介不超过100个字")
	}
	if slices.Contains(paths, "blocked_slot_ids") {
		grid, err := s.grid(ctx, e, set)
		if err != nil {
			return nil, err
		}
		for _, m := range grid.meetings {
			if (m.GetRequesterParticipantId() == in.GetId() || m.GetRecipientParticipantId() == in.GetId()) && slices.Contains(in.GetBlockedSlotIds(), m.GetSlotId()) {
				return nil, apperr.FailedPrecondition("时段%s已排有会谈%s，请先移动该会谈", m.GetSlotId(), m.GetId())
			}
		}
	}
	out, err := s.st.Participants.Update(ctx, in.GetId(), version, func(pt *eventsv1.Participant) error {
		fieldmask.Apply(pt, in, paths)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "participant.update", "participant", out.GetId(), out.GetEtag(), fmt.Sprint(paths))
	return s.presentParticipants(ctx, e.GetId(), []*eventsv1.Participant{out})[0], nil
}

// DeleteParticipant removes a participant, cancelling its requests.
func (s *Service) DeleteParticipant(ctx context.Context, eventID, id, etagText string) error {
	p := auth.FromContext(ctx)
	version, err := versionOf(etagText)
	if err != nil {
		return err
	}
	if version == 0 {
		return apperr.Invalid("etag", "请提供读取时返回的etag，以免覆盖他人的修改")
	}
	e, _, _, _, err := s.participantFor(ctx, p, eventID, id)
	if err != nil {
		return err
	}
	if err := s.st.Participants.Delete(ctx, id, version, func(*eventsv1.Participant) error { return nil }); err != nil {
		return err
	}
	reqs, err := s.st.Requests.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: adapters.F("requester"), Value: id}}, bson.D{{Key: adapters.F("recipient"), Value: id}},
	}}}})
	if err != nil {
		return err
	}
	for _, r := range reqs {
		_, _ = s.st.Requests.Update(ctx, r.GetId(), 0, func(r *eventsv1.MeetingRequest) error {
			if st := effectiveRequest(r, s.now()); st != reqPending && st != reqAccepted {
				return errNoChange
			}
			r.Status, r.RespondTime, r.ResponseMessage = reqCancelled, timestamppb.New(s.now()), "参会方已退出"
			return nil
		})
	}
	s.record(ctx, "participant.delete", "participant", id, etagText, "")
	return nil
}

// effectiveRequest is a request's status with expiry applied.
func effectiveRequest(r *eventsv1.MeetingRequest, now time.Time) eventsv1.MeetingRequestStatus {
	if r.GetStatus() == reqPending && r.GetExpireTime() != nil && !now.Before(r.GetExpireTime().AsTime()) {
		return reqExpired
	}
	return r.GetStatus()
}

func requestWindowOpen(e *eventsv1.Event, set *eventsv1.MatchmakingSettings, now time.Time) bool {
	open := e.GetPublishTime().AsTime()
	if set.GetRequestOpenTime() != nil {
		open = set.GetRequestOpenTime().AsTime()
	}
	closeAt := e.GetEndTime().AsTime()
	if set.GetRequestCloseTime() != nil {
		closeAt = set.GetRequestCloseTime().AsTime()
	} else if len(set.GetSlots()) > 0 {
		closeAt = set.GetSlots()[0].GetStartTime().AsTime()
	}
	return e.GetStatus() == domain.Published && !now.Before(open) && now.Before(closeAt)
}

// CreateMeetingRequest sends a meeting request.
func (s *Service) CreateMeetingRequest(ctx context.Context, eventID string, in *eventsv1.MeetingRequest) (*eventsv1.MeetingRequest, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) {
		return nil, denied()
	}
	if in == nil {
		return nil, apperr.Invalid("meeting_request", "请提供会谈请求")
	}
	v := &apperr.ValidationError{}
	if in.GetRequesterParticipantId() == "" {
		v.Add("meeting_request.requester_participant_id", "请指定发起方")
	}
	if in.GetRecipientParticipantId() == "" {
		v.Add("meeting_request.recipient_participant_id", "请指定接收方")
	}
	if in.GetRequesterParticipantId() != "" && in.GetRequesterParticipantId() == in.GetRecipientParticipantId() {
		v.Add("meeting_request.recipient_participant_id", "不能向自己发起会谈请求")
	}
	if n := utf8.RuneCountInString(in.GetMessage()); n > 500 {
		v.Add("meeting_request.message", "留言不超过500个字，当前%d个字", n)
	}
	if v.Err() != nil {
		return nil, v
	}
	e, set, requester, organiser, err := s.participantFor(ctx, p, eventID, in.GetRequesterParticipantId())
	if err != nil {
		return nil, err
	}
	recipient, _, err := s.st.Participants.Get(ctx, in.GetRecipientParticipantId())
	if err != nil || recipient.GetEventId() != e.GetId() {
		return nil, apperr.NotFound("参会方%s不存在", in.GetRecipientParticipantId())
	}
	now := s.now()
	if !organiser && !requestWindowOpen(e, set, now) {
		return nil, apperr.FailedPrecondition("不在会谈请求开放时间内")
	}
	if !slices.ContainsFunc(set.GetRules(), func(r *eventsv1.MeetingRule) bool {
		return r.GetRequesterRole() == requester.GetRole() && r.GetRecipientRole() == recipient.GetRole()
	}) {
		return nil, apperr.FailedPrecondition("本场对接会不允许%s向%s发起会谈", refdata.Label(requester.GetRole()), refdata.Label(recipient.GetRole()))
	}
	all, err := s.st.Requests.All(ctx, adapters.Query{EventID: e.GetId()})
	if err != nil {
		return nil, err
	}
	sent := 0
	for _, r := range all {
		st := effectiveRequest(r, now)
		if st == reqExpired && r.GetStatus() == reqPending {
			// Release the pair key of an expired request.
			_, _ = s.st.Requests.Update(ctx, r.GetId(), 0, func(r *eventsv1.MeetingRequest) error {
				if effectiveRequest(r, now) != reqExpired || r.GetStatus() != reqPending {
					return errNoChange
				}
				r.Status = reqExpired
				return nil
			})
			continue
		}
		if st != reqPending && st != reqAccepted {
			continue
		}
		if r.GetRequesterParticipantId() == requester.GetId() {
			sent++
		}
	}
	if m := set.GetMaxRequestsPerParticipant(); m > 0 && int32(sent) >= m {
		return nil, apperr.ResourceExhausted("每个参会方最多同时有%d个待回复或已接受的请求", m)
	}
	ttl := 72 * time.Hour
	if set.GetRequestTtl() != nil {
		ttl = set.GetRequestTtl().AsDuration()
	}
	r := &eventsv1.MeetingRequest{
		EventId: e.GetId(), RequesterParticipantId: requester.GetId(), RecipientParticipantId: recipient.GetId(),
		Message: in.GetMessage(), Status: reqPending, ExpireTime: timestamppb.New(now.Add(ttl)),
		CreatedByOrganiser: organiser && !actsFor(p, requester), Sample: in.GetSample() && domain.MayMarkSample(p),
	}
	out, err := s.st.Requests.Insert(ctx, "", r)
	if err != nil {
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, apperr.AlreadyExists("双方之间已有待回复或已接受的会谈请求")
		}
		return nil, err
	}
	s.record(ctx, "meeting_request.create", "meeting_request", out.GetId(), out.GetEtag(), "")
	return s.presentRequest(ctx, out), nil
}

func (s *Service) presentRequest(ctx context.Context, r *eventsv1.MeetingRequest) *eventsv1.MeetingRequest {
	r.Status = effectiveRequest(r, s.now())
	if a, _, err := s.st.Participants.Get(ctx, r.GetRequesterParticipantId()); err == nil {
		r.RequesterName, r.RequesterRole = a.GetDisplayName(), a.GetRole()
	}
	if b, _, err := s.st.Participants.Get(ctx, r.GetRecipientParticipantId()); err == nil {
		r.RecipientName, r.RecipientRole = b.GetDisplayName(), b.GetRole()
	}
	return r
}

// ListMeetingRequests lists requests, newest first.
func (s *Service) ListMeetingRequests(ctx context.Context, req *eventsv1.ListMeetingRequestsRequest) ([]*eventsv1.MeetingRequest, string, int, error) {
	p := auth.FromContext(ctx)
	page, err := paging.Parse(req.GetPageSize(), req.GetPageToken(), fmt.Sprintf("%s|%s|%s|%s|%v", req.GetEventId(), req.GetParticipantId(), req.GetRequesterParticipantId(), req.GetRecipientParticipantId(), req.GetStatus()))
	if err != nil {
		return nil, "", 0, err
	}
	e, _, organiser, err := s.matchmakingEvent(ctx, p, req.GetEventId())
	if err != nil {
		return nil, "", 0, err
	}
	var q bson.D
	if !organiser {
		own, err := s.ownParticipant(ctx, p, e.GetId())
		if err != nil {
			return nil, "", 0, err
		}
		if own == nil {
			return nil, "", 0, apperr.PermissionDenied("只有主办方和对接会参会方可以查看会谈请求")
		}
		q = append(q, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: adapters.F("requester"), Value: own.GetId()}}, bson.D{{Key: adapters.F("recipient"), Value: own.GetId()}},
		}})
	}
	if id := req.GetParticipantId(); id != "" {
		q = append(q, bson.E{Key: "$and", Value: bson.A{bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: adapters.F("requester"), Value: id}}, bson.D{{Key: adapters.F("recipient"), Value: id}},
		}}}}})
	}
	if id := req.GetRequesterParticipantId(); id != "" {
		q = append(q, bson.E{Key: adapters.F("requester"), Value: id})
	}
	if id := req.GetRecipientParticipantId(); id != "" {
		q = append(q, bson.E{Key: adapters.F("recipient"), Value: id})
	}
	all, err := s.st.Requests.All(ctx, adapters.Query{EventID: e.GetId(), Filter: q, Sort: bson.D{{Key: adapters.F("created"), Value: -1}}})
	if err != nil {
		return nil, "", 0, err
	}
	now := s.now()
	if st := req.GetStatus(); st != 0 {
		all = slices.DeleteFunc(all, func(r *eventsv1.MeetingRequest) bool { return effectiveRequest(r, now) != st })
	}
	total := len(all)
	if page.Offset >= total {
		return nil, "", total, nil
	}
	list := all[page.Offset:min(total, page.Offset+page.Size)]
	for _, r := range list {
		s.presentRequest(ctx, r)
	}
	return list, page.Next(len(list), total), total, nil
}

// answer changes a request's status after the access and state checks.
func (s *Service) answer(ctx context.Context, eventID, id, message, action string, fn func(p auth.Principal, e *eventsv1.Event, set *eventsv1.MatchmakingSettings, organiser bool, r *eventsv1.MeetingRequest, now time.Time) error) (*eventsv1.MeetingRequest, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) {
		return nil, denied()
	}
	if utf8.RuneCountInString(message) > 500 {
		return nil, apperr.Invalid("message", "留言不超过500个字")
	}
	e, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	cur, _, err := s.st.Requests.Get(ctx, id)
	if err != nil || cur.GetEventId() != e.GetId() {
		return nil, apperr.NotFound("会谈请求%s不存在", id)
	}
	if !organiser {
		own, err := s.ownParticipant(ctx, p, e.GetId())
		if err != nil {
			return nil, err
		}
		if own == nil || (own.GetId() != cur.GetRequesterParticipantId() && own.GetId() != cur.GetRecipientParticipantId()) {
			return nil, apperr.NotFound("会谈请求%s不存在", id)
		}
	}
	now := s.now()
	out, err := s.st.Requests.Update(ctx, id, 0, func(r *eventsv1.MeetingRequest) error {
		if err := fn(p, e, set, organiser, r, now); err != nil {
			return err
		}
		r.RespondTime, r.ResponseMessage = timestamppb.New(now), message
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, action, "meeting_request", id, out.GetEtag(), "")
	return s.presentRequest(ctx, out), nil
}

func (s *Service) isRecipient(ctx context.Context, p auth.Principal, r *eventsv1.MeetingRequest) bool {
	pt, _, err := s.st.Participants.Get(ctx, r.GetRecipientParticipantId())
	return err == nil && actsFor(p, pt)
}

func (s *Service) isRequester(ctx context.Context, p auth.Principal, r *eventsv1.MeetingRequest) bool {
	pt, _, err := s.st.Participants.Get(ctx, r.GetRequesterParticipantId())
	return err == nil && actsFor(p, pt)
}

// AcceptMeetingRequest accepts a pending request.
func (s *Service) AcceptMeetingRequest(ctx context.Context, eventID, id, message string) (*eventsv1.MeetingRequest, error) {
	return s.answer(ctx, eventID, id, message, "meeting_request.accept", func(p auth.Principal, e *eventsv1.Event, set *eventsv1.MatchmakingSettings, organiser bool, r *eventsv1.MeetingRequest, now time.Time) error {
		if !organiser && !s.isRecipient(ctx, p, r) {
			return apperr.PermissionDenied("只有接收方可以接受会谈请求")
		}
		if st := effectiveRequest(r, now); st != reqPending {
			return apperr.FailedPrecondition("请求已%s，不能再接受", refdata.Label(st))
		}
		if n := len(set.GetSlots()); n > 0 {
			all, err := s.st.Requests.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{{Key: adapters.F("status"), Value: adapters.EnumName(reqAccepted)}}})
			if err != nil {
				return err
			}
			for _, side := range []string{r.GetRequesterParticipantId(), r.GetRecipientParticipantId()} {
				pt, _, err := s.st.Participants.Get(ctx, side)
				if err != nil {
					return err
				}
				free := n - len(pt.GetBlockedSlotIds())
				count := 0
				for _, a := range all {
					if a.GetRequesterParticipantId() == side || a.GetRecipientParticipantId() == side {
						count++
					}
				}
				if count >= free {
					return apperr.ResourceExhausted("“%s”已接受%d场会谈，等于其可用时段数，无法再安排", pt.GetDisplayName(), count)
				}
			}
		}
		r.Status = reqAccepted
		return nil
	})
}

// DeclineMeetingRequest declines a pending request.
func (s *Service) DeclineMeetingRequest(ctx context.Context, eventID, id, message string) (*eventsv1.MeetingRequest, error) {
	return s.answer(ctx, eventID, id, message, "meeting_request.decline", func(p auth.Principal, _ *eventsv1.Event, _ *eventsv1.MatchmakingSettings, organiser bool, r *eventsv1.MeetingRequest, now time.Time) error {
		if !organiser && !s.isRecipient(ctx, p, r) {
			return apperr.PermissionDenied("只有接收方可以拒绝会谈请求")
		}
		if st := effectiveRequest(r, now); st != reqPending {
			return apperr.FailedPrecondition("请求已%s，不能再拒绝", refdata.Label(st))
		}
		r.Status = reqDeclined
		return nil
	})
}

// CancelMeetingRequest withdraws a pending request or calls off an accepted
// one (its meeting leaves the schedule: grids are built from accepted
// requests only).
func (s *Service) CancelMeetingRequest(ctx context.Context, eventID, id, message string) (*eventsv1.MeetingRequest, error) {
	return s.answer(ctx, eventID, id, message, "meeting_request.cancel", func(p auth.Principal, _ *eventsv1.Event, _ *eventsv1.MatchmakingSettings, organiser bool, r *eventsv1.MeetingRequest, now time.Time) error {
		switch st := effectiveRequest(r, now); {
		case st == reqPending:
			if !organiser && !s.isRequester(ctx, p, r) {
				return apperr.PermissionDenied("只有发起方可以撤回待回复的请求")
			}
		case st == reqAccepted:
		default:
			return apperr.FailedPrecondition("请求已%s，不能取消", refdata.Label(st))
		}
		r.Status = reqCancelled
		return nil
	})
}

func durationOr(d *durationpb.Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return d.AsDuration()
}

// sortMeetings orders placed meetings by slot then table, unplaced last.
func sortMeetings(set *eventsv1.MatchmakingSettings, list []*eventsv1.Meeting) {
	slotIdx := map[string]int{}
	for i, sl := range set.GetSlots() {
		slotIdx[sl.GetId()] = i
	}
	tableIdx := map[string]int{}
	for i, tb := range set.GetTables() {
		tableIdx[tb.GetId()] = i
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.GetSlotId() == "") != (b.GetSlotId() == "") {
			return b.GetSlotId() == ""
		}
		if slotIdx[a.GetSlotId()] != slotIdx[b.GetSlotId()] {
			return slotIdx[a.GetSlotId()] < slotIdx[b.GetSlotId()]
		}
		return tableIdx[a.GetTableId()] < tableIdx[b.GetTableId()]
	})
}
