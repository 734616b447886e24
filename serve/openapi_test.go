package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/smartcheck-uk/smartcheck/catalog"
)

// TestOpenAPI validates the service's real responses against
// docs/openapi.yaml: the answer for every product of the demo catalog
// (every verdict, history, withdrawals, notices), codes that are not
// product codes, batches, and every error and health response. A response
// whose status the description does not list fails too.
func TestOpenAPI(t *testing.T) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("docs/openapi.yaml is not a valid OpenAPI 3 description: %v", err)
	}

	cat := demoCatalog(t)
	var gtins []string
	for r := range cat.Search("0", catalog.Query{Today: catalog.Today()}) {
		gtins = append(gtins, r.GTIN)
	}
	if len(gtins) < 50 {
		t.Fatalf("only %d demo GTINs found", len(gtins))
	}
	const token = "openapi-test-token-0123456789"
	on := start(t, Config{Token: token}, cat)
	off := start(t, Config{}, nil) // no catalog: 503s
	router := func(base string) *legacy.Router {
		d := *doc
		d.Servers = openapi3.Servers{{URL: base}}
		r, err := legacy.NewRouter(&d)
		if err != nil {
			t.Fatal(err)
		}
		return r.(*legacy.Router)
	}
	routers := map[string]*legacy.Router{on.base: router(on.base), off.base: router(off.base)}

	type call struct {
		base, method, path, body string
		noToken                  bool
		status                   int
	}
	var calls []call
	for _, g := range gtins {
		calls = append(calls, call{on.base, "GET", "/v1/lookup?code=" + g, "", false, 200})
	}
	all, _ := json.Marshal(gtins)
	calls = append(calls,
		call{on.base, "POST", "/v1/lookup", string(all), false, 200},
		call{on.base, "POST", "/v1/lookup?at=2040-01-01", `["hello","(01)09520000000011(10)B2402","https://id.gs1.org/01/09520000000011/10/B1","5012345678900"]`, false, 200},
		call{on.base, "GET", "/v1/lookup?code=" + url.QueryEscape("]C1010952000000001110B2402") + "&at=2031-09-01", "", false, 200},
		call{on.base, "GET", "/v1/lookup?code=not-a-code", "", false, 200},
		call{on.base, "GET", "/v1/lookup", "", false, 400},
		call{on.base, "GET", "/v1/lookup?code=1&at=tomorrow", "", false, 400},
		call{on.base, "POST", "/v1/lookup", `[]`, false, 400},
		call{on.base, "POST", "/v1/lookup", `["` + strings.Repeat("1", 3000) + `"]`, false, 400},
		call{on.base, "POST", "/v1/lookup", "[" + strings.Repeat(`"1",`, 1000) + `"1"]`, false, 413},
		call{on.base, "GET", "/v1/lookup?code=1", "", true, 401},
		call{on.base, "GET", "/healthz", "", false, 200},
		call{on.base, "GET", "/metrics", "", false, 200},
		call{off.base, "GET", "/healthz", "", true, 503},
		call{off.base, "GET", "/v1/lookup?code=1", "", true, 503},
		call{off.base, "POST", "/v1/lookup", `["1"]`, true, 503},
	)
	for _, c := range calls {
		req, err := http.NewRequest(c.method, c.base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if !c.noToken {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		name := c.method + " " + c.path[:min(len(c.path), 60)]
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %.200s", name, resp.StatusCode, c.status, body)
			continue
		}
		// Route a copy of the request (its body was sent).
		rreq, _ := http.NewRequest(c.method, c.base+c.path, bytes.NewReader([]byte(c.body)))
		route, params, err := routers[c.base].FindRoute(rreq)
		if err != nil {
			t.Errorf("%s: not in docs/openapi.yaml: %v", name, err)
			continue
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: rreq, PathParams: params, Route: route},
			Status:                 resp.StatusCode,
			Header:                 resp.Header,
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		in.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
			t.Errorf("%s: the response does not match docs/openapi.yaml: %v\n%.500s", name, err, body)
		}
	}
}
