// Package etag renders an aggregate's version as the API's etag and reads
// it back, the same way in every service.
package etag

import (
	"strconv"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// Format renders a version.
func Format(version int64) string { return strconv.FormatInt(version, 10) }

// Parse reads an etag a client sent back; field names the request field in
// errors. An empty etag is an error unless optional (then 0: no check).
func Parse(field, etag string, optional bool) (int64, error) {
	if etag == "" {
		if optional {
			return 0, nil
		}
		return 0, apperr.Invalid(field, "请提供读取时返回的etag，以免覆盖他人的修改")
	}
	v, err := strconv.ParseInt(etag, 10, 64)
	if err != nil || v <= 0 {
		return 0, apperr.Invalid(field, "etag“%s”无效，请使用读取时返回的值", etag)
	}
	return v, nil
}
