// Package adapters stores the profiles service's aggregates in MongoDB
// through the official driver. Storage documents are separate types with bson
// tags; named converters translate them to and from the domain, and driver
// errors become domain errors here.
//
// Enums are stored by name ("DISTRICT_XIAOSHAN") so the data reads well in a
// shell and survives renumbering mistakes.
package adapters

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"google.golang.org/protobuf/reflect/protoreflect"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

type contactDoc struct {
	Name  string `bson:"name,omitempty"`
	Title string `bson:"title,omitempty"`
	Phone string `bson:"phone,omitempty"`
	Email string `bson:"email,omitempty"`
}

type associationDoc struct {
	ID                string     `bson:"_id"`
	USCC              string     `bson:"uscc"`
	Name              string     `bson:"name"`
	ShortName         string     `bson:"short_name,omitempty"`
	Type              string     `bson:"type"`
	District          string     `bson:"district"`
	Industries        []string   `bson:"industries"`
	Rating            string     `bson:"rating,omitempty"`
	MemberCount       int32      `bson:"member_count"`
	Contact           contactDoc `bson:"contact"`
	Services          []string   `bson:"services"`
	JoinedProgramme   bool       `bson:"joined_programme"`
	ProgrammeJoinTime *time.Time `bson:"programme_join_time,omitempty"`
	Description       string     `bson:"description,omitempty"`
	Address           string     `bson:"address,omitempty"`
	Website           string     `bson:"website,omitempty"`
	Sample            bool       `bson:"sample,omitempty"`
	Version           int64      `bson:"version"`
	CreateTime        time.Time  `bson:"create_time"`
	UpdateTime        time.Time  `bson:"update_time"`
	DeletedAt         *time.Time `bson:"deleted_at,omitempty"`
}

type membershipDoc struct {
	AssociationID string    `bson:"association_id"`
	CreateTime    time.Time `bson:"create_time"`
}

type firmDoc struct {
	ID                   string          `bson:"_id"`
	USCC                 string          `bson:"uscc"`
	Name                 string          `bson:"name"`
	NameEN               string          `bson:"name_en,omitempty"`
	District             string          `bson:"district"`
	Industry             string          `bson:"industry"`
	MainProducts         string          `bson:"main_products,omitempty"`
	HSCodes              []string        `bson:"hs_codes"`
	RevenueBand          string          `bson:"revenue_band,omitempty"`
	AnnualExportValueFen *int64          `bson:"annual_export_value_fen,omitempty"`
	EmployeesBand        string          `bson:"employees_band,omitempty"`
	Stage                string          `bson:"stage,omitempty"`
	Platforms            []string        `bson:"platforms"`
	TargetMarkets        []string        `bson:"target_markets"`
	Needs                []string        `bson:"needs"`
	Contacts             []contactDoc    `bson:"contacts"`
	Memberships          []membershipDoc `bson:"memberships"`
	// AssociationIDs mirrors Memberships for equality queries: the embedded
	// store mishandles conditions on fields inside arrays of sub-documents.
	AssociationIDs []string   `bson:"association_ids"`
	RegisteredBy   string     `bson:"registered_by,omitempty"`
	Address        string     `bson:"address,omitempty"`
	Website        string     `bson:"website,omitempty"`
	Sample         bool       `bson:"sample,omitempty"`
	Version        int64      `bson:"version"`
	CreateTime     time.Time  `bson:"create_time"`
	UpdateTime     time.Time  `bson:"update_time"`
	DeletedAt      *time.Time `bson:"deleted_at,omitempty"`
}

// enumName stores an enum by name; the zero value is stored as "".
func enumName(e protoreflect.Enum) string {
	if e.Number() == 0 {
		return ""
	}
	if vd := e.Descriptor().Values().ByNumber(e.Number()); vd != nil {
		return string(vd.Name())
	}
	return ""
}

// enumNumber reads a stored enum name back; unknown names read as zero.
func enumNumber(ed protoreflect.EnumDescriptor, name string) protoreflect.EnumNumber {
	if name == "" {
		return 0
	}
	if vd := ed.Values().ByName(protoreflect.Name(name)); vd != nil {
		return vd.Number()
	}
	return 0
}

