// Package authview is the authorization view: the in-memory, read-optimised view
// of principals, access keys and compiled policies that authentication and
// authorization read on every request (named "directory" until it was mistaken
// for a user directory). The store is the source of truth; the view follows its change feed
// (Sync after local writes, and a periodic poll for writes by other processes), so
// decisions do not wait on the database once a principal's policies are cached.
package authview

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/maypok86/otter/v2"
	"github.com/maypok86/otter/v2/stats"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// ManagedPolicies looks up AWS managed policies (arn:aws:iam::aws:policy/...),
// which live in the binary rather than the store.
type ManagedPolicies interface {
	// Document returns the default version's document of an AWS managed policy.
	Document(arn string) (string, bool)
}

// Directory is the in-memory view. It is safe for concurrent use.
type Directory struct {
	st      store.Store
	managed ManagedPolicies
	log     *slog.Logger

	// mu guards the fields below. It is never held across a store call:
	// a database that stops answering must not block the readers of the
	// directory, nor the writers that Sync after their commit.
	mu         sync.RWMutex
	rev        int64
	accessKeys map[string]accessKey // by id
	strs       *strTable            // the accounts and statuses of accessKeys
	accounts   map[string]store.Account
	buckets    map[string]store.Bucket    // S3 buckets by name
	accountS3  map[string]store.AccountS3 // S3 settings by account
	signOuts   map[string]time.Time       // signed-out console sessions: id → when the session would have expired
	gen        map[string]uint64          // per account: bumped by changes that may concern any principal in it
	pver       map[string]uint64          // per principal key: bumped by changes that concern only that principal

	// compiled holds the compiled documents in use, weakly, shared by
	// every principal that has the same document (AWS managed policies
	// above all).
	compiled *interned
	// sets and users are the principals' compiled policy sets and user
	// records, bounded (Options.Principals) and evicting the least useful
	// (otter's W-TinyLFU); an entry is used only while its account
	// generation and principal version are current.
	sets  *otter.Cache[string, cachedSet]
	users *otter.Cache[string, cachedUser]
	// groups and docs hold what many principals share, so that a
	// principal's first request reads only its own records: each group's
	// compiled policies (by principal key) and each customer managed
	// policy's default document (by ARN), used while their account's
	// generation is current (every change to a group, its policies, its
	// attachments or a managed policy bumps it).
	groups       *otter.Cache[string, cachedSet]
	docs         *otter.Cache[string, cachedDoc]
	evictions    *stats.Counter
	hits, misses atomic.Uint64
}

type cachedSet struct {
	gen, ver uint64 // the account generation and principal version it was loaded at
	set      *policy.Set
}

type cachedDoc struct {
	gen uint64 // the generation of the policy's account it was read at
	doc string
}

// DefaultPrincipals is how many principals' policy sets (and as many user
// records) the view keeps by default: about 3 KB of heap each for a
// principal with one inline policy of its own (BenchmarkPrincipals100k's
// users: 97 MB of heap in use at this bound, 344 MB with all 100,000
// cached; 107 and 405 MB before session 10), the policies it shares with
// others (managed, its groups') counted once for all.
const DefaultPrincipals = 20_000

// Options tune a Directory. The zero value is valid.
type Options struct {
	// Principals bounds the cached policy sets and user records (each);
	// zero means DefaultPrincipals.
	Principals int
}

// New returns a directory over st with the default options. Call Load
// before use.
func New(st store.Store, managed ManagedPolicies, log *slog.Logger) *Directory {
	return NewWith(st, managed, log, Options{})
}

// NewWith returns a directory over st. Call Load before use.
func NewWith(st store.Store, managed ManagedPolicies, log *slog.Logger, opts Options) *Directory {
	n := opts.Principals
	if n <= 0 {
		n = DefaultPrincipals
	}
	ev := stats.NewCounter()
	return &Directory{
		sets:       otter.Must(&otter.Options[string, cachedSet]{MaximumSize: n, StatsRecorder: ev}),
		users:      otter.Must(&otter.Options[string, cachedUser]{MaximumSize: n}),
		groups:     otter.Must(&otter.Options[string, cachedSet]{MaximumSize: n}),
		docs:       otter.Must(&otter.Options[string, cachedDoc]{MaximumSize: n}),
		evictions:  ev,
		st:         st,
		managed:    managed,
		log:        log,
		accessKeys: map[string]accessKey{},
		strs:       newStrTable(),
		accounts:   map[string]store.Account{},
		buckets:    map[string]store.Bucket{},
		accountS3:  map[string]store.AccountS3{},
		signOuts:   map[string]time.Time{},
		gen:        map[string]uint64{},
		pver:       map[string]uint64{},
		compiled:   newInterned(),
	}
}

