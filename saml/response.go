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
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// MaxResponseBytes bounds the decoded SAML response: the model bounds the
// base64 text to 100,000 characters, which decode to at most 75,000 bytes.
const MaxResponseBytes = 75000

// Errors of ParseResponse, for the caller to map to its own.
var (
	// ErrMalformed: not base64, not XML, or not a SAML Response with one
	// assertion whose parts are where SAML puts them.
	ErrMalformed = errors.New("saml: malformed response")
	// ErrSignature: neither the Response nor its Assertion carries a
	// signature that verifies with one of the provider's certificates.
	ErrSignature = errors.New("saml: response signature invalid")
	// ErrEncrypted: the response holds an EncryptedAssertion and no
	// decryption key was given.
	ErrEncrypted = errors.New("saml: the assertion is encrypted and the provider has no private key")
	// ErrDecrypt: no key given decrypts the EncryptedAssertion.
	ErrDecrypt = errors.New("saml: the assertion could not be decrypted")
	// ErrStatus: the identity provider reports that authentication failed.
	ErrStatus = errors.New("saml: the identity provider did not report success")
)

// statusSuccess is the StatusCode of a successful response.
const statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"

// bearer is the SubjectConfirmation method of browser SSO.
const bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

// Attribute is one attribute of the assertion's AttributeStatements.
type Attribute struct {
	Name, FriendlyName string
	Values             []string
}

// Assertion is what a verified response asserts. Every field comes from the
// element the signature verified.
type Assertion struct {
	// ID is the assertion's ID, unique per identity provider.
	ID string
	// Issuer is the assertion's Issuer.
	Issuer string
	// Subject and SubjectFormat are the Subject's NameID and its Format.
	Subject, SubjectFormat string
	// Recipient and NotOnOrAfter are the bearer SubjectConfirmationData's.
	Recipient                string
	ConfirmationNotOnOrAfter time.Time
	// NotBefore and NotOnOrAfter are the Conditions' (zero when absent).
	NotBefore, NotOnOrAfter time.Time
	// Audiences are the Conditions' AudienceRestriction/Audience values.
	Audiences []string
	// SessionNotOnOrAfter is the earliest SessionNotOnOrAfter of the
	// AuthnStatements (zero when none has one): the session ends then.
	SessionNotOnOrAfter time.Time
	// Attributes are the AttributeStatement's attributes, in order.
	Attributes []Attribute
	// Encrypted reports that the assertion came as an EncryptedAssertion.
	Encrypted bool
}

// Options says what ParseResponse verifies and decrypts with.
type Options struct {
	// Certificates are the provider's signing certificates.
	Certificates []*x509.Certificate
	// DecryptionKeys decrypt an EncryptedAssertion (RSA key transport, AES
	// in CBC or GCM mode, with github.com/crewjam/saml/xmlenc).
	DecryptionKeys []*rsa.PrivateKey
	// Now is when the certificates must be valid.
	Now time.Time
}

// Expiry is the earliest NotOnOrAfter of the assertion.
func (a *Assertion) Expiry() time.Time {
	if !a.NotOnOrAfter.IsZero() && a.NotOnOrAfter.Before(a.ConfirmationNotOnOrAfter) {
		return a.NotOnOrAfter
	}
	return a.ConfirmationNotOnOrAfter
}

// Values returns the values of the attribute named name (exactly, as AWS
// matches the names of its attributes), and whether it is present.
func (a *Assertion) Values(name string) ([]string, bool) {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at.Values, true
		}
	}
	return nil, false
}

