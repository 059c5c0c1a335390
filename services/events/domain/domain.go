// Package domain holds the events service's rules that need no storage: who
// organises an event and who is a registrant or a booth applicant, the
// status that follows from the clock, what a valid event, booth application
// or feedback looks like, what may be published, who earned a certificate,
// and the check-in codes and certificate numbers.
package domain

import (
	"crypto/rand"
	"slices"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// Short names of the statuses.
const (
	Draft     = eventsv1.EventStatus_EVENT_STATUS_DRAFT
	Published = eventsv1.EventStatus_EVENT_STATUS_PUBLISHED
	Closed    = eventsv1.EventStatus_EVENT_STATUS_REGISTRATION_CLOSED
	Completed = eventsv1.EventStatus_EVENT_STATUS_COMPLETED
	Cancelled = eventsv1.EventStatus_EVENT_STATUS_CANCELLED

	RegPending    = eventsv1.RegistrationStatus_REGISTRATION_STATUS_PENDING_APPROVAL
	RegConfirmed  = eventsv1.RegistrationStatus_REGISTRATION_STATUS_CONFIRMED
	RegWaitlisted = eventsv1.RegistrationStatus_REGISTRATION_STATUS_WAITLISTED
	RegDeclined   = eventsv1.RegistrationStatus_REGISTRATION_STATUS_DECLINED
	RegCancelled  = eventsv1.RegistrationStatus_REGISTRATION_STATUS_CANCELLED
)

// MayOrganise reports whether p's role can organise any event at all
// (bureau admins, district officers, and the launcher's system principal).
func MayOrganise(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer) || p.Role == auth.RoleSystem
}

// MayMarkSample reports whether p may mark records as sample data: only the
// launcher's own identity (the system principal, or the "system" bureau
// admin the demo loader writes as).
func MayMarkSample(p auth.Principal) bool {
	return p.Role == auth.RoleSystem || (p.Is(auth.RoleBureauAdmin) && p.AccountID == "system")
}

// IsOrganiser reports whether p organises e: bureau admins every event,
// district officers the events of their district (a city-level event, with
// no district, belongs to bureau admins only).
func IsOrganiser(p auth.Principal, e *eventsv1.Event) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin), p.Role == auth.RoleSystem:
		return true
	case p.Is(auth.RoleDistrictOfficer):
		return e.GetDistrict() != commonv1.District_DISTRICT_UNSPECIFIED && e.GetDistrict() == p.District
	}
	return false
}

// CanReadEvent: everyone reads events that are not drafts; organisers read
// drafts too.
func CanReadEvent(p auth.Principal, e *eventsv1.Event) bool {
	return e.GetStatus() != Draft || IsOrganiser(p, e)
}

// IsRegistrant reports whether p acts for registration r: the users of its
// firm, the admins of its association and of the association that nominated
// it.
func IsRegistrant(p auth.Principal, r *eventsv1.Registration) bool {
	switch {
	case p.Is(auth.RoleFirmUser):
		return r.GetFirmId() != "" && r.GetFirmId() == p.FirmID
	case p.Is(auth.RoleAssociationAdmin):
		return (r.GetAssociationId() != "" && r.GetAssociationId() == p.AssociationID) ||
			(r.GetNominatingAssociationId() != "" && r.GetNominatingAssociationId() == p.AssociationID)
	}
	return false
}

// EffectiveStatus derives REGISTRATION_CLOSED and COMPLETED from the clock.
func EffectiveStatus(e *eventsv1.Event, now time.Time) eventsv1.EventStatus {
	if e.GetStatus() != Published {
		return e.GetStatus()
	}
	if !now.Before(e.GetEndTime().AsTime()) {
		return Completed
	}
	if !now.Before(RegistrationClose(e)) {
		return Closed
	}
	return Published
}

// RegistrationOpen returns when registration opens (at publication when
// unset).
func RegistrationOpen(e *eventsv1.Event) time.Time {
	if e.GetRegistrationOpenTime() != nil {
		return e.GetRegistrationOpenTime().AsTime()
	}
	return e.GetPublishTime().AsTime()
}

// RegistrationClose returns when registration closes (start_time when unset).
func RegistrationClose(e *eventsv1.Event) time.Time {
	if e.GetRegistrationCloseTime() != nil {
		return e.GetRegistrationCloseTime().AsTime()
	}
	return e.GetStartTime().AsTime()
}

// InWindow reports whether now is inside the registration window of a
// published event.
func InWindow(e *eventsv1.Event, now time.Time) bool {
	return e.GetStatus() == Published && !now.Before(RegistrationOpen(e)) && now.Before(RegistrationClose(e))
}

// AcceptsParty reports whether the audience admits a firm (firm=true) or an
// association.
func AcceptsParty(e *eventsv1.Event, firm bool) bool {
	switch e.GetAudience() {
	case eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS_AND_FIRMS:
		return true
	case eventsv1.EventAudience_EVENT_AUDIENCE_FIRMS:
		return firm
	case eventsv1.EventAudience_EVENT_AUDIENCE_ASSOCIATIONS:
		return !firm
	}
	return false
}

