package domain

import (
	"fmt"
	"strings"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/refdata"
)

// LastSessionEnd returns when the event's last session ends (end_time when
// it has none): certificates are issued after it.
func LastSessionEnd(e *eventsv1.Event) time.Time {
	var last time.Time
	for _, s := range e.GetSessions() {
		if t := s.GetEndTime().AsTime(); t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return e.GetEndTime().AsTime()
	}
	return last
}

// SessionsForCertificate returns how many sessions an attendee must have
// attended: certificate_min_sessions, or every session when it is 0.
func SessionsForCertificate(e *eventsv1.Event) int {
	if n := int(e.GetCertificateMinSessions()); n > 0 {
		return n
	}
	return len(e.GetSessions())
}

// SessionsAttended counts the sessions of e that r attended (attendance of a
// session no longer on the programme does not count).
func SessionsAttended(e *eventsv1.Event, r *eventsv1.Registration) int {
	n := 0
	for _, a := range r.GetAttendance() {
		if SessionIndex(e, a.GetSessionId()) >= 0 {
			n++
		}
	}
	return n
}

// EarnedCertificate reports whether r completed training e: CONFIRMED and
// present at enough sessions.
func EarnedCertificate(e *eventsv1.Event, r *eventsv1.Registration) bool {
	return r.GetStatus() == RegConfirmed && SessionsAttended(e, r) >= SessionsForCertificate(e)
}

// CertificateNumber is the seq-th certificate number of training e, e.g.
// "QH-2025-PX-7K3M9QXA-0012": the programme prefix, the year the training
// started (Asia/Shanghai), the training's code (the last eight characters
// of its id, random, so numbers of different trainings never collide in
// practice) and the sequence within the training.
func CertificateNumber(e *eventsv1.Event, seq int32) string {
	id := e.GetId()
	code := strings.ToUpper(id[max(len(id)-8, 0):])
	return fmt.Sprintf("QH-%d-PX-%s-%04d", e.GetStartTime().AsTime().In(shanghai).Year(), code, seq)
}

// FeedbackWindow is how long after an event ends its feedback is taken.
const FeedbackWindow = 30 * 24 * time.Hour

// FeedbackOpen says whether feedback on a registration r of e may be given
// now: the attendee was checked in, the event is not cancelled, has started
// and ended at most FeedbackWindow ago. The error is FAILED_PRECONDITION
// naming the reason.
func FeedbackOpen(e *eventsv1.Event, r *eventsv1.Registration, now time.Time) error {
	switch {
	case EffectiveStatus(e, now) == Cancelled:
		return apperr.FailedPrecondition("活动已取消，不接受反馈")
	case r.GetCheckInTime() == nil:
		return apperr.FailedPrecondition("该报名未签到：只有到场参加活动的单位可以评价")
	case now.Before(e.GetStartTime().AsTime()):
		return apperr.FailedPrecondition("活动开始后（%s起）才能评价", FormatTime(e.GetStartTime().AsTime()))
	case now.After(e.GetEndTime().AsTime().Add(FeedbackWindow)):
		return apperr.FailedPrecondition("活动结束已超过30天（截至%s），不再接受反馈", FormatTime(e.GetEndTime().AsTime().Add(FeedbackWindow)))
	}
	return nil
}

// ValidateFeedback checks feedback (prefix "feedback").
func ValidateFeedback(f *eventsv1.Feedback) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if f.GetRegistrationId() == "" {
		v.Add("feedback.registration_id", "请指定要评价的报名")
	}
	if r := f.GetRating(); r < 1 || r > 5 {
		v.Add("feedback.rating", "请给出1至5分的总体评分（1分很差，5分很好），当前为%d", r)
	}
	if n := runes(f.GetComment()); n > 1000 {
		v.Add("feedback.comment", "意见不超过1000个字，当前%d个字", n)
	}
	if len(f.GetFollowUpNeeds()) > 10 {
		v.Add("feedback.follow_up_needs", "后续需求最多选10项，当前%d项", len(f.GetFollowUpNeeds()))
	}
	seen := map[commonv1.NeedTag]bool{}
	for i, n := range f.GetFollowUpNeeds() {
		field := "feedback.follow_up_needs[" + itoa(i) + "]"
		switch {
		case n == 0 || !refdata.Defined(n):
			v.Add(field, "后续需求取值无效（%s）", refdata.Labels(n.Descriptor()))
		case seen[n]:
			v.Add(field, "后续需求“%s”重复", refdata.Label(n))
		}
		seen[n] = true
	}
	return v
}
