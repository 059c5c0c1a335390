package domain

import (
	"slices"
	"time"

	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
)

// Status short names.
const (
	Requested   = consultv1.ConsultationStatus_CONSULTATION_STATUS_REQUESTED
	Assigned    = consultv1.ConsultationStatus_CONSULTATION_STATUS_ASSIGNED
	Scheduled   = consultv1.ConsultationStatus_CONSULTATION_STATUS_SCHEDULED
	Held        = consultv1.ConsultationStatus_CONSULTATION_STATUS_HELD
	FollowUpDue = consultv1.ConsultationStatus_CONSULTATION_STATUS_FOLLOW_UP_DUE
	Closed      = consultv1.ConsultationStatus_CONSULTATION_STATUS_CLOSED
	Cancelled   = consultv1.ConsultationStatus_CONSULTATION_STATUS_CANCELLED
	NoShow      = consultv1.ConsultationStatus_CONSULTATION_STATUS_NO_SHOW
)

// Statuses lists every status in lifecycle order.
var Statuses = []consultv1.ConsultationStatus{Requested, Assigned, Scheduled, Held, FollowUpDue, Closed, Cancelled, NoShow}

// Final reports whether a status ends the case.
func Final(s consultv1.ConsultationStatus) bool { return s == Closed || s == Cancelled || s == NoShow }

// Action is a lifecycle call.
type Action int

// The lifecycle calls.
const (
	ActAssign Action = iota + 1
	ActBook
	ActCancel
	ActMarkHeld
	ActMarkNoShow
	ActClose
	ActDecline
	ActUpdate
	ActNote
)

// Actions lists the actions for table tests.
var Actions = []Action{ActAssign, ActBook, ActCancel, ActMarkHeld, ActMarkNoShow, ActClose, ActDecline, ActUpdate, ActNote}

func (a Action) label() string {
	switch a {
	case ActAssign:
		return "指派专家"
	case ActBook:
		return "预约时段"
	case ActCancel:
		return "取消"
	case ActMarkHeld:
		return "确认已咨询"
	case ActMarkNoShow:
		return "登记缺席"
	case ActClose:
		return "结案"
	case ActDecline:
		return "婉拒"
	case ActUpdate:
		return "修改申请内容"
	case ActNote:
		return "填写咨询记录"
	}
	return "执行此操作"
}

func (a Action) String() string { return a.label() }

// Transition is what a consultation's status and the call's circumstances
// allow. Coordinator says the caller is a bureau admin or district officer;
// Started that the current session has started (for SCHEDULED).
type Transition struct {
	Action      Action
	From        consultv1.ConsultationStatus
	Coordinator bool
	Started     bool
}

// Check returns nil when the transition is legal (the lifecycle diagram of
// ConsultationService), else the contract's error: SESSION_NOT_STARTED for
// marking a session before it starts, ILLEGAL_TRANSITION otherwise.
func (t Transition) Check() error {
	s := t.From
	ok := false
	switch t.Action {
	case ActAssign:
		// Firms and associations pick in REQUESTED; coordinators also
		// reassign and hand over.
		ok = s == Requested ||
			t.Coordinator && (s == Assigned || (s == Scheduled && !t.Started) || s == Held || s == FollowUpDue)
	case ActBook:
		ok = slices.Contains([]consultv1.ConsultationStatus{Requested, Assigned, Held, FollowUpDue}, s) ||
			(s == Scheduled && !t.Started)
	case ActCancel:
		ok = s == Requested || s == Assigned || (s == Scheduled && !t.Started)
	case ActDecline:
		ok = s == Assigned || (s == Scheduled && !t.Started)
	case ActMarkHeld, ActMarkNoShow:
		if s == Scheduled && !t.Started {
			return SessionNotStarted()
		}
		ok = s == Scheduled
	case ActClose:
		ok = s == Held || s == FollowUpDue
	case ActUpdate:
		ok = s == Requested || s == Assigned
	case ActNote:
		ok = s != Closed && s != Cancelled
	}
	if !ok {
		return IllegalTransition(s, t.Action)
	}
	return nil
}

// CurrentSession returns the last session, or nil.
func CurrentSession(c *consultv1.Consultation) *consultv1.Session {
	if n := len(c.GetSessions()); n > 0 {
		return c.GetSessions()[n-1]
	}
	return nil
}

// Started reports whether the consultation's current scheduled session has
// started at now.
func Started(c *consultv1.Consultation, now time.Time) bool {
	s := CurrentSession(c)
	return s != nil && s.GetStatus() == consultv1.SessionStatus_SESSION_STATUS_SCHEDULED && !now.Before(s.GetStartTime().AsTime())
}

// LastHeldSession returns the latest held session, or nil.
func LastHeldSession(c *consultv1.Consultation) *consultv1.Session {
	for i := len(c.GetSessions()) - 1; i >= 0; i-- {
		if c.GetSessions()[i].GetStatus() == consultv1.SessionStatus_SESSION_STATUS_HELD {
			return c.GetSessions()[i]
		}
	}
	return nil
}

// FindSession returns the session with id, or nil.
func FindSession(c *consultv1.Consultation, id string) *consultv1.Session {
	for _, s := range c.GetSessions() {
		if s.GetId() == id {
			return s
		}
	}
	return nil
}

// MaxSessions bounds a consultation's sessions, cancelled ones included.
const MaxSessions = 30

// DueTransition returns the status a consultation moves to on its own at
// now — FOLLOW_UP_DUE when a HELD case's follow-up day has come — and
// whether it must be queued because nobody picked it up in time. Both false:
// nothing is due.
func DueTransition(c *consultv1.Consultation, now time.Time) (followUpDue, queue bool) {
	switch c.GetStatus() {
	case Held:
		if f := c.GetFollowUpTime(); f != nil && !now.Before(f.AsTime()) {
			followUpDue = true
		}
	case Requested, Assigned:
		if c.GetQueueReason() == consultv1.QueueReason_QUEUE_REASON_UNSPECIFIED {
			if d := c.GetPickupDeadlineTime(); d != nil && !now.Before(d.AsTime()) {
				queue = true
			}
		}
	}
	return followUpDue, queue
}