// LoadTimeout bounds Load when its context has no deadline: reading every
// access key of a large directory (100,000 and more) takes longer than one
// request's store deadline (store.DefaultTimeout) on a loaded machine, and a
// node that cannot load cannot start.
const LoadTimeout = 2 * time.Minute

// Load reads the access keys and accounts from the store and remembers the
// revision it read them at.
func (d *Directory) Load(ctx context.Context) error {
	ctx, cancel := store.WithDefaultTimeout(ctx, LoadTimeout)
	defer cancel()
	rev, err := d.st.Revision(ctx)
	if err != nil {
		return fmt.Errorf("directory: reading revision: %w", err)
	}
	keys := map[string]accessKey{}
	strs := newStrTable()
	accounts := map[string]store.Account{}
	buckets := map[string]store.Bucket{}
	accountS3 := map[string]store.AccountS3{}
	signOuts := map[string]time.Time{}
	err = d.st.View(ctx, func(tx store.ReadTx) error {
		so, err := store.ListValues[store.ConsoleSignOut](ctx, tx, store.ListOptions{Kind: store.KindConsoleSignOut})
		if err != nil {
			return err
		}
		for _, o := range so {
			signOuts[o.SessionID] = o.Expires
		}
		bs, err := store.ListValues[store.Bucket](ctx, tx, store.ListOptions{Kind: store.KindBucket})
		if err != nil {
			return err
		}
		for _, b := range bs {
			buckets[b.Name] = b
		}

		ks, err := store.ListValues[store.AccessKey](ctx, tx, store.ListOptions{Kind: store.KindAccessKey})
		if err != nil {
			return err
		}
		for _, k := range ks {
			id, ck := compactKey(strs, k)
			keys[id] = ck
		}
		as, err := store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
		if err != nil {
			return err
		}
		for _, a := range as {
			accounts[a.ID] = a
			st, err := store.GetJSON[store.AccountS3](ctx, tx, store.KindAccountS3, a.ID, store.AccountS3Key)
			if err == nil {
				accountS3[a.ID] = st
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("directory: loading: %w", err)
	}
	d.mu.Lock()
	d.rev, d.accessKeys, d.strs, d.accounts, d.buckets, d.accountS3, d.signOuts = rev, keys, strs, accounts, buckets, accountS3, signOuts
	d.sets.InvalidateAll()
	d.users.InvalidateAll()
	d.groups.InvalidateAll()
	d.docs.InvalidateAll()
	d.mu.Unlock()
	return nil
}

// Revision returns the store revision the directory reflects.
func (d *Directory) Revision() int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.rev
}

// Ping reports whether the store behind the directory answers, by reading
// its revision within ctx's deadline (the store's default timeout when ctx
// has none). Readiness checks call it; the directory itself is not touched.
func (d *Directory) Ping(ctx context.Context) error {
	if _, err := d.st.Revision(ctx); err != nil {
		return fmt.Errorf("directory: store: %w", err)
	}
	return nil
}

// Sync applies every change committed since the directory's revision. Services
// call it after their own writes, so that a change is in force for the next
// request; Run calls it periodically for writes by other processes.
//
// Syncs may run concurrently, and none waits for another: each reads a page
// of the change feed and the records it names from the store without any
// lock held, then applies, under the lock, only the changes newer than the
// directory's revision at that moment (whole revisions, in revision order),
// so a slow or stuck Sync neither blocks the others nor undoes what a
// faster one applied. When Sync returns nil, every commit made before it
// was called is in force.
func (d *Directory) Sync(ctx context.Context) error {
	for {
		after := d.Revision()
		changes, err := d.st.Changes(ctx, after, 1000)
		if err != nil {
			return fmt.Errorf("directory: reading changes after %d: %w", after, err)
		}
		if len(changes) == 0 {
			return nil
		}
		ups, err := d.fetch(ctx, changes)
		if err != nil {
			return err
		}
		if err := d.apply(ups); err != nil {
			return err
		}
	}
}

// update is one change of the feed with, for the kinds the directory keeps
// in memory, the record as read after the change (ok is false when the
// record no longer exists).
type update struct {
	ch  store.Change
	rec store.Record
	ok  bool
}

// fetch reads the records that the changes name, for the kinds kept in
// memory, in one read transaction begun after the changes were listed: each
// record is therefore at least as new as the change that names it.
func (d *Directory) fetch(ctx context.Context, changes []store.Change) ([]update, error) {
	ups := make([]update, 0, len(changes))
	err := d.st.View(ctx, func(tx store.ReadTx) error {
		for _, ch := range changes {
			if !installed[ch.Kind] {
				ups = append(ups, update{ch: ch})
				continue
			}
			rec, err := tx.Get(ctx, ch.Kind, ch.Account, ch.Key)
			switch {
			case errors.Is(err, store.ErrNotFound):
				ups = append(ups, update{ch: ch})
			case err != nil:
				return err
			default:
				ups = append(ups, update{ch: ch, rec: rec, ok: true})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("directory: applying changes: %w", err)
	}
	return ups, nil
}

// apply installs fetched updates and invalidates cached sets, under the
// lock, skipping the revisions a concurrent Sync has applied already.
// Pages of the change feed never split a revision, so the revisions applied
// are always whole. Every change applied advances the revision, deletions
// included (a page that ended with the deletion of an access key used to
// leave the revision behind, so Sync read that page again forever).
func (d *Directory) apply(ups []update) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	applied := d.rev
	for _, u := range ups {
		if u.ch.Revision <= applied {
			continue
		}
		if err := d.install(u); err != nil {
			return err
		}
		d.invalidate(u.ch)
		if u.ch.Account == store.AWSAccount {
			// AWS-owned records concern every account.
			d.sets.InvalidateAll()
		}
		if u.ch.Revision > d.rev {
			d.rev = u.ch.Revision
		}
	}
	return nil
}

// installed are the kinds whose records the directory keeps in memory.
var installed = map[store.Kind]bool{store.KindAccessKey: true, store.KindAccount: true, store.KindBucket: true, store.KindAccountS3: true,
	store.KindConsoleSignOut: true}

// install puts the record of an access key, account, bucket, account S3
// settings or console sign-out change into memory, or removes it when it
// no longer exists. The caller holds d.mu.
func (d *Directory) install(u update) error {
	switch u.ch.Kind {
	case store.KindConsoleSignOut:
		if !u.ok {
			delete(d.signOuts, store.ConsoleSignOutID(u.ch.Key))
			return nil
		}
		o, err := store.DecodeJSON[store.ConsoleSignOut](u.rec)
		if err != nil {
			return fmt.Errorf("directory: console sign-out %s: %w", u.ch.Key, err)
		}
		d.signOuts[o.SessionID] = o.Expires
	case store.KindBucket:
		if !u.ok {
			delete(d.buckets, u.ch.Key)
			return nil
		}
		b, err := store.DecodeJSON[store.Bucket](u.rec)
		if err != nil {
			return fmt.Errorf("directory: bucket %s: %w", u.ch.Key, err)
		}
		d.buckets[b.Name] = b
	case store.KindAccountS3:
		if !u.ok {
			delete(d.accountS3, u.ch.Account)
			return nil
		}
		a, err := store.DecodeJSON[store.AccountS3](u.rec)
		if err != nil {
			return fmt.Errorf("directory: S3 settings of %s: %w", u.ch.Account, err)
		}
		d.accountS3[u.ch.Account] = a
	case store.KindAccessKey:
		if !u.ok {
			delete(d.accessKeys, u.ch.Key)
			return nil
		}
		k, err := store.DecodeJSON[store.AccessKey](u.rec)
		if err != nil {
			return fmt.Errorf("directory: access key %s: %w", u.ch.Key, err)
		}
		if old, ok := d.accessKeys[k.ID]; ok && old.same(d.strs, k) {
			// Its last use changed (what the key-use flusher writes with
			// every batch of requests): what the view keeps did not.
			// Keeping the old entry, rather than an equal new one, spares
			// an allocation per key used, long-lived among a request's
			// short-lived ones, which would leave the heap's spans sparse
			// once freed.
			return nil
		}
		id, ck := compactKey(d.strs, k)
		d.accessKeys[id] = ck
	case store.KindAccount:
		if !u.ok {
			delete(d.accounts, u.ch.Key)
			return nil
		}
		a, err := store.DecodeJSON[store.Account](u.rec)
		if err != nil {
			return fmt.Errorf("directory: account %s: %w", u.ch.Key, err)
		}
		d.accounts[a.ID] = a
	}
	return nil
}

// invalidate drops what a change makes stale. A change that concerns one user
// or role (its record, its inline policies and attachments, its group
// memberships) bumps that principal's version only; one that may concern many
// (a group, a customer managed policy or version, the account, or a kind this
// package does not know) bumps the account's generation. Kinds that never
// enter a policy set or a principal's record are ignored. The caller holds d.mu.
func (d *Directory) invalidate(ch store.Change) {
	if ch.Account == "" {
		return
	}
	one := func(kind store.EntityKind, name string) {
		d.pver[principalKey(kind, ch.Account, name)]++
	}
	parts := strings.SplitN(ch.Key, store.Sep, 3)
	switch ch.Kind {
	case store.KindUser:
		one(store.EntityUser, ch.Key)
	case store.KindRole:
		one(store.EntityRole, ch.Key)
	case store.KindInlinePolicy, store.KindAttachment:
		switch store.EntityKind(parts[0]) {
		case store.EntityUser, store.EntityRole:
			if len(parts) > 1 {
				one(store.EntityKind(parts[0]), parts[1])
				return
			}
		}
		d.gen[ch.Account]++
	case store.KindUserMembership:
		one(store.EntityUser, parts[0])
	case store.KindMembership, store.KindPolicyAttachment, // written with their twins above
		store.KindUserAccessKey, store.KindMFADevice, store.KindLoginProfile,
		store.KindInstanceProfile, store.KindUniqueID, store.KindAccountAlias, store.KindOIDCProvider,
		store.KindSAMLProvider, store.KindSAMLAssertion, // trusted through trust policies, which name them
		store.KindServerCertificate,
		store.KindAccountBucket, store.KindAccountS3,
		store.KindWorkload, store.KindWorkloadID, // workloads grant nothing: their roles do
		store.KindSSHPublicKey, store.KindSigningCertificate, store.KindSigningCertificateDigest, store.KindServiceCredential,
		"password-policy", "password-state", "credential-report", "slr-deletion-task", "last-accessed-job":
	default:
		d.gen[ch.Account]++
	}
}

// Run polls the change feed every interval until ctx ends.
func (d *Directory) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := d.Sync(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("directory sync failed", "err", err)
			}
		}
	}
}

// AccessKey returns an access key by id, without its LastUsed (which the
// view does not keep: read the store's record for it).
// Its CreateDate is in UTC.
func (d *Directory) AccessKey(id string) (store.AccessKey, bool) {
	d.mu.RLock()
	k, ok := d.accessKeys[id]
	if !ok {
		d.mu.RUnlock()
		return store.AccessKey{}, false
	}
	account, status := d.strs.list[k.account], d.strs.list[k.status]
	d.mu.RUnlock()
	return store.AccessKey{ID: id, Account: account, UserName: k.userName(id), SecretCiphertext: k.secret(id), Status: status, CreateDate: k.createDate()}, true
}

// accessKey is an access key as the view keeps it, one per key of the
// store (100,000 and more): what authentication reads, in one allocation
// (its id, its user's name and its sealed secret packed in one string; the
// map's key is the id within it, so a key costs one object besides its map
// slot), its account and status as indexes into the view's strTable, its
// creation as seconds and nanoseconds in UTC (the last use, which changes
// with every use and which nothing reads from the view, is left out): 40
// bytes beside its packed string, where the store's record and the strings
// of it would be 80 (server BenchmarkPrincipalsRSS: 100,000 keys).
type accessKey struct {
	packed          string // id, user name, sealed secret
	sec             int64  // CreateDate, Unix seconds
	nsec            uint32 // and nanoseconds
	nameEnd         uint32 // the user name is packed[len(id):nameEnd]
	account, status uint32 // in the view's strTable
}

// userName is the key's user's name; id is the key's id.
func (k accessKey) userName(id string) string { return k.packed[len(id):k.nameEnd] }

// createDate is the key's creation time, in UTC.
func (k accessKey) createDate() time.Time { return time.Unix(k.sec, int64(k.nsec)).UTC() }

// secret is the key's sealed secret, which shares the view's memory: it
// must only be read (keyring.Open only reads it). Its capacity is its
// length, so an append copies it.
func (k accessKey) secret(id string) []byte {
	s := k.packed[k.nameEnd:]
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))[:len(s):len(s)]
}

