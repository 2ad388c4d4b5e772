package iam

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	arnpkg "github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxServerCertificates is "Server certificates stored in IAM: 20" (IAM
// User Guide, reference_iam-quotas.md), GetAccountSummary's
// ServerCertificatesQuota.
const maxServerCertificates = 20

// AWS's MalformedCertificate messages: "Unable to parse certificate. Please
// ensure the certificate is in PEM format." (openshift/openshift-ansible#11214,
// vmware-archive/terraforming-aws#46) and the chain's "Unable to validate
// certificate chain. …" (aws/aws-cli#715, go-acme/lego#304).
const (
	msgCertNotPEM  = "Unable to parse certificate. Please ensure the certificate is in PEM format."
	msgCertChain   = "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid certificate is: %d"
	msgKeyNotPEM   = "Unable to parse private key. Please ensure the private key is in PEM format and not encrypted."
	msgKeyMismatch = "The request was rejected because the public key certificate and the private key do not match." // the model's KeyPairMismatch
)

func noSuchServerCertificate(name string) *awserr.Error {
	return awserr.NoSuchEntity("The Server Certificate with name %s cannot be found.", name)
}

// getServerCertificate reads a certificate by name, or NoSuchEntity.
func getServerCertificate(ctx context.Context, tx store.ReadTx, account, name string) (store.ServerCertificate, error) {
	sc, err := store.GetJSON[store.ServerCertificate](ctx, tx, store.KindServerCertificate, account, store.ServerCertificateKey(name))
	if isNotFound(err) {
		return sc, noSuchServerCertificate(name)
	}
	return sc, err
}

// parsePEMCertificates reads one or more PEM CERTIFICATE blocks and nothing
// else.
func parsePEMCertificates(s string) ([]*x509.Certificate, bool) {
	rest := []byte(strings.TrimSpace(s))
	var out []*x509.Certificate
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, false
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, false
		}
		out = append(out, c)
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	return out, len(out) > 0
}

