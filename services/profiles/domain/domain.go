// Package domain holds the profiles service's model — associations, member
// firms, memberships, contacts and accounts — with their validation and access
// rules. It knows nothing of gRPC or MongoDB.
//
// Enum-typed fields use the contract's enums: they are the programme's
// vocabulary (districts, industries, stages), not a transport detail.
package domain

import (
	"fmt"
	"slices"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// Limits on lists and text, shared by the API and spreadsheet import.
const (
	MaxNameRunes         = 100
	MaxShortNameRunes    = 30
	MaxNameENLength      = 200
	MaxProductsRunes     = 500
	MaxDescriptionRunes  = 2000
	MaxAddressRunes      = 200
	MaxWebsiteLength     = 200
	MaxHSCodes           = 20
	MaxMarkets           = 50
	MaxContacts          = 5
	MaxIndustries        = 10
	MaxMemberCount       = 1_000_000
	MaxExportValueFen    = 1_000_000_000_000_00 // 1 trillion yuan
	MaxContactNameRunes  = 50
	MaxContactTitleRunes = 50
)

// Contact is a contact person. Phone and Email are stored whole; the API
// masks them except in reveals.
type Contact struct {
	Name  string
	Title string
	Phone string
	Email string
}

// Association is a social organisation taking part in the programme.
type Association struct {
	ID                string
	USCC              string
	Name              string
	ShortName         string
	Type              profilesv1.AssociationType
	District          commonv1.District
	Industries        []commonv1.Industry
	Rating            profilesv1.AssociationRating
	MemberCount       int32
	Contact           Contact
	Services          []profilesv1.AssociationServiceKind
	JoinedProgramme   bool
	ProgrammeJoinTime time.Time
	Description       string
	Address           string
	Website           string
	Sample            bool
	Version           int64
	CreateTime        time.Time
	UpdateTime        time.Time
	DeleteTime        time.Time
}

// Deleted reports whether the association is soft-deleted.
func (a *Association) Deleted() bool { return !a.DeleteTime.IsZero() }

// Membership records that a firm belongs to an association.
type Membership struct {
	AssociationID string
	CreateTime    time.Time
}

// Firm is a member firm's cross-border profile.
type Firm struct {
	ID                   string
	USCC                 string
	Name                 string
	NameEN               string
	District             commonv1.District
	Industry             commonv1.Industry
	MainProducts         string
	HSCodes              []string
	RevenueBand          commonv1.RevenueBand
	AnnualExportValueFen *int64
	EmployeesBand        commonv1.EmployeesBand
	Stage                commonv1.CrossBorderStage
	Platforms            []commonv1.SalesPlatform
	TargetMarkets        []string
	Needs                []commonv1.NeedTag
	Contacts             []Contact
	Memberships          []Membership
	// RegisteredBy is the association that registered the firm ("" when a
	// bureau admin registered it without one). Only that association's
	// admins edit the profile and reveal contacts; associations that added
	// the firm later (by USCC or import) read it with contacts masked, so
	// knowing a firm's public USCC gives no control over it.
	RegisteredBy string
	Address      string
	Website      string
	Sample       bool
	Version      int64
	CreateTime   time.Time
	UpdateTime   time.Time
	DeleteTime   time.Time
}

// Deleted reports whether the firm is soft-deleted.
func (f *Firm) Deleted() bool { return !f.DeleteTime.IsZero() }

// AssociationIDs lists the associations the firm belongs to.
func (f *Firm) AssociationIDs() []string {
	out := make([]string, len(f.Memberships))
	for i, m := range f.Memberships {
		out[i] = m.AssociationID
	}
	return out
}

// KeptBy reports whether association id keeps the firm's profile: it
// registered the firm and is still a member.
func (f *Firm) KeptBy(id string) bool { return id != "" && f.RegisteredBy == id && f.MemberOf(id) }

// MemberOf reports whether the firm belongs to association id.
func (f *Firm) MemberOf(id string) bool {
	return id != "" && slices.ContainsFunc(f.Memberships, func(m Membership) bool { return m.AssociationID == id })
}

// AddMembership adds a membership unless it exists; it reports whether it
// added one.
func (f *Firm) AddMembership(associationID string, now time.Time) bool {
	if f.MemberOf(associationID) {
		return false
	}
	f.Memberships = append(f.Memberships, Membership{AssociationID: associationID, CreateTime: now})
	return true
}

// RemoveMembership removes a membership; it reports whether one was removed.
func (f *Firm) RemoveMembership(associationID string) bool {
	n := len(f.Memberships)
	f.Memberships = slices.DeleteFunc(f.Memberships, func(m Membership) bool { return m.AssociationID == associationID })
	return len(f.Memberships) != n
}

// Clone returns a deep copy.
func (f *Firm) Clone() *Firm {
	c := *f
	c.HSCodes = slices.Clone(f.HSCodes)
	c.Platforms = slices.Clone(f.Platforms)
	c.TargetMarkets = slices.Clone(f.TargetMarkets)
	c.Needs = slices.Clone(f.Needs)
	c.Contacts = slices.Clone(f.Contacts)
	c.Memberships = slices.Clone(f.Memberships)
	if f.AnnualExportValueFen != nil {
		v := *f.AnnualExportValueFen
		c.AnnualExportValueFen = &v
	}
	return &c
}

// Clone returns a deep copy.
func (a *Association) Clone() *Association {
	c := *a
	c.Industries = slices.Clone(a.Industries)
	c.Services = slices.Clone(a.Services)
	return &c
}

// FirmFilter selects firms in lists and exports. Zero fields do not filter.
type FirmFilter struct {
	AssociationID string
	District      commonv1.District
	Industry      commonv1.Industry
	Stage         commonv1.CrossBorderStage
	Platform      commonv1.SalesPlatform
	Need          commonv1.NeedTag
	Market        string
	NameContains  string
	USCC          string
}

// Key identifies the filter for page tokens.
func (f FirmFilter) Key() string { return fmt.Sprintf("%+v", f) }

// AssociationFilter selects associations in lists.
type AssociationFilter struct {
	District        commonv1.District
	Type            profilesv1.AssociationType
	Industry        commonv1.Industry
	JoinedProgramme *bool
	NameContains    string
}

// Key identifies the filter for page tokens (by value: JoinedProgramme is a
// pointer).
func (f AssociationFilter) Key() string {
	joined := "-"
	if f.JoinedProgramme != nil {
		joined = fmt.Sprint(*f.JoinedProgramme)
	}
	return fmt.Sprintf("%d|%d|%d|%s|%s", f.District, f.Type, f.Industry, joined, f.NameContains)
}

var zeroTime time.Time

// StageCount is the number of live firms of one district at one stage.
type StageCount struct {
	District commonv1.District
	Stage    commonv1.CrossBorderStage
	Firms    int
}
