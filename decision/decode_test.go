package decision

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const fwdJSON = `"request":{"method":"GET","path":"/x","headers":{"Host":"svc.example.com","Authorization":["AWS4-HMAC-SHA256 ..."]},
 "payloadSha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}`

func TestDecode(t *testing.T) {
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Sid":"` + strings.Repeat("a", MaxResourcePolicy) + `"}]}`
	manyKeys := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"svc:k` + strings.Repeat("x", i) + `":"v"`)
		}
		return b.String()
	}
	tests := []struct {
		name string
		body string
		code string // "" for success
		want *Request
	}{
		{name: "principal", body: `{"principal":"arn:aws:iam::123456789012:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}`,
			want: &Request{Principal: "arn:aws:iam::123456789012:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}},
		{name: "forwarded", body: `{` + fwdJSON + `,"action":"svc:Do","resource":"*"}`,
			want: &Request{Forwarded: &SignedRequest{Method: "GET", Path: "/x", PayloadSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				Headers: map[string][]string{"Host": {"svc.example.com"}, "Authorization": {"AWS4-HMAC-SHA256 ..."}}}, Action: "svc:Do", Resource: "*"}},
		{name: "context string and list", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"svc:a":"1","aws:SourceIp":["192.0.2.1","192.0.2.2"]}}`,
			want: &Request{Principal: "arn:aws:iam::123456789012:root", Action: "svc:Do", Resource: "*",
				Context: map[string][]string{"svc:a": {"1"}, "aws:SourceIp": {"192.0.2.1", "192.0.2.2"}}}},
		{name: "resource policy object", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","resourcePolicy":{"Statement":[]}}`,
			want: &Request{Principal: "arn:aws:iam::123456789012:root", Action: "svc:Do", Resource: "*", ResourcePolicy: `{"Statement":[]}`}},
		{name: "resource policy string", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","resourcePolicy":"{\"Statement\":[]}","resourceAccount":"111122223333"}`,
			want: &Request{Principal: "arn:aws:iam::123456789012:root", Action: "svc:Do", Resource: "*", ResourcePolicy: `{"Statement":[]}`, ResourceAccount: "111122223333"}},

		{name: "not JSON", body: `principal`, code: "ValidationException"},
		{name: "two values", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*"} {}`, code: "ValidationException"},
		{name: "unknown member", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","effect":"Allow"}`, code: "ValidationException"},
		{name: "neither", body: `{"action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "both", body: `{` + fwdJSON + `,"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "wildcard action", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:*","resource":"*"}`, code: "ValidationException"},
		{name: "no action", body: `{"principal":"arn:aws:iam::123456789012:root","resource":"*"}`, code: "ValidationException"},
		{name: "bad resource", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"bucket"}`, code: "ValidationException"},
		{name: "bad account", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","resourceAccount":"12"}`, code: "ValidationException"},
		{name: "bad session name", body: `{"principal":"arn:aws:iam::123456789012:role/r","sessionName":"a b","action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "resource policy too large", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","resourcePolicy":` + big + `}`, code: "ValidationException"},
		{name: "resource policy number", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","resourcePolicy":1}`, code: "ValidationException"},
		{name: "100 context keys", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{` + manyKeys(100) + `}}`},
		{name: "101 context keys", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{` + manyKeys(101) + `}}`, code: "ValidationException"},
		{name: "context number", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"svc:a":1}}`, code: "ValidationException"},
		{name: "context key shape", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"nocolon":"1"}}`, code: "ValidationException"},
		{name: "forged PrincipalArn", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"aws:PrincipalArn":"x"}}`, code: "ForbiddenContextKeyException"},
		{name: "forged any case", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"AWS:USERID":"x"}}`, code: "ForbiddenContextKeyException"},
		{name: "forged tag", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"aws:PrincipalTag/team":"x"}}`, code: "ForbiddenContextKeyException"},
		{name: "forged org", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"aws:PrincipalOrgID":"o-1"}}`, code: "ForbiddenContextKeyException"},
		{name: "forged gatehouse:Action", body: `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"gatehouse:Action":"x"}}`, code: "ForbiddenContextKeyException"},
		{name: "forwarded no host", body: `{"request":{"method":"GET","path":"/","headers":{},"payloadSha256":"UNSIGNED-PAYLOAD"},"action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "forwarded bad payload", body: `{"request":{"method":"GET","path":"/","headers":{"Host":"h"},"payloadSha256":"E3B0"},"action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "forwarded path with query", body: `{"request":{"method":"GET","path":"/?a=1","headers":{"Host":"h"},"payloadSha256":"UNSIGNED-PAYLOAD"},"action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "forwarded header control", body: `{"request":{"method":"GET","path":"/","headers":{"Host":"h","X-A":"a\nb"},"payloadSha256":"UNSIGNED-PAYLOAD"},"action":"svc:Do","resource":"*"}`, code: "ValidationException"},
		{name: "too large", body: `{"principal":"` + strings.Repeat("a", MaxBody) + `"}`, code: "RequestTooLargeException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.body))
			if tc.code != "" {
				e, ok := err.(*Error)
				if !ok || e.Code != tc.code || e.Status == 0 || e.Message == "" {
					t.Fatalf("Decode = %+v, %v; want %s", got, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Decode = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestRoundTrip: what MarshalJSON writes, Decode reads back.
func TestRoundTrip(t *testing.T) {
	r := Request{Forwarded: &SignedRequest{Method: "PUT", Path: "/a%20b", Query: "x=1", PayloadSHA256: "UNSIGNED-PAYLOAD",
		Headers: map[string][]string{"Host": {"h"}, "X-Amz-Date": {"20260101T000000Z"}}},
		Action: "svc:Put", Resource: "arn:aws:svc:us-east-1:123456789012:thing/a", ResourcePolicy: `{"Statement":[]}`,
		ResourceAccount: "123456789012", Context: map[string][]string{"svc:k": {"a", "b"}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, r) {
		t.Fatalf("round trip: %+v, want %+v", got, r)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"principal":"arn:aws:iam::123456789012:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"s3:prefix":["a","b"]}}`))
	f.Add([]byte(`{` + fwdJSON + `,"action":"svc:Do","resource":"*","resourcePolicy":{"Statement":[]}}`))
	f.Add([]byte(`{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"aws:PrincipalTag/x":"1"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := Decode(body)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Decode error %T %v, want *Error", err, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("Decode accepted a request Validate refuses: %v", err)
		}
		for k := range r.Context {
			if Forgeable(k) {
				t.Fatalf("Decode accepted the forged key %q", k)
			}
		}
		b, err := json.Marshal(*r)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) <= MaxBody { // a resource policy object may grow as a string
			r2, err := Decode(b)
			if err != nil {
				t.Fatalf("re-decoding %s: %v", b, err)
			}
			if !reflect.DeepEqual(r, r2) {
				t.Fatalf("round trip: %+v, want %+v", r2, r)
			}
		}
	})
}
