package trail

import (
	"math"
	"sync/atomic"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// A caller's requests come one after another with the same credentials:
// their records share one userIdentity. The Builder keeps the last
// userIdentity it made for each of a few hundred callers, with its JSON,
// and finds it again by everything identify reads of the caller (a
// caller that differs in any of it is another identity). Making it cost
// 0.6 µs and three allocations per request, writing it 0.6 µs more
// (perf, GetUser as a role session, bench/trail-share.sh; #14).

// identitySlots is how many callers the Builder remembers (a power of
// two): a key id hashes to one slot, a caller sharing it with another
// one in use makes them both miss now and then, never mixes them up.
const identitySlots = 256

// identityKey is what identify reads of a caller.
type identityKey struct {
	typ       policy.PrincipalType
	mfa       bool
	issued    int64 // TokenIssueTime, unix seconds; math.MinInt64 when zero
	arn       string
	roleARN   string
	account   string
	userName  string
	userID    string
	keyID     string
	session   string
	source    string
	federated string
	instance  string
}

func identityKeyOf(c *identity.Caller) identityKey {
	k := identityKey{typ: c.Principal.Type, mfa: c.MFAAuthenticated, issued: math.MinInt64,
		arn: c.Principal.ARN, roleARN: c.Principal.RoleARN, account: c.Account, userName: c.UserName,
		userID: c.UserID, keyID: c.AccessKeyID, session: c.SessionName, source: c.SourceIdentity,
		federated: c.FederatedProvider, instance: c.SourceInstanceARN}
	if !c.TokenIssueTime.IsZero() {
		k.issued = c.TokenIssueTime.Unix()
	}
	return k
}

// knownIdentity is a caller's userIdentity as identify made it, its JSON
// and its compact form. It is never changed once made: records share its SessionContext.
type knownIdentity struct {
	key                          identityKey
	u                            UserIdentity
	json, compact                []byte
	account, username, principal string
}

// identities is the Builder's remembered callers, by slot.
type identities [identitySlots]atomic.Pointer[knownIdentity]

// slot is the slot of a key id (FNV-1a).
func identitySlot(keyID string) int {
	h := uint32(2166136261)
	for i := 0; i < len(keyID); i++ {
		h = (h ^ uint32(keyID[i])) * 16777619
	}
	return int(h & (identitySlots - 1))
}

// known returns the userIdentity of an authenticated caller: the one
// made for an earlier request of the same identity, else a new one.
func (b *Builder) known(c *Call) *knownIdentity {
	key := identityKeyOf(c.Caller)
	slot := &b.identities[identitySlot(key.keyID)]
	if k := slot.Load(); k != nil && k.key == key {
		return k
	}
	k := &knownIdentity{key: key}
	k.account, k.username, k.principal = b.identify(&k.u, c)
	k.json = appendUserIdentity(nil, &k.u)
	k.compact = appendCompactIdentity(nil, &k.u, k.username, k.principal)
	slot.Store(k)
	return k
}
