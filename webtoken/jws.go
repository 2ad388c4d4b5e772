package webtoken

import (
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

// ErrAlgorithm reports a signing algorithm other than RS256 and ES384.
var ErrAlgorithm = errors.New("webtoken: unsupported signing algorithm")

// ecCoordinate is the byte length of a P-384 coordinate and of each half
// of an ES384 signature (RFC 7518 section 3.4).
const ecCoordinate = 48

// jwk is a public JSON Web Key (RFC 7517, RFC 7518 section 6).
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
	// RSA
	N string `json:"n,omitempty"`
	E string `json:"e,omitempty"`
	// EC
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

var b64 = base64.RawURLEncoding

func rsaJWK(k *rsa.PublicKey, kid string) jwk {
	return jwk{Kty: "RSA", Use: "sig", Alg: RS256, Kid: kid, N: b64.EncodeToString(k.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(k *ecdsa.PublicKey, kid string) jwk {
	j := jwk{Kty: "EC", Use: "sig", Alg: ES384, Kid: kid, Crv: "P-384"}
	pub, err := k.ECDH()
	if err != nil {
		return j
	}
	// The uncompressed point: 0x04, X, Y.
	p := pub.Bytes()
	if len(p) == 1+2*ecCoordinate {
		j.X, j.Y = b64.EncodeToString(p[1:1+ecCoordinate]), b64.EncodeToString(p[1+ecCoordinate:])
	}
	return j
}

// thumbprint is a key's JWK thumbprint (RFC 7638): the SHA-256 of the
// required members in lexicographic order, base64url. It is the key id.
func thumbprint(k jwk) (string, error) {
	var canon string
	switch k.Kty {
	case "RSA":
		canon = `{"e":"` + k.E + `","kty":"RSA","n":"` + k.N + `"}`
	case "EC":
		if k.X == "" {
			return "", errors.New("webtoken: EC key without coordinates")
		}
		canon = `{"crv":"` + k.Crv + `","kty":"EC","x":"` + k.X + `","y":"` + k.Y + `"}`
	default:
		return "", fmt.Errorf("webtoken: key type %q", k.Kty)
	}
	sum := sha256.Sum256([]byte(canon))
	return b64.EncodeToString(sum[:]), nil
}

// keySet builds the published JWKS of versions, newest first.
func keySet(versions []*version) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		set.Keys = append(set.Keys, rsaJWK(&v.rsa.PublicKey, v.rsaKid), ecJWK(&v.ec.PublicKey, v.ecKid))
	}
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("webtoken: encode the key set: %w", err)
	}
	return out, nil
}

// Sign returns claims (a value encoding/json turns into a JSON object) as
// a JWT signed with alg (RS256 or ES384) by the version that signs now:
// the compact serialization of a JWS (RFC 7515) whose header names the
// algorithm, the key id (the key's RFC 7638 thumbprint, as the key set
// lists it) and the type JWT. payloadLimit, when positive, bounds the
// encoded claims: ErrPayloadTooLarge past it.
func (r *Ring) Sign(alg string, claims any, payloadLimit int) (string, error) {
	v := r.keys.Current().versions
	cur := v[len(v)-1]
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("webtoken: encode the claims: %w", err)
	}
	if payloadLimit > 0 && len(payload) > payloadLimit {
		return "", ErrPayloadTooLarge
	}
	var kid string
	switch alg {
	case RS256:
		kid = cur.rsaKid
	case ES384:
		kid = cur.ecKid
	default:
		return "", ErrAlgorithm
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{alg, kid, "JWT"})
	if err != nil {
		return "", fmt.Errorf("webtoken: encode the header: %w", err)
	}
	var sb strings.Builder
	sb.WriteString(b64.EncodeToString(header))
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(payload))
	signingInput := sb.String()
	var sig []byte
	switch alg {
	case RS256:
		h := sha256.Sum256([]byte(signingInput))
		if sig, err = rsa.SignPKCS1v15(nil, cur.rsa, crypto.SHA256, h[:]); err != nil {
			return "", fmt.Errorf("webtoken: sign: %w", err)
		}
	case ES384:
		h := sha512.Sum384([]byte(signingInput))
		rr, ss, err := ecdsa.Sign(r.cfg.Rand, cur.ec, h[:])
		if err != nil {
			return "", fmt.Errorf("webtoken: sign: %w", err)
		}
		// RFC 7518 section 3.4: R and S as fixed-length big-endian
		// octets, concatenated (not ASN.1).
		sig = make([]byte, 2*ecCoordinate)
		rr.FillBytes(sig[:ecCoordinate])
		ss.FillBytes(sig[ecCoordinate:])
	}
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(sig))
	return sb.String(), nil
}

// ErrPayloadTooLarge reports claims larger than Sign's payloadLimit.
var ErrPayloadTooLarge = errors.New("webtoken: token payload too large")

// DiscoveryPath and JWKSPath are where, under its issuer URL, an issuer
// publishes its OpenID Connect discovery document and its key set
// ("/.well-known/openid-configuration and /.well-known/jwks.json",
// API_EnableOutboundWebIdentityFederation).
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
)

// Discovery returns the OpenID Connect discovery document (OpenID Connect
// Discovery 1.0, section 3) of issuer: the issuer itself (which must equal
// the tokens' iss), the key set's URL, and what its tokens are — signed by
// RS256 or ES384, subjects public. It has no authorization endpoint: the
// tokens come from STS, not from a browser flow, so response_types lists
// the ID token a relying party verifies.
func Discovery(issuer string) []byte {
	doc := struct {
		Issuer          string   `json:"issuer"`
		JWKSURI         string   `json:"jwks_uri"`
		ResponseTypes   []string `json:"response_types_supported"`
		SubjectTypes    []string `json:"subject_types_supported"`
		SigningAlgs     []string `json:"id_token_signing_alg_values_supported"`
		ClaimsSupported []string `json:"claims_supported"`
		ScopesSupported []string `json:"scopes_supported"`
	}{
		Issuer:          issuer,
		JWKSURI:         strings.TrimSuffix(issuer, "/") + JWKSPath,
		ResponseTypes:   []string{"id_token"},
		SubjectTypes:    []string{"public"},
		SigningAlgs:     []string{RS256, ES384},
		ClaimsSupported: []string{"aud", "exp", "iat", "iss", "jti", "sub", ClaimNamespace},
		ScopesSupported: []string{"openid"},
	}
	out, _ := json.Marshal(doc) //nolint:errcheck // strings only: cannot fail
	return out
}

// ClaimNamespace is the claim under which AWS nests its identity, session
// and custom claims ("https://sts.amazonaws.com/",
// id_roles_providers_outbound_token_claims).
const ClaimNamespace = "https://sts.amazonaws.com/"
