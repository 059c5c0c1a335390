package eligibility

import (
	"fmt"
	"reflect"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/pb"
	"github.com/google/cel-go/common/types/ref"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/qihang-hz/qihang/gen/qihang/catalog/v1"
	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
)

var (
	firmTypeName  = string((&profilesv1.Firm{}).ProtoReflect().Descriptor().FullName())
	factsTypeName = string((&catalogv1.FirmFacts{}).ProtoReflect().Descriptor().FullName())
)

// provider is the proto type registry with one change: the offered fields
// of Firm and FirmFacts read from a prepared value when the variable is one.
// Reading a proto field through reflection wraps it anew on every access
// (a list adapter per repeated field, a boxed value per element); a
// prepared value holds CEL values built once per subject, so evaluating a
// criterion allocates next to nothing.
type provider struct {
	*types.Registry
	fieldTypes map[string]map[string]*types.FieldType
}

func newProvider() (*provider, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	// Register the files with their dependencies, as cel.Types does, so
	// the common enums resolve.
	for _, m := range []proto.Message{&profilesv1.Firm{}, &catalogv1.FirmFacts{}} {
		for _, fd := range pb.CollectFileDescriptorSet(m) {
			if err := reg.RegisterDescriptor(fd); err != nil {
				return nil, err
			}
		}
	}
	p := &provider{Registry: reg, fieldTypes: map[string]map[string]*types.FieldType{
		firmTypeName: {}, factsTypeName: {},
	}}
	for i := range fields {
		f := &fields[i]
		typeName := firmTypeName
		if f.owner == "facts" {
			typeName = factsTypeName
		}
		orig, ok := reg.FindStructFieldType(typeName, f.name)
		if !ok {
			return nil, fmt.Errorf("field %s not in %s", f.name, typeName)
		}
		idx := i
		p.fieldTypes[typeName][f.name] = &types.FieldType{
			Type: orig.Type,
			IsSet: func(obj any) bool {
				if pv, ok := obj.(*prepared); ok {
					return pv.set.has(idx)
				}
				return orig.IsSet(obj)
			},
			GetFrom: func(obj any) (any, error) {
				if pv, ok := obj.(*prepared); ok {
					return pv.vals[idx], nil
				}
				return orig.GetFrom(obj)
			},
			IsJSONField: orig.IsJSONField,
		}
	}
	return p, nil
}

// FindStructFieldType returns the prepared-aware accessor of offered fields.
func (p *provider) FindStructFieldType(structType, fieldName string) (*types.FieldType, bool) {
	if ft, ok := p.fieldTypes[structType][fieldName]; ok {
		return ft, true
	}
	return p.Registry.FindStructFieldType(structType, fieldName)
}

// prepared is the value of `firm` or `facts` for one subject: every offered
// field converted to a CEL value once. Field reads go through the provider;
// any other use falls back to the message.
type prepared struct {
	msg  proto.Message
	typ  ref.Type
	vals [numFields]ref.Val
	set  fieldSet
	reg  *provider
}

var _ ref.Val = (*prepared)(nil)

func (p *prepared) ConvertToNative(t reflect.Type) (any, error) {
	return p.reg.NativeToValue(p.msg).ConvertToNative(t)
}

func (p *prepared) ConvertToType(t ref.Type) ref.Val {
	return p.reg.NativeToValue(p.msg).ConvertToType(t)
}

func (p *prepared) Equal(other ref.Val) ref.Val {
	if o, ok := other.(*prepared); ok {
		return types.Bool(proto.Equal(p.msg, o.msg))
	}
	return p.reg.NativeToValue(p.msg).Equal(other)
}

func (p *prepared) Type() ref.Type { return p.typ }

// Value returns p itself, so field qualifiers hand it to the provider's
// accessors.
func (p *prepared) Value() any { return p }

// prepare builds the prepared values of a firm and its facts.
func (pr *provider) prepare(firm *profilesv1.Firm, facts *catalogv1.FirmFacts) (firmVal, factsVal *prepared) {
	firmVal = &prepared{msg: firm, typ: types.NewObjectType(firmTypeName), reg: pr}
	factsVal = &prepared{msg: facts, typ: types.NewObjectType(factsTypeName), reg: pr}
	str := func(p *prepared, i int, s string) {
		p.vals[i] = types.String(s)
		if s != "" {
			p.set |= 1 << uint(i)
		}
	}
	num := func(p *prepared, i int, n int64, set bool) {
		p.vals[i] = types.Int(n)
		if set {
			p.set |= 1 << uint(i)
		}
	}
	strs := func(p *prepared, i int, ss []string) {
		elems := make([]ref.Val, len(ss))
		for k, s := range ss {
			elems[k] = types.String(s)
		}
		p.vals[i] = types.NewRefValList(pr, elems)
		if len(ss) > 0 {
			p.set |= 1 << uint(i)
		}
	}
	ints := func(p *prepared, i int, ns []int64) {
		elems := make([]ref.Val, len(ns))
		for k, n := range ns {
			elems[k] = types.Int(n)
		}
		p.vals[i] = types.NewRefValList(pr, elems)
		if len(ns) > 0 {
			p.set |= 1 << uint(i)
		}
	}
	f := firmVal
	str(f, fUSCC, firm.GetUscc())
	str(f, fName, firm.GetName())
	str(f, fNameEN, firm.GetNameEn())
	num(f, fDistrict, int64(firm.GetDistrict()), firm.GetDistrict() != 0)
	num(f, fIndustry, int64(firm.GetIndustry()), firm.GetIndustry() != 0)
	str(f, fMainProducts, firm.GetMainProducts())
	strs(f, fHSCodes, firm.GetHsCodes())
	num(f, fRevenueBand, int64(firm.GetRevenueBand()), firm.GetRevenueBand() != 0)
	num(f, fExportValueFen, firm.GetAnnualExportValueFen(), hasExportValue(firm))
	num(f, fEmployeesBand, int64(firm.GetEmployeesBand()), firm.GetEmployeesBand() != 0)
	num(f, fStage, int64(firm.GetStage()), firm.GetStage() != 0)
	ints(f, fPlatforms, enumInts(firm.GetPlatforms()))
	strs(f, fTargetMarkets, firm.GetTargetMarkets())
	ints(f, fNeeds, enumInts(firm.GetNeeds()))
	str(f, fAddress, firm.GetAddress())
	str(f, fWebsite, firm.GetWebsite())

	x := factsVal
	x.vals[fProgrammeMember] = types.Bool(facts.GetProgrammeMember())
	if facts.GetProgrammeMember() {
		x.set |= 1 << fProgrammeMember
	}
	strs(x, fAssociationIDs, facts.GetAssociationIds())
	num(x, fExportValueWanYuan, facts.GetAnnualExportValueWanYuan(), facts.AnnualExportValueWanYuan != nil)
	x.vals[fExporting] = types.Bool(facts.GetExporting())
	if facts.Exporting != nil {
		x.set |= 1 << fExporting
	}
	strs(x, fHSChapters, facts.GetHsChapters())
	strs(x, fIndustryBeltIDs, facts.GetIndustryBeltIds())
	return firmVal, factsVal
}

func enumInts[E ~int32](vals []E) []int64 {
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = int64(v)
	}
	return out
}