// same reports whether r, the store's record of the key, holds what the
// view keeps of it; strs is the view's table.
func (k accessKey) same(strs *strTable, r store.AccessKey) bool {
	return len(k.packed) >= len(r.ID) && k.packed[:len(r.ID)] == r.ID && int(k.nameEnd) >= len(r.ID) &&
		k.userName(r.ID) == r.UserName && k.packed[k.nameEnd:] == string(r.SecretCiphertext) &&
		strs.list[k.account] == r.Account && strs.list[k.status] == r.Status && k.createDate().Equal(r.CreateDate)
}

// compactKey returns k as the view keeps it and the id to key it by (a
// part of the packed string), its account and status filed in strs (the
// caller's, or d.strs under d.mu).
func compactKey(strs *strTable, k store.AccessKey) (string, accessKey) {
	var b strings.Builder
	b.Grow(len(k.ID) + len(k.UserName) + len(k.SecretCiphertext))
	b.WriteString(k.ID)
	b.WriteString(k.UserName)
	b.Write(k.SecretCiphertext)
	packed := b.String()
	return packed[:len(k.ID)], accessKey{packed: packed, sec: k.CreateDate.Unix(), nsec: uint32(k.CreateDate.Nanosecond()),
		nameEnd: uint32(len(k.ID) + len(k.UserName)), account: strs.index(k.Account), status: strs.index(k.Status)}
}

