// Package domain holds the consult service's rules: the consultation
// lifecycle and which calls each status allows, the calendar periods of the
// firm quota and the expert capacity, slot overlap with buffers, on-site
// clinic slots, who may see and do what, and what makes experts, slots,
// clinics, consultations, case notes and settings valid.
//
// The contract's messages (qihang.consult.v1) are the model, as in the
// catalog: the rules are plain functions over them.
package domain

import (
	"fmt"
	"maps"
	"time"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// CST is China Standard Time: days, weeks and quota periods are calendar ones
// in it (the contract's package comment).
var CST = time.FixedZone("CST", 8*3600)

// DayStart returns 00:00 CST of t's day, in UTC.
func DayStart(t time.Time) time.Time {
	l := t.In(CST)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, CST).UTC()
}

// WeekStart returns Monday 00:00 CST of t's week, in UTC.
func WeekStart(t time.Time) time.Time {
	l := t.In(CST)
	back := (int(l.Weekday()) + 6) % 7 // Monday → 0
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, CST).UTC()
}

// PeriodBounds returns the start and the end (the next period's start) of
// the quota period containing t. An unspecified period counts as a month.
func PeriodBounds(t time.Time, p consultv1.QuotaPeriod) (time.Time, time.Time) {
	l := t.In(CST)
	months := 1
	switch p {
	case consultv1.QuotaPeriod_QUOTA_PERIOD_QUARTER:
		months = 3
	case consultv1.QuotaPeriod_QUOTA_PERIOD_HALF_YEAR:
		months = 6
	case consultv1.QuotaPeriod_QUOTA_PERIOD_YEAR:
		months = 12
	}
	m0 := (int(l.Month())-1)/months*months + 1
	start := time.Date(l.Year(), time.Month(m0), 1, 0, 0, 0, 0, CST)
	return start.UTC(), start.AddDate(0, months, 0).UTC()
}

// QuotaKey names the counter of a firm's quota in the period starting at
// start.
func QuotaKey(firmID string, p consultv1.QuotaPeriod, start time.Time) string {
	return fmt.Sprintf("quota|%s|%s|%s", firmID, p, start.In(CST).Format("2006-01-02"))
}

// CapacityKey names the counter of an expert's capacity in the week starting
// at weekStart.
func CapacityKey(expertID string, weekStart time.Time) string {
	return fmt.Sprintf("capacity|%s|%s", expertID, weekStart.In(CST).Format("2006-01-02"))
}

// ErrorDomain is the google.rpc.ErrorInfo domain of the service's errors.
const ErrorDomain = "consult.qihang"

// Error is a domain error with the contract's ErrorReason, so clients can
// tell two causes with the same code apart. It unwraps to an *apperr.Error,
// so it maps to its gRPC code wherever apperr errors do; the ports add the
// ErrorInfo detail.
type Error struct {
	Kind     apperr.Kind
	Reason   consultv1.ErrorReason
	Msg      string
	Metadata map[string]string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap exposes the apperr kind and message.
func (e *Error) Unwrap() error { return &apperr.Error{Kind: e.Kind, Msg: e.Msg} }

func reasonErr(k apperr.Kind, r consultv1.ErrorReason, detail string, md map[string]string) *Error {
	msg := refdata.Label(r)
	if detail != "" {
		msg += "：" + detail
	}
	return &Error{Kind: k, Reason: r, Msg: msg, Metadata: maps.Clone(md)}
}

// The reasoned errors of the contract's ErrorReason.
func SlotTaken() error {
	return reasonErr(apperr.KindConflict, consultv1.ErrorReason_ERROR_REASON_SLOT_TAKEN, "请重新查看可预约时段并另选一个", nil)
}

// SlotOverlap names the other slot.
func SlotOverlap(otherID string, start time.Time) error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SLOT_OVERLAP,
		fmt.Sprintf("与时段%s（%s开始）冲突", otherID, start.In(CST).Format("2006-01-02 15:04")), map[string]string{"slot_id": otherID})
}

// SlotBooked is returned for changes of a booked slot.
func SlotBooked() error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SLOT_BOOKED, "", nil)
}

// SlotTooSoon is returned for a slot that started or is within the notice.
func SlotTooSoon(noticeHours int32) error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SLOT_TOO_SOON,
		fmt.Sprintf("须至少提前%d小时预约", noticeHours), nil)
}

// SlotOtherExpert is returned for a slot of another expert.
func SlotOtherExpert() error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SLOT_OTHER_EXPERT, "", nil)
}

// ExpertPaused is returned when a paused expert would take new work.
func ExpertPaused(name string) error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_EXPERT_PAUSED, name, nil)
}

// FirmQuotaExhausted says when new free consultations come.
func FirmQuotaExhausted(limit int32, periodEnd time.Time) error {
	return reasonErr(apperr.KindResourceExhausted, consultv1.ErrorReason_ERROR_REASON_FIRM_QUOTA_EXHAUSTED,
		fmt.Sprintf("本期共%d次，%s起可再预约", limit, periodEnd.In(CST).Format("2006-01-02")),
		map[string]string{"period_end_time": periodEnd.UTC().Format(time.RFC3339)})
}

// ExpertCapacityReached is returned when the slot's week is full.
func ExpertCapacityReached(capacity int32, weekStart time.Time) error {
	return reasonErr(apperr.KindResourceExhausted, consultv1.ErrorReason_ERROR_REASON_EXPERT_CAPACITY_REACHED,
		fmt.Sprintf("%s所在周已满%d次", weekStart.In(CST).Format("2006-01-02"), capacity), nil)
}

// IllegalTransition names the current status and the refused action.
func IllegalTransition(status consultv1.ConsultationStatus, action Action) error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION,
		fmt.Sprintf("咨询当前为“%s”，不能%s", refdata.Label(status), action.label()),
		map[string]string{"status": status.String()})
}

// SessionNotStarted is returned for marking a session before it starts.
func SessionNotStarted() error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_SESSION_NOT_STARTED, "", nil)
}

// CaseNoteMissing is returned for closing without a note on the last held
// session.
func CaseNoteMissing() error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_CASE_NOTE_MISSING, "", nil)
}

// AlreadyRated is returned for a second rating of a session.
func AlreadyRated() error {
	return reasonErr(apperr.KindAlreadyExists, consultv1.ErrorReason_ERROR_REASON_ALREADY_RATED, "", nil)
}

// ExpertHasOpenCases is returned for deleting an expert with open cases.
func ExpertHasOpenCases(n int) error {
	return reasonErr(apperr.KindFailedPrecondition, consultv1.ErrorReason_ERROR_REASON_EXPERT_HAS_OPEN_CASES,
		fmt.Sprintf("还有%d件已指派或已预约的咨询", n), nil)
}
