package domain

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
)

// TestTransitions walks every action × status × coordinator × started and
// compares with the lifecycle diagram of ConsultationService.
func TestTransitions(t *testing.T) {
	type key struct {
		a           Action
		s           consultv1.ConsultationStatus
		coordinator bool
		started     bool
	}
	legal := func(k key) bool {
		s := k.s
		switch k.a {
		case ActAssign:
			if s == Requested {
				return true
			}
			return k.coordinator && (s == Assigned || s == Held || s == FollowUpDue || s == Scheduled && !k.started)
		case ActBook:
			return s == Requested || s == Assigned || s == Held || s == FollowUpDue || s == Scheduled && !k.started
		case ActCancel:
			return s == Requested || s == Assigned || s == Scheduled && !k.started
		case ActDecline:
			return s == Assigned || s == Scheduled && !k.started
		case ActMarkHeld, ActMarkNoShow:
			return s == Scheduled && k.started
		case ActClose:
			return s == Held || s == FollowUpDue
		case ActUpdate:
			return s == Requested || s == Assigned
		case ActNote:
			return s != Closed && s != Cancelled
		}
		return false
	}
	for _, a := range Actions {
		for _, s := range Statuses {
			for _, coord := range []bool{false, true} {
				for _, started := range []bool{false, true} {
					k := key{a, s, coord, started}
					t.Run(fmt.Sprintf("%v/%v/coord=%v/started=%v", a, s, coord, started), func(t *testing.T) {
						err := Transition{Action: a, From: s, Coordinator: coord, Started: started}.Check()
						if got := err == nil; got != legal(k) {
							t.Fatalf("legal = %v, want %v (err %v)", got, legal(k), err)
						}
						if err == nil {
							return
						}
						var de *Error
						if !errors.As(err, &de) || !apperr.IsKind(err, apperr.KindFailedPrecondition) {
							t.Fatalf("error %v is not a FAILED_PRECONDITION domain error", err)
						}
						want := consultv1.ErrorReason_ERROR_REASON_ILLEGAL_TRANSITION
						if (a == ActMarkHeld || a == ActMarkNoShow) && s == Scheduled && !started {
							want = consultv1.ErrorReason_ERROR_REASON_SESSION_NOT_STARTED
						}
						if de.Reason != want {
							t.Errorf("reason %v, want %v", de.Reason, want)
						}
					})
				}
			}
		}
	}
	// Final states allow nothing but a note on a no-show case (which needs a
	// held session, checked by the use case).
	for _, s := range []consultv1.ConsultationStatus{Closed, Cancelled, NoShow} {
		if !Final(s) {
			t.Errorf("Final(%v) = false", s)
		}
	}
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, CST)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func slot(start, end string, before, after int32) *consultv1.Slot {
	return &consultv1.Slot{StartTime: timestamppb.New(at(start)), EndTime: timestamppb.New(at(end)),
		BufferBeforeMinutes: &before, BufferAfterMinutes: &after}
}

