// Package tokenkeys holds the cluster-wide keys that seal STS session tokens
// (and authorization messages): a versioned ring of AES-256 data keys kept in
// the store, each wrapped (sealed) by the master keyring, so that every node
// started with the same master key seals and opens the same tokens.
//
// The newest key seals; every key in the ring opens. [Rotate] adds a key;
// tokens sealed with older keys keep opening until the key is retired, which
// happens only at a later rotation once the key has not sealed anything for
// longer than the longest session lives. A node learns of a new key by
// re-reading the ring periodically ([Ring.Run]) and, at once, when it is shown
// a token sealed with a key id it does not know (at most once per second, so
// forged tokens cannot turn into a flood of store reads).
//
// Key bytes never leave this package except sealed by the master keyring;
// they are never logged or printed.
package tokenkeys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/follow"
)

// DefaultRetireAfter is how long a key that no longer seals stays in the
// ring: the longest session (GetSessionToken's 36 hours) plus a margin for
// nodes that have not re-read the ring yet.
const DefaultRetireAfter = 37 * time.Hour

// reloadTimeout bounds the store read of a reload triggered by a token.
const reloadTimeout = 5 * time.Second

// Config holds a Ring's dependencies.
type Config struct {
	// Store holds the ring (store.KindSessionKeys).
	Store store.Store
	// Master wraps and unwraps the data keys.
	Master *keyring.Keyring
	// Legacy, if set, opens values that no key of the ring sealed: tokens
	// issued before the ring existed, which were sealed directly by the
	// master keyring. It never seals.
	Legacy session.Sealer
	// Rand supplies keys and nonces (crypto/rand.Reader in production).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	// Log receives reload failures; nil discards them.
	Log *slog.Logger
	// MinReload is the least time between two reloads caused by unknown
	// key ids; zero means one second.
	MinReload time.Duration
}

// Ring seals and opens session tokens with the store's session keys. It
// implements session.Sealer and is safe for concurrent use.
type Ring struct {
	cfg  Config
	keys *follow.Record[state]

	mu         sync.Mutex // serialises reloads
	lastReload time.Time
}

var _ session.Sealer = (*Ring)(nil)

// state is one loaded version of the ring.
type state struct {
	kr      *keyring.Keyring
	version int // of the sealing key
	count   int
}

