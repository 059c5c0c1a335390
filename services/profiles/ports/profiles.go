package ports

import (
	"context"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// ProfilesServer implements qihang.profiles.v1.ProfilesService.
type ProfilesServer struct {
	profilesv1.UnimplementedProfilesServiceServer
	app *app.Service
}

var _ profilesv1.ProfilesServiceServer = (*ProfilesServer)(nil)

// NewProfilesServer returns the gRPC server of the profiles use cases.
func NewProfilesServer(a *app.Service) *ProfilesServer { return &ProfilesServer{app: a} }

// GetReferenceData returns every code list with Chinese labels.
func (s *ProfilesServer) GetReferenceData(context.Context, *profilesv1.GetReferenceDataRequest) (*profilesv1.GetReferenceDataResponse, error) {
	return referenceData, nil
}

var referenceData = func() *profilesv1.GetReferenceDataResponse {
	lists := []struct {
		name  string
		codes []refdata.Code
	}{
		{"district", refdata.EnumCodes(commonv1.District(0).Descriptor())},
		{"industry", refdata.EnumCodes(commonv1.Industry(0).Descriptor())},
		{"cross_border_stage", refdata.EnumCodes(commonv1.CrossBorderStage(0).Descriptor())},
		{"sales_platform", refdata.EnumCodes(commonv1.SalesPlatform(0).Descriptor())},
		{"need_tag", refdata.EnumCodes(commonv1.NeedTag(0).Descriptor())},
		{"revenue_band", refdata.EnumCodes(commonv1.RevenueBand(0).Descriptor())},
		{"employees_band", refdata.EnumCodes(commonv1.EmployeesBand(0).Descriptor())},
		{"role", refdata.EnumCodes(commonv1.Role(0).Descriptor())},
		{"association_type", refdata.EnumCodes(profilesv1.AssociationType(0).Descriptor())},
		{"association_rating", refdata.EnumCodes(profilesv1.AssociationRating(0).Descriptor())},
		{"association_service_kind", refdata.EnumCodes(profilesv1.AssociationServiceKind(0).Descriptor())},
		{"market", refdata.Markets()},
	}
	resp := &profilesv1.GetReferenceDataResponse{}
	for _, l := range lists {
		cl := &profilesv1.CodeList{Name: l.name}
		for _, c := range l.codes {
			cl.Codes = append(cl.Codes, &profilesv1.Code{Code: c.Code, Label: c.Label})
		}
		resp.CodeLists = append(resp.CodeLists, cl)
	}
	return resp
}()

// CreateAssociation registers an association.
func (s *ProfilesServer) CreateAssociation(ctx context.Context, req *profilesv1.CreateAssociationRequest) (*profilesv1.CreateAssociationResponse, error) {
	v, err := s.app.CreateAssociation(ctx, associationFromProto(req.GetAssociation()))
	if err != nil {
		return nil, err
	}
	return &profilesv1.CreateAssociationResponse{Association: associationToProto(v)}, nil
}

// GetAssociation returns one association.
func (s *ProfilesServer) GetAssociation(ctx context.Context, req *profilesv1.GetAssociationRequest) (*profilesv1.GetAssociationResponse, error) {
	v, err := s.app.GetAssociation(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &profilesv1.GetAssociationResponse{Association: associationToProto(v)}, nil
}

// ListAssociations lists associations.
func (s *ProfilesServer) ListAssociations(ctx context.Context, req *profilesv1.ListAssociationsRequest) (*profilesv1.ListAssociationsResponse, error) {
	f := domain.AssociationFilter{
		District:        req.GetDistrict(),
		Type:            req.GetType(),
		Industry:        req.GetIndustry(),
		JoinedProgramme: req.JoinedProgramme,
		NameContains:    req.GetNameContains(),
	}
	list, next, total, err := s.app.ListAssociations(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.ListAssociationsResponse{NextPageToken: next, TotalSize: int32(total)}
	for _, v := range list {
		resp.Associations = append(resp.Associations, associationToProto(v))
	}
	return resp, nil
}

// UpdateAssociation changes the masked fields of an association.
func (s *ProfilesServer) UpdateAssociation(ctx context.Context, req *profilesv1.UpdateAssociationRequest) (*profilesv1.UpdateAssociationResponse, error) {
	a := req.GetAssociation()
	v, err := s.app.UpdateAssociation(ctx, a.GetId(), a.GetEtag(), req.GetUpdateMask().GetPaths(), associationFromProto(a))
	if err != nil {
		return nil, err
	}
	return &profilesv1.UpdateAssociationResponse{Association: associationToProto(v)}, nil
}

// DeleteAssociation soft-deletes an association.
func (s *ProfilesServer) DeleteAssociation(ctx context.Context, req *profilesv1.DeleteAssociationRequest) (*profilesv1.DeleteAssociationResponse, error) {
	if err := s.app.DeleteAssociation(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &profilesv1.DeleteAssociationResponse{}, nil
}

// RevealAssociationContact returns the contact unmasked.
func (s *ProfilesServer) RevealAssociationContact(ctx context.Context, req *profilesv1.RevealAssociationContactRequest) (*profilesv1.RevealAssociationContactResponse, error) {
	c, err := s.app.RevealAssociationContact(ctx, req.GetId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &profilesv1.RevealAssociationContactResponse{Contact: contactToProto(c, true)}, nil
}

// CreateFirm registers a firm.
func (s *ProfilesServer) CreateFirm(ctx context.Context, req *profilesv1.CreateFirmRequest) (*profilesv1.CreateFirmResponse, error) {
	v, err := s.app.CreateFirm(ctx, req.GetAssociationId(), firmFromProto(req.GetFirm()))
	if err != nil {
		return nil, err
	}
	return &profilesv1.CreateFirmResponse{Firm: firmToProto(v)}, nil
}

// GetFirm returns one firm.
func (s *ProfilesServer) GetFirm(ctx context.Context, req *profilesv1.GetFirmRequest) (*profilesv1.GetFirmResponse, error) {
	v, err := s.app.GetFirm(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &profilesv1.GetFirmResponse{Firm: firmToProto(v)}, nil
}

func firmFilter(req interface {
	GetAssociationId() string
	GetDistrict() commonv1.District
	GetIndustry() commonv1.Industry
	GetStage() commonv1.CrossBorderStage
}) domain.FirmFilter {
	return domain.FirmFilter{
		AssociationID: req.GetAssociationId(),
		District:      req.GetDistrict(),
		Industry:      req.GetIndustry(),
		Stage:         req.GetStage(),
	}
}

// ListFirms lists firms.
func (s *ProfilesServer) ListFirms(ctx context.Context, req *profilesv1.ListFirmsRequest) (*profilesv1.ListFirmsResponse, error) {
	f := firmFilter(req)
	f.Platform, f.Need, f.Market = req.GetPlatform(), req.GetNeed(), req.GetMarket()
	f.NameContains, f.USCC = req.GetNameContains(), req.GetUscc()
	list, next, total, err := s.app.ListFirms(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.ListFirmsResponse{NextPageToken: next, TotalSize: int32(total)}
	for _, v := range list {
		resp.Firms = append(resp.Firms, firmToProto(v))
	}
	return resp, nil
}

// UpdateFirm changes the masked fields of a firm.
func (s *ProfilesServer) UpdateFirm(ctx context.Context, req *profilesv1.UpdateFirmRequest) (*profilesv1.UpdateFirmResponse, error) {
	f := req.GetFirm()
	v, err := s.app.UpdateFirm(ctx, f.GetId(), f.GetEtag(), req.GetUpdateMask().GetPaths(), firmFromProto(f))
	if err != nil {
		return nil, err
	}
	return &profilesv1.UpdateFirmResponse{Firm: firmToProto(v)}, nil
}

// DeleteFirm soft-deletes a firm.
func (s *ProfilesServer) DeleteFirm(ctx context.Context, req *profilesv1.DeleteFirmRequest) (*profilesv1.DeleteFirmResponse, error) {
	if err := s.app.DeleteFirm(ctx, req.GetId(), req.GetEtag()); err != nil {
		return nil, err
	}
	return &profilesv1.DeleteFirmResponse{}, nil
}

// RevealFirmContacts returns a firm's contacts unmasked.
func (s *ProfilesServer) RevealFirmContacts(ctx context.Context, req *profilesv1.RevealFirmContactsRequest) (*profilesv1.RevealFirmContactsResponse, error) {
	cs, err := s.app.RevealFirmContacts(ctx, req.GetId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.RevealFirmContactsResponse{}
	for _, c := range cs {
		resp.Contacts = append(resp.Contacts, contactToProto(c, true))
	}
	return resp, nil
}

// CreateMembership adds an existing firm to an association.
func (s *ProfilesServer) CreateMembership(ctx context.Context, req *profilesv1.CreateMembershipRequest) (*profilesv1.CreateMembershipResponse, error) {
	v, name, err := s.app.CreateMembership(ctx, req.GetAssociationId(), req.GetFirmUscc())
	if err != nil {
		return nil, err
	}
	m := &profilesv1.Membership{AssociationId: req.GetAssociationId(), AssociationName: name, FirmId: v.ID, FirmName: v.Name}
	for _, ms := range v.Memberships {
		if ms.AssociationID == req.GetAssociationId() {
			m.CreateTime = ts(ms.CreateTime)
		}
	}
	return &profilesv1.CreateMembershipResponse{Membership: m}, nil
}

// DeleteMembership ends a membership.
func (s *ProfilesServer) DeleteMembership(ctx context.Context, req *profilesv1.DeleteMembershipRequest) (*profilesv1.DeleteMembershipResponse, error) {
	if err := s.app.DeleteMembership(ctx, req.GetAssociationId(), req.GetFirmId()); err != nil {
		return nil, err
	}
	return &profilesv1.DeleteMembershipResponse{}, nil
}

// ImportFirms imports firms from a spreadsheet.
func (s *ProfilesServer) ImportFirms(ctx context.Context, req *profilesv1.ImportFirmsRequest) (*profilesv1.ImportFirmsResponse, error) {
	rep, err := s.app.ImportFirms(ctx, app.ImportRequest{
		AssociationID: req.GetAssociationId(),
		Content:       req.GetContent(),
		FileName:      req.GetFileName(),
		DryRun:        req.GetDryRun(),
	})
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.ImportFirmsResponse{
		TotalRows: int32(rep.TotalRows), Created: int32(rep.Created), Updated: int32(rep.Updated),
		Unchanged: int32(rep.Unchanged), Linked: int32(rep.Linked), Failed: int32(rep.Failed), DryRun: rep.DryRun,
	}
	for _, r := range rep.Rows {
		if r.Outcome != app.OutcomeFailed && !req.GetIncludeAllRows() {
			continue
		}
		row := &profilesv1.ImportRowResult{
			Row: int32(r.Row), Uscc: r.USCC, Name: r.Name, Outcome: outcomeToProto[r.Outcome], FirmId: r.FirmID,
		}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, &commonv1.FieldError{Field: e.Column, Description: e.Description})
		}
		resp.Rows = append(resp.Rows, row)
	}
	return resp, nil
}

var outcomeToProto = map[app.Outcome]profilesv1.ImportRowOutcome{
	app.OutcomeCreated:   profilesv1.ImportRowOutcome_IMPORT_ROW_OUTCOME_CREATED,
	app.OutcomeUpdated:   profilesv1.ImportRowOutcome_IMPORT_ROW_OUTCOME_UPDATED,
	app.OutcomeUnchanged: profilesv1.ImportRowOutcome_IMPORT_ROW_OUTCOME_UNCHANGED,
	app.OutcomeLinked:    profilesv1.ImportRowOutcome_IMPORT_ROW_OUTCOME_LINKED,
	app.OutcomeFailed:    profilesv1.ImportRowOutcome_IMPORT_ROW_OUTCOME_FAILED,
}

// GetFirmImportTemplate returns the import template.
func (s *ProfilesServer) GetFirmImportTemplate(ctx context.Context, _ *profilesv1.GetFirmImportTemplateRequest) (*profilesv1.GetFirmImportTemplateResponse, error) {
	f, err := s.app.ImportTemplate(ctx)
	if err != nil {
		return nil, err
	}
	return &profilesv1.GetFirmImportTemplateResponse{File: fileToProto(f)}, nil
}

func fileToProto(f *app.File) *commonv1.File {
	return &commonv1.File{Name: f.Name, ContentType: f.ContentType, Content: f.Content}
}

// ExportFirms exports firms to .xlsx.
func (s *ProfilesServer) ExportFirms(ctx context.Context, req *profilesv1.ExportFirmsRequest) (*profilesv1.ExportFirmsResponse, error) {
	f, err := s.app.ExportFirms(ctx, firmFilter(req), req.GetRevealContacts())
	if err != nil {
		return nil, err
	}
	return &profilesv1.ExportFirmsResponse{File: fileToProto(f)}, nil
}

// GetProgrammeStats reports progress towards the programme's targets.
func (s *ProfilesServer) GetProgrammeStats(ctx context.Context, req *profilesv1.GetProgrammeStatsRequest) (*profilesv1.GetProgrammeStatsResponse, error) {
	st, err := s.app.ProgrammeStats(ctx, req.GetDistrict())
	if err != nil {
		return nil, err
	}
	out := &profilesv1.ProgrammeStats{
		AssociationsTarget: app.AssociationsTarget, AssociationsJoined: int32(st.AssociationsJoined),
		FirmsTarget: app.FirmsTarget, FirmsRegistered: int32(st.FirmsRegistered),
	}
	for _, d := range st.Districts {
		out.Districts = append(out.Districts, &profilesv1.DistrictStats{
			District: d.District, AssociationsJoined: int32(d.AssociationsJoined),
			FirmsRegistered: int32(d.FirmsRegistered), FirmsExporting: int32(d.FirmsExporting),
		})
	}
	for _, stage := range refdata.EnumCodes(commonv1.CrossBorderStage(0).Descriptor()) {
		v := commonv1.CrossBorderStage(commonv1.CrossBorderStage_value[stage.Code])
		out.Stages = append(out.Stages, &profilesv1.StageCount{Stage: v, Firms: int32(st.Stages[v])})
	}
	if n := st.Stages[commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED]; n > 0 {
		out.Stages = append(out.Stages, &profilesv1.StageCount{Stage: commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED, Firms: int32(n)})
	}
	return &profilesv1.GetProgrammeStatsResponse{Stats: out}, nil
}

// ListAuditRecords lists the audit log.
func (s *ProfilesServer) ListAuditRecords(ctx context.Context, req *profilesv1.ListAuditRecordsRequest) (*profilesv1.ListAuditRecordsResponse, error) {
	recs, next, err := s.app.ListAudit(ctx, audit.Filter{
		ObjectType: req.GetObjectType(), ObjectID: req.GetObjectId(), ActorID: req.GetActorId(),
	}, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.ListAuditRecordsResponse{NextPageToken: next}
	for _, r := range recs {
		resp.Records = append(resp.Records, auditToProto(r))
	}
	return resp, nil
}
