package domain

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// Field limits.
const (
	MaxNameRunes        = 50
	MaxOrgRunes         = 100
	MaxTitleRunes       = 50
	MaxBioRunes         = 2000
	MaxMarkets          = 30
	MaxParks            = 20
	MaxParkRunes        = 50
	MaxPauseNoteRunes   = 200
	MaxCapacity         = 40
	MaxSubjectRunes     = 60
	MaxNeeds            = 5
	MaxDescriptionRunes = 2000
	MaxPreferredTimes   = 5
	MaxTimeNoteRunes    = 200
	MaxNoteRunes        = 5000
	MaxLinks            = 20
	MaxReasonRunes      = 500
	MaxCommentRunes     = 500
	MaxClinicTitleRunes = 60
	MaxAddressRunes     = 200
	MaxURLLength        = 500
)

func textRange(v *apperr.ValidationError, field, s string, minRunes, maxRunes int, what string) {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case minRunes > 0 && n == 0:
		v.Add(field, "请填写%s", what)
	case n < minRunes:
		v.Add(field, "%s至少%d个字，当前%d个字", what, minRunes, n)
	case utf8.RuneCountInString(s) > maxRunes:
		v.Add(field, "%s最多%d个字，当前%d个字", what, maxRunes, utf8.RuneCountInString(s))
	}
}

// enumList checks a list of enum values: defined, not UNSPECIFIED, no
// repeats, between min and max entries.
func enumList[E interface {
	comparable
	protoreflect.Enum
}](v *apperr.ValidationError, field string, list []E, minN, maxN int, what string) {
	if len(list) < minN {
		v.Add(field, "请至少选择%d项%s", minN, what)
	}
	if maxN > 0 && len(list) > maxN {
		v.Add(field, "%s最多%d项，当前%d项", what, maxN, len(list))
	}
	seen := map[E]bool{}
	for i, e := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !refdata.Defined(e):
			v.Add(f, "未知的%s取值%d，可选：%s", what, e.Number(), refdata.Labels(e.Descriptor()))
		case seen[e]:
			v.Add(f, "%s“%s”重复", what, refdata.Label(e))
		}
		seen[e] = true
	}
}

func optionalEnum(v *apperr.ValidationError, field string, e protoreflect.Enum, what string) {
	if e.Number() != 0 && !refdata.Defined(e) {
		v.Add(field, "未知的%s取值%d，可选：%s", what, e.Number(), refdata.Labels(e.Descriptor()))
	}
}

// markets normalises and checks ISO 3166-1 alpha-2 codes in place.
func markets(v *apperr.ValidationError, field string, list []string, maxN int) {
	if len(list) > maxN {
		v.Add(field, "市场最多%d个，当前%d个", maxN, len(list))
	}
	seen := map[string]bool{}
	for i, m := range list {
		code, ok := refdata.ParseMarket(m)
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !ok:
			v.Add(f, "“%s”不是ISO 3166-1两位国家或地区代码（如US、DE）", m)
		case seen[code]:
			v.Add(f, "市场“%s”重复", code)
		default:
			list[i] = code
		}
		seen[code] = true
	}
}

