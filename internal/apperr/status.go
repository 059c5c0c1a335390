package apperr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var kindCodes = map[Kind]codes.Code{
	KindNotFound:           codes.NotFound,
	KindAlreadyExists:      codes.AlreadyExists,
	KindConflict:           codes.Aborted,
	KindPermissionDenied:   codes.PermissionDenied,
	KindUnauthenticated:    codes.Unauthenticated,
	KindFailedPrecondition: codes.FailedPrecondition,
	KindResourceExhausted:  codes.ResourceExhausted,
	KindUnavailable:        codes.Unavailable,
}

// Code returns the gRPC code of a kind.
func (k Kind) Code() codes.Code {
	if c, ok := kindCodes[k]; ok {
		return c
	}
	return codes.Internal
}

// ToStatus converts any error into a gRPC status. The second result is the
// incident id when the error was masked as INTERNAL (empty otherwise); the
// caller logs the original error with that id.
func ToStatus(err error) (*status.Status, string) {
	if err == nil {
		return status.New(codes.OK, ""), ""
	}
	if s, ok := status.FromError(err); ok {
		return s, ""
	}
	if v, ok := AsValidation(err); ok {
		return validationStatus(v), ""
	}
	var e *Error
	if errors.As(err, &e) && e.Msg != "" {
		return status.New(e.Kind.Code(), e.Msg), ""
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.New(codes.DeadlineExceeded, "请求超时，请稍后重试"), ""
	case errors.Is(err, context.Canceled):
		return status.New(codes.Canceled, "请求已取消"), ""
	}
	id := NewIncidentID()
	return status.New(codes.Internal, "服务内部错误，请联系管理员并提供编号 "+id), id
}

func validationStatus(v *ValidationError) *status.Status {
	st := status.New(codes.InvalidArgument, v.Error())
	br := &errdetails.BadRequest{}
	for _, fv := range v.Violations {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{
			Field:       fv.Field,
			Description: fv.Description,
		})
	}
	if withDetails, err := st.WithDetails(br); err == nil {
		return withDetails
	}
	return st
}

// NewIncidentID returns a short random id that ties a masked error to its log
// line.
func NewIncidentID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
