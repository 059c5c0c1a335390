package eligibility

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// sh is a time in Asia/Shanghai.
func sh(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shanghai)
}

func window(start, end time.Time) *commonv1.TimeWindow {
	w := &commonv1.TimeWindow{}
	if !start.IsZero() {
		w.StartTime = timestamppb.New(start)
	}
	if !end.IsZero() {
		w.EndTime = timestamppb.New(end)
	}
	return w
}

func TestOpenAt(t *testing.T) {
	const (
		published = catalogv1.PolicyStatus_POLICY_STATUS_PUBLISHED
		draft     = catalogv1.PolicyStatus_POLICY_STATUS_DRAFT
		withdrawn = catalogv1.PolicyStatus_POLICY_STATUS_WITHDRAWN
		expired   = catalogv1.PolicyStatus_POLICY_STATUS_EXPIRED
	)
	var never time.Time
	// In force for 2025: 2025-01-01 00:00 to 2026-01-01 00:00 Shanghai.
	year := window(sh(2025, 1, 1, 0, 0), sh(2026, 1, 1, 0, 0))
	// Applications in March: 2025-03-01 00:00 to 2025-04-01 00:00.
	march := window(sh(2025, 3, 1, 0, 0), sh(2025, 4, 1, 0, 0))
	tests := []struct {
		name             string
		status           catalogv1.PolicyStatus
		validity, window *commonv1.TimeWindow
		now              time.Time
		wantOpen         bool
		wantReason       string
	}{
		{"published, within validity, no window", published, year, nil, sh(2025, 6, 1, 12, 0), true, ""},
		{"no validity at all", published, nil, nil, sh(2025, 6, 1, 12, 0), true, ""},
		{"draft", draft, year, nil, sh(2025, 6, 1, 12, 0), false, "政策尚未发布"},
		{"withdrawn", withdrawn, year, nil, sh(2025, 6, 1, 12, 0), false, "政策已撤回"},
		{"unspecified status", 0, year, nil, sh(2025, 6, 1, 12, 0), false, "政策状态未知"},
		{"before validity", published, year, nil, sh(2024, 12, 31, 23, 59), false, "政策自2025年1月1日起施行，尚未生效"},
		{"validity starts at its first instant", published, year, nil, sh(2025, 1, 1, 0, 0), true, ""},
		{"after validity shows the last day", published, year, nil, sh(2026, 1, 1, 0, 0), false, "政策已于2025年12月31日到期"},
		{"last minute of validity", published, year, nil, sh(2025, 12, 31, 23, 59), true, ""},
		{"expired status", expired, year, nil, sh(2026, 2, 1, 0, 0), false, "政策已于2025年12月31日到期"},
		{"expired status without an end", expired, window(sh(2025, 1, 1, 0, 0), never), nil, sh(2026, 2, 1, 0, 0), false, "政策已过期"},
		{"before the window", published, year, march, sh(2025, 2, 28, 23, 0), false, "申报期自2025年3月1日开始"},
		{"inside the window", published, year, march, sh(2025, 3, 15, 9, 0), true, ""},
		{"after the window", published, year, march, sh(2025, 4, 1, 0, 0), false, "申报期已于2025年3月31日结束"},
		{"open-ended window", published, year, window(sh(2025, 3, 1, 0, 0), never), sh(2025, 11, 1, 0, 0), true, ""},
		{"open-start window", published, year, window(never, sh(2025, 4, 1, 0, 0)), sh(2025, 1, 2, 0, 0), true, ""},
		{"open-ended validity", published, window(sh(2025, 1, 1, 0, 0), never), march, sh(2025, 3, 2, 0, 0), true, ""},
		{"window beyond validity is narrowed", published, year, window(sh(2025, 12, 1, 0, 0), sh(2026, 3, 1, 0, 0)), sh(2026, 1, 15, 0, 0), false, "政策已于2025年12月31日到期"},
		{"window before validity is narrowed", published, year, window(sh(2024, 12, 1, 0, 0), sh(2025, 2, 1, 0, 0)), sh(2024, 12, 15, 0, 0), false, "政策自2025年1月1日起施行，尚未生效"},
		{"UTC instant rendered in Shanghai", published, year, window(time.Date(2025, 2, 28, 16, 0, 0, 0, time.UTC), never), sh(2025, 2, 28, 20, 0), false, "申报期自2025年3月1日开始"},
		{"end at 17:30 shows the time", published, year, window(never, sh(2025, 3, 31, 17, 30)), sh(2025, 3, 31, 18, 0), false, "申报期已于2025年3月31日 17:30结束"},
		{"start at 09:00 shows the time", published, year, window(sh(2025, 3, 1, 9, 0), never), sh(2025, 3, 1, 8, 0), false, "申报期自2025年3月1日 09:00开始"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, reason := OpenAt(tt.status, tt.validity, tt.window, tt.now)
			if open != tt.wantOpen || reason != tt.wantReason {
				t.Errorf("OpenAt = %v, %q; want %v, %q", open, reason, tt.wantOpen, tt.wantReason)
			}
		})
	}
}

func TestApplicationWindow(t *testing.T) {
	var never time.Time
	year := window(sh(2025, 1, 1, 0, 0), sh(2026, 1, 1, 0, 0))
	tests := []struct {
		name             string
		validity, window *commonv1.TimeWindow
		want             *commonv1.TimeWindow
	}{
		{"no window is the validity", year, nil, year},
		{"window inside validity", year, window(sh(2025, 3, 1, 0, 0), sh(2025, 4, 1, 0, 0)), window(sh(2025, 3, 1, 0, 0), sh(2025, 4, 1, 0, 0))},
		{"narrowed on both sides", year, window(sh(2024, 3, 1, 0, 0), sh(2027, 4, 1, 0, 0)), year},
		{"open window in open validity", nil, nil, nil},
		{"open end bounded by validity", year, window(sh(2025, 6, 1, 0, 0), never), window(sh(2025, 6, 1, 0, 0), sh(2026, 1, 1, 0, 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ApplicationWindow(tt.validity, tt.window), protocmp.Transform()); diff != "" {
				t.Errorf("ApplicationWindow (-want +got):\n%s", diff)
			}
		})
	}
}
