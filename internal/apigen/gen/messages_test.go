package gen

import (
	"strings"
	"testing"
)

// TestServiceMessageTraits pins the per-service traits of validation
// messages the generator writes into the Query codec: IAM hides values, and
// a list of tagKeyType reports "Member must not be null" among its member's
// constraints, and IAM's paths have their own pattern message.
func TestServiceMessageTraits(t *testing.T) {
	model := strings.NewReplacer(
		`"serviceId": "Mini"`, `"serviceId": "IAM"`,
		`"DoRequest": {"type": "structure", "required": ["Zeta"], "members": {"Zeta": {"shape": "str"}, "Alpha": {"shape": "str"}}}`,
		`"DoRequest": {"type": "structure", "required": ["Zeta"], "members": {"Zeta": {"shape": "str"}, "Alpha": {"shape": "str"}, "Keys": {"shape": "keys"}, "Names": {"shape": "names"}, "Path": {"shape": "pathType"}}},
  "pathType": {"type": "string", "pattern": "/[a-z/]*"},
  "keys": {"type": "list", "member": {"shape": "tagKeyType"}},
  "names": {"type": "list", "member": {"shape": "str"}},
  "tagKeyType": {"type": "string", "min": 1, "max": 128}`,
	).Replace(miniModel)
	m, err := Parse([]byte(model))
	if err != nil {
		t.Fatal(err)
	}
	src, err := joined(GenerateAPI(m, "mini", "minicodec"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"HideValues: true,",
		`query.DecodeList(d, k.Field("Keys", "keys"), query.ListRule{Scalar: true, MemberNotNull: true}`,
		`query.DecodeList(d, k.Field("Names", "names"), query.ListRule{Scalar: true}`,
		`PatternMessage: "The specified value for path is invalid.`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
	plain, err := Parse([]byte(miniModel))
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := joined(GenerateAPI(plain, "mini", "minicodec")); strings.Contains(string(src), "HideValues") {
		t.Error("a service other than IAM hides values")
	}
}
