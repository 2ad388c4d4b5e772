package tokenkeys_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/session/tokenkeys"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// countingStore counts the read transactions, to see reloads.
type countingStore struct {
	store.Store
	views atomic.Int64
}

func (c *countingStore) View(ctx context.Context, fn func(store.ReadTx) error) error {
	c.views.Add(1)
	return c.Store.View(ctx, fn)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newMaster(t *testing.T, keys ...[]byte) *keyring.Keyring {
	t.Helper()
	k, err := keyring.New(rand.Reader, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func genKey(t *testing.T) []byte {
	t.Helper()
	k, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openStore(t *testing.T) *countingStore {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &countingStore{Store: st}
}

func newRing(t *testing.T, st store.Store, master *keyring.Keyring, clk *clock, legacy session.Sealer) *tokenkeys.Ring {
	t.Helper()
	r, err := tokenkeys.Open(context.Background(), tokenkeys.Config{Store: st, Master: master, Legacy: legacy, Rand: rand.Reader, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func token(t *testing.T, s session.Sealer, id string, clk *clock) string {
	t.Helper()
	tok, err := session.Seal(s, &session.Session{AccessKeyID: id, Secret: "s3cr3t", Account: "123456789012", Kind: session.KindUser, IssuedAt: clk.Now(), Expiration: clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func opens(s session.Sealer, tok, id string, clk *clock) error {
	_, err := session.Open(s, tok, id, clk.Now())
	return err
}

// Two nodes over one store share the ring; a rotation on one store is picked
// up by the other on the first token it cannot open; old tokens keep working.
func TestRingAcrossNodesAndRotation(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	master := newMaster(t, genKey(t))
	a := newRing(t, st, master, clk, nil)
	b := newRing(t, st, master, clk, nil)
	if a.Version() != 1 || b.Version() != 1 {
		t.Fatalf("versions %d, %d; want one ring made once", a.Version(), b.Version())
	}
	old := token(t, a, "ASIAOLD", clk)
	if err := opens(b, old, "ASIAOLD", clk); err != nil {
		t.Fatalf("node b cannot open node a's token: %v", err)
	}

	res, err := tokenkeys.Rotate(ctx, st, master, rand.Reader, clk.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 2 || res.Keys != 2 || res.Retired != 0 {
		t.Fatalf("rotate: %+v", res)
	}
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Version() != 2 || a.Version() != 1 {
		t.Fatalf("after reload of b only: a %d, b %d", a.Version(), b.Version())
	}
	fresh := token(t, b, "ASIANEW", clk)
	before := st.views.Load()
	if err := opens(a, fresh, "ASIANEW", clk); err != nil {
		t.Fatalf("node a cannot open a token under the new key: %v", err)
	}
	if st.views.Load() != before+1 || a.Version() != 2 {
		t.Errorf("node a: %d reads, version %d; want one re-read and version 2", st.views.Load()-before, a.Version())
	}
	for _, r := range []*tokenkeys.Ring{a, b} {
		if err := opens(r, old, "ASIAOLD", clk); err != nil {
			t.Errorf("token from before the rotation: %v", err)
		}
	}
	// A token for another access key id does not open.
	if err := opens(a, fresh, "ASIAOTHER", clk); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("token with another key id: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %s", a, a, a); bytes.Contains([]byte(s), []byte("sealed")) {
		t.Errorf("ring formats as %q", s)
	}
}

// Forged tokens with unknown key ids cause at most one store read per
// MinReload.
func TestRingReloadIsRateLimited(t *testing.T) {
	st := openStore(t)
	clk := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	master := newMaster(t, genKey(t))
	r := newRing(t, st, master, clk, nil)
	stranger := newMaster(t, genKey(t)) // a key no ring holds
	forged := token(t, stranger, "ASIAFORGED", clk)
	before := st.views.Load()
	for range 100 {
		if err := opens(r, forged, "ASIAFORGED", clk); !errors.Is(err, session.ErrInvalid) {
			t.Fatalf("forged token: %v", err)
		}
	}
	if n := st.views.Load() - before; n != 1 {
		t.Errorf("100 forged tokens caused %d store reads, want 1", n)
	}
	clk.Add(2 * time.Second)
	if err := opens(r, forged, "ASIAFORGED", clk); !errors.Is(err, session.ErrInvalid) {
		t.Fatalf("forged token: %v", err)
	}
	if n := st.views.Load() - before; n != 2 {
		t.Errorf("after MinReload: %d store reads, want 2", n)
	}
}

// Keys retire once they have not sealed for longer than retireAfter.
func TestRotateRetiresOldKeys(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	master := newMaster(t, genKey(t))
	r := newRing(t, st, master, clk, nil)
	v1 := token(t, r, "ASIAV1", clk)
	clk.Add(time.Hour)
	if _, err := tokenkeys.Rotate(ctx, st, master, rand.Reader, clk.Now(), 0); err != nil {
		t.Fatal(err)
	}
	clk.Add(tokenkeys.DefaultRetireAfter - time.Minute)
	res, err := tokenkeys.Rotate(ctx, st, master, rand.Reader, clk.Now(), 0)
	if err != nil || res.Retired != 0 || res.Keys != 3 {
		t.Fatalf("second rotation before v1 is due: %+v, %v", res, err)
	}
	clk.Add(2 * time.Minute)
	res, err = tokenkeys.Rotate(ctx, st, master, rand.Reader, clk.Now(), 0)
	if err != nil || res.Retired != 1 || res.Keys != 3 || res.Version != 4 {
		t.Fatalf("third rotation: %+v, %v", res, err)
	}
	if err := r.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// v1's token would have expired long ago; the key is gone all the same.
	clk.t = clk.t.Add(-40 * time.Hour)
	if err := opens(r, v1, "ASIAV1", clk); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("token under a retired key: %v", err)
	}
}

// A master key rotation: Rotate re-wraps the ring under the newest master
// key, so a node holding only that key reads it; tokens sealed directly by
// the master keyring (before the ring existed) open through Legacy.
func TestMasterRotationAndLegacy(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	oldKey, newKey := genKey(t), genKey(t)
	oldMaster := newMaster(t, oldKey)
	legacyTok := token(t, oldMaster, "ASIALEGACY", clk)
	r := newRing(t, st, oldMaster, clk, nil)
	tok := token(t, r, "ASIARING", clk)
	if err := opens(r, legacyTok, "ASIALEGACY", clk); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("legacy token without Legacy: %v", err)
	}
	if err := opens(newRing(t, st, oldMaster, clk, oldMaster), legacyTok, "ASIALEGACY", clk); err != nil {
		t.Errorf("legacy token with Legacy: %v", err)
	}
	if _, err := tokenkeys.Open(ctx, tokenkeys.Config{Store: st, Master: newMaster(t, newKey), Rand: rand.Reader, Now: clk.Now}); err == nil {
		t.Fatal("a node with only the new master key read a ring wrapped by the old one")
	}
	if _, err := tokenkeys.Rotate(ctx, st, newMaster(t, oldKey, newKey), rand.Reader, clk.Now(), 0); err != nil {
		t.Fatal(err)
	}
	onlyNew := newRing(t, st, newMaster(t, newKey), clk, nil)
	if err := opens(onlyNew, tok, "ASIARING", clk); err != nil {
		t.Errorf("token from before both rotations, on a node with only the new master key: %v", err)
	}
}
