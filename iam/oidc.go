package iam

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	arnpkg "github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// OpenID Connect provider quotas (IAM User Guide, reference_iam-quotas.md, and
// the CreateOpenIDConnectProvider API reference).
const (
	// maxOIDCProviders is the quota of OIDC providers per account.
	maxOIDCProviders = 100
	// maxClientIDs is the quota of client ids (audiences) per provider.
	maxClientIDs = 100
	// maxThumbprints is the quota of thumbprints per provider.
	maxThumbprints = 5
)

// noSuchOIDCProvider is IAM's answer for a provider ARN that names nothing.
func noSuchOIDCProvider(arn string) *awserr.Error {
	return awserr.NoSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
}

// oidcProviderURL parses the ARN of a provider of account into the provider's
// URL (its record key). A malformed ARN is InvalidInput; the ARN of another
// account's provider names nothing here.
func oidcProviderURL(account, arn string) (string, error) {
	a, err := arnpkg.Parse(arn)
	url, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
	if err != nil || a.Partition != arnpkg.Partition || a.Service != "iam" || a.Region != "" || !ok || !store.IsAccountID(a.Account) || url == "" {
		return "", awserr.InvalidInput("Invalid ARN %s: an OpenID Connect provider ARN has the form arn:aws:iam::ACCOUNT:oidc-provider/URL.", arn)
	}
	if a.Account != account {
		return "", noSuchOIDCProvider(arn)
	}
	return url, nil
}

// getOIDCProvider reads a provider by ARN, or NoSuchEntity.
func getOIDCProvider(ctx context.Context, tx store.ReadTx, account, arn string) (store.OIDCProvider, error) {
	url, err := oidcProviderURL(account, arn)
	if err != nil {
		return store.OIDCProvider{}, err
	}
	p, err := store.GetJSON[store.OIDCProvider](ctx, tx, store.KindOIDCProvider, account, store.OIDCProviderKey(url))
	if isNotFound(err) || (err == nil && p.ARN != arn) {
		return p, noSuchOIDCProvider(arn)
	}
	return p, err
}

