// Package ids makes AWS-style unique ids (AIDA…, AROA…) and access key ids
// (AKIA…, ASIA…) from an injected source of randomness.
//
// The package is pure: it imports the standard library only.
package ids

import (
	"errors"
	"fmt"
	"io"
)

// Prefixes of AWS unique ids, by the kind of entity they name.
const (
	PrefixUser            = "AIDA"
	PrefixGroup           = "AGPA"
	PrefixRole            = "AROA"
	PrefixPolicy          = "ANPA"
	PrefixInstanceProfile = "AIPA"
	// PrefixAccessKey starts long-term access key ids.
	PrefixAccessKey = "AKIA"
	// PrefixTemporaryKey starts temporary (STS) access key ids.
	PrefixTemporaryKey = "ASIA"
	// PrefixSSHPublicKey starts SSH public key ids ("Public key").
	PrefixSSHPublicKey = "APKA"
	// PrefixServiceCredential starts service-specific credential ids
	// ("Context-specific credential").
	PrefixServiceCredential = "ACCA"
	// PrefixServerCertificate starts server certificate ids ("Certificate").
	PrefixServerCertificate = "ASCA"
)

// Lengths of the random part of generated ids: unique ids are 21 characters
// long and access key ids 20, both with a 4-character prefix.
const (
	uniqueIDRandomLen  = 17
	accessKeyRandomLen = 16
	// certificateIDLen is the length of a signing certificate id: 28
	// characters of [A-Z2-7] without a prefix, as in the API reference's
	// example "TA7SMP42TDN5Z26OBPJE7EXAMPLE" (API_UploadSigningCertificate).
	certificateIDLen = 28
)

// alphabet is the character set of the random part of AWS ids.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// Gen makes AWS-style ids from an injected source of randomness
// (crypto/rand.Reader in production, a fixed stream in tests).
type Gen struct {
	rand io.Reader
}

// NewGen returns a Gen reading randomness from r.
func NewGen(r io.Reader) *Gen { return &Gen{rand: r} }

// UniqueID returns prefix (e.g. [PrefixUser]) followed by 17 random
// characters of [A-Z2-7].
func (g *Gen) UniqueID(prefix string) (string, error) {
	return g.make(prefix, uniqueIDRandomLen)
}

// AccessKeyID returns prefix ([PrefixAccessKey] or [PrefixTemporaryKey])
// followed by 16 random characters of [A-Z2-7].
func (g *Gen) AccessKeyID(prefix string) (string, error) {
	return g.make(prefix, accessKeyRandomLen)
}

// SigningCertificateID returns a signing certificate id: 28 random
// characters of [A-Z2-7].
func (g *Gen) SigningCertificateID() (string, error) {
	return g.make("", certificateIDLen)
}

func (g *Gen) make(prefix string, n int) (string, error) {
	if g == nil || g.rand == nil {
		return "", errors.New("ids: Gen has no source of randomness")
	}
	buf := make([]byte, len(prefix)+n)
	copy(buf, prefix)
	rnd := buf[len(prefix):]
	if _, err := io.ReadFull(g.rand, rnd); err != nil {
		return "", fmt.Errorf("ids: read randomness for %s id: %w", prefix, err)
	}
	// 256 is a multiple of 32, so taking the low 5 bits is unbiased.
	for i, b := range rnd {
		rnd[i] = alphabet[b&31]
	}
	return string(buf), nil
}
