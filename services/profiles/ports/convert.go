// Package ports serves the profiles use cases over gRPC: named converters
// between the contract's messages and the domain, and thin handlers that
// translate requests, call the application and translate results. Access
// rules and validation live below; errors are mapped to statuses by the
// server's error interceptor.
package ports

import (
	"time"

	"github.com/qihang-hz/qihang/internal/etag"

	"google.golang.org/protobuf/types/known/timestamppb"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime().UTC().Truncate(time.Millisecond)
}

// contactToProto renders a contact masked, or whole when reveal is true.
func contactToProto(c domain.Contact, reveal bool) *commonv1.Contact {
	if c == (domain.Contact{}) {
		return nil
	}
	if reveal {
		return &commonv1.Contact{Name: c.Name, Title: c.Title, Phone: c.Phone, Email: c.Email}
	}
	return &commonv1.Contact{Name: c.Name, Title: c.Title, Phone: contact.MaskPhone(c.Phone), Email: contact.MaskEmail(c.Email), Masked: true}
}

func contactFromProto(c *commonv1.Contact) domain.Contact {
	if c == nil {
		return domain.Contact{}
	}
	return domain.Contact{Name: c.GetName(), Title: c.GetTitle(), Phone: c.GetPhone(), Email: c.GetEmail()}
}

func associationToProto(v *app.AssociationView) *profilesv1.Association {
	a := v.Association
	return &profilesv1.Association{
		Id:                  a.ID,
		Uscc:                a.USCC,
		Name:                a.Name,
		ShortName:           a.ShortName,
		Type:                a.Type,
		District:            a.District,
		Industries:          a.Industries,
		Rating:              a.Rating,
		MemberCount:         a.MemberCount,
		CrossBorderContact:  contactToProto(a.Contact, false),
		Services:            a.Services,
		JoinedProgramme:     a.JoinedProgramme,
		ProgrammeJoinTime:   ts(a.ProgrammeJoinTime),
		Description:         a.Description,
		Address:             a.Address,
		Website:             a.Website,
		RegisteredFirmCount: int32(v.RegisteredFirms),
		Sample:              a.Sample,
		Etag:                etag.Format(a.Version),
		CreateTime:          ts(a.CreateTime),
		UpdateTime:          ts(a.UpdateTime),
	}
}

func associationFromProto(p *profilesv1.Association) *domain.Association {
	if p == nil {
		return &domain.Association{}
	}
	return &domain.Association{
		ID:                p.GetId(),
		USCC:              p.GetUscc(),
		Name:              p.GetName(),
		ShortName:         p.GetShortName(),
		Type:              p.GetType(),
		District:          p.GetDistrict(),
		Industries:        p.GetIndustries(),
		Rating:            p.GetRating(),
		MemberCount:       p.GetMemberCount(),
		Contact:           contactFromProto(p.GetCrossBorderContact()),
		Services:          p.GetServices(),
		JoinedProgramme:   p.GetJoinedProgramme(),
		ProgrammeJoinTime: fromTS(p.GetProgrammeJoinTime()),
		Description:       p.GetDescription(),
		Address:           p.GetAddress(),
		Website:           p.GetWebsite(),
	}
}

