package schedule_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/qihang-hz/qihang/services/events/schedule"
)

func meeting(id string, slot, table int) schedule.Meeting {
	return schedule.Meeting{RequestID: id, Placement: schedule.Placement{Slot: slot, Table: table}}
}

func kinds(vs []schedule.Violation) []schedule.ViolationKind {
	var out []schedule.ViolationKind
	for _, v := range vs {
		out = append(out, v.Kind)
	}
	return out
}

func TestVerifyFindsEveryBrokenRule(t *testing.T) {
	good := func() schedule.Schedule {
		return schedule.Schedule{Meetings: []schedule.Meeting{
			meeting("r1", 0, 0), meeting("r2", 1, 0), meeting("r3", 1, 1),
		}}
	}
	tests := []struct {
		name   string
		modify func(*schedule.Instance, *schedule.Schedule)
		want   []schedule.ViolationKind
	}{
		{"valid", func(*schedule.Instance, *schedule.Schedule) {}, nil},
		{"valid with an unplaced request", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings = s.Meetings[:2]
			s.Unplaced = []schedule.Unplaced{{RequestID: "r3"}}
		}, nil},
		{"double booking", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings[0] = meeting("r1", 1, 1) // f1 also meets b2 in slot 1
			s.Meetings[2] = meeting("r3", 0, 1)
		}, []schedule.ViolationKind{schedule.ViolationDoubleBooking}},
		{"over-full table", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings[2] = meeting("r3", 1, 0)
		}, []schedule.ViolationKind{schedule.ViolationTableOverfull}},
		{"table with two seats holds two", func(in *schedule.Instance, s *schedule.Schedule) {
			in.TableCapacities = []int{2, 1}
			s.Meetings[2] = meeting("r3", 1, 0)
		}, nil},
		{"blocked slot", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings[1] = meeting("r2", 2, 0) // b2 blocked slot 2
		}, []schedule.ViolationKind{schedule.ViolationBlockedSlot}},
		{"locked meeting moved", func(in *schedule.Instance, _ *schedule.Schedule) {
			in.Requests[0].Locked = &schedule.Placement{Slot: 2, Table: 1}
		}, []schedule.ViolationKind{schedule.ViolationLockBroken}},
		{"locked meeting left out", func(in *schedule.Instance, s *schedule.Schedule) {
			in.Requests[0].Locked = &schedule.Placement{Slot: 0, Table: 0}
			s.Meetings = s.Meetings[1:]
			s.Unplaced = []schedule.Unplaced{{RequestID: "r1"}}
		}, []schedule.ViolationKind{schedule.ViolationLockBroken}},
		{"unknown request placed", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings = append(s.Meetings, meeting("r9", 2, 1))
		}, []schedule.ViolationKind{schedule.ViolationNotAccepted}},
		{"unknown request unplaced", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Unplaced = []schedule.Unplaced{{RequestID: "r9"}}
		}, []schedule.ViolationKind{schedule.ViolationNotAccepted}},
		{"request placed twice", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings = append(s.Meetings, meeting("r3", 2, 1))
		}, []schedule.ViolationKind{schedule.ViolationDuplicate}},
		{"request placed and unplaced", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Unplaced = []schedule.Unplaced{{RequestID: "r3"}}
		}, []schedule.ViolationKind{schedule.ViolationDuplicate}},
		{"request missing", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings = s.Meetings[:2]
		}, []schedule.ViolationKind{schedule.ViolationMissing}},
		{"slot out of range", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings[0] = meeting("r1", 3, 0)
		}, []schedule.ViolationKind{schedule.ViolationInvalidReference}},
		{"table out of range", func(_ *schedule.Instance, s *schedule.Schedule) {
			s.Meetings[0] = meeting("r1", 0, -1)
		}, []schedule.ViolationKind{schedule.ViolationInvalidReference}},
		{"request names no participant", func(in *schedule.Instance, _ *schedule.Schedule) {
			in.Requests[0].B = 7
		}, []schedule.ViolationKind{schedule.ViolationInvalidReference}},
		{"hosted table holds another meeting", func(in *schedule.Instance, _ *schedule.Schedule) {
			in.TableHosts = []int{-1, 3} // b2 hosts table 1, where r3 (f2–b1) sits; r2 (b2–f1) sits at table 0
		}, []schedule.ViolationKind{schedule.ViolationTableHostConflict, schedule.ViolationTableHostConflict}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, s := small(), good()
			tc.modify(&in, &s)
			got := schedule.Verify(in, s)
			if diff := cmp.Diff(tc.want, kinds(got)); diff != "" {
				t.Errorf("violations (-want +got):\n%s\n%+v", diff, got)
			}
			for _, v := range got {
				if v.Description == "" || v.RequestID == "" {
					t.Errorf("violation %+v lacks its request or description", v)
				}
			}
		})
	}
}

func TestVerifyNamesBothSidesOfAClash(t *testing.T) {
	in := small()
	s := schedule.Schedule{Meetings: []schedule.Meeting{meeting("r1", 1, 0), meeting("r2", 1, 1), meeting("r3", 2, 0)}}
	got := schedule.Verify(in, s)
	want := []schedule.Violation{{
		Kind: schedule.ViolationDoubleBooking, RequestID: "r2", ConflictingRequestID: "r1", ParticipantID: "f1",
		Slot: 1, Table: 1, Description: "参会方“f1”在第 2 时段有两场会谈：“r1”与“r2”",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