// ParseResponse decodes a base64 SAML Response and verifies its signature
// with o.Certificates at o.Now (the certificates' validity is checked at that
// time): the Response is signed (enveloped, referencing it), or else its one
// assertion is. Only the element goxmldsig returns as verified is read, so
// content wrapped around or beside a signed element is never trusted. The
// response holds exactly one Assertion or EncryptedAssertion; an encrypted
// one is decrypted with o.DecryptionKeys (from the verified response when it
// is signed; else its plaintext must carry the signature). Times, audience and
// recipient are returned for the caller to check.
func ParseResponse(b64 string, o Options) (*Assertion, error) {
	raw, err := decodeBase64(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	root, err := parseXML(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if !is(root, nsProtocol, "Response") {
		return nil, fmt.Errorf("%w: the root element is %s, not samlp:Response", ErrMalformed, root.Tag)
	}
	if err := checkStatus(root); err != nil {
		return nil, err
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: o.Certificates})
	vc.Clock = dsig.NewFakeClockAt(o.Now)

	signed, err := child(root, nsDSig, "Signature")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	response := root
	if signed != nil {
		// The Response is signed: read the assertion out of the verified
		// copy only.
		if response, err = vc.Validate(root); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSignature, err)
		}
	}
	plain, encrypted := children(response, nsAssertion, "Assertion"), children(response, nsAssertion, "EncryptedAssertion")
	if len(plain)+len(encrypted) != 1 {
		return nil, fmt.Errorf("%w: a response holds exactly one assertion, not %d", ErrMalformed, len(plain)+len(encrypted))
	}
	var assertion *etree.Element
	if len(encrypted) == 1 {
		if assertion, err = decryptAssertion(encrypted[0], o.DecryptionKeys); err != nil {
			return nil, err
		}
	} else {
		assertion = plain[0]
	}
	// Unless the response's signature covers it, the assertion carries its
	// own; when it carries one, that must verify too.
	if sig, _ := child(assertion, nsDSig, "Signature"); sig != nil || signed == nil {
		if assertion, err = validateDetached(vc, assertion); err != nil {
			return nil, err
		}
	}
	a, err := readAssertion(assertion)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	a.Encrypted = len(encrypted) == 1
	return a, nil
}

// decryptAssertion decrypts an EncryptedAssertion's EncryptedData with the
// first key that opens it, and parses the plaintext Assertion as a document
// of its own.
func decryptAssertion(ea *etree.Element, keys []*rsa.PrivateKey) (*etree.Element, error) {
	if len(keys) == 0 {
		return nil, ErrEncrypted
	}
	data, err := child(ea, "http://www.w3.org/2001/04/xmlenc#", "EncryptedData")
	if err != nil || data == nil {
		return nil, fmt.Errorf("%w: the EncryptedAssertion has no single EncryptedData", ErrMalformed)
	}
	var last error
	for _, k := range keys {
		plaintext, err := xmlenc.Decrypt(k, data)
		if err != nil {
			last = err
			continue
		}
		el, err := parseXML(plaintext)
		if err != nil {
			return nil, fmt.Errorf("%w: the decrypted assertion: %w", ErrMalformed, err)
		}
		return el, nil
	}
	return nil, fmt.Errorf("%w: %w", ErrDecrypt, last)
}

// validateDetached verifies the enveloped signature of el, a child element,
// detached from its parent with the namespaces it inherits.
func validateDetached(vc *dsig.ValidationContext, el *etree.Element) (*etree.Element, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	verified, err := vc.Validate(detached)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return verified, nil
}

// decodeBase64 decodes standard base64, with or without padding and with
// line breaks (as IdPs' HTTP POST forms carry it), within MaxResponseBytes.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	if base64.StdEncoding.DecodedLen(len(s)) > MaxResponseBytes+3 {
		return nil, fmt.Errorf("the response is longer than %d bytes", MaxResponseBytes)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if len(b) > MaxResponseBytes {
		return nil, fmt.Errorf("the response is longer than %d bytes", MaxResponseBytes)
	}
	return b, nil
}

// checkStatus requires the top-level StatusCode to be Success.
func checkStatus(root *etree.Element) error {
	st, err := child(root, nsProtocol, "Status")
	if err != nil || st == nil {
		return fmt.Errorf("%w: the response has no single Status", ErrMalformed)
	}
	code, err := child(st, nsProtocol, "StatusCode")
	if err != nil || code == nil {
		return fmt.Errorf("%w: the Status has no single StatusCode", ErrMalformed)
	}
	if v := code.SelectAttrValue("Value", ""); v != statusSuccess {
		return fmt.Errorf("%w: status %s", ErrStatus, v)
	}
	return nil
}