// checkThumbprints validates a thumbprint list: 40 hexadecimal digits each
// (the length is the model's constraint, checked by the decoder), at most
// five, duplicates (in any case) dropped.
func checkThumbprints(list []string) ([]string, error) {
	var out []string
	for _, t := range list {
		if len(t) != 40 || strings.Trim(t, "0123456789abcdefABCDEF") != "" {
			return nil, awserr.InvalidInput("Thumbprint %s is not a hex-encoded SHA-1 hash: it must be 40 hexadecimal digits.", t)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	if len(out) > maxThumbprints {
		return nil, awserr.LimitExceeded("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: %d", maxThumbprints)
	}
	return out, nil
}

// addClientIDs appends client ids not yet in list, enforcing the quota.
func addClientIDs(list []string, add ...string) ([]string, error) {
	out := slices.Clone(list)
	for _, id := range add {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > maxClientIDs {
		return nil, awserr.LimitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	return out, nil
}

// orEmpty returns s, or an empty non-nil slice so that the list is rendered.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// oidcAuthz describes a call on a provider: its ARN and its tags as
// aws:ResourceTag.
func (s *Service) oidcAuthz(ctx context.Context, c *identity.Caller, action, arn string) (Authz, error) {
	a := Authz{Action: action, Resource: arn}
	err := s.view(ctx, func(tx store.ReadTx) error {
		p, err := getOIDCProvider(ctx, tx, c.Account, arn)
		if err != nil {
			return nil // the operation reports it
		}
		a.Context = resourceTagContext(a.Context, p.Tags)
		return nil
	})
	return a, err
}

// oidcProviders is how a OIDCProvider is stored.
var oidcProviders = stored[store.OIDCProvider]{kind: store.KindOIDCProvider, get: getOIDCProvider,
	key: func(v store.OIDCProvider) string { return store.OIDCProviderKey(v.URL) }, tags: func(v *store.OIDCProvider) *[]store.Tag { return &v.Tags }}

// oidcTags tags OpenID Connect providers, named by ARN.
func (s *Service) oidcTags() taggable { return oidcProviders.taggable(s, s.oidcAuthz) }

func (s *Service) oidcOps() []Op {
	t := s.oidcTags()
	return []Op{
		op("CreateOpenIDConnectProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateOpenIDConnectProviderRequest) (Authz, error) {
			res := iamARN(c.Account, "oidc-provider/*")
			if url, err := store.OIDCProviderURL(in.Url); err == nil {
				res = arnpkg.OIDCProvider(c.Account, url)
			}
			return Authz{Action: "iam:CreateOpenIDConnectProvider", Resource: res, Context: requestTagContext(in.Tags)}, nil
		}, s.createOIDCProvider),
		op("GetOpenIDConnectProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.GetOpenIDConnectProviderRequest) (Authz, error) {
			return s.oidcAuthz(ctx, c, "iam:GetOpenIDConnectProvider", in.OpenIDConnectProviderArn)
		}, s.getOIDCProvider),
		op("ListOpenIDConnectProviders", func(ctx context.Context, c *identity.Caller, in *iamapi.ListOpenIDConnectProvidersRequest) (Authz, error) {
			// The action has no resource type (service authorization reference).
			return Authz{Action: "iam:ListOpenIDConnectProviders", Resource: "*"}, nil
		}, s.listOIDCProviders),
		op("DeleteOpenIDConnectProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteOpenIDConnectProviderRequest) (Authz, error) {
			return s.oidcAuthz(ctx, c, "iam:DeleteOpenIDConnectProvider", in.OpenIDConnectProviderArn)
		}, s.deleteOIDCProvider),
		op("AddClientIDToOpenIDConnectProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.AddClientIDToOpenIDConnectProviderRequest) (Authz, error) {
			return s.oidcAuthz(ctx, c, "iam:AddClientIDToOpenIDConnectProvider", in.OpenIDConnectProviderArn)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.AddClientIDToOpenIDConnectProviderRequest) (*noOutput, error) {
			return done(oidcProviders.modify(ctx, s, c.Account, in.OpenIDConnectProviderArn, func(p *store.OIDCProvider) error {
				var err error
				p.ClientIDs, err = addClientIDs(p.ClientIDs, in.ClientID)
				return err
			}))
		}),
		op("RemoveClientIDFromOpenIDConnectProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.RemoveClientIDFromOpenIDConnectProviderRequest) (Authz, error) {
			return s.oidcAuthz(ctx, c, "iam:RemoveClientIDFromOpenIDConnectProvider", in.OpenIDConnectProviderArn)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.RemoveClientIDFromOpenIDConnectProviderRequest) (*noOutput, error) {
			// Idempotent: removing an absent client id is no error.
			return done(oidcProviders.modify(ctx, s, c.Account, in.OpenIDConnectProviderArn, func(p *store.OIDCProvider) error {
				p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == in.ClientID })
				return nil
			}))
		}),
		op("UpdateOpenIDConnectProviderThumbprint", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateOpenIDConnectProviderThumbprintRequest) (Authz, error) {
			return s.oidcAuthz(ctx, c, "iam:UpdateOpenIDConnectProviderThumbprint", in.OpenIDConnectProviderArn)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateOpenIDConnectProviderThumbprintRequest) (*noOutput, error) {
			list, err := checkThumbprints(in.ThumbprintList)
			if err != nil {
				return nil, err
			}
			// The new list replaces the old one; the lists are not merged.
			return done(oidcProviders.modify(ctx, s, c.Account, in.OpenIDConnectProviderArn, func(p *store.OIDCProvider) error {
				p.Thumbprints = list
				return nil
			}))
		}),
		tagOp(t, "TagOpenIDConnectProvider", func(in *iamapi.TagOpenIDConnectProviderRequest) (string, []iamapi.Tag) {
			return in.OpenIDConnectProviderArn, in.Tags
		}),
		untagOp(t, "UntagOpenIDConnectProvider", func(in *iamapi.UntagOpenIDConnectProviderRequest) (string, []string) {
			return in.OpenIDConnectProviderArn, in.TagKeys
		}),
		listTagsOp(t, "ListOpenIDConnectProviderTags", func(in *iamapi.ListOpenIDConnectProviderTagsRequest) (string, *string, *int32) {
			return in.OpenIDConnectProviderArn, in.Marker, in.MaxItems
		}, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListOpenIDConnectProviderTagsResponse {
			return &iamapi.ListOpenIDConnectProviderTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
		}),
	}
}

