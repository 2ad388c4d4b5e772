package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Outbound identity federation (IAM User Guide,
// id_roles_providers_outbound_getting_started; IAM API reference,
// API_EnableOutboundWebIdentityFederation and friends): an account enables
// it to let its principals obtain JWTs from STS GetWebIdentityToken. Enabling
// it the first time generates the account's unique issuer URL: Gatehouse
// serves it itself, under its public URL (serve --public-url), as
// BASE/outbound-federation/ID with a random ID, and publishes there the
// discovery document and key set a relying party verifies the tokens with
// (server/outbound.go). Disabling stops new tokens; the issuer stays, so
// tokens issued before stay verifiable ("This operation does not affect
// tokens that were issued before the feature was disabled",
// API_DisableOutboundWebIdentityFederation), and enabling again gives the
// same issuer.

// OutboundIssuerPrefix is the path under the server's public URL at which
// the issuers of outbound identity federation live: BASE + prefix + ID.
const OutboundIssuerPrefix = "/outbound-federation/"

// UseIssuerBase sets the server's public URL (scheme, host, port, no
// trailing slash), under which EnableOutboundWebIdentityFederation forms the
// issuer URLs.
func (s *Service) UseIssuerBase(base string) {
	base = strings.TrimSuffix(base, "/")
	s.issuerBase.Store(&base)
}

// AWS's messages: the exceptions' descriptions in the API reference.
func featureEnabled() *awserr.Error {
	// wording: the exception's description (API_EnableOutboundWebIdentityFederation); AWS's message not found in AWS docs.
	return awserr.FeatureEnabled("The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation.")
}

func featureDisabled() *awserr.Error {
	// wording: the exception's description (API_DisableOutboundWebIdentityFederation); AWS's message not found in AWS docs.
	return awserr.FeatureDisabled("The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times")
}

func (s *Service) outboundOps() []Op {
	star := func(action string) Authz { return Authz{Action: action, Resource: "*"} }
	return []Op{
		op("EnableOutboundWebIdentityFederation", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:EnableOutboundWebIdentityFederation"), nil
		}, s.enableOutboundFederation),
		op("DisableOutboundWebIdentityFederation", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:DisableOutboundWebIdentityFederation"), nil
		}, s.disableOutboundFederation),
		op("GetOutboundWebIdentityFederationInfo", func(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (Authz, error) {
			return star("iam:GetOutboundWebIdentityFederationInfo"), nil
		}, s.getOutboundFederationInfo),
		op("SetSecurityTokenServicePreferences", func(ctx context.Context, c *identity.Caller, _ *iamapi.SetSecurityTokenServicePreferencesRequest) (Authz, error) {
			return star("iam:SetSecurityTokenServicePreferences"), nil
		}, s.setSecurityTokenServicePreferences),
	}
}

func (s *Service) enableOutboundFederation(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.EnableOutboundWebIdentityFederationResponse, error) {
	base := s.issuerBase.Load()
	if base == nil || *base == "" {
		return nil, awserr.ServiceFailure("Request processing has failed due to an unknown error, exception or failure.").
			WithCause(errors.New("iam: the server's public URL is not set (iam.Service.UseIssuerBase)"))
	}
	// The id is drawn before the transaction: a retried transaction keeps it.
	id, err := uuid.NewRandomFromReader(s.rand)
	if err != nil {
		return nil, awserr.ServiceFailure("Request processing has failed due to an unknown error, exception or failure.").WithCause(err)
	}
	var issuer string
	err = s.update(ctx, func(tx store.Tx) error {
		f, err := store.GetJSON[store.OutboundFederation](ctx, tx, store.KindOutboundFederation, c.Account, store.OutboundFederationKey)
		switch {
		case err == nil && f.Enabled:
			return featureEnabled()
		case err == nil:
			// Enabled again: the account keeps its issuer.
			f.Enabled = true
		case isNotFound(err):
			f = store.OutboundFederation{Enabled: true, IssuerID: id.String(), Issuer: *base + OutboundIssuerPrefix + id.String(), CreateDate: s.now().UTC()}
			if err := store.CreateJSON(ctx, tx, store.KindOutboundIssuer, "", f.IssuerID, store.OutboundIssuer{Account: c.Account, Issuer: f.Issuer}); err != nil {
				return err
			}
		default:
			return err
		}
		issuer = f.Issuer
		return store.PutJSON(ctx, tx, store.KindOutboundFederation, c.Account, store.OutboundFederationKey, f)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.EnableOutboundWebIdentityFederationResponse{IssuerIdentifier: &issuer}, nil
}

func (s *Service) disableOutboundFederation(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		f, err := store.GetJSON[store.OutboundFederation](ctx, tx, store.KindOutboundFederation, c.Account, store.OutboundFederationKey)
		if isNotFound(err) || (err == nil && !f.Enabled) {
			return featureDisabled()
		}
		if err != nil {
			return err
		}
		f.Enabled = false
		return store.PutJSON(ctx, tx, store.KindOutboundFederation, c.Account, store.OutboundFederationKey, f)
	}))
}

