// Package samltest is a SAML 2.0 identity provider for tests: its own RSA key
// and self-signed certificate, a metadata document naming them, and signed
// Responses (the Response, the Assertion, or both signed with
// github.com/russellhaering/goxmldsig, the library package saml verifies
// with). It is never part of the server.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
)

// Namespaces of SAML 2.0.
const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
)

// Attribute names AWS reads (IAM User Guide,
// id_roles_providers_create_saml_assertions.md).
const (
	RoleAttribute            = "https://aws.amazon.com/SAML/Attributes/Role"
	RoleSessionNameAttr      = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	SessionDurationAttr      = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	SourceIdentityAttr       = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	TransitiveTagKeysAttr    = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	PrincipalTagAttrPrefix   = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AWSRecipient             = "https://signin.aws.amazon.com/saml"
	PersistentNameIDFormat   = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	TransientNameIDFormat    = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
	EmailAddressNameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
)

// IdP is a test identity provider.
type IdP struct {
	// EntityID is the provider's entityID and the Issuer of its assertions.
	EntityID string
	// Key signs; Cert is its self-signed certificate.
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// New makes a provider with a fresh 2048-bit key and a certificate valid
// from a day before now for ten years.
func New(entityID string, now time.Time) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: entityID},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &IdP{EntityID: entityID, Key: key, Cert: cert}, nil
}

// Metadata is the provider's metadata document.
func (p *IdP) Metadata() string {
	doc := etree.NewDocument()
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMetadata)
	ed.CreateAttr("xmlns:ds", dsig.Namespace)
	ed.CreateAttr("entityID", p.EntityID)
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("protocolSupportEnumeration", nsProtocol)
	kd := idp.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	kd.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(p.Cert.Raw))
	nf := idp.CreateElement("md:NameIDFormat")
	nf.SetText(PersistentNameIDFormat)
	sso := idp.CreateElement("md:SingleSignOnService")
	sso.CreateAttr("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")
	sso.CreateAttr("Location", p.EntityID+"/sso")
	s, _ := doc.WriteToString()
	return s
}

// Attribute is an attribute of an assertion.
type Attribute struct {
	Name, FriendlyName string
	Values             []string
}

// Assertion says what a Response asserts. Zero times take defaults from Now.
type Assertion struct {
	// ID of the assertion; a random one when empty.
	ID string
	// Issuer; the provider's EntityID when empty.
	Issuer string
	// Subject and SubjectFormat: the NameID and its Format.
	Subject, SubjectFormat string
	// Recipient of the SubjectConfirmationData; AWSRecipient when empty.
	Recipient string
	// Audience of the Conditions; AWSRecipient when empty, none when "-".
	Audience string
	// Now is the IssueInstant; NotBefore is Now-1m and NotOnOrAfter Now+5m
	// when zero.
	Now, NotBefore, NotOnOrAfter time.Time
	// Attributes of the AttributeStatement.
	Attributes []Attribute
	// SessionNotOnOrAfter, when set, is the AuthnStatement's.
	SessionNotOnOrAfter time.Time
	// SignAssertion and SignResponse choose what is signed.
	SignAssertion, SignResponse bool
	// EncryptFor, when set, encrypts the (signed) assertion for the
	// certificate's RSA key: RSA-OAEP key transport, AES-256-GCM content
	// (AES-256-CBC when CBC is set), as an EncryptedAssertion.
	EncryptFor *x509.Certificate
	CBC        bool
}

// Response returns the signed Response, base64-encoded as AWS takes it.
func (p *IdP) Response(a Assertion) (string, error) {
	x, err := p.ResponseXML(a)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString([]byte(x)), nil
}

