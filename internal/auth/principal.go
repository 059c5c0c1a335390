// Package auth holds Qihang's identity primitives: the roles of DESIGN.md, the
// Principal a request acts for, short-lived signed access tokens, password
// hashing and the gRPC interceptor that authenticates every call.
//
// Object-level checks live in each service; this package only says who the
// caller is. A Principal's zero value is anonymous and may do nothing that
// needs a role, so a forgotten check fails closed.
package auth

import (
	"context"
	"fmt"

	"google.golang.org/grpc/metadata"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

// Role is what an account may do. The string values appear in tokens and in
// the audit log.
type Role string

// The roles.
const (
	RoleBureauAdmin      Role = "bureau_admin"
	RoleDistrictOfficer  Role = "district_officer"
	RoleAssociationAdmin Role = "association_admin"
	RoleFirmUser         Role = "firm_user"
	RoleExpert           Role = "expert"
	// RoleAnonymous is the role of a caller without a token.
	RoleAnonymous Role = ""
	// RoleSystem acts for the launcher itself (demo data); never in a token.
	RoleSystem Role = "system"
	// RoleService is another Qihang service calling internal RPCs (the match
	// service reading change feeds). Its tokens are minted by holders of the
	// signing key; every account-facing RPC refuses it.
	RoleService Role = "service"
)

const systemActorID = "system"

// Roles lists the roles an account can have.
var Roles = []Role{RoleBureauAdmin, RoleDistrictOfficer, RoleAssociationAdmin, RoleFirmUser, RoleExpert}

var roleProto = map[Role]commonv1.Role{
	RoleBureauAdmin:      commonv1.Role_ROLE_BUREAU_ADMIN,
	RoleDistrictOfficer:  commonv1.Role_ROLE_DISTRICT_OFFICER,
	RoleAssociationAdmin: commonv1.Role_ROLE_ASSOCIATION_ADMIN,
	RoleFirmUser:         commonv1.Role_ROLE_FIRM_USER,
	RoleExpert:           commonv1.Role_ROLE_EXPERT,
}

// Proto returns the contract's enum for r (UNSPECIFIED for anonymous/system).
func (r Role) Proto() commonv1.Role { return roleProto[r] }

// RoleFromProto converts the contract's enum; ok is false for UNSPECIFIED and
// unknown values.
func RoleFromProto(p commonv1.Role) (Role, bool) {
	for r, v := range roleProto {
		if v == p {
			return r, true
		}
	}
	return RoleAnonymous, false
}

// Valid reports whether r is one of the account roles.
func (r Role) Valid() bool {
	_, ok := roleProto[r]
	return ok
}

// inToken reports whether tokens may carry r: the account roles and the
// service role.
func (r Role) inToken() bool { return r.Valid() || r == RoleService }

// Principal is who a request acts for. Scope fields are set according to the
// role: District for district officers, AssociationID for association admins,
// FirmID for firm users, ExpertID for experts.
type Principal struct {
	AccountID     string
	Username      string
	Role          Role
	District      commonv1.District
	AssociationID string
	FirmID        string
	ExpertID      string
}

// Anonymous reports whether p carries no account.
func (p Principal) Anonymous() bool { return p.AccountID == "" || p.Role == RoleAnonymous }

// Is reports whether p has role r.
func (p Principal) Is(r Role) bool { return !p.Anonymous() && p.Role == r }

// String is for logs: "bureau_admin:admin".
func (p Principal) String() string {
	if p.Anonymous() {
		return "anonymous"
	}
	return fmt.Sprintf("%s:%s", p.Role, p.Username)
}

// System is the principal of the launcher's own writes (demo data, migrations).
func System() Principal {
	return Principal{AccountID: systemActorID, Username: systemActorID, Role: RoleSystem}
}

// Service is the principal of the named Qihang service, e.g. "match".
func Service(name string) Principal {
	return Principal{AccountID: "service:" + name, Username: name, Role: RoleService}
}

// CheckScope returns an error when p's role lacks the scope field it needs.
// Tokens are issued only for consistent accounts; this guards against a
// malformed token or account record.
func (p Principal) CheckScope() error {
	switch p.Role {
	case RoleDistrictOfficer:
		if p.District == commonv1.District_DISTRICT_UNSPECIFIED {
			return fmt.Errorf("district officer %q has no district", p.Username)
		}
	case RoleAssociationAdmin:
		if p.AssociationID == "" {
			return fmt.Errorf("association admin %q has no association", p.Username)
		}
	case RoleFirmUser:
		if p.FirmID == "" {
			return fmt.Errorf("firm user %q has no firm", p.Username)
		}
	case RoleExpert:
		if p.ExpertID == "" {
			return fmt.Errorf("expert %q has no expert profile", p.Username)
		}
	}
	return nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx; anonymous when none.
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// ForwardToken returns ctx with the caller's bearer token (from the incoming
// gRPC metadata) set on outgoing calls, so a service calling another acts
// with the caller's rights and the callee applies its own access rules.
func ForwardToken(ctx context.Context) context.Context {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok {
		return ctx
	}
	if v := md.Get("authorization"); len(v) > 0 {
		return metadata.AppendToOutgoingContext(ctx, "authorization", v[0])
	}
	return ctx
}
