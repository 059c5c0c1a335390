package app

import (
	"context"
	"strings"
	"time"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/ids"
	"github.com/qihang-hz/qihang/internal/paging"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// LoginResult is a signed-in session.
type LoginResult struct {
	Token   string
	Expires time.Time
	Account *domain.Account
}

var errBadLogin = apperr.Unauthenticated("用户名或密码错误")

// Login checks credentials and issues a token. Unknown users, wrong
// passwords and disabled accounts all fail the same way and take the same
// time.
func (s *Service) Login(ctx context.Context, username, password string) (*LoginResult, error) {
	username = strings.TrimSpace(username)
	v := &apperr.ValidationError{}
	if username == "" {
		v.Add("username", "请输入用户名")
	}
	if password == "" {
		v.Add("password", "请输入密码")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.logins.admit(username); err != nil {
		return nil, err
	}
	a, err := s.accounts.GetByUsername(ctx, username)
	if apperr.IsKind(err, apperr.KindNotFound) {
		if err := s.logins.hash(ctx, func() { auth.CheckDummy(password) }); err != nil {
			return nil, err
		}
		s.logins.failed(username)
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	var ok bool
	var hashErr error
	if err := s.logins.hash(ctx, func() { ok, hashErr = auth.CheckPassword(a.PasswordHash, password) }); err != nil {
		return nil, err
	}
	if hashErr != nil {
		return nil, hashErr
	}
	if !ok || a.Disabled {
		s.logins.failed(username)
		// Recorded in the background so a wrong password for a real
		// account answers as fast as an unknown username.
		go s.audit.Append(context.WithoutCancel(ctx), auth.Principal{AccountID: a.ID, Username: a.Username, Role: a.Role}, audit.Record{
			Action: "account.login_failed", ObjectType: "account", ObjectID: a.ID,
			AssociationIDs: nonEmpty(a.AssociationID),
		})
		return nil, errBadLogin
	}
	s.logins.succeeded(username)
	tok, exp, err := s.issuer.Issue(a.Principal())
	if err != nil {
		return nil, err
	}
	now := s.now()
	if updated, err := s.accounts.Update(ctx, a.ID, func(acc *domain.Account) error {
		acc.LastLoginTime = now
		return nil
	}); err == nil {
		a = updated
	} else {
		s.logger.WarnContext(ctx, "last login time not stored", "account", a.ID, "error", err)
	}
	return &LoginResult{Token: tok, Expires: exp, Account: a}, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CurrentAccount returns the caller's account.
func (s *Service) CurrentAccount(ctx context.Context) (*domain.Account, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	return s.accounts.Get(ctx, p.AccountID)
}

// ChangePassword changes the caller's own password.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return err
	}
	v := &apperr.ValidationError{}
	if current == "" {
		v.Add("current_password", "请输入当前密码")
	}
	domain.ValidatePassword(v, "new_password", next)
	if next != "" && next == current {
		v.Add("new_password", "新密码不能与当前密码相同")
	}
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	a, err := s.accounts.Update(ctx, p.AccountID, func(a *domain.Account) error {
		ok, err := auth.CheckPassword(a.PasswordHash, current)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid("current_password", "当前密码不正确")
		}
		a.PasswordHash = hash
		return nil
	})
	if err != nil {
		return err
	}
	s.audit.Append(ctx, p, audit.Record{Action: "account.change_password", ObjectType: "account", ObjectID: a.ID,
		ObjectVersion: a.Version, AssociationIDs: nonEmpty(a.AssociationID)})
	return nil
}

// CreateAccount creates an account. A bureau admin creates any account; an
// association admin creates firm users for its own member firms.
func (s *Service) CreateAccount(ctx context.Context, a *domain.Account, password string) (*domain.Account, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleBureauAdmin) && !p.Is(auth.RoleAssociationAdmin) {
		return nil, denied()
	}
	a.Username = strings.TrimSpace(a.Username)
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if err := domain.ValidateAccount(a, password).Err(); err != nil {
		return nil, err
	}
	if p.Is(auth.RoleAssociationAdmin) && a.Role != auth.RoleFirmUser {
		return nil, apperr.PermissionDenied("协会管理员只能为本协会会员企业创建企业用户账号")
	}
	if err := s.checkAccountScope(ctx, p, a); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	a.ID, a.PasswordHash, a.Version, a.CreateTime, a.Disabled = ids.New(), hash, 1, s.now(), false
	if err := s.accounts.Create(ctx, a); err != nil {
		return nil, err
	}
	scope := nonEmpty(a.AssociationID)
	if p.Is(auth.RoleAssociationAdmin) {
		scope = append(scope, p.AssociationID)
	}
	s.audit.Append(ctx, p, audit.Record{Action: "account.create", ObjectType: "account", ObjectID: a.ID,
		ObjectVersion: a.Version, Detail: a.Username + " " + string(a.Role), AssociationIDs: scope})
	return a, nil
}

