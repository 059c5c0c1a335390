package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	catalogapp "github.com/qihang-hz/qihang/services/catalog/app"
	catalogdomain "github.com/qihang-hz/qihang/services/catalog/domain"
	eventsapp "github.com/qihang-hz/qihang/services/events/app"
	profilesapp "github.com/qihang-hz/qihang/services/profiles/app"
	profilesdomain "github.com/qihang-hz/qihang/services/profiles/domain"
)

// EventsSummary reports what LoadEvents did.
type EventsSummary struct {
	AlreadyLoaded bool
	Events        int
	Registrations int
	Outcomes      int
	Participants  int
	Requests      int
	Booths        int
	Certificates  int
	Feedback      int
	Elapsed       time.Duration
}

// demoExpoTitle names the first demo event; its presence means the demo
// events are loaded.
const demoExpoTitle = "2025全球跨境电商交易会杭州代表团"

type eventsLoader struct {
	ctx   context.Context
	ev    *eventsapp.Service
	sum   *EventsSummary
	phone int
	now   time.Time
}

func (l *eventsLoader) attendee(name string) *commonv1.Contact {
	l.phone++
	return &commonv1.Contact{Name: name, Title: "外贸经理", Phone: fmt.Sprintf("1390571%04d", l.phone)}
}

func ts(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

func (l *eventsLoader) create(e *eventsv1.Event, publish bool) (*eventsv1.Event, error) {
	e.Sample = true
	out, err := l.ev.CreateEvent(l.ctx, e)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", e.GetTitle(), err)
	}
	l.sum.Events++
	if publish {
		if out, err = l.ev.PublishEvent(l.ctx, out.GetId(), ""); err != nil {
			return nil, fmt.Errorf("publish %s: %w", e.GetTitle(), err)
		}
	}
	return out, nil
}

func (l *eventsLoader) register(eventID string, r *eventsv1.Registration, nominate bool) (*eventsv1.Registration, error) {
	r.Sample = true
	var out *eventsv1.Registration
	var err error
	if nominate {
		out, err = l.ev.CreateNomination(l.ctx, eventID, r)
	} else {
		out, err = l.ev.CreateRegistration(l.ctx, eventID, r)
	}
	if err != nil {
		return nil, fmt.Errorf("registration at %s: %w", eventID, err)
	}
	l.sum.Registrations++
	return out, nil
}

// moveToPast shifts a finished demo event (and its sessions) back by d, so
// the registrations, check-ins and attendance recorded while it was
// upcoming become a past event's.
func (l *eventsLoader) moveToPast(e *eventsv1.Event, d time.Duration) (*eventsv1.Event, error) {
	cur, err := l.ev.GetEvent(l.ctx, e.GetId())
	if err != nil {
		return nil, err
	}
	patch := &eventsv1.Event{Id: cur.GetId(), Etag: cur.GetEtag(),
		StartTime: ts(cur.GetStartTime().AsTime().Add(-d)), EndTime: ts(cur.GetEndTime().AsTime().Add(-d)),
		RegistrationCloseTime: ts(cur.GetStartTime().AsTime().Add(-d - 24*time.Hour))}
	paths := []string{"start_time", "end_time", "registration_close_time"}
	if len(cur.GetSessions()) > 0 {
		for _, s := range cur.GetSessions() {
			s.StartTime, s.EndTime = ts(s.GetStartTime().AsTime().Add(-d)), ts(s.GetEndTime().AsTime().Add(-d))
		}
		patch.Sessions = cur.GetSessions()
		paths = append(paths, "sessions")
	}
	return l.ev.UpdateEvent(l.ctx, patch, paths)
}

