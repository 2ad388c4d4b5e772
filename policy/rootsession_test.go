package policy

import "testing"

// TestRootSessionTaskPolicy: a root session (STS AssumeRoot) keeps the
// root user's implicit permissions and its task policy only denies — the
// task policies AWS defines (arn:aws:iam::aws:policy/root-task/…) have no
// Allow statement (IAM User Guide, "Perform a privileged task on an AWS
// Organizations member account"). The policy here is
// root-task/IAMAuditRootUserCredentials.
func TestRootSessionTaskPolicy(t *testing.T) {
	task := MustCompile("IAMAuditRootUserCredentials", `{"Version":"2012-10-17","Statement":[
	 {"Sid":"DenyAllOtherActionsOnAnyResource","Effect":"Deny","NotAction":["iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetAccountSummary","iam:GetUser","iam:GetAccessKeyLastUsed"],"Resource":"*"},
	 {"Sid":"DenyAuditingCredentialsOnNonRootUserResource","Effect":"Deny","Action":["iam:ListAccessKeys","iam:ListSigningCertificates","iam:GetLoginProfile","iam:ListMFADevices","iam:GetUser","iam:GetAccessKeyLastUsed"],"NotResource":"arn:aws:iam::*:root"}]}`, KindSession)
	root := Principal{Type: PrincipalRoot, ARN: "arn:aws:iam::111122223333:root", Account: "111122223333"}
	for _, c := range []struct {
		action, resource string
		set              *Set
		want             Decision
	}{
		{"iam:GetUser", "arn:aws:iam::111122223333:root", &Set{Session: []*Policy{task}}, Allowed},
		{"iam:GetAccountSummary", "*", &Set{Session: []*Policy{task}}, Allowed},
		{"iam:GetUser", "arn:aws:iam::111122223333:user/bob", &Set{Session: []*Policy{task}}, ExplicitDeny},
		{"iam:CreateUser", "arn:aws:iam::111122223333:user/bob", &Set{Session: []*Policy{task}}, ExplicitDeny},
		{"iam:CreateUser", "arn:aws:iam::111122223333:user/bob", &Set{}, Allowed},
	} {
		req := &Request{Principal: root, Action: c.action, Resource: c.resource, Context: NewContext(0)}
		if got := Evaluate(c.set, req).Decision; got != c.want {
			t.Errorf("%s on %s with %d session policies: %v, want %v", c.action, c.resource, len(c.set.Session), got, c.want)
		}
	}
}
