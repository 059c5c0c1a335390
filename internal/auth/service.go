package auth

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
)

// ServiceTokens mints and renews the token a service presents to the others
// for internal RPCs. Safe for concurrent use.
type ServiceTokens struct {
	issuer *Issuer
	p      Principal
	now    func() time.Time

	mu     sync.Mutex
	token  string
	expiry time.Time
}

// NewServiceTokens returns a token source for the named service.
func NewServiceTokens(issuer *Issuer, name string) *ServiceTokens {
	return &ServiceTokens{issuer: issuer, p: Service(name), now: time.Now}
}

// Token returns a token valid for at least a fifth of the issuer's TTL.
func (s *ServiceTokens) Token() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Add(s.issuer.TTL()/5).Before(s.expiry) {
		return s.token, nil
	}
	tok, exp, err := s.issuer.Issue(s.p)
	if err != nil {
		return "", err
	}
	s.token, s.expiry = tok, exp
	return tok, nil
}

// Outgoing returns ctx carrying the service's token for an outgoing call.
func (s *ServiceTokens) Outgoing(ctx context.Context) (context.Context, error) {
	tok, err := s.Token()
	if err != nil {
		return nil, err
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok), nil
}
