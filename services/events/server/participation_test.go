package server_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	eventsv1 "github.com/qihang-hz/qihang/gen/qihang/events/v1"
)

const (
	boothSubmitted = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_SUBMITTED
	boothApproved  = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_APPROVED
	boothDeclined  = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_DECLINED
	boothWithdrawn = eventsv1.BoothApplicationStatus_BOOTH_APPLICATION_STATUS_WITHDRAWN
)

func wantCode(t *testing.T, what string, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("%s: %v (%q), want %v", what, got, status.Convert(err).Message(), want)
	}
}

func (h *harness) boothsGranted(t *testing.T, eventID string) int32 {
	t.Helper()
	e, err := h.events.GetEvent(h.as(t, roleBureau), &eventsv1.GetEventRequest{Id: eventID})
	if err != nil {
		t.Fatal(err)
	}
	return e.GetEvent().GetBoothsGranted()
}

// TestLastBoothsRace: an expo of 10 booths has 7 granted; 50 applications of
// one booth each are approved at once through the real gRPC server: exactly
// 3 are approved and 47 refused with RESOURCE_EXHAUSTED, and the event
// counts 10. A withdrawal frees its booth for the next approval. Ten
// simultaneous approvals of one application grant its booths once.
func TestLastBoothsRace(t *testing.T) {
	h := newHarness(t)
	a := h.eventsSvc.App
	const racers = 50
	e := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.BoothCount = 10 })
	big := boothMessage(h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA), "")
	big.BoothsRequested = 7
	b7, err := a.CreateBoothApplication(h.system, e.GetId(), big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ApproveBoothApplication(h.system, e.GetId(), b7.GetId(), 0, nil, ""); err != nil {
		t.Fatal(err)
	}
	apps := make([]*eventsv1.BoothApplication, racers)
	for i := range apps {
		m := boothMessage(h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA), h.assocA)
		m.BoothsRequested = 1
		if apps[i], err = a.CreateBoothApplication(h.system, e.GetId(), m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	got := map[codes.Code]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, b := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := h.as(t, roleBureau)
			<-start
			_, err := h.events.ApproveBoothApplication(ctx, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId()})
			mu.Lock()
			defer mu.Unlock()
			got[status.Code(err)]++
			if err != nil && status.Code(err) != codes.ResourceExhausted {
				t.Errorf("approve %s: %v", b.GetId(), err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if got[codes.OK] != 3 || got[codes.ResourceExhausted] != racers-3 {
		t.Fatalf("codes %v, want 3 OK and %d ResourceExhausted", got, racers-3)
	}
	if n := h.boothsGranted(t, e.GetId()); n != 10 {
		t.Errorf("event booths_granted %d, want 10", n)
	}
	list := func(st eventsv1.BoothApplicationStatus) []*eventsv1.BoothApplication {
		resp, err := h.events.ListBoothApplications(h.as(t, roleBureau), &eventsv1.ListBoothApplicationsRequest{EventId: e.GetId(), Status: st, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetBoothApplications()
	}
	approved, submitted := list(boothApproved), list(boothSubmitted)
	sum := int32(0)
	for _, b := range approved {
		sum += b.GetBoothsGranted()
	}
	if len(approved) != 4 || sum != 10 || len(submitted) != racers-3 {
		t.Errorf("stored: %d approved with %d booths, %d submitted; want 4 with 10 and %d", len(approved), sum, len(submitted), racers-3)
	}

	// Withdrawing an approved one frees its booth for exactly one more.
	var one *eventsv1.BoothApplication
	for _, b := range approved {
		if b.GetBoothsGranted() == 1 {
			one = b
		}
	}
	w, err := h.events.WithdrawBoothApplication(h.as(t, roleBureau), &eventsv1.WithdrawBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: one.GetId(), Etag: one.GetEtag()})
	if err != nil || w.GetBoothApplication().GetStatus() != boothWithdrawn {
		t.Fatalf("withdraw: %v %v", w, err)
	}
	if n := h.boothsGranted(t, e.GetId()); n != 9 {
		t.Errorf("after withdrawal booths_granted %d, want 9", n)
	}
	_, err = h.events.ApproveBoothApplication(h.as(t, roleBureau), &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: submitted[0].GetId()})
	wantCode(t, "approve into the freed booth", err, codes.OK)
	_, err = h.events.ApproveBoothApplication(h.as(t, roleBureau), &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: submitted[1].GetId()})
	wantCode(t, "approve beyond booth_count", err, codes.ResourceExhausted)

	// Ten organisers approve the same application at once: one wins.
	e2 := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.BoothCount = 10 })
	same, err := a.CreateBoothApplication(h.system, e2.GetId(), boothMessage(h.firmA, h.assocA))
	if err != nil {
		t.Fatal(err)
	}
	got = map[codes.Code]int{}
	start = make(chan struct{})
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := h.as(t, roleBureau)
			<-start
			_, err := h.events.ApproveBoothApplication(ctx, &eventsv1.ApproveBoothApplicationRequest{EventId: e2.GetId(), BoothApplicationId: same.GetId()})
			mu.Lock()
			got[status.Code(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if got[codes.OK] != 1 || got[codes.OK]+got[codes.FailedPrecondition]+got[codes.Aborted] != 10 {
		t.Errorf("same application approved concurrently: codes %v, want 1 OK and the rest FailedPrecondition or Aborted", got)
	}
	if n := h.boothsGranted(t, e2.GetId()); n != 2 {
		t.Errorf("booths_granted %d after concurrent approvals of one application of 2, want 2", n)
	}
}

// TestBoothApplicationRules: who may apply for what, bad input named field
// by field, and every illegal transition refused with a Chinese reason.
func TestBoothApplicationRules(t *testing.T) {
	h := newHarness(t)
	firm, assoc, bureau := h.as(t, roleFirm), h.as(t, roleAssoc), h.as(t, roleBureau)
	e := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.BoothCount = 4 })
	create := func(role string, m *eventsv1.BoothApplication, eventID string) (*eventsv1.BoothApplication, error) {
		resp, err := h.events.CreateBoothApplication(h.as(t, role), &eventsv1.CreateBoothApplicationRequest{EventId: eventID, BoothApplication: m})
		return resp.GetBoothApplication(), err
	}

	t.Run("bad input", func(t *testing.T) {
		_, err := create(roleFirm, &eventsv1.BoothApplication{Exhibits: strings.Repeat("展", 501), BoothsRequested: 11,
			Contact: &commonv1.Contact{Name: "周敏", Phone: "12345"}}, e.GetId())
		wantCode(t, "bad application", err, codes.InvalidArgument)
		v := violations(err)
		for _, f := range []string{"booth_application.exhibits", "booth_application.booths_requested", "booth_application.contact.phone"} {
			if v[f] == "" {
				t.Errorf("no violation for %s in %v", f, v)
			}
		}
		_, err = create(roleFirm, &eventsv1.BoothApplication{BoothsRequested: 1, Exhibits: "羽绒服"}, e.GetId())
		if violations(err)["booth_application.contact"] == "" {
			t.Errorf("missing contact: %v", violations(err))
		}
	})

	t.Run("where booths can be applied for", func(t *testing.T) {
		training := h.newTraining(t, own)
		_, err := create(roleFirm, boothMessage(h.firmA, ""), training.GetId())
		wantCode(t, "training", err, codes.FailedPrecondition)
		none := h.newEvent(t, own, true, func(e *eventsv1.Event) { e.BoothCount = 0 })
		_, err = create(roleFirm, boothMessage(h.firmA, ""), none.GetId())
		wantCode(t, "expo without booths", err, codes.FailedPrecondition)
		draft := h.newEvent(t, own, false, nil)
		_, err = create(roleBureau, boothMessage(h.firmA, ""), draft.GetId())
		wantCode(t, "draft expo", err, codes.FailedPrecondition)
		_, err = create(roleFirm, boothMessage(h.firmA, ""), draft.GetId())
		wantCode(t, "draft expo as firm", err, codes.NotFound)
		// A firm that is not a member of the named association.
		_, err = create(roleBureau, boothMessage(h.firmB, h.assocA), e.GetId())
		wantCode(t, "firm of another association", err, codes.FailedPrecondition)
		if msg := status.Convert(err).Message(); !strings.Contains(msg, "会员企业") {
			t.Errorf("message %q does not say why", msg)
		}
	})

	// The association applies for its member firm; the firm sees it.
	resp, err := h.events.CreateBoothApplication(assoc, &eventsv1.CreateBoothApplicationRequest{EventId: e.GetId(), BoothApplication: boothMessage(h.firmA, "")})
	if err != nil {
		t.Fatal(err)
	}
	b := resp.GetBoothApplication()
	if b.GetStatus() != boothSubmitted || b.GetAssociationId() != h.assocA || b.GetFirmName() == "" || !b.GetContact().GetMasked() || strings.Contains(b.GetContact().GetPhone(), "12345678") {
		t.Errorf("created %v", b)
	}
	_, err = create(roleFirm, boothMessage(h.firmA, ""), e.GetId())
	wantCode(t, "second active application of the firm", err, codes.AlreadyExists)

	// The applicant edits while SUBMITTED, keeping the masked phone; booth
	// numbers are the organisers'.
	up, err := h.events.UpdateBoothApplication(firm, &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
		EventId: e.GetId(), Id: b.GetId(), Etag: b.GetEtag(), BoothsRequested: 3, Contact: b.GetContact()}, UpdateMask: mask("booths_requested", "contact")})
	if err != nil {
		t.Fatal(err)
	}
	b = up.GetBoothApplication()
	if b.GetBoothsRequested() != 3 || !strings.HasSuffix(b.GetContact().GetPhone(), "5678") {
		t.Errorf("after the edit %v", b)
	}
	_, err = h.events.UpdateBoothApplication(firm, &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
		EventId: e.GetId(), Id: b.GetId(), Etag: b.GetEtag(), BoothNumbers: []string{"1B-101"}}, UpdateMask: mask("booth_numbers")})
	wantCode(t, "booth numbers by the applicant", err, codes.PermissionDenied)
	_, err = h.events.UpdateBoothApplication(firm, &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
		EventId: e.GetId(), Id: b.GetId(), Etag: "1", Exhibits: "旧版本"}, UpdateMask: mask("exhibits")})
	wantCode(t, "stale etag", err, codes.Aborted)

	// Approval: granted within what was asked for, numbers at most one a
	// booth.
	_, err = h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId(), BoothsGranted: 4})
	wantCode(t, "grant more than asked", err, codes.InvalidArgument)
	if violations(err)["booths_granted"] == "" {
		t.Errorf("violations %v", violations(err))
	}
	_, err = h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId(), BoothsGranted: 1, BoothNumbers: []string{"1B-101", "1B-102"}})
	wantCode(t, "more numbers than booths", err, codes.InvalidArgument)
	ap, err := h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId(), BoothsGranted: 2, BoothNumbers: []string{"1B-101"}})
	if err != nil {
		t.Fatal(err)
	}
	b = ap.GetBoothApplication()
	if b.GetStatus() != boothApproved || b.GetBoothsGranted() != 2 || h.boothsGranted(t, e.GetId()) != 2 {
		t.Errorf("approved %v, event granted %d", b, h.boothsGranted(t, e.GetId()))
	}
	_, err = h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId()})
	wantCode(t, "approve twice", err, codes.FailedPrecondition)
	_, err = h.events.DeclineBoothApplication(bureau, &eventsv1.DeclineBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId(), Reason: "重复"})
	wantCode(t, "decline approved", err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "已通过") {
		t.Errorf("message %q does not name the status", msg)
	}
	_, err = h.events.UpdateBoothApplication(firm, &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
		EventId: e.GetId(), Id: b.GetId(), Etag: b.GetEtag(), Exhibits: "改展品"}, UpdateMask: mask("exhibits")})
	wantCode(t, "applicant edits an approved application", err, codes.FailedPrecondition)
	nb, err := h.events.UpdateBoothApplication(bureau, &eventsv1.UpdateBoothApplicationRequest{BoothApplication: &eventsv1.BoothApplication{
		EventId: e.GetId(), Id: b.GetId(), Etag: b.GetEtag(), BoothNumbers: []string{"1B-101", "1B-102"}}, UpdateMask: mask("booth_numbers")})
	if err != nil || len(nb.GetBoothApplication().GetBoothNumbers()) != 2 {
		t.Fatalf("organiser sets booth numbers: %v %v", nb, err)
	}
	b = nb.GetBoothApplication()

	// Booth numbers are not handed out twice; booth_count cannot drop below
	// what is granted.
	other, err := h.eventsSvc.App.CreateBoothApplication(h.system, e.GetId(), boothMessage(h.newFirm(t, commonv1.District_DISTRICT_XIAOSHAN, h.assocA), ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: other.GetId(), BoothNumbers: []string{"1B-102"}})
	wantCode(t, "a booth number already assigned", err, codes.FailedPrecondition)
	ev, _ := h.eventsSvc.App.GetEvent(h.system, e.GetId())
	_, err = h.events.UpdateEvent(bureau, &eventsv1.UpdateEventRequest{Event: &eventsv1.Event{Id: e.GetId(), Etag: ev.GetEtag(), BoothCount: 1}, UpdateMask: mask("booth_count")})
	wantCode(t, "booth_count below granted", err, codes.FailedPrecondition)

	// Decline needs a reason; a declined application is final, and the firm
	// may apply again.
	_, err = h.events.DeclineBoothApplication(bureau, &eventsv1.DeclineBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: other.GetId()})
	wantCode(t, "decline without reason", err, codes.InvalidArgument)
	dec, err := h.events.DeclineBoothApplication(bureau, &eventsv1.DeclineBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: other.GetId(), Reason: "展品与展会主题不符"})
	if err != nil || dec.GetBoothApplication().GetStatus() != boothDeclined || dec.GetBoothApplication().GetStatusReason() == "" {
		t.Fatalf("decline: %v %v", dec, err)
	}
	_, err = h.events.WithdrawBoothApplication(bureau, &eventsv1.WithdrawBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: other.GetId()})
	wantCode(t, "withdraw declined", err, codes.FailedPrecondition)
	_, err = h.events.ApproveBoothApplication(bureau, &eventsv1.ApproveBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: other.GetId()})
	wantCode(t, "approve declined", err, codes.FailedPrecondition)
	if _, err := h.eventsSvc.App.CreateBoothApplication(h.system, e.GetId(), boothMessage(other.GetFirmId(), "")); err != nil {
		t.Errorf("apply again after a decline: %v", err)
	}

	// The firm withdraws its approved application: the booths go back.
	wd, err := h.events.WithdrawBoothApplication(firm, &eventsv1.WithdrawBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId(), Etag: b.GetEtag()})
	if err != nil || wd.GetBoothApplication().GetStatus() != boothWithdrawn {
		t.Fatalf("withdraw: %v %v", wd, err)
	}
	if n := h.boothsGranted(t, e.GetId()); n != 0 {
		t.Errorf("booths_granted %d after withdrawal, want 0", n)
	}
	_, err = h.events.WithdrawBoothApplication(firm, &eventsv1.WithdrawBoothApplicationRequest{EventId: e.GetId(), BoothApplicationId: b.GetId()})
	wantCode(t, "withdraw twice", err, codes.FailedPrecondition)

	// Once the expo has started nothing is withdrawn or applied for.
	started := h.newEvent(t, own, true, nil)
	sb, err := h.eventsSvc.App.CreateBoothApplication(h.system, started.GetId(), boothMessage(h.firmA, h.assocA))
	if err != nil {
		t.Fatal(err)
	}
	h.shiftBack(t, started.GetId(), 2*time.Hour)
	_, err = h.events.WithdrawBoothApplication(firm, &eventsv1.WithdrawBoothApplicationRequest{EventId: started.GetId(), BoothApplicationId: sb.GetId()})
	wantCode(t, "withdraw after the start", err, codes.FailedPrecondition)
	_, err = create(roleBureau, boothMessage(h.firmB, h.assocB), started.GetId())
	wantCode(t, "apply after the start", err, codes.FailedPrecondition)
}