// readAssertion reads a verified saml:Assertion.
func readAssertion(el *etree.Element) (*Assertion, error) {
	if !is(el, nsAssertion, "Assertion") {
		return nil, errors.New("not a saml:Assertion")
	}
	a := &Assertion{ID: el.SelectAttrValue("ID", "")}
	if a.ID == "" {
		return nil, errors.New("the Assertion has no ID")
	}
	iss, err := child(el, nsAssertion, "Issuer")
	if err != nil {
		return nil, err
	}
	if a.Issuer = text(iss); a.Issuer == "" {
		return nil, errors.New("the Assertion has no Issuer")
	}
	if err := readSubject(el, a); err != nil {
		return nil, err
	}
	if err := readConditions(el, a); err != nil {
		return nil, err
	}
	for _, st := range children(el, nsAssertion, "AuthnStatement") {
		if v := st.SelectAttrValue("SessionNotOnOrAfter", ""); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return nil, fmt.Errorf("AuthnStatement SessionNotOnOrAfter: %w", err)
			}
			if a.SessionNotOnOrAfter.IsZero() || t.Before(a.SessionNotOnOrAfter) {
				a.SessionNotOnOrAfter = t
			}
		}
	}
	for _, st := range children(el, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			attr := Attribute{Name: at.SelectAttrValue("Name", ""), FriendlyName: at.SelectAttrValue("FriendlyName", "")}
			for _, v := range children(at, nsAssertion, "AttributeValue") {
				attr.Values = append(attr.Values, text(v))
			}
			a.Attributes = append(a.Attributes, attr)
		}
	}
	return a, nil
}

// readSubject reads the NameID and the one bearer SubjectConfirmation, whose
// SubjectConfirmationData has both NotOnOrAfter and Recipient (IAM User
// Guide, id_roles_providers_create_saml_assertions.md: "There must be
// exactly one SubjectConfirmation element with a SubjectConfirmationData
// element that includes both the NotOnOrAfter attribute and a Recipient
// attribute").
func readSubject(el *etree.Element, a *Assertion) error {
	sub, err := child(el, nsAssertion, "Subject")
	if err != nil {
		return err
	}
	if sub == nil {
		return errors.New("the Assertion has no Subject")
	}
	nid, err := child(sub, nsAssertion, "NameID")
	if err != nil {
		return err
	}
	if nid != nil {
		a.Subject = text(nid)
		a.SubjectFormat = nid.SelectAttrValue("Format", "")
	}
	scs := children(sub, nsAssertion, "SubjectConfirmation")
	if len(scs) != 1 || scs[0].SelectAttrValue("Method", "") != bearer {
		return errors.New("the Subject must have exactly one bearer SubjectConfirmation")
	}
	scd, err := child(scs[0], nsAssertion, "SubjectConfirmationData")
	if err != nil {
		return err
	}
	if scd == nil {
		return errors.New("the SubjectConfirmation has no SubjectConfirmationData")
	}
	a.Recipient = scd.SelectAttrValue("Recipient", "")
	noa := scd.SelectAttrValue("NotOnOrAfter", "")
	if a.Recipient == "" || noa == "" {
		return errors.New("the SubjectConfirmationData must have NotOnOrAfter and Recipient")
	}
	if a.ConfirmationNotOnOrAfter, err = parseTime(noa); err != nil {
		return fmt.Errorf("SubjectConfirmationData NotOnOrAfter: %w", err)
	}
	return nil
}

// readConditions reads the optional Conditions: NotBefore, NotOnOrAfter and
// the audiences.
func readConditions(el *etree.Element, a *Assertion) error {
	c, err := child(el, nsAssertion, "Conditions")
	if err != nil || c == nil {
		return err
	}
	if v := c.SelectAttrValue("NotBefore", ""); v != "" {
		if a.NotBefore, err = parseTime(v); err != nil {
			return fmt.Errorf("Conditions NotBefore: %w", err)
		}
	}
	if v := c.SelectAttrValue("NotOnOrAfter", ""); v != "" {
		if a.NotOnOrAfter, err = parseTime(v); err != nil {
			return fmt.Errorf("Conditions NotOnOrAfter: %w", err)
		}
	}
	for _, ar := range children(c, nsAssertion, "AudienceRestriction") {
		for _, au := range children(ar, nsAssertion, "Audience") {
			a.Audiences = append(a.Audiences, text(au))
		}
	}
	return nil
}