// strTable numbers the few distinct strings that the access keys share
// (their accounts and statuses: as many as there are accounts, and two),
// so that a key holds an index of four bytes instead of a string of
// sixteen. It only grows; the view replaces it with a new one at Load.
type strTable struct {
	list []string
	ix   map[string]uint32
}

func newStrTable() *strTable { return &strTable{ix: map[string]uint32{}} }

// index returns the number of v, filing it if new.
func (t *strTable) index(v string) uint32 {
	if i, ok := t.ix[v]; ok {
		return i
	}
	i := uint32(len(t.list))
	t.list = append(t.list, v)
	t.ix[v] = i
	return i
}

// Account returns an account by id.
func (d *Directory) Account(id string) (store.Account, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.accounts[id]
	return a, ok
}

// Bucket returns an S3 bucket's configuration by name.
func (d *Directory) Bucket(name string) (store.Bucket, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	b, ok := d.buckets[name]
	return b, ok
}

// SignedOut reports whether the console session id was signed out (on any
// node: the store's [store.KindConsoleSignOut] records) and would still be
// valid at now.
func (d *Directory) SignedOut(id string, now time.Time) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	exp, ok := d.signOuts[id]
	return ok && now.Before(exp)
}

// AccountS3 returns an account's S3 settings (zero when it has none).
func (d *Directory) AccountS3(account string) store.AccountS3 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.accountS3[account]
}

