package iam_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

func trustAWS(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

// TestTrustPolicyValidation: CreateRole and UpdateAssumeRolePolicy check a
// trust policy as AWS does, with AWS's MalformedPolicyDocument messages:
//   - "Invalid principal in policy: "AWS":"ARN"" for a user or role that does
//     not exist (github.com/opstrace/opstrace/issues/88,
//     github.com/databrickslabs/ucx/issues/2269 for UpdateAssumeRolePolicy;
//     AWS stores the principal's unique id, so the entity must exist,
//     github.com/hashicorp/terraform-provider-aws/issues/8905);
//   - "AssumeRole policy may only specify STS AssumeRole actions." and "Has
//     prohibited field Resource" (LocalStack's AWS-validated snapshot of
//     test_update_assume_role_policy_errors; the latter also in
//     github.com/devopsacademyau/academy/pull/1368 for CreateRole);
//   - a statement without a principal is refused (the policy parser's
//     "Missing required field Principal"; AWS has also been seen answering
//     "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException:
//     The passed in policy has a statement with no principals!",
//     github.com/terraform-aws-modules/terraform-aws-iam/issues/47 — the
//     parser's wording is kept here; the policy package owns it).
func TestTrustPolicyValidation(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/dev/")}); err != nil {
		t.Fatal(err)
	}
	createRole(t, root, "ops")
	// A second account Gatehouse holds, with no user in it.
	err := srv.Store.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindAccount, "", "210987654321", store.Account{ID: "210987654321", CreateDate: time.Now().UTC()})
	})
	if err != nil {
		t.Fatal(err)
	}
	const nobody = "arn:aws:iam::123456789012:user/nobody"
	bad := []struct{ name, doc, msg string }{
		{"missing user", trustAWS(nobody), `Invalid principal in policy: "AWS":"` + nobody + `"`},
		{"missing role", trustAWS("arn:aws:iam::123456789012:role/gone"), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/gone"`},
		{"user under another path", trustAWS("arn:aws:iam::123456789012:user/alice"), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/alice"`},
		{"missing user of another known account", trustAWS("arn:aws:iam::210987654321:user/nobody"), `Invalid principal in policy: "AWS":"arn:aws:iam::210987654321:user/nobody"`},
		{"role trusting itself", trustAWS("arn:aws:iam::123456789012:role/new"), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/new"`},
		{"s3 action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`,
			"AssumeRole policy may only specify STS AssumeRole actions."},
		{"resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
			"Has prohibited field Resource"},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "Missing required field Principal"},
	}
	for _, c := range bad {
		t.Run("CreateRole/"+c.name, func(t *testing.T) {
			_, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("new"), AssumeRolePolicyDocument: aws.String(c.doc)})
			mpWantError(t, err, "MalformedPolicyDocument", c.msg)
		})
		t.Run("UpdateAssumeRolePolicy/"+c.name, func(t *testing.T) {
			_, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ops"), PolicyDocument: aws.String(c.doc)})
			mpWantError(t, err, "MalformedPolicyDocument", c.msg)
		})
	}
	if r, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ops")}); err != nil || decoded(t, r.Role.AssumeRolePolicyDocument) != ec2Trust {
		t.Fatalf("trust policy changed by a refused update: %+v %v", r, err)
	}

	good := []string{
		trustAWS("arn:aws:iam::123456789012:user/dev/alice"),
		trustAWS("arn:aws:iam::123456789012:role/ops"),
		trustAWS("arn:aws:iam::123456789012:root"),
		trustAWS("123456789012"),
		trustAWS("arn:aws:iam::210987654321:root"),
		// An account Gatehouse does not hold cannot be checked: accepted
		// (AWS, which holds every account, would check it).
		trustAWS("arn:aws:iam::999999999999:user/anyone"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dev/alice"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`,
	}
	for i, doc := range good {
		name := "good" + string(rune('a'+i))
		if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
			t.Errorf("CreateRole %s: %v", doc, err)
		}
		if _, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ops"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Errorf("UpdateAssumeRolePolicy %s: %v", doc, err)
		}
	}
	// A role may trust itself once it exists.
	if _, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ops"), PolicyDocument: aws.String(trustAWS("arn:aws:iam::123456789012:role/ops"))}); err != nil {
		t.Errorf("self trust after creation: %v", err)
	}
}
