package auth

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// Authenticator resolves the caller of every gRPC call from its
// "authorization" metadata and rejects calls to non-public methods that carry
// no valid token.
type Authenticator struct {
	verifier *Verifier
	public   map[string]bool
}

// alwaysPublic are infrastructure services every server exposes.
var alwaysPublic = []string{"/grpc.health.v1.Health/", "/grpc.reflection."}

// NewAuthenticator returns an Authenticator. publicMethods are full method
// names ("/qihang.profiles.v1.IdentityService/Login") callable without a
// token; a token, when present, must still be valid.
func NewAuthenticator(v *Verifier, publicMethods ...string) *Authenticator {
	pub := make(map[string]bool, len(publicMethods))
	for _, m := range publicMethods {
		pub[m] = true
	}
	return &Authenticator{verifier: v, public: pub}
}

// IsPublic reports whether method may be called anonymously.
func (a *Authenticator) IsPublic(method string) bool {
	if a.public[method] {
		return true
	}
	for _, p := range alwaysPublic {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}

// Authenticate returns ctx carrying the caller's principal.
func (a *Authenticator) Authenticate(ctx context.Context, method string) (context.Context, error) {
	var header string
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("authorization"); len(v) > 0 {
			header = v[0]
		}
	}
	if header == "" {
		if a.IsPublic(method) {
			return WithPrincipal(ctx, Principal{}), nil
		}
		return nil, apperr.Unauthenticated("请先登录：缺少访问令牌（Authorization: Bearer …）")
	}
	tok, ok := BearerToken(header)
	if !ok {
		return nil, apperr.Unauthenticated("访问令牌格式不正确，应为 Authorization: Bearer <令牌>")
	}
	p, err := a.verifier.Verify(tok)
	switch {
	case errors.Is(err, ErrTokenExpired):
		return nil, apperr.Unauthenticated("访问令牌已过期，请重新登录")
	case err != nil:
		return nil, apperr.Unauthenticated("访问令牌无效，请重新登录")
	}
	return WithPrincipal(ctx, p), nil
}

// UnaryInterceptor authenticates unary calls.
func (a *Authenticator) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.Authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamInterceptor authenticates streaming calls.
func (a *Authenticator) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := a.Authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &wrappedStream{ServerStream: ss, ctx: ctx})
	}
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w *wrappedStream) Context() context.Context { return w.ctx }
