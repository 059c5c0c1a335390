package domain

import (
	"slices"
	"strings"
	"time"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Short names of the booth application statuses.
const (
	BoothSubmitted = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_SUBMITTED
	BoothApproved  = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_APPROVED
	BoothDeclined  = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_DECLINED
	BoothWithdrawn = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_WITHDRAWN
)

// MaxBoothsPerApplication is the most standard booths one application may ask
// for.
const MaxBoothsPerApplication = 10

// BoothStatusLabel is the Chinese name of a booth application status.
func BoothStatusLabel(st eventsv1.BoothApplicationStatus) string {
	return map[eventsv1.BoothApplicationStatus]string{
		BoothSubmitted: "待审核", BoothApproved: "已通过", BoothDeclined: "未通过", BoothWithdrawn: "已撤回",
	}[st]
}

// IsBoothApplicant reports whether p acts for booth application b: the users
// of the exhibiting firm and the admins of the association it exhibits with.
func IsBoothApplicant(p auth.Principal, b *eventsv1.BoothApplication) bool {
	switch {
	case p.Is(auth.RoleFirmUser):
		return b.GetFirmId() != "" && b.GetFirmId() == p.FirmID
	case p.Is(auth.RoleAssociationAdmin):
		return b.GetAssociationId() != "" && b.GetAssociationId() == p.AssociationID
	}
	return false
}

// BoothsOpen says whether a new booth application may be made at e now:
// only at a PUBLISHED expo with booths, within the registration window (for
// organisers, from publication until the start). The error is
// FAILED_PRECONDITION naming the reason.
func BoothsOpen(e *eventsv1.Event, now time.Time, organiser bool) error {
	if e.GetKind() != eventsv1.EventKind_EVENT_KIND_EXPO {
		return apperr.FailedPrecondition("只有展会可以申请展位")
	}
	if e.GetBoothCount() == 0 {
		return apperr.FailedPrecondition("本展会不设展位，不接受展位申请")
	}
	switch EffectiveStatus(e, now) {
	case Draft:
		return apperr.FailedPrecondition("展会尚未发布，不能申请展位")
	case Cancelled:
		return apperr.FailedPrecondition("展会已取消：%s", e.GetCancelReason())
	case Completed:
		return apperr.FailedPrecondition("展会已结束，不能申请展位")
	}
	if organiser {
		if !now.Before(e.GetStartTime().AsTime()) {
			return apperr.FailedPrecondition("展会已开始，不能再申请展位")
		}
		return nil
	}
	if !InWindow(e, now) {
		return apperr.FailedPrecondition("不在报名时间内（%s至%s），不能申请展位",
			FormatTime(RegistrationOpen(e)), FormatTime(RegistrationClose(e)))
	}
	return nil
}

// ValidateBoothApplication checks what an applicant fills in (prefix
// "booth_application") and normalises the contact's phone.
func ValidateBoothApplication(b *eventsv1.BoothApplication) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if b.GetFirmId() == "" {
		v.Add("booth_application.firm_id", "请指定参展企业")
	}
	switch n := runes(b.GetExhibits()); {
	case n == 0:
		v.Add("booth_application.exhibits", "请填写参展展品，如“户外折叠家具、露营装备”")
	case n > 500:
		v.Add("booth_application.exhibits", "参展展品不超过500个字，当前%d个字", n)
	}
	if n := b.GetBoothsRequested(); n < 1 || n > MaxBoothsPerApplication {
		v.Add("booth_application.booths_requested", "申请展位数须在1至%d个之间，当前%d个", MaxBoothsPerApplication, n)
	}
	v.Merge("", validatePerson("booth_application.contact", "展位负责人", b.Contact))
	if n := runes(b.GetNote()); n > 500 {
		v.Add("booth_application.note", "备注不超过500个字，当前%d个字", n)
	}
	return v
}

// ValidateBoothNumbers checks booth numbers for an application granted
// granted booths: at most one per booth, each 1 to 20 characters, no
// repeats. field names them in errors ("booth_numbers" or
// "booth_application.booth_numbers").
func ValidateBoothNumbers(field string, numbers []string, granted int32) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if len(numbers) > int(granted) {
		v.Add(field, "展位号最多%d个（与批准的展位数相同），当前%d个", granted, len(numbers))
	}
	for i, n := range numbers {
		f := field + "[" + itoa(i) + "]"
		switch {
		case strings.TrimSpace(n) == "" || runes(n) > 20:
			v.Add(f, "展位号须为1至20个字，如“1B-101”")
		case slices.Index(numbers, n) < i:
			v.Add(f, "展位号“%s”重复", n)
		}
	}
	return v
}

// FormatTime shows an instant in Asia/Shanghai, as messages do.
func FormatTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }

var shanghai = time.FixedZone("CST", 8*3600)
