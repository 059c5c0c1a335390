package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
	"github.com/qihang-hz/qihang/services/events/schedule"
)

// storedSchedule reads an event's saved schedule (empty, version 0, before
// the first save).
func (s *Service) storedSchedule(ctx context.Context, eventID string) (*eventsv1.Schedule, int64, error) {
	sc, v, err := s.st.Schedules.Get(ctx, eventID)
	if apperr.IsKind(err, apperr.KindNotFound) {
		return &eventsv1.Schedule{EventId: eventID}, 0, nil
	}
	return sc, v, err
}

// grid is the current state of an event's meetings: every accepted
// request's meeting with its saved placement.
type grid struct {
	set          *eventsv1.MatchmakingSettings
	participants []*eventsv1.Participant
	pIdx         map[string]int
	meetings     []*eventsv1.Meeting
	stored       *eventsv1.Schedule
	version      int64
}

func (s *Service) grid(ctx context.Context, e *eventsv1.Event, set *eventsv1.MatchmakingSettings) (*grid, error) {
	parts, err := s.st.Participants.All(ctx, adapters.Query{EventID: e.GetId(), Sort: bson.D{{Key: "create_time", Value: 1}}})
	if err != nil {
		return nil, err
	}
	reqs, err := s.st.Requests.All(ctx, adapters.Query{EventID: e.GetId(), Filter: bson.D{{Key: adapters.F("status"), Value: adapters.EnumName(reqAccepted)}}, Sort: bson.D{{Key: "create_time", Value: 1}}})
	if err != nil {
		return nil, err
	}
	stored, version, err := s.storedSchedule(ctx, e.GetId())
	if err != nil {
		return nil, err
	}
	g := &grid{set: set, participants: parts, pIdx: map[string]int{}, stored: stored, version: version}
	for i, p := range parts {
		g.pIdx[p.GetId()] = i
	}
	saved := map[string]*eventsv1.Meeting{}
	for _, m := range stored.GetMeetings() {
		saved[m.GetId()] = m
	}
	slotOK := func(id string) bool {
		return slices.ContainsFunc(set.GetSlots(), func(x *eventsv1.Slot) bool { return x.GetId() == id })
	}
	tableOK := func(id string) bool {
		return slices.ContainsFunc(set.GetTables(), func(x *eventsv1.Table) bool { return x.GetId() == id })
	}
	for _, r := range reqs {
		_, okA := g.pIdx[r.GetRequesterParticipantId()]
		_, okB := g.pIdx[r.GetRecipientParticipantId()]
		if !okA || !okB {
			continue
		}
		m := &eventsv1.Meeting{Id: r.GetId(), RequesterParticipantId: r.GetRequesterParticipantId(), RecipientParticipantId: r.GetRecipientParticipantId(),
			UnplacedReason: eventsv1.UnplacedReason_UNPLACED_REASON_NOT_SCHEDULED}
		if old := saved[r.GetId()]; old != nil {
			m.Locked, m.NoShows, m.UnplacedReason = old.GetLocked(), old.GetNoShows(), old.GetUnplacedReason()
			if old.GetSlotId() != "" && slotOK(old.GetSlotId()) && tableOK(old.GetTableId()) {
				m.SlotId, m.TableId, m.UnplacedReason = old.GetSlotId(), old.GetTableId(), 0
			} else if m.UnplacedReason == 0 {
				m.UnplacedReason = eventsv1.UnplacedReason_UNPLACED_REASON_NOT_SCHEDULED
			}
		}
		g.meetings = append(g.meetings, m)
	}
	return g, nil
}

// decorate fills names, times and table names for readers.
func (g *grid) decorate(m *eventsv1.Meeting) *eventsv1.Meeting {
	if i, ok := g.pIdx[m.GetRequesterParticipantId()]; ok {
		m.RequesterName = g.participants[i].GetDisplayName()
	}
	if i, ok := g.pIdx[m.GetRecipientParticipantId()]; ok {
		m.RecipientName = g.participants[i].GetDisplayName()
	}
	m.StartTime, m.EndTime, m.TableName = nil, nil, ""
	for _, sl := range g.set.GetSlots() {
		if sl.GetId() == m.GetSlotId() {
			m.StartTime, m.EndTime = sl.GetStartTime(), sl.GetEndTime()
		}
	}
	for _, tb := range g.set.GetTables() {
		if tb.GetId() == m.GetTableId() {
			m.TableName = tb.GetName()
		}
	}
	return m
}