// AssociationQuota returns the quota of an association at e and whether
// there is one.
func AssociationQuota(e *eventsv1.Event, associationID string) (int32, bool) {
	for _, q := range e.GetAssociationQuotas() {
		if q.GetAssociationId() == associationID {
			return q.GetQuota(), true
		}
	}
	if e.AssociationQuota != nil {
		return e.GetAssociationQuota(), true
	}
	return 0, false
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func tsValid(t *timestamppb.Timestamp) bool { return t != nil && t.IsValid() }

// ValidateEvent checks an event's fields (prefix "event").
func ValidateEvent(e *eventsv1.Event) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if e.GetKind() == 0 || !refdata.Defined(e.GetKind()) {
		v.Add("event.kind", "请选择活动类型（%s）", refdata.Labels(e.GetKind().Descriptor()))
	}
	switch n := runes(e.GetTitle()); {
	case n == 0:
		v.Add("event.title", "请填写活动名称")
	case n > 100:
		v.Add("event.title", "活动名称不超过100个字，当前%d个字", n)
	}
	if n := runes(e.GetSummary()); n > 500 {
		v.Add("event.summary", "简介不超过500个字，当前%d个字", n)
	}
	if n := runes(e.GetDescription()); n > 10000 {
		v.Add("event.description", "详细介绍不超过10000个字，当前%d个字", n)
	}
	if runes(e.GetOrganiser()) == 0 {
		v.Add("event.organiser", "请填写主办单位")
	} else if runes(e.GetOrganiser()) > 100 {
		v.Add("event.organiser", "主办单位不超过100个字")
	}
	if len(e.GetCoOrganisers()) > 10 {
		v.Add("event.co_organisers", "协办单位最多10个，当前%d个", len(e.GetCoOrganisers()))
	}
	if e.GetDistrict() != 0 && !refdata.Defined(e.GetDistrict()) {
		v.Add("event.district", "区县取值无效")
	}
	if runes(e.GetVenue()) == 0 {
		v.Add("event.venue", "请填写活动地点（线上活动填“线上”）")
	}
	start, end := e.GetStartTime(), e.GetEndTime()
	if !tsValid(start) {
		v.Add("event.start_time", "请填写开始时间")
	}
	if !tsValid(end) {
		v.Add("event.end_time", "请填写结束时间")
	}
	if tsValid(start) && tsValid(end) && !end.AsTime().After(start.AsTime()) {
		v.Add("event.end_time", "结束时间须晚于开始时间")
	}
	if e.GetAudience() == 0 || !refdata.Defined(e.GetAudience()) {
		v.Add("event.audience", "请选择参加对象（%s）", refdata.Labels(e.GetAudience().Descriptor()))
	}
	if e.GetRegistrationMode() == 0 || !refdata.Defined(e.GetRegistrationMode()) {
		v.Add("event.registration_mode", "请选择报名方式（%s）", refdata.Labels(e.GetRegistrationMode().Descriptor()))
	}
	if o, c := e.GetRegistrationOpenTime(), e.GetRegistrationCloseTime(); o != nil && c != nil && !c.AsTime().After(o.AsTime()) {
		v.Add("event.registration_close_time", "报名截止时间须晚于报名开始时间")
	}
	if c := e.GetRegistrationCloseTime(); c != nil && tsValid(end) && !c.AsTime().Before(end.AsTime()) {
		v.Add("event.registration_close_time", "报名截止时间须早于活动结束时间")
	}
	if e.GetCapacity() < 0 {
		v.Add("event.capacity", "名额不能为负数（0表示不限）")
	}
	if e.GetMaxAttendeesPerParty() < 0 {
		v.Add("event.max_attendees_per_party", "每家单位人数上限不能为负数（0表示不限）")
	}
	if e.AssociationQuota != nil && e.GetAssociationQuota() < 0 {
		v.Add("event.association_quota", "协会名额不能为负数")
	}
	seen := map[string]bool{}
	for i, q := range e.GetAssociationQuotas() {
		f := "event.association_quotas[" + itoa(i) + "]"
		if q.GetAssociationId() == "" {
			v.Add(f+".association_id", "请指定协会")
		} else if seen[q.GetAssociationId()] {
			v.Add(f+".association_id", "协会%s重复设置了名额", q.GetAssociationId())
		}
		seen[q.GetAssociationId()] = true
		if q.Quota == nil || q.GetQuota() < 0 {
			v.Add(f+".quota", "请填写不小于0的名额")
		}
	}
	for i, m := range e.GetTargetMarkets() {
		if !refdata.ValidMarket(m) {
			v.Add("event.target_markets["+itoa(i)+"]", "市场代码“%s”无效，应为ISO 3166-1两位字母代码，如US、DE", m)
		}
	}
	if len(e.GetSessions()) > 50 {
		v.Add("event.sessions", "日程最多50项，当前%d项", len(e.GetSessions()))
	}
	var prevEnd time.Time
	for i, s := range e.GetSessions() {
		f := "event.sessions[" + itoa(i) + "]"
		if runes(s.GetTitle()) == 0 || runes(s.GetTitle()) > 100 {
			v.Add(f+".title", "请填写课程名称（不超过100个字）")
		}
		if !tsValid(s.GetStartTime()) || !tsValid(s.GetEndTime()) || !s.GetEndTime().AsTime().After(s.GetStartTime().AsTime()) {
			v.Add(f+".end_time", "请填写开始和结束时间，结束须晚于开始")
			continue
		}
		if tsValid(start) && tsValid(end) && (s.GetStartTime().AsTime().Before(start.AsTime()) || s.GetEndTime().AsTime().After(end.AsTime())) {
			v.Add(f+".start_time", "日程须在活动起止时间之内")
		}
		if s.GetStartTime().AsTime().Before(prevEnd) {
			v.Add(f+".start_time", "日程须按时间顺序排列且互不重叠")
		}
		prevEnd = s.GetEndTime().AsTime()
	}
	if e.GetBoothCount() < 0 {
		v.Add("event.booth_count", "展位数不能为负数")
	}
	if e.GetBoothCount() > 0 && e.GetKind() != eventsv1.EventKind_EVENT_KIND_EXPO {
		v.Add("event.booth_count", "只有展会可以设置展位")
	}
	if e.GetCertificateMinSessions() < 0 || int(e.GetCertificateMinSessions()) > len(e.GetSessions()) {
		v.Add("event.certificate_min_sessions", "结业所需课时须在0至课程数（%d）之间", len(e.GetSessions()))
	}
	if e.GetEliteRecommendationQuota() < 0 {
		v.Add("event.elite_recommendation_quota", "精英人才推荐名额不能为负数")
	}
	if (e.GetCertificateMinSessions() > 0 || e.GetEliteRecommendationQuota() > 0) && e.GetKind() != eventsv1.EventKind_EVENT_KIND_TRAINING {
		v.Add("event.kind", "结业证书和精英人才推荐只适用于培训")
	}
	if p := contact.NormalizePhone(e.GetEnquiryContact()); p != "" && contact.ValidatePhone(p) == "" && len(p) == 11 {
		v.Add("event.enquiry_contact", "咨询电话会公开显示，请填写单位座机而非个人手机号")
	}
	return v
}

