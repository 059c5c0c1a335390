package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/qihang-hz/qihang/internal/apperr"
	"github.com/qihang-hz/qihang/internal/auth"
)

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// accessLog gives every request an id (kept from X-Request-Id when sent)
// and logs it: client errors at INFO, server errors at WARN, the rest at
// DEBUG.
func accessLog(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = apperr.NewIncidentID()
			r.Header.Set("X-Request-Id", id)
		}
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		switch {
		case sw.code >= 500:
			level = slog.LevelWarn
		case sw.code >= 400:
			level = slog.LevelInfo
		}
		if logger.Enabled(r.Context(), level) {
			logger.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path,
				"status", sw.code, "duration", time.Since(start), "request_id", id)
		}
	})
}

// writeStatus writes a gRPC-style error body {"code","message","details"}
// with the given HTTP status.
func writeStatus(w http.ResponseWriter, httpCode int, st *status.Status) {
	body, err := jsonMarshaler().Marshal(st.Proto())
	if err != nil {
		body = []byte(`{"code":13,"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(httpCode)
	_, _ = w.Write(body)
}

func badRequest(field, msg string) *status.Status {
	st := status.New(codes.InvalidArgument, msg)
	if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: msg}}}); err == nil {
		return d
	}
	return st
}

// authenticate rejects a request whose bearer token is malformed, forged or
// expired with 401 before it reaches a service. Requests without a token
// pass: the services decide which methods are public.
func authenticate(next http.Handler, v *auth.Verifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			if isImport(r.URL.Path) {
				// Uploads are large: refuse them before reading the body
				// rather than after the service says who may call it.
				writeStatus(w, http.StatusUnauthorized, status.New(codes.Unauthenticated, "请先登录：缺少访问令牌（Authorization: Bearer …）"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := auth.BearerToken(h)
		msg := "访问令牌格式不正确，应为 Authorization: Bearer <令牌>"
		if ok {
			_, err := v.Verify(tok)
			switch {
			case err == nil:
				next.ServeHTTP(w, r)
				return
			case err == auth.ErrTokenExpired:
				msg = "访问令牌已过期，请重新登录"
			default:
				msg = "访问令牌无效，请重新登录"
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="qihang", error="invalid_token"`)
		writeStatus(w, http.StatusUnauthorized, status.New(codes.Unauthenticated, msg))
	})
}

// isLong reports whether a path is an import or export, which get the long
// deadline and (imports) the upload size limit.
func isImport(p string) bool { return strings.HasSuffix(p, ":import") }

func isDownload(p string) bool {
	return strings.HasSuffix(p, ":export") || strings.HasSuffix(p, ":importTemplate")
}

// deadlines gives every API request a deadline, which grpc-gateway passes to
// the service as grpc-timeout. A client may ask for less with the
// Grpc-Timeout header.
func deadlines(next http.Handler, normal, long time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := normal
		if isImport(r.URL.Path) || isDownload(r.URL.Path) {
			d = long
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// bodyLimit reads the request body up to the route's limit and answers 413
// beyond it, so no handler ever sees a partial body.
func bodyLimit(next http.Handler, normal, upload int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		limit := normal
		if isImport(r.URL.Path) {
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			switch {
			case rawUploadTypes[mt]:
				limit = upload
			case mt == "multipart/form-data":
				limit = upload + 64<<10 // the form's own headers
			default:
				limit = upload*4/3 + 64<<10 // base64 in JSON carries 4 bytes per 3
			}
		}
		tooBig := func() {
			writeStatusCode(w, http.StatusRequestEntityTooLarge, badRequest("body",
				fmt.Sprintf("请求体超过上限%s，请缩小后重试", humanBytes(limit))))
		}
		if r.ContentLength > limit {
			tooBig()
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			writeStatusCode(w, http.StatusBadRequest, badRequest("body", "读取请求体失败："+err.Error()))
			return
		}
		if int64(len(body)) > limit {
			tooBig()
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// uploadSlots bounds concurrent imports: each holds its file several times
// in memory (body, decoded bytes, the parsed rows).
func uploadSlots(next http.Handler, slots int) http.Handler {
	sem := make(chan struct{}, slots)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isImport(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
			next.ServeHTTP(w, r)
		default:
			writeStatus(w, http.StatusTooManyRequests, status.New(codes.ResourceExhausted, "同时进行的导入过多，请稍后重试"))
		}
	})
}

func writeStatusCode(w http.ResponseWriter, code int, st *status.Status) { writeStatus(w, code, st) }

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// headerWriter replaces the WWW-Authenticate value grpc-gateway copies from
// the status message (Chinese text is not a valid challenge) before the
// header is sent.
type headerWriter struct{ http.ResponseWriter }

func (w headerWriter) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="qihang"`)
	}
	w.ResponseWriter.WriteHeader(code)
}

// decodeField finds the field a protojson or query-parameter decoding error
// names.
var decodeField = []*regexp.Regexp{
	regexp.MustCompile(`unknown field "([^"]+)"`),
	regexp.MustCompile(`invalid value for [a-z0-9]+ field ([A-Za-z0-9_.]+)`),
	regexp.MustCompile(`parsing (?:field|list) "([^"]+)"`),
	regexp.MustCompile(`field "([^"]+)"`),
}

// errorHandler maps statuses to HTTP with grpc-gateway's standard table and
// turns the gateway's own decoding errors (a malformed body or query
// parameter) into field violations with a Chinese message, like the
// services' validation errors.
func errorHandler(logger *slog.Logger) runtime.ErrorHandlerFunc {
	return func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		st := status.Convert(err)
		if st.Code() == codes.InvalidArgument && len(st.Details()) == 0 {
			field := ""
			for _, re := range decodeField {
				if m := re.FindStringSubmatch(st.Message()); m != nil {
					field = m[1]
					break
				}
			}
			msg := "请求内容无法解析，请检查JSON格式与字段类型：" + st.Message()
			if field != "" {
				msg = fmt.Sprintf("字段“%s”的值无法解析：%s", field, st.Message())
			}
			err = badRequest(field, msg).Err()
		}
		if st.Code() == codes.Unimplemented {
			err = status.Error(codes.Unimplemented, "该功能尚未上线："+r.Method+" "+r.URL.Path)
		}
		if st.Code() == codes.Unavailable {
			logger.WarnContext(ctx, "service unavailable", "path", r.URL.Path, "error", st.Message())
			err = status.Error(codes.Unavailable, "服务暂时不可用，请稍后重试")
		}
		runtime.DefaultHTTPErrorHandler(ctx, mux, m, headerWriter{w}, r, err)
	}
}

// routingErrorHandler answers unknown paths and methods in the API's error
// shape.
func routingErrorHandler(_ context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, code int) {
	switch code {
	case http.StatusNotFound:
		writeStatus(w, code, status.New(codes.NotFound, "接口不存在："+r.URL.Path))
	case http.StatusMethodNotAllowed:
		writeStatus(w, code, status.New(codes.Unimplemented, "接口不支持"+r.Method+"方法："+r.URL.Path))
	default:
		writeStatus(w, code, status.New(codes.InvalidArgument, http.StatusText(code)))
	}
}
