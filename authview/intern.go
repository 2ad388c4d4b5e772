package authview

import (
	"hash/maphash"
	"runtime"
	"sync"
	"weak"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// interned holds compiled documents weakly, by a hash of their kind and
// text (and, for the form named for one holder, its name), so that every
// principal with the same document shares one compiled form, and every
// holder under the same name (a managed policy's ARN) one *policy.Policy,
// for as long as anything holds it — a cached policy set, a group's cached
// policies, a request in flight — and no longer. The table keeps nothing
// alive itself: the compiled documents in memory are those of the cached
// sets, which are bounded, and a document that no cached set holds any
// more (a principal's own inline policy, once its set is evicted) is freed
// with the set instead of waiting in a cache of its own.
type interned struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]internEntry
}

type internEntry struct {
	kind policy.Kind
	p    weak.Pointer[policy.Policy]
}

func newInterned() *interned {
	return &interned{seed: maphash.MakeSeed(), m: map[uint64]internEntry{}}
}

// key hashes a document's kind and text and, when named, its holder's name.
// Equal keys are confirmed by comparing the document (and name): a
// collision costs a compilation, never a wrong policy.
func (t *interned) key(kind policy.Kind, named bool, name, doc string) uint64 {
	var h maphash.Hash
	h.SetSeed(t.seed)
	var head [2]byte
	head[0] = byte(kind)
	if named {
		head[1] = 1
		h.Write(head[:])
		h.WriteString(name)
		h.WriteByte(0)
	} else {
		h.Write(head[:])
	}
	h.WriteString(doc)
	return h.Sum64()
}

// get returns the live policy under k compiled from doc as kind (and named
// name, when named), or nil.
func (t *interned) get(k uint64, kind policy.Kind, named bool, name, doc string) *policy.Policy {
	t.mu.Lock()
	e, ok := t.m[k]
	t.mu.Unlock()
	if !ok || e.kind != kind {
		return nil
	}
	p := e.p.Value()
	if p == nil || p.Doc == nil || p.Doc.Source != doc || (named && p.Name != name) {
		return nil
	}
	return p
}

// put files p under k until p is collected (or another policy replaces it
// under k).
func (t *interned) put(k uint64, kind policy.Kind, p *policy.Policy) {
	t.mu.Lock()
	t.m[k] = internEntry{kind: kind, p: weak.Make(p)}
	t.mu.Unlock()
	runtime.AddCleanup(p, t.drop, k)
}

// drop removes the entry under k if its policy has been collected.
func (t *interned) drop(k uint64) {
	t.mu.Lock()
	if e, ok := t.m[k]; ok && e.p.Value() == nil {
		delete(t.m, k)
	}
	t.mu.Unlock()
}

// len is the number of entries, live or awaiting their cleanup.
func (t *interned) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
