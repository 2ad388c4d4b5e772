package decision

import "testing"

// TestReviewForgedSessionKeys: every condition key that Gatehouse derives
// from the principal's session (identity.Caller.Context) is refused in a
// request's context. ec2:SourceInstanceARN, which workload credentials'
// sessions carry, was not: a caller of the decision API could claim that
// a forwarded request came from any workload, overriding the session's own.
func TestReviewForgedSessionKeys(t *testing.T) {
	for _, k := range []string{"ec2:SourceInstanceARN", "EC2:sourceinstancearn"} {
		body := `{"principal":"arn:aws:iam::123456789012:root","action":"svc:Do","resource":"*","context":{"` + k + `":"arn:aws:ec2:us-east-1:123456789012:instance/w-1"}}`
		_, err := Decode([]byte(body))
		if e, ok := err.(*Error); !ok || e.Code != "ForbiddenContextKeyException" {
			t.Errorf("context key %s: Decode error %v, want ForbiddenContextKeyException", k, err)
		}
	}
}
