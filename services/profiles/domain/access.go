package domain

import (
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/auth"
)

// The access rules of the profiles service, as pure functions of the caller
// and the object. The application layer calls them for every object it reads
// or changes; list queries use FirmScopeFor so the store filters by tenant and
// a forgotten check returns nothing rather than everything.

// FirmScope is the set of firms a principal may read. Exactly one field is
// meaningful; the zero value matches no firm.
type FirmScope struct {
	All           bool
	District      commonv1.District
	AssociationID string
	FirmID        string
}

// Empty reports whether the scope matches no firm.
func (s FirmScope) Empty() bool {
	return !s.All && s.District == commonv1.District_DISTRICT_UNSPECIFIED && s.AssociationID == "" && s.FirmID == ""
}

// Contains reports whether f is in the scope.
func (s FirmScope) Contains(f *Firm) bool {
	switch {
	case s.All:
		return true
	case s.District != commonv1.District_DISTRICT_UNSPECIFIED:
		return f.District == s.District
	case s.AssociationID != "":
		return f.MemberOf(s.AssociationID)
	case s.FirmID != "":
		return f.ID == s.FirmID
	}
	return false
}

// FirmScopeFor returns the firms p may read: all for a bureau admin, the
// district's for a district officer, the members for an association admin,
// its own for a firm user, none for experts and anonymous callers.
func FirmScopeFor(p auth.Principal) FirmScope {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return FirmScope{All: true}
	case p.Is(auth.RoleDistrictOfficer):
		return FirmScope{District: p.District}
	case p.Is(auth.RoleAssociationAdmin):
		return FirmScope{AssociationID: p.AssociationID}
	case p.Is(auth.RoleFirmUser):
		return FirmScope{FirmID: p.FirmID}
	}
	return FirmScope{}
}

// CanReadFirm reports whether p may read f.
func CanReadFirm(p auth.Principal, f *Firm) bool { return FirmScopeFor(p).Contains(f) }

// CanEditFirm reports whether p may change f's profile: a bureau admin, an
// admin of the association that registered f (and still has it as a
// member), or f's own user. Other member associations read f only.
func CanEditFirm(p auth.Principal, f *Firm) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return true
	case p.Is(auth.RoleAssociationAdmin):
		return f.KeptBy(p.AssociationID)
	case p.Is(auth.RoleFirmUser):
		return f.ID == p.FirmID
	}
	return false
}

// CanChangeFirmUSCC reports whether p may correct a firm's USCC: only a bureau
// admin, since the code is the firm's identity across associations.
func CanChangeFirmUSCC(p auth.Principal) bool { return p.Is(auth.RoleBureauAdmin) }

// CanRevealFirm reports whether p may see f's contacts unmasked.
func CanRevealFirm(p auth.Principal, f *Firm) bool {
	return CanEditFirm(p, f) || (p.Is(auth.RoleDistrictOfficer) && f.District == p.District)
}

// CanDeleteFirm reports whether p may delete firms.
func CanDeleteFirm(p auth.Principal) bool { return p.Is(auth.RoleBureauAdmin) }

// CanRegisterFirmIn reports whether p may register firms as members of
// associationID ("" = without an association, bureau admins only).
func CanRegisterFirmIn(p auth.Principal, associationID string) bool {
	switch {
	case p.Is(auth.RoleBureauAdmin):
		return true
	case p.Is(auth.RoleAssociationAdmin):
		return associationID != "" && associationID == p.AssociationID
	}
	return false
}

// CanManageMembers reports whether p may add or remove members of an
// association and import firms into it.
func CanManageMembers(p auth.Principal, associationID string) bool {
	return associationID != "" && CanRegisterFirmIn(p, associationID)
}

// CanReadAssociations reports whether p may read association profiles: any
// signed-in account (contacts stay masked).
func CanReadAssociations(p auth.Principal) bool { return !p.Anonymous() && p.Role.Valid() }

// CanCreateAssociation reports whether p may register associations.
func CanCreateAssociation(p auth.Principal) bool { return p.Is(auth.RoleBureauAdmin) }

// CanEditAssociation reports whether p may change a's profile.
func CanEditAssociation(p auth.Principal, a *Association) bool {
	return p.Is(auth.RoleBureauAdmin) || (p.Is(auth.RoleAssociationAdmin) && p.AssociationID == a.ID)
}

// AssociationFieldsForBureau are the fields only a bureau admin may change:
// identity, programme participation and the civil-affairs rating.
var AssociationFieldsForBureau = []string{"uscc", "joined_programme", "programme_join_time", "rating"}

// CanDeleteAssociation reports whether p may delete associations.
func CanDeleteAssociation(p auth.Principal) bool { return p.Is(auth.RoleBureauAdmin) }

// CanRevealAssociation reports whether p may see a's contact unmasked.
func CanRevealAssociation(p auth.Principal, a *Association) bool {
	return CanEditAssociation(p, a) || (p.Is(auth.RoleDistrictOfficer) && p.District == a.District)
}

// CanExportFirms reports whether p may export firm lists: the roles with a
// multi-firm scope.
func CanExportFirms(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer) || p.Is(auth.RoleAssociationAdmin)
}

// CanRevealInExport reports whether p may put whole contacts in an export of
// scope: every firm in p's export scope must be one p may reveal, which holds
// for the bureau, district officers and association admins over their own
// scope.
func CanRevealInExport(p auth.Principal) bool { return CanExportFirms(p) }

// CanReadStats reports whether p may read programme statistics.
func CanReadStats(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleDistrictOfficer)
}

// CanReadAudit reports whether p may read audit records (scoped for
// association admins).
func CanReadAudit(p auth.Principal) bool {
	return p.Is(auth.RoleBureauAdmin) || p.Is(auth.RoleAssociationAdmin)
}
