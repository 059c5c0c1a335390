package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
	"github.com/qihang-hz/qihang/internal/apperr"
)

func newPair(t *testing.T, ttl time.Duration) (*Issuer, *Verifier) {
	t.Helper()
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return NewIssuer(priv, ttl), NewVerifier(pub)
}

func TestTokenRoundTrip(t *testing.T) {
	iss, ver := newPair(t, time.Hour)
	want := Principal{AccountID: "acc1", Username: "xs-officer", Role: RoleDistrictOfficer, District: commonv1.District_DISTRICT_XIAOSHAN}
	tok, exp, err := iss.Issue(want)
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(exp) < 59*time.Minute {
		t.Errorf("expiry %v too early", exp)
	}
	got, err := ver.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Verify = %+v, want %+v", got, want)
	}
}

// A verified token is remembered until it expires: verifying it again
// answers from memory, and once expired it is refused from memory too.
// Tampered bytes never hit the remembered token.
func TestVerifierRemembersUntilExpiry(t *testing.T) {
	iss, ver := newPair(t, time.Hour)
	now := time.Now()
	ver.now = func() time.Time { return now }
	tok, _, err := iss.Issue(Principal{AccountID: "a", Username: "admin", Role: RoleBureauAdmin})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if p, err := ver.Verify(tok); err != nil || p.Username != "admin" {
			t.Fatalf("verify %d: %+v %v", i, p, err)
		}
	}
	if n := len(ver.verified); n != 1 {
		t.Errorf("%d tokens remembered, want 1", n)
	}
	if _, err := ver.Verify(tok[:len(tok)-3] + "abc"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("tampered signature after a good verification: err = %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := ver.Verify(tok); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("remembered token past expiry: err = %v, want ErrTokenExpired", err)
	}
}

func TestTokenRejections(t *testing.T) {
	iss, ver := newPair(t, time.Hour)
	_, otherVer := newPair(t, time.Hour)
	tok, _, err := iss.Issue(Principal{AccountID: "a", Username: "admin", Role: RoleBureauAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := otherVer.Verify(tok); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("token from another key: err = %v, want ErrTokenInvalid", err)
	}
	if _, err := ver.Verify(tok[:len(tok)-3] + "abc"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("tampered signature: err = %v", err)
	}
	parts := strings.Split(tok, ".")
	if _, err := ver.Verify(parts[0] + "." + parts[1] + "."); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("unsigned token: err = %v", err)
	}

	expired := NewIssuer(iss.key, time.Hour)
	expired.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	old, _, err := expired.Issue(Principal{AccountID: "a", Username: "admin", Role: RoleBureauAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ver.Verify(old); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired token: err = %v, want ErrTokenExpired", err)
	}

	if _, _, err := iss.Issue(Principal{AccountID: "a", Username: "x", Role: RoleAssociationAdmin}); err == nil {
		t.Error("issued an association admin token without an association")
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("qihang-demo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Errorf("hash %q is not PHC argon2id", h)
	}
	h2, _ := HashPassword("qihang-demo")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for pw, want := range map[string]bool{"qihang-demo": true, "qihang-dem0": false, "": false} {
		ok, err := CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := CheckPassword("$bcrypt$xx", "x"); !errors.Is(err, ErrBadHash) {
		t.Errorf("foreign hash: err = %v", err)
	}
}

func TestAuthenticator(t *testing.T) {
	iss, ver := newPair(t, time.Hour)
	a := NewAuthenticator(ver, "/svc/Public")
	tok, _, _ := iss.Issue(Principal{AccountID: "f1", Username: "firm", Role: RoleFirmUser, FirmID: "firm-1"})
	withAuth := func(v string) context.Context {
		return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", v))
	}
	tests := []struct {
		name     string
		ctx      context.Context
		method   string
		wantErr  bool
		wantRole Role
	}{
		{"public without token", context.Background(), "/svc/Public", false, RoleAnonymous},
		{"private without token", context.Background(), "/svc/Private", true, ""},
		{"private with token", withAuth("Bearer " + tok), "/svc/Private", false, RoleFirmUser},
		{"lower-case scheme", withAuth("bearer " + tok), "/svc/Private", false, RoleFirmUser},
		{"public with bad token", withAuth("Bearer nope"), "/svc/Public", true, ""},
		{"basic scheme", withAuth("Basic YWRtaW46eA=="), "/svc/Private", true, ""},
		{"health is public", context.Background(), "/grpc.health.v1.Health/Check", false, RoleAnonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, err := a.Authenticate(tt.ctx, tt.method)
			if tt.wantErr {
				if !errors.Is(err, apperr.ErrUnauthenticated) {
					t.Fatalf("err = %v, want unauthenticated", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := FromContext(ctx).Role; got != tt.wantRole {
				t.Errorf("role = %q, want %q", got, tt.wantRole)
			}
		})
	}
}
