package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// maxKeys bounds the keys read from one key set.
const maxKeys = 100

// minRSABits is the smallest RSA modulus accepted.
const minRSABits = 2048

// Key is one public signing key of a JSON Web Key Set.
type Key struct {
	// ID is kid; Type is kty ("RSA", "EC"); Use and Alg are use and alg
	// ("" when absent); Curve is an EC key's crv.
	ID, Type, Use, Alg, Curve string
	// Public is an *rsa.PublicKey or an *ecdsa.PublicKey.
	Public crypto.PublicKey
}

// KeySet is a provider's signing keys.
type KeySet struct {
	Keys []Key
}

// jwk is a JSON Web Key as published.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// ParseJWKS reads a JSON Web Key Set ({"keys": [...]}). Keys of other types,
// malformed keys and RSA keys under 2048 bits are skipped; a set without any
// usable key is an error.
func ParseJWKS(data []byte) (*KeySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("oidc: key set is not JSON: %w", err)
	}
	set := &KeySet{}
	for _, raw := range doc.Keys {
		if len(set.Keys) == maxKeys {
			break
		}
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue
		}
		if key, err := k.public(); err == nil {
			set.Keys = append(set.Keys, key)
		}
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("oidc: key set has no usable signing key")
	}
	return set, nil
}

// public decodes the key.
func (k jwk) public() (Key, error) {
	out := Key{ID: k.Kid, Type: k.Kty, Use: k.Use, Alg: k.Alg, Curve: k.Crv}
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return out, errors.New("oidc: malformed RSA key")
		}
		var exp int
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
		if pub.N.BitLen() < minRSABits || exp < 3 || exp%2 == 0 {
			return out, errors.New("oidc: weak RSA key")
		}
		out.Public = pub
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return out, errors.New("oidc: unsupported curve")
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		size := (curve.Params().BitSize + 7) / 8
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return out, errors.New("oidc: malformed EC key")
		}
		point := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
		if err != nil {
			return out, fmt.Errorf("oidc: EC key: %w", err)
		}
		out.Public = pub
	default:
		return out, errors.New("oidc: unsupported key type")
	}
	return out, nil
}