func TestSlotOverlapWithBuffers(t *testing.T) {
	base := slot("2030-03-04 10:00", "2030-03-04 11:00", 15, 15)
	for _, tt := range []struct {
		name string
		s    *consultv1.Slot
		want bool
	}{
		{"same time", slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0), true},
		{"inside", slot("2030-03-04 10:15", "2030-03-04 10:45", 0, 0), true},
		{"touching the buffer after", slot("2030-03-04 11:15", "2030-03-04 12:00", 0, 0), false},
		{"inside the buffer after", slot("2030-03-04 11:10", "2030-03-04 12:00", 0, 0), true},
		{"its own buffer reaches back", slot("2030-03-04 11:20", "2030-03-04 12:00", 10, 0), true},
		{"touching the buffer before", slot("2030-03-04 09:00", "2030-03-04 09:45", 0, 0), false},
		{"buffers meet exactly", slot("2030-03-04 09:00", "2030-03-04 09:30", 0, 15), false},
		{"buffers overlap", slot("2030-03-04 09:00", "2030-03-04 09:35", 0, 15), true},
		{"another day", slot("2030-03-05 10:00", "2030-03-05 11:00", 15, 15), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := SlotBlock(base).Overlaps(SlotBlock(tt.s)); got != tt.want {
				t.Errorf("overlap = %v, want %v", got, tt.want)
			}
			if got := SlotBlock(tt.s).Overlaps(SlotBlock(base)); got != tt.want {
				t.Errorf("reverse overlap = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBuffersDefault(t *testing.T) {
	s := &consultv1.Slot{}
	if b, a := Buffers(s, 20); b != 20 || a != 20 {
		t.Errorf("unset buffers = %d/%d, want the default 20/20", b, a)
	}
	zero := int32(0)
	s.BufferBeforeMinutes = &zero
	if b, a := Buffers(s, 20); b != 0 || a != 20 {
		t.Errorf("explicit 0 before = %d/%d, want 0/20", b, a)
	}
}

func TestPeriodsAndWeeks(t *testing.T) {
	for _, tt := range []struct {
		name       string
		t          time.Time
		p          consultv1.QuotaPeriod
		start, end time.Time
	}{
		{"month", at("2030-02-14 09:00"), consultv1.QuotaPeriod_QUOTA_PERIOD_MONTH, at("2030-02-01 00:00"), at("2030-03-01 00:00")},
		{"quarter", at("2030-05-31 23:59"), consultv1.QuotaPeriod_QUOTA_PERIOD_QUARTER, at("2030-04-01 00:00"), at("2030-07-01 00:00")},
		{"half year", at("2030-07-01 00:00"), consultv1.QuotaPeriod_QUOTA_PERIOD_HALF_YEAR, at("2030-07-01 00:00"), at("2031-01-01 00:00")},
		{"year", at("2030-12-31 23:59"), consultv1.QuotaPeriod_QUOTA_PERIOD_YEAR, at("2030-01-01 00:00"), at("2031-01-01 00:00")},
		// 2030-03-31 20:00 UTC is already April 1st in China.
		{"China time decides", time.Date(2030, 3, 31, 20, 0, 0, 0, time.UTC), consultv1.QuotaPeriod_QUOTA_PERIOD_QUARTER, at("2030-04-01 00:00"), at("2030-07-01 00:00")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, e := PeriodBounds(tt.t, tt.p)
			if !s.Equal(tt.start) || !e.Equal(tt.end) {
				t.Errorf("PeriodBounds = %v..%v, want %v..%v", s, e, tt.start, tt.end)
			}
		})
	}
	// 2030-03-04 is a Monday; Sunday 23:59 belongs to the week before.
	for in, want := range map[string]string{
		"2030-03-04 00:00": "2030-03-04 00:00", "2030-03-06 15:00": "2030-03-04 00:00",
		"2030-03-10 23:59": "2030-03-04 00:00", "2030-03-11 00:00": "2030-03-11 00:00",
	} {
		if got := WeekStart(at(in)); !got.Equal(at(want)) {
			t.Errorf("WeekStart(%s) = %v, want %s", in, got.In(CST), want)
		}
	}
}

func TestClinicSpans(t *testing.T) {
	spans := ClinicSpans(at("2030-03-04 09:00"), at("2030-03-04 12:00"), 40, 5)
	var got []string
	for _, s := range spans {
		got = append(got, s[0].In(CST).Format("15:04")+"-"+s[1].In(CST).Format("15:04"))
	}
	want := []string{"09:00-09:40", "09:45-10:25", "10:30-11:10", "11:15-11:55"}
	if !slices.Equal(got, want) {
		t.Errorf("spans %v, want %v", got, want)
	}
}

func validExpert() *consultv1.Expert {
	return &consultv1.Expert{
		Name: "陈晓东", Organisation: "杭州综试区跨境电商服务中心",
		Specialties: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_PLATFORM_ONBOARDING},
		Stages:      []commonv1.CrossBorderStage{commonv1.CrossBorderStage_CROSS_BORDER_STAGE_EXPLORING},
		Markets:     []string{"us"}, Online: true, WeeklyCapacity: 5, DefaultBufferMinutes: 15,
	}
}

func TestValidateExpert(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*consultv1.Expert)
		field  string
	}{
		{"valid", func(*consultv1.Expert) {}, ""},
		{"unknown specialty", func(e *consultv1.Expert) { e.Specialties = append(e.Specialties, 99) }, "expert.specialties[1]"},
		{"unspecified specialty", func(e *consultv1.Expert) { e.Specialties = []commonv1.NeedTag{0} }, "expert.specialties[0]"},
		{"no specialty", func(e *consultv1.Expert) { e.Specialties = nil }, "expert.specialties"},
		{"repeated specialty", func(e *consultv1.Expert) { e.Specialties = append(e.Specialties, e.Specialties[0]) }, "expert.specialties[1]"},
		{"no stage", func(e *consultv1.Expert) { e.Stages = nil }, "expert.stages"},
		{"bad market", func(e *consultv1.Expert) { e.Markets = []string{"XX1"} }, "expert.markets[0]"},
		{"bad language", func(e *consultv1.Expert) { e.Languages = []string{"chinese"} }, "expert.languages[0]"},
		{"neither online nor districts", func(e *consultv1.Expert) { e.Online = false }, "expert.online"},
		{"capacity 0", func(e *consultv1.Expert) { e.WeeklyCapacity = 0 }, "expert.weekly_capacity"},
		{"capacity 41", func(e *consultv1.Expert) { e.WeeklyCapacity = 41 }, "expert.weekly_capacity"},
		{"buffer 121", func(e *consultv1.Expert) { e.DefaultBufferMinutes = 121 }, "expert.default_buffer_minutes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := validExpert()
			tt.mutate(e)
			NormalizeExpert(e)
			v := ValidateExpert(e)
			var fields []string
			for _, fv := range v.Violations {
				fields = append(fields, fv.Field)
			}
			if tt.field == "" {
				if len(fields) > 0 {
					t.Fatalf("violations %v, want none", v.Violations)
				}
				if e.Markets[0] != "US" || !slices.Equal(e.Languages, []string{"zh"}) {
					t.Errorf("normalised markets %v languages %v", e.Markets, e.Languages)
				}
				return
			}
			if !slices.Contains(fields, tt.field) {
				t.Errorf("violations %v, want one on %s", v.Violations, tt.field)
			}
		})
	}
}

