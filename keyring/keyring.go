// Package keyring keeps Gatehouse's secrets at rest: it seals and opens small
// values (secret access keys, MFA seeds) with AES-256-GCM under a master key.
//
// The master key comes, in order of preference, from a key file
// (--master-key-file), from the GATEHOUSE_MASTER_KEY environment variable
// (whose value the caller passes in; this package reads no environment), or
// from <datadir>/master.key, generated on first use. Key files must not be
// readable by group or others.
//
// A key file holds one or more keys, one per line, each the standard base64
// encoding of 32 bytes; blank lines and lines starting with '#' are ignored.
// The last key seals; every key opens. To rotate, append a new key, restart,
// re-seal the stored secrets, then drop the old line.
//
// Sealed values carry a format version byte and a 4-byte key id (derived from
// the key by SHA-256, not secret), so that old values stay readable after a
// rotation. Key bytes are never logged or printed: the Keyring's String,
// GoString, Format and LogValue show only key ids.
package keyring

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// KeySize is the size of a master key in bytes (AES-256).
const KeySize = 32

// EnvVar names the environment variable the caller reads for
// Options.EnvValue.
const EnvVar = "GATEHOUSE_MASTER_KEY"

// Sealed value layout: version, key id, nonce, then GCM ciphertext and tag.
const (
	version1   = 1
	keyIDSize  = 4
	headerSize = 1 + keyIDSize
	nonceSize  = 12
	tagSize    = 16
	// Overhead is how many bytes Seal adds to the plaintext.
	Overhead = headerSize + nonceSize + tagSize
)

// Errors from Open. They say nothing about the key or the plaintext.
var (
	// ErrDecrypt reports a value that fails authentication: tampered,
	// truncated, or sealed with other associated data or another key that
	// happens to share the key id.
	ErrDecrypt = errors.New("keyring: message authentication failed")
	// ErrUnknownKey reports a value sealed with a key this keyring lacks.
	ErrUnknownKey = errors.New("keyring: value sealed with an unknown key")
	// ErrUnsupportedVersion reports a value in a format this version of
	// Gatehouse does not know.
	ErrUnsupportedVersion = errors.New("keyring: unsupported format version")
)

// Keyring seals and opens values. It is safe for concurrent use if its
// source of randomness is.
type Keyring struct {
	aeads   map[uint32]cipher.AEAD
	ids     []uint32 // in the order given; the last one seals
	current uint32
	rand    io.Reader
	source  Source
}

// New returns a Keyring holding keys, each KeySize bytes; the last one seals
// and all of them open. rand supplies nonces (crypto/rand.Reader in
// production). The key bytes are copied into AES key schedules; the caller
// may wipe its slices afterwards.
func New(rand io.Reader, keys ...[]byte) (*Keyring, error) {
	if rand == nil {
		return nil, errors.New("keyring: no source of randomness")
	}
	if len(keys) == 0 {
		return nil, errors.New("keyring: no keys")
	}
	k := &Keyring{aeads: make(map[uint32]cipher.AEAD, len(keys)), rand: rand}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("keyring: key %d is %d bytes, want %d", i+1, len(key), KeySize)
		}
		id := keyID(key)
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("keyring: key %d repeats an earlier key (id %08x)", i+1, id)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: key %d: %w", i+1, err)
		}
		k.aeads[id] = aead
		k.ids = append(k.ids, id)
		k.current = id
	}
	return k, nil
}

// keyID derives the public id of a key.
func keyID(key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte("gatehouse keyring key id\x00"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// Seal encrypts and authenticates plaintext, binding it to associatedData
// (which is authenticated but not stored: Open needs the same value). Bind
// each secret to where it lives, e.g. the access key id for a secret key.
func (k *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	out := make([]byte, headerSize+nonceSize, Overhead+len(plaintext))
	out[0] = version1
	binary.BigEndian.PutUint32(out[1:headerSize], k.current)
	nonce := out[headerSize : headerSize+nonceSize]
	if _, err := io.ReadFull(k.rand, nonce); err != nil {
		return nil, fmt.Errorf("keyring: read nonce: %w", err)
	}
	return k.aeads[k.current].Seal(out, nonce, plaintext, additional(out[:headerSize], associatedData)), nil
}

// Open authenticates and decrypts a value made by Seal with the same
// associatedData.
func (k *Keyring) Open(sealed, associatedData []byte) ([]byte, error) {
	if len(sealed) < Overhead {
		return nil, fmt.Errorf("%w: value too short", ErrDecrypt)
	}
	if sealed[0] != version1 {
		return nil, fmt.Errorf("%w: %d", ErrUnsupportedVersion, sealed[0])
	}
	id := binary.BigEndian.Uint32(sealed[1:headerSize])
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key id %08x)", ErrUnknownKey, id)
	}
	nonce := sealed[headerSize : headerSize+nonceSize]
	plain, err := aead.Open(nil, nonce, sealed[headerSize+nonceSize:], additional(sealed[:headerSize], associatedData))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// additional is the GCM additional data: the fixed-size header, so that it
// cannot be altered, then the caller's associated data.
func additional(header, associatedData []byte) []byte {
	ad := make([]byte, 0, len(header)+len(associatedData))
	return append(append(ad, header...), associatedData...)
}

// CurrentKeyID returns the id of the sealing key, in hex. Ids are not
// secret.
func (k *Keyring) CurrentKeyID() string { return fmt.Sprintf("%08x", k.current) }

// Source reports where the keys were loaded from.
func (k *Keyring) Source() Source { return k.source }

// String describes the keyring without revealing key material.
func (k Keyring) String() string {
	ids := make([]string, len(k.ids))
	for i, id := range k.ids {
		ids[i] = fmt.Sprintf("%08x", id)
	}
	src := ""
	if k.source != "" {
		src = ", source " + string(k.source)
	}
	return fmt.Sprintf("keyring.Keyring{keys [%s], current %08x%s}", strings.Join(ids, " "), k.current, src)
}

// GoString is String, so %#v reveals nothing either.
func (k Keyring) GoString() string { return k.String() }

// Format prints String for every verb, so no verb or flag (%x, %+v, %#v)
// can reach the key schedules. Formatting methods have value receivers so
// that a dereferenced Keyring is covered too.
func (k Keyring) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// LogValue makes slog print String.
func (k Keyring) LogValue() slog.Value { return slog.StringValue(k.String()) }

// DecodeKey parses one key: the standard base64 encoding (padded or not) of
// KeySize bytes, surrounding space ignored. Its errors never quote the input.
func DecodeKey(text string) ([]byte, error) {
	s := strings.TrimSpace(text)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("keyring: key is not valid base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("keyring: key decodes to %d bytes, want %d", len(key), KeySize)
	}
	return key, nil
}

// EncodeKey is the text form of a key, as DecodeKey reads it.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// GenerateKey returns a new random key read from rand.
func GenerateKey(rand io.Reader) ([]byte, error) {
	if rand == nil {
		return nil, errors.New("keyring: no source of randomness")
	}
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil, fmt.Errorf("keyring: generate key: %w", err)
	}
	return key, nil
}

// parseKeyFile reads the keys of a key file.
func parseKeyFile(data []byte) ([][]byte, error) {
	var keys [][]byte
	for i, line := range bytes.Split(data, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		key, err := DecodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key in file")
	}
	return keys, nil
}
