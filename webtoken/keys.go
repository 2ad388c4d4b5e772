// Package webtoken holds what the web identity tokens of outbound identity
// federation (STS GetWebIdentityToken) need: the cluster's signing keys — an
// RSA key for RS256 and a P-384 key for ES384 per version — kept in the store
// and sealed by the master keyring, so that every node signs with the same
// keys and publishes the same key set; the signing of the tokens (compact
// JWS, RFC 7515/7519); and the documents an OpenID Connect relying party
// reads from the issuer: the discovery document and the JSON Web Key Set.
//
// The newest version signs; every version the ring holds is published, so
// that tokens signed before a rotation keep verifying until they expire.
// [Rotate] adds a version and drops those that stopped signing longer ago
// than the longest token lives (plus a margin). A node learns of a new
// version by re-reading the ring periodically ([Ring.Run]).
//
// Private keys never leave this package except sealed by the master keyring;
// they are never logged or printed.
package webtoken

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/follow"
)

// The signing algorithms GetWebIdentityToken offers (its SigningAlgorithm
// parameter): "RS256 (RSA with SHA-256) and ES384 (ECDSA using P-384 curve
// with SHA-384)" (API_GetWebIdentityToken).
const (
	RS256 = "RS256"
	ES384 = "ES384"
)

// rsaBits is the size of the RSA signing keys.
const rsaBits = 2048

// DefaultRetireAfter is how long a version that no longer signs stays in
// the ring (and in the published key set): far longer than the longest token
// lives (one hour), so that relying parties that cached the key set and
// tokens signed just before a rotation keep verifying.
const DefaultRetireAfter = 24 * time.Hour

// Config holds a Ring's dependencies.
type Config struct {
	// Store holds the ring (store.KindWebIdentityKeys).
	Store store.Store
	// Master seals and opens the private keys.
	Master *keyring.Keyring
	// Rand supplies keys and signatures' randomness (crypto/rand.Reader).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	// Log receives reload failures; nil discards them.
	Log *slog.Logger
}

// Ring signs web identity tokens with the store's signing keys and
// publishes their public halves. It is safe for concurrent use.
type Ring struct {
	cfg  Config
	keys *follow.Record[state]
}

// state is one loaded version of the ring.
type state struct {
	versions []*version // oldest first; the last signs
	jwks     []byte     // the published key set
}

// version is one version's keys, opened.
type version struct {
	n      int
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	rsaKid string
	ecKid  string
}