func TestValidateSlot(t *testing.T) {
	now := at("2030-03-01 12:00")
	e := validExpert()
	onSite := func(s *consultv1.Slot) *consultv1.Slot {
		s.Mode = consultv1.SessionMode_SESSION_MODE_ON_SITE
		s.Venue = &consultv1.Venue{Park: "萧山园区", District: commonv1.District_DISTRICT_XIAOSHAN}
		return s
	}
	online := func(s *consultv1.Slot) *consultv1.Slot { s.Mode = consultv1.SessionMode_SESSION_MODE_ONLINE; return s }
	for _, tt := range []struct {
		name  string
		s     *consultv1.Slot
		field string
	}{
		{"valid online", online(slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0)), ""},
		{"valid on site", onSite(slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0)), ""},
		{"in the past", online(slot("2030-02-28 10:00", "2030-02-28 11:00", 0, 0)), "slot.start_time"},
		{"too far ahead", online(slot("2030-10-01 10:00", "2030-10-01 11:00", 0, 0)), "slot.start_time"},
		{"10 minutes", online(slot("2030-03-04 10:00", "2030-03-04 10:10", 0, 0)), "slot.end_time"},
		{"4 hours", online(slot("2030-03-04 10:00", "2030-03-04 14:00", 0, 0)), "slot.end_time"},
		{"on site without venue", func() *consultv1.Slot {
			s := slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0)
			s.Mode = consultv1.SessionMode_SESSION_MODE_ON_SITE
			return s
		}(), "slot.venue"},
		{"no mode", slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0), "slot.mode"},
		{"buffer 200", online(slot("2030-03-04 10:00", "2030-03-04 11:00", 200, 0)), "slot.buffer_before_minutes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := ValidateSlot(tt.s, e, now, true)
			var fields []string
			for _, fv := range v.Violations {
				fields = append(fields, fv.Field)
			}
			if tt.field == "" && len(fields) > 0 || tt.field != "" && !slices.Contains(fields, tt.field) {
				t.Errorf("violations %v, want %q", v.Violations, tt.field)
			}
		})
	}
	offline := validExpert()
	offline.Online, offline.Districts = false, []commonv1.District{commonv1.District_DISTRICT_XIAOSHAN}
	if v := ValidateSlot(online(slot("2030-03-04 10:00", "2030-03-04 11:00", 0, 0)), offline, now, true); len(v.Violations) != 1 || v.Violations[0].Field != "slot.mode" {
		t.Errorf("online slot of an on-site-only expert: %v", v.Violations)
	}
}

func TestDueTransition(t *testing.T) {
	now := at("2030-03-04 12:00")
	past, future := timestamppb.New(now.Add(-time.Minute)), timestamppb.New(now.Add(time.Minute))
	for _, tt := range []struct {
		name             string
		c                *consultv1.Consultation
		followUp, queued bool
	}{
		{"requested past deadline", &consultv1.Consultation{Status: Requested, PickupDeadlineTime: past}, false, true},
		{"assigned past deadline", &consultv1.Consultation{Status: Assigned, PickupDeadlineTime: past}, false, true},
		{"requested before deadline", &consultv1.Consultation{Status: Requested, PickupDeadlineTime: future}, false, false},
		{"already queued", &consultv1.Consultation{Status: Requested, PickupDeadlineTime: past, QueueReason: consultv1.QueueReason_QUEUE_REASON_EXPERT_DECLINED}, false, false},
		{"held, follow-up day come", &consultv1.Consultation{Status: Held, FollowUpTime: past}, true, false},
		{"held, follow-up ahead", &consultv1.Consultation{Status: Held, FollowUpTime: future}, false, false},
		{"scheduled", &consultv1.Consultation{Status: Scheduled, PickupDeadlineTime: past}, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, q := DueTransition(tt.c, now)
			if f != tt.followUp || q != tt.queued {
				t.Errorf("DueTransition = %v,%v, want %v,%v", f, q, tt.followUp, tt.queued)
			}
		})
	}
}
