package domain_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// fields returns the fields a validation error names, sorted.
func fields(v *apperr.ValidationError) []string {
	var out []string
	for _, f := range v.Violations {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestValidateBoothApplication(t *testing.T) {
	valid := func() *eventsv1.BoothApplication {
		return &eventsv1.BoothApplication{FirmId: "f1", Exhibits: "户外折叠家具", BoothsRequested: 2,
			Contact: &commonv1.Contact{Name: "何伟", Phone: "139 1234 5678"}}
	}
	for _, tc := range []struct {
		name string
		edit func(*eventsv1.BoothApplication)
		want []string
	}{
		{"valid", func(*eventsv1.BoothApplication) {}, nil},
		{"no firm", func(b *eventsv1.BoothApplication) { b.FirmId = "" }, []string{"booth_application.firm_id"}},
		{"no exhibits", func(b *eventsv1.BoothApplication) { b.Exhibits = "" }, []string{"booth_application.exhibits"}},
		{"zero booths", func(b *eventsv1.BoothApplication) { b.BoothsRequested = 0 }, []string{"booth_application.booths_requested"}},
		{"eleven booths", func(b *eventsv1.BoothApplication) { b.BoothsRequested = 11 }, []string{"booth_application.booths_requested"}},
		{"no contact", func(b *eventsv1.BoothApplication) { b.Contact = nil }, []string{"booth_application.contact"}},
		{"bad phone", func(b *eventsv1.BoothApplication) { b.Contact.Phone = "123" }, []string{"booth_application.contact.phone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := valid()
			tc.edit(b)
			if got := fields(domain.ValidateBoothApplication(b)); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v", got, tc.want)
			}
		})
	}
	b := valid()
	domain.ValidateBoothApplication(b)
	if b.GetContact().GetPhone() != "13912345678" {
		t.Errorf("phone not normalised: %q", b.GetContact().GetPhone())
	}
}

func TestValidateBoothNumbers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		numbers []string
		granted int32
		want    []string
	}{
		{"none", nil, 2, nil},
		{"one per booth", []string{"1B-101", "1B-102"}, 2, nil},
		{"more than granted", []string{"1B-101", "1B-102"}, 1, []string{"n"}},
		{"repeated", []string{"1B-101", "1B-101"}, 2, []string{"n[1]"}},
		{"blank", []string{" "}, 1, []string{"n[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fields(domain.ValidateBoothNumbers("n", tc.numbers, tc.granted)); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidateFeedback(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    *eventsv1.Feedback
		want []string
	}{
		{"valid", &eventsv1.Feedback{RegistrationId: "r1", Rating: 5, FollowUpNeeds: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS}}, nil},
		{"rating 0", &eventsv1.Feedback{RegistrationId: "r1"}, []string{"feedback.rating"}},
		{"rating 6", &eventsv1.Feedback{RegistrationId: "r1", Rating: 6}, []string{"feedback.rating"}},
		{"no registration", &eventsv1.Feedback{Rating: 3}, []string{"feedback.registration_id"}},
		{"need repeated", &eventsv1.Feedback{RegistrationId: "r1", Rating: 3, FollowUpNeeds: []commonv1.NeedTag{
			commonv1.NeedTag_NEED_TAG_LOGISTICS, commonv1.NeedTag_NEED_TAG_LOGISTICS}}, []string{"feedback.follow_up_needs[1]"}},
		{"need unspecified", &eventsv1.Feedback{RegistrationId: "r1", Rating: 3, FollowUpNeeds: []commonv1.NeedTag{0}}, []string{"feedback.follow_up_needs[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fields(domain.ValidateFeedback(tc.f)); !slices.Equal(got, tc.want) {
				t.Errorf("fields %v, want %v", got, tc.want)
			}
		})
	}
}

func training(minSessions int32) *eventsv1.Event {
	t0 := time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)
	at := func(h int) *timestamppb.Timestamp { return timestamppb.New(t0.Add(time.Duration(h) * time.Hour)) }
	return &eventsv1.Event{
		Id: "01jabcdefghjkmnpqrst", Kind: eventsv1.EventKind_EVENT_KIND_TRAINING, Status: domain.Published,
		StartTime: at(0), EndTime: at(8), CertificateMinSessions: minSessions,
		Sessions: []*eventsv1.Session{{Id: "s1", StartTime: at(0), EndTime: at(2)}, {Id: "s2", StartTime: at(3), EndTime: at(5)}, {Id: "s3", StartTime: at(6), EndTime: at(7)}},
	}
}

func TestEarnedCertificate(t *testing.T) {
	reg := func(st eventsv1.RegistrationStatus, sessions ...string) *eventsv1.Registration {
		r := &eventsv1.Registration{Status: st}
		for _, s := range sessions {
			r.Attendance = append(r.Attendance, &eventsv1.SessionAttendance{SessionId: s})
		}
		return r
	}
	for _, tc := range []struct {
		name string
		min  int32
		r    *eventsv1.Registration
		want bool
	}{
		{"every session needed, all attended", 0, reg(domain.RegConfirmed, "s1", "s2", "s3"), true},
		{"every session needed, two attended", 0, reg(domain.RegConfirmed, "s1", "s2"), false},
		{"two needed, two attended", 2, reg(domain.RegConfirmed, "s1", "s3"), true},
		{"two needed, one attended", 2, reg(domain.RegConfirmed, "s2"), false},
		{"a removed session does not count", 2, reg(domain.RegConfirmed, "s1", "gone"), false},
		{"cancelled registration", 1, reg(domain.RegCancelled, "s1", "s2", "s3"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.EarnedCertificate(training(tc.min), tc.r); got != tc.want {
				t.Errorf("EarnedCertificate = %v, want %v", got, tc.want)
			}
		})
	}
	if got, want := domain.LastSessionEnd(training(0)), training(0).GetSessions()[2].GetEndTime().AsTime(); !got.Equal(want) {
		t.Errorf("LastSessionEnd %v, want %v", got, want)
	}
}

func TestCertificateNumber(t *testing.T) {
	got := domain.CertificateNumber(training(1), 12)
	if got != "QH-2025-PX-KMNPQRST-0012" {
		t.Errorf("number %q", got)
	}
	if !regexp.MustCompile(`^QH-\d{4}-PX-[0-9A-Z]{8}-\d{4}$`).MatchString(got) {
		t.Errorf("number %q has the wrong shape", got)
	}
}

func TestFeedbackOpen(t *testing.T) {
	e := training(1)
	start, end := e.GetStartTime().AsTime(), e.GetEndTime().AsTime()
	in := &eventsv1.Registration{Status: domain.RegConfirmed, CheckInTime: timestamppb.New(start)}
	out := &eventsv1.Registration{Status: domain.RegConfirmed}
	cancelled := training(1)
	cancelled.Status = domain.Cancelled
	for _, tc := range []struct {
		name string
		e    *eventsv1.Event
		r    *eventsv1.Registration
		now  time.Time
		ok   bool
	}{
		{"during the event", e, in, start.Add(time.Hour), true},
		{"29 days after", e, in, end.Add(29 * 24 * time.Hour), true},
		{"31 days after", e, in, end.Add(31 * 24 * time.Hour), false},
		{"before the start", e, in, start.Add(-time.Minute), false},
		{"not checked in", e, out, end.Add(time.Hour), false},
		{"cancelled event", cancelled, in, end.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := domain.FeedbackOpen(tc.e, tc.r, tc.now)
			if (err == nil) != tc.ok || (err != nil && !apperr.IsKind(err, apperr.KindFailedPrecondition)) {
				t.Errorf("FeedbackOpen = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
