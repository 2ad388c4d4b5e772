package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var b64url = base64.RawURLEncoding.EncodeToString

// es256Token signs claims with key under kid.
func es256Token(t *testing.T, key *ecdsa.PrivateKey, alg, kid, claims string) string {
	t.Helper()
	input := b64url([]byte(`{"alg":"`+alg+`","kid":"`+kid+`"}`)) + "." + b64url([]byte(claims))
	d := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + b64url(sig)
}

func ecJWKS(t *testing.T, kid string, pub *ecdsa.PublicKey) []byte {
	t.Helper()
	x, y := make([]byte, 32), make([]byte, 32)
	pub.X.FillBytes(x)
	pub.Y.FillBytes(y)
	b, err := json.Marshal(map[string]any{"keys": []map[string]string{
		{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}, // skipped: not a public key
		{"kty": "EC", "crv": "P-256", "kid": kid, "x": b64url(x), "y": b64url(y)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyES256(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, err := ParseJWKS(ecJWKS(t, "e1", &key.PublicKey))
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("ParseJWKS: %v %+v", err, set)
	}
	claims := `{"iss":"https://idp","sub":"u","aud":["a","b"],"exp":1700000000,"amr":"pwd"}`
	tok, err := Parse(es256Token(t, key, "ES256", "e1", claims))
	if err != nil {
		t.Fatal(err)
	}
	c := tok.Claims
	if c.Issuer != "https://idp" || c.Subject != "u" || len(c.Audience) != 2 || !c.HasExpiry || c.Expiry != 1700000000 || c.HasNotBefore || len(c.AMR) != 1 {
		t.Errorf("claims %+v", c)
	}
	if err := tok.Verify(set); err != nil {
		t.Errorf("Verify: %v", err)
	}

	// Another key with the same kid, another kid, another algorithm.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tok, _ = Parse(es256Token(t, other, "ES256", "e1", claims))
	if err := tok.Verify(set); !errors.Is(err, ErrSignature) {
		t.Errorf("foreign key: %v", err)
	}
	tok, _ = Parse(es256Token(t, key, "ES256", "e2", claims))
	if err := tok.Verify(set); !errors.Is(err, ErrNoKey) {
		t.Errorf("unknown kid: %v", err)
	}
	for _, alg := range []string{"none", "HS256", "ES384", "RS256"} {
		tok, _ = Parse(es256Token(t, key, alg, "e1", claims))
		if err := tok.Verify(set); err == nil {
			t.Errorf("alg %s verified", alg)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	h := b64url([]byte(`{"alg":"RS256"}`))
	for name, raw := range map[string]string{
		"two parts":      h + "." + b64url([]byte(`{}`)),
		"header not b64": "!!." + b64url([]byte(`{}`)) + ".",
		"claims array":   h + "." + b64url([]byte(`[1]`)) + ".",
		"float exp":      h + "." + b64url([]byte(`{"exp":1.5}`)) + ".",
		"string exp":     h + "." + b64url([]byte(`{"exp":"1"}`)) + ".",
		"aud number":     h + "." + b64url([]byte(`{"aud":1}`)) + ".",
		"crit":           b64url([]byte(`{"alg":"RS256","crit":["x"]}`)) + "." + b64url([]byte(`{}`)) + ".",
		"too long":       strings.Repeat("a", MaxTokenLen+1),
	} {
		if _, err := Parse(raw); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// chain makes a root CA, an intermediate CA it signs, and a leaf for
// 127.0.0.1 the intermediate signs.
func chain(t *testing.T) (root, inter *x509.Certificate, leaf tls.Certificate) {
	t.Helper()
	mk := func(tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, key
	}
	ca := func(n int64, name string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
			NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	}
	root, rootKey := mk(ca(1, "root"), nil, nil)
	inter, interKey := mk(ca(2, "intermediate"), root, rootKey)
	leafCert, leafKey := mk(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, inter, interKey)
	return root, inter, tls.Certificate{Certificate: [][]byte{leafCert.Raw, inter.Raw}, PrivateKey: leafKey}
}

func TestFetcherTrustAndLimits(t *testing.T) {
	root, inter, leaf := chain(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwks := ecJWKS(t, "e1", &key.PublicKey)
	var base string
	mux := http.NewServeMux()
	mux.HandleFunc("/ok/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"jwks_uri":"` + base + `/ok/keys"}`))
	})
	mux.HandleFunc("/ok/keys", func(w http.ResponseWriter, r *http.Request) { w.Write(jwks) })
	mux.HandleFunc("/redirect/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok/.well-known/openid-configuration", http.StatusFound)
	})
	mux.HandleFunc("/big/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"jwks_uri":"` + base + `/ok/keys","pad":"` + strings.Repeat("x", maxDocument) + `"}`))
	})
	mux.HandleFunc("/elsewhere/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"jwks_uri":"https://localhost` + strings.TrimPrefix(base, "https://127.0.0.1") + `/ok/keys"}`))
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	base = srv.URL
	host := strings.TrimPrefix(srv.URL, "https://")
	ctx := context.Background()
	f := NewFetcher(Options{})

	// The top intermediate of the presented chain is the pin; the root,
	// which the server does not present, is not.
	if _, err := f.Keys(ctx, host+"/ok", []string{strings.ToUpper(Thumbprint(inter))}, false); err != nil {
		t.Errorf("pinned intermediate: %v", err)
	}
	if _, err := f.Keys(ctx, host+"/ok", []string{Thumbprint(root)}, false); !errors.Is(err, ErrThumbprint) {
		t.Errorf("root thumbprint: %v", err)
	}
	if _, err := f.Keys(ctx, host+"/ok", nil, false); !errors.Is(err, ErrThumbprint) {
		t.Errorf("no thumbprint: %v", err)
	}
	// The system roots (here: a pool holding the root) verify it too.
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := NewFetcher(Options{Roots: pool}).Keys(ctx, host+"/ok", nil, false); err != nil {
		t.Errorf("trusted root: %v", err)
	}

	pin := []string{Thumbprint(inter)}
	for _, path := range []string{"/redirect", "/big", "/elsewhere", "/missing"} {
		if _, err := f.Keys(ctx, host+path, pin, false); !errors.Is(err, ErrFetch) {
			t.Errorf("%s: %v", path, err)
		}
	}
}