// Accounts returns every account.
func (d *Directory) Accounts() []store.Account {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]store.Account, 0, len(d.accounts))
	for _, a := range d.accounts {
		out = append(out, a)
	}
	return out
}

// Compile returns the compiled form of a document named name. A document
// of the same kind and text that is in use (held by a cached set, a group's
// cached policies or a request) is not compiled again: its compiled form is
// shared, under this name (see interned).
func (d *Directory) Compile(name, doc string, kind policy.Kind) (*policy.Policy, error) {
	nk := d.compiled.key(kind, true, name, doc)
	if p := d.compiled.get(nk, kind, true, name, doc); p != nil {
		return p, nil
	}
	bk := d.compiled.key(kind, false, "", doc)
	if base := d.compiled.get(bk, kind, false, "", doc); base != nil {
		// The same document may be another principal's, even another
		// account's: explanations must name this one.
		p := base.Named(name)
		if p != base {
			d.compiled.put(nk, kind, p)
		}
		return p, nil
	}
	p, err := policy.ParseAndCompile(name, doc, kind)
	if err != nil {
		return nil, err
	}
	// Filed under the document only: a holder of the same name finds it
	// there (Named gives it back as it is), and a document that no one
	// else holds (a principal's own inline policy, the most common) costs
	// one entry and one cleanup instead of two.
	d.compiled.put(bk, kind, p)
	return p, nil
}

