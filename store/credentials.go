package store

import "time"

// The credentials an IAM user holds besides access keys, MFA devices and a
// password: SSH public keys (for CodeCommit), X.509 signing certificates and
// service-specific credentials. Each is stored in the owning account under
// [UserCredentialKey]: the folded user name, then the credential's id, so a
// user's credentials list with [UserCredentialPrefix] and move together when
// the user is renamed.
const (
	// KindSSHPublicKey: key [UserCredentialKey]; value [SSHPublicKey].
	KindSSHPublicKey Kind = "ssh-public-key"
	// KindSigningCertificate: key [UserCredentialKey] (user "" for the
	// account's root user); value [SigningCertificate].
	KindSigningCertificate Kind = "signing-certificate"
	// KindSigningCertificateDigest: the account's signing certificates by
	// the SHA-256 of their DER encoding (hex), so that a certificate is
	// associated with at most one user of an account; value
	// [SigningCertificateRef]. Written together with KindSigningCertificate.
	KindSigningCertificateDigest Kind = "signing-certificate-digest"
	// KindServiceCredential: key [UserCredentialKey]; value
	// [ServiceCredential].
	KindServiceCredential Kind = "service-credential"
)

// UserCredentialKey is the key of credential id of user userName ("" for the
// account's root user) under [KindSSHPublicKey], [KindSigningCertificate] and
// [KindServiceCredential]. Ids are kept as issued.
func UserCredentialKey(userName, id string) string { return join(fold(userName), id) }

// UserCredentialPrefix is the List prefix of every credential of one kind
// that user userName holds.
func UserCredentialPrefix(userName string) string { return fold(userName) + Sep }

// SSHPublicKey is an SSH public key a user uploaded for CodeCommit.
type SSHPublicKey struct {
	// ID is the key's APKA… id.
	ID       string `json:"id"`
	UserName string `json:"userName"`
	// Body is the key as uploaded (an OpenSSH ssh-rsa line or PEM).
	Body string `json:"body"`
	// Fingerprint is the MD5 fingerprint of the key's SSH wire encoding,
	// as colon-separated hex pairs.
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	UploadDate  time.Time `json:"uploadDate"`
}

// SigningCertificate is an X.509 signing certificate of a user (or of the
// account's root user, UserName "").
type SigningCertificate struct {
	ID       string `json:"id"`
	UserName string `json:"userName,omitempty"`
	// Body is the PEM certificate as uploaded.
	Body string `json:"body"`
	// Digest is the hex SHA-256 of the certificate's DER encoding: its key
	// under [KindSigningCertificateDigest].
	Digest     string    `json:"digest"`
	Status     string    `json:"status"`
	UploadDate time.Time `json:"uploadDate"`
}

// SigningCertificateRef names the certificate that holds a digest.
type SigningCertificateRef struct {
	CertificateID string `json:"certificateId"`
}

// ServiceCredential is a service-specific credential: a user name and
// password (or, for API keys, an alias and secret) that IAM generated for
// one user and one service.
type ServiceCredential struct {
	// ID is the credential's ACCA… id.
	ID          string `json:"id"`
	UserName    string `json:"userName"`
	ServiceName string `json:"serviceName"`
	// ServiceUserName is the generated user name (user-at-account), for
	// the services that take a user name and password.
	ServiceUserName string `json:"serviceUserName,omitempty"`
	// ServiceCredentialAlias is the public part of an API key.
	ServiceCredentialAlias string `json:"serviceCredentialAlias,omitempty"`
	// SecretCiphertext is the password (or the API key's secret) sealed by
	// the keyring with the credential id as associated data; never stored
	// in plaintext.
	SecretCiphertext []byte    `json:"secretCiphertext"`
	Status           string    `json:"status"`
	CreateDate       time.Time `json:"createDate"`
	ExpirationDate   time.Time `json:"expirationDate,omitzero"`
}