func (s *Service) createOIDCProvider(ctx context.Context, c *identity.Caller, in *iamapi.CreateOpenIDConnectProviderRequest) (*iamapi.CreateOpenIDConnectProviderResponse, error) {
	url, err := store.OIDCProviderURL(in.Url)
	if err != nil {
		return nil, awserr.InvalidInput("Invalid Url %s: the URL of an OpenID Connect provider begins with https:// and has no query or fragment.", in.Url)
	}
	thumbprints, err := checkThumbprints(in.ThumbprintList)
	if err != nil {
		return nil, err
	}
	clientIDs, err := addClientIDs(nil, in.ClientIDList...)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	p := store.OIDCProvider{
		ARN: arnpkg.OIDCProvider(c.Account, url), URL: url, ClientIDs: clientIDs, Thumbprints: thumbprints,
		CreateDate: s.now().UTC().Truncate(time.Second), Tags: storeTags(in.Tags),
	}
	err = s.update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, store.KindOIDCProvider, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxOIDCProviders {
			return awserr.LimitExceeded("Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", maxOIDCProviders)
		}
		err = store.CreateJSON(ctx, tx, store.KindOIDCProvider, c.Account, store.OIDCProviderKey(url), p)
		if isExists(err) {
			return awserr.EntityAlreadyExists("Provider with url https://%s already exists.", url)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: str(p.ARN), Tags: tagsOut(p.Tags)}, nil
}

func (s *Service) getOIDCProvider(ctx context.Context, c *identity.Caller, in *iamapi.GetOpenIDConnectProviderRequest) (*iamapi.GetOpenIDConnectProviderResponse, error) {
	var p store.OIDCProvider
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		p, err = getOIDCProvider(ctx, tx, c.Account, in.OpenIDConnectProviderArn)
		return err
	})
	if err != nil {
		return nil, err
	}
	created := p.CreateDate
	// The lists are sent even when empty: "ClientIDList": [] and "Tags": []
	// as recorded against AWS (localstack/localstack,
	// tests/aws/services/iam/test_iam_oidc.snapshot.json, February 2026).
	return &iamapi.GetOpenIDConnectProviderResponse{
		Url: str(p.URL), ClientIDList: orEmpty(p.ClientIDs), ThumbprintList: orEmpty(p.Thumbprints),
		CreateDate: &created, Tags: orEmpty(tagsOut(p.Tags)),
	}, nil
}

func (s *Service) listOIDCProviders(ctx context.Context, c *identity.Caller, _ *iamapi.ListOpenIDConnectProvidersRequest) (*iamapi.ListOpenIDConnectProvidersResponse, error) {
	out := &iamapi.ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: []iamapi.OpenIDConnectProviderListEntry{}}
	err := s.view(ctx, func(tx store.ReadTx) error {
		ps, err := store.ListValues[store.OIDCProvider](ctx, tx, store.ListOptions{Kind: store.KindOIDCProvider, Account: c.Account})
		if err != nil {
			return err
		}
		for _, p := range ps {
			out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, iamapi.OpenIDConnectProviderListEntry{Arn: str(p.ARN)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) deleteOIDCProvider(ctx context.Context, c *identity.Caller, in *iamapi.DeleteOpenIDConnectProviderRequest) (*noOutput, error) {
	// Roles that trust the provider keep their trust policies; assuming them
	// through the deleted provider fails (API_DeleteOpenIDConnectProvider).
	return done(oidcProviders.remove(ctx, s, c.Account, in.OpenIDConnectProviderArn))
}
