package iam

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	arnpkg "github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/saml"
	"github.com/gatehouse-iam/gatehouse/store"
)

// SAML provider quotas.
const (
	// maxSAMLProviders is "SAML providers in an AWS account: 100" (IAM User
	// Guide, reference_iam-quotas.md).
	maxSAMLProviders = 100
	// maxSAMLCertificates is "Keys per SAML provider: 10" (same table): the
	// signing certificates of the metadata document.
	maxSAMLCertificates = 10
	// maxSAMLPrivateKeys is the number of decryption keys a provider holds at
	// once: two, so that a key can be rotated by adding the new one and then
	// removing the old one in a separate request (API_UpdateSAMLProvider).
	maxSAMLPrivateKeys = 2
	// samlValidity is how long a provider whose metadata has no validUntil
	// is valid: AWS reports a ValidUntil 100 years after creation
	// (hashicorp/terraform#3820: "valid_until": "Sat, 09 Nov 2115 …" for a
	// provider created on 9 November 2015).
	samlValidity = 100
)

// msgBadMetadata is AWS's answer for a metadata document it cannot use
// (IAM User Guide, troubleshoot_saml.md, "Error: Could not parse metadata").
const msgBadMetadata = "Could not parse metadata."

// noSuchSAMLProvider is IAM's answer for a provider ARN that names nothing
// ("NoSuchEntity: … Manifest not found for arn …", as recorded in
// tableau/altimeter's IAM SAML provider scan test).
func noSuchSAMLProvider(arn string) *awserr.Error {
	return awserr.NoSuchEntity("Manifest not found for arn %s", arn)
}

// samlProviderName parses the ARN of a provider of account into its name. A
// malformed ARN is InvalidInput; another account's provider names nothing
// here.
func samlProviderName(account, arn string) (string, error) {
	a, err := arnpkg.Parse(arn)
	name, ok := strings.CutPrefix(a.Resource, "saml-provider/")
	if err != nil || a.Partition != arnpkg.Partition || a.Service != "iam" || a.Region != "" || !ok ||
		!store.IsAccountID(a.Account) || name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
		return "", awserr.InvalidInput("ARN %s is not valid.", arn)
	}
	if a.Account != account {
		return "", noSuchSAMLProvider(arn)
	}
	return name, nil
}

// getSAMLProvider reads a provider by ARN, or NoSuchEntity.
func getSAMLProvider(ctx context.Context, tx store.ReadTx, account, arn string) (store.SAMLProvider, error) {
	name, err := samlProviderName(account, arn)
	if err != nil {
		return store.SAMLProvider{}, err
	}
	p, err := store.GetJSON[store.SAMLProvider](ctx, tx, store.KindSAMLProvider, account, store.SAMLProviderKey(name))
	if isNotFound(err) || (err == nil && p.ARN != arn) {
		return p, noSuchSAMLProvider(arn)
	}
	return p, err
}

// checkSAMLMetadata parses a metadata document as STS will use it.
func checkSAMLMetadata(doc string) (*saml.Metadata, error) {
	m, err := saml.ParseMetadata([]byte(doc))
	if err != nil {
		return nil, awserr.InvalidInput(msgBadMetadata).WithCause(err)
	}
	if len(m.Certificates) > maxSAMLCertificates {
		return nil, awserr.LimitExceeded("Cannot exceed quota for KeysPerSAMLProvider: %d", maxSAMLCertificates)
	}
	return m, nil
}

