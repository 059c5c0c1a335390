package adapters

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/store"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

func consultationRepo(db store.Database) repo[*consultv1.Consultation] {
	return repo[*consultv1.Consultation]{
		c: db.Collection("consultations"), what: "咨询",
		fresh: func() *consultv1.Consultation { return &consultv1.Consultation{} },
		id:    func(c *consultv1.Consultation) string { return c.GetId() },
		stamp: func(c *consultv1.Consultation, v int64) { c.Etag = etag.Format(v) },
		fields: func(c *consultv1.Consultation) bson.D {
			var clinics []string
			var starts []time.Time
			for _, s := range c.GetSessions() {
				if s.GetClinicId() != "" {
					clinics = append(clinics, s.GetClinicId())
				}
				starts = append(starts, s.GetStartTime().AsTime())
			}
			queued := c.GetQueueReason() != consultv1.QueueReason_QUEUE_REASON_UNSPECIFIED
			d := bson.D{
				eq("firm_id", c.GetFirmId()), eq("association_ids", strs(c.GetFirm().GetAssociationIds())),
				eq("district", enumName(c.GetFirm().GetDistrict())), eq("status", enumName(c.GetStatus())),
				eq("expert_id", c.GetExpertId()), eq("case_expert_ids", strs(c.GetCaseExpertIds())),
				eq("needs", enumNames(c.GetNeeds())), eq("clinic_ids", strs(clinics)), eq("session_starts", starts),
				eq("queued", queued), eq("queue_reason", enumName(c.GetQueueReason())),
				eq("create_time", c.GetCreateTime().AsTime()), eq("sample", c.GetSample()),
			}
			if queued {
				d = append(d, eq("queue_time", c.GetQueueTime().AsTime()))
			}
			// due says when the server itself must look at the case: the
			// pickup deadline of an unqueued request, or the follow-up day
			// of a HELD case.
			switch {
			case (c.GetStatus() == domain.Requested || c.GetStatus() == domain.Assigned) && !queued && c.GetPickupDeadlineTime() != nil:
				d = append(d, eq("due_time", c.GetPickupDeadlineTime().AsTime()))
			case c.GetStatus() == domain.Held && c.GetFollowUpTime() != nil:
				d = append(d, eq("due_time", c.GetFollowUpTime().AsTime()))
			}
			return d
		},
	}
}

// Consultations stores consultations with their sessions and history
// ("consultations").
type Consultations struct{ r repo[*consultv1.Consultation] }

// Create stores a new consultation.
func (s *Consultations) Create(ctx context.Context, c *consultv1.Consultation) (*consultv1.Consultation, error) {
	return s.r.insert(ctx, c)
}

// Get returns a consultation.
func (s *Consultations) Get(ctx context.Context, id string) (*consultv1.Consultation, error) {
	c, _, err := s.r.get(ctx, id, false)
	return c, err
}

// Update applies fn conditional on the version (expect > 0: an etag; else a
// lost race re-reads and re-applies fn, which therefore checks the status
// it sees every time).
func (s *Consultations) Update(ctx context.Context, id string, expect int64, now time.Time, fn func(*consultv1.Consultation) error) (*consultv1.Consultation, error) {
	return s.r.update(ctx, id, expect, now, fn)
}

// ConsultationFilter selects consultations within a scope; zero fields do
// not filter.
type ConsultationFilter struct {
	Scope         domain.Scope
	FirmID        string
	AssociationID string
	ExpertID      string
	Statuses      []consultv1.ConsultationStatus
	Need          commonv1.NeedTag
	District      commonv1.District
	ClinicID      string
	CreateAfter   time.Time
	CreateBefore  time.Time
	QueuedOnly    bool
	QueueReason   consultv1.QueueReason
	// SessionAfter and SessionBefore select cases with a session starting
	// in the window; they are applied after the query (see List).
	SessionAfter  time.Time
	SessionBefore time.Time
}

func (f ConsultationFilter) bson() bson.D {
	q := bson.D{}
	sc := f.Scope
	switch {
	case sc.All:
	case sc.District != 0:
		q = append(q, eq("district", enumName(sc.District)))
	case sc.AssociationID != "":
		q = append(q, eq("association_ids", sc.AssociationID))
	case sc.FirmID != "":
		q = append(q, eq("firm_id", sc.FirmID))
	case sc.ExpertID != "":
		q = append(q, eq("case_expert_ids", sc.ExpertID))
	default:
		// A forgotten scope matches nothing.
		q = append(q, eq("_id", bson.D{{Key: "$exists", Value: false}}))
	}
	and := bson.A{}
	if f.FirmID != "" {
		and = append(and, bson.D{eq("firm_id", f.FirmID)})
	}
	if f.AssociationID != "" {
		and = append(and, bson.D{eq("association_ids", f.AssociationID)})
	}
	if f.ExpertID != "" {
		and = append(and, bson.D{eq("case_expert_ids", f.ExpertID)})
	}
	if len(f.Statuses) > 0 {
		and = append(and, bson.D{in("status", enumNames(f.Statuses))})
	}
	if f.Need != 0 {
		and = append(and, bson.D{eq("needs", enumName(f.Need))})
	}
	if f.District != 0 {
		and = append(and, bson.D{eq("district", enumName(f.District))})
	}
	if f.ClinicID != "" {
		and = append(and, bson.D{eq("clinic_ids", f.ClinicID)})
	}
	if !f.CreateAfter.IsZero() {
		and = append(and, bson.D{eq("create_time", bson.D{{Key: "$gte", Value: f.CreateAfter}})})
	}
	if !f.CreateBefore.IsZero() {
		and = append(and, bson.D{eq("create_time", bson.D{{Key: "$lt", Value: f.CreateBefore}})})
	}
	if f.QueuedOnly {
		and = append(and, bson.D{eq("queued", true)})
	}
	if f.QueueReason != 0 {
		and = append(and, bson.D{eq("queue_reason", enumName(f.QueueReason))})
	}
	if len(and) > 0 {
		q = append(q, eq("$and", and))
	}
	return q
}

