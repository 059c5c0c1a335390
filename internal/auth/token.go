package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	commonv1 "github.com/qihang-hz/qihang/gen/qihang/common/v1"
)

const issuer = "qihang"

// claims is the token payload. Short keys keep tokens small.
type claims struct {
	jwt.RegisteredClaims
	Username      string `json:"usr"`
	Role          Role   `json:"role"`
	District      int32  `json:"dst,omitempty"`
	AssociationID string `json:"aid,omitempty"`
	FirmID        string `json:"fid,omitempty"`
	ExpertID      string `json:"eid,omitempty"`
}

// Issuer signs access tokens with an Ed25519 private key. Only the identity
// service holds one; everything else verifies with the public key.
type Issuer struct {
	key ed25519.PrivateKey
	ttl time.Duration
	now func() time.Time
}

// NewIssuer returns an Issuer whose tokens live for ttl.
func NewIssuer(key ed25519.PrivateKey, ttl time.Duration) *Issuer {
	return &Issuer{key: key, ttl: ttl, now: time.Now}
}

// TTL returns the lifetime of issued tokens.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// Issue signs a token for p and returns it with its expiry.
func (i *Issuer) Issue(p Principal) (string, time.Time, error) {
	if p.Anonymous() || !p.Role.inToken() {
		return "", time.Time{}, errors.New("auth: cannot issue a token without an account and role")
	}
	if err := p.CheckScope(); err != nil {
		return "", time.Time{}, fmt.Errorf("auth: %w", err)
	}
	now := i.now()
	exp := now.Add(i.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   p.AccountID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-30 * time.Second)),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
		Username:      p.Username,
		Role:          p.Role,
		District:      int32(p.District),
		AssociationID: p.AssociationID,
		FirmID:        p.FirmID,
		ExpertID:      p.ExpertID,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(i.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return s, exp, nil
}

// Verifier checks access tokens with the issuer's public key.
//
// It remembers the tokens it verified until they expire: one request
// crosses the gateway and up to four services, each verifying the same
// token, and an Ed25519 verification costs about 50 µs. The cache is keyed
// by the whole token, so only the very bytes already verified hit it.
type Verifier struct {
	key    ed25519.PublicKey
	parser *jwt.Parser
	now    func() time.Time

	mu       sync.Mutex
	verified map[string]verifiedToken
}

type verifiedToken struct {
	p   Principal
	exp time.Time
}

// verifiedTokens bounds the cache; when full it starts over.
const verifiedTokens = 4096

// tokenLeeway is the clock skew tolerated on expiry.
const tokenLeeway = 5 * time.Second

// NewVerifier returns a Verifier for tokens signed by key's private half.
func NewVerifier(key ed25519.PublicKey) *Verifier {
	return &Verifier{
		key: key,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(tokenLeeway),
		),
		now:      time.Now,
		verified: map[string]verifiedToken{},
	}
}

// ErrTokenExpired is returned for a well-signed token past its expiry.
var ErrTokenExpired = errors.New("auth: token expired")

// ErrTokenInvalid is returned for a token that is malformed or not ours.
var ErrTokenInvalid = errors.New("auth: token invalid")

// Verify returns the principal of a valid token.
func (v *Verifier) Verify(token string) (Principal, error) {
	v.mu.Lock()
	hit, ok := v.verified[token]
	v.mu.Unlock()
	if ok {
		if v.now().After(hit.exp.Add(tokenLeeway)) {
			return Principal{}, ErrTokenExpired
		}
		return hit.p, nil
	}
	p, exp, err := v.verify(token)
	if err != nil {
		return Principal{}, err
	}
	v.mu.Lock()
	if len(v.verified) >= verifiedTokens {
		clear(v.verified)
	}
	v.verified[token] = verifiedToken{p: p, exp: exp}
	v.mu.Unlock()
	return p, nil
}

// verify checks the token's signature and claims.
func (v *Verifier) verify(token string) (Principal, time.Time, error) {
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.key, nil })
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return Principal{}, time.Time{}, ErrTokenExpired
		}
		return Principal{}, time.Time{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	p := Principal{
		AccountID:     c.Subject,
		Username:      c.Username,
		Role:          c.Role,
		District:      commonv1.District(c.District),
		AssociationID: c.AssociationID,
		FirmID:        c.FirmID,
		ExpertID:      c.ExpertID,
	}
	if p.AccountID == "" || !p.Role.inToken() {
		return Principal{}, time.Time{}, fmt.Errorf("%w: no subject or role", ErrTokenInvalid)
	}
	if err := p.CheckScope(); err != nil {
		return Principal{}, time.Time{}, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	return p, c.ExpiresAt.Time, nil
}

// BearerToken extracts the token from an "Authorization: Bearer x" value;
// ok is false when the header is absent or another scheme.
func BearerToken(header string) (string, bool) {
	scheme, tok, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// GenerateKey returns a new Ed25519 key pair.
func GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

// EncodePrivateKey encodes a private key's seed as base64 (the form used in
// configuration).
func EncodePrivateKey(k ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(k.Seed())
}

// EncodePublicKey encodes a public key as base64.
func EncodePublicKey(k ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(k)
}

// DecodePrivateKey decodes a base64 seed.
func DecodePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, errors.New("auth: signing key must be a base64 Ed25519 seed of 32 bytes")
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// DecodePublicKey decodes a base64 public key.
func DecodePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("auth: public key must be a base64 Ed25519 key of 32 bytes")
	}
	return ed25519.PublicKey(b), nil
}
