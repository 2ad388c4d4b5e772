package store

import "time"

// KindSessionKeys holds the cluster's session-token sealing keys: global
// (Account ""), one record under the key [SessionKeysKey] whose value is
// [SessionKeys]. Every node seals tokens with the newest key and opens them
// with any, so a session issued by one node is accepted by all.
const KindSessionKeys Kind = "session-keys"

// SessionKeysKey is the key of the single [KindSessionKeys] record.
const SessionKeysKey = "ring"

// SessionKeys is the ring of session-token sealing keys. Keys are ordered by
// Version, oldest first; the last one seals.
type SessionKeys struct {
	Keys []SessionKey `json:"keys"`
}

// SessionKey is one session-token sealing key. The key itself is never
// stored in plaintext: Sealed is the 32-byte key sealed by the master
// keyring, with associated data naming the version, so that a wrapped key
// cannot be moved to another version.
type SessionKey struct {
	// Version numbers keys from 1, increasing by one at each rotation.
	Version int `json:"version"`
	// Sealed is the key sealed by the master keyring.
	Sealed []byte `json:"sealed"`
	// CreateDate is when the key was made; the key before it stopped
	// sealing at that time.
	CreateDate time.Time `json:"createDate"`
}