// instance turns the grid into the scheduler's problem; placed meetings are
// locked where lock says so, and meetings taken out by an organiser (locked
// while unplaced) are left out.
func (g *grid) instance(lock func(m *eventsv1.Meeting) bool) (schedule.Instance, []*eventsv1.Meeting) {
	slotIdx := map[string]int{}
	for i, sl := range g.set.GetSlots() {
		slotIdx[sl.GetId()] = i
	}
	tableIdx := map[string]int{}
	in := schedule.Instance{Slots: len(g.set.GetSlots()), Tables: len(g.set.GetTables())}
	hosted := false
	for i, tb := range g.set.GetTables() {
		tableIdx[tb.GetId()] = i
		in.TableCapacities = append(in.TableCapacities, int(max(tb.GetCapacity(), 1)))
		h := -1
		if j, ok := g.pIdx[tb.GetHostParticipantId()]; ok && tb.GetHostParticipantId() != "" {
			h, hosted = j, true
		}
		in.TableHosts = append(in.TableHosts, h)
	}
	if !hosted {
		in.TableHosts = nil
	}
	for _, p := range g.participants {
		side := schedule.SideCounterpart
		if p.GetRole() == roleFirm {
			side = schedule.SideFirm
		}
		sp := schedule.Participant{ID: p.GetId(), Side: side}
		for _, b := range p.GetBlockedSlotIds() {
			if i, ok := slotIdx[b]; ok {
				sp.Blocked = append(sp.Blocked, i)
			}
		}
		in.Participants = append(in.Participants, sp)
	}
	var used []*eventsv1.Meeting
	for _, m := range g.meetings {
		if m.GetLocked() && m.GetSlotId() == "" {
			continue
		}
		r := schedule.Request{ID: m.GetId(), A: g.pIdx[m.GetRequesterParticipantId()], B: g.pIdx[m.GetRecipientParticipantId()]}
		if m.GetSlotId() != "" && lock(m) {
			r.Locked = &schedule.Placement{Slot: slotIdx[m.GetSlotId()], Table: tableIdx[m.GetTableId()]}
		}
		in.Requests = append(in.Requests, r)
		used = append(used, m)
	}
	return in, used
}

// solution turns the grid's placed meetings (of used) into a schedule for
// the verifier.
func (g *grid) solution(used []*eventsv1.Meeting) schedule.Schedule {
	slotIdx := map[string]int{}
	for i, sl := range g.set.GetSlots() {
		slotIdx[sl.GetId()] = i
	}
	tableIdx := map[string]int{}
	for i, tb := range g.set.GetTables() {
		tableIdx[tb.GetId()] = i
	}
	var out schedule.Schedule
	for _, m := range used {
		if m.GetSlotId() == "" {
			out.Unplaced = append(out.Unplaced, schedule.Unplaced{RequestID: m.GetId(), Code: schedule.UnplacedNoRoom})
			continue
		}
		out.Meetings = append(out.Meetings, schedule.Meeting{RequestID: m.GetId(), Placement: schedule.Placement{Slot: slotIdx[m.GetSlotId()], Table: tableIdx[m.GetTableId()]}})
	}
	return out
}

