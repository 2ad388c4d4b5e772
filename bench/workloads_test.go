package bench

import (
	"fmt"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// The workloads are written once, as IAM statements (stmt), and translated for each
// engine: to policy JSON for Gatehouse, to Cedar and Rego text, and to the naive
// evaluator's structs. Conditions and policy variables (W3) have no generic
// translation to Cedar and Rego; W3 carries hand-written versions of its policy.

const account = "123456789012"

// stmt is one IAM statement.
type stmt struct {
	Effect    string // "Allow" or "Deny"
	Actions   []string
	Resources []string
	Conds     []cond
}

// cond is one condition: operator, key and values, as IAM writes them.
type cond struct {
	Op, Key string
	Values  []string
}

// request is one authorization question and the decision every engine must give.
type request struct {
	name     string
	user     string // IAM user name; the caller is arn:aws:iam::<account>:user/<user>
	action   string
	resource string
	ctx      map[string]string // IAM condition keys (single-valued), as strings
	want     policy.Decision
}

func userARN(name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// workload is a set of policies and the requests asked of them.
type workload struct {
	name string
	// policies are the caller's identity policies (W1–W3).
	policies [][]stmt
	// principals, when > 0, makes a directory workload (W4): users user-0 ...
	// user-(principals-1), each with the one policy principalPolicy(i).
	principals int
	// cedar and rego, when set, replace the generated translations.
	cedar, rego string
	requests    []request
	// allow and deny index the requests the benchmarks time.
	allow, deny int
}

// --- W1: one policy, three statements, exact matches.

var w1 = &workload{
	name: "W1",
	policies: [][]stmt{{
		{Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::bucket/key"}},
		{Effect: "Allow", Actions: []string{"s3:PutObject"}, Resources: []string{"arn:aws:s3:::bucket/upload"}},
		{Effect: "Deny", Actions: []string{"s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::bucket/keep"}},
	}},
	requests: []request{
		{name: "get", user: "alice", action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", want: policy.Allowed},
		{name: "put", user: "alice", action: "s3:PutObject", resource: "arn:aws:s3:::bucket/upload", want: policy.Allowed},
		{name: "delete-keep", user: "alice", action: "s3:DeleteObject", resource: "arn:aws:s3:::bucket/keep", want: policy.ExplicitDeny},
		{name: "get-other", user: "alice", action: "s3:GetObject", resource: "arn:aws:s3:::bucket/other", want: policy.ImplicitDeny},
		{name: "put-key", user: "alice", action: "s3:PutObject", resource: "arn:aws:s3:::bucket/key", want: policy.ImplicitDeny},
		{name: "other-service", user: "alice", action: "ec2:DescribeInstances", resource: "*", want: policy.ImplicitDeny},
	},
	allow: 0, deny: 2,
}

// --- W2: ten policies of ten statements with action and resource wildcards, and
// one explicit deny (policy 9, statement 9).

func w2Policy(k int) []stmt {
	arn := func(svc, res string) string { return fmt.Sprintf("arn:aws:%s:us-east-1:%s:%s", svc, account, res) }
	ss := []stmt{
		{Effect: "Allow", Actions: []string{"s3:Get*"}, Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d/*", k)}},
		{Effect: "Allow", Actions: []string{"s3:List*"}, Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d", k)}},
		{Effect: "Allow", Actions: []string{"ec2:Describe*"}, Resources: []string{"*"}},
		{Effect: "Allow", Actions: []string{"dynamodb:Get*", "dynamodb:Query"}, Resources: []string{arn("dynamodb", fmt.Sprintf("table/table-%d", k))}},
		{Effect: "Allow", Actions: []string{"sqs:Send*"}, Resources: []string{arn("sqs", fmt.Sprintf("queue-%d", k))}},
		{Effect: "Allow", Actions: []string{"sns:Publish"}, Resources: []string{arn("sns", fmt.Sprintf("topic-%d-*", k))}},
		{Effect: "Allow", Actions: []string{"s3:Put*"}, Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d/uploads/*", k)}},
		{Effect: "Allow", Actions: []string{"kms:Decrypt"}, Resources: []string{arn("kms", "key/*")}},
		{Effect: "Allow", Actions: []string{"logs:Put*", "logs:Create*"}, Resources: []string{arn("logs", fmt.Sprintf("log-group:/app/%d/*", k))}},
		{Effect: "Allow", Actions: []string{"lambda:Invoke*"}, Resources: []string{arn("lambda", fmt.Sprintf("function:fn-%d-*", k))}},
	}
	if k == 9 {
		ss[9] = stmt{Effect: "Deny", Actions: []string{"s3:*"}, Resources: []string{"arn:aws:s3:::bucket-9/secret/*"}}
	}
	return ss
}

var w2 = func() *workload {
	w := &workload{name: "W2"}
	for k := 0; k < 10; k++ {
		w.policies = append(w.policies, w2Policy(k))
	}
	r := func(name, action, resource string, want policy.Decision) request {
		return request{name: name, user: "alice", action: action, resource: resource, want: want}
	}
	w.requests = []request{
		r("get-bucket-8", "s3:GetObject", "arn:aws:s3:::bucket-8/data/file.csv", policy.Allowed),
		r("secret-bucket-9", "s3:GetObject", "arn:aws:s3:::bucket-9/secret/passwords.txt", policy.ExplicitDeny),
		r("get-bucket-9", "s3:GetObject", "arn:aws:s3:::bucket-9/public/index.html", policy.Allowed),
		r("list-bucket-3", "s3:ListBucket", "arn:aws:s3:::bucket-3", policy.Allowed),
		r("delete-bucket-3", "s3:DeleteObject", "arn:aws:s3:::bucket-3/x", policy.ImplicitDeny),
		r("put-outside-uploads", "s3:PutObject", "arn:aws:s3:::bucket-4/x", policy.ImplicitDeny),
		r("describe", "ec2:DescribeInstances", "*", policy.Allowed),
		r("query-table-7", "dynamodb:Query", "arn:aws:dynamodb:us-east-1:"+account+":table/table-7", policy.Allowed),
		r("scan-table-7", "dynamodb:Scan", "arn:aws:dynamodb:us-east-1:"+account+":table/table-7", policy.ImplicitDeny),
		r("invoke-fn-9", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:"+account+":function:fn-9-a", policy.ImplicitDeny),
		r("invoke-fn-5", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:"+account+":function:fn-5-a", policy.Allowed),
		r("iam", "iam:CreateUser", "arn:aws:iam::"+account+":user/mallory", policy.ImplicitDeny),
	}
	w.allow, w.deny = 0, 1
	return w
}()

// --- W3: conditions and a policy variable.

var w3Stmts = []stmt{
	{Effect: "Allow", Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []string{"arn:aws:s3:::home/${aws:username}/*"},
		Conds: []cond{
			{"StringEquals", "aws:PrincipalTag/team", []string{"platform"}},
			{"IpAddress", "aws:SourceIp", []string{"10.0.0.0/8"}},
			{"DateLessThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}},
			{"Bool", "aws:MultiFactorAuthPresent", []string{"true"}},
		}},
	{Effect: "Deny", Actions: []string{"*"}, Resources: []string{"*"},
		Conds: []cond{{"IpAddress", "aws:SourceIp", []string{"10.66.0.0/16"}}}},
}

// w3Cedar is W3 in Cedar. Cedar cannot build a pattern from a request value, so
// home/${aws:username}/* becomes the attribute-based form Cedar's documentation
// uses for ownership: the resource entity carries the owner of the home folder it
// lies in (see cedarEntities). Typed context values (ipaddr, datetime, Boolean) are
// built with the request, outside the timed loop.
const w3Cedar = `
permit (
  principal,
  action in [Action::"s3:GetObject", Action::"s3:PutObject"],
  resource
) when {
  resource has homeOwner && context has "aws:username" &&
  resource.homeOwner == context["aws:username"] &&
  context has "aws:PrincipalTag/team" && context["aws:PrincipalTag/team"] == "platform" &&
  context has "aws:SourceIp" && context["aws:SourceIp"].isInRange(ip("10.0.0.0/8")) &&
  context has "aws:CurrentTime" && context["aws:CurrentTime"] < datetime("2030-01-01T00:00:00Z") &&
  context has "aws:MultiFactorAuthPresent" && context["aws:MultiFactorAuthPresent"] == true
};
forbid (principal, action, resource) when {
  context has "aws:SourceIp" && context["aws:SourceIp"].isInRange(ip("10.66.0.0/16"))
};
`

// w3Rego is W3 in Rego. Request values arrive as the strings IAM receives.
const w3Rego = `package gatehouse.bench

default decision := "implicitDeny"

decision := "explicitDeny" if deny

decision := "allowed" if {
	allow
	not deny
}

allow if {
	input.action in {"s3:GetObject", "s3:PutObject"}
	glob.match(concat("", ["arn:aws:s3:::home/", input.context["aws:username"], "/*"]), null, input.resource)
	input.context["aws:PrincipalTag/team"] == "platform"
	net.cidr_contains("10.0.0.0/8", input.context["aws:SourceIp"])
	time.parse_rfc3339_ns(input.context["aws:CurrentTime"]) < time.parse_rfc3339_ns("2030-01-01T00:00:00Z")
	lower(input.context["aws:MultiFactorAuthPresent"]) == "true"
}

deny if {
	net.cidr_contains("10.66.0.0/16", input.context["aws:SourceIp"])
}
`

var w3 = func() *workload {
	w := &workload{name: "W3", policies: [][]stmt{w3Stmts}, cedar: w3Cedar, rego: w3Rego}
	base := func() map[string]string {
		return map[string]string{
			"aws:username":               "alice",
			"aws:PrincipalTag/team":      "platform",
			"aws:SourceIp":               "10.1.2.3",
			"aws:CurrentTime":            "2026-05-01T12:00:00Z",
			"aws:MultiFactorAuthPresent": "true",
		}
	}
	r := func(name, action, resource string, want policy.Decision, edit func(map[string]string)) request {
		c := base()
		if edit != nil {
			edit(c)
		}
		return request{name: name, user: "alice", action: action, resource: resource, ctx: c, want: want}
	}
	w.requests = []request{
		r("own-home", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.Allowed, nil),
		r("blocked-net", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ExplicitDeny, func(c map[string]string) { c["aws:SourceIp"] = "10.66.1.1" }),
		r("put-own-home", "s3:PutObject", "arn:aws:s3:::home/alice/a/b.txt", policy.Allowed, nil),
		r("other-home", "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", policy.ImplicitDeny, nil),
		r("delete", "s3:DeleteObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, nil),
		r("wrong-team", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, func(c map[string]string) { c["aws:PrincipalTag/team"] = "sales" }),
		r("no-team", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, func(c map[string]string) { delete(c, "aws:PrincipalTag/team") }),
		r("outside-net", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, func(c map[string]string) { c["aws:SourceIp"] = "192.168.1.1" }),
		r("expired", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, func(c map[string]string) { c["aws:CurrentTime"] = "2031-01-01T00:00:00Z" }),
		r("no-mfa", "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", policy.ImplicitDeny, func(c map[string]string) { c["aws:MultiFactorAuthPresent"] = "false" }),
	}
	w.allow, w.deny = 0, 1
	return w
}()

// --- W4: a directory of N principals, each with its own policy.

func principalName(i int) string { return fmt.Sprintf("user-%d", i) }

func principalPolicy(i int) []stmt {
	return []stmt{{Effect: "Allow", Actions: []string{"s3:GetObject", "s3:PutObject"},
		Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket/%s/*", principalName(i))}}}
}

func w4(n int) *workload {
	me := principalName(n / 2)
	other := principalName(n/2 + 1)
	r := func(name, user, action, resource string, want policy.Decision) request {
		return request{name: name, user: user, action: action, resource: resource, want: want}
	}
	return &workload{
		name:       fmt.Sprintf("W4-%d", n),
		principals: n,
		requests: []request{
			r("own-prefix", me, "s3:GetObject", "arn:aws:s3:::bucket/"+me+"/photo.jpg", policy.Allowed),
			r("other-prefix", me, "s3:GetObject", "arn:aws:s3:::bucket/"+other+"/photo.jpg", policy.ImplicitDeny),
			r("put-own", other, "s3:PutObject", "arn:aws:s3:::bucket/"+other+"/x", policy.Allowed),
			r("delete-own", me, "s3:DeleteObject", "arn:aws:s3:::bucket/"+me+"/photo.jpg", policy.ImplicitDeny),
			r("unknown-user", "mallory", "s3:GetObject", "arn:aws:s3:::bucket/mallory/x", policy.ImplicitDeny),
		},
		allow: 0, deny: 1,
	}
}

var w4Sizes = []int{10, 1000, 10000}

// allWorkloads lists every workload, W4 at each size.
func allWorkloads() []*workload {
	ws := []*workload{w1, w2, w3}
	for _, n := range w4Sizes {
		ws = append(ws, w4(n))
	}
	return ws
}
