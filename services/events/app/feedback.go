package app

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/events/adapters"
	"github.com/qihang-hz/qihang/services/events/domain"
)

// CreateFeedback records the registrant's feedback on an event, once per
// registration, from an attendee who was checked in. The launcher's own
// identity may record it on a registrant's behalf (demo data); organisers
// may not, so the ratings are the attendees' own.
func (s *Service) CreateFeedback(ctx context.Context, eventID string, in *eventsv1.Feedback) (*eventsv1.Feedback, error) {
	p := auth.FromContext(ctx)
	onBehalf := domain.MayMarkSample(p)
	if !p.Is(auth.RoleFirmUser) && !p.Is(auth.RoleAssociationAdmin) && !onBehalf {
		return nil, apperr.PermissionDenied("只有参加活动的报名单位可以提交反馈")
	}
	if in == nil {
		return nil, apperr.Invalid("feedback", "请提供反馈内容")
	}
	f := &eventsv1.Feedback{
		RegistrationId: in.GetRegistrationId(), Rating: in.GetRating(), Comment: in.GetComment(),
		FollowUpNeeds: in.GetFollowUpNeeds(), Sample: in.GetSample() && onBehalf,
	}
	if v := domain.ValidateFeedback(f); v.Err() != nil {
		return nil, v
	}
	e, r, _, err := s.readableRegistration(ctx, p, eventID, f.GetRegistrationId())
	if err != nil {
		return nil, err
	}
	if !domain.IsRegistrant(p, r) && !onBehalf {
		return nil, apperr.NotFound("报名记录%s不存在", f.GetRegistrationId())
	}
	if err := domain.FeedbackOpen(e, r, s.now()); err != nil {
		return nil, err
	}
	f.EventId, f.PartyName = e.GetId(), r.GetPartyName()
	out, err := s.st.Feedback.InsertWith(ctx, "", f, bson.M{
		"firm_id": r.GetFirmId(), "association_id": r.GetAssociationId(), "nominating": r.GetNominatingAssociationId(),
	})
	if err != nil {
		if errors.Is(err, adapters.ErrDuplicate) {
			return nil, apperr.AlreadyExists("该报名已提交过反馈，每个报名只能评价一次")
		}
		return nil, err
	}
	s.record(ctx, "feedback.create", "feedback", out.GetId(), out.GetEtag(), fmt.Sprintf("%s %s %d分", e.GetId(), r.GetId(), f.GetRating()))
	return out, nil
}

// FeedbackPage is one page of ListFeedback.
type FeedbackPage struct {
	Feedback []*eventsv1.Feedback
	Next     string
	Total    int
	// Average is the mean rating over all pages; nil when there is none.
	Average *float64
}

// ListFeedback lists an event's feedback, newest first, with the mean
// rating of everything listed: organisers see all, registrants their own.
func (s *Service) ListFeedback(ctx context.Context, eventID string, rating int32, size int32, token string) (*FeedbackPage, error) {
	p := auth.FromContext(ctx)
	if rating != 0 && (rating < 1 || rating > 5) {
		return nil, apperr.Invalid("rating", "评分筛选须为1至5，当前为%d", rating)
	}
	page, err := paging.Parse(size, token, fmt.Sprintf("feedback|%s|%d", eventID, rating))
	if err != nil {
		return nil, err
	}
	e, _, err := s.getEvent(ctx, p, eventID)
	if err != nil {
		return nil, err
	}
	var q bson.D
	if !domain.IsOrganiser(p, e) {
		switch {
		case p.Is(auth.RoleFirmUser):
			q = append(q, bson.E{Key: adapters.F("firm_id"), Value: p.FirmID})
		case p.Is(auth.RoleAssociationAdmin):
			q = append(q, bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: adapters.F("association_id"), Value: p.AssociationID}},
				bson.D{{Key: adapters.F("nominating"), Value: p.AssociationID}},
			}})
		default:
			return nil, apperr.PermissionDenied("只有活动的主办方和报名单位可以查看反馈")
		}
	}
	if rating != 0 {
		q = append(q, bson.E{Key: adapters.F("rating"), Value: rating})
	}
	all, err := s.st.Feedback.All(ctx, adapters.Query{EventID: e.GetId(), Filter: q, Sort: bson.D{{Key: "create_time", Value: -1}}})
	if err != nil {
		return nil, err
	}
	out := &FeedbackPage{Total: len(all), Feedback: []*eventsv1.Feedback{}}
	if len(all) > 0 {
		sum := 0
		for _, f := range all {
			sum += int(f.GetRating())
		}
		avg := float64(sum) / float64(len(all))
		out.Average = &avg
	}
	if page.Offset < len(all) {
		out.Feedback = all[page.Offset:min(page.Offset+page.Size, len(all))]
	}
	out.Next = page.Next(len(out.Feedback), out.Total)
	return out, nil
}
