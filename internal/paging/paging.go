// Package paging validates page sizes and encodes page tokens for List RPCs:
// page_size defaults to 20 and may not exceed 100; page_token is opaque to
// clients and bound to the filter it was issued for.
package paging

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"strconv"

	"github.com/qihang-hz/qihang/internal/apperr"
)

// Default and maximum page sizes.
const (
	DefaultSize = 20
	MaxSize     = 100
)

// Page is a validated page request.
type Page struct {
	Offset int
	Size   int
	filter string
}

type token struct {
	Offset int    `json:"o"`
	Filter string `json:"f"`
}

// Parse validates size and token. filterKey identifies the request's filters
// (any stable string); a token issued for other filters is rejected.
func Parse(size int32, tok, filterKey string) (Page, error) {
	v := &apperr.ValidationError{}
	p := Page{Size: int(size), filter: hashKey(filterKey)}
	switch {
	case size == 0:
		p.Size = DefaultSize
	case size < 0 || size > MaxSize:
		v.Add("page_size", "每页条数须在1至%d之间，当前为%d", MaxSize, size)
	}
	if tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		var t token
		if err == nil {
			err = json.Unmarshal(raw, &t)
		}
		switch {
		case err != nil || t.Offset < 0:
			v.Add("page_token", "分页令牌无效，请从第一页重新查询")
		case t.Filter != p.filter:
			v.Add("page_token", "分页令牌与当前筛选条件不符，请从第一页重新查询")
		default:
			p.Offset = t.Offset
		}
	}
	return p, v.Err()
}

// Next returns the token of the following page, or "" when the page that
// returned n items of total was the last.
func (p Page) Next(n, total int) string {
	next := p.Offset + n
	if n < p.Size || next >= total {
		return ""
	}
	raw, _ := json.Marshal(token{Offset: next, Filter: p.filter})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func hashKey(s string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 36)
}
