package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Spreadsheet uploads. Besides the JSON body of the contract
// ({"content": "<base64>", "file_name": …}), an import accepts the file
// itself, which is what people do with curl or an HTML form:
//
//	curl -X POST --data-binary @会员企业.xlsx \
//	  -H 'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
//	  'http://127.0.0.1:8080/v1/associations/ID/firms:import?dry_run=true'
//
// or multipart/form-data with the file in field "file". The middleware
// rewrites such requests into the contract's JSON before grpc-gateway sees
// them; dry_run and include_all_rows come from the query string.

var rawUploadTypes = map[string]bool{
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"text/csv":                 true,
	"application/csv":          true,
	"application/octet-stream": true,
	"application/vnd.ms-excel": true,
}

func uploads(next http.Handler, maxFile int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !isImport(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var content []byte
		var name string
		switch {
		case rawUploadTypes[mt]:
			b, err := io.ReadAll(r.Body)
			if err != nil {
				writeStatus(w, http.StatusBadRequest, badRequest("content", "读取上传文件失败"))
				return
			}
			content, name = b, uploadName(r)
		case mt == "multipart/form-data":
			b, n, err := multipartFile(r, params["boundary"], maxFile)
			switch {
			case err == errFileTooLarge:
				writeStatus(w, http.StatusRequestEntityTooLarge, badRequest("file", fmt.Sprintf("上传文件超过上限%s", humanBytes(maxFile))))
				return
			case err != nil:
				writeStatus(w, http.StatusBadRequest, badRequest("file", "未找到上传文件：请在表单字段“file”中上传.xlsx或.csv文件"))
				return
			}
			content, name = b, n
		default:
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		body, _ := json.Marshal(map[string]any{
			"content":          base64.StdEncoding.EncodeToString(content),
			"file_name":        name,
			"dry_run":          truthy(q.Get("dry_run")),
			"include_all_rows": truthy(q.Get("include_all_rows")),
		})
		q.Del("dry_run")
		q.Del("include_all_rows")
		r.URL.RawQuery = q.Encode()
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
		next.ServeHTTP(w, r)
	})
}

func truthy(s string) bool {
	b, _ := strconv.ParseBool(s)
	return b
}

// uploadName reads the file name of a raw upload from Content-Disposition
// or the X-File-Name header (URL-encoded, for non-ASCII names).
func uploadName(r *http.Request) string {
	if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && p["filename"] != "" {
		return p["filename"]
	}
	if n := r.Header.Get("X-File-Name"); n != "" {
		if u, err := url.QueryUnescape(n); err == nil {
			return u
		}
		return n
	}
	return ""
}

var (
	errFileTooLarge = errors.New("file too large")
	errNoFile       = errors.New("no file part")
)

func multipartFile(r *http.Request, boundary string, maxFile int64) ([]byte, string, error) {
	if boundary == "" {
		return nil, "", errNoFile
	}
	mr := multipart.NewReader(r.Body, boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, "", errNoFile
		}
		if part.FormName() != "file" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFile+1))
		switch {
		case err != nil:
			return nil, "", errNoFile
		case int64(len(b)) > maxFile:
			return nil, "", errFileTooLarge
		}
		return b, part.FileName(), nil
	}
}

// bufferWriter holds a response so downloads can turn it into a file.
type bufferWriter struct {
	header http.Header
	code   int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *bufferWriter) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

// downloads serves export and template responses as the file itself (with
// Content-Type and Content-Disposition) unless the client asks for JSON with
// "Accept: application/json".
func downloads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !isDownload(r.URL.Path) || prefersJSON(r.Header.Get("Accept")) {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferWriter{header: http.Header{}}
		next.ServeHTTP(bw, r)
		if bw.code == 0 {
			bw.code = http.StatusOK
		}
		var resp struct {
			File *struct {
				Name        string `json:"name"`
				ContentType string `json:"content_type"`
				Content     []byte `json:"content"`
			} `json:"file"`
		}
		if bw.code == http.StatusOK && json.Unmarshal(bw.buf.Bytes(), &resp) == nil && resp.File != nil {
			h := w.Header()
			h.Set("Content-Type", resp.File.ContentType)
			h.Set("Content-Disposition", contentDisposition(resp.File.Name))
			h.Set("Content-Length", strconv.Itoa(len(resp.File.Content)))
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(resp.File.Content)
			return
		}
		for k, v := range bw.header {
			w.Header()[k] = v
		}
		w.WriteHeader(bw.code)
		_, _ = w.Write(bw.buf.Bytes())
	})
}

func prefersJSON(accept string) bool {
	return strings.Contains(accept, "application/json")
}

// contentDisposition names the file for saving, with an ASCII fallback and
// the UTF-8 name of RFC 6266/5987 for Chinese names.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, name)
	if ascii == "" || strings.HasPrefix(ascii, ".") {
		ascii = "qihang" + ascii
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}
