package eligibility

import (
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

// Facts derives the facts criteria read as `facts` from a firm's profile:
//   - association_ids: the associations of firm.memberships, without
//     duplicates, in order;
//   - programme_member: one of them is in programmeAssociations with true
//     (the ids of the associations that joined the programme);
//   - annual_export_value_wan_yuan: the export value in 万元, rounded down;
//     absent when the export value is;
//   - exporting: stage FIRST_ORDER or later; absent when the stage is
//     UNSPECIFIED;
//   - hs_chapters: the first two digits of the HS codes, without duplicates,
//     in order;
//   - industry_belt_ids: beltIDs as given, the published belts whose district
//     and industry are the firm's (the caller finds them).
func Facts(firm *profilesv1.Firm, programmeAssociations map[string]bool, beltIDs []string) *catalogv1.FirmFacts {
	f := &catalogv1.FirmFacts{}
	seen := make(map[string]bool, len(firm.GetMemberships()))
	for _, m := range firm.GetMemberships() {
		id := m.GetAssociationId()
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		f.AssociationIds = append(f.AssociationIds, id)
		if programmeAssociations[id] {
			f.ProgrammeMember = true
		}
	}
	if hasExportValue(firm) {
		fen := firm.GetAnnualExportValueFen()
		wan := fen / 1_000_000
		if fen < 0 && fen%1_000_000 != 0 {
			wan-- // round towards minus infinity
		}
		f.AnnualExportValueWanYuan = proto.Int64(wan)
	}
	if st := firm.GetStage(); st != commonv1.CrossBorderStage_CROSS_BORDER_STAGE_UNSPECIFIED {
		f.Exporting = proto.Bool(st >= commonv1.CrossBorderStage_CROSS_BORDER_STAGE_FIRST_ORDER)
	}
	chapters := make(map[string]bool)
	for _, code := range firm.GetHsCodes() {
		if len(code) < 2 {
			continue
		}
		ch := code[:2]
		if !chapters[ch] {
			chapters[ch] = true
			f.HsChapters = append(f.HsChapters, ch)
		}
	}
	if len(beltIDs) > 0 {
		f.IndustryBeltIds = append([]string(nil), beltIDs...)
	}
	return f
}

// Subject is one firm prepared for evaluation: its CEL activation, which
// fields are unknown and its values rendered for firm_value. Prepare it once
// per firm and request; it is immutable and safe for concurrent use.
type Subject struct {
	firm  *profilesv1.Firm
	facts *catalogv1.FirmFacts
	vals  *fieldValues
	raw   *rawValues

	// single[i] is a one-element missing_fields naming field i, shared
	// by the results that miss only field i.
	single [numFields][]*catalogv1.FieldRef

	act        *activation
	partialAct cel.PartialActivation
}

// NewSubject prepares a firm for evaluation. A nil facts is derived with
// Facts(firm, nil, nil), which knows no programme association and no belt.
// The firm and facts must not change while the subject is in use.
func (e *Engine) NewSubject(firm *profilesv1.Firm, facts *catalogv1.FirmFacts) *Subject {
	return e.newSubject(firm, facts, false)
}

// NewSubjectUnknownMembership is NewSubject for a firm whose association
// memberships cannot be checked (an unsaved firm from an anonymous quick
// check): facts.programme_member and facts.association_ids are unknown, so
// criteria on them come out UNKNOWN rather than failing.
func (e *Engine) NewSubjectUnknownMembership(firm *profilesv1.Firm, facts *catalogv1.FirmFacts) *Subject {
	return e.newSubject(firm, facts, true)
}

func (e *Engine) newSubject(firm *profilesv1.Firm, facts *catalogv1.FirmFacts, membershipUnknown bool) *Subject {
	if firm == nil {
		firm = &profilesv1.Firm{}
	}
	if facts == nil {
		facts = Facts(firm, nil, nil)
	}
	s := &Subject{firm: firm, facts: facts, vals: renderValues(firm, facts, membershipUnknown), raw: rawOf(firm, facts)}
	for i := range numFields {
		if s.vals.unknown.has(i) {
			for _, j := range s.vals.missing[i] {
				if s.single[j] == nil {
					s.single[j] = []*catalogv1.FieldRef{fieldRef(j)}
				}
			}
		}
	}
	firmVal, factsVal := e.reg.prepare(firm, facts)
	s.act = &activation{firm: firmVal, facts: factsVal}
	var patterns []*cel.AttributePatternType
	for i := range numFields {
		if s.vals.unknown.has(i) {
			patterns = append(patterns, cel.AttributePattern(fields[i].owner).QualString(fields[i].name))
		}
	}
	pa, err := cel.PartialVars(s.act, patterns...)
	if err != nil { // only for inputs that are not activations; s.act is one
		panic("eligibility: partial activation: " + err.Error())
	}
	s.partialAct = pa
	return s
}

// Firm returns the subject's firm.
func (s *Subject) Firm() *profilesv1.Firm { return s.firm }

// Facts returns the facts the criteria see, e.g. for
// EvaluatePoliciesResponse.facts. Do not modify.
func (s *Subject) Facts() *catalogv1.FirmFacts { return s.facts }

// UnknownFields lists the fields of the environment that are unknown for
// this subject, in environment order.
func (s *Subject) UnknownFields() []*catalogv1.FieldRef {
	var out []*catalogv1.FieldRef
	for i := range numFields {
		if s.vals.unknown.has(i) {
			out = append(out, fieldRef(i))
		}
	}
	return out
}

// activation resolves the two variables to values adapted once per subject,
// so evaluation neither looks up a map nor wraps the messages again.
type activation struct {
	firm, facts ref.Val
}

var _ interpreter.Activation = (*activation)(nil)

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "firm":
		return a.firm, true
	case "facts":
		return a.facts, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// hasExportValue reports whether the firm's export value is given.
func hasExportValue(f *profilesv1.Firm) bool { return f != nil && f.AnnualExportValueFen != nil }
