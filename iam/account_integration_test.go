package iam_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// seedStore writes records straight into the test server's store (for entities
// whose operations live elsewhere) and brings the directory up to date.
func seedStore(t *testing.T, srv *testserver.Server, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := srv.Store.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Directory.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// attachSeed attaches a managed policy to an entity, both index directions.
func attachSeed(ctx context.Context, tx store.Tx, kind store.EntityKind, entity, policyAccount, policyName, policyARN string) error {
	a := store.Attachment{PolicyARN: policyARN, EntityKind: kind, EntityName: entity}
	if err := store.PutJSON(ctx, tx, store.KindAttachment, testserver.AccountID, store.AttachmentKey(kind, entity, policyAccount, policyName), a); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, store.KindPolicyAttachment, testserver.AccountID, store.PolicyAttachmentKey(policyAccount, policyName, kind, entity), a)
}

func TestAccountAlias(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	list := func() []string {
		t.Helper()
		out, err := root.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.AccountAliases
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("new account has aliases %v", got)
	}
	if _, err := root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}); err != nil {
		t.Fatal(err)
	}
	if got := list(); !slices.Equal(got, []string{"example-corp"}) {
		t.Fatalf("aliases %v", got)
	}
	// Creating it again is harmless; a new alias replaces the old one (an
	// account has at most one alias, reference_iam-quotas.md).
	if _, err := root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("example-new")}); err != nil {
		t.Fatal(err)
	}
	if got := list(); !slices.Equal(got, []string{"example-new"}) {
		t.Fatalf("aliases after replacement %v", got)
	}
	// The old alias was released; an alias held by another account is taken.
	seedStore(t, srv, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.Get(ctx, store.KindAccountAlias, "", "example-corp"); !isStoreNotFound(err) {
			t.Errorf("old alias still recorded: %v", err)
		}
		return store.PutJSON(ctx, tx, store.KindAccountAlias, "", "taken", store.AccountAlias{Alias: "taken", AccountID: "210987654321"})
	})
	_, err := root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("taken")})
	wantCode(t, err, "EntityAlreadyExists")
	// The model's pattern and the User Guide's rules.
	_, err = root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("Bad--Alias")})
	wantCode(t, err, "ValidationError")
	_, err = root.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("123456789012")})
	wantCode(t, err, "ValidationError")

	_, err = root.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("example-corp")})
	wantCode(t, err, "NoSuchEntity")
	if _, err := root.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("example-new")}); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("aliases after delete %v", got)
	}

	// A user without permission is denied.
	bob := srv.NewUserWithKey(t, "bob")
	_, err = bob.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
	wantCode(t, err, "AccessDenied")
}

func isStoreNotFound(err error) bool { return err != nil && errors.Is(err, store.ErrNotFound) }

