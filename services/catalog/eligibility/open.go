package eligibility

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// shanghai is Asia/Shanghai: UTC+8 all year since 1991, so a fixed zone
// renders every date the programme uses without depending on tzdata.
var shanghai = time.FixedZone("CST", 8*60*60)

// OpenAt says whether a policy accepts applications at now, and if not why,
// in Chinese with dates in Asia/Shanghai (e.g. "政策已撤回", "政策已于2025年12月31日到期",
// "申报期自2025年3月1日开始"); the reason is empty when open.
//
// status is the stored status: DRAFT, PUBLISHED or WITHDRAWN (an EXPIRED
// status is never open; the reason gives the end of validity). A published
// policy is open within its validity and within its application window
// narrowed to the validity. Starts are inclusive, ends exclusive, absent
// bounds open; a day-granular end (00:00) is shown as the day before, the
// last day of the window.
func OpenAt(status catalogv1.PolicyStatus, validity, window *commonv1.TimeWindow, now time.Time) (open bool, reason string) {
	switch status {
	case catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED, catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED:
	case catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN:
		return false, "政策已撤回"
	case catalogv1.PolicyStatus_POLICY_STATUS_DRAFT:
		return false, "政策尚未发布"
	default:
		return false, "政策状态未知"
	}
	vs, ve := bounds(validity)
	if ve != nil && !now.Before(*ve) {
		return false, "政策已于" + endText(*ve) + "到期"
	}
	if status == catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED {
		return false, "政策已过期"
	}
	if vs != nil && now.Before(*vs) {
		return false, "政策自" + startText(*vs) + "起施行，尚未生效"
	}
	ws, we := bounds(ApplicationWindow(validity, window))
	if ws != nil && now.Before(*ws) {
		return false, "申报期自" + startText(*ws) + "开始"
	}
	if we != nil && !now.Before(*we) {
		return false, "申报期已于" + endText(*we) + "结束"
	}
	return true, ""
}

// ApplicationWindow is the application window narrowed to the validity
// (PolicyEvaluation.application_window); absent bounds are open, and an
// absent window means the whole validity. It returns nil when both bounds
// are open.
func ApplicationWindow(validity, window *commonv1.TimeWindow) *commonv1.TimeWindow {
	vs, ve := bounds(validity)
	ws, we := bounds(window)
	if ws == nil || vs != nil && vs.After(*ws) {
		ws = vs
	}
	if we == nil || ve != nil && ve.Before(*we) {
		we = ve
	}
	if ws == nil && we == nil {
		return nil
	}
	out := &commonv1.TimeWindow{}
	if ws != nil {
		out.StartTime = timestamppb.New(*ws)
	}
	if we != nil {
		out.EndTime = timestamppb.New(*we)
	}
	return out
}

func bounds(w *commonv1.TimeWindow) (start, end *time.Time) {
	if w.GetStartTime() != nil {
		t := w.GetStartTime().AsTime()
		start = &t
	}
	if w.GetEndTime() != nil {
		t := w.GetEndTime().AsTime()
		end = &t
	}
	return start, end
}

// startText renders an inclusive start: "2025年3月1日", with the time when it
// is not midnight.
func startText(t time.Time) string {
	t = t.In(shanghai)
	if isMidnight(t) {
		return dateText(t)
	}
	return dateText(t) + t.Format(" 15:04")
}

// endText renders an exclusive end: midnight is the end of the day before.
func endText(t time.Time) string {
	t = t.In(shanghai)
	if isMidnight(t) {
		return dateText(t.AddDate(0, 0, -1))
	}
	return dateText(t) + t.Format(" 15:04")
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func dateText(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