var violationKinds = map[schedule.ViolationKind]eventsv1.ViolationKind{
	schedule.ViolationDoubleBooking:     eventsv1.ViolationKind_VIOLATION_KIND_DOUBLE_BOOKING,
	schedule.ViolationTableOverfull:     eventsv1.ViolationKind_VIOLATION_KIND_TABLE_OVERFULL,
	schedule.ViolationBlockedSlot:       eventsv1.ViolationKind_VIOLATION_KIND_BLOCKED_SLOT,
	schedule.ViolationTableHostConflict: eventsv1.ViolationKind_VIOLATION_KIND_TABLE_HOST_CONFLICT,
	schedule.ViolationInvalidReference:  eventsv1.ViolationKind_VIOLATION_KIND_INVALID_REFERENCE,
	schedule.ViolationNotAccepted:       eventsv1.ViolationKind_VIOLATION_KIND_NOT_ACCEPTED,
	schedule.ViolationLockBroken:        eventsv1.ViolationKind_VIOLATION_KIND_LOCK_BROKEN,
	schedule.ViolationDuplicate:         eventsv1.ViolationKind_VIOLATION_KIND_INVALID_REFERENCE,
	schedule.ViolationMissing:           eventsv1.ViolationKind_VIOLATION_KIND_INVALID_REFERENCE,
}

// verification runs the independent verifier and reports it in the
// contract's terms.
func (g *grid) verification(in schedule.Instance, sol schedule.Schedule) *eventsv1.ScheduleVerification {
	vs := schedule.Verify(in, sol)
	out := &eventsv1.ScheduleVerification{Valid: len(vs) == 0, MeetingsChecked: int32(len(sol.Meetings))}
	for i, v := range vs {
		if i == 100 {
			break
		}
		sv := &eventsv1.ScheduleViolation{
			Kind: violationKinds[v.Kind], MeetingId: v.RequestID, ConflictingMeetingId: v.ConflictingRequestID,
			ParticipantId: v.ParticipantID, Description: v.Description,
		}
		if v.Slot >= 0 && v.Slot < len(g.set.GetSlots()) {
			sv.SlotId = g.set.GetSlots()[v.Slot].GetId()
		}
		if v.Table >= 0 && v.Table < len(g.set.GetTables()) {
			sv.TableId = g.set.GetTables()[v.Table].GetId()
		}
		out.Violations = append(out.Violations, sv)
	}
	return out
}

// save writes the grid's meetings as the event's schedule, conditional on
// expect (0: on the version read).
func (s *Service) saveSchedule(ctx context.Context, g *grid, eventID string, expect int64, edit func(*eventsv1.Schedule)) (*eventsv1.Schedule, error) {
	store := func(sc *eventsv1.Schedule) {
		sc.EventId = eventID
		sc.Meetings = nil
		for _, m := range g.meetings {
			sc.Meetings = append(sc.Meetings, &eventsv1.Meeting{
				Id: m.GetId(), RequesterParticipantId: m.GetRequesterParticipantId(), RecipientParticipantId: m.GetRecipientParticipantId(),
				SlotId: m.GetSlotId(), TableId: m.GetTableId(), Locked: m.GetLocked(), UnplacedReason: m.GetUnplacedReason(), NoShows: m.GetNoShows(),
			})
		}
		edit(sc)
	}
	if g.version == 0 {
		if expect > 0 {
			return nil, apperr.Conflict("排程已被他人修改，请刷新后重试")
		}
		sc := &eventsv1.Schedule{}
		store(sc)
		out, err := s.st.Schedules.Insert(ctx, eventID, sc)
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, apperr.Conflict("排程刚刚被他人修改，请刷新后重试")
		}
		return out, err
	}
	if expect == 0 {
		expect = g.version
	}
	return s.st.Schedules.Update(ctx, eventID, expect, func(sc *eventsv1.Schedule) error { store(sc); return nil })
}

// present returns the schedule for readers.
func (g *grid) present(sc *eventsv1.Schedule) *eventsv1.Schedule {
	out := clone(sc)
	out.Meetings = nil
	for _, m := range g.meetings {
		out.Meetings = append(out.Meetings, g.decorate(clone(m)))
	}
	sortMeetings(g.set, out.Meetings)
	out.PlacedCount, out.UnplacedCount = 0, 0
	for _, m := range out.Meetings {
		if m.GetSlotId() != "" {
			out.PlacedCount++
		} else {
			out.UnplacedCount++
		}
	}
	return out
}