// principalKey names a cached set.
func principalKey(kind store.EntityKind, account, name string) string {
	return string(kind) + "|" + account + "|" + store.UserKey(name) // IAM folds ASCII letters in names
}

// UserPolicies returns the policy set of an IAM user: its inline and attached
// policies, its groups' inline and attached policies, and its permissions
// boundary. The set is cached until anything in the account changes.
func (d *Directory) UserPolicies(ctx context.Context, account, userName string) (*policy.Set, error) {
	return d.entitySet(ctx, store.EntityUser, account, userName)
}

// RolePolicies returns the policy set of a role: its inline and attached policies
// and its permissions boundary (session policies are the caller's to add).
func (d *Directory) RolePolicies(ctx context.Context, account, roleName string) (*policy.Set, error) {
	return d.entitySet(ctx, store.EntityRole, account, roleName)
}

func (d *Directory) entitySet(ctx context.Context, kind store.EntityKind, account, name string) (*policy.Set, error) {
	key := principalKey(kind, account, name)
	d.mu.RLock()
	gen, ver := d.gen[account], d.pver[key]
	d.mu.RUnlock()
	if c, ok := d.sets.GetIfPresent(key); ok && c.gen == gen && c.ver == ver {
		d.hits.Add(1)
		return c.set, nil
	}
	d.misses.Add(1)
	set, err := d.loadSet(ctx, key, kind, account, name, gen, ver)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.gen[account] == gen && d.pver[key] == ver {
		d.sets.Set(key, cachedSet{gen: gen, ver: ver, set: set})
	}
	d.mu.Unlock()
	return set, nil
}

