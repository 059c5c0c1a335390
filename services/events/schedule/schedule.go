// Package schedule places the accepted 1:1 meeting requests of a matchmaking
// event into slots and tables.
//
// The participants form a bipartite graph: firms on one side, buyers,
// platforms and service providers (counterparts) on the other; every accepted
// request is an edge and every slot a colour. A schedule is a proper partial
// edge colouring (no participant in two meetings in one slot) in which no slot
// holds more meetings than its tables seat, no meeting sits in a slot one of
// its participants blocked, and locked meetings stay where they are.
//
// Without blocked slots and locks, König's theorem says Δ colours suffice, so
// [Solve] places every request whenever no participant has more requests than
// there are slots and the tables seat them all (requests ≤ slots × seats);
// it colours with alternating-path (Kempe) swaps, balances the slots with
// further swaps, and seats the meetings. With blocked slots (a list edge
// colouring, NP-hard in general) it runs a greedy placement with Kempe repair
// followed by a seeded local search within [Options.TimeBudget], and reports
// what it placed against [UpperBound]. In both cases a final pass reduces the
// participants' idle gaps without unplacing anything.
//
// [Verify] checks any schedule against the instance independently of the
// solver. The package has no storage and no I/O.
package schedule

import (
	"context"
	"time"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// Limits of one instance.
const (
	// MaxSlots is the most slots an instance may have (slot sets are 64-bit
	// masks inside the solver).
	MaxSlots = 64
	// MaxTables is the most tables an instance may have.
	MaxTables = 10000
	// MaxTableCapacity is the most meetings one table may seat at once.
	MaxTableCapacity = 100
	// MaxParticipants is the most participants an instance may have.
	MaxParticipants = 100000
	// DefaultMaxRequests is Options.MaxRequests when unset.
	DefaultMaxRequests = 20000
	// DefaultTimeBudget is Options.TimeBudget when unset.
	DefaultTimeBudget = 1500 * time.Millisecond
)

// Side is the participant's side of the bipartite meeting graph. Meetings
// always join one firm with one counterpart.
type Side int

const (
	// SideFirm is a member firm.
	SideFirm Side = iota + 1
	// SideCounterpart is a buyer, platform or service provider: whoever firms
	// meet.
	SideCounterpart
)

// Participant is one organisation taking part in the meetings.
type Participant struct {
	// ID is the participant's id, unique and non-empty; violations and
	// reasons name it.
	ID   string
	Side Side
	// Blocked lists 0-based slot indexes in which the participant cannot
	// meet. Duplicates are harmless.
	Blocked []int
}

// Placement is where a meeting happens; both indexes are 0-based.
type Placement struct {
	Slot, Table int
}

// Request is one accepted meeting request to place.
type Request struct {
	// ID is the request's id, unique and non-empty.
	ID string
	// A and B index Instance.Participants: one firm and one counterpart, in
	// either order.
	A, B int
	// Locked, when non-nil, is kept exactly as it is; the rest is planned
	// around it. It must not sit on a blocked slot or clash with another
	// locked meeting.
	Locked *Placement
}

// Instance is one scheduling problem.
type Instance struct {
	// Slots is the number of meeting rounds, in time order; 1..MaxSlots.
	Slots int
	// Tables is the number of tables, available in every slot; 1..MaxTables.
	Tables int
	// TableCapacities optionally gives each table's seats (meetings at once):
	// nil means 1 for every table; otherwise len must equal Tables and every
	// entry lies in 1..MaxTableCapacity.
	TableCapacities []int
	// TableHosts optionally gives each table's host: nil means none;
	// otherwise len must equal Tables and each entry is -1 (no host) or a
	// participant index. A hosted table holds only its host's meetings, and
	// its host meets only there; a participant hosts at most one table.
	TableHosts   []int
	Participants []Participant
	Requests     []Request
}

// Options tune a run.
type Options struct {
	// MaxRequests is the hard limit on len(Instance.Requests); 0 means
	// DefaultMaxRequests. Larger instances fail with ErrTooLarge.
	MaxRequests int
	// Seed makes the run reproducible: the same instance, options and seed
	// give the same schedule unless the time budget cuts the search short
	// (Stats.TimedOut).
	Seed int64
	// TimeBudget bounds the local search that runs when the constructive
	// phase leaves requests unplaced (blocked slots, locks, tight tables);
	// 0 means DefaultTimeBudget.
	TimeBudget time.Duration
}

// Meeting is a placed request.
type Meeting struct {
	RequestID string
	Placement
}

// UnplacedCode classifies why a request was not placed.
type UnplacedCode int

const (
	// UnplacedNoCommonFreeSlot: the two participants share no slot that is
	// neither blocked nor taken by a locked meeting of either.
	UnplacedNoCommonFreeSlot UnplacedCode = iota + 1
	// UnplacedNoRoom: common free slots exist, but the run could not fit the
	// meeting (participants' other meetings, full tables).
	UnplacedNoRoom
	// UnplacedHostsClash: both participants host a table, and each may meet
	// only at its own.
	UnplacedHostsClash
)

// Unplaced is a request the schedule leaves out, with the reason.
type Unplaced struct {
	RequestID string
	Code      UnplacedCode
	// Reason is for people, in Chinese, e.g. "双方无共同空闲时段".
	Reason string
}

// Stats describe a run.
type Stats struct {
	// Elapsed is the wall time of Solve.
	Elapsed time.Duration
	// Requests is len(Instance.Requests); Locked of them were locked.
	Requests, Locked int
	// Placed meetings, locked ones included.
	Placed int
	// MaxDegree is the most requests any participant has.
	MaxDegree int
	// IdleGapsBefore and IdleGaps total the idle slots between each
	// participant's first and last meetings (blocked slots do not count as
	// idle) before and after the gap-reduction pass.
	IdleGapsBefore, IdleGaps int
	// Search is true when the local search ran (the constructive phase left
	// requests unplaced); Iterations counts its moves.
	Search     bool
	Iterations int
	// TimedOut is true when the time budget stopped the search before it
	// placed every request or reached the upper bound.
	TimedOut bool
	Seed     int64
}

// Schedule is the result of a run.
type Schedule struct {
	// Meetings are the placed requests, ordered by slot then table.
	Meetings []Meeting
	// Unplaced are the rest, in request order.
	Unplaced []Unplaced
	// UpperBound is a computed bound on how many requests any valid schedule
	// can place (locked ones included); len(Meetings) == UpperBound proves the
	// schedule optimal.
	UpperBound int
	Stats      Stats
}

// ValidationError is the error for a malformed instance: every violation names
// the field ("slots", "requests[3].b", "requests[5].locked") and the rule, in
// Chinese. It is apperr's type, so the service's error interceptor maps it to
// INVALID_ARGUMENT as it is.
type ValidationError = apperr.ValidationError

// ErrTooLarge is wrapped by the error for an instance beyond the hard limits
// (Options.MaxRequests, MaxParticipants); test with errors.Is. The error
// returned is an apperr RESOURCE_EXHAUSTED error with the counts in its
// message.
var ErrTooLarge = &apperr.Error{Kind: apperr.KindResourceExhausted, Msg: "排程规模超过上限"}

// Solve validates in and schedules its requests. A malformed instance fails
// with a *ValidationError, an oversized one with ErrTooLarge (wrapped), a
// cancelled context with ctx.Err(); none of them returns a partial schedule.
// Every schedule returned passes [Verify].
func Solve(ctx context.Context, in Instance, opts Options) (Schedule, error) {
	start := time.Now()
	if err := checkSize(in, opts); err != nil {
		return Schedule{}, err
	}
	if err := Validate(in); err != nil {
		return Schedule{}, err
	}
	if err := ctx.Err(); err != nil {
		return Schedule{}, err
	}
	budget := opts.TimeBudget
	if budget <= 0 {
		budget = DefaultTimeBudget
	}
	e := newEngine(in, opts.Seed)
	s, err := e.run(ctx, start, budget)
	if err != nil {
		return Schedule{}, err
	}
	s.Stats.Elapsed = time.Since(start)
	return s, nil
}
