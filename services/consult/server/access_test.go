package server_test

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/accesstest"
	"github.com/qihang-hz/qihang/services/consult/domain"
)

// accessEntry is one row of the matrix: one RPC on one kind of object.
type accessEntry struct {
	variant string
	// want: "anon | bureau | officer | assoc | firm | expert", each
	// "own/other" or one code for both.
	want string
	call func(t *testing.T, h *harness, c *caller, tg target) error
}

// Own objects: firm A (XIAOSHAN, association A) and the expert account's
// own expert; other objects: firm B (XIHU, association B) and another
// expert. A consultation "own" is firm A's with expert A.
const (
	rowSignedIn      = "U | OK | OK | OK | OK | OK"
	rowBureau        = "U | OK | PD | PD | PD | PD"
	rowExpertManage  = "U | OK | PD | PD | PD | OK/PD"
	rowClinicManage  = "U | OK | OK/PD | PD | PD | PD"
	rowSeeCase       = "U | OK | OK/PD | OK/PD | OK/PD | OK/PD"
	rowFirmSideWrite = "U | OK | OK/PD | OK/PD | OK/PD | PD"
	rowExpertOrCoord = "U | OK | OK/PD | PD | PD | OK/PD"
)

func caseCall(st consultv1.ConsultationStatus, fn func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error) func(t *testing.T, h *harness, c *caller, tg target) error {
	return func(t *testing.T, h *harness, c *caller, tg target) error {
		return fn(t, h, c, h.newCase(t, tg, st))
	}
}

