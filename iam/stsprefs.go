package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The account's STS preferences: which version of session token the global
// STS endpoint issues (SetSecurityTokenServicePreferences, API reference
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html).
// Version 1 tokens are valid only in Regions enabled by default, version 2
// in all Regions; GetAccountSummary reports the version as its
// GlobalEndpointTokenVersion entry (1 or 2). Gatehouse serves one endpoint
// whose tokens are valid everywhere it serves, so the preference changes
// what the account reports, not which tokens work.

// kindSTSPreferences holds an account's STS preferences; key
// [stsPreferencesKey]; value [stsPreferences]. An account without one uses
// version 1 tokens, AWS's default.
const kindSTSPreferences store.Kind = "sts-preferences"

// stsPreferencesKey is the key of the one STS preferences record of an account.
const stsPreferencesKey = "account"

// stsPreferences is an account's STS preferences.
type stsPreferences struct {
	GlobalEndpointTokenVersion iamapi.GlobalEndpointTokenVersion `json:"globalEndpointTokenVersion"`
}

func (s *Service) stsPreferenceOps() []Op {
	return []Op{
		// The action has no resource type in the service authorization
		// reference: its resource is "*".
		op("SetSecurityTokenServicePreferences", func(ctx context.Context, c *identity.Caller, _ *iamapi.SetSecurityTokenServicePreferencesRequest) (Authz, error) {
			return Authz{Action: "iam:SetSecurityTokenServicePreferences", Resource: "*"}, nil
		}, s.setSecurityTokenServicePreferences),
	}
}

// setSecurityTokenServicePreferences records the account's global endpoint
// token version (the model requires it and bounds it to v1Token and
// v2Token).
func (s *Service) setSecurityTokenServicePreferences(ctx context.Context, c *identity.Caller, in *iamapi.SetSecurityTokenServicePreferencesRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, kindSTSPreferences, c.Account, stsPreferencesKey, stsPreferences{GlobalEndpointTokenVersion: in.GlobalEndpointTokenVersion})
	}))
}

// globalEndpointTokenVersion is the account's GetAccountSummary
// GlobalEndpointTokenVersion: 2 once it chose v2Token, else 1.
func globalEndpointTokenVersion(ctx context.Context, tx store.ReadTx, account string) (int32, error) {
	p, err := store.GetJSON[stsPreferences](ctx, tx, kindSTSPreferences, account, stsPreferencesKey)
	switch {
	case isNotFound(err):
		return 1, nil
	case err != nil:
		return 0, err
	case p.GlobalEndpointTokenVersion == iamapi.GlobalEndpointTokenVersionV2Token:
		return 2, nil
	}
	return 1, nil
}
