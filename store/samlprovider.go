package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// KindSAMLProvider holds IAM SAML 2.0 identity providers; key
// [SAMLProviderKey]; value [SAMLProvider]. The IAM service writes them and STS
// reads them to verify SAML responses, so the record lives here.
const KindSAMLProvider Kind = "saml-provider"

// KindSAMLAssertion remembers the SAML assertions STS has accepted, until
// they expire, so that each is used once on every node; key
// [SAMLAssertionKey]; value [SAMLAssertion].
const KindSAMLAssertion Kind = "saml-assertion"

// SAMLProvider is an IAM SAML identity provider.
type SAMLProvider struct {
	// ARN is arn:aws:iam::ACCOUNT:saml-provider/NAME.
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// UUID is the SAMLProviderUUID IAM reports.
	UUID string `json:"uuid"`
	// Metadata is the metadata document as uploaded.
	Metadata string `json:"metadata"`
	// ValidUntil is the metadata's validUntil (zero when it has none).
	ValidUntil time.Time `json:"validUntil,omitzero"`
	CreateDate time.Time `json:"createDate"`
	Tags       []Tag     `json:"tags,omitempty"`
	// AssertionEncryptionMode is "Required", "Allowed" or empty.
	AssertionEncryptionMode string `json:"assertionEncryptionMode,omitempty"`
	// PrivateKeys decrypt encrypted assertions; sealed by the keyring.
	PrivateKeys []SAMLPrivateKey `json:"privateKeys,omitempty"`
}

// SAMLPrivateKey is a private key of a SAML provider, sealed by the keyring
// with [SAMLPrivateKeyAAD] as associated data.
type SAMLPrivateKey struct {
	KeyID      string    `json:"keyId"`
	Timestamp  time.Time `json:"timestamp"`
	Ciphertext []byte    `json:"ciphertext"`
}

// SAMLPrivateKeyAAD binds a sealed private key to its provider and id.
func SAMLPrivateKeyAAD(providerARN, keyID string) []byte {
	return []byte("saml-private-key\x00" + providerARN + "\x00" + keyID)
}

// SAMLProviderKey is the record key of a provider: its name, folded to
// lower case (names are case-insensitively unique).
func SAMLProviderKey(name string) string { return strings.ToLower(name) }

// SAMLAssertion is an accepted assertion, kept until Expiry.
type SAMLAssertion struct {
	// Provider is the provider ARN the assertion was accepted for.
	Provider string    `json:"provider"`
	Expiry   time.Time `json:"expiry"`
}

// SAMLAssertionKey is the record key of an accepted assertion: its expiry
// (Unix seconds, fixed width, so that keys sort by expiry and the expired
// ones come first) and a SHA-256 of its issuer and id, so that any id fits
// and none can forge another's key. The expiry is part of the signed
// assertion, so a replay of it finds the same key.
func SAMLAssertionKey(expiry time.Time, issuer, id string) string {
	h := sha256.Sum256([]byte(issuer + "\x00" + id))
	return fmt.Sprintf("%012d/%s", max(expiry.Unix(), 0), hex.EncodeToString(h[:]))
}
