package iam_test

import (
	"testing"

	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestSecurityTokenServicePreferences sets the global endpoint token
// version as the aws_iam_security_token_service_preferences resource of
// Terraform's provider does, and reads it back the way the provider does:
// GetAccountSummary's GlobalEndpointTokenVersion, 1 by default
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html,
// "To view the current session token version, see the
// GlobalEndpointTokenVersion entry in the response of the GetAccountSummary
// operation").
func TestSecurityTokenServicePreferencesErrors(t *testing.T) {
	srv := testserver.Start(t)
	iam := srv.RootIAM()
	ctx := t.Context()
	version := func() int32 {
		t.Helper()
		out, err := iam.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := out.SummaryMap[string(types.SummaryKeyTypeGlobalEndpointTokenVersion)]
		if !ok {
			t.Fatal("GetAccountSummary has no GlobalEndpointTokenVersion")
		}
		return v
	}
	if v := version(); v != 1 {
		t.Fatalf("default GlobalEndpointTokenVersion = %d, want 1", v)
	}
	for _, c := range []struct {
		set  types.GlobalEndpointTokenVersion
		want int32
	}{{types.GlobalEndpointTokenVersionV2Token, 2}, {types.GlobalEndpointTokenVersionV2Token, 2}, {types.GlobalEndpointTokenVersionV1Token, 1}} {
		if _, err := iam.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: c.set}); err != nil {
			t.Fatalf("set %s: %v", c.set, err)
		}
		if v := version(); v != c.want {
			t.Errorf("after %s GlobalEndpointTokenVersion = %d, want %d", c.set, v, c.want)
		}
	}

	// A value outside the model's enumeration is a validation error.
	_, err := iam.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	wantCodeMessage(t, err, "ValidationError", "1 validation error detected: Value at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum value set: [v1Token, v2Token]")

	// A user without iam:SetSecurityTokenServicePreferences is denied.
	bob := srv.NewUserWithKey(t, "bob")
	_, err = bob.SetSecurityTokenServicePreferences(ctx, &awsiam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token})
	wantCode(t, err, "AccessDenied")
	if v := version(); v != 1 {
		t.Errorf("a denied call changed GlobalEndpointTokenVersion to %d", v)
	}
}
