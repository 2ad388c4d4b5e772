// Package oidc is the relying-party side of OpenID Connect that STS needs for
// AssumeRoleWithWebIdentity: it parses ID tokens (compact JWS JSON Web
// Tokens) and verifies their signatures against a JSON Web Key Set (jwt.go,
// jwks.go), and it fetches a provider's discovery document and key set over
// TLS, trusting the server through the SHA-1 certificate thumbprints that IAM
// keeps for the provider, with bounded time, size and destinations, and a
// short cache (fetch.go).
//
// It decides nothing about AWS semantics (audiences, expiry, trust policies):
// the sts package does, and maps this package's errors to AWS's.
package oidc

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// MaxTokenLen bounds the tokens Parse accepts (the STS model's limit of
// WebIdentityToken).
const MaxTokenLen = 20000

// Errors of Parse and Verify.
var (
	// ErrMalformed reports a token that is not a compact JWS with JSON
	// header and claims.
	ErrMalformed = errors.New("oidc: malformed token")
	// ErrAlgorithm reports a signing algorithm that is refused ("none",
	// HMAC) or unknown.
	ErrAlgorithm = errors.New("oidc: unsupported signing algorithm")
	// ErrNoKey reports that the key set has no key the token may have been
	// signed with (by kid, key type and curve).
	ErrNoKey = errors.New("oidc: no matching key")
	// ErrSignature reports a signature that does not verify.
	ErrSignature = errors.New("oidc: invalid signature")
)

// Token is a parsed ID token whose signature has not been verified yet.
type Token struct {
	// Alg and KeyID are the header's alg and kid.
	Alg, KeyID string
	// Claims are the token's claims.
	Claims Claims

	signingInput string
	signature    []byte
}

// Claims are the registered claims STS reads; Raw holds them all.
type Claims struct {
	Issuer, Subject string
	// Audience is aud, a string or a list of strings.
	Audience []string
	// AuthorizedParty is azp.
	AuthorizedParty string
	// Expiry, NotBefore and IssuedAt are exp, nbf and iat in seconds since
	// the epoch; the Has fields say whether the token carries them.
	Expiry, NotBefore, IssuedAt          int64
	HasExpiry, HasNotBefore, HasIssuedAt bool
	// AMR is amr, a string or a list of strings.
	AMR []string
	// Raw is every claim as JSON.
	Raw map[string]json.RawMessage
}

// header is the JOSE header of a token.
type header struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Crit []string `json:"crit"`
}

