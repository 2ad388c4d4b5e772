package policy

import (
	"fmt"
	"strings"
	"testing"
)

func setIndexPolicies(t *testing.T) []*Policy {
	t.Helper()
	docs := []string{
		// An Allow of the service, an Allow of any service, and a NotAction
		// Deny filed under any service, before a Deny of the service in
		// document order.
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b0/*"},
			{"Effect":"Deny","NotAction":"s3:*","Resource":"*"},
			{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::any/*"},
			{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b0/secret/*"}]}`,
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["s3:List*","s3:Put*"],"Resource":"arn:aws:s3:::b1"},
			{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::b1/locked/*"},
			{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
			{"Effect":"Deny","Action":"s3:Get*","Resource":"arn:aws:s3:::b0/*"},
			{"Effect":"Allow","Action":"cloudformation:Describe*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"S3:GETOBJECT","Resource":"arn:aws:s3:::b2/*",
			 "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}},
			{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`,
		// A policy of ten services, two of them denied too.
		`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["sqs:Send*","sns:Publish","dynamodb:Get*","kms:Decrypt","lambda:Invoke*",
				"logs:Put*","ec2:Describe*","iam:Get*","sts:Get*","s3:Get*"],"Resource":"*"},
			{"Effect":"Deny","Action":["kms:*","lambda:InvokeAsync"],"Resource":"*"}]}`,
	}
	var ps []*Policy
	for i, d := range docs {
		ps = append(ps, MustCompile(fmt.Sprint("p", i), d, KindIdentity))
	}
	return ps
}

// TestPreparedSetDecidesAlike evaluates requests against a set with and
// without the merged index: the results, down to the deny reported (the
// first in policy order, and in a policy the statements of the service
// before those of any service), are the same.
func TestPreparedSetDecidesAlike(t *testing.T) {
	ps := setIndexPolicies(t)
	plain := &Set{Identity: ps}
	prepared := (&Set{Identity: ps}).prepare(2)
	if prepared.identityIndex() == nil {
		t.Fatal("Prepare built no index")
	}
	ctx := NewContext(1)
	ctx.SetOne("aws:PrincipalTag/team", "blue")
	actions := []string{"s3:GetObject", "S3:getObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject",
		"ec2:DescribeInstances", "iam:CreateUser", "cloudformation:DescribeStacks", "cloudformatioN:describeStacks",
		"s3:", "nocolon", "s3:Get" + strings.Repeat("x", 200),
		"sqs:SendMessage", "kms:Decrypt", "lambda:InvokeFunction", "lambda:InvokeAsync", "iam:GetUser", "logs:PutLogEvents", "sns:Subscribe"}
	resources := []string{"arn:aws:s3:::b0/key", "arn:aws:s3:::b0/secret/k", "arn:aws:s3:::b1", "arn:aws:s3:::b1/locked/x",
		"arn:aws:s3:::b2/k", "arn:aws:s3:::any/k", "*"}
	seen := map[Decision]int{}
	for _, a := range actions {
		for _, r := range resources {
			req := &Request{Principal: benchUser(), Action: a, Resource: r, Context: ctx}
			want := Evaluate(plain, req)
			got := Evaluate(prepared, req)
			if got != want {
				t.Errorf("%s on %s: prepared %+v, unprepared %+v", a, r, got, want)
			}
			if e := Explain(prepared, req).Result; e != want {
				t.Errorf("%s on %s: Explain %+v, Evaluate %+v", a, r, e, want)
			}
			seen[want.Decision]++
		}
	}
	if seen[Allowed] == 0 || seen[ExplicitDeny] == 0 || seen[ImplicitDeny] == 0 {
		t.Fatalf("the requests do not cover every decision: %v", seen)
	}
	// The deny of the service in p0 comes before p1's, and p0's NotAction
	// deny does not match s3 actions.
	req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::b0/secret/k", Context: ctx}
	if r := Evaluate(prepared, req); r.Decision != ExplicitDeny || r.Policy != ps[0] || r.Statement != 3 {
		t.Fatalf("got %+v, want the deny of p0's statement 3", r)
	}
}

// TestPreparedSetChanged checks that an index no longer describing the set's
// identity policies is not used, and that a copy of the set shares it.
func TestPreparedSetChanged(t *testing.T) {
	ps := setIndexPolicies(t)
	set := (&Set{Identity: []*Policy{ps[1], ps[2]}}).prepare(2)
	cp := *set
	if cp.identityIndex() == nil {
		t.Fatal("a copy of a prepared set does not share its index")
	}
	req := &Request{Principal: benchUser(), Action: "ec2:DescribeInstances", Resource: "*"}
	if d := Evaluate(set, req).Decision; d != Allowed {
		t.Fatalf("before the change: %v, want allowed", d)
	}
	// Replace p1 (which allows ec2:Describe*) in place.
	set.Identity[0] = MustCompile("other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, KindIdentity)
	if set.identityIndex() != nil {
		t.Fatal("the index is used after Identity changed")
	}
	if d := Evaluate(set, req).Decision; d != ImplicitDeny {
		t.Fatalf("after the change: %v, want implicitDeny", d)
	}
	set.Identity = set.Identity[:1]
	if set.identityIndex() != nil {
		t.Fatal("the index is used after Identity was shortened")
	}
	if (&Set{Identity: ps[:1]}).prepare(2).ix != nil {
		t.Fatal("an index was built for one policy")
	}
}

// TestPrepareSmallSet checks that Prepare merges the indexes of
// minIndexedPolicies identity policies or more, and leaves a smaller set
// to its policies' own indexes.
func TestPrepareSmallSet(t *testing.T) {
	ps := setIndexPolicies(t)
	var many []*Policy
	for len(many) < minIndexedPolicies {
		many = append(many, ps...)
	}
	if (&Set{Identity: many[:minIndexedPolicies-1]}).Prepare().ix != nil {
		t.Errorf("an index was built for %d policies", minIndexedPolicies-1)
	}
	if (&Set{Identity: many[:minIndexedPolicies]}).Prepare().identityIndex() == nil {
		t.Errorf("no index was built for %d policies", minIndexedPolicies)
	}
}

func TestPreparedSetDoesNotAllocate(t *testing.T) {
	for _, least := range []int{2, minIndexedPolicies} {
		set := (&Set{Identity: setIndexPolicies(t)}).prepare(least)
		ctx := NewContext(1)
		ctx.SetOne("aws:PrincipalTag/team", "blue")
		req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::b2/k", Context: ctx}
		if d := Evaluate(set, req).Decision; d != Allowed {
			t.Fatalf("got %v, want allowed", d)
		}
		if n := testing.AllocsPerRun(100, func() { Evaluate(set, req) }); n != 0 {
			t.Fatalf("Evaluate of a set prepared from %d policies allocates %v times", least, n)
		}
	}
}
