package iam_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

func rootErr(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// TestOrganizationsRootAccess follows the IAM User Guide's "Centrally
// manage root access for member accounts" and the API reference of
// ListOrganizationsFeatures and Enable/Disable
// OrganizationsRootCredentialsManagement / OrganizationsRootSessions: an
// organization with all features and trusted access for IAM; the
// management account enables, the management account and IAM's delegated
// administrator list and disable.
func TestOrganizationsRootAccess(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	mgmt := s.RootIAM()

	_, err := mgmt.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	rootErr(t, err, "OrganizationNotFoundException")

	// An organization with consolidated billing only.
	other := s.NewStandaloneAccount(t, "330987654321", "AKIAC0000000000CCCCC", "secret-of-account-c-0123456789012345678")
	if _, err := awsorg.NewFromConfig(other).CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	_, err = awsiam.NewFromConfig(other).EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
	rootErr(t, err, "OrganizationNotInAllFeaturesModeException")

	m := s.NewMember(t)
	_, err = mgmt.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	rootErr(t, err, "ServiceAccessNotEnabledException")
	if _, err := m.Org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	lf, err := mgmt.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	if err != nil || aws.ToString(lf.OrganizationId) != m.OrgID || len(lf.EnabledFeatures) != 0 {
		t.Fatalf("ListOrganizationsFeatures: %+v %v", lf, err)
	}
	member := awsiam.NewFromConfig(m.Admin)
	_, err = member.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	rootErr(t, err, "AccountNotManagementOrDelegatedAdministratorException")
	_, err = member.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
	rootErr(t, err, "CallerIsNotManagementAccountException")

	es, err := mgmt.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
	if err != nil || !slices.Equal(es.EnabledFeatures, []iamtypes.FeatureType{iamtypes.FeatureTypeRootSessions}) {
		t.Fatalf("EnableOrganizationsRootSessions: %+v %v", es, err)
	}
	ec, err := mgmt.EnableOrganizationsRootCredentialsManagement(ctx, &awsiam.EnableOrganizationsRootCredentialsManagementInput{})
	if err != nil || !slices.Equal(ec.EnabledFeatures, []iamtypes.FeatureType{iamtypes.FeatureTypeRootCredentialsManagement, iamtypes.FeatureTypeRootSessions}) {
		t.Fatalf("EnableOrganizationsRootCredentialsManagement: %+v %v", ec, err)
	}

	// IAM's delegated administrator lists and disables, but cannot enable.
	if _, err := m.Org.RegisterDelegatedAdministrator(ctx, &awsorg.RegisterDelegatedAdministratorInput{AccountId: aws.String(m.Account), ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	lf, err = member.ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	if err != nil || len(lf.EnabledFeatures) != 2 {
		t.Fatalf("delegated administrator's ListOrganizationsFeatures: %+v %v", lf, err)
	}
	ds, err := member.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{})
	if err != nil || !slices.Equal(ds.EnabledFeatures, []iamtypes.FeatureType{iamtypes.FeatureTypeRootCredentialsManagement}) {
		t.Fatalf("DisableOrganizationsRootSessions: %+v %v", ds, err)
	}
	_, err = member.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{})
	rootErr(t, err, "CallerIsNotManagementAccountException")
	dc, err := mgmt.DisableOrganizationsRootCredentialsManagement(ctx, &awsiam.DisableOrganizationsRootCredentialsManagementInput{})
	if err != nil || len(dc.EnabledFeatures) != 0 {
		t.Fatalf("DisableOrganizationsRootCredentialsManagement: %+v %v", dc, err)
	}

	// The caller needs the action.
	if _, err := mgmt.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	k, err := mgmt.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.IAMClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)).ListOrganizationsFeatures(ctx, &awsiam.ListOrganizationsFeaturesInput{})
	rootErr(t, err, "AccessDenied")
}
