package domain

import (
	"regexp"
	"time"
	"unicode/utf8"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// Account is a person's sign-in. PasswordHash is an argon2id PHC string and
// never leaves the service.
type Account struct {
	ID            string
	Username      string
	DisplayName   string
	PasswordHash  string
	Role          auth.Role
	District      commonv1.District
	AssociationID string
	FirmID        string
	ExpertID      string
	Disabled      bool
	Version       int64
	CreateTime    time.Time
	LastLoginTime time.Time
}

// Principal returns who the account acts as.
func (a *Account) Principal() auth.Principal {
	return auth.Principal{
		AccountID: a.ID, Username: a.Username, Role: a.Role, District: a.District,
		AssociationID: a.AssociationID, FirmID: a.FirmID, ExpertID: a.ExpertID,
	}
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,32}$`)

// ValidateAccount checks an account about to be created (its scope fields
// against its role; the referenced objects are checked by the caller).
func ValidateAccount(a *Account, password string) *apperr.ValidationError {
	v := &apperr.ValidationError{}
	if !usernameRE.MatchString(a.Username) {
		v.Add("account.username", "用户名须为3至32位字母、数字或“_ - .”")
	}
	if n := utf8.RuneCountInString(a.DisplayName); n > 50 {
		v.Add("account.display_name", "姓名不能超过50个字")
	}
	ValidatePassword(v, "password", password)
	switch a.Role {
	case auth.RoleBureauAdmin:
	case auth.RoleDistrictOfficer:
		if a.District == 0 {
			v.Add("account.district", "区县专员须指定所属区县")
		} else if commonv1.District_name[int32(a.District)] == "" {
			v.Add("account.district", "区县代码%d无效", a.District)
		}
	case auth.RoleAssociationAdmin:
		if a.AssociationID == "" {
			v.Add("account.association_id", "协会管理员须指定所属协会")
		}
	case auth.RoleFirmUser:
		if a.FirmID == "" {
			v.Add("account.firm_id", "企业用户须指定所属企业")
		}
	case auth.RoleExpert:
		if a.ExpertID == "" {
			v.Add("account.expert_id", "专家账号须指定专家档案")
		}
	default:
		v.Add("account.role", "请选择角色：市局管理员、区县专员、协会管理员、企业用户或专家")
	}
	return v
}

// ValidatePassword checks the password rule.
func ValidatePassword(v *apperr.ValidationError, field, password string) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		v.Add(field, "密码至少%d位", MinPasswordLength)
	}
	if len(password) > 128 {
		v.Add(field, "密码不能超过128个字符")
	}
}

// AccountFilter selects accounts. FirmIDs, when non-nil, limits to firm
// users of those firms plus accounts of AssociationID (an association
// admin's view).
type AccountFilter struct {
	Role          auth.Role
	AssociationID string
	FirmIDs       []string
}
