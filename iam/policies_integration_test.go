package iam_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/managedpolicies"
	"github.com/gatehouse-iam/gatehouse/store"
)

// mpWantError checks an API error's code and exact message.
func mpWantError(t *testing.T, err error, code, message string) {
	t.Helper()
	wantCode(t, err, code)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != message {
		t.Fatalf("%s message\n%q, want\n%q", code, ae.ErrorMessage(), message)
	}
}

// mpAllow is an identity policy allowing actions on every resource.
func mpAllow(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}}`
}

// mpCreate creates a customer managed policy and returns its ARN.
func mpCreate(t *testing.T, c *awsiam.Client, name, doc string) string {
	t.Helper()
	out, err := c.CreatePolicy(context.Background(), &awsiam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return *out.Policy.Arn
}

// mpPutRecord writes an entity record straight into the store (for groups and
// roles, whose operations live elsewhere).
func mpPutRecord(t *testing.T, srv *testserver.Server, kind store.Kind, key string, v any) {
	t.Helper()
	ctx := context.Background()
	if err := srv.Store.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, kind, testserver.AccountID, key, v)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestManagedPolicyAcceptance is the acceptance flow: create, read back, attach,
// version, roll back, and the conflicts that guard deletion.
func TestManagedPolicyAcceptance(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")

	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"iam:ListUsers\", \"Resource\": \"*\"}\n}"
	created, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("Lister"), Path: aws.String("/team/"), PolicyDocument: aws.String(doc),
		Description: aws.String("lists users"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := created.Policy
	arn := "arn:aws:iam::123456789012:policy/team/Lister"
	if !strings.HasPrefix(*p.PolicyId, "ANPA") || len(*p.PolicyId) != 21 || *p.Arn != arn || *p.Path != "/team/" ||
		*p.DefaultVersionId != "v1" || *p.AttachmentCount != 0 || !p.IsAttachable || len(p.Tags) != 1 || p.CreateDate == nil {
		t.Fatalf("created policy %+v", p)
	}
	// Names are unique in the account whatever the path or case. Message as
	// AWS words it (localstack's snapshot-verified IAM provider, create_policy).
	_, err = root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("lister"), PolicyDocument: aws.String(doc)})
	mpWantError(t, err, "EntityAlreadyExists", "A policy called lister already exists. Duplicate names are not allowed.")

	got, err := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || *got.Policy.Description != "lists users" || *got.Policy.PolicyId != *p.PolicyId {
		t.Fatalf("GetPolicy %+v %v", got, err)
	}
	// The document round-trips, URL-encoded as IAM returns it.
	v1, err := root.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if dec, err := url.QueryUnescape(*v1.PolicyVersion.Document); err != nil || dec != doc || !v1.PolicyVersion.IsDefaultVersion {
		t.Fatalf("v1 document %q (%v)", *v1.PolicyVersion.Document, err)
	}
	if strings.Contains(*v1.PolicyVersion.Document, "{") {
		t.Errorf("document not URL-encoded: %q", *v1.PolicyVersion.Document)
	}

	// Attaching grants at once.
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("after attach: %v", err)
	}
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if *got.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount %d", *got.Policy.AttachmentCount)
	}
	att, err := root.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("bob")})
	if err != nil || len(att.AttachedPolicies) != 1 || *att.AttachedPolicies[0].PolicyArn != arn || *att.AttachedPolicies[0].PolicyName != "Lister" {
		t.Fatalf("ListAttachedUserPolicies %+v %v", att, err)
	}
	att, _ = root.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("bob"), PathPrefix: aws.String("/other/")})
	if len(att.AttachedPolicies) != 0 {
		t.Errorf("PathPrefix /other/ listed %+v", att.AttachedPolicies)
	}
	ents, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || len(ents.PolicyUsers) != 1 || *ents.PolicyUsers[0].UserName != "bob" || !strings.HasPrefix(*ents.PolicyUsers[0].UserId, "AIDA") {
		t.Fatalf("ListEntitiesForPolicy %+v %v", ents, err)
	}

	// A new default version changes bob's permissions at once.
	v2, err := root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(mpAllow("iam:ListPolicies")), SetAsDefault: true})
	if err != nil || *v2.PolicyVersion.VersionId != "v2" || !v2.PolicyVersion.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion %+v %v", v2, err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := bob.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}); err != nil {
		t.Fatalf("v2 grants ListPolicies: %v", err)
	}
	// Rollback.
	if _, err := root.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("after rollback: %v", err)
	}
	_, err = bob.ListPolicies(ctx, &awsiam.ListPoliciesInput{})
	wantCode(t, err, "AccessDenied")
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if *got.Policy.DefaultVersionId != "v1" {
		t.Errorf("DefaultVersionId %s", *got.Policy.DefaultVersionId)
	}

	// The default version cannot be deleted (message: localstack's IAM
	// provider, delete_policy_version).
	_, err = root.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	mpWantError(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	if _, err := root.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" version v2 does not exist or is not attachable.")
	// Version ids are never reused; five versions at most (message as in
	// AWS's LimitExceeded for CreatePolicyVersion).
	for _, want := range []string{"v3", "v4", "v5", "v6"} {
		out, err := root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(mpAllow("iam:GetUser"))})
		if err != nil || *out.PolicyVersion.VersionId != want || out.PolicyVersion.IsDefaultVersion {
			t.Fatalf("CreatePolicyVersion want %s: %+v %v", want, out, err)
		}
	}
	_, err = root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(mpAllow("iam:GetUser"))})
	mpWantError(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	// ListPolicyVersions pages, newest first.
	var ids []string
	pg := awsiam.NewListPolicyVersionsPaginator(root, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2)})
	pages := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, v := range out.Versions {
			if v.Document != nil {
				t.Errorf("ListPolicyVersions returned a document")
			}
			ids = append(ids, *v.VersionId+fmt.Sprint(v.IsDefaultVersion))
		}
	}
	if strings.Join(ids, ",") != "v6false,v5false,v4false,v3false,v1true" || pages != 3 {
		t.Errorf("versions %v in %d pages", ids, pages)
	}

	// An attached policy cannot be deleted (DeleteConflict as AWS words it,
	// e.g. terraform-aws-modules/terraform-aws-eks#3132).
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mpWantError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	if _, err := root.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	// Detaching what is not attached (message: localstack's detach_role_policy).
	_, err = root.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if *got.Policy.AttachmentCount != 0 {
		t.Errorf("AttachmentCount after detach %d", *got.Policy.AttachmentCount)
	}
	// Non-default versions block deletion (message as AWS returns it, quoted
	// in redradrat/aws-iam-operator#13).
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mpWantError(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v3", "v4", "v5", "v6"} {
		if _, err := root.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
	// The name is free again, and a new policy starts at v1.
	again := mpCreate(t, root, "Lister", doc)
	if out, _ := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(again)}); *out.Policy.DefaultVersionId != "v1" {
		t.Errorf("recreated policy %+v", out.Policy)
	}
}

func TestManagedPolicyErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}

	// Documents are parsed as identity policies, with the engine's message.
	_, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`)})
	mpWantError(t, err, "MalformedPolicyDocument", "Policy statement must contain actions.")
	// Managed policies need Version 2012-10-17, inline ones do not
	// (reference_policies_elements_version; IAM's message as moto's
	// IAM-verified cases record it: tests/test_iam/test_iam_policies.py).
	for _, doc := range []string{
		`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
		`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`,
	} {
		_, err = root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("old"), PolicyDocument: aws.String(doc)})
		mpWantError(t, err, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.")
		if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("old"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Errorf("inline policy %s: %v", doc, err)
		}
	}
	// An IAM resource with a region (IAM is global).
	_, err = root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("regional"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1:123456789012:user/u"}}`)})
	wantCode(t, err, "MalformedPolicyDocument")
	// 6144 characters without white space (reference_iam-quotas.md); the
	// message follows AWS's "Cannot exceed quota for NAME: N" form.
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::` + strings.Repeat("b", 6100) + `"]}}`
	_, err = root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	mpWantError(t, err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
	// White space does not count.
	spaced := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}` + strings.Repeat(" ", 7000)
	arn := mpCreate(t, root, "spaced", spaced)
	_, err = root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(big)})
	mpWantError(t, err, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
	_, err = root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(`{"Statement":[]`)})
	wantCode(t, err, "MalformedPolicyDocument")

	// ARNs that are not policy ARNs.
	_, err = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:user/u")})
	mpWantError(t, err, "InvalidInput", "ARN arn:aws:iam::123456789012:user/u is not valid.")
	// A policy under another path is another policy.
	_, err = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/x/spaced")})
	mpWantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/x/spaced was not found.")
	_, err = root.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/nope")})
	mpWantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope was not found.")
	_, err = root.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.")
	_, err = root.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.")

	// Attach errors: a missing policy (message as AWS returns it, quoted in
	// pulumi/pulumi#7419), a missing user, and attaching twice is a no-op.
	missing := "arn:aws:iam::123456789012:policy/nope"
	_, err = root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(missing)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.")
	_, err = root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("ghost"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
	_, err = root.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("ghost")})
	mpWantError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
	for range 2 {
		if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	if out, _ := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)}); *out.Policy.AttachmentCount != 1 {
		t.Errorf("attaching twice: AttachmentCount %d", *out.Policy.AttachmentCount)
	}
	// Ten managed policies per user (reference_iam-quotas.md; the message as
	// AWS returns it, e.g. "Cannot exceed quota for PoliciesPerUser: 10").
	for i := range 9 {
		a := mpCreate(t, root, fmt.Sprintf("p%d", i), mpAllow("iam:GetUser"))
		if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	mpWantError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")
	// ListAttachedUserPolicies pages across pages.
	var names []string
	pg := awsiam.NewListAttachedUserPoliciesPaginator(root, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("u"), MaxItems: aws.Int32(3)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.AttachedPolicies {
			names = append(names, *a.PolicyName)
		}
	}
	if len(names) != 10 {
		t.Errorf("attached %v", names)
	}

	// AWS managed policies are read-only to customers (AccessDenied "Policy is
	// outside your own account.", the message IAM-compatible services such as
	// China Telecom's OOS IAM reproduce).
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	_, err = root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(ro)})
	mpWantError(t, err, "AccessDenied", "Policy is outside your own account.")
	_, err = root.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(ro), PolicyDocument: aws.String(mpAllow("s3:*"))})
	mpWantError(t, err, "AccessDenied", "Policy is outside your own account.")
	_, err = root.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(ro), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	mpWantError(t, err, "AccessDenied", "Policy is outside your own account.")
	_, err = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	mpWantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy was not found.")
	// Service role policies attach only to service-linked roles
	// (PolicyNotAttachable, as AWS words it for customer roles and users).
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("v"), PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy")})
	mpWantError(t, err, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")

	// Tags.
	tags := []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c"), Value: aws.String("3")}}
	if _, err := root.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: []string{"B"}}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	tp := awsiam.NewListPolicyTagsPaginator(root, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(1)})
	for tp.HasMorePages() {
		out, err := tp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range out.Tags {
			keys = append(keys, *tg.Key)
		}
	}
	if strings.Join(keys, ",") != "a,c" {
		t.Errorf("tags %v", keys)
	}
	_, err = root.TagPolicy(ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("X"), Value: aws.String("2")}}})
	wantCode(t, err, "InvalidInput")
	_, err = root.ListPolicyTags(ctx, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(missing)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
	_, err = root.UntagPolicy(ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(missing), TagKeys: []string{"a"}})
	wantCode(t, err, "NoSuchEntity")
}

// TestAWSManagedReadOnlyAccess attaches the AWS managed ReadOnlyAccess policy:
// IAM reads go through, writes are denied.
func TestAWSManagedReadOnlyAccess(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	bob := srv.NewUserWithKey(t, "bob")
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"

	got, err := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ro)})
	if err != nil || *got.Policy.PolicyName != "ReadOnlyAccess" || *got.Policy.AttachmentCount != 0 || !got.Policy.IsAttachable || !strings.HasPrefix(*got.Policy.PolicyId, "ANPA") {
		t.Fatalf("GetPolicy ReadOnlyAccess %+v %v", got, err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(ro)}); err != nil {
		t.Fatal(err)
	}
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ro)})
	if *got.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount %d", *got.Policy.AttachmentCount)
	}
	// Reads go through: users, the policy itself, its document.
	if _, err := bob.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if _, err := bob.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ro)}); err != nil {
		t.Fatalf("GetPolicy: %v", err)
	}
	ver, err := bob.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ro), VersionId: got.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := url.QueryUnescape(*ver.PolicyVersion.Document); !strings.Contains(dec, `"iam:Get*"`) || !ver.PolicyVersion.IsDefaultVersion {
		t.Errorf("ReadOnlyAccess document %.200s", dec)
	}
	// Only the default version is in the catalogue.
	_, err = root.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(ro), VersionId: aws.String("v1")})
	if *got.Policy.DefaultVersionId != "v1" {
		mpWantError(t, err, "NoSuchEntity", "Policy "+ro+" version v1 does not exist or is not attachable.")
	}
	vs, err := root.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(ro)})
	if err != nil || len(vs.Versions) != 1 || *vs.Versions[0].VersionId != *got.Policy.DefaultVersionId {
		t.Fatalf("ListPolicyVersions %+v %v", vs, err)
	}
	ents, err := bob.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro)})
	if err != nil || len(ents.PolicyUsers) != 1 || *ents.PolicyUsers[0].UserName != "bob" {
		t.Fatalf("ListEntitiesForPolicy %+v %v", ents, err)
	}
	// Writes are denied.
	_, err = bob.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("eve")})
	wantCode(t, err, "AccessDenied")
	_, err = bob.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(mpAllow("s3:*"))})
	wantCode(t, err, "AccessDenied")
	_, err = bob.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(ro)})
	wantCode(t, err, "AccessDenied")

	// Detaching takes the reads away again.
	if _, err := root.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(ro)}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(ro)})
	if *got.Policy.AttachmentCount != 0 {
		t.Errorf("AttachmentCount after detach %d", *got.Policy.AttachmentCount)
	}
}

// TestListPolicies pages through the whole catalogue and filters by scope,
// attachment and path.
func TestListPolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	catalog, err := managedpolicies.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("Mine"), Path: aws.String("/team/"), PolicyDocument: aws.String(mpAllow("s3:GetObject"))}); err != nil {
		t.Fatal(err)
	}
	mpCreate(t, root, "Other", mpAllow("s3:GetObject"))

	list := func(in *awsiam.ListPoliciesInput) (names []string, pages int) {
		t.Helper()
		pg := awsiam.NewListPoliciesPaginator(root, in)
		seen := map[string]bool{}
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, p := range out.Policies {
				if seen[*p.Arn] {
					t.Fatalf("%s listed twice", *p.Arn)
				}
				seen[*p.Arn] = true
				if p.Tags != nil {
					t.Errorf("ListPolicies returned tags")
				}
				names = append(names, *p.PolicyName)
			}
		}
		return names, pages
	}
	all, pages := list(&awsiam.ListPoliciesInput{MaxItems: aws.Int32(500)})
	if len(all) != catalog.Len()+2 || pages != (catalog.Len()+2+499)/500 {
		t.Errorf("All: %d policies in %d pages, want %d", len(all), pages, catalog.Len()+2)
	}
	if aws, _ := list(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}); len(aws) != catalog.Len() {
		t.Errorf("AWS: %d", len(aws))
	}
	if local, _ := list(&awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}); strings.Join(local, ",") != "Mine,Other" {
		t.Errorf("Local: %v", local)
	}
	if team, _ := list(&awsiam.ListPoliciesInput{PathPrefix: aws.String("/team/")}); strings.Join(team, ",") != "Mine" {
		t.Errorf("/team/: %v", team)
	}
	if attached, _ := list(&awsiam.ListPoliciesInput{OnlyAttached: true}); len(attached) != 0 {
		t.Errorf("attached before any attachment: %v", attached)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/Other"} {
		if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}); err != nil {
		t.Fatal(err)
	}
	if attached, _ := list(&awsiam.ListPoliciesInput{OnlyAttached: true, MaxItems: aws.Int32(1)}); strings.Join(attached, ",") != "Other,PowerUserAccess,ReadOnlyAccess" {
		t.Errorf("OnlyAttached: %v", attached)
	}
	if attached, _ := list(&awsiam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}); strings.Join(attached, ",") != "Other,ReadOnlyAccess" {
		t.Errorf("OnlyAttached PermissionsPolicy: %v", attached)
	}
	if attached, _ := list(&awsiam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}); strings.Join(attached, ",") != "PowerUserAccess" {
		t.Errorf("OnlyAttached PermissionsBoundary: %v", attached)
	}
	if attached, _ := list(&awsiam.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeAws}); strings.Join(attached, ",") != "PowerUserAccess,ReadOnlyAccess" {
		t.Errorf("OnlyAttached AWS: %v", attached)
	}
	_, err = root.ListPolicies(ctx, &awsiam.ListPoliciesInput{Marker: aws.String("!!")})
	wantCode(t, err, "InvalidInput")
}

// TestGroupAndRoleAttachments attaches to groups and roles (their records are
// written straight to the store: their operations live elsewhere) and lists
// the entities of a policy with filters and pagination.
func TestGroupAndRoleAttachments(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	acct := testserver.AccountID
	mpPutRecord(t, srv, store.KindGroup, store.GroupKey("Devs"), store.Group{ID: "AGPAAAAAAAAAAAAAAAAAA", Name: "Devs", Path: "/eng/", ARN: arn.Group(acct, "/eng/", "Devs")})
	mpPutRecord(t, srv, store.KindRole, store.RoleKey("App"), store.Role{ID: "AROAAAAAAAAAAAAAAAAAA", Name: "App", Path: "/", ARN: arn.Role(acct, "/", "App"), MaxSessionDuration: 3600,
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`})
	mpPutRecord(t, srv, store.KindRole, store.RoleKey("AWSServiceRoleForSupport"), store.Role{ID: "AROABBBBBBBBBBBBBBBBB", Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/support.amazonaws.com/",
		ARN: arn.Role(acct, "/aws-service-role/support.amazonaws.com/", "AWSServiceRoleForSupport"), ServiceLinked: true, MaxSessionDuration: 3600})
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	arn := mpCreate(t, root, "Shared", mpAllow("s3:GetObject"))

	if _, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("App"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("nope"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "The group with name nope cannot be found.")
	_, err = root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("nope"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	// Service-linked roles are protected (UnmodifiableEntity, AWS's wording).
	_, err = root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("AWSServiceRoleForSupport"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForSupport' - this role is only modifiable by AWS")

	got, _ := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if *got.Policy.AttachmentCount != 3 {
		t.Errorf("AttachmentCount %d", *got.Policy.AttachmentCount)
	}
	ga, err := root.ListAttachedGroupPolicies(ctx, &awsiam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Devs")})
	if err != nil || len(ga.AttachedPolicies) != 1 {
		t.Fatalf("ListAttachedGroupPolicies %+v %v", ga, err)
	}
	ra, err := root.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("App")})
	if err != nil || len(ra.AttachedPolicies) != 1 {
		t.Fatalf("ListAttachedRolePolicies %+v %v", ra, err)
	}
	_, err = root.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("nope")})
	wantCode(t, err, "NoSuchEntity")

	// ListEntitiesForPolicy: every kind, across pages, with ids.
	var users, groups, roles []string
	pg := awsiam.NewListEntitiesForPolicyPaginator(root, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(1)})
	pages := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.PolicyUsers {
			users = append(users, *u.UserName)
		}
		for _, g := range out.PolicyGroups {
			groups = append(groups, *g.GroupName+"="+*g.GroupId)
		}
		for _, r := range out.PolicyRoles {
			roles = append(roles, *r.RoleName+"="+*r.RoleId)
		}
	}
	if pages != 3 || strings.Join(users, ",") != "u" || strings.Join(groups, ",") != "Devs=AGPAAAAAAAAAAAAAAAAAA" || strings.Join(roles, ",") != "App=AROAAAAAAAAAAAAAAAAAA" {
		t.Errorf("entities in %d pages: users %v groups %v roles %v", pages, users, groups, roles)
	}
	only, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeRole})
	if err != nil || len(only.PolicyRoles) != 1 || len(only.PolicyUsers)+len(only.PolicyGroups) != 0 {
		t.Errorf("EntityFilter Role: %+v %v", only, err)
	}
	eng, err := root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), PathPrefix: aws.String("/eng/")})
	if err != nil || len(eng.PolicyGroups) != 1 || len(eng.PolicyUsers)+len(eng.PolicyRoles) != 0 {
		t.Errorf("PathPrefix /eng/: %+v %v", eng, err)
	}
	_, err = root.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/nope")})
	mpWantError(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope was not found.")

	// Detach from each kind; the count follows.
	if _, err := root.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("App"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("App"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
	_, err = root.DetachGroupPolicy(ctx, &awsiam.DetachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
	got, _ = root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if *got.Policy.AttachmentCount != 1 {
		t.Errorf("AttachmentCount after detaching two %d", *got.Policy.AttachmentCount)
	}

	// Ten per group and per role, with their quota names.
	for i := range 10 {
		a := mpCreate(t, root, fmt.Sprintf("q%d", i), mpAllow("s3:GetObject"))
		for _, attach := range []func() error{
			func() error {
				_, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: aws.String(a)})
				return err
			},
			func() error {
				_, err := root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("App"), PolicyArn: aws.String(a)})
				return err
			},
		} {
			if err := attach(); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, err = root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("Devs"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerGroup: 10")
	_, err = root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("App"), PolicyArn: aws.String(arn)})
	mpWantError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")
}
