package domain

import (
	"slices"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	consultv1 "github.com/qihang-hz/qihang/gen/qihang/consult/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Who may do what (the ConsultationService and ExpertService comments).
// Each rule is a plain predicate; the use cases combine them per call.

// Coordinates reports whether p coordinates c: a bureau admin any
// consultation, a district officer those of firms in its district.
func Coordinates(p auth.Principal, c *consultv1.Consultation) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return true
	case p.Is(auth.RoleDistrictOfficer):
		return c.GetFirm().GetDistrict() == p.District
	}
	return false
}

// IsCoordinatorRole reports whether p is a bureau admin or district officer.
func IsCoordinatorRole(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer)
}

// IsFirmUser reports whether p is a user of c's firm.
func IsFirmUser(p auth.Principal, c *consultv1.Consultation) bool {
	return p.Is(auth.RoleFirmUser) && p.FirmID == c.GetFirmId()
}

// IsFirmAssociation reports whether p administers an association the firm
// belonged to when the consultation was filed.
func IsFirmAssociation(p auth.Principal, c *consultv1.Consultation) bool {
	return p.Is(auth.RoleAssociationAdmin) && slices.Contains(c.GetFirm().GetAssociationIds(), p.AssociationID)
}

// IsFirmSide reports whether p acts for c's firm: its user or its
// associations' admins.
func IsFirmSide(p auth.Principal, c *consultv1.Consultation) bool {
	return IsFirmUser(p, c) || IsFirmAssociation(p, c)
}

// IsCurrentExpert reports whether p is the expert now on the case.
func IsCurrentExpert(p auth.Principal, c *consultv1.Consultation) bool {
	return p.Is(auth.RoleExpert) && c.GetExpertId() != "" && p.ExpertID == c.GetExpertId()
}

// IsCaseExpert reports whether p is or was an expert on the case.
func IsCaseExpert(p auth.Principal, c *consultv1.Consultation) bool {
	return p.Is(auth.RoleExpert) && slices.Contains(c.GetCaseExpertIds(), p.ExpertID)
}

// CanSee reports whether p may see c at all.
func CanSee(p auth.Principal, c *consultv1.Consultation) bool {
	return Coordinates(p, c) || IsFirmSide(p, c) || IsCaseExpert(p, c)
}

// CanReadNotes reports whether p may read c's case notes: the firm's user,
// the experts on the case and coordinators — not associations.
func CanReadNotes(p auth.Principal, c *consultv1.Consultation) bool {
	return Coordinates(p, c) || IsFirmUser(p, c) || IsCaseExpert(p, c)
}

// Scope is what a caller may list: everything, one district, one
// association's member firms, one firm, or one expert's cases. The zero Scope
// matches nothing, so a forgotten scope fails closed.
type Scope struct {
	All           bool
	District      commonv1.District
	AssociationID string
	FirmID        string
	ExpertID      string
}

// Empty reports whether the scope matches nothing.
func (s Scope) Empty() bool {
	return !s.All && s.District == 0 && s.AssociationID == "" && s.FirmID == "" && s.ExpertID == ""
}

// ScopeFor returns the consultations p may list.
func ScopeFor(p auth.Principal) Scope {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return Scope{All: true}
	case p.Is(auth.RoleDistrictOfficer):
		return Scope{District: p.District}
	case p.Is(auth.RoleAssociationAdmin):
		return Scope{AssociationID: p.AssociationID}
	case p.Is(auth.RoleFirmUser):
		return Scope{FirmID: p.FirmID}
	case p.Is(auth.RoleExpert):
		return Scope{ExpertID: p.ExpertID}
	}
	return Scope{}
}

// ManagesExpert reports whether p may change an expert's profile and slots:
// a bureau admin, or the expert itself.
func ManagesExpert(p auth.Principal, expertID string) bool {
	return p.Is(auth.RoleBureauAdmin) || (p.Is(auth.RoleExpert) && p.ExpertID == expertID)
}

// ManagesClinicIn reports whether p may organise clinics at parks in d: a
// bureau admin, or d's district officer.
func ManagesClinicIn(p auth.Principal, d commonv1.District) bool {
	return p.Is(auth.RoleBureauAdmin) || (p.Is(auth.RoleDistrictOfficer) && p.District == d)
}

// SeesBookings reports whether p may see who booked slots and their meeting
// links: everyone but firm users and association admins.
func SeesBookings(p auth.Principal) bool {
	return !p.Is(auth.RoleFirmUser) && !p.Is(auth.RoleAssociationAdmin)
}
