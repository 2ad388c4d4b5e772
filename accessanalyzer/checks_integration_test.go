package accessanalyzer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestCustomPolicyChecks drives the three custom policy checks through
// aws-sdk-go-v2's accessanalyzer client, with the AWS examples of each
// (API reference, CheckNoNewAccess / CheckAccessNotGranted /
// CheckNoPublicAccess, and the AWS CLI example of check-no-new-access).
func TestCustomPolicyChecks(t *testing.T) {
	s := testserver.Start(t)
	c := aa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	ctx := context.Background()

	existing := `{"Version":"2012-10-17","Statement":[{"Sid":"VisualEditor0","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::amzn-s3-demo-bucket","arn:aws:s3:::amzn-s3-demo-bucket/*"]}]}`
	wider := strings.Replace(existing, `"s3:GetObject",`, `"s3:GetObject","s3:GetObjectAcl",`, 1)
	out, err := c.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(wider), ExistingPolicyDocument: aws.String(existing), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != aatypes.CheckNoNewAccessResultFail || aws.ToString(out.Message) != "The modified permissions grant new access compared to your existing policy." ||
		len(out.Reasons) != 1 || aws.ToString(out.Reasons[0].Description) != "New access in the statement with sid: VisualEditor0." ||
		aws.ToInt32(out.Reasons[0].StatementIndex) != 0 || aws.ToString(out.Reasons[0].StatementId) != "VisualEditor0" {
		t.Fatalf("CheckNoNewAccess wider: %+v %+v", out, out.Reasons)
	}
	out, err = c.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(existing), ExistingPolicyDocument: aws.String(wider), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != aatypes.CheckNoNewAccessResultPass || len(out.Reasons) != 0 {
		t.Fatalf("CheckNoNewAccess narrower: %+v", out)
	}

	bucket := `{"Version":"2012-10-17","Id":"123","Statement":[{"Sid":"AllowJohnDoe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/JohnDoe"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*"}]}`
	ag, err := c.CheckAccessNotGranted(ctx, &aa.CheckAccessNotGrantedInput{PolicyDocument: aws.String(bucket), PolicyType: aatypes.AccessCheckPolicyTypeResourcePolicy,
		Access: []aatypes.Access{{Resources: []string{"arn:aws:s3:::my-bucket/*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if ag.Result != aatypes.CheckAccessNotGrantedResultFail || aws.ToString(ag.Message) != "The policy document grants access to perform one or more of the listed actions or resources." ||
		len(ag.Reasons) != 1 || aws.ToString(ag.Reasons[0].Description) != "One or more of the listed actions or resources in the statement with sid: AllowJohnDoe." {
		t.Fatalf("CheckAccessNotGranted: %+v %+v", ag, ag.Reasons)
	}
	ag, err = c.CheckAccessNotGranted(ctx, &aa.CheckAccessNotGrantedInput{PolicyDocument: aws.String(bucket), PolicyType: aatypes.AccessCheckPolicyTypeResourcePolicy,
		Access: []aatypes.Access{{Actions: []string{"s3:GetObject"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if ag.Result != aatypes.CheckAccessNotGrantedResultPass || aws.ToString(ag.Message) != "The policy document does not grant access to perform the listed actions or resources." {
		t.Fatalf("CheckAccessNotGranted: %+v", ag)
	}

	public := `{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":"*","Action":["s3:GetObject"]}]}`
	pa, err := c.CheckNoPublicAccess(ctx, &aa.CheckNoPublicAccessInput{PolicyDocument: aws.String(public), ResourceType: aatypes.AccessCheckResourceTypeS3Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if pa.Result != aatypes.CheckNoPublicAccessResultFail || aws.ToString(pa.Message) != "The resource policy grants public access for the given resource type." ||
		len(pa.Reasons) != 1 || aws.ToString(pa.Reasons[0].Description) != "Public access granted in the following statement with sid: Bob." {
		t.Fatalf("CheckNoPublicAccess: %+v %+v", pa, pa.Reasons)
	}
	pinned := strings.Replace(public, `"Action"`, `"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}},"Action"`, 1)
	pa, err = c.CheckNoPublicAccess(ctx, &aa.CheckNoPublicAccessInput{PolicyDocument: aws.String(pinned), ResourceType: aatypes.AccessCheckResourceTypeS3Bucket})
	if err != nil {
		t.Fatal(err)
	}
	if pa.Result != aatypes.CheckNoPublicAccessResultPass || aws.ToString(pa.Message) != "The resource policy does not grant public access for the given resource type." {
		t.Fatalf("CheckNoPublicAccess pinned: %+v", pa)
	}
}

// TestCustomPolicyCheckErrors: bad input gets ValidationException with the
// member in its fieldList, and a caller without access-analyzer:Check*
// permission AccessDeniedException.
func TestCustomPolicyCheckErrors(t *testing.T) {
	s := testserver.Start(t)
	c := aa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	ctx := context.Background()
	ok := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

	wantValidation := func(name string, err error, field string) {
		t.Helper()
		var ve *aatypes.ValidationException
		if !errors.As(err, &ve) {
			t.Fatalf("%s: got %v, want ValidationException", name, err)
		}
		if len(ve.FieldList) == 0 || aws.ToString(ve.FieldList[0].Name) != field {
			t.Fatalf("%s: fieldList %+v, want %s", name, ve.FieldList, field)
		}
	}
	_, err := c.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(`{"Statement":`), ExistingPolicyDocument: aws.String(ok), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	wantValidation("malformed new document", err, "newPolicyDocument")
	_, err = c.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(ok), ExistingPolicyDocument: aws.String(`[]`), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	wantValidation("malformed existing document", err, "existingPolicyDocument")
	_, err = c.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(ok), ExistingPolicyDocument: aws.String(ok), PolicyType: "GROUP_POLICY"})
	wantValidation("unknown policy type", err, "policyType")
	_, err = c.CheckNoPublicAccess(ctx, &aa.CheckNoPublicAccessInput{PolicyDocument: aws.String(ok), ResourceType: "AWS::EC2::Instance"})
	wantValidation("unknown resource type", err, "resourceType")
	_, err = c.CheckAccessNotGranted(ctx, &aa.CheckAccessNotGrantedInput{PolicyDocument: aws.String(ok), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy,
		Access: []aatypes.Access{{Actions: []string{"s3:GetObject"}}, {Actions: []string{"s3:PutObject"}}}})
	wantValidation("two access objects", err, "access")

	// A user without permission for the checks is denied.
	if _, err := s.RootIAM().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	key, err := s.RootIAM().CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	nobody := aa.NewFromConfig(s.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)))
	_, err = nobody.CheckNoNewAccess(ctx, &aa.CheckNoNewAccessInput{NewPolicyDocument: aws.String(ok), ExistingPolicyDocument: aws.String(ok), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "access-analyzer:CheckNoNewAccess") {
		t.Fatalf("unauthorized caller: %v", err)
	}
}
