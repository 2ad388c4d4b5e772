package organizations_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// wantError checks an error's code, its Reason member when reason is not
// "", and its message when msg is not "".
func wantError(t *testing.T, err error, code, reason, msg string) {
	t.Helper()
	wantCode(t, err, code)
	var got string
	var iie *types.InvalidInputException
	var cve *types.ConstraintViolationException
	var hcv *types.HandshakeConstraintViolationException
	switch {
	case errors.As(err, &iie):
		got = string(iie.Reason)
	case errors.As(err, &cve):
		got = string(cve.Reason)
	case errors.As(err, &hcv):
		got = string(hcv.Reason)
	}
	if reason != "" && got != reason {
		t.Fatalf("reason of %v is %q, want %s", err, got, reason)
	}
	var ae smithy.APIError
	if msg != "" && (!errors.As(err, &ae) || ae.ErrorMessage() != msg) {
		t.Fatalf("message of %v, want %q", err, msg)
	}
}

// mgmtUser creates a user of the management account with an inline policy
// and returns its Organizations client.
func mgmtUser(t *testing.T, s *testserver.Server, name, doc string) *awsorg.Client {
	t.Helper()
	ctx := context.Background()
	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return s.OrgClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

// createAccount creates one more member account and returns its id.
func createAccount(t *testing.T, org *awsorg.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	ca, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String(name + "@example.com"), AccountName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount %s: %+v %v", name, st, err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

func principals(l []types.EnabledServicePrincipal) []string {
	var out []string
	for _, p := range l {
		out = append(out, aws.ToString(p.ServicePrincipal))
	}
	return out
}

// TestTrustedAccess covers EnableAWSServiceAccess, DisableAWSServiceAccess
// and ListAWSServiceAccessForOrganization
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAWSServiceAccess.html):
// management account only, principals from the User Guide's list of
// integrated services
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html),
// and the organizations:ServicePrincipal condition key the User Guide
// describes for these actions (orgs_integrate_services.html).
func TestTrustedAccess(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	_, err := org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	m := s.NewMember(t)

	l, err := org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(l.EnabledServicePrincipals) != 0 || l.NextToken != nil {
		t.Fatalf("empty list: %+v %v", l, err)
	}
	// AWS's message for an unknown principal (localstack/localstack issue
	// 8559); StackSets' principal is member.org.stacksets.… and the short
	// form is refused (pepperize/cdk-organizations issue 1718).
	for _, p := range []string{"unknown.amazonaws.com", "stacksets.cloudformation.amazonaws.com"} {
		_, err = org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)})
		wantError(t, err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
	}
	_, err = org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("not a principal!")})
	wantCode(t, err, "InvalidInputException")

	enabled := []string{"guardduty.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com", "sso.amazonaws.com"}
	for _, p := range enabled {
		if _, err := org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			t.Fatalf("enable %s: %v", p, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct DateEnabled, so the order is known
	}
	all, err := org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(all.EnabledServicePrincipals) != 3 {
		t.Fatalf("list: %+v %v", all, err)
	}
	first := *all.EnabledServicePrincipals[0].DateEnabled
	if time.Since(first) > time.Minute || time.Since(first) < 0 {
		t.Fatalf("DateEnabled %v", first)
	}
	// Enabling again succeeds and keeps the date.
	if _, err := org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(enabled[0])}); err != nil {
		t.Fatal(err)
	}
	// Paging as the other list operations do.
	p1, err := org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{MaxResults: aws.Int32(2)})
	if err != nil || len(p1.EnabledServicePrincipals) != 2 || p1.NextToken == nil {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	p2, err := org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{MaxResults: aws.Int32(2), NextToken: p1.NextToken})
	if err != nil || len(p2.EnabledServicePrincipals) != 1 || p2.NextToken != nil {
		t.Fatalf("page 2: %+v %v", p2, err)
	}
	got := append(principals(p1.EnabledServicePrincipals), principals(p2.EnabledServicePrincipals)...)
	for i := range enabled {
		if got[i] != enabled[i] {
			t.Fatalf("order %v, want %v", got, enabled)
		}
	}
	if !p1.EnabledServicePrincipals[0].DateEnabled.Equal(first) {
		t.Fatalf("enabling again moved DateEnabled: %v, was %v", p1.EnabledServicePrincipals[0].DateEnabled, first)
	}
	_, err = org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{NextToken: aws.String("bogus")})
	wantError(t, err, "InvalidInputException", "INVALID_NEXT_TOKEN", "")
	_, err = org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{MaxResults: aws.Int32(21)})
	wantCode(t, err, "InvalidInputException")

	// Disabling removes the service; disabling again succeeds.
	for range 2 {
		if _, err := org.DisableAWSServiceAccess(ctx, &awsorg.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
	}
	all, err = org.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(all.EnabledServicePrincipals) != 2 {
		t.Fatalf("after disable: %+v %v", all, err)
	}
	_, err = org.DisableAWSServiceAccess(ctx, &awsorg.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("unknown.amazonaws.com")})
	wantError(t, err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL", "")

	// "You can only call this operation from the management account": the
	// member account's administrator is refused.
	member := awsorg.NewFromConfig(m.Admin)
	_, err = member.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	wantError(t, err, "AccessDeniedException", "", "You don't have permissions to access this resource.")
	_, err = member.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = member.DisableAWSServiceAccess(ctx, &awsorg.DisableAWSServiceAccessInput{ServicePrincipal: aws.String("guardduty.amazonaws.com")})
	wantCode(t, err, "AccessDeniedException")

	// organizations:ServicePrincipal limits which principals a user may
	// enable.
	limited := mgmtUser(t, s, "ta-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:EnableAWSServiceAccess","Resource":"*",
		"Condition":{"StringEquals":{"organizations:ServicePrincipal":"config.amazonaws.com"}}}]}`)
	if _, err := limited.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatalf("allowed principal: %v", err)
	}
	_, err = limited.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("backup.amazonaws.com")})
	wantCode(t, err, "AccessDeniedException")
	_, err = limited.ListAWSServiceAccessForOrganization(ctx, &awsorg.ListAWSServiceAccessForOrganizationInput{})
	wantCode(t, err, "AccessDeniedException")
}

// TestDelegatedAdministrators covers RegisterDelegatedAdministrator,
// DeregisterDelegatedAdministrator, ListDelegatedAdministrators and
// ListDelegatedServicesForAccount
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html)
// with the ConstraintViolationException reasons of the API reference, and
// the read-only access a delegated administrator gets ("It grants read-only
// access to Organizations service data").
func TestDelegatedAdministrators(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	second := createAccount(t, org, "second")
	gd := aws.String("guardduty.amazonaws.com")
	register := func(account string, p *string) error {
		_, err := org.RegisterDelegatedAdministrator(ctx, &awsorg.RegisterDelegatedAdministratorInput{AccountId: aws.String(account), ServicePrincipal: p})
		return err
	}

	// Trusted access comes first (SERVICE_ACCESS_NOT_ENABLED).
	wantError(t, register(m.Account, gd), "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED", "")
	for _, p := range []string{*gd, "member.org.stacksets.cloudformation.amazonaws.com", "ram.amazonaws.com"} {
		if _, err := org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	// The management account can't be registered; AWS's message
	// (aws-samples/iam-identity-center-team issue 355).
	wantError(t, register(testserver.AccountID, gd), "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
		"You cannot register management account/yourself as delegated administrator for your organization.")
	wantError(t, register("210987654321", gd), "AccountNotFoundException", "", "You specified an account that doesn't exist.")
	wantError(t, register(m.Account, aws.String("unknown.amazonaws.com")), "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL", "")
	// RAM supports trusted access but no delegated administrator.
	wantError(t, register(m.Account, aws.String("ram.amazonaws.com")), "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL", "")

	before := time.Now().Add(-time.Second)
	if err := register(m.Account, gd); err != nil {
		t.Fatal(err)
	}
	// AWS's message (pepperize/cdk-organizations issue 716).
	wantError(t, register(m.Account, gd), "AccountAlreadyRegisteredException", "", "The provided account is already a delegated administrator for your organization.")
	wantError(t, register(second, gd), "ConstraintViolationException", "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", "")
	// StackSets takes several delegated administrators.
	ss := aws.String("member.org.stacksets.cloudformation.amazonaws.com")
	for _, a := range []string{m.Account, second} {
		if err := register(a, ss); err != nil {
			t.Fatalf("stacksets %s: %v", a, err)
		}
	}

	la, err := org.ListDelegatedAdministrators(ctx, &awsorg.ListDelegatedAdministratorsInput{})
	if err != nil || len(la.DelegatedAdministrators) != 2 {
		t.Fatalf("ListDelegatedAdministrators: %+v %v", la, err)
	}
	d := la.DelegatedAdministrators[0]
	if aws.ToString(d.Id) != m.Account || aws.ToString(d.Email) != "member@example.com" || aws.ToString(d.Name) != "member" ||
		d.Status != types.AccountStatusActive || d.JoinedMethod != types.AccountJoinedMethodCreated ||
		!regexp.MustCompile(`^arn:aws:organizations::`+testserver.AccountID+`:account/o-[a-z0-9]{10}/`+m.Account+`$`).MatchString(aws.ToString(d.Arn)) ||
		d.DelegationEnabledDate == nil || d.DelegationEnabledDate.Before(before) || d.JoinedTimestamp == nil {
		t.Fatalf("delegated administrator %+v", d)
	}
	f, err := org.ListDelegatedAdministrators(ctx, &awsorg.ListDelegatedAdministratorsInput{ServicePrincipal: gd})
	if err != nil || len(f.DelegatedAdministrators) != 1 || aws.ToString(f.DelegatedAdministrators[0].Id) != m.Account {
		t.Fatalf("filtered: %+v %v", f, err)
	}
	pg, err := org.ListDelegatedAdministrators(ctx, &awsorg.ListDelegatedAdministratorsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(pg.DelegatedAdministrators) != 1 || pg.NextToken == nil {
		t.Fatalf("page 1: %+v %v", pg, err)
	}
	pg, err = org.ListDelegatedAdministrators(ctx, &awsorg.ListDelegatedAdministratorsInput{MaxResults: aws.Int32(1), NextToken: pg.NextToken})
	if err != nil || len(pg.DelegatedAdministrators) != 1 || pg.NextToken != nil || aws.ToString(pg.DelegatedAdministrators[0].Id) != second {
		t.Fatalf("page 2: %+v %v", pg, err)
	}

	ls, err := org.ListDelegatedServicesForAccount(ctx, &awsorg.ListDelegatedServicesForAccountInput{AccountId: aws.String(m.Account)})
	if err != nil || len(ls.DelegatedServices) != 2 || aws.ToString(ls.DelegatedServices[0].ServicePrincipal) != *gd ||
		aws.ToString(ls.DelegatedServices[1].ServicePrincipal) != *ss || ls.DelegatedServices[0].DelegationEnabledDate == nil {
		t.Fatalf("ListDelegatedServicesForAccount: %+v %v", ls, err)
	}
	_, err = org.ListDelegatedServicesForAccount(ctx, &awsorg.ListDelegatedServicesForAccountInput{AccountId: aws.String(testserver.AccountID)})
	wantError(t, err, "AccountNotRegisteredException", "", "The specified account is not a delegated administrator for this Amazon Web Services service.")
	_, err = org.ListDelegatedServicesForAccount(ctx, &awsorg.ListDelegatedServicesForAccountInput{AccountId: aws.String("210987654321")})
	wantCode(t, err, "AccountNotFoundException")

	// A delegated administrator can't leave before it is deregistered.
	_, err = org.RemoveAccountFromOrganization(ctx, &awsorg.RemoveAccountFromOrganizationInput{AccountId: aws.String(second)})
	wantError(t, err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "")

	// The delegated administrator reads the organization ("the management
	// account or a member account that is a delegated administrator") but
	// does not manage it.
	member := awsorg.NewFromConfig(m.Admin)
	accts, err := member.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 3 {
		t.Fatalf("delegated administrator ListAccounts: %+v %v", accts, err)
	}
	if _, err := member.ListDelegatedAdministrators(ctx, &awsorg.ListDelegatedAdministratorsInput{}); err != nil {
		t.Fatalf("delegated administrator ListDelegatedAdministrators: %v", err)
	}
	if _, err := member.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(second)}); err != nil {
		t.Fatalf("delegated administrator DescribeAccount: %v", err)
	}
	_, err = member.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(m.RootID), Name: aws.String("x")})
	wantCode(t, err, "AccessDeniedException")
	_, err = member.RegisterDelegatedAdministrator(ctx, &awsorg.RegisterDelegatedAdministratorInput{AccountId: aws.String(second), ServicePrincipal: gd})
	wantCode(t, err, "AccessDeniedException")
	// Its own IAM permissions still apply.
	reader := awsorg.NewFromConfig(m.NewUserWithKey(t, s, "no-org", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`))
	_, err = reader.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")

	// Deregistering.
	deregister := func(account string, p *string) error {
		_, err := org.DeregisterDelegatedAdministrator(ctx, &awsorg.DeregisterDelegatedAdministratorInput{AccountId: aws.String(account), ServicePrincipal: p})
		return err
	}
	for _, p := range []*string{gd, ss} {
		if err := deregister(m.Account, p); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, deregister(m.Account, gd), "AccountNotRegisteredException")
	wantCode(t, deregister("210987654321", gd), "AccountNotFoundException")
	_, err = member.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
	if err := register(second, gd); err != nil {
		t.Fatalf("register after the first was deregistered: %v", err)
	}
	for _, p := range []*string{gd, ss} {
		if err := deregister(second, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := org.RemoveAccountFromOrganization(ctx, &awsorg.RemoveAccountFromOrganizationInput{AccountId: aws.String(second)}); err != nil {
		t.Fatalf("remove after deregistering: %v", err)
	}
}

// TestResourcePolicy covers PutResourcePolicy, DescribeResourcePolicy and
// DeleteResourcePolicy, and the delegation they make: a member account the
// policy allows may make the delegable calls the User Guide lists
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html),
// if its own policies allow them too.
func TestResourcePolicy(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	member := awsorg.NewFromConfig(m.Admin)

	_, err := org.DescribeResourcePolicy(ctx, &awsorg.DescribeResourcePolicyInput{})
	wantError(t, err, "ResourcePolicyNotFoundException", "", "We can't find a resource policy request with the parameter that you specified.")
	_, err = org.DeleteResourcePolicy(ctx, &awsorg.DeleteResourcePolicyInput{})
	wantCode(t, err, "ResourcePolicyNotFoundException")
	_, err = member.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantError(t, err, "AccessDeniedException", "", "You don't have permissions to access this resource.")

	for _, c := range []struct{ content, reason string }{
		{`{"Version":"2012-10-17","Statement":[`, "INVALID_RESOURCE_POLICY_JSON"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:ListAccounts","Resource":"*"}]}`, "INVALID_RESOURCE_POLICY_JSON"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},"Action":"organizations:CreateAccount","Resource":"*"}]}`, "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},"Action":"s3:GetObject","Resource":"*"}]}`, "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"organizations:ListAccounts","Resource":"*"}]}`, "INVALID_PRINCIPAL"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},"Action":"organizations:ListAccounts","Resource":"arn:aws:s3:::bucket"}]}`, "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"},
	} {
		_, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(c.content)})
		wantError(t, err, "InvalidInputException", c.reason, "")
	}

	// The User Guide's example "View organization, OUs, accounts, and
	// policies", for the member account, less ListRoots.
	view := `{"Version":"2012-10-17","Statement":[{"Sid":"DelegatingNecessaryDescribeListActions","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + m.Account + `:root"},
		"Action":["organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribeAccount",
			"organizations:DescribePolicy","organizations:List*Parent*","organizations:ListAccounts","organizations:ListTagsForResource"],
		"Resource":"*"}]}`
	put, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(view),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	if err != nil {
		t.Fatal(err)
	}
	sum := put.ResourcePolicy.ResourcePolicySummary
	id := aws.ToString(sum.Id)
	if !regexp.MustCompile(`^rp-[0-9a-z]{8}$`).MatchString(id) ||
		aws.ToString(sum.Arn) != "arn:aws:organizations::"+testserver.AccountID+":resourcepolicy/"+m.OrgID+"/"+id ||
		aws.ToString(put.ResourcePolicy.Content) != view {
		t.Fatalf("PutResourcePolicy: %+v %+v", sum, put.ResourcePolicy)
	}
	tags, err := org.ListTagsForResource(ctx, &awsorg.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("tags of the resource policy: %+v %v", tags, err)
	}
	desc, err := org.DescribeResourcePolicy(ctx, &awsorg.DescribeResourcePolicyInput{})
	if err != nil || aws.ToString(desc.ResourcePolicy.ResourcePolicySummary.Id) != id || aws.ToString(desc.ResourcePolicy.Content) != view {
		t.Fatalf("DescribeResourcePolicy: %+v %v", desc, err)
	}

	// The member account now reads what the policy allows ...
	accts, err := member.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 2 {
		t.Fatalf("delegated ListAccounts: %+v %v", accts, err)
	}
	if _, err := member.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(testserver.AccountID)}); err != nil {
		t.Fatalf("delegated DescribeAccount: %v", err)
	}
	if _, err := member.ListAccountsForParent(ctx, &awsorg.ListAccountsForParentInput{ParentId: aws.String(m.RootID)}); err != nil {
		t.Fatalf("delegated ListAccountsForParent (a pattern): %v", err)
	}
	// ... and nothing else: a delegable action the policy leaves out, and
	// an action that can't be delegated.
	_, err = member.ListRoots(ctx, &awsorg.ListRootsInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = member.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(m.RootID), Name: aws.String("x")})
	wantError(t, err, "AccessDeniedException", "", "You don't have permissions to access this resource.")
	_, err = member.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(view)})
	wantCode(t, err, "AccessDeniedException")
	_, err = member.DeleteResourcePolicy(ctx, &awsorg.DeleteResourcePolicyInput{})
	wantCode(t, err, "AccessDeniedException")
	// The caller's own policies must allow the call as well.
	reader := awsorg.NewFromConfig(m.NewUserWithKey(t, s, "describer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:DescribeAccount","Resource":"*"}]}`))
	if _, err := reader.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(m.Account)}); err != nil {
		t.Fatalf("user allowed by both sides: %v", err)
	}
	_, err = reader.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")

	// Updating keeps the id and the tags.
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},"Action":"organizations:DescribeAccount","Resource":"*"}]}`
	upd, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(narrow)})
	if err != nil || aws.ToString(upd.ResourcePolicy.ResourcePolicySummary.Id) != id || aws.ToString(upd.ResourcePolicy.Content) != narrow {
		t.Fatalf("update: %+v %v", upd, err)
	}
	_, err = member.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
	if _, err := member.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(m.Account)}); err != nil {
		t.Fatalf("after update: %v", err)
	}

	// Policy management can be delegated too: the policy is the
	// organization's, its ARN the management account's.
	manage := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},
		"Action":["organizations:CreatePolicy","organizations:DescribeAccount"],"Resource":"*"}]}`
	if _, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(manage)}); err != nil {
		t.Fatal(err)
	}
	cp, err := member.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("delegated"), Description: aws.String("d"), Type: types.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)})
	if err != nil || !regexp.MustCompile(`^arn:aws:organizations::`+testserver.AccountID+`:policy/`+m.OrgID+`/service_control_policy/p-`).MatchString(aws.ToString(cp.Policy.PolicySummary.Arn)) {
		t.Fatalf("delegated CreatePolicy: %+v %v", cp, err)
	}
	_, err = member.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(m.Account)})
	wantCode(t, err, "AccessDeniedException")

	if _, err := org.DeleteResourcePolicy(ctx, &awsorg.DeleteResourcePolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DescribeResourcePolicy(ctx, &awsorg.DescribeResourcePolicyInput{})
	wantCode(t, err, "ResourcePolicyNotFoundException")
	_, err = member.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(m.Account)})
	wantError(t, err, "AccessDeniedException", "", "You don't have permissions to access this resource.")
}