// loadSet reads an entity's policies from the store and compiles them, in
// one read transaction. gen and ver are the account's generation and the
// principal's version read before it: what the transaction reads is at least
// as new as they are, so it may be cached under them (a change after it
// bumps one or the other); key is its principalKey. A user's record, read on the way, is cached as
// User would cache it; its groups' policies and the customer managed
// documents come from the caches of shared parts when current.
func (d *Directory) loadSet(ctx context.Context, key string, kind store.EntityKind, account, name string, gen, ver uint64) (*policy.Set, error) {
	set := &policy.Set{}
	err := d.st.View(ctx, func(tx store.ReadTx) error {
		var boundary string
		switch kind {
		case store.EntityUser:
			u, err := store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
			if err != nil {
				return err
			}
			boundary = u.PermissionsBoundaryARN
			d.cacheUser(key, account, gen, ver, u) // the sets' key: one string for both caches
		case store.EntityRole:
			r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
			if err != nil {
				return err
			}
			boundary = r.PermissionsBoundaryARN
		}
		if err := d.addEntityPolicies(ctx, tx, set, kind, account, name, gen); err != nil {
			return err
		}
		if kind == store.EntityUser {
			groups, err := store.ListValues[store.GroupMembership](ctx, tx, store.ListOptions{Kind: store.KindUserMembership, Account: account, Prefix: store.UserMembershipPrefix(name)})
			if err != nil {
				return err
			}
			for _, g := range groups {
				gs, err := d.groupPolicies(ctx, tx, account, g.GroupName, gen)
				if err != nil {
					return err
				}
				set.Identity = append(set.Identity, gs...)
			}
		}
		if boundary != "" {
			doc, err := d.managedDocument(ctx, tx, boundary, account, gen)
			if err != nil {
				return fmt.Errorf("permissions boundary %s: %w", boundary, err)
			}
			p, err := d.Compile(boundary, doc, policy.KindBoundary)
			if err != nil {
				return fmt.Errorf("permissions boundary %s: %w", boundary, err)
			}
			set.Boundary = p
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("directory: policies of %s %s in %s: %w", kind, name, account, err)
	}
	// Cached and evaluated on every request of the principal: merge the
	// identity policies' indexes once, before the set is shared.
	return set.Prepare(), nil
}

// groupPolicies returns a group's compiled inline and attached policies,
// from the cache while the account's generation is gen, else from tx
// (then cached, if gen is still current).
func (d *Directory) groupPolicies(ctx context.Context, tx store.ReadTx, account, name string, gen uint64) ([]*policy.Policy, error) {
	key := principalKey(store.EntityGroup, account, name)
	if c, ok := d.groups.GetIfPresent(key); ok && c.gen == gen {
		return c.set.Identity, nil
	}
	var gs policy.Set
	if err := d.addEntityPolicies(ctx, tx, &gs, store.EntityGroup, account, name, gen); err != nil {
		return nil, err
	}
	d.mu.RLock()
	if d.gen[account] == gen {
		d.groups.Set(key, cachedSet{gen: gen, set: &gs})
	}
	d.mu.RUnlock()
	return gs.Identity, nil
}

func (d *Directory) addEntityPolicies(ctx context.Context, tx store.ReadTx, set *policy.Set, kind store.EntityKind, account, name string, gen uint64) error {
	inline, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(kind, name)})
	if err != nil {
		return err
	}
	for _, ip := range inline {
		p, err := d.Compile(string(kind)+"/"+name+"/"+ip.PolicyName, ip.Document, policy.KindIdentity)
		if err != nil {
			return fmt.Errorf("inline policy %s: %w", ip.PolicyName, err)
		}
		set.Identity = append(set.Identity, p)
	}
	atts, err := store.ListValues[store.Attachment](ctx, tx, store.ListOptions{Kind: store.KindAttachment, Account: account, Prefix: store.AttachmentPrefix(kind, name)})
	if err != nil {
		return err
	}
	for _, a := range atts {
		doc, err := d.managedDocument(ctx, tx, a.PolicyARN, account, gen)
		if err != nil {
			return fmt.Errorf("managed policy %s: %w", a.PolicyARN, err)
		}
		p, err := d.Compile(a.PolicyARN, doc, policy.KindIdentity)
		if err != nil {
			return fmt.Errorf("managed policy %s: %w", a.PolicyARN, err)
		}
		set.Identity = append(set.Identity, p)
	}
	return nil
}

// managedDocument returns the default version's document of a managed
// policy. A customer managed policy of account (whose generation was gen
// before tx began) is cached by ARN while that generation is current.
func (d *Directory) managedDocument(ctx context.Context, tx store.ReadTx, arn, account string, gen uint64) (string, error) {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		if d.managed != nil {
			if doc, ok := d.managed.Document(arn); ok {
				return doc, nil
			}
		}
		return "", fmt.Errorf("unknown AWS managed policy %s: %w", arn, store.ErrNotFound)
	}
	pacct, name, ok := splitPolicyARN(arn)
	if !ok {
		return "", fmt.Errorf("malformed policy ARN %q", arn)
	}
	cacheable := pacct == account
	if c, ok := d.docs.GetIfPresent(arn); ok && cacheable && c.gen == gen {
		return c.doc, nil
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, pacct, store.PolicyKey(name))
	if err != nil {
		return "", err
	}
	v, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, pacct, store.PolicyVersionKey(name, mp.DefaultVersionID))
	if err != nil {
		return "", err
	}
	if cacheable {
		d.mu.RLock()
		if d.gen[account] == gen {
			d.docs.Set(arn, cachedDoc{gen: gen, doc: v.Document})
		}
		d.mu.RUnlock()
	}
	return v.Document, nil
}

// splitPolicyARN returns the account and name of arn:aws:iam::ACCOUNT:policy/path/NAME.
func splitPolicyARN(arn string) (account, name string, ok bool) {
	const prefix = "arn:aws:iam::"
	if !strings.HasPrefix(arn, prefix) {
		return "", "", false
	}
	rest := arn[len(prefix):]
	account, res, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(res, "policy/") {
		return "", "", false
	}
	return account, res[strings.LastIndexByte(res, '/')+1:], true
}