// booths has four firms apply for booths at the (still upcoming) expo, some
// with their association: two are approved with booth numbers, one is
// declined and one withdrawn.
func (l *eventsLoader) booths(expo *eventsv1.Event, firms []*profilesapp.FirmView, assocOf func(*profilesapp.FirmView) string) error {
	exhibits := []string{"户外折叠家具、露营装备", "羽绒服、羽绒被", "智能小家电", "竹木餐厨用品"}
	var apps []*eventsv1.BoothApplication
	for i, f := range firms {
		b, err := l.ev.CreateBoothApplication(l.ctx, expo.GetId(), &eventsv1.BoothApplication{
			FirmId: f.Firm.ID, AssociationId: assocOf(f), Exhibits: exhibits[i%len(exhibits)], BoothsRequested: int32(2 - i%2),
			Contact: l.attendee([]string{"何伟", "林娜", "高峰", "罗琳"}[i%4]), Note: "希望安排在杭州馆主通道附近", Sample: true,
		})
		if err != nil {
			return fmt.Errorf("booth application: %w", err)
		}
		apps = append(apps, b)
		l.sum.Booths++
	}
	steps := []func(b *eventsv1.BoothApplication) error{
		func(b *eventsv1.BoothApplication) error {
			_, err := l.ev.ApproveBoothApplication(l.ctx, expo.GetId(), b.GetId(), 0, []string{"1B-101", "1B-102"}, "")
			return err
		},
		func(b *eventsv1.BoothApplication) error {
			_, err := l.ev.ApproveBoothApplication(l.ctx, expo.GetId(), b.GetId(), 0, []string{"1B-103"}, "")
			return err
		},
		func(b *eventsv1.BoothApplication) error {
			_, err := l.ev.DeclineBoothApplication(l.ctx, expo.GetId(), b.GetId(), "展品与本届展会主题不符，建议报名下届家居专场", "")
			return err
		},
		func(b *eventsv1.BoothApplication) error {
			_, err := l.ev.WithdrawBoothApplication(l.ctx, expo.GetId(), b.GetId(), "")
			return err
		},
	}
	for i, b := range apps {
		if err := steps[i%len(steps)](b); err != nil {
			return fmt.Errorf("booth application %s: %w", b.GetFirmName(), err)
		}
	}
	return nil
}

// certificatesAndFeedback issues the ended training's certificates (to those
// who attended enough) and records feedback from two of the attendees who
// were checked in, on their behalf as sample data.
func (l *eventsLoader) certificatesAndFeedback(trainingID string) error {
	res, err := l.ev.IssueCertificates(l.ctx, trainingID, nil)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	l.sum.Certificates += len(res.Issued)
	regs, _, _, err := l.ev.ListRegistrations(l.ctx, eventsapp.RegistrationFilter{EventID: trainingID, CheckedIn: ptr(true)}, 100, "")
	if err != nil {
		return err
	}
	comments := []struct {
		rating  int32
		comment string
		needs   []commonv1.NeedTag
	}{
		{5, "VAT实务讲得很透，希望后续有一对一的合规辅导。", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX}},
		{4, "物流课程实用，海外仓部分时间略短。", []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS}},
	}
	for i, r := range regs {
		if i >= len(comments) {
			break
		}
		c := comments[i]
		if _, err := l.ev.CreateFeedback(l.ctx, trainingID, &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: c.rating, Comment: c.comment,
			FollowUpNeeds: c.needs, Sample: true}); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		l.sum.Feedback++
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// LoadEvents writes the demo events through the events use cases: a past
// expo delegation with registrations, nominations, booth applications,
// check-ins and outcomes; a training that ended twelve days ago with
// attendance, certificates and feedback; an upcoming matchmaking meeting with
// participants, blocked slots and accepted requests ready to schedule; an
// upcoming brand event on a demo belt; an upcoming training with a waiting
// list; a draft site visit and a cancelled event. Every record is marked as
// sample data. Load the profiles and catalog demo data first; ctx must be
// as for LoadCatalog (the events service reads firms over gRPC with the
// caller's token). It is idempotent: when the demo expo exists it writes
// nothing.
func LoadEvents(ctx context.Context, ev *eventsapp.Service, profiles *profilesapp.Service, catalog *catalogapp.Service, logger *slog.Logger) (*EventsSummary, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	sum := &EventsSummary{}
	existing, _, _, err := ev.ListEvents(ctx, eventsapp.EventFilter{TitleContains: demoExpoTitle}, 1, "")
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		sum.AlreadyLoaded = true
		return sum, nil
	}
	firms, _, _, err := profiles.ListFirms(ctx, profilesdomain.FirmFilter{}, 100, "")
	if err != nil {
		return nil, err
	}
	if len(firms) < 8 {
		return nil, fmt.Errorf("demo events need at least 8 demo firms, found %d", len(firms))
	}
	assocOf := func(f *profilesapp.FirmView) string {
		if ids := f.Firm.AssociationIDs(); len(ids) > 0 {
			return ids[0]
		}
		return ""
	}
	belts, _, _, err := catalog.ListIndustryBelts(ctx, catalogdomain.BeltFilter{Status: catalogv1.IndustryBeltStatus_INDUSTRY_BELT_STATUS_PUBLISHED}, 10, "")
	if err != nil {
		return nil, err
	}
	return loadEvents(&eventsLoader{ctx: ctx, ev: ev, sum: sum, now: time.Now().UTC().Truncate(time.Minute)}, firms, assocOf, belts, start)
}

