package awsjson_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/api/orgcodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
)

// FuzzDecode feeds hostile JSON documents to the generated JSON 1.1
// decoders: they must never panic, and every failure must be an
// *awserr.Error (SerializationException or InvalidInputException) whose
// document renders.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"Name":"n","Description":"d","Content":"{}","Type":"SERVICE_CONTROL_POLICY","Tags":[{"Key":"k","Value":"v"}]}`,
		`{"AccountId":"123456789012"}`,
		`{"MaxResults":1e309,"NextToken":null}`,
		`{"Tags":[null,1,{"Key":[]}],"Type":{}}`,
		`[1,2]`, `"x"`, `{"a":`, `{"Email":"\ud800"}`, ``,
	} {
		f.Add(s)
	}
	ops := []string{"CreatePolicy", "DescribeAccount", "ListAccounts", "CreateAccount", "TagResource", "UpdatePolicy", "ListPoliciesForTarget"}
	svc := orgcodec.Service()
	f.Fuzz(func(t *testing.T, body string) {
		for _, name := range ops {
			op, ok := orgcodec.LookupOperation(name)
			if !ok {
				t.Fatalf("no operation %s", name)
			}
			_, err := svc.Decode(op, &awsjson.Request{Prefix: orgapi.TargetPrefix, Operation: name, Body: []byte(body)})
			if err == nil {
				continue
			}
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("%s: error %v is not *awserr.Error", name, err)
			}
			if len(awsjson.MarshalError(err)) == 0 {
				t.Fatalf("%s: empty error document", name)
			}
		}
	})
}