func webURL(v *apperr.ValidationError, field, s string) {
	if s == "" {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURLLength {
		v.Add(field, "链接须为http或https地址（最多%d个字符），当前为“%s”", MaxURLLength, s)
	}
}

func venue(v *apperr.ValidationError, field string, ve *consultv1.Venue) {
	if ve == nil {
		v.Add(field, "线下（园区）须填写园区及所在区县")
		return
	}
	textRange(v, field+".park", ve.GetPark(), 1, MaxParkRunes, "园区名称")
	if !refdata.Defined(ve.GetDistrict()) {
		v.Add(field+".district", "请选择园区所在区县")
	}
	textRange(v, field+".address", ve.GetAddress(), 0, MaxAddressRunes, "地址")
}

// NormalizeExpert trims text and fills the defaults (languages "zh").
func NormalizeExpert(e *consultv1.Expert) {
	e.Name, e.Organisation, e.Title = strings.TrimSpace(e.Name), strings.TrimSpace(e.Organisation), strings.TrimSpace(e.Title)
	for i, l := range e.Languages {
		e.Languages[i] = strings.ToLower(strings.TrimSpace(l))
	}
	if len(e.Languages) == 0 {
		e.Languages = []string{"zh"}
	}
	for i, p := range e.Parks {
		e.Parks[i] = strings.TrimSpace(p)
	}
}

// ValidateExpert checks an expert's profile; every broken rule names its
// field under "expert.".
func ValidateExpert(e *consultv1.Expert) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	textRange(v, "expert.name", e.GetName(), 2, MaxNameRunes, "专家姓名")
	textRange(v, "expert.organisation", e.GetOrganisation(), 1, MaxOrgRunes, "所在机构")
	textRange(v, "expert.title", e.GetTitle(), 0, MaxTitleRunes, "职务")
	enumList(v, "expert.specialties", e.GetSpecialties(), 1, 0, "擅长领域")
	enumList(v, "expert.stages", e.GetStages(), 1, 0, "适合阶段")
	markets(v, "expert.markets", e.GetMarkets(), MaxMarkets)
	enumList(v, "expert.platforms", e.GetPlatforms(), 0, 0, "平台")
	seen := map[string]bool{}
	for i, l := range e.GetLanguages() {
		f := fmt.Sprintf("expert.languages[%d]", i)
		if len(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
			v.Add(f, "“%s”不是ISO 639-1两位语言代码（如zh、en）", l)
		} else if seen[l] {
			v.Add(f, "语言“%s”重复", l)
		}
		seen[l] = true
	}
	enumList(v, "expert.districts", e.GetDistricts(), 0, 0, "区县")
	if !e.GetOnline() && len(e.GetDistricts()) == 0 {
		v.Add("expert.online", "专家须支持线上咨询或至少服务一个区县（线下）")
	}
	if len(e.GetParks()) > MaxParks {
		v.Add("expert.parks", "园区最多%d个", MaxParks)
	}
	for i, p := range e.GetParks() {
		textRange(v, fmt.Sprintf("expert.parks[%d]", i), p, 1, MaxParkRunes, "园区名称")
	}
	textRange(v, "expert.bio", e.GetBio(), 0, MaxBioRunes, "简介")
	if c := e.GetWeeklyCapacity(); c < 1 || c > MaxCapacity {
		v.Add("expert.weekly_capacity", "每周可接咨询次数须在1至%d之间，当前为%d", MaxCapacity, c)
	}
	if b := e.GetDefaultBufferMinutes(); b < 0 || b > MaxBufferMinutes {
		v.Add("expert.default_buffer_minutes", "缓冲时间须在0至%d分钟之间，当前为%d", MaxBufferMinutes, b)
	}
	textRange(v, "expert.pause_note", e.GetPauseNote(), 0, MaxPauseNoteRunes, "暂停说明")
	return v
}

// ValidateSlot checks a slot an expert publishes at now, with its buffers in
// force filled in already. newSlot says the slot is being created (or
// moved), so it must lie in the future.
func ValidateSlot(s *consultv1.Slot, e *consultv1.Expert, now time.Time, newSlot bool) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if s.GetStartTime() == nil || s.GetEndTime() == nil {
		if s.GetStartTime() == nil {
			v.Add("slot.start_time", "请填写开始时间")
		}
		if s.GetEndTime() == nil {
			v.Add("slot.end_time", "请填写结束时间")
		}
	} else {
		start, end := s.GetStartTime().AsTime(), s.GetEndTime().AsTime()
		if newSlot && !start.After(now) {
			v.Add("slot.start_time", "时段须在将来，%s已过去", start.In(CST).Format("2006-01-02 15:04"))
		}
		if newSlot && start.After(now.AddDate(0, 0, MaxSlotAheadDays)) {
			v.Add("slot.start_time", "时段最多可提前%d天发布", MaxSlotAheadDays)
		}
		if d := end.Sub(start); d < MinSlotMinutes*time.Minute || d > MaxSlotMinutes*time.Minute {
			v.Add("slot.end_time", "时长须在%d至%d分钟之间，当前为%d分钟", MinSlotMinutes, MaxSlotMinutes, int(d/time.Minute))
		}
	}
	switch s.GetMode() {
	case consultv1.SessionMode_SESSION_MODE_ONLINE:
		if !e.GetOnline() {
			v.Add("slot.mode", "专家%s不提供线上咨询，不能发布线上时段", e.GetName())
		}
		if s.GetVenue() != nil && s.GetVenue().GetPark() != "" {
			v.Add("slot.venue", "线上时段不填写园区")
		}
	case consultv1.SessionMode_SESSION_MODE_ON_SITE:
		venue(v, "slot.venue", s.GetVenue())
	default:
		v.Add("slot.mode", "请选择咨询方式：线上或线下（园区）")
	}
	webURL(v, "slot.meeting_url", s.GetMeetingUrl())
	for f, b := range map[string]int32{"slot.buffer_before_minutes": s.GetBufferBeforeMinutes(), "slot.buffer_after_minutes": s.GetBufferAfterMinutes()} {
		if b < 0 || b > MaxBufferMinutes {
			v.Add(f, "缓冲时间须在0至%d分钟之间，当前为%d", MaxBufferMinutes, b)
		}
	}
	return v
}