func loadEvents(l *eventsLoader, firms []*profilesapp.FirmView, assocOf func(*profilesapp.FirmView) string, belts []*catalogv1.IndustryBelt, start time.Time) (*EventsSummary, error) {
	now := l.now
	both := eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS_AND_FIRMS
	open := eventsv1.RegistrationMode_REGISTRATION_MODE_OPEN

	// 1. The expo delegation: registered while upcoming, then moved to last
	// spring with check-ins and outcomes.
	expo, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_EXPO, Title: demoExpoTitle,
		Summary:     "市商务局组织协会代表和会员企业赴深圳参加全球跨境电商交易会，部分企业参展。",
		Description: "组织50名协会代表赴会，杭州馆设标准展位，会后统计合作意向与签约成果。",
		Organiser:   "杭州市商务局", CoOrganisers: []string{"杭州市社会组织促进会"}, Venue: "深圳国际会展中心", Address: "深圳市宝安区福海街道",
		StartTime: ts(now.Add(time.Hour)), EndTime: ts(now.Add(8 * time.Hour)), Audience: both, RegistrationMode: open,
		Capacity: 50, WaitlistEnabled: true, MaxAttendeesPerParty: 2, BoothCount: 40,
		Industries:    []commonv1.Industry{commonv1.Industry_INDUSTRY_APPAREL, commonv1.Industry_INDUSTRY_FURNITURE_HOME},
		TargetMarkets: []string{"US", "DE", "GB"}, EnquiryContact: "市商务局电商处 0571-85251234",
	}, true)
	if err != nil {
		return nil, err
	}
	names := []string{"王磊", "陈静", "刘洋", "张敏", "周杰", "吴芳", "孙浩", "郑丽"}
	var expoRegs []*eventsv1.Registration
	for i, f := range firms[:6] {
		r, err := l.register(expo.GetId(), &eventsv1.Registration{FirmId: f.Firm.ID, Attendee: l.attendee(names[i]), Note: "计划带样品参展"}, false)
		if err != nil {
			return nil, err
		}
		expoRegs = append(expoRegs, r)
	}
	for i, f := range firms[6:8] {
		if a := assocOf(f); a != "" {
			r, err := l.register(expo.GetId(), &eventsv1.Registration{FirmId: f.Firm.ID, NominatingAssociationId: a, Attendee: l.attendee(names[6+i])}, true)
			if err != nil {
				return nil, err
			}
			if _, err := l.ev.ApproveRegistration(l.ctx, expo.GetId(), r.GetId(), ""); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range expoRegs[:4] {
		if _, err := l.ev.CheckInRegistration(l.ctx, expo.GetId(), r.GetId(), r.GetCheckInCode(), ""); err != nil {
			return nil, err
		}
	}
	if err := l.booths(expo, firms[:4], assocOf); err != nil {
		return nil, err
	}
	if _, err := l.moveToPast(expo, 200*24*time.Hour); err != nil {
		return nil, err
	}
	value := int64(186_000_000) // 186万元
	outcomes := []*eventsv1.Outcome{
		{FirmId: firms[0].Firm.ID, Kind: eventsv1.OutcomeKind_OUTCOME_KIND_CONTRACT_SIGNED, CounterpartName: "Acme Home Inc.", CounterpartRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, ValueFen: &value, Market: "US", Description: "首批2000件户外折叠椅"},
		{FirmId: firms[1].Firm.ID, Kind: eventsv1.OutcomeKind_OUTCOME_KIND_INTENT, CounterpartName: "Nordic Living AB", CounterpartRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, Market: "SE", Description: "签订合作意向书"},
		{FirmId: firms[2].Firm.ID, Kind: eventsv1.OutcomeKind_OUTCOME_KIND_FIRST_CROSS_BORDER_ORDER, CounterpartName: "亚马逊全球开店", CounterpartRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_PLATFORM, Platform: commonv1.SalesPlatform_SALES_PLATFORM_AMAZON, Market: "DE", Description: "德国站首单"},
		{FirmId: firms[3].Firm.ID, Kind: eventsv1.OutcomeKind_OUTCOME_KIND_SAMPLE_ORDER, CounterpartName: "Maple Retail Ltd.", CounterpartRole: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, Market: "GB", Description: "样品订单50件"},
	}
	for i, o := range outcomes {
		o.Sample, o.OccurTime = true, ts(now.Add(-time.Duration(180-i*20)*24*time.Hour))
		if _, err := l.ev.CreateOutcome(l.ctx, expo.GetId(), o); err != nil {
			return nil, fmt.Errorf("outcome: %w", err)
		}
		l.sum.Outcomes++
	}

	// 2. A past training with sessions, attendance and 12 elite places.
	trainStart := now.Add(time.Hour)
	training, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_TRAINING, Title: "跨境电商精英人才培训班（2025年第一期）",
		Summary: "平台规则、合规与物流实务，结业可获证书，优秀学员推荐进入精英人才计划。", Organiser: "杭州市商务局",
		District: commonv1.District_DISTRICT_XIAOSHAN, Venue: "萧山区跨境电商服务中心", Address: "萧山区市心北路",
		StartTime: ts(trainStart), EndTime: ts(trainStart.Add(7 * time.Hour)), Audience: both, RegistrationMode: open,
		Capacity: 60, CertificateMinSessions: 1, EliteRecommendationQuota: 12,
		Sessions: []*eventsv1.Session{
			{Title: "亚马逊欧洲站合规与VAT实务", StartTime: ts(trainStart), EndTime: ts(trainStart.Add(3 * time.Hour)), Speakers: []string{"张华（亚马逊全球开店）"}},
			{Title: "跨境物流与海外仓", StartTime: ts(trainStart.Add(4 * time.Hour)), EndTime: ts(trainStart.Add(7 * time.Hour)), Speakers: []string{"李强（菜鸟国际）"}},
		},
		Topics: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_COMPLIANCE_TAX, commonv1.NeedTag_NEED_TAG_LOGISTICS},
	}, true)
	if err != nil {
		return nil, err
	}
	for i, f := range firms[:4] {
		r, err := l.register(training.GetId(), &eventsv1.Registration{FirmId: f.Firm.ID, Attendee: l.attendee(names[i] + "（学员）")}, false)
		if err != nil {
			return nil, err
		}
		if i < 3 {
			if _, err := l.ev.CheckInRegistration(l.ctx, training.GetId(), r.GetId(), r.GetCheckInCode(), training.GetSessions()[0].GetId()); err != nil {
				return nil, err
			}
		}
	}
	// It ended twelve days ago: certificates are out and feedback is still
	// coming in (it is taken for 30 days).
	if _, err := l.moveToPast(training, 12*24*time.Hour); err != nil {
		return nil, err
	}
	if err := l.certificatesAndFeedback(training.GetId()); err != nil {
		return nil, err
	}

	// 3. The upcoming matchmaking meeting, ready to schedule.
	mmStart := now.Add(10 * 24 * time.Hour)
	mm, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_MATCHMAKING, Title: "跨境电商资源对接会（采购商与平台专场）",
		Summary: "会员企业与海外采购商、跨境平台、服务商1对1洽谈。", Organiser: "杭州市商务局", CoOrganisers: []string{"杭州市跨境电子商务协会"},
		Venue: "杭州国际博览中心2B馆", StartTime: ts(mmStart), EndTime: ts(mmStart.Add(4 * time.Hour)),
		Audience: eventsv1.EventAudience_EVENT_AUDIENCE_FIRMS, RegistrationMode: open, Capacity: 80,
	}, true)
	if err != nil {
		return nil, err
	}
	set, err := l.ev.GetMatchmakingSettings(l.ctx, mm.GetId())
	if err != nil {
		return nil, err
	}
	var slots []*eventsv1.Slot
	for i := range 6 {
		s := mmStart.Add(time.Duration(i) * 30 * time.Minute)
		slots = append(slots, &eventsv1.Slot{StartTime: ts(s), EndTime: ts(s.Add(25 * time.Minute)), Label: fmt.Sprintf("第%d轮", i+1)})
	}
	set, err = l.ev.UpdateMatchmakingSettings(l.ctx, &eventsv1.MatchmakingSettings{EventId: mm.GetId(), Etag: set.GetEtag(), Slots: slots,
		Tables: []*eventsv1.Table{{Name: "A01"}, {Name: "A02"}, {Name: "A03"}, {Name: "A04"}}}, []string{"slots", "tables"})
	if err != nil {
		return nil, err
	}
	var firmParts []*eventsv1.Participant
	for i, f := range firms[:4] {
		if _, err := l.register(mm.GetId(), &eventsv1.Registration{FirmId: f.Firm.ID, Attendee: l.attendee(names[i] + "（对接）")}, false); err != nil {
			return nil, err
		}
		p, err := l.ev.CreateParticipant(l.ctx, mm.GetId(), &eventsv1.Participant{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_FIRM, FirmId: f.Firm.ID,
			ProfileLine: "寻找北美、欧洲采购商和平台资源", Sample: true})
		if err != nil {
			return nil, err
		}
		firmParts = append(firmParts, p)
		l.sum.Participants++
	}
	counterparts := []*eventsv1.Participant{
		{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "Acme Home Inc.", ProfileLine: "美国家居采购商，寻找户外家具与收纳用品供应商", Markets: []string{"US"}},
		{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_BUYER, DisplayName: "Nordic Living AB", ProfileLine: "北欧家居连锁，采购纺织与家居用品", Markets: []string{"SE", "NO"}, BlockedSlotIds: []string{set.GetSlots()[0].GetId(), set.GetSlots()[1].GetId()}},
		{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_PLATFORM, DisplayName: "亚马逊全球开店", ProfileLine: "欧美站点招商", Platform: commonv1.SalesPlatform_SALES_PLATFORM_AMAZON},
		{Role: eventsv1.ParticipantRole_PARTICIPANT_ROLE_SERVICE_PROVIDER, DisplayName: "杭州某国际物流有限公司", ProfileLine: "海外仓与头程物流", Services: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS}},
	}
	var cps []*eventsv1.Participant
	for _, c := range counterparts {
		c.Sample = true
		p, err := l.ev.CreateParticipant(l.ctx, mm.GetId(), c)
		if err != nil {
			return nil, err
		}
		cps = append(cps, p)
		l.sum.Participants++
	}
	for i, fp := range firmParts {
		for j, cp := range cps {
			if (i+j)%2 == 1 {
				continue
			}
			r, err := l.ev.CreateMeetingRequest(l.ctx, mm.GetId(), &eventsv1.MeetingRequest{RequesterParticipantId: fp.GetId(), RecipientParticipantId: cp.GetId(),
				Message: "我司希望了解贵方的采购与合作需求", Sample: true})
			if err != nil {
				return nil, err
			}
			l.sum.Requests++
			if i < 3 {
				if _, err := l.ev.AcceptMeetingRequest(l.ctx, mm.GetId(), r.GetId(), "欢迎洽谈"); err != nil {
					return nil, err
				}
			}
		}
	}

	// 4. An upcoming brand event on a demo belt, in the belt's district.
	if len(belts) > 0 {
		b := belts[0]
		bs := now.Add(20 * 24 * time.Hour)
		if _, err := l.create(&eventsv1.Event{
			Kind: eventsv1.EventKind_EVENT_KIND_BRAND_EVENT, Title: fmt.Sprintf("“跨境电商+产业带”品牌推介会：%s", b.GetBrandName()),
			Summary: "产业带企业集中展示，对接平台与服务商。", Organiser: "区商务局", District: b.GetDistrict(), Venue: "产业带展示中心",
			StartTime: ts(bs), EndTime: ts(bs.Add(3 * time.Hour)), Audience: both, RegistrationMode: open, Capacity: 120,
			IndustryBeltIds: []string{b.GetId()}, Industries: []commonv1.Industry{b.GetIndustry()},
		}, true); err != nil {
			return nil, err
		}
	}

	// 5. An upcoming, nearly full training with a waiting list.
	ts2 := now.Add(30 * 24 * time.Hour)
	small, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_TRAINING, Title: "TikTok Shop美区入驻与运营实训",
		Summary: "小班实操，名额有限，报满后进入候补。", Organiser: "杭州市商务局", District: commonv1.District_DISTRICT_YUHANG,
		Venue: "余杭区电商产业园", StartTime: ts(ts2), EndTime: ts(ts2.Add(3 * time.Hour)), Audience: both, RegistrationMode: open,
		Capacity: 3, WaitlistEnabled: true,
		Sessions: []*eventsv1.Session{{Title: "美区入驻实操", StartTime: ts(ts2), EndTime: ts(ts2.Add(3 * time.Hour))}},
	}, true)
	if err != nil {
		return nil, err
	}
	for i, f := range firms[:5] {
		if _, err := l.register(small.GetId(), &eventsv1.Registration{FirmId: f.Firm.ID, Attendee: l.attendee(names[i] + "（实训）")}, false); err != nil {
			return nil, err
		}
	}

	// 6. A draft site visit and a cancelled event.
	sv := now.Add(45 * 24 * time.Hour)
	if _, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_SITE_VISIT, Title: "临平海外仓及跨境电商园区考察", Summary: "参观海外仓运营中心。",
		Organiser: "临平区商务局", District: commonv1.District_DISTRICT_LINPING, Venue: "临平跨境电商园", StartTime: ts(sv), EndTime: ts(sv.Add(4 * time.Hour)),
		Audience: eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS, RegistrationMode: eventsv1.RegistrationMode_REGISTRATION_MODE_NOMINATION, Capacity: 30,
	}, false); err != nil {
		return nil, err
	}
	cv := now.Add(15 * 24 * time.Hour)
	c, err := l.create(&eventsv1.Event{
		Kind: eventsv1.EventKind_EVENT_KIND_EXPO, Title: "滨江跨境电商选品会", Summary: "选品对接。", Organiser: "滨江区商务局",
		District: commonv1.District_DISTRICT_BINJIANG, Venue: "滨江会展中心", StartTime: ts(cv), EndTime: ts(cv.Add(5 * time.Hour)),
		Audience: both, RegistrationMode: open, Capacity: 100,
	}, true)
	if err != nil {
		return nil, err
	}
	if _, err := l.ev.CancelEvent(l.ctx, c.GetId(), "因台风预警延期举办", ""); err != nil {
		return nil, err
	}
	l.sum.Elapsed = time.Since(start)
	return l.sum, nil
}
