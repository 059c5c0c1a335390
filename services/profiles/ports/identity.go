package ports

import (
	"context"
	"time"

	profilesv1 "github.com/qihang-hz/qihang/gen/qihang/profiles/v1"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// IdentityServer implements qihang.profiles.v1.IdentityService.
type IdentityServer struct {
	profilesv1.UnimplementedIdentityServiceServer
	app *app.Service
}

var _ profilesv1.IdentityServiceServer = (*IdentityServer)(nil)

// NewIdentityServer returns the gRPC server of sign-in and accounts.
func NewIdentityServer(a *app.Service) *IdentityServer { return &IdentityServer{app: a} }

// Login exchanges credentials for a token.
func (s *IdentityServer) Login(ctx context.Context, req *profilesv1.LoginRequest) (*profilesv1.LoginResponse, error) {
	res, err := s.app.Login(ctx, req.GetUsername(), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &profilesv1.LoginResponse{
		AccessToken: res.Token,
		TokenType:   "Bearer",
		ExpiresIn:   int32(time.Until(res.Expires).Seconds()),
		ExpireTime:  ts(res.Expires),
		Account:     accountToProto(res.Account),
	}, nil
}

// GetCurrentAccount returns the caller's account.
func (s *IdentityServer) GetCurrentAccount(ctx context.Context, _ *profilesv1.GetCurrentAccountRequest) (*profilesv1.GetCurrentAccountResponse, error) {
	a, err := s.app.CurrentAccount(ctx)
	if err != nil {
		return nil, err
	}
	return &profilesv1.GetCurrentAccountResponse{Account: accountToProto(a)}, nil
}

// ChangePassword changes the caller's password.
func (s *IdentityServer) ChangePassword(ctx context.Context, req *profilesv1.ChangePasswordRequest) (*profilesv1.ChangePasswordResponse, error) {
	if err := s.app.ChangePassword(ctx, req.GetCurrentPassword(), req.GetNewPassword()); err != nil {
		return nil, err
	}
	return &profilesv1.ChangePasswordResponse{}, nil
}

// CreateAccount creates an account.
func (s *IdentityServer) CreateAccount(ctx context.Context, req *profilesv1.CreateAccountRequest) (*profilesv1.CreateAccountResponse, error) {
	a, err := s.app.CreateAccount(ctx, accountFromProto(req.GetAccount()), req.GetPassword())
	if err != nil {
		return nil, err
	}
	return &profilesv1.CreateAccountResponse{Account: accountToProto(a)}, nil
}

// ListAccounts lists accounts.
func (s *IdentityServer) ListAccounts(ctx context.Context, req *profilesv1.ListAccountsRequest) (*profilesv1.ListAccountsResponse, error) {
	f := domain.AccountFilter{AssociationID: req.GetAssociationId()}
	if r := accountFromProto(&profilesv1.Account{Role: req.GetRole()}).Role; r != "" {
		f.Role = r
	}
	list, next, err := s.app.ListAccounts(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &profilesv1.ListAccountsResponse{NextPageToken: next}
	for _, a := range list {
		resp.Accounts = append(resp.Accounts, accountToProto(a))
	}
	return resp, nil
}

// DisableAccount disables an account.
func (s *IdentityServer) DisableAccount(ctx context.Context, req *profilesv1.DisableAccountRequest) (*profilesv1.DisableAccountResponse, error) {
	a, err := s.app.DisableAccount(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &profilesv1.DisableAccountResponse{Account: accountToProto(a)}, nil
}

// PublicMethods are the profiles RPCs callable without a token.
var PublicMethods = []string{
	profilesv1.IdentityService_Login_FullMethodName,
	profilesv1.ProfilesService_GetReferenceData_FullMethodName,
	profilesv1.ProfilesService_GetFirmImportTemplate_FullMethodName,
}