// getOutboundFederationInfo answers FeatureDisabled, the operation's one
// error, while the feature is off.
func (s *Service) getOutboundFederationInfo(ctx context.Context, c *identity.Caller, _ iamapi.Empty) (*iamapi.GetOutboundWebIdentityFederationInfoResponse, error) {
	var f store.OutboundFederation
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		f, err = store.GetJSON[store.OutboundFederation](ctx, tx, store.KindOutboundFederation, c.Account, store.OutboundFederationKey)
		if isNotFound(err) || (err == nil && !f.Enabled) {
			return featureDisabled()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetOutboundWebIdentityFederationInfoResponse{IssuerIdentifier: &f.Issuer, JwtVendingEnabled: &f.Enabled}, nil
}

// STS preferences (API_SetSecurityTokenServicePreferences): the version of
// the session tokens the global STS endpoint issues, which GetAccountSummary
// reports as GlobalEndpointTokenVersion (1 or 2). An account without a
// record has AWS's default, version 1 tokens.

// kindSTSPreferences holds an account's STS preferences; key
// [stsPreferencesKey]; value [stsPreferences].
const kindSTSPreferences store.Kind = "sts-preferences"

// stsPreferencesKey is the key of an account's STS preferences.
const stsPreferencesKey = "account"

// stsPreferences are an account's STS preferences.
type stsPreferences struct {
	GlobalEndpointTokenVersion iamapi.GlobalEndpointTokenVersion `json:"globalEndpointTokenVersion"`
}

func (s *Service) setSecurityTokenServicePreferences(ctx context.Context, c *identity.Caller, in *iamapi.SetSecurityTokenServicePreferencesRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, kindSTSPreferences, c.Account, stsPreferencesKey, stsPreferences{GlobalEndpointTokenVersion: in.GlobalEndpointTokenVersion})
	}))
}

// globalEndpointTokenVersion is GetAccountSummary's GlobalEndpointTokenVersion
// of an account: 2 for v2Token, else 1.
func globalEndpointTokenVersion(ctx context.Context, tx store.ReadTx, account string) (int32, error) {
	p, err := store.GetJSON[stsPreferences](ctx, tx, kindSTSPreferences, account, stsPreferencesKey)
	if isNotFound(err) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	if p.GlobalEndpointTokenVersion == iamapi.GlobalEndpointTokenVersionV2Token {
		return 2, nil
	}
	return 1, nil
}

// OutboundIssuer returns the issuer URL whose id is id, as the discovery
// endpoints publish it: store.ErrNotFound for an id no account has (the
// issuer stays while the feature is disabled, so that the tokens issued
// before stay verifiable).
func (s *Service) OutboundIssuer(ctx context.Context, id string) (string, error) {
	var iss store.OutboundIssuer
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		iss, err = store.GetJSON[store.OutboundIssuer](ctx, tx, store.KindOutboundIssuer, "", id)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("iam: outbound issuer: %w", err)
	}
	return iss.Issuer, nil
}
