package accessanalyzer

import (
	"reflect"
	"testing"

	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestAnalyzeBucket: a bucket's policy, ACL and Block Public Access as IAM
// Access Analyzer reads them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-s3).
func TestAnalyzeBucket(t *testing.T) {
	t.Parallel()
	const other = "111122223333"
	pol := func(stmts ...string) string { return trust(stmts...) }
	publicRead := `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
	allUsers := acl.Grant{Grantee: acl.GroupOf(acl.AllUsers), Permission: acl.Read}
	otherUser := acl.Grant{Grantee: acl.User(acl.CanonicalID(other)), Permission: acl.Write}
	ownUser := acl.Grant{Grantee: acl.User(acl.CanonicalID(own)), Permission: acl.FullControl}
	readActions := []string{"s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"}
	everyone := map[string]string{"AWS": "*"}
	tests := []struct {
		name string
		b    bucketConfig
		want []access
	}{
		{"private", bucketConfig{Grants: []acl.Grant{ownUser}, ACLsEnabled: true}, nil},
		{"public policy", bucketConfig{Policy: pol(publicRead)},
			[]access{{Principal: everyone, Actions: []string{"s3:GetObject"}, Public: true, Sources: []string{"POLICY"}}}},
		{"another account by policy", bucketConfig{Policy: pol(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":["s3:Get*","sts:AssumeRole"],"Resource":"*"}`)},
			[]access{{Principal: map[string]string{"AWS": "arn:aws:iam::" + other + ":root"}, Actions: []string{"s3:Get*"}, Sources: []string{"POLICY"}}}},
		{"pinned to an organization is not public", bucketConfig{Policy: pol(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`)},
			[]access{{Principal: everyone, Actions: []string{"s3:GetObject"}, Condition: map[string]string{"aws:PrincipalOrgID": "o-abc123"}, Sources: []string{"POLICY"}}}},
		{"own account only", bucketConfig{Policy: pol(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}`)}, nil},
		{"deny over the whole bucket cancels", bucketConfig{Policy: pol(publicRead, `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}`)}, nil},
		{"deny over a prefix does not cancel", bucketConfig{Policy: pol(publicRead, `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/private/*"}`)},
			[]access{{Principal: everyone, Actions: []string{"s3:GetObject"}, Public: true, Sources: []string{"POLICY"}}}},
		{"public ACL", bucketConfig{Grants: []acl.Grant{ownUser, allUsers}, ACLsEnabled: true},
			[]access{{Principal: everyone, Actions: readActions, Public: true, Sources: []string{"BUCKET_ACL"}}}},
		{"ACLs disabled", bucketConfig{Grants: []acl.Grant{allUsers, otherUser}}, nil},
		{"another account's canonical user", bucketConfig{Grants: []acl.Grant{otherUser}, ACLsEnabled: true},
			[]access{{Principal: map[string]string{"CanonicalUser": acl.CanonicalID(other)}, Actions: []string{"s3:DeleteObject", "s3:PutObject"}, Sources: []string{"BUCKET_ACL"}}}},
		{"policy and ACL merge", bucketConfig{Policy: pol(publicRead), Grants: []acl.Grant{allUsers}, ACLsEnabled: true},
			[]access{{Principal: everyone, Actions: append([]string{"s3:GetObject"}, readActions...), Public: true, Sources: []string{"BUCKET_ACL", "POLICY"}}}},
		{"IgnorePublicAcls (account level)", bucketConfig{Grants: []acl.Grant{allUsers, otherUser}, ACLsEnabled: true, AccountBPA: &store.PublicAccessBlock{IgnorePublicAcls: true}},
			[]access{{Principal: map[string]string{"CanonicalUser": acl.CanonicalID(other)}, Actions: []string{"s3:DeleteObject", "s3:PutObject"}, Sources: []string{"BUCKET_ACL"}}}},
		{"RestrictPublicBuckets on a public policy", bucketConfig{Policy: pol(publicRead, `{"Effect":"Allow","Principal":{"AWS":"`+other+`"},"Action":"s3:PutObject","Resource":"*"}`),
			BucketBPA: &store.PublicAccessBlock{RestrictPublicBuckets: true}}, nil},
		{"RestrictPublicBuckets leaves a policy that is not public", bucketConfig{Policy: pol(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:PutObject","Resource":"*"}`),
			BucketBPA: &store.PublicAccessBlock{RestrictPublicBuckets: true}},
			[]access{{Principal: map[string]string{"AWS": other}, Actions: []string{"s3:PutObject"}, Sources: []string{"POLICY"}}}},
		{"BlockPublicPolicy refuses changes only", bucketConfig{Policy: pol(publicRead), BucketBPA: &store.PublicAccessBlock{BlockPublicPolicy: true, BlockPublicAcls: true}},
			[]access{{Principal: everyone, Actions: []string{"s3:GetObject"}, Public: true, Sources: []string{"POLICY"}}}},
	}
	for _, tt := range tests {
		got := analyzeBucket(accountZone(own), tt.b)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}