// Open loads the ring from the store, creating it with a first version if
// the store has none (nodes starting together create one ring: the others
// find it).
func Open(ctx context.Context, cfg Config) (*Ring, error) {
	if cfg.Store == nil || cfg.Master == nil || cfg.Rand == nil || cfg.Now == nil {
		return nil, errors.New("webtoken: Store, Master, Rand and Now are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := &Ring{cfg: cfg}
	r.keys = follow.New(cfg.Store, store.KindWebIdentityKeys, store.WebIdentityKeysKey, "the web identity signing key ring",
		func(rec store.Record) (*state, error) { return load(cfg.Master, rec) })
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	if err := r.Reload(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// ensure creates the ring with one version unless it exists.
func (r *Ring) ensure(ctx context.Context) error {
	exists, err := r.keys.Exists(ctx)
	if err != nil {
		return fmt.Errorf("webtoken: %w", err)
	}
	if exists {
		// Generating an RSA key costs tens of milliseconds: only when
		// there is no ring yet.
		return nil
	}
	first, err := newVersion(r.cfg.Master, r.cfg.Rand, 1, r.cfg.Now())
	if err != nil {
		return err
	}
	if err := r.keys.Create(ctx, store.WebIdentityKeys{Keys: []store.WebIdentityKey{first}}); err != nil {
		return fmt.Errorf("webtoken: %w", err)
	}
	return nil
}

// sealAD is the associated data of a version's sealed private key of one
// algorithm, so that a sealed key cannot be moved to another version or
// algorithm.
func sealAD(version int, alg string) []byte {
	return []byte("gatehouse web identity key " + strconv.Itoa(version) + " " + alg)
}

// newVersion generates and seals the keys of one version.
func newVersion(master *keyring.Keyring, rand io.Reader, n int, now time.Time) (store.WebIdentityKey, error) {
	rk, err := rsa.GenerateKey(rand, rsaBits)
	if err != nil {
		return store.WebIdentityKey{}, fmt.Errorf("webtoken: generate the RSA key: %w", err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand)
	if err != nil {
		return store.WebIdentityKey{}, fmt.Errorf("webtoken: generate the P-384 key: %w", err)
	}
	k := store.WebIdentityKey{Version: n, CreateDate: now.UTC()}
	if k.SealedRSA, err = sealKey(master, rk, n, RS256); err != nil {
		return store.WebIdentityKey{}, err
	}
	if k.SealedEC, err = sealKey(master, ek, n, ES384); err != nil {
		return store.WebIdentityKey{}, err
	}
	return k, nil
}

// sealKey seals a private key's PKCS #8 encoding with the master keyring.
func sealKey(master *keyring.Keyring, key any, n int, alg string) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("webtoken: encode the %s key: %w", alg, err)
	}
	defer clear(der)
	sealed, err := master.Seal(der, sealAD(n, alg))
	if err != nil {
		return nil, fmt.Errorf("webtoken: seal the %s key of version %d: %w", alg, n, err)
	}
	return sealed, nil
}

// openKey opens a sealed private key.
func openKey(master *keyring.Keyring, sealed []byte, n int, alg string) (any, error) {
	der, err := master.Open(sealed, sealAD(n, alg))
	if err != nil {
		// Typically a node started without the master key the ring was
		// last sealed with.
		return nil, fmt.Errorf("webtoken: open the %s key of version %d with the master key: %w", alg, n, err)
	}
	defer clear(der)
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("webtoken: the %s key of version %d: %w", alg, n, err)
	}
	return key, nil
}

// openVersion opens both keys of a stored version.
func openVersion(master *keyring.Keyring, k store.WebIdentityKey) (*version, error) {
	rk, err := openKey(master, k.SealedRSA, k.Version, RS256)
	if err != nil {
		return nil, err
	}
	ek, err := openKey(master, k.SealedEC, k.Version, ES384)
	if err != nil {
		return nil, err
	}
	v := &version{n: k.Version}
	var ok bool
	if v.rsa, ok = rk.(*rsa.PrivateKey); !ok {
		return nil, fmt.Errorf("webtoken: the RS256 key of version %d is a %T", k.Version, rk)
	}
	if v.ec, ok = ek.(*ecdsa.PrivateKey); !ok || v.ec.Curve != elliptic.P384() {
		return nil, fmt.Errorf("webtoken: the ES384 key of version %d is not a P-384 ECDSA key", k.Version)
	}
	if v.rsaKid, err = thumbprint(rsaJWK(&v.rsa.PublicKey, "")); err != nil {
		return nil, err
	}
	if v.ecKid, err = thumbprint(ecJWK(&v.ec.PublicKey, "")); err != nil {
		return nil, err
	}
	return v, nil
}

// Reload re-reads the ring from the store and, if it changed, starts using
// it.
func (r *Ring) Reload(ctx context.Context) error {
	if err := r.keys.Reload(ctx); err != nil {
		return fmt.Errorf("webtoken: %w", err)
	}
	return nil
}

// load opens every version of a stored ring and builds its key set.
func load(master *keyring.Keyring, rec store.Record) (*state, error) {
	ks, err := store.DecodeJSON[store.WebIdentityKeys](rec)
	if err != nil {
		return nil, fmt.Errorf("webtoken: %w", err)
	}
	if len(ks.Keys) == 0 {
		return nil, errors.New("webtoken: the signing key ring is empty")
	}
	st := &state{}
	for i, k := range ks.Keys {
		if i > 0 && k.Version <= ks.Keys[i-1].Version {
			return nil, fmt.Errorf("webtoken: signing key versions out of order (%d after %d)", k.Version, ks.Keys[i-1].Version)
		}
		v, err := openVersion(master, k)
		if err != nil {
			return nil, err
		}
		st.versions = append(st.versions, v)
	}
	if st.jwks, err = keySet(st.versions); err != nil {
		return nil, err
	}
	return st, nil
}

// Run re-reads the ring every interval until ctx ends, so that a node
// signs with, and publishes, a new version soon after a rotation.
func (r *Ring) Run(ctx context.Context, interval time.Duration) {
	r.keys.Run(ctx, interval, r.cfg.Log)
}

// Version returns the version that signs.
func (r *Ring) Version() int {
	st := r.keys.Current()
	return st.versions[len(st.versions)-1].n
}

// JWKS returns the JSON Web Key Set (RFC 7517) of every version's public
// keys, as the issuers publish it. The caller must not modify it.
func (r *Ring) JWKS() []byte { return r.keys.Current().jwks }

// String describes the ring without revealing key material.
func (r *Ring) String() string {
	st := r.keys.Current()
	if st == nil {
		return "webtoken.Ring{}"
	}
	return fmt.Sprintf("webtoken.Ring{%d versions, version %d signs}", len(st.versions), st.versions[len(st.versions)-1].n)
}

// RotateResult reports what Rotate did.
type RotateResult struct {
	// Version is the new signing version.
	Version int
	// Keys is how many versions the ring holds now.
	Keys int
	// Retired is how many old versions were dropped.
	Retired int
}

// Rotate adds a new version of signing keys to the ring in st and makes it
// the one that signs, drops versions that stopped signing more than
// retireAfter ago (zero means DefaultRetireAfter), and re-seals every
// version it keeps with master's current key. It creates the ring if there
// is none. Nodes pick the new version up at their next reload.
func Rotate(ctx context.Context, st store.Store, master *keyring.Keyring, rand io.Reader, now time.Time, retireAfter time.Duration) (RotateResult, error) {
	if retireAfter == 0 {
		retireAfter = DefaultRetireAfter
	}
	now = now.UTC()
	var cur store.WebIdentityKeys
	err := st.View(ctx, func(tx store.ReadTx) error {
		var err error
		cur, err = store.GetJSON[store.WebIdentityKeys](ctx, tx, store.KindWebIdentityKeys, "", store.WebIdentityKeysKey)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return RotateResult{}, fmt.Errorf("webtoken: rotate: %w", err)
	}
	// The new keys are generated outside the transaction (RSA key
	// generation is slow); their version is checked inside it.
	next := 1
	if n := len(cur.Keys); n > 0 {
		next = cur.Keys[n-1].Version + 1
	}
	fresh, err := newVersion(master, rand, next, now)
	if err != nil {
		return RotateResult{}, err
	}
	var res RotateResult
	err = st.Update(ctx, func(tx store.Tx) error {
		res = RotateResult{}
		ks, err := store.GetJSON[store.WebIdentityKeys](ctx, tx, store.KindWebIdentityKeys, "", store.WebIdentityKeysKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if n := len(ks.Keys); n > 0 && ks.Keys[n-1].Version+1 != next {
			return errors.New("webtoken: another rotation ran at the same time; run it again")
		}
		var kept []store.WebIdentityKey
		for i, k := range ks.Keys {
			// Version i stopped signing when version i+1 was made.
			if i+1 < len(ks.Keys) && now.Sub(ks.Keys[i+1].CreateDate) > retireAfter {
				res.Retired++
				continue
			}
			if k.SealedRSA, err = reseal(master, k.SealedRSA, k.Version, RS256); err != nil {
				return err
			}
			if k.SealedEC, err = reseal(master, k.SealedEC, k.Version, ES384); err != nil {
				return err
			}
			kept = append(kept, k)
		}
		kept = append(kept, fresh)
		res.Version, res.Keys = next, len(kept)
		return store.PutJSON(ctx, tx, store.KindWebIdentityKeys, "", store.WebIdentityKeysKey, store.WebIdentityKeys{Keys: kept})
	})
	if err != nil {
		return RotateResult{}, fmt.Errorf("webtoken: rotate: %w", err)
	}
	return res, nil
}

// reseal opens a sealed key and seals it again with master's current key.
func reseal(master *keyring.Keyring, sealed []byte, n int, alg string) ([]byte, error) {
	der, err := master.Open(sealed, sealAD(n, alg))
	if err != nil {
		return nil, fmt.Errorf("webtoken: open the %s key of version %d with the master key: %w", alg, n, err)
	}
	defer clear(der)
	out, err := master.Seal(der, sealAD(n, alg))
	if err != nil {
		return nil, fmt.Errorf("webtoken: re-seal the %s key of version %d: %w", alg, n, err)
	}
	return out, nil
}