var accessMatrix = map[string][]accessEntry{
	// The experts' change feed: service tokens only (the match service).
	consultv1.ConsultSyncService_ListConsultChanges_FullMethodName: {{want: "U | PD | PD | PD | PD | PD", call: func(t *testing.T, h *harness, c *caller, _ target) error {
		_, err := consultv1.NewConsultSyncServiceClient(h.conn).ListConsultChanges(h.ctx(t, c), &consultv1.ListConsultChangesRequest{Source: consultv1.ConsultSource_CONSULT_SOURCE_EXPERTS})
		return err
	}}},
	consultv1.ConsultSyncService_ScanConsult_FullMethodName: {{want: "U | PD | PD | PD | PD | PD", call: func(t *testing.T, h *harness, c *caller, _ target) error {
		stream, err := consultv1.NewConsultSyncServiceClient(h.conn).ScanConsult(h.ctx(t, c), &consultv1.ScanConsultRequest{Source: consultv1.ConsultSource_CONSULT_SOURCE_EXPERTS})
		if err != nil {
			return err
		}
		_, err = stream.Recv()
		return err
	}}},
	consultv1.ExpertService_CreateExpert_FullMethodName: {{want: rowBureau, call: func(t *testing.T, h *harness, c *caller, _ target) error {
		_, err := h.experts.CreateExpert(h.ctx(t, c), &consultv1.CreateExpertRequest{Expert: expertMessage(h.next(), 5)})
		return err
	}}},
	consultv1.ExpertService_GetExpert_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.experts.GetExpert(h.ctx(t, c), &consultv1.GetExpertRequest{Id: h.expert(tg)})
		return err
	}}},
	consultv1.ExpertService_ListExperts_FullMethodName: {
		{variant: "by need", want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, _ target) error {
			r, err := h.experts.ListExperts(h.ctx(t, c), &consultv1.ListExpertsRequest{Need: commonv1.NeedTag_NEED_TAG_LOGISTICS, PageSize: 100})
			if err == nil && r.GetTotalSize() < 2 {
				t.Errorf("listed %d experts, want the fixture's", r.GetTotalSize())
			}
			return err
		}},
		{variant: "include_paused", want: "U | OK | OK | PD | PD | PD", call: func(t *testing.T, h *harness, c *caller, _ target) error {
			_, err := h.experts.ListExperts(h.ctx(t, c), &consultv1.ListExpertsRequest{IncludePaused: true})
			return err
		}},
	},
	consultv1.ExpertService_UpdateExpert_FullMethodName: {{want: rowExpertManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		e, _ := h.svc.App.GetExpert(h.system, h.expert(tg))
		_, err := h.experts.UpdateExpert(h.ctx(t, c), &consultv1.UpdateExpertRequest{
			Expert: &consultv1.Expert{Id: e.GetId(), Etag: e.GetEtag(), Bio: "更新简介"}, UpdateMask: h.mask("bio"),
		})
		return err
	}}},
	consultv1.ExpertService_DeleteExpert_FullMethodName: {{want: rowBureau, call: func(t *testing.T, h *harness, c *caller, _ target) error {
		e := h.newExpert(t, 5)
		_, err := h.experts.DeleteExpert(h.ctx(t, c), &consultv1.DeleteExpertRequest{Id: e.GetId(), Etag: e.GetEtag()})
		return err
	}}},
	consultv1.ExpertService_GetExpertCapacity_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.experts.GetExpertCapacity(h.ctx(t, c), &consultv1.GetExpertCapacityRequest{ExpertId: h.expert(tg)})
		return err
	}}},
	consultv1.ExpertService_CreateSlot_FullMethodName: {{want: rowExpertManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		start := h.slotTime(72 * time.Hour)
		_, err := h.experts.CreateSlot(h.ctx(t, c), &consultv1.CreateSlotRequest{ExpertId: h.expert(tg), Slot: &consultv1.Slot{
			StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)), Mode: consultv1.SessionMode_SESSION_MODE_ONLINE,
		}})
		return err
	}}},
	consultv1.ExpertService_ListSlots_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		cs := h.newCase(t, tg, domain.Scheduled)
		r, err := h.experts.ListSlots(h.ctx(t, c), &consultv1.ListSlotsRequest{ExpertId: h.expert(tg), PageSize: 100})
		if err == nil {
			for _, sl := range r.GetSlots() {
				hidden := c.role == roleFirm || c.role == roleAssoc
				if hidden && (sl.GetStatus() != consultv1.SlotStatus_SLOT_STATUS_OPEN || sl.GetConsultationId() != "" || sl.GetMeetingUrl() != "") {
					t.Errorf("%s sees a booked slot or its booking: %v", c.role, sl)
				}
				if !hidden && sl.GetId() == domain.CurrentSession(cs).GetSlotId() && sl.GetConsultationId() != cs.GetId() {
					t.Errorf("%s does not see who booked slot %s", c.role, sl.GetId())
				}
			}
		}
		return err
	}}},
	consultv1.ExpertService_UpdateSlot_FullMethodName: {{want: rowExpertManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		sl := h.newSlot(t, h.expert(tg), h.slotTime(72*time.Hour), time.Now())
		_, err := h.experts.UpdateSlot(h.ctx(t, c), &consultv1.UpdateSlotRequest{
			Slot: &consultv1.Slot{Id: sl.GetId(), Etag: sl.GetEtag(), MeetingUrl: "https://meeting.example.com/r/2"}, UpdateMask: h.mask("meeting_url"),
		})
		return err
	}}},
	consultv1.ExpertService_DeleteSlot_FullMethodName: {{want: rowExpertManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		sl := h.newSlot(t, h.expert(tg), h.slotTime(72*time.Hour), time.Now())
		_, err := h.experts.DeleteSlot(h.ctx(t, c), &consultv1.DeleteSlotRequest{Id: sl.GetId(), Etag: sl.GetEtag()})
		return err
	}}},
	consultv1.ExpertService_CreateClinic_FullMethodName: {{want: rowClinicManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.experts.CreateClinic(h.ctx(t, c), &consultv1.CreateClinicRequest{Clinic: h.clinicMessage(tg)})
		return err
	}}},
	consultv1.ExpertService_GetClinic_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.experts.GetClinic(h.ctx(t, c), &consultv1.GetClinicRequest{Id: h.newClinic(t, tg).GetId()})
		return err
	}}},
	consultv1.ExpertService_ListClinics_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.experts.ListClinics(h.ctx(t, c), &consultv1.ListClinicsRequest{District: district(tg)})
		return err
	}}},
	consultv1.ExpertService_UpdateClinic_FullMethodName: {{want: rowClinicManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		cl := h.newClinic(t, tg)
		_, err := h.experts.UpdateClinic(h.ctx(t, c), &consultv1.UpdateClinicRequest{
			Clinic: &consultv1.Clinic{Id: cl.GetId(), Etag: cl.GetEtag(), Title: "改名后的坐诊"}, UpdateMask: h.mask("title"),
		})
		return err
	}}},
	consultv1.ExpertService_CancelClinic_FullMethodName: {{want: rowClinicManage, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		cl := h.newClinic(t, tg)
		_, err := h.experts.CancelClinic(h.ctx(t, c), &consultv1.CancelClinicRequest{Id: cl.GetId(), Reason: "专家临时出差"})
		return err
	}}},

	consultv1.ConsultationService_CreateConsultation_FullMethodName: {{
		// A firm user for its firm; an association admin for a member;
		// coordinators for firms they may see (profiles hides the rest:
		// NOT_FOUND); experts never.
		want: "U | OK | OK/NF | OK/NF | OK/PD | PD",
		call: func(t *testing.T, h *harness, c *caller, tg target) error {
			r, err := h.consult.CreateConsultation(h.ctx(t, c), &consultv1.CreateConsultationRequest{Consultation: consultationMessage(h.firm(tg))})
			if err == nil && (c.role == roleAssoc) != (r.GetConsultation().GetFiledByAssociationId() != "") {
				t.Errorf("filed_by_association_id %q for %s", r.GetConsultation().GetFiledByAssociationId(), c.role)
			}
			return err
		},
	}},
	consultv1.ConsultationService_GetConsultation_FullMethodName: {{want: rowSeeCase, call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		r, err := h.consult.GetConsultation(h.ctx(t, c), &consultv1.GetConsultationRequest{Id: cs.GetId()})
		if err == nil && !r.GetConsultation().GetContact().GetMasked() {
			t.Errorf("contact not masked for %s", c.role)
		}
		return err
	})}},
	consultv1.ConsultationService_ListConsultations_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, tg target) error {
		cs := h.newCase(t, tg, domain.Assigned)
		r, err := h.consult.ListConsultations(h.ctx(t, c), &consultv1.ListConsultationsRequest{PageSize: 100})
		if err == nil {
			found := slices.ContainsFunc(r.GetConsultations(), func(x *consultv1.Consultation) bool { return x.GetId() == cs.GetId() })
			wantFound := c.role == roleBureau || tg == own
			if found != wantFound {
				t.Errorf("%s lists %s case: %v, want %v", c.role, tg, found, wantFound)
			}
			for _, x := range r.GetConsultations() {
				if c.role == roleFirm && x.GetFirmId() != h.firmA {
					t.Errorf("firm user lists another firm's case %s", x.GetId())
				}
			}
		}
		return err
	}}},
	consultv1.ConsultationService_UpdateConsultation_FullMethodName: {{want: rowFirmSideWrite, call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.UpdateConsultation(h.ctx(t, c), &consultv1.UpdateConsultationRequest{
			Consultation: &consultv1.Consultation{Id: cs.GetId(), Etag: cs.GetEtag(), Description: "补充：已有品牌。"}, UpdateMask: h.mask("description"),
		})
		return err
	})}},
	consultv1.ConsultationService_ListQueuedConsultations_FullMethodName: {{want: "U | OK | OK | PD | PD | PD", call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.consult.ListQueuedConsultations(h.ctx(t, c), &consultv1.ListQueuedConsultationsRequest{District: district(tg)})
		return err
	}}},
	consultv1.ConsultationService_SuggestExperts_FullMethodName: {{want: rowFirmSideWrite, call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		r, err := h.consult.SuggestExperts(h.ctx(t, c), &consultv1.SuggestExpertsRequest{Id: cs.GetId()})
		if err == nil && (len(r.GetSuggestions()) == 0 || r.GetSource() != consultv1.SuggestionSource_SUGGESTION_SOURCE_TAGS) {
			t.Errorf("suggestions %v source %v", r.GetSuggestions(), r.GetSource())
		}
		return err
	})}},
	consultv1.ConsultationService_AssignConsultation_FullMethodName: {
		{variant: "pick in REQUESTED", want: "U | OK | OK/PD | OK/PD | OK/PD | PD", call: func(t *testing.T, h *harness, c *caller, tg target) error {
			cs := h.newCase(t, tg, domain.Requested)
			_, err := h.consult.AssignConsultation(h.ctx(t, c), &consultv1.AssignConsultationRequest{Id: cs.GetId(), ExpertId: h.expert(tg)})
			return err
		}},
		{variant: "reassign in ASSIGNED", want: "U | OK | OK/PD | FP/PD | FP/PD | PD", call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
			_, err := h.consult.AssignConsultation(h.ctx(t, c), &consultv1.AssignConsultationRequest{Id: cs.GetId(), ExpertId: h.expertB})
			return err
		})},
	},
	consultv1.ConsultationService_DeclineConsultation_FullMethodName: {{want: "U | PD | PD | PD | PD | OK/PD", call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.DeclineConsultation(h.ctx(t, c), &consultv1.DeclineConsultationRequest{Id: cs.GetId(), Reason: "时间冲突"})
		return err
	})}},
	consultv1.ConsultationService_BookConsultation_FullMethodName: {{want: rowSeeCase, call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		sl := h.newSlot(t, cs.GetExpertId(), h.slotTime(72*time.Hour), time.Now())
		_, err := h.consult.BookConsultation(h.ctx(t, c), &consultv1.BookConsultationRequest{Id: cs.GetId(), SlotId: sl.GetId()})
		return err
	})}},
	consultv1.ConsultationService_CancelConsultation_FullMethodName: {{want: rowFirmSideWrite, call: caseCall(domain.Scheduled, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.CancelConsultation(h.ctx(t, c), &consultv1.CancelConsultationRequest{Id: cs.GetId(), Reason: "企业另有安排"})
		return err
	})}},
	consultv1.ConsultationService_MarkConsultationHeld_FullMethodName: {{want: rowExpertOrCoord, call: caseCall(stScheduledStarted, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.MarkConsultationHeld(h.ctx(t, c), &consultv1.MarkConsultationHeldRequest{Id: cs.GetId()})
		return err
	})}},
	consultv1.ConsultationService_MarkConsultationNoShow_FullMethodName: {{want: rowSeeCase, call: caseCall(stScheduledStarted, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.MarkConsultationNoShow(h.ctx(t, c), &consultv1.MarkConsultationNoShowRequest{Id: cs.GetId(), AbsentParty: consultv1.Party_PARTY_FIRM})
		return err
	})}},
	consultv1.ConsultationService_CloseConsultation_FullMethodName: {{want: rowExpertOrCoord, call: caseCall(stHeldWithNote, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.CloseConsultation(h.ctx(t, c), &consultv1.CloseConsultationRequest{Id: cs.GetId(), Summary: "已完成"})
		return err
	})}},
	consultv1.ConsultationService_RateConsultation_FullMethodName: {{
		// The firm's user (the fixture cases are filed by the bureau, so
		// no association rates them).
		want: "U | PD | PD | PD | OK/PD | PD",
		call: caseCall(domain.Held, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
			_, err := h.consult.RateConsultation(h.ctx(t, c), &consultv1.RateConsultationRequest{Id: cs.GetId(), Score: 5})
			return err
		}),
	}},
	consultv1.ConsultationService_RevealConsultationContact_FullMethodName: {{want: rowSeeCase, call: caseCall(domain.Assigned, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		r, err := h.consult.RevealConsultationContact(h.ctx(t, c), &consultv1.RevealConsultationContactRequest{Id: cs.GetId(), Reason: "电话确认时间"})
		if err == nil && r.GetContact().GetPhone() != "13812345678" {
			t.Errorf("revealed phone %q", r.GetContact().GetPhone())
		}
		return err
	})}},
	consultv1.ConsultationService_CreateCaseNote_FullMethodName: {{want: rowExpertOrCoord, call: caseCall(domain.Held, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		_, err := h.consult.CreateCaseNote(h.ctx(t, c), &consultv1.CreateCaseNoteRequest{ConsultationId: cs.GetId(), CaseNote: &consultv1.CaseNote{Summary: "讨论了物流方案。"}})
		return err
	})}},
	consultv1.ConsultationService_ListCaseNotes_FullMethodName: {{want: "U | OK | OK/PD | PD | OK/PD | OK/PD", call: caseCall(stHeldWithNote, func(t *testing.T, h *harness, c *caller, cs *consultv1.Consultation) error {
		r, err := h.consult.ListCaseNotes(h.ctx(t, c), &consultv1.ListCaseNotesRequest{ConsultationId: cs.GetId()})
		if err == nil && len(r.GetCaseNotes()) != 1 {
			t.Errorf("%d notes, want 1", len(r.GetCaseNotes()))
		}
		return err
	})}},
	consultv1.ConsultationService_GetFirmQuota_FullMethodName: {{want: "U | OK | OK/NF | OK/NF | OK/PD | PD", call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.consult.GetFirmQuota(h.ctx(t, c), &consultv1.GetFirmQuotaRequest{FirmId: h.firm(tg)})
		return err
	}}},
	consultv1.ConsultationService_ExportConsultations_FullMethodName: {{want: "U | OK | OK | OK | PD | OK", call: func(t *testing.T, h *harness, c *caller, tg target) error {
		_, err := h.consult.ExportConsultations(h.ctx(t, c), &consultv1.ExportConsultationsRequest{District: district(tg)})
		return err
	}}},
	consultv1.ConsultationService_GetConsultSettings_FullMethodName: {{want: rowSignedIn, call: func(t *testing.T, h *harness, c *caller, _ target) error {
		_, err := h.consult.GetConsultSettings(h.ctx(t, c), &consultv1.GetConsultSettingsRequest{})
		return err
	}}},
	consultv1.ConsultationService_UpdateConsultSettings_FullMethodName: {{want: rowBureau, call: func(t *testing.T, h *harness, c *caller, _ target) error {
		cur, _ := h.svc.App.GetConsultSettings(h.system)
		_, err := h.consult.UpdateConsultSettings(h.ctx(t, c), &consultv1.UpdateConsultSettingsRequest{
			Settings: &consultv1.ConsultSettings{FirmQuota: 50, Etag: cur.GetEtag()}, UpdateMask: h.mask("firm_quota"),
		})
		return err
	}}},
}

