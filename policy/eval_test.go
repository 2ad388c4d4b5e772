package policy

import (
	"fmt"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsArePure enforces that the engine stays free of I/O: its non-test files
// import only the standard library's pure packages and Gatehouse's wildcard.
func TestImportsArePure(t *testing.T) {
	banned := []string{"os", "net/http", "io/fs", "log", "log/slog", "database/sql", "time/tzdata"}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pf.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(path, ".") && path != "github.com/gatehouse-iam/gatehouse/wildcard" {
				t.Errorf("%s imports %s: the engine may import only the standard library", f, path)
			}
			for _, b := range banned {
				if path == b {
					t.Errorf("%s imports %s: the engine does no I/O", f, path)
				}
			}
		}
	}
}

var (
	propActions   = []string{"s3:GetObject", "s3:PutObject", "iam:CreateUser", "ec2:RunInstances", "s3:ListBucket"}
	propPatterns  = []string{"s3:*", "s3:Get*", "iam:*", "*", "s3:?etObject", "ec2:Run*", "s3:GetObject", "iam:CreateUser"}
	propResources = []string{"arn:aws:s3:::bucket/key", "arn:aws:s3:::other/x", "arn:aws:iam::111122223333:user/bob", "*"}
	propResPats   = []string{"*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::*", "arn:aws:iam::*:user/*", "arn:aws:s3:::other/?"}
	propConds     = []string{
		``,
		`,"Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`,
		`,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
		`,"Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}`,
		`,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
	}
)

// randomStatement builds one statement from a small vocabulary so that random
// policies often match the random requests.
func randomStatement(r *rand.Rand, allowOnly bool) string {
	effect := "Allow"
	if !allowOnly && r.IntN(4) == 0 {
		effect = "Deny"
	}
	an, rn := "Action", "Resource"
	if r.IntN(6) == 0 {
		an = "NotAction"
	}
	if r.IntN(8) == 0 {
		rn = "NotResource"
	}
	return fmt.Sprintf(`{"Effect":%q,%q:%q,%q:%q%s}`, effect, an, propPatterns[r.IntN(len(propPatterns))],
		rn, propResPats[r.IntN(len(propResPats))], propConds[r.IntN(len(propConds))])
}

func randomPolicy(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = randomStatement(r, false)
	}
	return out
}

func doc(stmts []string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func randomRequest(r *rand.Rand) *Request {
	ctx := NewContext(3)
	if r.IntN(2) == 0 {
		ctx.Set("aws:PrincipalTag/team", []string{"blue", "red"}[r.IntN(2)])
	}
	if r.IntN(2) == 0 {
		ctx.Set("aws:MultiFactorAuthPresent", "true")
	}
	if r.IntN(2) == 0 {
		ctx.Set("aws:SourceIp", []string{"10.1.2.3", "192.0.2.1"}[r.IntN(2)])
	}
	if r.IntN(2) == 0 {
		ctx.Set("aws:RequestedRegion", []string{"us-east-1", "eu-west-1"}[r.IntN(2)])
	}
	return &Request{
		Principal: Principal{Type: PrincipalUser, ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"},
		Action:    propActions[r.IntN(len(propActions))],
		Resource:  propResources[r.IntN(len(propResources))],
		Context:   ctx,
	}
}

func buildSet(t *testing.T, identity [][]string, boundary []string) *Set {
	t.Helper()
	set := &Set{}
	for i, stmts := range identity {
		set.Identity = append(set.Identity, MustCompile("p"+strconv.Itoa(i), doc(stmts), KindIdentity))
	}
	if boundary != nil {
		set.Boundary = MustCompile("boundary", doc(boundary), KindBoundary)
	}
	return set
}

// TestProperties checks properties every correct engine has, on random policies:
// a Deny on everything is never overridden; removing an Allow statement never turns
// a deny into an allow; statement and policy order never change a decision.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 400; iter++ {
		identity := make([][]string, 1+r.IntN(3))
		for i := range identity {
			identity[i] = randomPolicy(r, 1+r.IntN(4))
		}
		var boundary []string
		if r.IntN(3) == 0 {
			boundary = randomPolicy(r, 1+r.IntN(2))
		}
		req := randomRequest(r)
		base := Evaluate(buildSet(t, identity, boundary), req).Decision
		if exp := Explain(buildSet(t, identity, boundary), req).Decision; exp != base {
			t.Fatalf("Explain says %v, Evaluate says %v", exp, base)
		}

		// Deny * on * wins over everything.
		withDeny := append(append([][]string{}, identity...), []string{`{"Effect":"Deny","Action":"*","Resource":"*"}`})
		if d := Evaluate(buildSet(t, withDeny, boundary), req).Decision; d != ExplicitDeny {
			t.Fatalf("Deny */* gave %v for %s", d, doc(identity[0]))
		}

		// Removing an Allow statement cannot grant more.
		if base != Allowed {
			for pi := range identity {
				for si, s := range identity[pi] {
					if !strings.Contains(s, `"Allow"`) || len(identity[pi]) == 1 {
						continue
					}
					fewer := make([][]string, len(identity))
					copy(fewer, identity)
					fewer[pi] = append(append([]string{}, identity[pi][:si]...), identity[pi][si+1:]...)
					if d := Evaluate(buildSet(t, fewer, boundary), req).Decision; d == Allowed {
						t.Fatalf("removing an Allow turned %v into allowed", base)
					}
				}
			}
		}

		// Order independence.
		shuffled := make([][]string, len(identity))
		for i := range identity {
			shuffled[i] = append([]string{}, identity[i]...)
			r.Shuffle(len(shuffled[i]), func(a, b int) { shuffled[i][a], shuffled[i][b] = shuffled[i][b], shuffled[i][a] })
		}
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if d := Evaluate(buildSet(t, shuffled, boundary), req).Decision; d != base {
			t.Fatalf("reordering changed %v into %v", base, d)
		}
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		r    Result
		want string
	}{
		{Result{Decision: ImplicitDeny, Layer: LayerIdentity}, "because no identity-based policy allows the iam:CreateUser action"},
		{Result{Decision: ImplicitDeny, Layer: LayerBoundary}, "because no permissions boundary allows the iam:CreateUser action"},
		{Result{Decision: ImplicitDeny, Layer: LayerSCP}, "because no service control policy allows the iam:CreateUser action"},
		{Result{Decision: ExplicitDeny, Layer: LayerSCP}, "with an explicit deny in a service control policy"},
		{Result{Decision: ExplicitDeny, Layer: LayerIdentity}, "with an explicit deny in an identity-based policy"},
	}
	for _, tt := range tests {
		if got := tt.r.Reason("iam:CreateUser"); got != tt.want {
			t.Errorf("Reason = %q, want %q", got, tt.want)
		}
	}
}

// TestResourcePolicyBestGrant: the statements of a resource-based policy that
// apply give the best of their grants, in whatever order they come. Within one
// account a resource-based policy that names the caller's ARN allows on its own
// ("If either the identity-based policy or the resource-based policy within the
// same account allows the request and the other doesn't, the request is still
// allowed", IAM User Guide, Policy evaluation for requests within a single
// account); one that names only the caller's account "delegates authority to
// the account" (IAM JSON policy elements: Principal, AWS account principals),
// whose identity-based policies decide, and here allow nothing.
func TestResourcePolicyBestGrant(t *testing.T) {
	const account = `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
	const direct = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
	req := &Request{Principal: benchUser(), Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	for _, c := range []struct {
		stmts []string
		want  Decision
	}{
		{[]string{account, direct}, Allowed},
		{[]string{direct, account}, Allowed},
		{[]string{account}, ImplicitDeny},
	} {
		set := &Set{Resource: MustCompile("bucket policy", doc(c.stmts), KindResource)}
		if got := Evaluate(set, req).Decision; got != c.want {
			t.Errorf("%v: Evaluate %v, want %v", c.stmts, got, c.want)
		}
		if got := Explain(set, req).Decision; got != c.want {
			t.Errorf("%v: Explain %v, want %v", c.stmts, got, c.want)
		}
	}
}