// TestEnableAllFeatures follows the User Guide's "Enabling all features in
// your organization"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html):
// EnableAllFeatures starts an ENABLE_ALL_FEATURES handshake, open 90 days,
// that the management account finalizes by accepting it (there are no
// invited accounts to approve); an organization with all features answers
// HandshakeConstraintViolationException.
func TestEnableAllFeatures(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	_, err := org.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	co, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling})
	if err != nil {
		t.Fatal(err)
	}
	orgID := aws.ToString(co.Organization.Id)

	// Trusted access needs all features.
	_, err = org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")})
	wantError(t, err, "ConstraintViolationException", "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "")

	ef, err := org.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	if err != nil {
		t.Fatal(err)
	}
	h := ef.Handshake
	hid := aws.ToString(h.Id)
	if !regexp.MustCompile(`^h-[0-9a-z]{8,32}$`).MatchString(hid) || h.Action != types.ActionTypeEnableAllFeatures || h.State != types.HandshakeStateRequested ||
		aws.ToString(h.Arn) != "arn:aws:organizations::"+testserver.AccountID+":handshake/"+orgID+"/enable_all_features/"+hid ||
		len(h.Parties) != 1 || aws.ToString(h.Parties[0].Id) != orgID || h.Parties[0].Type != types.HandshakePartyTypeOrganization ||
		h.ExpirationTimestamp.Sub(*h.RequestedTimestamp) != 90*24*time.Hour {
		t.Fatalf("handshake %+v", h)
	}
	_, err = org.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	wantError(t, err, "HandshakeConstraintViolationException", "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION", "")
	dh, err := org.DescribeHandshake(ctx, &awsorg.DescribeHandshakeInput{HandshakeId: aws.String(hid)})
	if err != nil || aws.ToString(dh.Handshake.Id) != hid || dh.Handshake.State != types.HandshakeStateRequested {
		t.Fatalf("DescribeHandshake: %+v %v", dh, err)
	}
	_, err = org.DescribeHandshake(ctx, &awsorg.DescribeHandshakeInput{HandshakeId: aws.String("h-00000000")})
	wantError(t, err, "HandshakeNotFoundException", "", "We can't find a handshake with the HandshakeId that you specified.")
	d, err := org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	if err != nil || d.Organization.FeatureSet != types.OrganizationFeatureSetConsolidatedBilling {
		t.Fatalf("before accepting: %+v %v", d, err)
	}

	ah, err := org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	if err != nil || ah.Handshake.State != types.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake: %+v %v", ah, err)
	}
	d, err = org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	if err != nil || d.Organization.FeatureSet != types.OrganizationFeatureSetAll {
		t.Fatalf("after accepting: %+v %v", d, err)
	}
	_, err = org.AcceptHandshake(ctx, &awsorg.AcceptHandshakeInput{HandshakeId: aws.String(hid)})
	wantCode(t, err, "HandshakeAlreadyInStateException")
	_, err = org.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	wantError(t, err, "HandshakeConstraintViolationException", "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
		"The handshake request is invalid because the organization has already enabled all features.")
	if _, err := org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("sso.amazonaws.com")}); err != nil {
		t.Fatalf("trusted access with all features: %v", err)
	}

	// The caller needs organizations:EnableAllFeatures.
	limited := mgmtUser(t, s, "no-features", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:Describe*","Resource":"*"}]}`)
	_, err = limited.EnableAllFeatures(ctx, &awsorg.EnableAllFeaturesInput{})
	wantCode(t, err, "AccessDeniedException")
}
