package oidc

import (
	"encoding/base64"
	"errors"
	"testing"
)

// FuzzParse feeds hostile ID tokens to the JWT parser: it must never panic,
// every failure wraps ErrMalformed (what STS answers as
// InvalidIdentityToken), and a parsed token verifies against no key set
// without panicking either.
func FuzzParse(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"https://x","sub":"s","aud":"a","exp":1,"iat":1}`)) + "." + enc([]byte("sig")),
		enc([]byte(`{"alg":"none","crit":["x"]}`)) + "." + enc([]byte(`{}`)) + ".",
		enc([]byte(`{"alg":"ES256"}`)) + "." + enc([]byte(`{"aud":["a","b"],"exp":1.5,"nbf":"x"}`)) + ".AA==",
		"..", "a.b.c.d", "", "e30.e30.e30",
	} {
		f.Add(s)
	}
	empty := &KeySet{}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Parse(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if tok.Verify(empty) == nil {
			t.Fatal("a token verified against an empty key set")
		}
	})
}

// FuzzParseJWKS feeds hostile key sets to the JWKS parser: no panic, and a
// set it accepts holds at least one key.
func FuzzParseJWKS(f *testing.F) {
	for _, s := range []string{
		`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"},null,1]}`,
		`{"keys":{}}`, `[]`, `{"keys":[{"kty":"RSA","n":"` + "AAAA" + `","e":""}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		set, err := ParseJWKS([]byte(doc))
		if err == nil && (set == nil || len(set.Keys) == 0) {
			t.Fatal("an accepted key set holds no key")
		}
	})
}
