package iam

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// X.509 signing certificates of IAM users, and of the root user: when
// UserName is omitted, "the IAM user name is determined implicitly based on the
// Amazon Web Services access key ID used to sign the request. This operation
// works for access keys under the Amazon Web Services account"
// (API_UploadSigningCertificate). A user holds at most two
// (reference_iam-quotas.md: "Signing certificates assigned to an IAM user |
// 2"), and a certificate belongs to one user of an account
// (DuplicateCertificate: "the same certificate is associated with an IAM user
// in the account").
const maxSigningCertificates = 2

var signingCerts = userCredentials[store.SigningCertificate]{
	kind: store.KindSigningCertificate,
	notFound: func(id string) error {
		return awserr.NoSuchEntity("The Certificate with id %s cannot be found.", id)
	},
}

func (s *Service) signingCertificateOps() []Op {
	return []Op{
		op("UploadSigningCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.UploadSigningCertificateRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:UploadSigningCertificate", in.UserName)
		}, s.uploadSigningCertificate),
		op("ListSigningCertificates", func(ctx context.Context, c *identity.Caller, in *iamapi.ListSigningCertificatesRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:ListSigningCertificates", in.UserName)
		}, s.listSigningCertificates),
		op("UpdateSigningCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSigningCertificateRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:UpdateSigningCertificate", in.UserName)
		}, s.updateSigningCertificate),
		op("DeleteSigningCertificate", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSigningCertificateRequest) (Authz, error) {
			return s.keyAuthz(ctx, c, "iam:DeleteSigningCertificate", in.UserName)
		}, s.deleteSigningCertificate),
	}
}

// parseSigningCertificate reads one PEM-encoded X.509 certificate and returns
// the SHA-256 of its DER encoding. A body that is not one PEM CERTIFICATE
// block, or not a certificate, or a certificate past its validity, is
// MalformedCertificate ("the certificate was malformed or expired"); one not
// yet valid is InvalidCertificate.
func parseSigningCertificate(body string, now time.Time) ([32]byte, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		return [32]byte{}, awserr.MalformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return [32]byte{}, awserr.MalformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if now.After(cert.NotAfter) {
		return [32]byte{}, awserr.MalformedCertificate("The certificate has expired: it was valid until %s.", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if now.Before(cert.NotBefore) {
		return [32]byte{}, awserr.InvalidCertificate("The certificate is not yet valid: it is valid from %s.", cert.NotBefore.UTC().Format(time.RFC3339))
	}
	return sha256.Sum256(block.Bytes), nil
}

func signingCertOut(sc store.SigningCertificate, account string) iamapi.SigningCertificate {
	name := sc.UserName
	if name == "" {
		// The root user's certificates name the account, as ListMFADevices
		// names the root's device.
		name = account
	}
	return iamapi.SigningCertificate{UserName: name, CertificateId: sc.ID, CertificateBody: sc.Body,
		Status: iamapi.StatusType(sc.Status), UploadDate: ptr(sc.UploadDate)}
}

func (s *Service) uploadSigningCertificate(ctx context.Context, c *identity.Caller, in *iamapi.UploadSigningCertificateRequest) (*iamapi.UploadSigningCertificateResponse, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	id, err := s.ids.SigningCertificateID()
	if err != nil {
		return nil, err
	}
	var sc store.SigningCertificate
	err = s.update(ctx, func(tx store.Tx) error {
		if owner != "" {
			u, err := getUser(ctx, tx, c.Account, owner)
			if err != nil {
				return err
			}
			owner = u.Name
		}
		digest, err := parseSigningCertificate(in.CertificateBody, s.now())
		if err != nil {
			return err
		}
		// The body is kept as uploaded, trailing newline and all: IAM
		// returns it unchanged, and Terraform's aws_iam_signing_certificate
		// compares it byte for byte with its configuration (a trimmed body
		// made every plan replace the certificate).
		sc = store.SigningCertificate{ID: id, UserName: owner, Body: in.CertificateBody, Digest: hex.EncodeToString(digest[:]),
			Status: store.StatusActive, UploadDate: s.now().UTC().Truncate(time.Second)}
		if err := store.CreateJSON(ctx, tx, store.KindSigningCertificateDigest, c.Account, sc.Digest, store.SigningCertificateRef{CertificateID: id}); err != nil {
			if isExists(err) {
				return awserr.DuplicateCertificate("The certificate is already associated with a user in this account.")
			}
			return err
		}
		n, err := tx.Count(ctx, store.KindSigningCertificate, c.Account, store.UserCredentialPrefix(owner))
		if err != nil {
			return err
		}
		if n >= maxSigningCertificates {
			return awserr.LimitExceeded("Cannot exceed quota for SigningCertificatesPerUser: %d", maxSigningCertificates)
		}
		return signingCerts.put(ctx, tx, c.Account, owner, id, sc)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSigningCertificateResponse{Certificate: signingCertOut(sc, c.Account)}, nil
}

// ownedCertificate reads certificate id of owner ("" for the root user),
// checking that the user exists.
func ownedCertificate(ctx context.Context, tx store.ReadTx, account, owner, id string) (store.SigningCertificate, error) {
	if err := existingUser(ctx, tx, account, owner); err != nil {
		return store.SigningCertificate{}, err
	}
	return signingCerts.get(ctx, tx, account, owner, id)
}

func (s *Service) listSigningCertificates(ctx context.Context, c *identity.Caller, in *iamapi.ListSigningCertificatesRequest) (*iamapi.ListSigningCertificatesResponse, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSigningCertificatesResponse{Certificates: []iamapi.SigningCertificate{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if err := existingUser(ctx, tx, c.Account, owner); err != nil {
			return err
		}
		certs, truncated, marker, err := signingCerts.page(ctx, tx, c.Account, owner, p, nil)
		if err != nil {
			return err
		}
		for _, sc := range certs {
			out.Certificates = append(out.Certificates, signingCertOut(sc, c.Account))
		}
		out.IsTruncated, out.Marker = truncated, marker
		return nil
	})
	return out, err
}

func (s *Service) updateSigningCertificate(ctx context.Context, c *identity.Caller, in *iamapi.UpdateSigningCertificateRequest) (*noOutput, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		sc, err := ownedCertificate(ctx, tx, c.Account, owner, in.CertificateId)
		if err != nil {
			return err
		}
		sc.Status = string(in.Status)
		return signingCerts.put(ctx, tx, c.Account, sc.UserName, sc.ID, sc)
	}))
}

func (s *Service) deleteSigningCertificate(ctx context.Context, c *identity.Caller, in *iamapi.DeleteSigningCertificateRequest) (*noOutput, error) {
	owner, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		sc, err := ownedCertificate(ctx, tx, c.Account, owner, in.CertificateId)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindSigningCertificateDigest, c.Account, sc.Digest); err != nil && !isNotFound(err) {
			return err
		}
		return tx.Delete(ctx, store.KindSigningCertificate, c.Account, store.UserCredentialKey(sc.UserName, sc.ID))
	}))
}
