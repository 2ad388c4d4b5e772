package saml_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/saml"
	"github.com/gatehouse-iam/gatehouse/saml/samltest"
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func newIdP(t testing.TB) *samltest.IdP {
	t.Helper()
	p, err := samltest.New("https://idp.example.com/saml", now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func metadata(t testing.TB, p *samltest.IdP) *saml.Metadata {
	t.Helper()
	m, err := saml.ParseMetadata([]byte(p.Metadata()))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func assertion(mod func(*samltest.Assertion)) samltest.Assertion {
	a := samltest.Assertion{
		Now: now, Subject: "alice", SubjectFormat: samltest.PersistentNameIDFormat,
		Attributes: []samltest.Attribute{
			{Name: samltest.RoleSessionNameAttr, Values: []string{"alice"}},
			{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", FriendlyName: "eduPersonAffiliation", Values: []string{"staff", "member"}},
		},
	}
	if mod != nil {
		mod(&a)
	}
	return a
}

func TestParseMetadata(t *testing.T) {
	p := newIdP(t)
	m := metadata(t, p)
	if m.EntityID != p.EntityID || len(m.Certificates) != 1 || !m.Certificates[0].Equal(p.Cert) || !m.ValidUntil.IsZero() {
		t.Fatalf("metadata = %+v", m)
	}
	md := p.Metadata()
	withUntil := strings.Replace(md, `entityID=`, `validUntil="2030-01-02T03:04:05Z" entityID=`, 1)
	if m, err := saml.ParseMetadata([]byte(withUntil)); err != nil || !m.ValidUntil.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("validUntil: %v %v", m, err)
	}
	bad := map[string]string{
		"not xml":         "this is not XML at all",
		"wrong root":      strings.ReplaceAll(md, "EntityDescriptor", "EntityThing"),
		"no entityID":     strings.Replace(md, `entityID="`+p.EntityID+`"`, "", 1),
		"no IdP":          strings.ReplaceAll(md, "IDPSSODescriptor", "SPSSODescriptor"),
		"encryption only": strings.Replace(md, `use="signing"`, `use="encryption"`, 1),
		"bad certificate": strings.Replace(md, "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
		"doctype":         `<!DOCTYPE x [<!ENTITY a "b">]>` + md,
		"two roots":       md + md,
		"bad validUntil":  withUntil[:strings.Index(withUntil, "2030")] + "tomorrow" + withUntil[strings.Index(withUntil, "Z\" ")+1:],
		"two descriptors": strings.Replace(md, "</md:IDPSSODescriptor>", "</md:IDPSSODescriptor><md:IDPSSODescriptor/>", 1),
	}
	for name, doc := range bad {
		if _, err := saml.ParseMetadata([]byte(doc)); !errors.Is(err, saml.ErrMetadata) {
			t.Errorf("%s: err = %v, want ErrMetadata", name, err)
		}
	}
}

func TestParseResponseSigned(t *testing.T) {
	p := newIdP(t)
	m := metadata(t, p)
	for name, mod := range map[string]func(*samltest.Assertion){
		"response":  func(a *samltest.Assertion) { a.SignResponse = true },
		"assertion": func(a *samltest.Assertion) { a.SignAssertion = true },
		"both":      func(a *samltest.Assertion) { a.SignResponse, a.SignAssertion = true, true },
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := p.Response(assertion(mod))
			if err != nil {
				t.Fatal(err)
			}
			a, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if a.Issuer != p.EntityID || a.Subject != "alice" || a.SubjectFormat != samltest.PersistentNameIDFormat ||
				a.Recipient != samltest.AWSRecipient || len(a.Audiences) != 1 || a.Audiences[0] != samltest.AWSRecipient ||
				!a.Expiry().Equal(now.Add(5*time.Minute).Truncate(time.Millisecond)) || a.ID == "" {
				t.Fatalf("assertion = %+v", a)
			}
			if v, ok := a.Values("urn:oid:1.3.6.1.4.1.5923.1.1.1.1"); !ok || len(v) != 2 || v[1] != "member" {
				t.Fatalf("attribute values = %v %v", v, ok)
			}
		})
	}
}

func TestParseResponseRefused(t *testing.T) {
	p := newIdP(t)
	other := newIdP(t)
	m := metadata(t, p)
	signedXML := func(mod func(*samltest.Assertion)) string {
		x, err := p.ResponseXML(assertion(mod))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	otherSigned, err := other.Response(assertion(func(a *samltest.Assertion) { a.SignResponse = true }))
	if err != nil {
		t.Fatal(err)
	}
	byAssertion := signedXML(func(a *samltest.Assertion) { a.SignAssertion = true })
	byResponse := signedXML(func(a *samltest.Assertion) { a.SignResponse = true })

	// Wrapping: the signed assertion is kept (hidden in an extension the
	// verifier could be fooled into checking) and a forged one is the
	// response's assertion.
	forged := strings.Replace(byAssertion, ">alice</saml:NameID>", ">admin</saml:NameID>", 1)
	start := strings.Index(byAssertion, "<saml:Assertion")
	end := strings.Index(byAssertion, "</saml:Assertion>") + len("</saml:Assertion>")
	original := byAssertion[start:end]
	wrapped := strings.Replace(forged, "<samlp:Status>", "<samlp:Extensions>"+original+"</samlp:Extensions><samlp:Status>", 1)
	// A second assertion beside the signed one.
	twoAssertions := strings.Replace(byAssertion, "</samlp:Response>", strings.Replace(original, ">alice<", ">admin<", 1)+"</samlp:Response>", 1)
	// A signed response whose assertion is altered after signing.
	tampered := strings.Replace(byResponse, ">alice</saml:NameID>", ">admin</saml:NameID>", 1)

	cases := map[string]struct {
		raw  string
		want error
	}{
		"not base64":         {"%%%not base64%%%", saml.ErrMalformed},
		"not xml":            {enc("hello"), saml.ErrMalformed},
		"doctype":            {enc(`<!DOCTYPE r [<!ENTITY x "y">]>` + byResponse), saml.ErrMalformed},
		"not a response":     {enc(`<a xmlns="urn:x"/>`), saml.ErrMalformed},
		"unsigned":           {enc(signedXML(nil)), saml.ErrSignature},
		"wrong key":          {otherSigned, saml.ErrSignature},
		"tampered":           {enc(tampered), saml.ErrSignature},
		"tampered assertion": {enc(forged), saml.ErrSignature},
		"wrapped":            {enc(wrapped), saml.ErrSignature},
		"two assertions":     {enc(twoAssertions), saml.ErrMalformed},
		"failed status":      {enc(strings.Replace(signedXML(nil), "status:Success", "status:Requester", 1)), saml.ErrStatus},
		"encrypted":          {enc(strings.Replace(byAssertion, "</samlp:Response>", `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`, 1)), saml.ErrMalformed},
		"too long":           {strings.Repeat("QUFB", saml.MaxResponseBytes/3+10), saml.ErrMalformed},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := saml.ParseResponse(c.raw, saml.Options{Certificates: m.Certificates, Now: now})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v (assertion %+v), want %v", err, a, c.want)
			}
		})
	}
	// The certificate is checked at the time given.
	raw, _ := p.Response(assertion(func(a *samltest.Assertion) { a.SignResponse = true }))
	if _, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, Now: now.AddDate(20, 0, 0)}); !errors.Is(err, saml.ErrSignature) {
		t.Fatalf("expired certificate: err = %v", err)
	}
}