// b64 decodes base64url, tolerating padding.
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Parse splits and decodes a compact JWS token. It checks the form only:
// call Verify for the signature.
func Parse(raw string) (*Token, error) {
	if len(raw) > MaxTokenLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxTokenLen)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d parts", ErrMalformed, len(parts))
	}
	hb, err := b64(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if len(h.Crit) > 0 {
		// No extension is understood, so none may be critical (RFC 7515 §4.1.11).
		return nil, fmt.Errorf("%w: critical header parameters %v", ErrMalformed, h.Crit)
	}
	pb, err := b64(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	claims, err := parseClaims(pb)
	if err != nil {
		return nil, err
	}
	sig, err := b64(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	return &Token{Alg: h.Alg, KeyID: h.Kid, Claims: claims, signingInput: parts[0] + "." + parts[1], signature: sig}, nil
}

// parseClaims decodes the claims object. Dates must be integers, as STS
// requires ("Timestamps in the token must be formatted as either an integer
// or a long integer").
func parseClaims(b []byte) (Claims, error) {
	var c Claims
	if err := json.Unmarshal(b, &c.Raw); err != nil || c.Raw == nil {
		return c, fmt.Errorf("%w: claims are not a JSON object", ErrMalformed)
	}
	str := func(name string, dst *string) error {
		if v, ok := c.Raw[name]; ok && json.Unmarshal(v, dst) != nil {
			return fmt.Errorf("%w: claim %s is not a string", ErrMalformed, name)
		}
		return nil
	}
	list := func(name string, dst *[]string) error {
		v, ok := c.Raw[name]
		if !ok {
			return nil
		}
		var one string
		if json.Unmarshal(v, &one) == nil {
			*dst = []string{one}
			return nil
		}
		if json.Unmarshal(v, dst) != nil {
			return fmt.Errorf("%w: claim %s is neither a string nor a list of strings", ErrMalformed, name)
		}
		return nil
	}
	date := func(name string, dst *int64, has *bool) error {
		v, ok := c.Raw[name]
		if !ok {
			return nil
		}
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		var n json.Number
		// json.Number also takes a quoted number; a date must be a number.
		if len(v) == 0 || v[0] == '"' || d.Decode(&n) != nil {
			return fmt.Errorf("%w: claim %s is not a number", ErrMalformed, name)
		}
		i, err := n.Int64()
		if err != nil {
			return fmt.Errorf("%w: claim %s is not an integer", ErrMalformed, name)
		}
		*dst, *has = i, true
		return nil
	}
	return c, errors.Join(
		str("iss", &c.Issuer), str("sub", &c.Subject), str("azp", &c.AuthorizedParty),
		list("aud", &c.Audience), list("amr", &c.AMR),
		date("exp", &c.Expiry, &c.HasExpiry), date("nbf", &c.NotBefore, &c.HasNotBefore), date("iat", &c.IssuedAt, &c.HasIssuedAt),
	)
}

// algorithm describes a JWS signature algorithm this package verifies.
type algorithm struct {
	kty   string
	hash  crypto.Hash
	curve string // for ECDSA
}

// algorithms are the JWS algorithms STS accepts: "Tokens must be signed using
// either RSA keys (RS256, RS384, or RS512) or ECDSA keys (ES256, ES384, or
// ES512)" (API_AssumeRoleWithWebIdentity). "none" and HMAC are never accepted.
var algorithms = map[string]algorithm{
	"RS256": {"RSA", crypto.SHA256, ""}, "RS384": {"RSA", crypto.SHA384, ""}, "RS512": {"RSA", crypto.SHA512, ""},
	"ES256": {"EC", crypto.SHA256, "P-256"}, "ES384": {"EC", crypto.SHA384, "P-384"}, "ES512": {"EC", crypto.SHA512, "P-521"},
}

// digest hashes the signing input.
func digest(h crypto.Hash, input string) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512([]byte(input))
		return d[:]
	default:
		d := sha256.Sum256([]byte(input))
		return d[:]
	}
}

// Verify checks the token's signature with the keys of set that match its
// kid (every key when it has none), key type and curve. It returns
// ErrAlgorithm, ErrNoKey or ErrSignature.
func (t *Token) Verify(set *KeySet) error {
	alg, ok := algorithms[t.Alg]
	if !ok {
		return fmt.Errorf("%w: %q", ErrAlgorithm, t.Alg)
	}
	d := digest(alg.hash, t.signingInput)
	tried := 0
	for _, k := range set.Keys {
		if (t.KeyID != "" && k.ID != t.KeyID) || k.Type != alg.kty || (k.Use != "" && k.Use != "sig") ||
			(k.Alg != "" && k.Alg != t.Alg) || (alg.curve != "" && k.Curve != alg.curve) {
			continue
		}
		tried++
		switch pub := k.Public.(type) {
		case *rsa.PublicKey:
			if rsa.VerifyPKCS1v15(pub, alg.hash, d, t.signature) == nil {
				return nil
			}
		case *ecdsa.PublicKey:
			size := (pub.Curve.Params().BitSize + 7) / 8
			if len(t.signature) == 2*size {
				r := new(big.Int).SetBytes(t.signature[:size])
				s := new(big.Int).SetBytes(t.signature[size:])
				if ecdsa.Verify(pub, d, r, s) {
					return nil
				}
			}
		}
	}
	if tried == 0 {
		return fmt.Errorf("%w: kid %q, algorithm %s", ErrNoKey, t.KeyID, t.Alg)
	}
	return ErrSignature
}
