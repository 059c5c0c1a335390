// Package demo loads the local install's sample data — about forty
// associations across Hangzhou's 13 districts and counties, a few hundred
// member firms with plausible products, HS codes and markets, and the demo
// accounts — through the profiles use cases, so every record passes the
// real validation and is audited.
//
// The data set is generated from a fixed seed: every install gets the same
// associations, firms and demo accounts, and the README can name them. All
// of it is fictional and marked Sample: names are invented, phones are in
// the 1380000xxxx range, e-mails use example.com/example.org, and every USCC,
// though it passes the GB 32100 check, carries a deliberately wrong GB 11714
// organisation-code check digit so it cannot belong to a real organisation.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
	"github.com/qihang-hz/qihang/internal/refdata"
	"github.com/qihang-hz/qihang/services/profiles/app"
	"github.com/qihang-hz/qihang/services/profiles/domain"
)

// AccountInfo describes a demo account for the launcher's table and the
// README.
type AccountInfo struct {
	Username string
	Role     auth.Role
	// RoleLabel is the role's Chinese name ("协会管理员").
	RoleLabel   string
	DisplayName string
	// Scope says in Chinese what the account may see or manage.
	Scope string
}

// Summary reports what Load did.
type Summary struct {
	// AlreadyLoaded is true when the demo data was present and Load wrote
	// nothing.
	AlreadyLoaded bool
	// Created counts of this call (0 when AlreadyLoaded).
	Associations int
	Firms        int
	// Memberships counts second memberships added (firms that belong to
	// two associations).
	Memberships int
	NewAccounts int
	// Accounts are the demo accounts, present whether or not this call
	// created them.
	Accounts []AccountInfo
	Elapsed  time.Duration
}

// Accounts lists the demo accounts as Load creates them, the bureau admin
// first. It does not touch any store.
func Accounts() []AccountInfo { return newPlan().accountInfos() }

func (pl *plan) accountInfos() []AccountInfo {
	out := make([]AccountInfo, 0, len(pl.accounts))
	for _, a := range pl.accounts {
		info := AccountInfo{
			Username: a.username, Role: a.role, RoleLabel: refdata.Label(a.role.Proto()),
			DisplayName: a.displayName, Scope: a.scope,
		}
		if a.username == AdminUsername {
			out = slices.Insert(out, 0, info) // created last, listed first
		} else {
			out = append(out, info)
		}
	}
	return out
}

// systemAdmin is the principal the demo data is written as: a bureau admin,
// so every use case allows it, recorded in the audit log as "system".
var systemAdmin = auth.Principal{AccountID: "system", Username: "system", Role: auth.RoleBureauAdmin}