// FuzzParseResponse: hostile input never panics, and nothing but a response
// signed by the provider's key is accepted.
func FuzzParseResponse(f *testing.F) {
	p := newIdP(f)
	m := metadata(f, p)
	for _, mod := range []func(*samltest.Assertion){
		func(a *samltest.Assertion) { a.SignResponse = true },
		func(a *samltest.Assertion) { a.SignAssertion = true },
		nil,
	} {
		x, err := p.ResponseXML(assertion(mod))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(x))
	}
	f.Add([]byte("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := saml.ParseResponse(base64.StdEncoding.EncodeToString(doc), saml.Options{Certificates: m.Certificates, Now: now})
		if err == nil && (a.Issuer == "" || a.ID == "") {
			t.Fatalf("accepted an assertion without issuer or id: %+v", a)
		}
	})
}

// FuzzParseMetadata: hostile metadata never panics.
func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(newIdP(f).Metadata()))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := saml.ParseMetadata(doc)
		if err == nil && (m.EntityID == "" || len(m.Certificates) == 0) {
			t.Fatalf("accepted metadata without entity id or certificate: %+v", m)
		}
	})
}

// spKey is the service provider's decryption key and certificate.
func spKey(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	p, err := samltest.New("urn:amazon:webservices", now)
	if err != nil {
		t.Fatal(err)
	}
	return p.Key, p.Cert
}

