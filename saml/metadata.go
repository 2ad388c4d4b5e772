package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Metadata is what IAM keeps of an identity provider's SAML metadata
// document: who it is and the certificates its signatures verify with.
type Metadata struct {
	// EntityID is the provider's entityID, the Issuer of its assertions.
	EntityID string
	// Certificates are the signing certificates of its IDPSSODescriptor
	// (KeyDescriptor use="signing" or without use).
	Certificates []*x509.Certificate
	// ValidUntil is the document's validUntil, zero when it has none.
	ValidUntil time.Time
}

// minKeyBits is the smallest RSA key a signing certificate may have: "the
// x.509 certificate included as part of the SAML metadata document must use a
// key size of at least 1024 bits" (IAM User Guide, troubleshoot_saml.md,
// "Error: Could not parse metadata").
const minKeyBits = 1024

// ErrMetadata wraps every reason a metadata document is refused.
var ErrMetadata = errors.New("saml: could not parse metadata")

// ParseMetadata reads an identity provider's metadata document: an
// EntityDescriptor (alone, or the only one of an EntitiesDescriptor) with an
// entityID and an IDPSSODescriptor that has at least one signing certificate.
// Certificates must parse (Go's parser refuses repeated extensions, as AWS
// does) and RSA keys have at least 1024 bits. Errors wrap ErrMetadata.
func ParseMetadata(doc []byte) (*Metadata, error) {
	m, err := parseMetadata(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMetadata, err)
	}
	return m, nil
}

func parseMetadata(doc []byte) (*Metadata, error) {
	root, err := parseXML(doc)
	if err != nil {
		return nil, err
	}
	ed := root
	if is(root, nsMetadata, "EntitiesDescriptor") {
		eds := children(root, nsMetadata, "EntityDescriptor")
		if len(eds) != 1 {
			return nil, errors.New("an EntitiesDescriptor must hold exactly one EntityDescriptor")
		}
		ed = eds[0]
	}
	if !is(ed, nsMetadata, "EntityDescriptor") {
		return nil, fmt.Errorf("the root element is %s, not md:EntityDescriptor", root.Tag)
	}
	m := &Metadata{EntityID: strings.TrimSpace(ed.SelectAttrValue("entityID", ""))}
	if m.EntityID == "" {
		return nil, errors.New("the EntityDescriptor has no entityID")
	}
	if v := ed.SelectAttrValue("validUntil", ""); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return nil, fmt.Errorf("validUntil: %w", err)
		}
		m.ValidUntil = t
	}
	idp, err := child(ed, nsMetadata, "IDPSSODescriptor")
	if err != nil {
		return nil, err
	}
	if idp == nil {
		return nil, errors.New("the EntityDescriptor has no IDPSSODescriptor")
	}
	for _, kd := range children(idp, nsMetadata, "KeyDescriptor") {
		if use := kd.SelectAttrValue("use", ""); use != "" && use != "signing" {
			continue
		}
		certs, err := keyDescriptorCerts(kd)
		if err != nil {
			return nil, err
		}
		m.Certificates = append(m.Certificates, certs...)
	}
	if len(m.Certificates) == 0 {
		return nil, errors.New("the IDPSSODescriptor has no signing certificate")
	}
	return m, nil
}

// keyDescriptorCerts reads the certificates of ds:KeyInfo/ds:X509Data.
func keyDescriptorCerts(kd *etree.Element) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, ki := range children(kd, nsDSig, "KeyInfo") {
		for _, xd := range children(ki, nsDSig, "X509Data") {
			for _, xc := range children(xd, nsDSig, "X509Certificate") {
				c, err := parseCertificate(text(xc))
				if err != nil {
					return nil, err
				}
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// parseCertificate reads a base64 DER certificate (whitespace allowed).
func parseCertificate(b64 string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, fmt.Errorf("X509Certificate is not base64: %w", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minKeyBits {
		return nil, fmt.Errorf("the certificate's RSA key has %d bits, fewer than %d", k.N.BitLen(), minKeyBits)
	}
	return c, nil
}

// parseTime reads an xs:dateTime as SAML writes it (UTC, optional
// fractional seconds).
func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
}
