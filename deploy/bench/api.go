package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/qihang-hz/qihang/services/profiles/sheets"
)

// api calls the gateway over HTTP/1.1 the way a client of the programme
// would: JSON bodies, a bearer token, keep-alive connections.
type api struct {
	base  string // "http://127.0.0.1:PORT"
	hc    *http.Client
	token string
}

func newAPI(httpAddr string, conns int) *api {
	return &api{
		base: "http://" + httpAddr,
		hc: &http.Client{
			Transport: &http.Transport{
				MaxIdleConns:        conns + 4,
				MaxIdleConnsPerHost: conns + 4,
				IdleConnTimeout:     time.Minute,
				DisableCompression:  true,
				ForceAttemptHTTP2:   false,
			},
		},
	}
}

func (a *api) close() { a.hc.CloseIdleConnections() }

// call sends one request and decodes a 2xx JSON response into out (unless
// out is nil). Other statuses are errors quoting the body.
func (a *api) call(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		if len(b) > 500 {
			b = append(b[:500], "…"...)
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

func (a *api) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return a.call(ctx, http.MethodPost, path, "application/json", b, out)
}

// login signs in and keeps the access token for later calls.
func (a *api) login(ctx context.Context, username, password string) error {
	var resp struct {
		AccessToken string `json:"access_token"`
	}
	if err := a.postJSON(ctx, "/v1/auth:login", map[string]string{"username": username, "password": password}, &resp); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if resp.AccessToken == "" {
		return fmt.Errorf("login: no access_token in the response")
	}
	a.token = resp.AccessToken
	return nil
}

// createAssociation registers the association the firms are imported into
// and returns its id.
func (a *api) createAssociation(ctx context.Context, usccCode string) (string, error) {
	in := map[string]any{
		"uscc":             usccCode,
		"name":             "杭州市跨境电子商务促进会（性能测试）",
		"short_name":       "杭跨促（测试）",
		"type":             "ASSOCIATION_TYPE_PROMOTION_ASSOCIATION",
		"district":         "DISTRICT_BINJIANG",
		"industries":       []string{"INDUSTRY_ECOMMERCE_SERVICES", "INDUSTRY_APPAREL", "INDUSTRY_DIGITAL_HARDWARE"},
		"member_count":     12000,
		"joined_programme": true,
		"description":      "deploy/bench 生成的测试协会，会员企业均为虚构数据。",
	}
	var resp struct {
		Association struct {
			ID string `json:"id"`
		} `json:"association"`
	}
	if err := a.postJSON(ctx, "/v1/associations", in, &resp); err != nil {
		return "", fmt.Errorf("create association: %w", err)
	}
	if resp.Association.ID == "" {
		return "", fmt.Errorf("create association: no id in the response")
	}
	return resp.Association.ID, nil
}

// importReport is ImportFirmsResponse as the gateway writes it.
type importReport struct {
	TotalRows int         `json:"total_rows"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Linked    int         `json:"linked"`
	Failed    int         `json:"failed"`
	Rows      []importRow `json:"rows"`

	responseBytes int
}

type importRow struct {
	Row     int    `json:"row"`
	USCC    string `json:"uscc"`
	Outcome string `json:"outcome"`
	FirmID  string `json:"firm_id"`
	Errors  []struct {
		Field       string `json:"field"`
		Description string `json:"description"`
	} `json:"errors"`
}

// importXLSX uploads the raw workbook, as curl --data-binary does, asking
// for every row's outcome (include_all_rows) so the firm ids and each row's
// fate can be checked. elapsed runs from sending the request to the last
// byte of the response; decoding the report afterwards is not counted.
func (a *api) importXLSX(ctx context.Context, associationID string, content []byte) (rep *importReport, elapsed time.Duration, err error) {
	path := "/v1/associations/" + url.PathEscape(associationID) + "/firms:import?include_all_rows=true"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(content))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", sheets.ContentTypeXLSX)
	req.Header.Set("X-File-Name", url.QueryEscape("会员企业-压测.xlsx"))
	req.Header.Set("Authorization", "Bearer "+a.token)
	start := time.Now()
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("import: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	elapsed = time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("import: read body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		if len(b) > 500 {
			b = append(b[:500], "…"...)
		}
		return nil, 0, fmt.Errorf("import: HTTP %d: %s", resp.StatusCode, b)
	}
	rep = &importReport{}
	if err := json.Unmarshal(b, rep); err != nil {
		return nil, 0, fmt.Errorf("import: decode report: %w", err)
	}
	rep.responseBytes = len(b)
	return rep, elapsed, nil
}