// organisedMatchmaking reads a matchmaking event p organises.
func (s *Service) organisedMatchmaking(ctx context.Context, eventID string) (*eventsv1.Event, *eventsv1.MatchmakingSettings, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) {
		return nil, nil, denied()
	}
	e, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, nil, err
	}
	if !organiser {
		return nil, nil, apperr.PermissionDenied("只有活动的主办方可以管理排程")
	}
	return e, set, nil
}

// ScheduleMeetings runs the scheduler.
func (s *Service) ScheduleMeetings(ctx context.Context, req *eventsv1.ScheduleMeetingsRequest) (*eventsv1.Schedule, error) {
	expect, err := optionalEtag("etag", req.GetEtag())
	if err != nil {
		return nil, err
	}
	limit := durationOr(req.GetTimeLimit(), 2*time.Second)
	if limit <= 0 || limit > 10*time.Second {
		return nil, apperr.Invalid("time_limit", "排程时间上限须在0至10秒之间")
	}
	e, set, err := s.organisedMatchmaking(ctx, req.GetEventId())
	if err != nil {
		return nil, err
	}
	if len(set.GetSlots()) == 0 || len(set.GetTables()) == 0 {
		return nil, apperr.FailedPrecondition("请先设置会谈时段和桌位（当前%d个时段、%d个桌位）", len(set.GetSlots()), len(set.GetTables()))
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	if expect > 0 && expect != g.version {
		return nil, apperr.Conflict("排程已被他人修改，请刷新后重试")
	}
	if len(g.meetings) > s.maxMeetings {
		return nil, apperr.ResourceExhausted("已接受的会谈有%d场，超过单次排程上限%d场；未作任何修改", len(g.meetings), s.maxMeetings)
	}
	mode := req.GetLockMode()
	extra := map[string]bool{}
	for _, id := range req.GetLockMeetingIds() {
		extra[id] = true
	}
	for _, m := range g.meetings {
		switch {
		case mode == eventsv1.ScheduleLockMode_SCHEDULE_LOCK_MODE_REPLAN_ALL:
			m.Locked = false
		case mode == eventsv1.ScheduleLockMode_SCHEDULE_LOCK_MODE_LOCK_ALL_PLACED && m.GetSlotId() != "":
			m.Locked = true
		}
		if extra[m.GetId()] && m.GetSlotId() != "" {
			m.Locked = true
		}
	}
	in, used := g.instance(func(m *eventsv1.Meeting) bool { return m.GetLocked() })
	seed := req.GetSeed()
	if seed == 0 {
		seed = rand.Int64N(1<<62) + 1
	}
	started := time.Now()
	sol, err := schedule.Solve(ctx, in, schedule.Options{MaxRequests: s.maxMeetings, Seed: seed, TimeBudget: limit})
	if err != nil {
		return nil, err
	}
	byID := map[string]*eventsv1.Meeting{}
	for _, m := range used {
		byID[m.GetId()] = m
	}
	for _, pm := range sol.Meetings {
		m := byID[pm.RequestID]
		m.SlotId, m.TableId, m.UnplacedReason = set.GetSlots()[pm.Slot].GetId(), set.GetTables()[pm.Table].GetId(), 0
	}
	for _, u := range sol.Unplaced {
		m := byID[u.RequestID]
		m.SlotId, m.TableId = "", ""
		m.UnplacedReason = eventsv1.UnplacedReason_UNPLACED_REASON_NO_ROOM
		if u.Code == schedule.UnplacedNoCommonFreeSlot {
			m.UnplacedReason = eventsv1.UnplacedReason_UNPLACED_REASON_NO_COMMON_FREE_SLOT
		}
	}
	verification := g.verification(in, sol)
	run := &eventsv1.ScheduleRun{
		RunTime: timestamppb.New(s.now()), DryRun: req.GetDryRun(), LockMode: mode,
		MeetingsTotal: int32(len(in.Requests)), LockedCount: int32(sol.Stats.Locked), PlacedCount: int32(len(sol.Meetings)),
		UpperBound: int32(sol.UpperBound), IdleGaps: int32(sol.Stats.IdleGaps), Duration: durationpb.New(time.Since(started)),
		Seed: seed, Verification: verification,
	}
	if !verification.GetValid() {
		s.logger.ErrorContext(ctx, "schedule: verifier rejected the scheduler's result", "event", e.GetId(), "violations", len(verification.GetViolations()), "first", verification.GetViolations()[0].GetDescription())
		return nil, fmt.Errorf("schedule: verifier found %d violations in the scheduler's result", len(verification.GetViolations()))
	}
	if req.GetDryRun() {
		sc := clone(g.stored)
		sc.LastRun = run
		return g.present(sc), nil
	}
	out, err := s.saveSchedule(ctx, g, e.GetId(), expect, func(sc *eventsv1.Schedule) { sc.LastRun = run })
	if err != nil {
		return nil, err
	}
	s.record(ctx, "schedule.run", "schedule", e.GetId(), out.GetEtag(), fmt.Sprintf("%d/%d（上界%d）", run.GetPlacedCount(), run.GetMeetingsTotal(), run.GetUpperBound()))
	return g.present(out), nil
}

// GetSchedule returns the grid.
func (s *Service) GetSchedule(ctx context.Context, eventID string) (*eventsv1.Schedule, error) {
	e, set, err := s.organisedMatchmaking(ctx, eventID)
	if err != nil {
		return nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	return g.present(g.stored), nil
}

// PublishSchedule makes agendas visible to participants.
func (s *Service) PublishSchedule(ctx context.Context, eventID, etagText string) (*eventsv1.Schedule, error) {
	expect, err := optionalEtag("etag", etagText)
	if err != nil {
		return nil, err
	}
	e, set, err := s.organisedMatchmaking(ctx, eventID)
	if err != nil {
		return nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	if g.version == 0 || g.stored.GetLastRun() == nil {
		return nil, apperr.FailedPrecondition("请先运行排程再发布")
	}
	out, err := s.st.Schedules.Update(ctx, e.GetId(), expect, func(sc *eventsv1.Schedule) error {
		sc.Published, sc.PublishTime = true, timestamppb.New(s.now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "schedule.publish", "schedule", e.GetId(), out.GetEtag(), "")
	return g.present(out), nil
}

// MoveMeeting places one meeting by hand (or takes it out) and locks it;
// the verifier must accept the whole grid after the move.
func (s *Service) MoveMeeting(ctx context.Context, req *eventsv1.MoveMeetingRequest) (*eventsv1.Meeting, string, *eventsv1.ScheduleVerification, error) {
	expect, err := optionalEtag("etag", req.GetEtag())
	if err != nil {
		return nil, "", nil, err
	}
	if (req.GetSlotId() == "") != (req.GetTableId() == "") {
		return nil, "", nil, apperr.Invalid("table_id", "时段和桌位须同时填写，或同时留空以移出排程")
	}
	e, set, err := s.organisedMatchmaking(ctx, req.GetEventId())
	if err != nil {
		return nil, "", nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, "", nil, err
	}
	if expect > 0 && expect != g.version {
		return nil, "", nil, apperr.Conflict("排程已被他人修改，请刷新后重试")
	}
	i := slices.IndexFunc(g.meetings, func(m *eventsv1.Meeting) bool { return m.GetId() == req.GetMeetingId() })
	if i < 0 {
		return nil, "", nil, apperr.NotFound("会谈%s不存在（只有已接受的请求才是会谈）", req.GetMeetingId())
	}
	if req.GetSlotId() != "" {
		if !slices.ContainsFunc(set.GetSlots(), func(x *eventsv1.Slot) bool { return x.GetId() == req.GetSlotId() }) {
			return nil, "", nil, apperr.Invalid("slot_id", "时段%s不存在", req.GetSlotId())
		}
		if !slices.ContainsFunc(set.GetTables(), func(x *eventsv1.Table) bool { return x.GetId() == req.GetTableId() }) {
			return nil, "", nil, apperr.Invalid("table_id", "桌位%s不存在", req.GetTableId())
		}
	}
	m := g.meetings[i]
	m.SlotId, m.TableId, m.Locked = req.GetSlotId(), req.GetTableId(), true
	m.UnplacedReason = 0
	if m.SlotId == "" {
		m.UnplacedReason = eventsv1.UnplacedReason_UNPLACED_REASON_REMOVED_BY_ORGANISER
	}
	in, used := g.instance(func(*eventsv1.Meeting) bool { return false })
	verification := g.verification(in, g.solution(used))
	if !verification.GetValid() {
		v := verification.GetViolations()[0]
		return nil, "", verification, apperr.FailedPrecondition("不能这样移动：%s（%s）", v.GetDescription(), refdata.Label(v.GetKind()))
	}
	out, err := s.saveSchedule(ctx, g, e.GetId(), expect, func(*eventsv1.Schedule) {})
	if err != nil {
		return nil, "", nil, err
	}
	s.record(ctx, "schedule.move", "meeting", m.GetId(), out.GetEtag(), req.GetSlotId()+" "+req.GetTableId())
	return g.decorate(clone(m)), out.GetEtag(), verification, nil
}

// RecordNoShow records that one side did not come.
func (s *Service) RecordNoShow(ctx context.Context, eventID, meetingID, absent string) (*eventsv1.Meeting, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) {
		return nil, denied()
	}
	e, set, organiser, err := s.matchmakingEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(g.meetings, func(m *eventsv1.Meeting) bool { return m.GetId() == meetingID })
	if i < 0 {
		return nil, apperr.NotFound("会谈%s不存在", meetingID)
	}
	m := g.meetings[i]
	sides := []string{m.GetRequesterParticipantId(), m.GetRecipientParticipantId()}
	reporter := ""
	if !organiser {
		own, err := s.ownParticipant(ctx, p, e.GetId())
		if err != nil {
			return nil, err
		}
		if own == nil || !slices.Contains(sides, own.GetId()) {
			return nil, apperr.NotFound("会谈%s不存在", meetingID)
		}
		if absent == own.GetId() {
			return nil, apperr.Invalid("absent_participant_id", "只能报告对方缺席")
		}
		reporter = own.GetId()
	}
	if !slices.Contains(sides, absent) {
		return nil, apperr.Invalid("absent_participant_id", "缺席方须是该会谈的一方")
	}
	g.decorate(m)
	if m.GetSlotId() == "" || s.now().Before(m.GetStartTime().AsTime()) {
		return nil, apperr.FailedPrecondition("会谈尚未排定或尚未开始，不能报告缺席")
	}
	if slices.ContainsFunc(m.GetNoShows(), func(n *eventsv1.NoShow) bool { return n.GetAbsentParticipantId() == absent }) {
		return m, nil
	}
	m.NoShows = append(m.NoShows, &eventsv1.NoShow{AbsentParticipantId: absent, ReportedByParticipantId: reporter, ReportTime: timestamppb.New(s.now())})
	out, err := s.saveSchedule(ctx, g, e.GetId(), 0, func(*eventsv1.Schedule) {})
	if err != nil {
		return nil, err
	}
	s.record(ctx, "schedule.no_show", "meeting", meetingID, out.GetEtag(), absent)
	return m, nil
}

// GetAgenda returns one participant's day.
func (s *Service) GetAgenda(ctx context.Context, eventID, participantID string) (*eventsv1.Agenda, error) {
	p := auth.FromContext(ctx)
	if !domain.MayOrganise(p) && !p.Is(auth.RoleFirmUser) {
		return nil, denied()
	}
	e, set, pt, organiser, err := s.participantFor(ctx, p, eventID, participantID)
	if err != nil {
		return nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	published := g.stored.GetPublished()
	show := organiser || published
	a := &eventsv1.Agenda{EventId: e.GetId(), Participant: s.presentParticipants(ctx, e.GetId(), []*eventsv1.Participant{pt})[0], Published: published}
	mine := map[string]*eventsv1.Meeting{}
	for _, m := range g.meetings {
		if m.GetRequesterParticipantId() != pt.GetId() && m.GetRecipientParticipantId() != pt.GetId() {
			continue
		}
		g.decorate(m)
		if m.GetSlotId() == "" {
			if show {
				a.UnplacedMeetings = append(a.UnplacedMeetings, m)
			}
			continue
		}
		mine[m.GetSlotId()] = m
	}
	for _, sl := range set.GetSlots() {
		item := &eventsv1.AgendaItem{Slot: sl, Kind: eventsv1.AgendaItemKind_AGENDA_ITEM_KIND_FREE}
		if slices.Contains(pt.GetBlockedSlotIds(), sl.GetId()) {
			item.Kind = eventsv1.AgendaItemKind_AGENDA_ITEM_KIND_BLOCKED
		}
		if m := mine[sl.GetId()]; m != nil && show {
			item.Kind, item.Meeting = eventsv1.AgendaItemKind_AGENDA_ITEM_KIND_MEETING, m
			other := m.GetRecipientParticipantId()
			if other == pt.GetId() {
				other = m.GetRequesterParticipantId()
			}
			if j, ok := g.pIdx[other]; ok {
				o := g.participants[j]
				item.CounterpartParticipantId, item.CounterpartName, item.CounterpartRole, item.CounterpartProfileLine = o.GetId(), o.GetDisplayName(), o.GetRole(), o.GetProfileLine()
			}
		}
		a.Items = append(a.Items, item)
	}
	return a, nil
}

// ExportSchedule exports the grid and every agenda to .xlsx.
func (s *Service) ExportSchedule(ctx context.Context, eventID string) (*commonv1.File, error) {
	e, set, err := s.organisedMatchmaking(ctx, eventID)
	if err != nil {
		return nil, err
	}
	g, err := s.grid(ctx, e, set)
	if err != nil {
		return nil, err
	}
	gridSheet := sheet{name: "排程总表", header: []string{"时段"}}
	for _, tb := range set.GetTables() {
		gridSheet.header = append(gridSheet.header, tb.GetName())
	}
	cell := map[[2]string]string{}
	for _, m := range g.meetings {
		g.decorate(m)
		if m.GetSlotId() != "" {
			k := [2]string{m.GetSlotId(), m.GetTableId()}
			if cell[k] != "" {
				cell[k] += "；"
			}
			cell[k] += m.GetRequesterName() + " × " + m.GetRecipientName()
		}
	}
	for _, sl := range set.GetSlots() {
		row := []any{slotText(sl)}
		for _, tb := range set.GetTables() {
			row = append(row, cell[[2]string{sl.GetId(), tb.GetId()}])
		}
		gridSheet.rows = append(gridSheet.rows, row)
	}
	agenda := sheet{name: "参会方日程", header: []string{"参会方", "角色", "时段", "桌位", "对方", "状态"}}
	for _, pt := range g.participants {
		for _, sl := range set.GetSlots() {
			row := []any{pt.GetDisplayName(), refdata.Label(pt.GetRole()), slotText(sl), "", "", "空闲"}
			if slices.Contains(pt.GetBlockedSlotIds(), sl.GetId()) {
				row[5] = "不可用"
			}
			for _, m := range g.meetings {
				if m.GetSlotId() == sl.GetId() && (m.GetRequesterParticipantId() == pt.GetId() || m.GetRecipientParticipantId() == pt.GetId()) {
					other := m.GetRecipientName()
					if m.GetRecipientParticipantId() == pt.GetId() {
						other = m.GetRequesterName()
					}
					row[3], row[4], row[5] = m.GetTableName(), other, "会谈"
				}
			}
			agenda.rows = append(agenda.rows, row)
		}
	}
	content, err := workbook(gridSheet, agenda)
	if err != nil {
		return nil, err
	}
	s.record(ctx, "schedule.export", "schedule", e.GetId(), "", fmt.Sprintf("%d场会谈", len(g.meetings)))
	return file("会谈排程.xlsx", content), nil
}

func slotText(sl *eventsv1.Slot) string {
	t := sl.GetStartTime().AsTime().In(shanghai).Format("15:04") + "–" + sl.GetEndTime().AsTime().In(shanghai).Format("15:04")
	if sl.GetLabel() != "" {
		t = sl.GetLabel() + " " + t
	}
	return t
}
