package restjson_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/analyzercodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restjson"
)

// FuzzResolveDecode feeds hostile methods, paths, query strings and bodies
// to the REST-JSON router and the generated decoders: they must never
// panic, and every failure must be an *awserr.Error whose document renders.
func FuzzResolveDecode(f *testing.F) {
	for _, s := range [][2]string{
		{"POST /policy/validation?maxResults=10", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}`},
		{"GET /analyzer/a%2Fb?x=1&x=2", ``},
		{"PUT /analyzer/x/archive-rule/y", `{"filter":{"k":{"eq":["v"]}},"clientToken":"t"}`},
		{"POST /finding", `{"analyzerArn":1,"filter":null,"maxResults":"x"}`},
		{"GET /finding/%zz?analyzerArn=", ``},
		{"DELETE /analyzer/..", `[`},
	} {
		f.Add(s[0], s[1])
	}
	svc := analyzercodec.Service()
	f.Fuzz(func(t *testing.T, line, body string) {
		method, target, ok := strings.Cut(line, " ")
		if !ok || method == "" || !strings.HasPrefix(target, "/") || strings.ContainsAny(line, "\r\n\t") || strings.Count(line, " ") > 1 {
			return
		}
		r, err := newRequest(method, target, body)
		if err != nil {
			return
		}
		req, err := svc.Resolve(r, []byte(body))
		if err == nil {
			_, err = svc.Decode(req)
		}
		if err == nil {
			return
		}
		if _, ok := awserr.As(err); !ok {
			t.Fatalf("%s %s: error %v is not *awserr.Error", method, target, err)
		}
		if len(restjson.MarshalError(err)) == 0 {
			t.Fatal("empty error document")
		}
	})
}

var errBadTarget = errors.New("unparseable request target")

// newRequest builds a request, recovering from httptest's panic on a target
// it cannot parse (a server never sees such a request).
func newRequest(method, target, body string) (r *http.Request, err error) {
	defer func() {
		if recover() != nil {
			err = errBadTarget
		}
	}()
	r = httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r, nil
}