// checkSAMLPrivateKey requires a PEM RSA private key (PKCS #1 or PKCS #8):
// the key of the RSA-OAEP key transport that encrypts assertions' AES keys
// (API_CreateSAMLProvider: "a .pem file that uses AES-GCM or AES-CBC
// encryption algorithm to decrypt SAML assertions"). It returns the PEM.
func checkSAMLPrivateKey(p string) ([]byte, error) {
	k, err := parseSAMLPrivateKey([]byte(p))
	if err != nil {
		return nil, awserr.InvalidInput("The private key is not valid: it must be a PEM-encoded RSA private key.").WithCause(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
}

// parseSAMLPrivateKey reads one PEM RSA private key.
func parseSAMLPrivateKey(p []byte) (*rsa.PrivateKey, error) {
	b, rest := pem.Decode(p)
	if b == nil || strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("not one PEM block")
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(b.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, err
		}
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
	}
	return nil, fmt.Errorf("a %s block is not an RSA private key", b.Type)
}

// SAMLDecryptionKeys opens a provider's private keys for STS, which
// decrypts encrypted assertions with them (sts.SAMLKeys).
func (s *Service) SAMLDecryptionKeys(p *store.SAMLProvider) ([]*rsa.PrivateKey, error) {
	out := make([]*rsa.PrivateKey, 0, len(p.PrivateKeys))
	for _, k := range p.PrivateKeys {
		pemKey, err := s.keys.Open(k.Ciphertext, store.SAMLPrivateKeyAAD(p.ARN, k.KeyID))
		if err != nil {
			return nil, fmtErr("opening SAML private key %s of %s: %w", k.KeyID, p.ARN, err)
		}
		rk, err := parseSAMLPrivateKey(pemKey)
		if err != nil {
			return nil, fmtErr("SAML private key %s of %s: %w", k.KeyID, p.ARN, err)
		}
		out = append(out, rk)
	}
	return out, nil
}

// samlValidUntil is the provider's ValidUntil: the metadata's, or 100 years
// after creation.
func samlValidUntil(m *saml.Metadata, created time.Time) time.Time {
	if !m.ValidUntil.IsZero() {
		return m.ValidUntil.UTC().Truncate(time.Second)
	}
	return created.AddDate(samlValidity, 0, 0)
}

// samlAuthz describes a call on a provider: its ARN and its tags as
// aws:ResourceTag.
func (s *Service) samlAuthz(ctx context.Context, c *identity.Caller, action, arn string) (Authz, error) {
	a := Authz{Action: action, Resource: arn}
	err := s.view(ctx, func(tx store.ReadTx) error {
		p, err := getSAMLProvider(ctx, tx, c.Account, arn)
		if err != nil {
			return nil // the operation reports it
		}
		a.Context = resourceTagContext(a.Context, p.Tags)
		return nil
	})
	return a, err
}

// samlProviders is how a SAMLProvider is stored.
var samlProviders = stored[store.SAMLProvider]{kind: store.KindSAMLProvider, get: getSAMLProvider,
	key: func(v store.SAMLProvider) string { return store.SAMLProviderKey(v.Name) }, tags: func(v *store.SAMLProvider) *[]store.Tag { return &v.Tags }}

// samlTags tags SAML providers, named by ARN.
func (s *Service) samlTags() taggable { return samlProviders.taggable(s, s.samlAuthz) }

func (s *Service) samlOps() []Op {
	t := s.samlTags()
	return []Op{
		op("CreateSAMLProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateSAMLProviderRequest) (Authz, error) {
			return Authz{Action: "iam:CreateSAMLProvider", Resource: arnpkg.SAMLProvider(c.Account, in.Name), Context: requestTagContext(in.Tags)}, nil
		}, s.createSAMLProvider),
		op("GetSAMLProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.GetSAMLProviderRequest) (Authz, error) {
			return s.samlAuthz(ctx, c, "iam:GetSAMLProvider", in.SAMLProviderArn)
		}, s.getSAMLProvider),
		op("ListSAMLProviders", func(ctx context.Context, c *identity.Caller, in *iamapi.ListSAMLProvidersRequest) (Authz, error) {
			// The action has no resource type (service authorization reference).
			return Authz{Action: "iam:ListSAMLProviders", Resource: "*"}, nil
		}, s.listSAMLProviders),
		op("UpdateSAMLProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSAMLProviderRequest) (Authz, error) {
			return s.samlAuthz(ctx, c, "iam:UpdateSAMLProvider", in.SAMLProviderArn)
		}, s.updateSAMLProvider),
		op("DeleteSAMLProvider", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSAMLProviderRequest) (Authz, error) {
			return s.samlAuthz(ctx, c, "iam:DeleteSAMLProvider", in.SAMLProviderArn)
		}, s.deleteSAMLProvider),
		tagOp(t, "TagSAMLProvider", func(in *iamapi.TagSAMLProviderRequest) (string, []iamapi.Tag) { return in.SAMLProviderArn, in.Tags }),
		untagOp(t, "UntagSAMLProvider", func(in *iamapi.UntagSAMLProviderRequest) (string, []string) { return in.SAMLProviderArn, in.TagKeys }),
		listTagsOp(t, "ListSAMLProviderTags", func(in *iamapi.ListSAMLProviderTagsRequest) (string, *string, *int32) {
			return in.SAMLProviderArn, in.Marker, in.MaxItems
		}, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListSAMLProviderTagsResponse {
			return &iamapi.ListSAMLProviderTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
		}),
	}
}