// Load writes the demo data set unless it is already there, and creates the
// demo accounts with password.
//
// It is idempotent: when the account "admin" exists it writes nothing and
// returns a Summary with AlreadyLoaded set. Admin is created last, so it
// marks a completed load; a load interrupted earlier resumes on the next
// call, reusing the records it finds (matched by USCC) instead of
// duplicating them.
//
// password must satisfy the account password rule (at least 10 characters);
// it is checked before anything is written.
func Load(ctx context.Context, svc *app.Service, password string, logger *slog.Logger) (*Summary, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	v := &apperr.ValidationError{}
	domain.ValidatePassword(v, "demo_password", password)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	ctx = auth.WithPrincipal(ctx, systemAdmin)
	pl := newPlan()

	done, err := adminExists(ctx, svc)
	if err != nil {
		return nil, fmt.Errorf("demo: look for the admin account: %w", err)
	}
	if done {
		sum := &Summary{AlreadyLoaded: true, Accounts: pl.accountInfos(), Elapsed: time.Since(start)}
		logger.DebugContext(ctx, "demo data already loaded; nothing written")
		return sum, nil
	}

	sum := &Summary{Accounts: pl.accountInfos()}
	assocIDs := make(map[string]string, len(pl.assocs))
	for _, pa := range pl.assocs {
		id, created, err := ensureAssociation(ctx, svc, pa.a)
		if err != nil {
			return nil, fmt.Errorf("demo: association %s: %w", pa.a.Name, err)
		}
		assocIDs[pa.key] = id
		if created {
			sum.Associations++
		}
	}

	// Firms with a second membership go first, and their memberships
	// right after them: adding a membership looks the firm up by USCC,
	// which scans the whole collection on the embedded store, so it is
	// cheap only while the collection is small.
	firmIDs := make([]string, len(pl.firms))
	ensureFirms := func(indexes []int) error {
		for _, i := range indexes {
			pf := pl.firms[i]
			id, created, err := ensureFirm(ctx, svc, assocIDs[pf.assocKey], pf.f)
			if err != nil {
				return fmt.Errorf("demo: firm %s: %w", pf.f.Name, err)
			}
			firmIDs[i] = id
			if created {
				sum.Firms++
			}
		}
		return nil
	}
	var joinsTwo, rest []int
	for i := range pl.firms {
		if slices.ContainsFunc(pl.extra, func(m plannedMembership) bool { return m.firm == i }) {
			joinsTwo = append(joinsTwo, i)
		} else {
			rest = append(rest, i)
		}
	}
	if err := ensureFirms(joinsTwo); err != nil {
		return nil, err
	}
	for _, m := range pl.extra {
		f := pl.firms[m.firm].f
		_, _, err := svc.CreateMembership(ctx, assocIDs[m.assocKey], f.USCC)
		switch {
		case apperr.IsKind(err, apperr.KindAlreadyExists):
		case err != nil:
			return nil, fmt.Errorf("demo: add %s to %s: %w", f.Name, assocName(m.assocKey), err)
		default:
			sum.Memberships++
		}
	}
	if err := ensureFirms(rest); err != nil {
		return nil, err
	}

	for _, pa := range pl.accounts {
		acc := &domain.Account{
			Username: pa.username, DisplayName: pa.displayName, Role: pa.role, District: pa.district,
			AssociationID: assocIDs[pa.assocKey], ExpertID: pa.expertID,
		}
		if pa.firm >= 0 {
			acc.FirmID = firmIDs[pa.firm]
		}
		created, err := svc.EnsureAccount(ctx, acc, password)
		if err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", pa.username, err)
		}
		if created {
			sum.NewAccounts++
		}
	}

	sum.Elapsed = time.Since(start)
	// The launcher reports the summary; this is for debugging the loader.
	logger.DebugContext(ctx, "demo data loaded",
		"associations", sum.Associations, "firms", sum.Firms, "second_memberships", sum.Memberships,
		"accounts", sum.NewAccounts, "elapsed", sum.Elapsed.Round(time.Millisecond))
	return sum, nil
}

// adminExists reports whether the bureau admin account "admin" exists.
func adminExists(ctx context.Context, svc *app.Service) (bool, error) {
	token := ""
	for {
		list, next, err := svc.ListAccounts(ctx, domain.AccountFilter{Role: auth.RoleBureauAdmin}, 100, token)
		if err != nil {
			return false, err
		}
		for _, a := range list {
			if a.Username == AdminUsername {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		token = next
	}
}

// ensureAssociation creates a, or finds it by name and USCC when an earlier,
// interrupted load created it.
func ensureAssociation(ctx context.Context, svc *app.Service, a *domain.Association) (string, bool, error) {
	code, name := a.USCC, a.Name
	view, err := svc.CreateAssociation(ctx, a)
	if err == nil {
		return view.ID, true, nil
	}
	if !apperr.IsKind(err, apperr.KindAlreadyExists) {
		return "", false, err
	}
	list, _, _, lerr := svc.ListAssociations(ctx, domain.AssociationFilter{NameContains: name}, 100, "")
	if lerr != nil {
		return "", false, lerr
	}
	for _, v := range list {
		if v.USCC == code {
			return v.ID, false, nil
		}
	}
	return "", false, fmt.Errorf("USCC %s is taken by an association that is not the demo's: %w", code, err)
}

// ensureFirm registers f with associationID, or finds it by USCC when an
// earlier, interrupted load registered it (and restores its membership).
func ensureFirm(ctx context.Context, svc *app.Service, associationID string, f *domain.Firm) (string, bool, error) {
	code := f.USCC
	view, err := svc.CreateFirm(ctx, associationID, f)
	if err == nil {
		return view.ID, true, nil
	}
	if !apperr.IsKind(err, apperr.KindAlreadyExists) {
		return "", false, err
	}
	list, _, _, lerr := svc.ListFirms(ctx, domain.FirmFilter{USCC: code}, 1, "")
	if lerr != nil {
		return "", false, lerr
	}
	if len(list) == 0 {
		return "", false, err
	}
	existing := list[0]
	if !existing.MemberOf(associationID) {
		if _, _, merr := svc.CreateMembership(ctx, associationID, code); merr != nil && !apperr.IsKind(merr, apperr.KindAlreadyExists) {
			return "", false, merr
		}
	}
	return existing.ID, false, nil
}