// checkServerCertificate validates an upload: one certificate, valid now; an
// unencrypted private key (PKCS #1, PKCS #8 or SEC 1) whose public key is the
// certificate's; a chain that starts with the certificate's issuer and goes
// up in order. It returns the certificate and the key's DER (PKCS #8).
func checkServerCertificate(body, key string, chain *string, now time.Time) (*x509.Certificate, []byte, error) {
	certs, ok := parsePEMCertificates(body)
	if !ok || len(certs) != 1 {
		return nil, nil, awserr.MalformedCertificate(msgCertNotPEM)
	}
	cert := certs[0]
	if now.After(cert.NotAfter) {
		return nil, nil, awserr.MalformedCertificate("The certificate has expired: it was valid until %s.", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	priv, err := parsePrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	pub, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, nil, awserr.KeyPairMismatch(msgKeyMismatch)
	}
	if chain != nil && strings.TrimSpace(*chain) != "" {
		cs, ok := parsePEMCertificates(*chain)
		if !ok {
			return nil, nil, awserr.MalformedCertificate(msgCertNotPEM)
		}
		if cert.CheckSignatureFrom(cs[0]) != nil {
			return nil, nil, awserr.MalformedCertificate(msgCertChain, -1)
		}
		for i := 0; i+1 < len(cs); i++ {
			if cs[i].CheckSignatureFrom(cs[i+1]) != nil {
				return nil, nil, awserr.MalformedCertificate(msgCertChain, i)
			}
		}
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, awserr.MalformedCertificate(msgKeyNotPEM).WithCause(err)
	}
	return cert, der, nil
}

// parsePrivateKey reads one unencrypted PEM private key.
func parsePrivateKey(s string) (crypto.Signer, error) {
	b, rest := pem.Decode([]byte(strings.TrimSpace(s)))
	if b == nil || strings.TrimSpace(string(rest)) != "" || b.Headers["Proc-Type"] != "" {
		return nil, awserr.MalformedCertificate(msgKeyNotPEM)
	}
	var k any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	default:
		return nil, awserr.MalformedCertificate(msgKeyNotPEM)
	}
	if err != nil {
		return nil, awserr.MalformedCertificate(msgKeyNotPEM).WithCause(err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, awserr.MalformedCertificate(msgKeyNotPEM)
	}
	return signer, nil
}

func serverCertMetadata(sc store.ServerCertificate) iamapi.ServerCertificateMetadata {
	return iamapi.ServerCertificateMetadata{
		Path: sc.Path, ServerCertificateName: sc.Name, ServerCertificateId: sc.ID, Arn: sc.ARN,
		UploadDate: ptr(sc.UploadDate), Expiration: ptr(sc.Expiration),
	}
}

// serverCertAuthz describes a call on a certificate: its ARN (with its path)
// and its tags as aws:ResourceTag. A certificate that does not exist is
// named with the root path; the operation reports it.
func (s *Service) serverCertAuthz(ctx context.Context, c *identity.Caller, action, name string) (Authz, error) {
	a := Authz{Action: action, Resource: arnpkg.ServerCertificate(c.Account, "/", name)}
	err := s.view(ctx, func(tx store.ReadTx) error {
		sc, err := getServerCertificate(ctx, tx, c.Account, name)
		if err != nil {
			return nil
		}
		a.Resource = sc.ARN
		a.Context = resourceTagContext(a.Context, sc.Tags)
		return nil
	})
	return a, err
}

// serverCertificates is how a ServerCertificate is stored.
var serverCertificates = stored[store.ServerCertificate]{kind: store.KindServerCertificate, get: getServerCertificate,
	key: func(v store.ServerCertificate) string { return store.ServerCertificateKey(v.Name) }, tags: func(v *store.ServerCertificate) *[]store.Tag { return &v.Tags }}

// serverCertTags tags server certificates, named by name.
func (s *Service) serverCertTags() taggable { return serverCertificates.taggable(s, s.serverCertAuthz) }

func (s *Service) serverCertOps() []Op {
	t := s.serverCertTags()
	return []Op{
		op("UploadServerCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.UploadServerCertificateRequest) (Authz, error) {
			return Authz{Action: "iam:UploadServerCertificate", Resource: arnpkg.ServerCertificate(c.Account, pathOr(in.Path), in.ServerCertificateName), Context: requestTagContext(in.Tags)}, nil
		}, s.uploadServerCertificate),
		op("GetServerCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.GetServerCertificateRequest) (Authz, error) {
			return s.serverCertAuthz(ctx, c, "iam:GetServerCertificate", in.ServerCertificateName)
		}, s.getServerCertificate),
		op("ListServerCertificates", func(ctx context.Context, c *identity.Caller, in *iamapi.ListServerCertificatesRequest) (Authz, error) {
			// The action has no resource type (service authorization reference).
			return Authz{Action: "iam:ListServerCertificates", Resource: "*"}, nil
		}, s.listServerCertificates),
		op("UpdateServerCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateServerCertificateRequest) (Authz, error) {
			// "the person making the request (the principal), must have
			// permission to change the server certificate with the old name
			// and the new name" (API_UpdateServerCertificate).
			a, err := s.serverCertAuthz(ctx, c, "iam:UpdateServerCertificate", in.ServerCertificateName)
			if err != nil || (in.NewPath == nil && in.NewServerCertificateName == nil) {
				return a, err
			}
			path, name := "/", in.ServerCertificateName
			if p, err := arnpkg.Parse(a.Resource); err == nil {
				if i := strings.LastIndexByte(p.Resource, '/'); i >= 0 {
					path = p.Resource[len("server-certificate") : i+1]
				}
			}
			if in.NewPath != nil {
				path = *in.NewPath
			}
			if in.NewServerCertificateName != nil {
				name = *in.NewServerCertificateName
			}
			a.Also = append(a.Also, Authz{Action: "iam:UpdateServerCertificate", Resource: arnpkg.ServerCertificate(c.Account, path, name)})
			return a, nil
		}, s.updateServerCertificate),
		op("DeleteServerCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServerCertificateRequest) (Authz, error) {
			return s.serverCertAuthz(ctx, c, "iam:DeleteServerCertificate", in.ServerCertificateName)
		}, s.deleteServerCertificate),
		tagOp(t, "TagServerCertificate", func(in *iamapi.TagServerCertificateRequest) (string, []iamapi.Tag) {
			return in.ServerCertificateName, in.Tags
		}),
		untagOp(t, "UntagServerCertificate", func(in *iamapi.UntagServerCertificateRequest) (string, []string) {
			return in.ServerCertificateName, in.TagKeys
		}),
		listTagsOp(t, "ListServerCertificateTags", func(in *iamapi.ListServerCertificateTagsRequest) (string, *string, *int32) {
			return in.ServerCertificateName, in.Marker, in.MaxItems
		}, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListServerCertificateTagsResponse {
			return &iamapi.ListServerCertificateTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
		}),
	}
}