func enumNames[E protoreflect.Enum](in []E) []string {
	out := make([]string, 0, len(in))
	for _, e := range in {
		if n := enumName(e); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func enumValues[E interface {
	~int32
	protoreflect.Enum
}](names []string) []E {
	var zero E
	ed := zero.Descriptor()
	out := make([]E, 0, len(names))
	for _, n := range names {
		if v := enumNumber(ed, n); v != 0 {
			out = append(out, E(v))
		}
	}
	return out
}

func enumValue[E interface {
	~int32
	protoreflect.Enum
}](name string) E {
	var zero E
	return E(enumNumber(zero.Descriptor(), name))
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func timeVal(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func strs(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

func contactToDoc(c domain.Contact) contactDoc {
	return contactDoc{Name: c.Name, Title: c.Title, Phone: c.Phone, Email: c.Email}
}

func contactFromDoc(d contactDoc) domain.Contact {
	return domain.Contact{Name: d.Name, Title: d.Title, Phone: d.Phone, Email: d.Email}
}

func associationToDoc(a *domain.Association) associationDoc {
	return associationDoc{
		ID:                a.ID,
		USCC:              a.USCC,
		Name:              a.Name,
		ShortName:         a.ShortName,
		Type:              enumName(a.Type),
		District:          enumName(a.District),
		Industries:        enumNames(a.Industries),
		Rating:            enumName(a.Rating),
		MemberCount:       a.MemberCount,
		Contact:           contactToDoc(a.Contact),
		Services:          enumNames(a.Services),
		JoinedProgramme:   a.JoinedProgramme,
		ProgrammeJoinTime: timePtr(a.ProgrammeJoinTime),
		Description:       a.Description,
		Address:           a.Address,
		Website:           a.Website,
		Sample:            a.Sample,
		Version:           a.Version,
		CreateTime:        a.CreateTime.UTC(),
		UpdateTime:        a.UpdateTime.UTC(),
		DeletedAt:         timePtr(a.DeleteTime),
	}
}

func associationFromDoc(d associationDoc) *domain.Association {
	return &domain.Association{
		ID:                d.ID,
		USCC:              d.USCC,
		Name:              d.Name,
		ShortName:         d.ShortName,
		Type:              enumValue[profilesv1.AssociationType](d.Type),
		District:          enumValue[commonv1.District](d.District),
		Industries:        enumValues[commonv1.Industry](d.Industries),
		Rating:            enumValue[profilesv1.AssociationRating](d.Rating),
		MemberCount:       d.MemberCount,
		Contact:           contactFromDoc(d.Contact),
		Services:          enumValues[profilesv1.AssociationServiceKind](d.Services),
		JoinedProgramme:   d.JoinedProgramme,
		ProgrammeJoinTime: timeVal(d.ProgrammeJoinTime),
		Description:       d.Description,
		Address:           d.Address,
		Website:           d.Website,
		Sample:            d.Sample,
		Version:           d.Version,
		CreateTime:        d.CreateTime.UTC(),
		UpdateTime:        d.UpdateTime.UTC(),
		DeleteTime:        timeVal(d.DeletedAt),
	}
}

func firmToDoc(f *domain.Firm) firmDoc {
	contacts := make([]contactDoc, len(f.Contacts))
	for i, c := range f.Contacts {
		contacts[i] = contactToDoc(c)
	}
	ms := make([]membershipDoc, len(f.Memberships))
	for i, m := range f.Memberships {
		ms[i] = membershipDoc{AssociationID: m.AssociationID, CreateTime: m.CreateTime.UTC()}
	}
	return firmDoc{
		ID:                   f.ID,
		USCC:                 f.USCC,
		Name:                 f.Name,
		NameEN:               f.NameEN,
		District:             enumName(f.District),
		Industry:             enumName(f.Industry),
		MainProducts:         f.MainProducts,
		HSCodes:              strs(f.HSCodes),
		RevenueBand:          enumName(f.RevenueBand),
		AnnualExportValueFen: f.AnnualExportValueFen,
		EmployeesBand:        enumName(f.EmployeesBand),
		Stage:                enumName(f.Stage),
		Platforms:            enumNames(f.Platforms),
		TargetMarkets:        strs(f.TargetMarkets),
		Needs:                enumNames(f.Needs),
		Contacts:             contacts,
		Memberships:          ms,
		AssociationIDs:       strs(f.AssociationIDs()),
		RegisteredBy:         f.RegisteredBy,
		Address:              f.Address,
		Website:              f.Website,
		Sample:               f.Sample,
		Version:              f.Version,
		CreateTime:           f.CreateTime.UTC(),
		UpdateTime:           f.UpdateTime.UTC(),
		DeletedAt:            timePtr(f.DeleteTime),
	}
}

func firmFromDoc(d firmDoc) *domain.Firm {
	var contacts []domain.Contact
	for _, c := range d.Contacts {
		contacts = append(contacts, contactFromDoc(c))
	}
	var ms []domain.Membership
	for _, m := range d.Memberships {
		ms = append(ms, domain.Membership{AssociationID: m.AssociationID, CreateTime: m.CreateTime.UTC()})
	}
	return &domain.Firm{
		ID:                   d.ID,
		USCC:                 d.USCC,
		Name:                 d.Name,
		NameEN:               d.NameEN,
		District:             enumValue[commonv1.District](d.District),
		Industry:             enumValue[commonv1.Industry](d.Industry),
		MainProducts:         d.MainProducts,
		HSCodes:              d.HSCodes,
		RevenueBand:          enumValue[commonv1.RevenueBand](d.RevenueBand),
		AnnualExportValueFen: d.AnnualExportValueFen,
		EmployeesBand:        enumValue[commonv1.EmployeesBand](d.EmployeesBand),
		Stage:                enumValue[commonv1.CrossBorderStage](d.Stage),
		Platforms:            enumValues[commonv1.SalesPlatform](d.Platforms),
		TargetMarkets:        d.TargetMarkets,
		Needs:                enumValues[commonv1.NeedTag](d.Needs),
		Contacts:             contacts,
		Memberships:          ms,
		RegisteredBy:         d.RegisteredBy,
		Address:              d.Address,
		Website:              d.Website,
		Sample:               d.Sample,
		Version:              d.Version,
		CreateTime:           d.CreateTime.UTC(),
		UpdateTime:           d.UpdateTime.UTC(),
		DeleteTime:           timeVal(d.DeletedAt),
	}
}

// byName is the order of the profiles lists: name, then id for ties.
var byName = bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}