// checkAccountScope verifies the objects an account is scoped to exist and
// that the caller may hand them out, and clears scope fields the role does
// not use.
func (s *Service) checkAccountScope(ctx context.Context, p auth.Principal, a *domain.Account) error {
	switch a.Role {
	case auth.RoleBureauAdmin:
		a.District, a.AssociationID, a.FirmID, a.ExpertID = 0, "", "", ""
	case auth.RoleDistrictOfficer:
		a.AssociationID, a.FirmID, a.ExpertID = "", "", ""
	case auth.RoleAssociationAdmin:
		a.District, a.FirmID, a.ExpertID = 0, "", ""
		if _, err := s.associations.Get(ctx, a.AssociationID); err != nil {
			return apperr.Invalid("account.association_id", "协会%s不存在", a.AssociationID)
		}
	case auth.RoleFirmUser:
		a.District, a.AssociationID, a.ExpertID = 0, "", ""
		f, err := s.firms.Get(ctx, a.FirmID)
		if err != nil {
			return apperr.Invalid("account.firm_id", "企业%s不存在", a.FirmID)
		}
		if p.Is(auth.RoleAssociationAdmin) && !domain.CanEditFirm(p, f) {
			return apperr.PermissionDenied("只能为本协会登记的会员企业创建账号")
		}
	case auth.RoleExpert:
		// Expert profiles live in the consult service, which checks the id
		// when the expert first acts.
		a.District, a.AssociationID, a.FirmID = 0, "", ""
	}
	return nil
}

// ListAccounts lists accounts: all for a bureau admin; for an association
// admin, its association's admins and its member firms' users.
func (s *Service) ListAccounts(ctx context.Context, f domain.AccountFilter, size int32, token string) ([]*domain.Account, string, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	switch {
	case p.Is(auth.RoleBureauAdmin):
	case p.Is(auth.RoleAssociationAdmin):
		if f.AssociationID != "" && f.AssociationID != p.AssociationID {
			return nil, "", apperr.PermissionDenied("只能查看本协会相关账号")
		}
		memberIDs, err := s.memberFirmIDs(ctx, p.AssociationID)
		if err != nil {
			return nil, "", err
		}
		f.AssociationID, f.FirmIDs = p.AssociationID, memberIDs
	default:
		return nil, "", denied()
	}
	page, err := paging.Parse(size, token, string(f.Role)+"|"+f.AssociationID)
	if err != nil {
		return nil, "", err
	}
	list, total, err := s.accounts.List(ctx, f, page.Offset, page.Size)
	if err != nil {
		return nil, "", err
	}
	return list, page.Next(len(list), total), nil
}

// memberFirmIDs lists the ids of an association's live member firms.
func (s *Service) memberFirmIDs(ctx context.Context, associationID string) ([]string, error) {
	firms, _, err := s.firms.List(ctx, domain.FirmScope{AssociationID: associationID}, domain.FirmFilter{}, 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(firms))
	for i, f := range firms {
		out[i] = f.ID
	}
	return out, nil
}

// DisableAccount stops an account from signing in.
func (s *Service) DisableAccount(ctx context.Context, id string) (*domain.Account, error) {
	p := auth.FromContext(ctx)
	if err := requireSignedIn(p); err != nil {
		return nil, err
	}
	if !p.Is(auth.RoleBureauAdmin) && !p.Is(auth.RoleAssociationAdmin) {
		return nil, denied()
	}
	if id == p.AccountID {
		return nil, apperr.FailedPrecondition("不能停用自己的账号")
	}
	target, err := s.accounts.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Is(auth.RoleAssociationAdmin) {
		ok := false
		if target.Role == auth.RoleFirmUser {
			if f, err := s.firms.Get(ctx, target.FirmID); err == nil && domain.CanEditFirm(p, f) {
				ok = true
			}
		}
		if !ok {
			return nil, apperr.NotFound("账号%s不存在或无权管理", id)
		}
	}
	a, err := s.accounts.Update(ctx, id, func(a *domain.Account) error {
		a.Disabled = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.audit.Append(ctx, p, audit.Record{Action: "account.disable", ObjectType: "account", ObjectID: a.ID,
		ObjectVersion: a.Version, Detail: a.Username, AssociationIDs: nonEmpty(a.AssociationID, p.AssociationID)})
	return a, nil
}

// EnsureAccount creates an account as the system unless its username exists;
// the launcher uses it for the demo accounts. It reports whether it created
// one.
func (s *Service) EnsureAccount(ctx context.Context, a *domain.Account, password string) (bool, error) {
	a.Username = strings.TrimSpace(a.Username)
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if _, err := s.accounts.GetByUsername(ctx, a.Username); err == nil {
		return false, nil
	} else if !apperr.IsKind(err, apperr.KindNotFound) {
		return false, err
	}
	if err := domain.ValidateAccount(a, password).Err(); err != nil {
		return false, err
	}
	if err := s.checkAccountScope(ctx, auth.System(), a); err != nil {
		return false, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return false, err
	}
	a.ID, a.PasswordHash, a.Version, a.CreateTime = ids.New(), hash, 1, s.now()
	if err := s.accounts.Create(ctx, a); err != nil {
		return false, err
	}
	s.audit.Append(ctx, auth.System(), audit.Record{Action: "account.create", ObjectType: "account",
		ObjectID: a.ID, ObjectVersion: 1, Detail: a.Username + " " + string(a.Role), AssociationIDs: nonEmpty(a.AssociationID)})
	return true, nil
}
