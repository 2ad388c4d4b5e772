package webtoken_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
	"github.com/gatehouse-iam/gatehouse/webtoken"
)

func newMaster(t *testing.T) *keyring.Keyring {
	t.Helper()
	k, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.New(rand.Reader, k)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// verify checks raw against the ring's published key set with go-jose and
// returns its claims.
func verify(t *testing.T, jwks []byte, raw string) (jwt.Claims, error) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		return jwt.Claims{}, err
	}
	var c jwt.Claims
	err = tok.Claims(&set, &c)
	return c, err
}

// TestRingSignsAndRotates: the nodes of a cluster (two rings over one store)
// share one version of keys; tokens of both algorithms verify against the
// published key set; after a rotation the new version signs and tokens of
// the old one keep verifying until it is retired; a tampered token fails.
func TestRingSignsAndRotates(t *testing.T) {
	ctx := context.Background()
	st, master := openStore(t), newMaster(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	cfg := webtoken.Config{Store: st, Master: master, Rand: rand.Reader, Now: clock}
	a, err := webtoken.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := webtoken.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.JWKS(), b.JWKS()) || a.Version() != 1 {
		t.Fatalf("two nodes publish different key sets (version %d)", a.Version())
	}
	claims := jwt.Claims{Issuer: "https://gatehouse.example/outbound-federation/x", Subject: "s", Audience: jwt.Audience{"a"}}
	old := map[string]string{}
	for _, alg := range []string{webtoken.RS256, webtoken.ES384} {
		raw, err := a.Sign(alg, claims, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := verify(t, b.JWKS(), raw); err != nil || got.Subject != "s" {
			t.Fatalf("%s: %+v, %v", alg, got, err)
		}
		// A changed payload no longer verifies.
		parts := strings.Split(raw, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		payload = bytes.Replace(payload, []byte(`"sub":"s"`), []byte(`"sub":"t"`), 1)
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
		if _, err := verify(t, b.JWKS(), forged); err == nil {
			t.Errorf("%s: a tampered token verified", alg)
		}
		old[alg] = raw
	}
	if _, err := a.Sign("HS256", claims, 0); !errors.Is(err, webtoken.ErrAlgorithm) {
		t.Errorf("HS256: %v", err)
	}
	if _, err := a.Sign(webtoken.RS256, claims, 10); !errors.Is(err, webtoken.ErrPayloadTooLarge) {
		t.Errorf("payload limit: %v", err)
	}

	res, err := webtoken.Rotate(ctx, st, master, rand.Reader, now, 0)
	if err != nil || res.Version != 2 || res.Keys != 2 {
		t.Fatalf("Rotate = %+v, %v", res, err)
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := b.Sign(webtoken.ES384, claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Version() != 2 || strings.Split(raw, ".")[0] == strings.Split(old[webtoken.ES384], ".")[0] {
		t.Errorf("after the rotation version %d signs with the old key id", b.Version())
	}
	for alg, tok := range old {
		if _, err := verify(t, b.JWKS(), tok); err != nil {
			t.Errorf("a %s token of version 1 after the rotation: %v", alg, err)
		}
	}
	// A day later, version 1 is retired and its tokens no longer verify.
	res, err = webtoken.Rotate(ctx, st, master, rand.Reader, now.Add(webtoken.DefaultRetireAfter+time.Minute), 0)
	if err != nil || res.Retired != 1 || res.Keys != 2 {
		t.Fatalf("second Rotate = %+v, %v", res, err)
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := verify(t, b.JWKS(), old[webtoken.RS256]); err == nil {
		t.Error("a token of the retired version still verifies")
	}
}

// TestKeysSealedAtRest: the stored ring holds no private key in the clear,
// and a node with another master key cannot open it.
func TestKeysSealedAtRest(t *testing.T) {
	ctx := context.Background()
	st, master := openStore(t), newMaster(t)
	if _, err := webtoken.Open(ctx, webtoken.Config{Store: st, Master: master, Rand: rand.Reader, Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	var ks store.WebIdentityKeys
	err := st.View(ctx, func(tx store.ReadTx) error {
		var err error
		ks, err = store.GetJSON[store.WebIdentityKeys](ctx, tx, store.KindWebIdentityKeys, "", store.WebIdentityKeysKey)
		return err
	})
	if err != nil || len(ks.Keys) != 1 {
		t.Fatalf("ring %+v, %v", ks, err)
	}
	for _, sealed := range [][]byte{ks.Keys[0].SealedRSA, ks.Keys[0].SealedEC} {
		if _, err := x509.ParsePKCS8PrivateKey(sealed); err == nil {
			t.Error("a private key is stored in the clear")
		}
	}
	if _, err := webtoken.Open(ctx, webtoken.Config{Store: st, Master: newMaster(t), Rand: rand.Reader, Now: time.Now}); err == nil {
		t.Error("another master key opened the ring")
	}
}

// TestDiscovery: the discovery document names the issuer exactly and the
// key set under it (OpenID Connect Discovery 1.0 sections 3 and 4.3).
func TestDiscovery(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(webtoken.Discovery("https://h:1/outbound-federation/i"), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != "https://h:1/outbound-federation/i" || doc["jwks_uri"] != "https://h:1/outbound-federation/i/.well-known/jwks.json" {
		t.Errorf("discovery document %v", doc)
	}
}