// ReadyToPublish lists what keeps e from being published at now.
func ReadyToPublish(e *eventsv1.Event, now time.Time) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if !now.Before(e.GetEndTime().AsTime()) {
		v.Add("event.end_time", "活动已结束，不能发布")
	}
	if e.GetKind() == eventsv1.EventKind_EVENT_KIND_TRAINING && len(e.GetSessions()) == 0 {
		v.Add("event.sessions", "培训须至少安排一节课程才能发布")
	}
	if e.GetKind() == eventsv1.EventKind_EVENT_KIND_BRAND_EVENT && len(e.GetIndustryBeltIds()) != 1 {
		v.Add("event.industry_belt_ids", "产业带品牌活动须关联且只关联一个产业带，当前%d个", len(e.GetIndustryBeltIds()))
	}
	return v
}

// ValidateAttendee checks the attendee of a registration and normalises the
// phone (prefix "registration.attendee").
func ValidateAttendee(c *commonv1.Contact) *apperr.ValidationError {
	return validatePerson("registration.attendee", "参会人", c)
}

// validatePerson checks a contact person (name and phone required, e-mail
// optional) under field prefix f, naming them who in messages; it normalises
// the phone.
func validatePerson(f, who string, c *commonv1.Contact) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if c == nil {
		v.Add(f, "请填写%s姓名和电话", who)
		return v
	}
	if n := runes(c.GetName()); n == 0 || n > 50 {
		v.Add(f+".name", "请填写%s姓名（不超过50个字）", who)
	}
	c.Phone = contact.NormalizePhone(c.GetPhone())
	if c.GetPhone() == "" {
		v.Add(f+".phone", "请填写%s电话", who)
	} else if msg := contact.ValidatePhone(c.GetPhone()); msg != "" {
		v.Add(f+".phone", "%s", msg)
	}
	if c.GetEmail() != "" {
		if msg := contact.ValidateEmail(c.GetEmail()); msg != "" {
			v.Add(f+".email", "%s", msg)
		}
	}
	return v
}

// MaskContact returns c with phone and e-mail masked.
func MaskContact(c *commonv1.Contact) *commonv1.Contact {
	if c == nil {
		return nil
	}
	return &commonv1.Contact{
		Name: c.GetName(), Title: c.GetTitle(), Phone: contact.MaskPhone(c.GetPhone()),
		Email: contact.MaskEmail(c.GetEmail()), Masked: c.GetPhone() != "" || c.GetEmail() != "",
	}
}

// codeAlphabet leaves out 0/O, 1/I/L so a code read aloud or typed is not
// mistaken.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewCheckInCode returns an 8-character check-in code (about 2^39 values).
func NewCheckInCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 8)
	for i, x := range b {
		out[i] = codeAlphabet[int(x)%len(codeAlphabet)]
	}
	return string(out)
}

// SessionIndex returns the index of the session with id, or -1.
func SessionIndex(e *eventsv1.Event, id string) int {
	return slices.IndexFunc(e.GetSessions(), func(s *eventsv1.Session) bool { return s.GetId() == id })
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
