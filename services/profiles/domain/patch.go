package domain

import (
	"slices"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/contact"
	"github.com/qihang-hz/qihang/internal/fieldmask"
)

// The field-mask paths an update may name, in API (snake_case) spelling.
var (
	firmPatchPaths = []string{
		"uscc", "name", "name_en", "district", "industry", "main_products", "hs_codes",
		"revenue_band", "annual_export_value_fen", "employees_band", "stage", "platforms",
		"target_markets", "needs", "contacts", "address", "website",
	}
	associationPatchPaths = []string{
		"uscc", "name", "short_name", "type", "district", "industries", "rating", "member_count",
		"cross_border_contact", "services", "joined_programme", "programme_join_time",
		"description", "address", "website",
	}
	readOnlyPaths = []string{
		"id", "etag", "memberships", "create_time", "update_time", "registered_firm_count", "sample",
	}
)

// CheckMask validates update-mask paths (already reduced to top-level
// fields): each must be a known, writable field, and the mask may not be
// empty.
func CheckMask(field string, paths []string, writable []string) *apperr.ValidationError {
	return fieldmask.Check(field, paths, writable, readOnlyPaths)
}

// FirmPatchPaths returns the writable firm fields.
func FirmPatchPaths() []string { return slices.Clone(firmPatchPaths) }

// AssociationPatchPaths returns the writable association fields.
func AssociationPatchPaths() []string { return slices.Clone(associationPatchPaths) }

// ApplyFirmPatch copies the masked fields of src onto dst. Paths must have
// passed CheckMask.
func ApplyFirmPatch(dst, src *Firm, paths []string) {
	for _, p := range paths {
		switch p {
		case "uscc":
			dst.USCC = src.USCC
		case "name":
			dst.Name = src.Name
		case "name_en":
			dst.NameEN = src.NameEN
		case "district":
			dst.District = src.District
		case "industry":
			dst.Industry = src.Industry
		case "main_products":
			dst.MainProducts = src.MainProducts
		case "hs_codes":
			dst.HSCodes = slices.Clone(src.HSCodes)
		case "revenue_band":
			dst.RevenueBand = src.RevenueBand
		case "annual_export_value_fen":
			dst.AnnualExportValueFen = src.AnnualExportValueFen
		case "employees_band":
			dst.EmployeesBand = src.EmployeesBand
		case "stage":
			dst.Stage = src.Stage
		case "platforms":
			dst.Platforms = slices.Clone(src.Platforms)
		case "target_markets":
			dst.TargetMarkets = slices.Clone(src.TargetMarkets)
		case "needs":
			dst.Needs = slices.Clone(src.Needs)
		case "contacts":
			dst.Contacts = KeepMaskedContacts(dst.Contacts, src.Contacts)
		case "address":
			dst.Address = src.Address
		case "website":
			dst.Website = src.Website
		}
	}
}

// ApplyAssociationPatch copies the masked fields of src onto dst.
func ApplyAssociationPatch(dst, src *Association, paths []string) {
	for _, p := range paths {
		switch p {
		case "uscc":
			dst.USCC = src.USCC
		case "name":
			dst.Name = src.Name
		case "short_name":
			dst.ShortName = src.ShortName
		case "type":
			dst.Type = src.Type
		case "district":
			dst.District = src.District
		case "industries":
			dst.Industries = slices.Clone(src.Industries)
		case "rating":
			dst.Rating = src.Rating
		case "member_count":
			dst.MemberCount = src.MemberCount
		case "cross_border_contact":
			kept := KeepMaskedContacts([]Contact{dst.Contact}, []Contact{src.Contact})
			dst.Contact = kept[0]
		case "services":
			dst.Services = slices.Clone(src.Services)
		case "joined_programme":
			dst.JoinedProgramme = src.JoinedProgramme
		case "programme_join_time":
			dst.ProgrammeJoinTime = src.ProgrammeJoinTime
		case "description":
			dst.Description = src.Description
		case "address":
			dst.Address = src.Address
		case "website":
			dst.Website = src.Website
		}
	}
}

// KeepMaskedContacts returns incoming with every phone or e-mail that is
// still masked (the client sent back what it read) replaced by the stored
// value it masks. A masked value that matches no stored contact is left
// masked, and validation then rejects it.
func KeepMaskedContacts(stored, incoming []Contact) []Contact {
	out := slices.Clone(incoming)
	for i := range out {
		c := &out[i]
		if contact.IsMaskedPhone(c.Phone) {
			for _, s := range stored {
				if s.Phone != "" && contact.MaskPhone(s.Phone) == c.Phone && (s.Name == c.Name || len(stored) == 1) {
					c.Phone = s.Phone
					break
				}
			}
		}
		if contact.IsMaskedEmail(c.Email) {
			for _, s := range stored {
				if s.Email != "" && contact.MaskEmail(s.Email) == c.Email && (s.Name == c.Name || len(stored) == 1) {
					c.Email = s.Email
					break
				}
			}
		}
	}
	return out
}
