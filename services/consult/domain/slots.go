package domain

import (
	"time"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
)

// Slot limits.
const (
	MinSlotMinutes   = 15
	MaxSlotMinutes   = 180
	MaxBufferMinutes = 120
	MaxSlotAheadDays = 180
	MaxClinicHours   = 4
	MinClinicSlot    = 15
	MaxClinicSlot    = 120
	MaxClinicGap     = 60
)

// Block is the span a slot keeps from other slots of its expert: the slot
// widened by its buffers.
type Block struct {
	Start, End time.Time
}

// Overlaps reports whether two blocks share time; touching ends do not
// overlap.
func (b Block) Overlaps(o Block) bool { return b.Start.Before(o.End) && o.Start.Before(b.End) }

// Buffers returns the buffers in force of a slot: its own, or the expert's
// default.
func Buffers(s *consultv1.Slot, defaultMinutes int32) (before, after int32) {
	before, after = defaultMinutes, defaultMinutes
	if s.BufferBeforeMinutes != nil {
		before = s.GetBufferBeforeMinutes()
	}
	if s.BufferAfterMinutes != nil {
		after = s.GetBufferAfterMinutes()
	}
	return before, after
}

// SlotBlock returns the block of a slot whose buffers are in force (as
// stored slots always carry them).
func SlotBlock(s *consultv1.Slot) Block {
	return Block{
		Start: s.GetStartTime().AsTime().Add(-time.Duration(s.GetBufferBeforeMinutes()) * time.Minute),
		End:   s.GetEndTime().AsTime().Add(time.Duration(s.GetBufferAfterMinutes()) * time.Minute),
	}
}

// ClinicSpans cuts a clinic's half day into consecutive slots of
// slotMinutes with gapMinutes between them, as many as fit.
func ClinicSpans(start, end time.Time, slotMinutes, gapMinutes int32) [][2]time.Time {
	var out [][2]time.Time
	slot := time.Duration(slotMinutes) * time.Minute
	gap := time.Duration(gapMinutes) * time.Minute
	if slot <= 0 {
		return nil
	}
	for t := start; !t.Add(slot).After(end); t = t.Add(slot + gap) {
		out = append(out, [2]time.Time{t, t.Add(slot)})
	}
	return out
}

// Bookable reports whether an open slot can be booked at now: it starts
// after the minimum notice and the expert is not paused. (Whether the week
// is full is the capacity counter's to say.)
func Bookable(s *consultv1.Slot, paused bool, noticeHours int32, now time.Time) bool {
	return s.GetStatus() == consultv1.SlotStatus_SLOT_STATUS_OPEN && !paused && !TooSoon(s, noticeHours, now)
}

// TooSoon reports whether a slot has started or starts within the notice.
func TooSoon(s *consultv1.Slot, noticeHours int32, now time.Time) bool {
	return !s.GetStartTime().AsTime().After(now.Add(time.Duration(noticeHours) * time.Hour))
}
