package store

import "time"

// Outbound web identity federation (IAM's EnableOutboundWebIdentityFederation,
// STS's GetWebIdentityToken): IAM writes an account's state, STS reads it to
// issue tokens and the server to publish the issuer's discovery document and
// keys, so the records live here rather than in either service.

// KindOutboundFederation holds an account's outbound web identity
// federation: one record per account under [OutboundFederationKey], value
// [OutboundFederation]. It is kept when the feature is disabled, so that the
// account keeps its issuer (and tokens issued before stay verifiable).
const KindOutboundFederation Kind = "outbound-federation"

// OutboundFederationKey is the key of an account's [KindOutboundFederation]
// record.
const OutboundFederationKey = "account"

// OutboundFederation is an account's outbound web identity federation.
type OutboundFederation struct {
	// Enabled reports whether principals of the account may call
	// GetWebIdentityToken.
	Enabled bool `json:"enabled"`
	// IssuerID is the random, unique part of the issuer URL; the
	// [KindOutboundIssuer] record of that id names the account.
	IssuerID string `json:"issuerId"`
	// Issuer is the issuer URL (the iss claim of the account's tokens),
	// under which the server publishes the OpenID Connect discovery
	// document and the key set.
	Issuer string `json:"issuer"`
	// CreateDate is when the feature was first enabled.
	CreateDate time.Time `json:"createDate"`
}

// KindOutboundIssuer indexes the issuers of outbound federation by their id:
// global (Account ""), key the IssuerID, value [OutboundIssuer]. The
// unauthenticated discovery endpoints find an issuer's account through it.
const KindOutboundIssuer Kind = "outbound-issuer"

// OutboundIssuer names the account of an issuer.
type OutboundIssuer struct {
	Account string `json:"account"`
	// Issuer is the issuer URL, as in the account's [OutboundFederation].
	Issuer string `json:"issuer"`
}

// KindWebIdentityKeys holds the cluster's signing keys of the web identity
// tokens STS issues (GetWebIdentityToken): global (Account ""), one record
// under [WebIdentityKeysKey], value [WebIdentityKeys].
const KindWebIdentityKeys Kind = "web-identity-keys"

// WebIdentityKeysKey is the key of the single [KindWebIdentityKeys] record.
const WebIdentityKeysKey = "ring"

// WebIdentityKeys is the ring of token signing keys, oldest first; the last
// version signs, every version is published in the issuers' key sets.
type WebIdentityKeys struct {
	Keys []WebIdentityKey `json:"keys"`
}

// WebIdentityKey is one version of the signing keys: an RSA key (RS256) and
// a P-384 ECDSA key (ES384). The private keys are never stored in
// plaintext: each is its PKCS #8 encoding sealed by the master keyring, with
// associated data naming the version and the algorithm.
type WebIdentityKey struct {
	// Version numbers keys from 1, increasing by one at each rotation.
	Version int `json:"version"`
	// SealedRSA and SealedEC are the sealed private keys.
	SealedRSA []byte `json:"sealedRsa"`
	SealedEC  []byte `json:"sealedEc"`
	// CreateDate is when the version was made; the version before it
	// stopped signing at that time.
	CreateDate time.Time `json:"createDate"`
}