func (f ConsultationFilter) sessionMatch(c *consultv1.Consultation) bool {
	if f.SessionAfter.IsZero() && f.SessionBefore.IsZero() {
		return true
	}
	for _, s := range c.GetSessions() {
		t := s.GetStartTime().AsTime()
		if (f.SessionAfter.IsZero() || !t.Before(f.SessionAfter)) && (f.SessionBefore.IsZero() || t.Before(f.SessionBefore)) {
			return true
		}
	}
	return false
}

// List returns one page of consultations, newest first (queued ones: longest
// waiting first). The session-time window is applied in memory: a filter on
// a range of array elements ($elemMatch) is among what the embedded store
// gets wrong.
func (s *Consultations) List(ctx context.Context, f ConsultationFilter, offset, limit int) ([]*consultv1.Consultation, int, error) {
	sort := bson.D{{Key: "create_time", Value: -1}, {Key: "_id", Value: -1}}
	if f.QueuedOnly {
		sort = bson.D{{Key: "queue_time", Value: 1}, {Key: "_id", Value: 1}}
	}
	if f.SessionAfter.IsZero() && f.SessionBefore.IsZero() {
		return s.r.page(ctx, f.bson(), sort, offset, limit)
	}
	all, err := s.r.all(ctx, f.bson(), sort)
	if err != nil {
		return nil, 0, err
	}
	var match []*consultv1.Consultation
	for _, c := range all {
		if f.sessionMatch(c) {
			match = append(match, c)
		}
	}
	total := len(match)
	if offset >= total {
		return nil, total, nil
	}
	end := total
	if limit > 0 {
		end = min(total, offset+limit)
	}
	return match[offset:end], total, nil
}

// All returns every consultation matching f (exports), newest first, at
// most max+1 so the caller can tell the limit was passed.
func (s *Consultations) All(ctx context.Context, f ConsultationFilter, max int) ([]*consultv1.Consultation, error) {
	out, _, err := s.List(ctx, f, 0, max+1)
	return out, err
}

// Due returns the ids of consultations the server must look at by now:
// unqueued requests past their pickup deadline and HELD cases whose
// follow-up day has come.
func (s *Consultations) Due(ctx context.Context, now time.Time) ([]string, error) {
	q := bson.D{eq("due_time", bson.D{{Key: "$lte", Value: now}})}
	docs, err := store.FindAll(ctx, s.r.c.Read, "consultations", live(q), options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}), func(h head) string { return h.ID })
	return docs, err
}

// CountOpenForExpert counts the consultations assigned to or scheduled with
// an expert.
func (s *Consultations) CountOpenForExpert(ctx context.Context, expertID string) (int, error) {
	_, n, err := s.r.page(ctx, bson.D{eq("expert_id", expertID), in("status", enumNames([]consultv1.ConsultationStatus{domain.Assigned, domain.Scheduled}))}, bson.D{{Key: "_id", Value: 1}}, 0, 1)
	return n, err
}

// ── case notes ──────────────────────────────────────────────────────────

func noteRepo(db store.Database) repo[*consultv1.CaseNote] {
	return repo[*consultv1.CaseNote]{
		c: db.Collection("case_notes"), what: "咨询记录",
		fresh: func() *consultv1.CaseNote { return &consultv1.CaseNote{} },
		id:    func(n *consultv1.CaseNote) string { return n.GetId() },
		stamp: func(n *consultv1.CaseNote, v int64) { n.Etag = etag.Format(v) },
		fields: func(n *consultv1.CaseNote) bson.D {
			return bson.D{eq("consultation_id", n.GetConsultationId()), eq("create_time", n.GetCreateTime().AsTime()), eq("sample", n.GetSample())}
		},
	}
}

// Notes stores case notes, append-only ("case_notes").
type Notes struct{ r repo[*consultv1.CaseNote] }

// Create stores a note.
func (s *Notes) Create(ctx context.Context, n *consultv1.CaseNote) (*consultv1.CaseNote, error) {
	return s.r.insert(ctx, n)
}

// List returns one page of a consultation's notes, oldest first.
func (s *Notes) List(ctx context.Context, consultationID string, offset, limit int) ([]*consultv1.CaseNote, int, error) {
	return s.r.page(ctx, bson.D{eq("consultation_id", consultationID)}, bson.D{{Key: "create_time", Value: 1}, {Key: "_id", Value: 1}}, offset, limit)
}

// ForConsultations returns every note of the given consultations (exports).
func (s *Notes) ForConsultations(ctx context.Context, ids []string) ([]*consultv1.CaseNote, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.r.all(ctx, bson.D{in("consultation_id", ids)}, bson.D{{Key: "create_time", Value: 1}, {Key: "_id", Value: 1}})
}
