// Package refdata holds the programme's code lists: the Chinese labels of the
// contract's enums (read from the `label` enum value option, so the contract
// stays the single source), ISO 3166-1 markets with Chinese names, and HS code
// rules.
package refdata

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// Label returns the Chinese label of an enum value, or its name when the value
// has no label (or is not defined).
func Label(e protoreflect.Enum) string {
	vd := e.Descriptor().Values().ByNumber(e.Number())
	if vd == nil {
		return fmt.Sprintf("%d", e.Number())
	}
	return valueLabel(vd)
}

func valueLabel(vd protoreflect.EnumValueDescriptor) string {
	if l, ok := proto.GetExtension(vd.Options(), commonv1.E_Label).(string); ok && l != "" {
		return l
	}
	return string(vd.Name())
}

// Defined reports whether e is a declared value other than the zero
// (UNSPECIFIED) value.
func Defined(e protoreflect.Enum) bool {
	return e.Number() != 0 && e.Descriptor().Values().ByNumber(e.Number()) != nil
}

// Code is one entry of a code list.
type Code struct {
	// Code is the enum value name or the ISO code.
	Code string
	// Label is the Chinese label.
	Label string
}

// EnumCodes lists the declared values of an enum except the zero value, in
// declaration order.
func EnumCodes(ed protoreflect.EnumDescriptor) []Code {
	vals := ed.Values()
	out := make([]Code, 0, vals.Len())
	for i := 0; i < vals.Len(); i++ {
		vd := vals.Get(i)
		if vd.Number() == 0 {
			continue
		}
		out = append(out, Code{Code: string(vd.Name()), Label: valueLabel(vd)})
	}
	return out
}

// ParseEnum finds the value of ed whose Chinese label, full name
// ("DISTRICT_XIAOSHAN") or name without the enum prefix ("XIAOSHAN",
// case-insensitive) equals s. The zero value is never returned as a match.
func ParseEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.EnumNumber, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	upper := strings.ToUpper(s)
	prefix := enumPrefix(ed)
	vals := ed.Values()
	for i := 0; i < vals.Len(); i++ {
		vd := vals.Get(i)
		if vd.Number() == 0 {
			continue
		}
		name := string(vd.Name())
		if valueLabel(vd) == s || name == upper || strings.TrimPrefix(name, prefix) == upper {
			return vd.Number(), true
		}
	}
	return 0, false
}

// enumPrefix returns "DISTRICT_" for District, taken from the zero value's
// name "DISTRICT_UNSPECIFIED".
func enumPrefix(ed protoreflect.EnumDescriptor) string {
	zero := ed.Values().ByNumber(0)
	if zero == nil {
		return ""
	}
	return strings.TrimSuffix(string(zero.Name()), "UNSPECIFIED")
}

// Labels joins the labels of the given values with "、", for messages such
// as "允许的值：上城区、拱墅区…".
func Labels(ed protoreflect.EnumDescriptor) string {
	codes := EnumCodes(ed)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = c.Label
	}
	return strings.Join(parts, "、")
}

// sortedCodes returns m's entries sorted by code.
func sortedCodes(m map[string]string) []Code {
	out := make([]Code, 0, len(m))
	for k, v := range m {
		out = append(out, Code{Code: k, Label: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