func TestAccountSummary(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	for _, n := range []string{"u1", "u2"} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	seedStore(t, srv, func(ctx context.Context, tx store.Tx) error {
		return attachSeed(ctx, tx, store.EntityUser, "u1", store.AWSAccount, "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	})
	out, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	m := out.SummaryMap
	want := map[string]int32{
		"Users": 2, "UsersQuota": 5000, "Groups": 0, "GroupsQuota": 300, "Roles": 0, "RolesQuota": 1000,
		"Policies": 0, "PoliciesQuota": 1500, "AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 1,
		"AccountMFAEnabled": 0, "MFADevices": 0, "MFADevicesInUse": 0, "PolicyVersionsInUse": 1,
		"AttachedPoliciesPerUserQuota": 10, "GroupsPerUserQuota": 10, "PolicySizeQuota": 6144,
		"VersionsPerPolicyQuota": 5, "InstanceProfilesQuota": 1000, "ServerCertificates": 0, "Providers": 0,
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	// Every key of the model's SummaryKeyType is reported.
	if len(m) != len(types.SummaryKeyType("").Values()) {
		t.Errorf("SummaryMap has %d keys, the model %d: %v", len(m), len(types.SummaryKeyType("").Values()), m)
	}
	bob := srv.NewUserWithKey(t, "bob")
	_, err = bob.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	wantCode(t, err, "AccessDenied")
}

func TestAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("dev"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("Reports"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	const acct = testserver.AccountID
	localARN := "arn:aws:iam::" + acct + ":policy/Local"
	seedStore(t, srv, func(ctx context.Context, tx store.Tx) error {
		g := store.Group{ID: "AGPAEXAMPLEGROUP0001", Name: "Devs", Path: "/", ARN: "arn:aws:iam::" + acct + ":group/Devs", CreateDate: now}
		r := store.Role{ID: "AROAEXAMPLEROLE00001", Name: "App", Path: "/", ARN: "arn:aws:iam::" + acct + ":role/App", CreateDate: now,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, MaxSessionDuration: 3600,
			PermissionsBoundaryARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}
		ip := store.InstanceProfile{ID: "AIPAEXAMPLEPROFILE01", Name: "AppProfile", Path: "/", ARN: "arn:aws:iam::" + acct + ":instance-profile/AppProfile", CreateDate: now, Roles: []string{"App"}}
		mp := store.ManagedPolicy{ID: "ANPAEXAMPLEPOLICY001", Name: "Local", Path: "/", ARN: localARN, DefaultVersionID: "v2", CreateDate: now, UpdateDate: now, NextVersion: 3, AttachmentCount: 1}
		steps := []error{
			store.PutJSON(ctx, tx, store.KindGroup, acct, store.GroupKey(g.Name), g),
			store.PutJSON(ctx, tx, store.KindRole, acct, store.RoleKey(r.Name), r),
			store.PutJSON(ctx, tx, store.KindInstanceProfile, acct, store.InstanceProfileKey(ip.Name), ip),
			store.PutJSON(ctx, tx, store.KindPolicy, acct, store.PolicyKey(mp.Name), mp),
			store.PutJSON(ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey("Local", "v1"), store.PolicyVersion{PolicyARN: localARN, VersionID: "v1", Document: doc, CreateDate: now}),
			store.PutJSON(ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey("Local", "v2"), store.PolicyVersion{PolicyARN: localARN, VersionID: "v2", Document: doc, IsDefault: true, CreateDate: now}),
			store.PutJSON(ctx, tx, store.KindMembership, acct, store.MembershipKey("Devs", "dev"), store.GroupMembership{GroupName: "Devs", UserName: "dev"}),
			store.PutJSON(ctx, tx, store.KindUserMembership, acct, store.UserMembershipKey("dev", "Devs"), store.GroupMembership{GroupName: "Devs", UserName: "dev"}),
			store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityRole, "App", "RoleInline"), store.InlinePolicy{OwnerKind: store.EntityRole, OwnerName: "App", PolicyName: "RoleInline", Document: doc}),
			attachSeed(ctx, tx, store.EntityUser, "dev", store.AWSAccount, "ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
			attachSeed(ctx, tx, store.EntityGroup, "Devs", acct, "Local", localARN),
		}
		for _, err := range steps {
			if err != nil {
				return err
			}
		}
		return nil
	})

	out, err := root.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UserDetailList) != 1 || len(out.GroupDetailList) != 1 || len(out.RoleDetailList) != 1 || len(out.Policies) != 2 {
		t.Fatalf("lists: %d users, %d groups, %d roles, %d policies", len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies))
	}
	u := out.UserDetailList[0]
	if *u.UserName != "dev" || !slices.Equal(u.GroupList, []string{"Devs"}) || len(u.Tags) != 1 ||
		len(u.AttachedManagedPolicies) != 1 || *u.AttachedManagedPolicies[0].PolicyName != "ReadOnlyAccess" ||
		len(u.UserPolicyList) != 1 || *u.UserPolicyList[0].PolicyName != "Reports" {
		t.Errorf("user detail %+v", u)
	}
	// Documents are URL-encoded (RFC 3986), as the API reference says.
	if got := *u.UserPolicyList[0].PolicyDocument; got == doc {
		t.Errorf("inline document not URL-encoded: %s", got)
	} else if dec, _ := url.PathUnescape(got); dec != doc {
		t.Errorf("inline document decodes to %s", dec)
	}
	g := out.GroupDetailList[0]
	if *g.GroupName != "Devs" || len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != localARN || len(g.GroupPolicyList) != 0 {
		t.Errorf("group detail %+v", g)
	}
	r := out.RoleDetailList[0]
	if *r.RoleName != "App" || len(r.InstanceProfileList) != 1 || *r.InstanceProfileList[0].InstanceProfileName != "AppProfile" ||
		len(r.InstanceProfileList[0].Roles) != 1 || len(r.RolePolicyList) != 1 || r.RoleLastUsed == nil {
		t.Errorf("role detail %+v", r)
	}
	// AWS spells the boundary type "Policy" on the wire (acceptance seed-04).
	if r.PermissionsBoundary == nil || r.PermissionsBoundary.PermissionsBoundaryType != "Policy" || *r.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("role boundary %+v", r.PermissionsBoundary)
	}
	if dec, _ := url.PathUnescape(*r.AssumeRolePolicyDocument); dec == *r.AssumeRolePolicyDocument || dec[0] != '{' {
		t.Errorf("trust policy not URL-encoded: %s", *r.AssumeRolePolicyDocument)
	}
	// The customer managed policy with every version; the AWS managed policy
	// because it is attached in the account, with its default version.
	var local, awsPol *types.ManagedPolicyDetail
	for i := range out.Policies {
		switch *out.Policies[i].Arn {
		case localARN:
			local = &out.Policies[i]
		case "arn:aws:iam::aws:policy/ReadOnlyAccess":
			awsPol = &out.Policies[i]
		}
	}
	if local == nil || len(local.PolicyVersionList) != 2 || *local.DefaultVersionId != "v2" || !local.IsAttachable {
		t.Errorf("local policy %+v", local)
	}
	if awsPol == nil || *awsPol.AttachmentCount != 1 || len(awsPol.PolicyVersionList) != 1 || !awsPol.PolicyVersionList[0].IsDefaultVersion {
		t.Errorf("AWS managed policy %+v", awsPol)
	}

	// Filter.
	f, err := root.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeAWSManagedPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.UserDetailList) != 0 || len(f.GroupDetailList) != 0 || len(f.RoleDetailList) != 1 || len(f.Policies) != 1 || *f.Policies[0].PolicyName != "ReadOnlyAccess" {
		t.Errorf("filtered: %d users, %d groups, %d roles, %v policies", len(f.UserDetailList), len(f.GroupDetailList), len(f.RoleDetailList), len(f.Policies))
	}

	// Pagination across the combined list, one entity per page.
	var names []string
	p := awsiam.NewGetAccountAuthorizationDetailsPaginator(root, &awsiam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := len(pg.UserDetailList) + len(pg.GroupDetailList) + len(pg.RoleDetailList) + len(pg.Policies)
		if n != 1 {
			t.Fatalf("page holds %d entities", n)
		}
		for _, x := range pg.UserDetailList {
			names = append(names, *x.UserName)
		}
		for _, x := range pg.GroupDetailList {
			names = append(names, *x.GroupName)
		}
		for _, x := range pg.RoleDetailList {
			names = append(names, *x.RoleName)
		}
		for _, x := range pg.Policies {
			names = append(names, *x.PolicyName)
		}
	}
	if want := []string{"dev", "Devs", "App", "Local", "ReadOnlyAccess"}; !slices.Equal(names, want) {
		t.Errorf("paged names %v, want %v", names, want)
	}
}