// sealSAMLPrivateKey seals a provider's private key under a new key id.
func (s *Service) sealSAMLPrivateKey(providerARN string, der []byte, now time.Time) (store.SAMLPrivateKey, error) {
	id, err := s.ids.SigningCertificateID()
	if err != nil {
		return store.SAMLPrivateKey{}, fmtErr("making a SAML private key id: %w", err)
	}
	sealed, err := s.keys.Seal(der, store.SAMLPrivateKeyAAD(providerARN, id))
	if err != nil {
		return store.SAMLPrivateKey{}, fmtErr("sealing a SAML private key: %w", err)
	}
	return store.SAMLPrivateKey{KeyID: id, Timestamp: now, Ciphertext: sealed}, nil
}

// checkEncryptionMode requires a private key where assertions must be
// encrypted.
func checkEncryptionMode(p *store.SAMLProvider) error {
	if p.AssertionEncryptionMode == string(iamapi.AssertionEncryptionModeTypeRequired) && len(p.PrivateKeys) == 0 {
		return awserr.InvalidInput("AssertionEncryptionMode Required needs a private key: add one with AddPrivateKey.")
	}
	return nil
}

func (s *Service) createSAMLProvider(ctx context.Context, c *identity.Caller, in *iamapi.CreateSAMLProviderRequest) (*iamapi.CreateSAMLProviderResponse, error) {
	m, err := checkSAMLMetadata(in.SAMLMetadataDocument)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	uuid, err := newUUID(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	p := store.SAMLProvider{
		ARN: arnpkg.SAMLProvider(c.Account, in.Name), Name: in.Name, UUID: uuid, Metadata: in.SAMLMetadataDocument,
		ValidUntil: samlValidUntil(m, now), CreateDate: now, Tags: storeTags(in.Tags),
	}
	if in.AssertionEncryptionMode != nil {
		p.AssertionEncryptionMode = string(*in.AssertionEncryptionMode)
	}
	if in.AddPrivateKey != nil {
		der, err := checkSAMLPrivateKey(*in.AddPrivateKey)
		if err != nil {
			return nil, err
		}
		k, err := s.sealSAMLPrivateKey(p.ARN, der, now)
		if err != nil {
			return nil, err
		}
		p.PrivateKeys = []store.SAMLPrivateKey{k}
	}
	if err := checkEncryptionMode(&p); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, store.KindSAMLProvider, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxSAMLProviders {
			return awserr.LimitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		err = store.CreateJSON(ctx, tx, store.KindSAMLProvider, c.Account, store.SAMLProviderKey(in.Name), p)
		if isExists(err) {
			// org-formation/aws-resource-providers#59 quotes AWS's answer.
			return awserr.EntityAlreadyExists("Provider with name %s already exists.", in.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateSAMLProviderResponse{SAMLProviderArn: str(p.ARN), Tags: tagsOut(p.Tags)}, nil
}

func (s *Service) getSAMLProvider(ctx context.Context, c *identity.Caller, in *iamapi.GetSAMLProviderRequest) (*iamapi.GetSAMLProviderResponse, error) {
	var p store.SAMLProvider
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		p, err = getSAMLProvider(ctx, tx, c.Account, in.SAMLProviderArn)
		return err
	})
	if err != nil {
		return nil, err
	}
	created, until := p.CreateDate, p.ValidUntil
	out := &iamapi.GetSAMLProviderResponse{
		SAMLProviderUUID: str(p.UUID), SAMLMetadataDocument: str(p.Metadata), CreateDate: &created, ValidUntil: &until,
		Tags: orEmpty(tagsOut(p.Tags)),
	}
	if p.AssertionEncryptionMode != "" {
		mode := iamapi.AssertionEncryptionModeType(p.AssertionEncryptionMode)
		out.AssertionEncryptionMode = &mode
	}
	// The keys' ids and upload times only: the keys themselves never leave.
	for _, k := range p.PrivateKeys {
		out.PrivateKeyList = append(out.PrivateKeyList, iamapi.SAMLPrivateKey{KeyId: str(k.KeyID), Timestamp: &k.Timestamp})
	}
	return out, nil
}

func (s *Service) listSAMLProviders(ctx context.Context, c *identity.Caller, _ *iamapi.ListSAMLProvidersRequest) (*iamapi.ListSAMLProvidersResponse, error) {
	out := &iamapi.ListSAMLProvidersResponse{SAMLProviderList: []iamapi.SAMLProviderListEntry{}}
	err := s.view(ctx, func(tx store.ReadTx) error {
		ps, err := store.ListValues[store.SAMLProvider](ctx, tx, store.ListOptions{Kind: store.KindSAMLProvider, Account: c.Account})
		if err != nil {
			return err
		}
		for _, p := range ps {
			created, until := p.CreateDate, p.ValidUntil
			out.SAMLProviderList = append(out.SAMLProviderList, iamapi.SAMLProviderListEntry{Arn: str(p.ARN), ValidUntil: &until, CreateDate: &created})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) updateSAMLProvider(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSAMLProviderRequest) (*iamapi.UpdateSAMLProviderResponse, error) {
	var m *saml.Metadata
	if in.SAMLMetadataDocument != nil {
		var err error
		if m, err = checkSAMLMetadata(*in.SAMLMetadataDocument); err != nil {
			return nil, err
		}
	}
	var der []byte
	if in.AddPrivateKey != nil {
		var err error
		if der, err = checkSAMLPrivateKey(*in.AddPrivateKey); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	err := samlProviders.modify(ctx, s, c.Account, in.SAMLProviderArn, func(p *store.SAMLProvider) error {
		if m != nil {
			p.Metadata = *in.SAMLMetadataDocument
			p.ValidUntil = samlValidUntil(m, p.CreateDate)
		}
		if in.AssertionEncryptionMode != nil {
			p.AssertionEncryptionMode = string(*in.AssertionEncryptionMode)
		}
		if in.RemovePrivateKey != nil {
			i := slices.IndexFunc(p.PrivateKeys, func(k store.SAMLPrivateKey) bool { return k.KeyID == *in.RemovePrivateKey })
			if i < 0 {
				return awserr.InvalidInput("The private key %s does not exist for this SAML provider.", *in.RemovePrivateKey)
			}
			p.PrivateKeys = slices.Delete(p.PrivateKeys, i, i+1)
		}
		if der != nil {
			if len(p.PrivateKeys) >= maxSAMLPrivateKeys {
				return awserr.LimitExceeded("Cannot exceed quota for PrivateKeysPerSAMLProvider: %d", maxSAMLPrivateKeys)
			}
			k, err := s.sealSAMLPrivateKey(p.ARN, der, now)
			if err != nil {
				return err
			}
			p.PrivateKeys = append(p.PrivateKeys, k)
		}
		return checkEncryptionMode(p)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateSAMLProviderResponse{SAMLProviderArn: str(in.SAMLProviderArn)}, nil
}

func (s *Service) deleteSAMLProvider(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSAMLProviderRequest) (*noOutput, error) {
	// Roles that trust the provider keep their trust policies; assuming them
	// through the deleted provider fails (API_DeleteSAMLProvider).
	return done(samlProviders.remove(ctx, s, c.Account, in.SAMLProviderArn))
}