func (h *harness) clinicMessage(tg target) *consultv1.Clinic {
	start := h.slotTime(30 * 24 * time.Hour)
	start = domain.DayStart(start).Add(9 * time.Hour)
	// One clinic per day and expert keeps fixture clinics apart.
	start = start.AddDate(0, 0, int(h.next()))
	return &consultv1.Clinic{
		ExpertId: h.expert(tg), Title: "园区坐诊（测试）",
		Venue:     &consultv1.Venue{Park: "测试园区", District: district(tg)},
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(2 * time.Hour)), SlotMinutes: 30, GapMinutes: 10,
	}
}

func (h *harness) newClinic(t testing.TB, tg target) *consultv1.Clinic {
	t.Helper()
	cl, err := h.svc.App.CreateClinic(h.system, h.clinicMessage(tg))
	if err != nil {
		t.Fatalf("fixture clinic: %v", err)
	}
	return cl
}

// TestAccessMatrix walks every RPC × role × own/other object and fails for
// an RPC of the contract without an entry.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t)
	methods := accesstest.ContractMethods(consultv1.File_qihang_consult_v1_experts_proto, consultv1.File_qihang_consult_v1_consultations_proto,
		consultv1.File_qihang_consult_v1_sync_proto)
	for _, m := range methods {
		entries, ok := accessMatrix[m]
		if !ok {
			t.Errorf("%s has no access matrix entry", m)
			continue
		}
		for _, e := range entries {
			name := accesstest.ShortName(m)
			if e.variant != "" {
				name += " " + e.variant
			}
			t.Run(name, func(t *testing.T) {
				want, err := accesstest.ParseWant(e.want)
				if err != nil {
					t.Fatalf("bad row %q: %v", e.want, err)
				}
				for _, role := range accesstest.Roles {
					c := h.callers[role]
					t.Run(role, func(t *testing.T) {
						for _, tg := range accesstest.Targets {
							err := e.call(t, h, c, tg)
							if got := status.Code(err); got != want[role][tg] {
								t.Errorf("%s as %s on %s: %v (%q), want %v", name, role, tg, got, status.Convert(err).Message(), want[role][tg])
							}
						}
					})
				}
			})
		}
	}
	if len(methods) != len(accessMatrix) {
		t.Errorf("contract has %d RPCs, matrix %d entries", len(methods), len(accessMatrix))
	}
	_ = codes.OK
}