// User returns an IAM user's record, cached until it or something that concerns
// every principal of its account changes.
func (d *Directory) User(ctx context.Context, account, name string) (store.User, error) {
	key := principalKey(store.EntityUser, account, name)
	d.mu.RLock()
	gen, ver := d.gen[account], d.pver[key]
	d.mu.RUnlock()
	if c, ok := d.users.GetIfPresent(key); ok && c.gen == gen && c.ver == ver {
		return c.user, nil
	}
	var u store.User
	err := d.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
		return err
	})
	if err != nil {
		return u, fmt.Errorf("directory: user %s in %s: %w", name, account, err)
	}
	d.cacheUser(key, account, gen, ver, u)
	return u, nil
}

// UserCaller returns the caller an IAM user's requests are made as: its
// principal (type, ARN, account), name, path, unique id and tags, with the
// principal's keys of its request context prepared
// (identity.Caller.PrincipalKeys). It is built once per cached version of
// the user's record and dropped with it (User's cache), so a change to the
// user (its tags) is in force for its next request. Only the principal's
// fields are set (not even Principal.ManagementAccount); the caller is
// shared: copy it with identity.Caller.SetPrincipal, never modify it.
func (d *Directory) UserCaller(ctx context.Context, account, name string) (*identity.Caller, error) {
	key := principalKey(store.EntityUser, account, name)
	d.mu.RLock()
	gen, ver := d.gen[account], d.pver[key]
	d.mu.RUnlock()
	if c, ok := d.users.GetIfPresent(key); ok && c.gen == gen && c.ver == ver {
		if p := c.caller.Load(); p != nil {
			return p, nil
		}
		p := userCaller(account, c.user)
		c.caller.Store(p) // a concurrent request may store an equal one
		return p, nil
	}
	u, err := d.User(ctx, account, name)
	if err != nil {
		return nil, err
	}
	// Not cached yet (or evicted, or changed since): the next request
	// finds the record User cached, and prepares the caller there.
	return userCaller(account, u), nil
}

// userCaller is the caller of an IAM user of account with record u.
func userCaller(account string, u store.User) *identity.Caller {
	c := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalUser, ARN: u.ARN, Account: account},
		Account: account, UserName: u.Name, UserPath: u.Path, UserID: u.ID}
	if len(u.Tags) > 0 {
		c.Tags = make(map[string]string, len(u.Tags))
		for _, t := range u.Tags {
			c.Tags[t.Key] = t.Value
		}
	}
	c.PrincipalKeys = c.PrincipalContext()
	return c
}

// cacheUser caches a user's record read after the account's generation was
// gen and the user's version ver, if both are still current.
func (d *Directory) cacheUser(key, account string, gen, ver uint64, u store.User) {
	d.mu.RLock()
	if d.gen[account] == gen && d.pver[key] == ver {
		d.users.Set(key, cachedUser{gen: gen, ver: ver, user: u, caller: new(atomic.Pointer[identity.Caller])})
	}
	d.mu.RUnlock()
}

type cachedUser struct {
	gen, ver uint64
	user     store.User
	// caller is the user's caller (UserCaller), prepared at its first
	// request after the record was cached.
	caller *atomic.Pointer[identity.Caller]
}

// CacheStats are the counters of the cache of principals' policy sets.
type CacheStats struct {
	// Entries is the number of cached sets (some may be stale).
	Entries int
	// Hits and Misses count lookups answered from the cache and lookups
	// that loaded the set from the store (a stale entry is a miss).
	Hits, Misses uint64
	// Evictions counts sets dropped to stay within Options.Principals.
	Evictions uint64
	// Documents is the number of compiled documents in use (held by a
	// cached set, a group's cached policies or a request), counting each
	// document once and each further name it is held under once more.
	Documents int
}

// CacheStats returns the counters of the cache of policy sets, once the
// cache has done the evictions it had pending (otter evicts behind the
// writes: a busy machine saw 101 entries in a cache of 50 before).
func (d *Directory) CacheStats() CacheStats {
	d.sets.CleanUp()
	return CacheStats{Entries: d.sets.EstimatedSize(), Hits: d.hits.Load(), Misses: d.misses.Load(),
		Evictions: d.evictions.Snapshot().Evictions, Documents: d.compiled.len()}
}