func TestParseResponseEncrypted(t *testing.T) {
	p := newIdP(t)
	m := metadata(t, p)
	key, cert := spKey(t)
	otherKey, _ := spKey(t)
	for name, mod := range map[string]func(*samltest.Assertion){
		"signed response, GCM":  func(a *samltest.Assertion) { a.SignResponse = true },
		"signed assertion, CBC": func(a *samltest.Assertion) { a.SignAssertion, a.CBC = true, true },
		"both signed":           func(a *samltest.Assertion) { a.SignResponse, a.SignAssertion = true, true },
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := p.Response(assertion(func(a *samltest.Assertion) { mod(a); a.EncryptFor = cert }))
			if err != nil {
				t.Fatal(err)
			}
			a, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, DecryptionKeys: []*rsa.PrivateKey{otherKey, key}, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !a.Encrypted || a.Subject != "alice" || a.Issuer != p.EntityID {
				t.Fatalf("assertion %+v", a)
			}
			// Without a key, or with the wrong one, it is refused.
			if _, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, Now: now}); !errors.Is(err, saml.ErrEncrypted) {
				t.Errorf("no key: %v", err)
			}
			if _, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, DecryptionKeys: []*rsa.PrivateKey{otherKey}, Now: now}); !errors.Is(err, saml.ErrDecrypt) {
				t.Errorf("wrong key: %v", err)
			}
		})
	}
	// An encrypted assertion that nobody signed is refused once decrypted.
	raw, err := p.Response(assertion(func(a *samltest.Assertion) { a.EncryptFor = cert }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saml.ParseResponse(raw, saml.Options{Certificates: m.Certificates, DecryptionKeys: []*rsa.PrivateKey{key}, Now: now}); !errors.Is(err, saml.ErrSignature) {
		t.Errorf("unsigned encrypted assertion: %v", err)
	}
}

// TestCommentInNameID: a comment inserted into a signed NameID (which
// exclusive canonicalization without comments leaves out of the digest, so
// the signature still verifies) does not truncate the subject, as it did in
// the SAML libraries of CVE-2017-11427 and its siblings.
func TestCommentInNameID(t *testing.T) {
	p := newIdP(t)
	m := metadata(t, p)
	for name, mod := range map[string]func(*samltest.Assertion){
		"response signed":  func(a *samltest.Assertion) { a.SignResponse, a.Subject = true, "admin.evil" },
		"assertion signed": func(a *samltest.Assertion) { a.SignAssertion, a.Subject = true, "admin.evil" },
	} {
		x, err := p.ResponseXML(assertion(mod))
		if err != nil {
			t.Fatal(err)
		}
		x = strings.Replace(x, ">admin.evil<", ">admin<!---->.evil<", 1)
		a, err := saml.ParseResponse(base64.StdEncoding.EncodeToString([]byte(x)), saml.Options{Certificates: m.Certificates, Now: now})
		if err == nil && a.Subject != "admin.evil" {
			t.Errorf("%s: subject %q, want the whole signed admin.evil", name, a.Subject)
		}
	}
}
