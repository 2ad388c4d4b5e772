package policy

import "testing"

// TestNotResourceStar: NotResource matches every resource except those
// listed, so NotResource "*" matches none — an Allow with it grants
// nothing, a Deny with it denies nothing
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html).
func TestNotResourceStar(t *testing.T) {
	allow := MustCompile("allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"*"}}`, KindIdentity)
	deny := MustCompile("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::x","*"]}]}`, KindIdentity)
	p := Principal{Type: PrincipalUser, ARN: "arn:aws:iam::123456789012:user/u", Account: "123456789012"}
	for _, res := range []string{"arn:aws:s3:::b/k", "arn:aws:s3:::x", "*"} {
		r := &Request{Principal: p, Action: "s3:GetObject", Resource: res}
		if d := Evaluate(&Set{Identity: []*Policy{allow}}, r).Decision; d != ImplicitDeny {
			t.Errorf("Allow NotResource * on %s: %v, want an implicit deny", res, d)
		}
		if d := Evaluate(&Set{Identity: []*Policy{deny}}, r).Decision; d != Allowed {
			t.Errorf("Deny NotResource [x, *] on %s: %v, want allowed", res, d)
		}
	}
}
