package policy_test

import (
	"fmt"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// Compile a policy once, then decide requests against it.
func ExampleEvaluate() {
	p, err := policy.ParseAndCompile("ReadReports", `{
		"Version": "2012-10-17",
		"Statement": [
			{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::reports/${aws:username}/*"},
			{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
		]}`, policy.KindIdentity)
	if err != nil {
		panic(err)
	}
	set := &policy.Set{Identity: []*policy.Policy{p}}
	ctx := policy.NewContext(2)
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:SecureTransport", "true")
	req := &policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::reports/alice/q1.csv",
		Context:   ctx,
	}
	fmt.Println(policy.Evaluate(set, req).Decision)

	req.Resource = "arn:aws:s3:::reports/bob/q1.csv"
	res := policy.Evaluate(set, req)
	fmt.Println(res.Decision, res.Reason(req.Action))

	ctx.Set("aws:SecureTransport", "false")
	fmt.Println(policy.Evaluate(set, req).Decision)
	// Output:
	// allowed
	// implicitDeny because no identity-based policy allows the s3:GetObject action
	// explicitDeny
}

// Explain says which statements applied and why the decision came out as it did.
func ExampleExplain() {
	boundary := policy.MustCompile("boundary", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, policy.KindBoundary)
	admin := policy.MustCompile("admin", `{"Version":"2012-10-17","Statement":{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}}`, policy.KindIdentity)
	set := &policy.Set{Identity: []*policy.Policy{admin}, Boundary: boundary}
	req := &policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/dev", Account: "111122223333"},
		Action:    "iam:CreateUser",
		Resource:  "arn:aws:iam::111122223333:user/eve",
	}
	e := policy.Explain(set, req)
	fmt.Println(e.DecisionText)
	fmt.Println(e.Reason)
	for _, m := range e.MatchedStatements {
		fmt.Println(m.Layer, m.Policy, m.Sid, m.Effect)
	}
	// Output:
	// implicitDeny
	// because no permissions boundary allows the iam:CreateUser action
	// identityPolicy admin All Allow
}

// Parse reports invalid documents with AWS's MalformedPolicyDocument messages.
func ExampleParse() {
	_, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, policy.KindIdentity)
	fmt.Println(err)
	// Output: Policy document should not specify a principal.
}