func firmToProto(v *app.FirmView) *profilesv1.Firm {
	f := v.Firm
	contacts := make([]*commonv1.Contact, 0, len(f.Contacts))
	for _, c := range f.Contacts {
		contacts = append(contacts, contactToProto(c, false))
	}
	ms := make([]*profilesv1.Membership, len(f.Memberships))
	for i, m := range f.Memberships {
		ms[i] = &profilesv1.Membership{
			AssociationId:   m.AssociationID,
			AssociationName: v.AssociationNames[m.AssociationID],
			FirmId:          f.ID,
			FirmName:        f.Name,
			CreateTime:      ts(m.CreateTime),
			RegisteredHere:  f.KeptBy(m.AssociationID),
		}
	}
	return &profilesv1.Firm{
		Id:                   f.ID,
		Uscc:                 f.USCC,
		Name:                 f.Name,
		NameEn:               f.NameEN,
		District:             f.District,
		Industry:             f.Industry,
		MainProducts:         f.MainProducts,
		HsCodes:              f.HSCodes,
		RevenueBand:          f.RevenueBand,
		AnnualExportValueFen: f.AnnualExportValueFen,
		EmployeesBand:        f.EmployeesBand,
		Stage:                f.Stage,
		Platforms:            f.Platforms,
		TargetMarkets:        f.TargetMarkets,
		Needs:                f.Needs,
		Contacts:             contacts,
		Memberships:          ms,
		Address:              f.Address,
		Website:              f.Website,
		Sample:               f.Sample,
		Etag:                 etag.Format(f.Version),
		CreateTime:           ts(f.CreateTime),
		UpdateTime:           ts(f.UpdateTime),
	}
}

func firmFromProto(p *profilesv1.Firm) *domain.Firm {
	if p == nil {
		return &domain.Firm{}
	}
	contacts := make([]domain.Contact, 0, len(p.GetContacts()))
	for _, c := range p.GetContacts() {
		contacts = append(contacts, contactFromProto(c))
	}
	return &domain.Firm{
		ID:                   p.GetId(),
		USCC:                 p.GetUscc(),
		Name:                 p.GetName(),
		NameEN:               p.GetNameEn(),
		District:             p.GetDistrict(),
		Industry:             p.GetIndustry(),
		MainProducts:         p.GetMainProducts(),
		HSCodes:              append([]string(nil), p.GetHsCodes()...),
		RevenueBand:          p.GetRevenueBand(),
		AnnualExportValueFen: p.AnnualExportValueFen,
		EmployeesBand:        p.GetEmployeesBand(),
		Stage:                p.GetStage(),
		Platforms:            append([]commonv1.SalesPlatform(nil), p.GetPlatforms()...),
		TargetMarkets:        append([]string(nil), p.GetTargetMarkets()...),
		Needs:                append([]commonv1.NeedTag(nil), p.GetNeeds()...),
		Contacts:             contacts,
		Address:              p.GetAddress(),
		Website:              p.GetWebsite(),
	}
}

func accountToProto(a *domain.Account) *profilesv1.Account {
	return &profilesv1.Account{
		Id:            a.ID,
		Username:      a.Username,
		DisplayName:   a.DisplayName,
		Role:          a.Role.Proto(),
		District:      a.District,
		AssociationId: a.AssociationID,
		FirmId:        a.FirmID,
		ExpertId:      a.ExpertID,
		Disabled:      a.Disabled,
		CreateTime:    ts(a.CreateTime),
		LastLoginTime: ts(a.LastLoginTime),
	}
}

func accountFromProto(p *profilesv1.Account) *domain.Account {
	if p == nil {
		return &domain.Account{}
	}
	role, _ := auth.RoleFromProto(p.GetRole())
	return &domain.Account{
		Username:      p.GetUsername(),
		DisplayName:   p.GetDisplayName(),
		Role:          role,
		District:      p.GetDistrict(),
		AssociationID: p.GetAssociationId(),
		FirmID:        p.GetFirmId(),
		ExpertID:      p.GetExpertId(),
	}
}

func auditToProto(r audit.Record) *profilesv1.AuditRecord {
	return &profilesv1.AuditRecord{
		Id:            r.ID,
		ActorId:       r.ActorID,
		ActorUsername: r.ActorUsername,
		ActorRole:     r.ActorRole.Proto(),
		Action:        r.Action,
		ObjectType:    r.ObjectType,
		ObjectId:      r.ObjectID,
		ObjectVersion: r.ObjectVersion,
		Detail:        r.Detail,
		Time:          ts(r.Time),
	}
}
