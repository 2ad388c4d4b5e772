package generate

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/validate"
)

const (
	alice = "arn:aws:iam::123456789012:user/alice"
	app   = "arn:aws:iam::123456789012:role/app"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func ev(source, name string, res ...string) Event {
	return Event{Time: t0, Source: source, Name: name, Principal: alice, Resources: res}
}

// mustValid fails unless Gatehouse's ValidatePolicy finds no ERROR or
// SECURITY_WARNING in doc and doc is within the managed policy size limit.
func mustValid(t *testing.T, doc string) {
	t.Helper()
	for _, kind := range []policy.Kind{policy.KindIdentity, policy.KindManaged} {
		for _, f := range validate.Validate(doc, kind) {
			if f.Type == validate.TypeError || f.Type == validate.TypeSecurityWarning {
				t.Errorf("%s %s: %s\n%s", f.Type, f.Code, f.Message, doc)
			}
		}
	}
	if len(doc) > MaxPolicySize {
		t.Errorf("policy of %d characters exceeds %d", len(doc), MaxPolicySize)
	}
}

func statementsOf(t *testing.T, docs []string) []Statement {
	t.Helper()
	var out []Statement
	for _, d := range docs {
		mustValid(t, d)
		var doc Document
		if err := json.Unmarshal([]byte(d), &doc); err != nil {
			t.Fatal(err)
		}
		out = append(out, doc.Statement...)
	}
	return out
}

type stmt struct {
	Action   []string
	Resource []string
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	bucket := "arn:aws:s3:::photos"
	object := "arn:aws:s3:::photos/cat.jpg"
	tests := []struct {
		name     string
		events   []Event
		filter   Filter
		opt      Options
		want     []stmt
		complete bool
	}{
		{name: "nothing used", complete: true},
		{
			name: "actions of one service grouped by resources",
			events: []Event{
				ev("iam.amazonaws.com", "GetUser", alice),
				ev("iam.amazonaws.com", "ListUsers"),
				ev("iam.amazonaws.com", "ListAccessKeys", alice),
			},
			want: []stmt{
				{[]string{"iam:ListUsers"}, []string{"*"}},
				{[]string{"iam:GetUser", "iam:ListAccessKeys"}, []string{alice}},
			},
			complete: true,
		},
		{
			// Policy generation reviews denied actions too, but a policy
			// grants what succeeded (IAM User Guide,
			// access-analyzer-policy-generation.md, "Denied actions").
			name: "failed calls grant nothing",
			events: []Event{
				ev("iam.amazonaws.com", "ListRoles"),
				{Time: t0, Source: "iam.amazonaws.com", Name: "DeleteUser", Principal: alice, Failed: true},
			},
			want:     []stmt{{[]string{"iam:ListRoles"}, []string{"*"}}},
			complete: true,
		},
		{
			name: "S3 operations map to their permissions",
			events: []Event{
				ev("s3.amazonaws.com", "HeadObject", bucket, object),
				ev("s3.amazonaws.com", "ListObjectsV2", bucket),
				ev("s3.amazonaws.com", "CreateMultipartUpload", bucket, object),
				ev("s3.amazonaws.com", "ListBuckets"),
			},
			want: []stmt{
				{[]string{"s3:ListAllMyBuckets"}, []string{"*"}},
				{[]string{"s3:ListBucket"}, []string{bucket}},
				{[]string{"s3:GetObject", "s3:PutObject"}, []string{object}},
			},
			complete: true,
		},
		{
			name:     "other principals and times are left out",
			events:   []Event{ev("iam.amazonaws.com", "ListRoles"), {Time: t0, Source: "iam.amazonaws.com", Name: "ListUsers", Principal: app}, {Time: t0.Add(-48 * time.Hour), Source: "iam.amazonaws.com", Name: "ListGroups", Principal: alice}},
			filter:   Filter{Principal: alice, Start: t0.Add(-time.Hour), End: t0},
			want:     []stmt{{[]string{"iam:ListRoles"}, []string{"*"}}},
			complete: true,
		},
		{
			// "you can receive a placeholder such as
			// "Resource":"arn:aws:s3:::${BucketName}" instead of "*""
			// (API_GetGeneratedPolicy, includeResourcePlaceholders).
			name:     "placeholders for actions used on no known resource",
			events:   []Event{ev("s3.amazonaws.com", "GetBucketPolicy"), ev("iam.amazonaws.com", "ListRoles")},
			opt:      Options{ResourcePlaceholders: true, Account: "123456789012"},
			want:     []stmt{{[]string{"iam:ListRoles"}, []string{"*"}}, {[]string{"s3:GetBucketPolicy"}, []string{"arn:aws:s3:::${BucketName}"}}},
			complete: true,
		},
		{
			name:     "unknown services make the policy incomplete",
			events:   []Event{ev("gatehouse.amazonaws.com", "CreateWorkload"), ev("sts.amazonaws.com", "GetCallerIdentity")},
			want:     []stmt{{[]string{"sts:GetCallerIdentity"}, []string{"*"}}},
			complete: false,
		},
		{
			// The service-level template names the services used whose
			// actions are not identified (IAM User Guide,
			// access-analyzer-policy-generation.md, "Service and
			// action-level information").
			name:     "service-level template",
			events:   []Event{ev("organizations.amazonaws.com", "NoSuchOperation"), ev("organizations.amazonaws.com", "ListAccounts"), ev("iam.amazonaws.com", "GetUser", alice)},
			opt:      Options{ServiceLevelTemplate: true},
			want:     []stmt{{[]string{"iam:GetUser"}, []string{alice}}, {[]string{"organizations:*"}, []string{"*"}}},
			complete: false,
		},
		{
			name:     "service-level template left out unless asked",
			events:   []Event{ev("organizations.amazonaws.com", "NoSuchOperation"), ev("organizations.amazonaws.com", "ListAccounts")},
			want:     []stmt{{[]string{"organizations:ListAccounts"}, []string{"*"}}},
			complete: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := Summarize(tt.events, tt.filter)
			docs, err := u.Policies(tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []stmt
			for _, s := range statementsOf(t, docs) {
				if s.Effect != "Allow" {
					t.Errorf("effect %q", s.Effect)
				}
				got = append(got, stmt{s.Action, s.Resource})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("statements\n got %v\nwant %v", got, tt.want)
			}
			if u.Complete() != tt.complete {
				t.Errorf("complete = %v, want %v", u.Complete(), tt.complete)
			}
		})
	}
}

// TestExceptionsExist: every action the exceptions name is in the Service
// Authorization Reference, in its case.
func TestExceptionsExist(t *testing.T) {
	t.Parallel()
	data := authref.Lookup()
	for op, acts := range exceptions {
		if _, ok := data.Action(op); ok {
			t.Errorf("%s is an action of its own: no exception needed", op)
		}
		for _, a := range acts {
			got, ok := data.Action(a)
			if !ok || got.FullName() != a {
				t.Errorf("%s → %s: not an action of the reference", op, a)
			}
		}
	}
}

// TestManyResourcesSplit: a principal that used many actions on many
// resources gets several policies, each within the size limit and valid.
func TestManyResourcesSplit(t *testing.T) {
	t.Parallel()
	var events []Event
	names := []string{"GetUser", "ListAccessKeys", "ListUserPolicies", "GetLoginProfile", "ListMFADevices", "ListSSHPublicKeys", "ListGroupsForUser", "ListUserTags", "ListAttachedUserPolicies", "ListSigningCertificates"}
	for i, n := range names {
		for j := range MaxResources {
			events = append(events, ev("iam.amazonaws.com", n, "arn:aws:iam::123456789012:user/some/long/path/for/users/user-"+strings.Repeat("x", i)+"-"+string(rune('a'+j))))
		}
	}
	docs, err := Summarize(events, Filter{}).Policies(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("%d policies, want a split", len(docs))
	}
	seen := map[string]bool{}
	for _, s := range statementsOf(t, docs) {
		for _, a := range s.Action {
			seen[a] = true
		}
	}
	if len(seen) != len(names) {
		t.Errorf("actions %v, want the %d used", seen, len(names))
	}
}

// TestTooManyResourcesWiden: past MaxResources, an action is granted on "*".
func TestTooManyResourcesWiden(t *testing.T) {
	t.Parallel()
	var events []Event
	for i := range MaxResources + 1 {
		events = append(events, ev("iam.amazonaws.com", "GetRole", "arn:aws:iam::123456789012:role/r"+string(rune('a'+i))))
	}
	docs, err := Summarize(events, Filter{}).Policies(Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := statementsOf(t, docs)
	if len(got) != 1 || !reflect.DeepEqual(got[0].Resource, []string{"*"}) {
		t.Errorf("statements %+v", got)
	}
}

func TestParseRecord(t *testing.T) {
	t.Parallel()
	rec := `{"eventTime":"2026-11-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"HeadObject",
	"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/app/s1",
	"sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + app + `"}}},
	"errorCode":"AccessDenied","resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]}`
	got, err := ParseRecord([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Time: t0, Source: "s3.amazonaws.com", Name: "HeadObject", Principal: app, Failed: true, Resources: []string{"arn:aws:s3:::b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{`{`, `{"eventSource":"iam.amazonaws.com"}`, `{"eventSource":"a","eventName":"b","eventTime":"yesterday"}`} {
		if _, err := ParseRecord([]byte(bad)); err == nil {
			t.Errorf("ParseRecord(%s) succeeded", bad)
		}
	}
}

// TestOneStatementTooLong: a statement longer than the limit by itself is
// split by its resources, so every policy is within the limit.
func TestOneStatementTooLong(t *testing.T) {
	t.Parallel()
	long := "arn:aws:iam::123456789012:user/" + strings.Repeat("p/", 150)
	var events []Event
	for i := range MaxResources {
		events = append(events, ev("iam.amazonaws.com", "GetUser", long+"u"+string(rune('a'+i))))
	}
	events = append(events, ev("iam.amazonaws.com", "ListUsers"))
	docs, err := Summarize(events, Filter{}).Policies(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("%d policies, want a split", len(docs))
	}
	n := 0
	for _, s := range statementsOf(t, docs) {
		if slices.Contains(s.Action, "iam:GetUser") {
			n += len(s.Resource)
		}
	}
	if n != MaxResources {
		t.Errorf("iam:GetUser on %d resources, want %d", n, MaxResources)
	}
}

// TestEveryActionValid: whatever a trail holds, the generated policy
// passes ValidatePolicy, as an identity policy and as a managed one, with no
// ERROR or SECURITY_WARNING: every action of Gatehouse's services used once,
// on no known resource (the widest policy), at every level of detail.
func TestEveryActionValid(t *testing.T) {
	t.Parallel()
	data := authref.Lookup()
	var events []Event
	for _, svc := range []string{"iam", "sts", "organizations", "access-analyzer", "s3", "cloudtrail"} {
		s, ok := data.Service(svc)
		if !ok {
			t.Fatalf("no service %s", svc)
		}
		for _, a := range s.Actions {
			events = append(events, ev(svc+".amazonaws.com", a.Name))
		}
		events = append(events, ev(svc+".amazonaws.com", "NoSuchOperation"))
	}
	u := Summarize(events, Filter{})
	if _, ok := u.Actions[passRole]; ok {
		t.Error("iam:PassRole is in the policy")
	}
	for _, o := range []Options{{}, {ResourcePlaceholders: true, Account: "123456789012"}, {ServiceLevelTemplate: true}, {ResourcePlaceholders: true, ServiceLevelTemplate: true}} {
		docs, err := u.Policies(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			for _, kind := range []policy.Kind{policy.KindIdentity, policy.KindManaged} {
				for _, f := range validate.Validate(d, kind) {
					if f.Type == validate.TypeError || f.Type == validate.TypeSecurityWarning {
						t.Errorf("options %+v: %s %s: %s", o, f.Type, f.Code, f.Message)
					}
				}
			}
			if len(d) > MaxPolicySize {
				t.Errorf("options %+v: a policy of %d characters", o, len(d))
			}
		}
	}
}
