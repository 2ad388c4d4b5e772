package store

import (
	"strings"
	"time"
)

// KindServerCertificate holds IAM server certificates; key
// [ServerCertificateKey]; value [ServerCertificate].
const KindServerCertificate Kind = "server-certificate"

// ServerCertificate is an IAM server certificate: a PEM certificate, its
// chain, and its private key sealed by the keyring with
// [ServerCertificateKeyAAD] (never returned).
type ServerCertificate struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Path       string    `json:"path"`
	ARN        string    `json:"arn"`
	Body       string    `json:"body"`
	Chain      string    `json:"chain,omitempty"`
	UploadDate time.Time `json:"uploadDate"`
	// Expiration is the certificate's NotAfter.
	Expiration    time.Time `json:"expiration"`
	KeyCiphertext []byte    `json:"keyCiphertext"`
	Tags          []Tag     `json:"tags,omitempty"`
}

// ServerCertificateKey is the record key of a certificate: its name folded to
// lower case (names are case-insensitively unique).
func ServerCertificateKey(name string) string { return strings.ToLower(name) }

// ServerCertificateKeyAAD binds a sealed private key to its certificate's
// id, which a rename keeps.
func ServerCertificateKeyAAD(id string) []byte { return []byte("server-certificate-key\x00" + id) }
