package decision

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

func TestVouched(t *testing.T) {
	tests := []struct {
		principal, session string
		want               Vouched
		bad                bool
	}{
		{principal: "arn:aws:iam::111111111111:user/apps/alice",
			want: Vouched{Type: policy.PrincipalUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/apps/alice", Name: "alice"}},
		{principal: "arn:aws:iam::111111111111:root",
			want: Vouched{Type: policy.PrincipalRoot, Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"}},
		{principal: "arn:aws:sts::111111111111:assumed-role/reader/job-1",
			want: Vouched{Type: policy.PrincipalRoleSession, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/reader/job-1", Name: "reader", SessionName: "job-1"}},
		{principal: "arn:aws:iam::111111111111:role/apps/reader", session: "job-1",
			want: Vouched{Type: policy.PrincipalRoleSession, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/reader/job-1",
				Name: "reader", RoleARN: "arn:aws:iam::111111111111:role/apps/reader", SessionName: "job-1"}},
		{principal: "arn:aws:iam::111111111111:role/reader", bad: true},               // no session name
		{principal: "arn:aws:iam::111111111111:user/alice", session: "s1", bad: true}, // session name with a user
		{principal: "arn:aws:sts::111111111111:assumed-role/reader/job-1", session: "s1", bad: true},
		{principal: "arn:aws:sts::111111111111:federated-user/bob", bad: true},
		{principal: "arn:aws:iam::111111111111:role/aws-service-role/x.amazonaws.com/R", session: "s1", bad: true},
		{principal: "ec2.amazonaws.com", bad: true},
		{principal: "arn:aws:iam::111111111111:group/admins", bad: true},
		{principal: "alice", bad: true},
	}
	for _, tc := range tests {
		r := &Request{Principal: tc.principal, SessionName: tc.session}
		got, err := r.Vouched()
		if tc.bad {
			if e, ok := err.(*Error); !ok || e.Code != "ValidationException" {
				t.Errorf("%s %s: Vouched = %+v, %v; want ValidationException", tc.principal, tc.session, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s %s: Vouched = %+v, %v; want %+v", tc.principal, tc.session, got, err, tc.want)
		}
	}
}