// TestCertificates: certificates go, after the last session, only to
// CONFIRMED registrations present at certificate_min_sessions sessions;
// naming an ineligible one issues nothing; re-running issues only what is
// new, and concurrent runs neither duplicate nor skip a number; firm users
// list only their own.
func TestCertificates(t *testing.T) {
	h := newHarness(t)
	a := h.eventsSvc.App
	bureau := h.as(t, roleBureau)
	var full, half, none, late, late2 *eventsv1.Registration
	e := h.endedTraining(t, own, 2, func(e *eventsv1.Event) {
		s1, s2 := e.GetSessions()[0].GetId(), e.GetSessions()[1].GetId()
		full = h.register(t, e.GetId(), h.firmA, "")
		h.checkIn(t, full, s1)
		h.checkIn(t, full, s2)
		half = h.register(t, e.GetId(), h.firmB, "")
		h.checkIn(t, half, s1)
		none = h.checkIn(t, h.register(t, e.GetId(), h.firmA, ""), "")
		late = h.register(t, e.GetId(), h.firmB, "")
		late2 = h.register(t, e.GetId(), h.firmB, "")
	})
	issue := func(ids ...string) (*eventsv1.IssueCertificatesResponse, error) {
		return h.events.IssueCertificates(bureau, &eventsv1.IssueCertificatesRequest{EventId: e.GetId(), RegistrationIds: ids})
	}

	t.Run("refused", func(t *testing.T) {
		running := h.newTraining(t, own)
		_, err := h.events.IssueCertificates(bureau, &eventsv1.IssueCertificatesRequest{EventId: running.GetId()})
		wantCode(t, "before the last session ended", err, codes.FailedPrecondition)
		expo := h.newEvent(t, own, true, nil)
		_, err = h.events.IssueCertificates(bureau, &eventsv1.IssueCertificatesRequest{EventId: expo.GetId()})
		wantCode(t, "an expo", err, codes.FailedPrecondition)
		ids := make([]string, 501)
		for i := range ids {
			ids[i] = fmt.Sprintf("r%d", i)
		}
		_, err = issue(ids...)
		wantCode(t, "501 ids", err, codes.InvalidArgument)
		_, err = issue("no-such-registration")
		wantCode(t, "unknown registration", err, codes.NotFound)
		_, err = issue(full.GetId(), half.GetId())
		wantCode(t, "one named registration attended too little", err, codes.FailedPrecondition)
		if msg := status.Convert(err).Message(); !strings.Contains(msg, "出勤1节") {
			t.Errorf("message %q does not say who attended how much", msg)
		}
		list, err := h.events.ListCertificates(bureau, &eventsv1.ListCertificatesRequest{EventId: e.GetId()})
		if err != nil || list.GetTotalSize() != 0 {
			t.Errorf("after refusals %d certificates (%v), want none", list.GetTotalSize(), err)
		}
	})

	first, err := issue()
	if err != nil {
		t.Fatal(err)
	}
	if len(first.GetCertificates()) != 1 || first.GetIneligibleCount() != 4 || first.GetAlreadyIssuedCount() != 0 {
		t.Fatalf("first run: %d issued, %d ineligible, %d already; want 1, 4, 0", len(first.GetCertificates()), first.GetIneligibleCount(), first.GetAlreadyIssuedCount())
	}
	c := first.GetCertificates()[0]
	if c.GetRegistrationId() != full.GetId() || !strings.HasSuffix(c.GetNumber(), "-0001") || c.GetSessionsAttended() != 2 || c.GetSessionsTotal() != 2 ||
		c.GetHolderName() == "" || c.GetPartyName() == "" || c.GetEventTitle() != e.GetTitle() {
		t.Errorf("certificate %v", c)
	}
	if r, _ := a.GetRegistration(h.system, e.GetId(), full.GetId()); r.GetCertificateId() != c.GetId() {
		t.Errorf("registration certificate_id %q, want %q", r.GetCertificateId(), c.GetId())
	}
	again, err := issue()
	if err != nil || len(again.GetCertificates()) != 0 || again.GetAlreadyIssuedCount() != 1 {
		t.Errorf("re-run: %v %v, want nothing new and 1 already issued", again, err)
	}

	// Attendance recorded afterwards (a paper sign-in sheet) makes three
	// more eligible; five runs at once issue each exactly one number.
	s2 := e.GetSessions()[1].GetId()
	if _, err := a.RecordSessionAttendance(h.system, e.GetId(), s2, []string{half.GetId()}, true); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*eventsv1.Registration{late, late2} {
		for _, s := range e.GetSessions() {
			if _, err := a.RecordSessionAttendance(h.system, e.GetId(), s.GetId(), []string{r.GetId()}, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	issued := 0
	start := make(chan struct{})
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := h.as(t, roleBureau)
			<-start
			resp, err := h.events.IssueCertificates(ctx, &eventsv1.IssueCertificatesRequest{EventId: e.GetId()})
			if err != nil {
				t.Errorf("concurrent issue: %v", err)
				return
			}
			mu.Lock()
			issued += len(resp.GetCertificates())
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if issued != 3 {
		t.Errorf("concurrent runs issued %d certificates, want 3", issued)
	}
	list, err := h.events.ListCertificates(bureau, &eventsv1.ListCertificatesRequest{EventId: e.GetId(), PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, c := range list.GetCertificates() {
		numbers = append(numbers, c.GetNumber()[len(c.GetNumber())-4:])
	}
	if want := []string{"0001", "0002", "0003", "0004"}; !slices.Equal(numbers, want) {
		t.Errorf("certificate numbers end in %v, want %v (unique, sequential, by number)", numbers, want)
	}
	if _, err := issue(none.GetId()); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("naming a registration checked in without sessions: %v", err)
	}

	// Firm A's user lists only firm A's one certificate, across events too.
	for _, ev := range []string{e.GetId(), "-"} {
		mine, err := h.events.ListCertificates(h.as(t, roleFirm), &eventsv1.ListCertificatesRequest{EventId: ev})
		if err != nil || mine.GetTotalSize() != 1 || mine.GetCertificates()[0].GetRegistrationId() != full.GetId() {
			t.Errorf("firm user lists %v (%v), want only its own certificate", mine.GetCertificates(), err)
		}
	}
	byNumber, err := h.events.ListCertificates(bureau, &eventsv1.ListCertificatesRequest{EventId: "-", Number: c.GetNumber()})
	if err != nil || byNumber.GetTotalSize() != 1 {
		t.Errorf("by number: %v %v", byNumber, err)
	}
	byFirm, err := h.events.ListCertificates(bureau, &eventsv1.ListCertificatesRequest{EventId: e.GetId(), FirmId: h.firmB})
	if err != nil || byFirm.GetTotalSize() != 3 {
		t.Errorf("by firm B: %d (%v), want 3", byFirm.GetTotalSize(), err)
	}
}

// TestFeedback: only checked-in registrants give feedback, once, between
// the start and 30 days after the end; bad ratings and comments are named;
// the list carries the mean rating over all pages, and registrants see only
// their own.
func TestFeedback(t *testing.T) {
	h := newHarness(t)
	a := h.eventsSvc.App
	firm, assoc, bureau := h.as(t, roleFirm), h.as(t, roleAssoc), h.as(t, roleBureau)
	started := h.newEvent(t, own, true, nil)
	h.shiftBack(t, started.GetId(), 2*time.Hour) // began an hour ago
	give := func(role string, eventID string, f *eventsv1.Feedback) (*eventsv1.Feedback, error) {
		resp, err := h.events.CreateFeedback(h.as(t, role), &eventsv1.CreateFeedbackRequest{EventId: eventID, Feedback: f})
		return resp.GetFeedback(), err
	}
	r := h.approvedNomination(t, started.GetId(), own)

	_, err := give(roleFirm, started.GetId(), &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: 5})
	wantCode(t, "not checked in", err, codes.FailedPrecondition)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "未签到") {
		t.Errorf("message %q does not say why", msg)
	}
	h.checkIn(t, r, "")
	_, err = give(roleFirm, started.GetId(), &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: 6, Comment: strings.Repeat("好", 1001),
		FollowUpNeeds: []commonv1.NeedTag{0}})
	wantCode(t, "bad feedback", err, codes.InvalidArgument)
	v := violations(err)
	for _, f := range []string{"feedback.rating", "feedback.comment", "feedback.follow_up_needs[0]"} {
		if v[f] == "" {
			t.Errorf("no violation for %s in %v", f, v)
		}
	}
	_, err = give(roleFirm, started.GetId(), &eventsv1.Feedback{Rating: 0})
	if v := violations(err); v["feedback.rating"] == "" || v["feedback.registration_id"] == "" {
		t.Errorf("empty feedback: %v", v)
	}
	_, err = give(roleBureau, started.GetId(), &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: 5})
	wantCode(t, "an organiser rating for the attendee", err, codes.PermissionDenied)
	fb, err := give(roleFirm, started.GetId(), &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: 4, Comment: "平台对接很有收获",
		FollowUpNeeds: []commonv1.NeedTag{commonv1.NeedTag_NEED_TAG_LOGISTICS}})
	if err != nil || fb.GetRating() != 4 || fb.GetPartyName() == "" || fb.GetEventId() != started.GetId() {
		t.Fatalf("feedback: %v %v", fb, err)
	}
	_, err = give(roleAssoc, started.GetId(), &eventsv1.Feedback{RegistrationId: r.GetId(), Rating: 2})
	wantCode(t, "second feedback on one registration", err, codes.AlreadyExists)

	// More feedback from other attendees (firm B's, through the launcher's
	// identity on its behalf) for the average.
	for _, rating := range []int32{5, 2} {
		rb := h.checkIn(t, h.register(t, started.GetId(), h.firmB, ""), "")
		if _, err := a.CreateFeedback(h.system, started.GetId(), &eventsv1.Feedback{RegistrationId: rb.GetId(), Rating: rating}); err != nil {
			t.Fatal(err)
		}
	}
	page1, err := h.events.ListFeedback(bureau, &eventsv1.ListFeedbackRequest{EventId: started.GetId(), PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if page1.GetTotalSize() != 3 || len(page1.GetFeedback()) != 2 || page1.GetNextPageToken() == "" || page1.AverageRating == nil ||
		math.Abs(page1.GetAverageRating()-11.0/3) > 1e-9 {
		t.Errorf("page 1: total %d, %d items, next %q, average %v; want 3, 2, a token, 3.667", page1.GetTotalSize(), len(page1.GetFeedback()), page1.GetNextPageToken(), page1.AverageRating)
	}
	page2, err := h.events.ListFeedback(bureau, &eventsv1.ListFeedbackRequest{EventId: started.GetId(), PageSize: 2, PageToken: page1.GetNextPageToken()})
	if err != nil || len(page2.GetFeedback()) != 1 || page2.GetAverageRating() != page1.GetAverageRating() {
		t.Errorf("page 2: %v %v", page2, err)
	}
	if first := page1.GetFeedback()[0]; !first.GetCreateTime().AsTime().After(page2.GetFeedback()[0].GetCreateTime().AsTime()) {
		t.Errorf("not newest first")
	}
	fives, err := h.events.ListFeedback(bureau, &eventsv1.ListFeedbackRequest{EventId: started.GetId(), Rating: 5})
	if err != nil || fives.GetTotalSize() != 1 || fives.GetAverageRating() != 5 {
		t.Errorf("rating 5: %v %v", fives, err)
	}
	_, err = h.events.ListFeedback(bureau, &eventsv1.ListFeedbackRequest{EventId: started.GetId(), Rating: 9})
	wantCode(t, "rating filter 9", err, codes.InvalidArgument)
	for _, c := range []struct {
		name string
		resp func() (*eventsv1.ListFeedbackResponse, error)
	}{
		{"firm", func() (*eventsv1.ListFeedbackResponse, error) {
			return h.events.ListFeedback(firm, &eventsv1.ListFeedbackRequest{EventId: started.GetId()})
		}},
		{"association", func() (*eventsv1.ListFeedbackResponse, error) {
			return h.events.ListFeedback(assoc, &eventsv1.ListFeedbackRequest{EventId: started.GetId()})
		}},
	} {
		got, err := c.resp()
		if err != nil || got.GetTotalSize() != 1 || got.GetFeedback()[0].GetId() != fb.GetId() || got.GetAverageRating() != 4 {
			t.Errorf("%s sees %v (%v), want only its own feedback", c.name, got.GetFeedback(), err)
		}
	}

	// Not before the start, nor more than 30 days after the end.
	upcoming := h.newEvent(t, own, true, nil)
	ru := h.checkIn(t, h.approvedNomination(t, upcoming.GetId(), own), "")
	_, err = give(roleFirm, upcoming.GetId(), &eventsv1.Feedback{RegistrationId: ru.GetId(), Rating: 5})
	wantCode(t, "before the start", err, codes.FailedPrecondition)
	h.shiftBack(t, upcoming.GetId(), 31*24*time.Hour)
	_, err = give(roleFirm, upcoming.GetId(), &eventsv1.Feedback{RegistrationId: ru.GetId(), Rating: 5})
	wantCode(t, "31 days after the end", err, codes.FailedPrecondition)
}