func (s *Service) uploadServerCertificate(ctx context.Context, c *identity.Caller, in *iamapi.UploadServerCertificateRequest) (*iamapi.UploadServerCertificateResponse, error) {
	now := s.now().UTC()
	cert, der, err := checkServerCertificate(in.CertificateBody, in.PrivateKey, in.CertificateChain, now)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.ids.UniqueID(ids.PrefixServerCertificate)
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.Seal(der, store.ServerCertificateKeyAAD(id))
	if err != nil {
		return nil, fmtErr("sealing a server certificate's private key: %w", err)
	}
	path := pathOr(in.Path)
	sc := store.ServerCertificate{
		ID: id, Name: in.ServerCertificateName, Path: path, ARN: arnpkg.ServerCertificate(c.Account, path, in.ServerCertificateName),
		Body: strings.TrimSpace(in.CertificateBody), UploadDate: now.Truncate(time.Second), Expiration: cert.NotAfter.UTC(),
		KeyCiphertext: sealed, Tags: storeTags(in.Tags),
	}
	if in.CertificateChain != nil {
		sc.Chain = strings.TrimSpace(*in.CertificateChain)
	}
	err = s.update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, store.KindServerCertificate, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxServerCertificates {
			return awserr.LimitExceeded("Cannot exceed quota for ServerCertificatesPerAccount: %d", maxServerCertificates)
		}
		err = store.CreateJSON(ctx, tx, store.KindServerCertificate, c.Account, store.ServerCertificateKey(sc.Name), sc)
		if isExists(err) {
			return awserr.EntityAlreadyExists("The Server Certificate with name %s already exists.", sc.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	md := serverCertMetadata(sc)
	return &iamapi.UploadServerCertificateResponse{ServerCertificateMetadata: &md, Tags: tagsOut(sc.Tags)}, nil
}

func (s *Service) getServerCertificate(ctx context.Context, c *identity.Caller, in *iamapi.GetServerCertificateRequest) (*iamapi.GetServerCertificateResponse, error) {
	var sc store.ServerCertificate
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		sc, err = getServerCertificate(ctx, tx, c.Account, in.ServerCertificateName)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The private key never leaves: the model's ServerCertificate has no
	// member for it.
	out := &iamapi.GetServerCertificateResponse{ServerCertificate: iamapi.ServerCertificate{
		ServerCertificateMetadata: serverCertMetadata(sc), CertificateBody: sc.Body, Tags: orEmpty(tagsOut(sc.Tags)),
	}}
	if sc.Chain != "" {
		out.ServerCertificate.CertificateChain = str(sc.Chain)
	}
	return out, nil
}

func (s *Service) listServerCertificates(ctx context.Context, c *identity.Caller, in *iamapi.ListServerCertificatesRequest) (*iamapi.ListServerCertificatesResponse, error) {
	items, truncated, marker, err := listByPath(ctx, s, store.KindServerCertificate, c.Account,
		func(sc store.ServerCertificate) string { return sc.Path }, in.PathPrefix, in.Marker, in.MaxItems, serverCertMetadata)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListServerCertificatesResponse{ServerCertificateMetadataList: items, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) updateServerCertificate(ctx context.Context, c *identity.Caller, in *iamapi.UpdateServerCertificateRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		sc, err := getServerCertificate(ctx, tx, c.Account, in.ServerCertificateName)
		if err != nil {
			return err
		}
		oldKey := store.ServerCertificateKey(sc.Name)
		if in.NewPath != nil {
			sc.Path = *in.NewPath
		}
		if in.NewServerCertificateName != nil {
			sc.Name = *in.NewServerCertificateName
		}
		sc.ARN = arnpkg.ServerCertificate(c.Account, sc.Path, sc.Name)
		if newKey := store.ServerCertificateKey(sc.Name); newKey != oldKey {
			if _, err := tx.Get(ctx, store.KindServerCertificate, c.Account, newKey); err == nil {
				return awserr.EntityAlreadyExists("The Server Certificate with name %s already exists.", sc.Name)
			} else if !isNotFound(err) {
				return err
			}
			if err := tx.Delete(ctx, store.KindServerCertificate, c.Account, oldKey); err != nil {
				return err
			}
		}
		return store.PutJSON(ctx, tx, store.KindServerCertificate, c.Account, store.ServerCertificateKey(sc.Name), sc)
	}))
}

func (s *Service) deleteServerCertificate(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServerCertificateRequest) (*noOutput, error) {
	return done(serverCertificates.remove(ctx, s, c.Account, in.ServerCertificateName))
}
