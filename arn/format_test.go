package arn

import "testing"

func TestFormat(t *testing.T) {
	const a = "123456789012"
	tests := []struct{ got, want string }{
		{User(a, "/", "alice"), "arn:aws:iam::123456789012:user/alice"},
		{User(a, "", "alice"), "arn:aws:iam::123456789012:user/alice"},
		{User(a, "/division_abc/subdivision_xyz/", "Bob"), "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},
		{Group(a, "/eng/", "Dev"), "arn:aws:iam::123456789012:group/eng/Dev"},
		{Role(a, "/service-role/", "R"), "arn:aws:iam::123456789012:role/service-role/R"},
		{Policy("aws", "/", "ReadOnlyAccess"), "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{Policy(a, "/p/", "Mine"), "arn:aws:iam::123456789012:policy/p/Mine"},
		{InstanceProfile(a, "/", "Web"), "arn:aws:iam::123456789012:instance-profile/Web"},
		{MFADevice(a, "/", "bob-phone"), "arn:aws:iam::123456789012:mfa/bob-phone"},
		{Root(a), "arn:aws:iam::123456789012:root"},
		{OIDCProvider(a, "token.actions.githubusercontent.com"), "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
		{Workload("us-east-1", a, "i-0123456789abcdef0"), "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
