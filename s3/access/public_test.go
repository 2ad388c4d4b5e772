package access

import (
	"errors"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

func stmtPolicy(stmt string) *policy.Policy {
	return policy.MustCompile("bp", `{"Version":"2012-10-17","Statement":[`+stmt+`]}`, policy.KindResource)
}

// "The meaning of public" (S3 user guide,
// access-control-block-public-access.html#access-control-block-public-access-policy-status)
// and the API reference's PublicAccessBlockConfiguration: a policy is public
// unless every statement granting a "bad action" (s3:Get*, s3:List*,
// s3:AbortMultipartUpload, s3:Delete*, s3:Put*, s3:RestoreObject) names
// fixed principals or is limited by fixed values of the listed keys.
func TestIsPublicPolicy(t *testing.T) {
	const res = `"Resource":"arn:aws:s3:::b/*"`
	tests := []struct {
		name   string
		stmt   string
		public bool
	}{
		{"everyone reads", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `}`, true},
		{"AWS * reads", `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject",` + res + `}`, true},
		{"fixed account", `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*",` + res + `}`, false},
		{"fixed role", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"s3:GetObject",` + res + `}`, false},
		{"fixed service", `{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject",` + res + `}`, false},
		{"fixed and *", `{"Effect":"Allow","Principal":{"AWS":["111122223333","*"]},"Action":"s3:GetObject",` + res + `}`, true},
		{"deny to everyone", `{"Effect":"Deny","Principal":"*","Action":"s3:*",` + res + `}`, false},
		{"everyone, no bad action", `{"Effect":"Allow","Principal":"*","Action":"s3:CreateBucket",` + res + `}`, false},
		{"everyone, NotAction", `{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject",` + res + `}`, true},
		{"everyone, s3:*", `{"Effect":"Allow","Principal":"*","Action":"s3:*",` + res + `}`, true},
		{"everyone, s3:Get?bject", `{"Effect":"Allow","Principal":"*","Action":"s3:Get?bject",` + res + `}`, true},
		{"fixed SourceVpce", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`, false},
		{"fixed SourceAccount", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}`, false},
		{"fixed SourceArn", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/E1"}}}`, false},
		{"fixed PrincipalOrgID", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`, false},
		{"wildcard SourceArn", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*"}}}`, true},
		{"variable in value", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}}`, true},
		{"IfExists does not pin", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}`, true},
		{"negated does not pin", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}}`, true},
		{"other key does not pin", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:Referer":"https://example.com"}}}`, true},
		{"userid fixed", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}}`, false},
		{"userid AROLEID:*", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"StringLike":{"aws:userid":"AROAEXAMPLE:*"}}}`, true},
		{"KMS key fixed", `{"Effect":"Allow","Principal":"*","Action":"s3:PutObject",` + res + `,"Condition":{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k"}}}`, false},
		{"SourceIp /24", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`, false},
		{"SourceIp /8", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, false},
		{"SourceIp 0.0.0.0/1", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}}`, true},
		{"SourceIp IPv6 /64", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/64"}}}`, false},
		{"SourceIp IPv6 /16", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"IpAddress":{"aws:SourceIp":"2001::/16"}}}`, true},
		{"NotIpAddress does not pin", `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + res + `,"Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`, true},
		{"NotPrincipal allow", `{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:GetObject",` + res + `}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsPublicPolicy(stmtPolicy(tc.stmt)); got != tc.public {
				t.Errorf("IsPublicPolicy = %v, want %v", got, tc.public)
			}
		})
	}
	if IsPublicPolicy(nil) {
		t.Error("nil policy public")
	}
}

func TestPublicAccessBlock(t *testing.T) {
	bucket := PublicAccessBlock{BlockPublicAcls: true}
	account := PublicAccessBlock{RestrictPublicBuckets: true}
	if m := bucket.Merge(account); !m.BlockPublicAcls || !m.RestrictPublicBuckets || m.IgnorePublicAcls || m.BlockPublicPolicy {
		t.Fatalf("merge %+v", m)
	}
	o := acl.Owner{ID: acl.CanonicalID(acctA)}
	pub, _ := acl.Canned(acl.CannedPublicRead, acl.ForObject, o, o)
	priv := acl.Private(o)
	if !IsPublicACL(pub) || IsPublicACL(priv) {
		t.Fatal("IsPublicACL")
	}
	isDenied := func(err error) bool {
		var e *awserr.Error
		return errors.As(err, &e) && e.Code == "AccessDenied" && e.Status == 403 && e.Message == "Access Denied"
	}
	if !isDenied(bucket.CheckACL(pub)) || bucket.CheckACL(priv) != nil || (PublicAccessBlock{}).CheckACL(pub) != nil {
		t.Fatal("CheckACL")
	}
	pp := stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	if !isDenied(PublicAccessBlock{BlockPublicPolicy: true}.CheckPolicy(pp)) || (PublicAccessBlock{}).CheckPolicy(pp) != nil {
		t.Fatal("CheckPolicy")
	}
}

func FuzzPatternsIntersect(f *testing.F) {
	f.Add("s3:get*", "s3:g?t*")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		if patternsIntersect(a, b) != patternsIntersect(b, a) {
			t.Fatalf("not symmetric: %q %q", a, b)
		}
	})
}