// ValidateClinic checks a clinic being scheduled at now.
func ValidateClinic(c *consultv1.Clinic, now time.Time) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if c.GetExpertId() == "" {
		v.Add("clinic.expert_id", "请指定坐诊专家")
	}
	textRange(v, "clinic.title", c.GetTitle(), 2, MaxClinicTitleRunes, "坐诊标题")
	textRange(v, "clinic.description", c.GetDescription(), 0, MaxDescriptionRunes, "说明")
	venue(v, "clinic.venue", c.GetVenue())
	enumList(v, "clinic.focus_needs", c.GetFocusNeeds(), 0, MaxNeeds, "重点领域")
	sm, gm := c.GetSlotMinutes(), c.GetGapMinutes()
	if sm < MinClinicSlot || sm > MaxClinicSlot {
		v.Add("clinic.slot_minutes", "每个时段须为%d至%d分钟，当前为%d", MinClinicSlot, MaxClinicSlot, sm)
	}
	if gm < 0 || gm > MaxClinicGap {
		v.Add("clinic.gap_minutes", "时段间隔须为0至%d分钟，当前为%d", MaxClinicGap, gm)
	}
	if c.GetStartTime() == nil || c.GetEndTime() == nil {
		v.Add("clinic.start_time", "请填写坐诊的开始和结束时间")
		return v
	}
	start, end := c.GetStartTime().AsTime(), c.GetEndTime().AsTime()
	if !start.After(now) {
		v.Add("clinic.start_time", "坐诊须在将来")
	}
	switch {
	case !end.After(start):
		v.Add("clinic.end_time", "结束时间须晚于开始时间")
	case end.Sub(start) > MaxClinicHours*time.Hour || !DayStart(start).Equal(DayStart(end.Add(-time.Nanosecond))):
		v.Add("clinic.end_time", "坐诊为半天：同一天内，最长%d小时", MaxClinicHours)
	case sm >= MinClinicSlot && sm <= MaxClinicSlot && gm >= 0 && len(ClinicSpans(start, end, sm, gm)) < 2:
		v.Add("clinic.slot_minutes", "坐诊至少要有两个时段，请缩短时段或延长坐诊时间")
	}
	return v
}

// NormalizeConsultation trims text.
func NormalizeConsultation(c *consultv1.Consultation) {
	c.Subject, c.Description, c.PreferredTimeNote = strings.TrimSpace(c.Subject), strings.TrimSpace(c.Description), strings.TrimSpace(c.PreferredTimeNote)
	if ct := c.GetContact(); ct != nil {
		ct.Name, ct.Phone, ct.Email = strings.TrimSpace(ct.Name), contact.NormalizePhone(ct.Phone), strings.TrimSpace(ct.Email)
	}
}

