package policy

import (
	"fmt"
	"strings"
	"testing"
)

func benchUser() Principal {
	return Principal{Type: PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"}
}

// BenchmarkW1: one policy, three statements, exact matches.
func BenchmarkW1(b *testing.B) {
	p := MustCompile("w1", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/key"},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/other"},
		{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bucket/key"}]}`, KindIdentity)
	set := &Set{Identity: []*Policy{p}}
	req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", Context: NewContext(0)}
	if Evaluate(set, req).Decision != Allowed {
		b.Fatal("want allowed")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(set, req)
	}
}

// BenchmarkW2: ten policies of ten statements with wildcards and one explicit deny.
func BenchmarkW2(b *testing.B) {
	set := &Set{}
	for p := 0; p < 10; p++ {
		var stmts []string
		for s := 0; s < 10; s++ {
			switch {
			case p == 9 && s == 9:
				stmts = append(stmts, `{"Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::bucket-9/*"}`)
			case s%3 == 0:
				stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["ec2:Describe*","ec2:Get*"],"Resource":"arn:aws:ec2:*:*:instance/i-%d%d*"}`, p, s))
			default:
				stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"arn:aws:s3:::bucket-%d%d/*"}`, p, s))
			}
		}
		set.Identity = append(set.Identity, MustCompile(fmt.Sprint("p", p), `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`, KindIdentity))
	}
	req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-98/key", Context: NewContext(0)}
	if Evaluate(set, req).Decision != Allowed {
		b.Fatal("want allowed")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(set, req)
	}
}

// BenchmarkW3: conditions on tags, source IP, time, MFA and a policy variable.
func BenchmarkW3(b *testing.B) {
	p := MustCompile("w3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
		"Resource":"arn:aws:s3:::home/${aws:username}/*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
		"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, KindIdentity)
	set := &Set{Identity: []*Policy{p}}
	ctx := NewContext(5)
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:PrincipalTag/team", "blue")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:CurrentTime", "2026-11-27T10:00:00Z")
	ctx.Set("aws:MultiFactorAuthPresent", "true")
	req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/notes.txt", Context: ctx}
	if Evaluate(set, req).Decision != Allowed {
		b.Fatal("want allowed")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(set, req)
	}
}

// w3Layered is BenchmarkW3's request with the principal's keys in a base
// and the request's in a layer over it, as identity.Caller builds it.
func w3Layered() (*Set, *Request) {
	p := MustCompile("w3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
		"Resource":"arn:aws:s3:::home/${aws:username}/*",
		"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
		"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, KindIdentity)
	base := NewContext(3)
	base.Set("aws:username", "alice")
	base.Set("aws:PrincipalTag/team", "blue")
	base.Set("aws:MultiFactorAuthPresent", "true")
	ctx := NewContextOver(base, 2)
	ctx.Set("aws:SourceIp", "10.1.2.3")
	ctx.Set("aws:CurrentTime", "2026-11-27T10:00:00Z")
	return &Set{Identity: []*Policy{p}}, &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/notes.txt", Context: ctx}
}

// BenchmarkW3Layered is BenchmarkW3 over a layered context.
func BenchmarkW3Layered(b *testing.B) {
	set, req := w3Layered()
	if Evaluate(set, req).Decision != Allowed {
		b.Fatal("want allowed")
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(set, req)
	}
}

// TestLayeredContextDoesNotAllocate: a decision over a layered context
// allocates nothing either.
func TestLayeredContextDoesNotAllocate(t *testing.T) {
	set, req := w3Layered()
	if d := Evaluate(set, req).Decision; d != Allowed {
		t.Fatalf("got %v, want allowed", d)
	}
	if n := testing.AllocsPerRun(100, func() { Evaluate(set, req) }); n != 0 {
		t.Fatalf("Evaluate over a layered context allocates %v times", n)
	}
}

// BenchmarkDirectorySet evaluates a GetUser of a set like the users' of the
// server's directory benchmarks (its own inline policy, two customer managed
// policies, its group's inline and managed policies and IAMReadOnlyAccess:
// six policies of one statement) with the merged index (merged) and
// without it (scan: each policy's own index looked up in turn, what Prepare
// leaves a set of fewer than minIndexedPolicies).
func BenchmarkDirectorySet(b *testing.B) {
	doc := func(action, resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
	}
	ps := []*Policy{
		MustCompile("home", doc("s3:*", "arn:aws:s3:::home/alice/*"), KindIdentity),
		MustCompile("team-1", doc("s3:*", "arn:aws:s3:::team-1/*"), KindIdentity),
		MustCompile("team-2", doc("s3:*", "arn:aws:s3:::team-2/*"), KindIdentity),
		MustCompile("group", doc("sqs:*", "arn:aws:sqs:us-east-1:111122223333:group-*"), KindIdentity),
		MustCompile("group-team", doc("s3:*", "arn:aws:s3:::team-3/*"), KindIdentity),
		MustCompile("IAMReadOnlyAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`, KindIdentity),
	}
	req := &Request{Principal: benchUser(), Action: "iam:GetUser", Resource: "arn:aws:iam::111122223333:user/alice", Context: NewContext(0)}
	for _, c := range []struct {
		name  string
		least int
	}{{"merged", 2}, {"scan", len(ps) + 1}} {
		set := (&Set{Identity: ps}).prepare(c.least)
		if Evaluate(set, req).Decision != Allowed {
			b.Fatal("want allowed")
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(set, req)
			}
		})
	}
}
