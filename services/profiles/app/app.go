// Package app holds the profiles service's use cases: registering and
// following associations and member firms, memberships, reveals, bulk import
// and export, statistics, accounts and the audit log. Every use case checks
// the caller's access with the domain's rules before it reads or writes, and
// records every mutation in the audit log.
package app

import (
	"context"
	"log/slog"
	"time"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/audit"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/etag"
	"github.com/qihang-hz/qihang/internal/fieldmask"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// AssociationStore is what the use cases need of association storage.
type AssociationStore interface {
	Create(ctx context.Context, a *domain.Association) error
	Get(ctx context.Context, id string) (*domain.Association, error)
	GetMany(ctx context.Context, ids []string) (map[string]*domain.Association, error)
	List(ctx context.Context, f domain.AssociationFilter, offset, limit int) ([]*domain.Association, int, error)
	Update(ctx context.Context, id string, expect int64, fn func(*domain.Association) error) (*domain.Association, error)
	FindByUSCC(ctx context.Context, code string) (*domain.Association, error)
	Revive(ctx context.Context, id string, fn func(*domain.Association) error) (*domain.Association, error)
	CountJoined(ctx context.Context, district commonv1.District) (map[commonv1.District]int, error)
}

// FirmStore is what the use cases need of firm storage.
type FirmStore interface {
	Create(ctx context.Context, f *domain.Firm) error
	InsertMany(ctx context.Context, firms []*domain.Firm) ([]error, error)
	Get(ctx context.Context, id string) (*domain.Firm, error)
	GetMany(ctx context.Context, ids []string) (map[string]*domain.Firm, error)
	FindByUSCC(ctx context.Context, code string) (*domain.Firm, error)
	FindByUSCCs(ctx context.Context, codes []string) (map[string]*domain.Firm, error)
	List(ctx context.Context, scope domain.FirmScope, f domain.FirmFilter, offset, limit int) ([]*domain.Firm, int, error)
	Update(ctx context.Context, id string, expect int64, fn func(*domain.Firm) error) (*domain.Firm, error)
	Revive(ctx context.Context, id string, fn func(*domain.Firm) error) (*domain.Firm, error)
	CountMembers(ctx context.Context, associationIDs []string) (map[string]int, error)
	CountByDistrictAndStage(ctx context.Context, district commonv1.District) ([]domain.StageCount, error)
}

// AccountStore is what the use cases need of account storage.
type AccountStore interface {
	Create(ctx context.Context, a *domain.Account) error
	Get(ctx context.Context, id string) (*domain.Account, error)
	GetByUsername(ctx context.Context, username string) (*domain.Account, error)
	List(ctx context.Context, f domain.AccountFilter, offset, limit int) ([]*domain.Account, int, error)
	Update(ctx context.Context, id string, fn func(*domain.Account) error) (*domain.Account, error)
}

// AuditLog is where mutations are recorded.
type AuditLog interface {
	Append(ctx context.Context, p auth.Principal, r audit.Record)
	AppendMany(ctx context.Context, p auth.Principal, rs []audit.Record)
	List(ctx context.Context, f audit.Filter, offset, limit int) ([]audit.Record, error)
}

// Service implements the profiles use cases.
type Service struct {
	associations AssociationStore
	firms        FirmStore
	accounts     AccountStore
	audit        AuditLog
	issuer       *auth.Issuer
	logger       *slog.Logger
	now          func() time.Time
	logins       *loginGuard
	names        associationNames
}

// Deps are the Service's collaborators; all are required.
type Deps struct {
	Associations AssociationStore
	Firms        FirmStore
	Accounts     AccountStore
	Audit        AuditLog
	Issuer       *auth.Issuer
	Logger       *slog.Logger
	// Now is the clock; times are truncated to milliseconds, as MongoDB
	// stores them.
	Now func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{
		associations: d.Associations, firms: d.Firms, accounts: d.Accounts, audit: d.Audit,
		issuer: d.Issuer, logger: d.Logger, now: d.Now, logins: newLoginGuard(d.Now),
	}
}

// Clock returns the current time in UTC, truncated to the millisecond.
func Clock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// updateRequest checks the parts every update shares — the object's id, its
// etag and the field mask — and returns the version to update at and the
// fields to change. resource names the request field ("firm").
func updateRequest(resource, id, etagText string, paths, writable []string) (int64, []string, error) {
	paths = fieldmask.TopLevel(paths)
	v := &apperr.ValidationError{}
	if id == "" {
		v.Add(resource+".id", "请提供要修改对象的id")
	}
	version, err := etag.Parse(resource+".etag", etagText, false)
	if err != nil {
		v.Merge("", mustValidation(err))
	}
	v.Merge("", domain.CheckMask("update_mask", paths, writable))
	return version, paths, v.Err()
}

func denied() error { return apperr.PermissionDenied("无权执行此操作") }

func requireSignedIn(p auth.Principal) error {
	if p.Anonymous() {
		return apperr.Unauthenticated("请先登录")
	}
	return nil
}

var zeroTime time.Time
