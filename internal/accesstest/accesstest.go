// Package accesstest is the shared vocabulary of the services' access-matrix
// tests (DESIGN.md: a test walks every RPC × role × own/other object and
// fails when a new RPC has no entry): the roles in matrix column order, the
// own/other target, the row notation of expected codes, and the list of a
// contract's methods that every matrix must cover.
package accesstest

import (
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The roles of a matrix, in the column order of its rows.
const (
	RoleAnonymous = "anonymous"
	RoleBureau    = "bureau_admin"
	RoleOfficer   = "district_officer"
	RoleAssoc     = "association_admin"
	RoleFirm      = "firm_user"
	RoleExpert    = "expert"
)

// Roles lists the roles in column order.
var Roles = []string{RoleAnonymous, RoleBureau, RoleOfficer, RoleAssoc, RoleFirm, RoleExpert}

// Target says which object a cell acts on: the one in the caller's scope or
// another tenant's.
type Target int

// The targets.
const (
	Own Target = iota
	Other
)

// Targets lists both targets.
var Targets = []Target{Own, Other}

func (t Target) String() string {
	if t == Own {
		return "own"
	}
	return "other"
}

// Pick returns ifOwn or ifOther.
func Pick[T any](t Target, ifOwn, ifOther T) T {
	if t == Own {
		return ifOwn
	}
	return ifOther
}

// codeNames are the short names rows use.
var codeNames = map[string]codes.Code{
	"OK": codes.OK,
	"U":  codes.Unauthenticated,
	"PD": codes.PermissionDenied,
	"NF": codes.NotFound,
	"IA": codes.InvalidArgument,
	"FP": codes.FailedPrecondition,
	"AB": codes.Aborted,
	"AE": codes.AlreadyExists,
	"RE": codes.ResourceExhausted,
}

// ParseWant reads a row of expected codes written as in the access specs:
// "anon | bureau | officer | assoc | firm | expert", each column "OWN/OTHER"
// or a single code for both targets, codes as OK, U, PD, NF, IA, FP, AB, AE
// or RE.
func ParseWant(row string) (map[string][2]codes.Code, error) {
	cols := strings.Split(row, "|")
	if len(cols) != len(Roles) {
		return nil, fmt.Errorf("%d columns, want %d (%s)", len(cols), len(Roles), strings.Join(Roles, " | "))
	}
	out := make(map[string][2]codes.Code, len(cols))
	for i, col := range cols {
		parts := strings.Split(strings.TrimSpace(col), "/")
		if len(parts) == 1 {
			parts = append(parts, parts[0])
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("column %q: want CODE or OWN/OTHER", col)
		}
		var pair [2]codes.Code
		for j, p := range parts {
			c, ok := codeNames[strings.TrimSpace(p)]
			if !ok {
				return nil, fmt.Errorf("column %q: unknown code %q", col, p)
			}
			pair[j] = c
		}
		out[Roles[i]] = pair
	}
	return out, nil
}

// ContractMethods lists every RPC of the given proto files as full method
// names ("/qihang.catalog.v1.CatalogService/GetPolicy"), in declaration
// order.
func ContractMethods(files ...protoreflect.FileDescriptor) []string {
	var out []string
	for _, fd := range files {
		svcs := fd.Services()
		for i := range svcs.Len() {
			s := svcs.Get(i)
			ms := s.Methods()
			for j := range ms.Len() {
				out = append(out, fmt.Sprintf("/%s/%s", s.FullName(), ms.Get(j).Name()))
			}
		}
	}
	return out
}

// ShortName turns "/qihang.catalog.v1.CatalogService/GetPolicy" into
// "CatalogService.GetPolicy" for subtest names.
func ShortName(full string) string {
	svc, method, _ := strings.Cut(strings.TrimPrefix(full, "/"), "/")
	return svc[strings.LastIndex(svc, ".")+1:] + "." + method
}