// ResponseXML returns the signed Response document.
func (p *IdP) ResponseXML(a Assertion) (string, error) {
	if a.ID == "" {
		a.ID = randomID()
	}
	if a.Issuer == "" {
		a.Issuer = p.EntityID
	}
	if a.Recipient == "" {
		a.Recipient = AWSRecipient
	}
	if a.Audience == "" {
		a.Audience = AWSRecipient
	}
	if a.Now.IsZero() {
		a.Now = time.Now()
	}
	if a.NotBefore.IsZero() {
		a.NotBefore = a.Now.Add(-time.Minute)
	}
	if a.NotOnOrAfter.IsZero() {
		a.NotOnOrAfter = a.Now.Add(5 * time.Minute)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

	as := etree.NewElement("saml:Assertion")
	as.CreateAttr("xmlns:saml", nsAssertion)
	as.CreateAttr("ID", a.ID)
	as.CreateAttr("Version", "2.0")
	as.CreateAttr("IssueInstant", ts(a.Now))
	as.CreateElement("saml:Issuer").SetText(a.Issuer)
	sub := as.CreateElement("saml:Subject")
	nid := sub.CreateElement("saml:NameID")
	if a.SubjectFormat != "" {
		nid.CreateAttr("Format", a.SubjectFormat)
	}
	nid.SetText(a.Subject)
	sc := sub.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(a.NotOnOrAfter))
	scd.CreateAttr("Recipient", a.Recipient)
	cond := as.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(a.NotBefore))
	cond.CreateAttr("NotOnOrAfter", ts(a.NotOnOrAfter))
	if a.Audience != "-" {
		cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(a.Audience)
	}
	authn := as.CreateElement("saml:AuthnStatement")
	authn.CreateAttr("AuthnInstant", ts(a.Now))
	if !a.SessionNotOnOrAfter.IsZero() {
		authn.CreateAttr("SessionNotOnOrAfter", ts(a.SessionNotOnOrAfter))
	}
	authn.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	if len(a.Attributes) > 0 {
		st := as.CreateElement("saml:AttributeStatement")
		for _, at := range a.Attributes {
			e := st.CreateElement("saml:Attribute")
			e.CreateAttr("Name", at.Name)
			if at.FriendlyName != "" {
				e.CreateAttr("FriendlyName", at.FriendlyName)
			}
			for _, v := range at.Values {
				e.CreateElement("saml:AttributeValue").SetText(v)
			}
		}
	}
	if a.SignAssertion {
		signed, err := p.sign(as)
		if err != nil {
			return "", err
		}
		as = signed
	}

	if a.EncryptFor != nil {
		enc, err := encrypt(as, a.EncryptFor, a.CBC)
		if err != nil {
			return "", err
		}
		as = enc
	}

	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	resp.CreateAttr("ID", randomID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", ts(a.Now))
	resp.CreateAttr("Destination", a.Recipient)
	iss := resp.CreateElement("saml:Issuer")
	iss.CreateAttr("xmlns:saml", nsAssertion)
	iss.SetText(a.Issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	resp.AddChild(as)
	if a.SignResponse {
		signed, err := p.sign(resp)
		if err != nil {
			return "", err
		}
		resp = signed
	}
	doc := etree.NewDocument()
	doc.SetRoot(resp)
	return doc.WriteToString()
}

// encrypt wraps el, serialized as a document of its own, in an
// EncryptedAssertion for cert.
func encrypt(el *etree.Element, cert *x509.Certificate, cbc bool) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	e := xmlenc.OAEP()
	e.BlockCipher = xmlenc.AES256GCM
	if cbc {
		e.BlockCipher = xmlenc.AES256CBC
	}
	data, err := e.Encrypt(cert, plaintext, nil)
	if err != nil {
		return nil, err
	}
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml", nsAssertion)
	ea.AddChild(data)
	return ea, nil
}

// sign returns el with an enveloped RSA-SHA256 signature, exclusive c14n.
func (p *IdP) sign(el *etree.Element) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(p.Key, [][]byte{p.Cert.Raw})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	return ctx.SignEnveloped(el)
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("_%x", b)
}