// ValidateConsultation checks a request's fields at now (preferred times
// must lie ahead). Field names are under "consultation.".
func ValidateConsultation(c *consultv1.Consultation, now time.Time) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	textRange(v, "consultation.subject", c.GetSubject(), 0, MaxSubjectRunes, "主题")
	if len(c.GetNeeds()) == 0 {
		v.Add("consultation.needs", "请至少选择1项需要咨询的领域（最多%d项），可选：%s", MaxNeeds, refdata.Labels(commonv1.NeedTag(0).Descriptor()))
	} else {
		enumList(v, "consultation.needs", c.GetNeeds(), 1, MaxNeeds, "咨询领域")
	}
	optionalEnum(v, "consultation.stage", c.GetStage(), "跨境电商阶段")
	markets(v, "consultation.markets", c.GetMarkets(), MaxMarkets)
	enumList(v, "consultation.platforms", c.GetPlatforms(), 0, 0, "平台")
	textRange(v, "consultation.description", c.GetDescription(), 0, MaxDescriptionRunes, "情况说明")
	optionalEnum(v, "consultation.preferred_mode", c.GetPreferredMode(), "咨询方式")
	if len(c.GetPreferredTimes()) > MaxPreferredTimes {
		v.Add("consultation.preferred_times", "期望时间最多%d段", MaxPreferredTimes)
	}
	for i, w := range c.GetPreferredTimes() {
		f := fmt.Sprintf("consultation.preferred_times[%d]", i)
		switch {
		case w.GetStartTime() == nil || w.GetEndTime() == nil:
			v.Add(f, "期望时间须有开始和结束")
		case !w.GetEndTime().AsTime().After(w.GetStartTime().AsTime()):
			v.Add(f+".end_time", "结束须晚于开始")
		case !w.GetEndTime().AsTime().After(now):
			v.Add(f, "期望时间须在将来")
		}
	}
	textRange(v, "consultation.preferred_time_note", c.GetPreferredTimeNote(), 0, MaxTimeNoteRunes, "时间说明")
	optionalEnum(v, "consultation.preferred_district", c.GetPreferredDistrict(), "区县")
	if ct := c.GetContact(); ct != nil {
		textRange(v, "consultation.contact.name", ct.GetName(), 1, MaxNameRunes, "联系人姓名")
		if ct.GetPhone() != "" && !contact.IsMaskedPhone(ct.GetPhone()) {
			if msg := contact.ValidatePhone(ct.GetPhone()); msg != "" {
				v.Add("consultation.contact.phone", "%s", msg)
			}
		}
		if ct.GetEmail() != "" && !contact.IsMaskedEmail(ct.GetEmail()) {
			if msg := contact.ValidateEmail(ct.GetEmail()); msg != "" {
				v.Add("consultation.contact.email", "%s", msg)
			}
		}
	}
	return v
}

// ValidateCaseNote checks a note written at now; the follow-up day is
// truncated to its day in place.
func ValidateCaseNote(n *consultv1.CaseNote, now time.Time) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	textRange(v, "case_note.summary", n.GetSummary(), 1, MaxNoteRunes, "咨询记录")
	textRange(v, "case_note.advice", n.GetAdvice(), 0, MaxNoteRunes, "建议")
	if f := n.GetFollowUpTime(); f != nil {
		day := DayStart(f.AsTime())
		if day.Before(DayStart(now)) {
			v.Add("case_note.follow_up_time", "回访日期须为今天或以后")
		}
	}
	links := func(field string, list []string, what string) {
		if len(list) > MaxLinks {
			v.Add(field, "%s最多%d个", what, MaxLinks)
		}
		seen := map[string]bool{}
		for i, id := range list {
			f := fmt.Sprintf("%s[%d]", field, i)
			switch {
			case !ids.Valid(id):
				v.Add(f, "未知的%s编号“%s”", what, id)
			case seen[id]:
				v.Add(f, "%s“%s”重复", what, id)
			}
			seen[id] = true
		}
	}
	links("case_note.policy_ids", n.GetPolicyIds(), "政策")
	links("case_note.training_event_ids", n.GetTrainingEventIds(), "培训")
	return v
}

// DefaultSettings are the settings before a bureau admin changes them.
func DefaultSettings() *consultv1.ConsultSettings {
	return &consultv1.ConsultSettings{
		QuotaPeriod: consultv1.QuotaPeriod_QUOTA_PERIOD_QUARTER, FirmQuota: 3,
		RequestPickupHours: 48, AssignmentPickupHours: 72, MinBookingNoticeHours: 2,
	}
}

// ValidateSettings checks the fair-use settings.
func ValidateSettings(s *consultv1.ConsultSettings) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if !refdata.Defined(s.GetQuotaPeriod()) {
		v.Add("settings.quota_period", "请选择额度周期：%s", refdata.Labels(s.GetQuotaPeriod().Descriptor()))
	}
	rng := func(f string, x, lo, hi int32, what string) {
		if x < lo || x > hi {
			v.Add(f, "%s须在%d至%d之间，当前为%d", what, lo, hi, x)
		}
	}
	rng("settings.firm_quota", s.GetFirmQuota(), 1, 50, "每期免费咨询次数")
	rng("settings.request_pickup_hours", s.GetRequestPickupHours(), 1, 720, "待匹配时限（小时）")
	rng("settings.assignment_pickup_hours", s.GetAssignmentPickupHours(), 1, 720, "指派后预约时限（小时）")
	rng("settings.min_booking_notice_hours", s.GetMinBookingNoticeHours(), 0, 168, "最短预约提前量（小时）")
	return v
}