// Open loads the ring from the store, creating it with a first key if the
// store has none (nodes starting together create one ring: the others find
// it).
func Open(ctx context.Context, cfg Config) (*Ring, error) {
	if cfg.Store == nil || cfg.Master == nil || cfg.Rand == nil || cfg.Now == nil {
		return nil, errors.New("tokenkeys: Store, Master, Rand and Now are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MinReload == 0 {
		cfg.MinReload = time.Second
	}
	r := &Ring{cfg: cfg}
	r.keys = follow.New(cfg.Store, store.KindSessionKeys, store.SessionKeysKey, "the session key ring", func(rec store.Record) (*state, error) {
		ks, err := store.DecodeJSON[store.SessionKeys](rec)
		if err != nil {
			return nil, fmt.Errorf("tokenkeys: %w", err)
		}
		kr, err := unwrapAll(cfg.Master, cfg.Rand, ks)
		if err != nil {
			return nil, err
		}
		return &state{kr: kr, version: ks.Keys[len(ks.Keys)-1].Version, count: len(ks.Keys)}, nil
	})
	if err := r.ensure(ctx); err != nil {
		return nil, err
	}
	if err := r.Reload(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// ensure creates the ring with one key unless it exists.
func (r *Ring) ensure(ctx context.Context) error {
	key, err := keyring.GenerateKey(r.cfg.Rand)
	if err != nil {
		return err
	}
	defer clear(key)
	wrapped, err := r.cfg.Master.Seal(key, wrapAD(1))
	if err != nil {
		return fmt.Errorf("tokenkeys: wrap key: %w", err)
	}
	first := store.SessionKeys{Keys: []store.SessionKey{{Version: 1, Sealed: wrapped, CreateDate: r.cfg.Now().UTC()}}}
	if err := r.keys.Create(ctx, first); err != nil {
		return fmt.Errorf("tokenkeys: %w", err)
	}
	return nil
}

// wrapAD is the associated data of the wrapped key of a version.
func wrapAD(version int) []byte {
	return []byte("gatehouse session key " + strconv.Itoa(version))
}

// Reload re-reads the ring from the store and, if it changed, starts using
// it.
func (r *Ring) Reload(ctx context.Context) error {
	if err := r.keys.Reload(ctx); err != nil {
		return fmt.Errorf("tokenkeys: %w", err)
	}
	return nil
}

// unwrapAll opens every key of ks with master and builds a keyring in
// version order, so that the newest key seals.
func unwrapAll(master *keyring.Keyring, rand io.Reader, ks store.SessionKeys) (*keyring.Keyring, error) {
	if len(ks.Keys) == 0 {
		return nil, errors.New("tokenkeys: the session key ring is empty")
	}
	keys := make([][]byte, 0, len(ks.Keys))
	defer func() {
		for _, k := range keys {
			clear(k)
		}
	}()
	for i, k := range ks.Keys {
		if i > 0 && k.Version <= ks.Keys[i-1].Version {
			return nil, fmt.Errorf("tokenkeys: session key versions out of order (%d after %d)", k.Version, ks.Keys[i-1].Version)
		}
		key, err := master.Open(k.Sealed, wrapAD(k.Version))
		if err != nil {
			// Typically a node started without the master key the ring was
			// last wrapped with: add it to the key file and restart.
			return nil, fmt.Errorf("tokenkeys: unwrap session key version %d with the master key: %w", k.Version, err)
		}
		keys = append(keys, key)
	}
	kr, err := keyring.New(rand, keys...)
	if err != nil {
		return nil, fmt.Errorf("tokenkeys: %w", err)
	}
	return kr, nil
}

// Seal seals plaintext with the newest session key.
func (r *Ring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	return r.keys.Current().kr.Seal(plaintext, associatedData)
}

// Open opens a value sealed by any key of the ring. A value sealed with a key
// id the ring does not know makes it re-read the store once (rate-limited)
// before giving up; then Config.Legacy, if set, has a try.
func (r *Ring) Open(sealed, associatedData []byte) ([]byte, error) {
	st := r.keys.Current()
	plain, err := st.kr.Open(sealed, associatedData)
	if !errors.Is(err, keyring.ErrUnknownKey) {
		return plain, err
	}
	if r.reloadAfterMiss(st) {
		plain, err = r.keys.Current().kr.Open(sealed, associatedData)
		if !errors.Is(err, keyring.ErrUnknownKey) {
			return plain, err
		}
	}
	if r.cfg.Legacy != nil {
		return r.cfg.Legacy.Open(sealed, associatedData)
	}
	return nil, err
}

// reloadAfterMiss re-reads the ring after seen failed to open a value,
// unless another reload happened since seen was current or the last one was
// less than MinReload ago. It reports whether the ring changed.
func (r *Ring) reloadAfterMiss(seen *state) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys.Current() != seen {
		return true
	}
	now := r.cfg.Now()
	if !r.lastReload.IsZero() && now.Sub(r.lastReload) < r.cfg.MinReload {
		return false
	}
	r.lastReload = now
	ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
	defer cancel()
	if err := r.Reload(ctx); err != nil {
		r.cfg.Log.Warn("re-reading the session key ring failed", "err", err)
		return false
	}
	return r.keys.Current() != seen
}

// Run re-reads the ring every interval until ctx ends, so that a node starts
// sealing with a new key soon after a rotation.
func (r *Ring) Run(ctx context.Context, interval time.Duration) {
	r.keys.Run(ctx, interval, r.cfg.Log)
}

// Version returns the version of the key that seals.
func (r *Ring) Version() int { return r.keys.Current().version }

// String describes the ring without revealing key material.
func (r *Ring) String() string {
	st := r.keys.Current()
	if st == nil {
		return "tokenkeys.Ring{}"
	}
	return fmt.Sprintf("tokenkeys.Ring{%d keys, version %d seals}", st.count, st.version)
}

// RotateResult reports what Rotate did.
type RotateResult struct {
	// Version is the new sealing key's version.
	Version int
	// Keys is how many keys the ring holds now.
	Keys int
	// Retired is how many old keys were dropped.
	Retired int
}

// Rotate adds a new session key to the ring in st and makes it the sealing
// key, drops keys that stopped sealing more than retireAfter ago (zero means
// DefaultRetireAfter), and re-wraps every key it keeps with master's current
// key, so that a rotation of the master key needs only this and the re-sealing
// of the other stored secrets. It creates the ring if there is none. Nodes
// pick the new key up at their next reload.
func Rotate(ctx context.Context, st store.Store, master *keyring.Keyring, rand io.Reader, now time.Time, retireAfter time.Duration) (RotateResult, error) {
	if retireAfter == 0 {
		retireAfter = DefaultRetireAfter
	}
	fresh, err := keyring.GenerateKey(rand)
	if err != nil {
		return RotateResult{}, err
	}
	defer clear(fresh)
	now = now.UTC()
	var res RotateResult
	err = st.Update(ctx, func(tx store.Tx) error {
		res = RotateResult{}
		ks, err := store.GetJSON[store.SessionKeys](ctx, tx, store.KindSessionKeys, "", store.SessionKeysKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var kept []store.SessionKey
		for i, k := range ks.Keys {
			// Key i stopped sealing when key i+1 was made; the newest
			// stops now.
			if i+1 < len(ks.Keys) && now.Sub(ks.Keys[i+1].CreateDate) > retireAfter {
				res.Retired++
				continue
			}
			key, err := master.Open(k.Sealed, wrapAD(k.Version))
			if err != nil {
				return fmt.Errorf("tokenkeys: unwrap session key version %d with the master key: %w", k.Version, err)
			}
			k.Sealed, err = master.Seal(key, wrapAD(k.Version))
			clear(key)
			if err != nil {
				return fmt.Errorf("tokenkeys: re-wrap session key version %d: %w", k.Version, err)
			}
			kept = append(kept, k)
		}
		version := 1
		if n := len(ks.Keys); n > 0 {
			version = ks.Keys[n-1].Version + 1
		}
		wrapped, err := master.Seal(fresh, wrapAD(version))
		if err != nil {
			return fmt.Errorf("tokenkeys: wrap key: %w", err)
		}
		kept = append(kept, store.SessionKey{Version: version, Sealed: wrapped, CreateDate: now})
		res.Version, res.Keys = version, len(kept)
		return store.PutJSON(ctx, tx, store.KindSessionKeys, "", store.SessionKeysKey, store.SessionKeys{Keys: kept})
	})
	if err != nil {
		return RotateResult{}, fmt.Errorf("tokenkeys: rotate: %w", err)
	}
	return res, nil
}
