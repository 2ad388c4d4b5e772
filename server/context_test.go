package server_test

import (
	"context"
	"maps"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse-iam/gatehouse/identity/identitytest"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// TestCallerContextMatchesOracle is the differential test of #17 through
// the server's caches: the request context of a root user, a user with
// tags and a role session with tags and a source identity — built over
// the principal's keys that authview (users) and STS (sessions) prepare
// once — has exactly the keys and values the old builder gives for the
// caller, on the first request and the cached ones, and after the user's
// and the role's tags change the next request has the new tags.
func TestCallerContextMatchesOracle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.Start(t)
	root := srv.RootIAM()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	must(root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID +
		`:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`
	must(root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trust),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	alice := *key.AccessKey
	sess, err := srv.STSClient(*alice.AccessKeyId, *alice.SecretAccessKey).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/ops"), RoleSessionName: aws.String("s1"),
		SourceIdentity: aws.String("alice"), Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("x")}}})
	if err != nil {
		t.Fatal(err)
	}
	principals := map[string]*sigv4.Auth{
		"root":         {AccessKeyID: testserver.RootKeyID},
		"user":         {AccessKeyID: *alice.AccessKeyId},
		"role session": {AccessKeyID: *sess.Credentials.AccessKeyId, SessionToken: *sess.Credentials.SessionToken},
	}
	wantTags := map[string]map[string]string{
		"user":         {"team": "blue"},
		"role session": {"env": "prod", "project": "x"},
	}
	check := func(round string) {
		t.Helper()
		for name, a := range principals {
			for i := range 3 { // the first request may prepare, the others reuse
				a := *a
				a.Service, a.Region = "iam", "us-east-1"
				r := httptest.NewRequest("POST", "/", nil)
				r.Header.Set("User-Agent", "differential/1")
				c, err := srv.HTTP.CallerForTest(r, &a)
				if err != nil {
					t.Fatalf("%s, %s: %v", round, name, err)
				}
				if i > 0 && name != "root" && c.PrincipalKeys == nil {
					t.Errorf("%s, %s, request %d: no prepared principal keys", round, name, i)
				}
				if !maps.Equal(c.Tags, wantTags[name]) {
					t.Errorf("%s, %s: tags %v, want %v", round, name, c.Tags, wantTags[name])
				}
				got := identitytest.Map(c.Context())
				oracle := *c
				oracle.PrincipalKeys, oracle.Clock = nil, nil
				if want := identitytest.Map(identitytest.OracleContext(&oracle)); !maps.Equal(got, want) {
					t.Errorf("%s, %s, request %d: context\n%v\nwant\n%v", round, name, i, got, want)
				}
			}
		}
	}
	check("first")
	must(root.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String("alice"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}, {Key: aws.String("level"), Value: aws.String("2")}}}))
	must(root.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("ops"), TagKeys: []string{"env"}}))
	wantTags["user"] = map[string]string{"team": "red", "level": "2"}
	wantTags["role session"] = map[string]string{"project": "x"}
	check("after the tags changed")
	must(root.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("ops"), Tags: []iamtypes.Tag{{Key: aws.String("project"), Value: aws.String("y")}}}))
	// A session tag overrides the role's tag of the same key.
	check("after the role got a tag the session has")
}
