package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestOutboundWebIdentityFederation follows the IAM API reference of
// EnableOutboundWebIdentityFederation (a unique issuer URL; FeatureEnabled,
// 409, when already enabled), DisableOutboundWebIdentityFederation
// (FeatureDisabled, 404, when already disabled) and
// GetOutboundWebIdentityFederationInfo (FeatureDisabled while disabled),
// each authorized by its IAM action.
func TestOutboundWebIdentityFederation(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	_, err := root.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	wantCodeMessage(t, err, "FeatureDisabled", "The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times")
	if s := statusOf(err); s != 404 {
		t.Errorf("FeatureDisabled status %d, want 404", s)
	}
	_, err = root.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{})
	wantCode(t, err, "FeatureDisabled")

	en, err := root.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	if !strings.HasPrefix(issuer, srv.URL+"/outbound-federation/") || len(issuer) != len(srv.URL+"/outbound-federation/")+36 {
		t.Fatalf("issuer %q", issuer)
	}
	_, err = root.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	wantCode(t, err, "FeatureEnabled")
	if s := statusOf(err); s != 409 {
		t.Errorf("FeatureEnabled status %d, want 409", s)
	}
	info, err := root.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("GetOutboundWebIdentityFederationInfo = %+v, %v", info, err)
	}

	// Each operation needs its own action.
	user := srv.NewUserWithKey(t, "reader")
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetOutboundWebIdentityFederationInfo","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := user.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = user.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{})
	wantCodeMessage(t, err, "AccessDenied", "User: arn:aws:iam::"+testserver.AccountID+":user/reader is not authorized to perform: iam:DisableOutboundWebIdentityFederation on resource: * because no identity-based policy allows the iam:DisableOutboundWebIdentityFederation action")

	if _, err := root.DisableOutboundWebIdentityFederation(ctx, &awsiam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = root.GetOutboundWebIdentityFederationInfo(ctx, &awsiam.GetOutboundWebIdentityFederationInfoInput{})
	wantCode(t, err, "FeatureDisabled")
	// Enabled again, the account keeps its issuer.
	en, err = root.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil || aws.ToString(en.IssuerIdentifier) != issuer {
		t.Fatalf("enabled again: %+v, %v; want issuer %s", en, err, issuer)
	}
	// Another account has an issuer of its own.
	other := awsiam.NewFromConfig(srv.NewStandaloneAccount(t, "210987654321", "AKIAOTHERACCOUNT0001", "otherSecretKey0000000000000000000000000000"))
	en2, err := other.EnableOutboundWebIdentityFederation(ctx, &awsiam.EnableOutboundWebIdentityFederationInput{})
	if err != nil || aws.ToString(en2.IssuerIdentifier) == issuer {
		t.Fatalf("other account: %+v, %v", en2, err)
	}
}

// TestSecurityTokenServicePreferences: SetSecurityTokenServicePreferences
// sets the global endpoint's token version, which GetAccountSummary reports
// as GlobalEndpointTokenVersion (1 by default), per account
// (API_SetSecurityTokenServicePreferences).
func TestSecurityTokenServicePreferences(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	version := func() int32 {
		t.Helper()
		out, err := root.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.SummaryMap["GlobalEndpointTokenVersion"]
	}
	if v := version(); v != 1 {
		t.Fatalf("default GlobalEndpointTokenVersion %d, want 1", v)
	}
	for _, c := range []struct {
		v    types.GlobalEndpointTokenVersion
		want int32
	}{{types.GlobalEndpointTokenVersionV2Token, 2}, {types.GlobalEndpointTokenVersionV1Token, 1}, {types.GlobalEndpointTokenVersionV2Token, 2}} {
		if _, err := root.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: c.v}); err != nil {
			t.Fatal(err)
		}
		if v := version(); v != c.want {
			t.Errorf("after %s: GlobalEndpointTokenVersion %d, want %d", c.v, v, c.want)
		}
	}
	_, err := root.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantCodeMessage(t, err, "ValidationError", "1 validation error detected: Value at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]")
	user := srv.NewUserWithKey(t, "nobody")
	_, err = user.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV1Token})
	wantCode(t, err, "AccessDenied")
	if v := version(); v != 2 {
		t.Errorf("after a denied call: %d, want 2", v)
	}
}
