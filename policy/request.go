package policy

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"time"
	"unsafe"
)

// PrincipalType says what kind of caller makes a request.
type PrincipalType uint8

// The kinds of callers.
const (
	// PrincipalAnonymous is an unauthenticated caller.
	PrincipalAnonymous PrincipalType = iota
	// PrincipalRoot is an account's root user.
	PrincipalRoot
	// PrincipalUser is an IAM user.
	PrincipalUser
	// PrincipalRoleSession is an assumed-role session (AssumeRole, web identity, SAML).
	PrincipalRoleSession
	// PrincipalFederatedUser is a GetFederationToken session.
	PrincipalFederatedUser
	// PrincipalService is an AWS service principal such as "ec2.amazonaws.com".
	PrincipalService
	// PrincipalFederated is a caller authenticated by an identity provider, before it
	// has a session: the principal of AssumeRoleWithWebIdentity / WithSAML trust checks.
	PrincipalFederated
)

var principalTypeNames = [...]string{"Anonymous", "Account", "User", "AssumedRole", "FederatedUser", "Service", "WebIdentityUser"}

// String returns the type as aws:PrincipalType spells it.
func (t PrincipalType) String() string {
	if int(t) < len(principalTypeNames) {
		return principalTypeNames[t]
	}
	return "Unknown"
}

// Principal describes the caller of a request.
type Principal struct {
	// Type is the kind of caller.
	Type PrincipalType
	// ARN is the caller's ARN: user, root, assumed-role session or federated user
	// ARN; for a service, the service principal name; for PrincipalFederated the
	// identity provider (ARN or name such as "accounts.google.com").
	ARN string
	// Account is the caller's 12-digit account id ("" for services and anonymous).
	Account string
	// RoleARN is, for a role session, the ARN of the role (with its path).
	RoleARN string
	// ManagementAccount reports that Account is an organization's management
	// account, whose principals service control policies do not restrict.
	ManagementAccount bool
	// ServiceLinkedRole reports that the caller is a session of a service-linked role.
	ServiceLinkedRole bool
	// CanonicalUser is the Amazon S3 canonical user ID of the caller's account,
	// when known. A {"CanonicalUser": ...} principal names an account this way
	// (reference_policies_elements_principal.md#principal-accounts).
	CanonicalUser string
}

// webIdentityProviders are the identity providers the IAM User Guide names in
// Federated principals of role trust policies without an IAM identity provider
// resource (reference_policies_elements_principal.md#principal-federated-web-identity).
var webIdentityProviders = map[string]bool{
	"cognito-identity.amazonaws.com": true,
	"www.amazon.com":                 true,
	"graph.facebook.com":             true,
	"accounts.google.com":            true,
}

// PrincipalFromARN describes a caller from its ARN as the simulator takes it: a user,
// role, assumed-role session, federated-user or root ARN, an identity provider ARN
// or the name of one of the web identity providers the IAM User Guide names
// (accounts.google.com, ...), or a service principal name. It reports false when s is none of these.
func PrincipalFromARN(s string) (Principal, bool) {
	if s == "" {
		return Principal{}, false
	}
	if !strings.HasPrefix(s, "arn:") {
		if webIdentityProviders[s] {
			return Principal{Type: PrincipalFederated, ARN: s}, true
		}
		if strings.Contains(s, ".") && !strings.ContainsAny(s, " /:") {
			return Principal{Type: PrincipalService, ARN: s}, true
		}
		return Principal{}, false
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || !isAccountID(parts[4]) {
		return Principal{}, false
	}
	part, svc, acct, res := parts[1], parts[2], parts[4], parts[5]
	p := Principal{ARN: s, Account: acct}
	switch {
	case svc == "iam" && res == "root":
		p.Type = PrincipalRoot
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		p.Type = PrincipalUser
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		// A role itself is described by a session of it named after the role.
		name := res[strings.LastIndexByte(res, '/')+1:]
		p.Type = PrincipalRoleSession
		p.RoleARN = s
		p.ARN = "arn:" + part + ":sts::" + acct + ":assumed-role/" + name + "/" + name
		p.ServiceLinkedRole = strings.HasPrefix(res, "role/aws-service-role/")
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rest := res[len("assumed-role/"):]
		slash := strings.IndexByte(rest, '/')
		if slash <= 0 || slash == len(rest)-1 {
			return Principal{}, false
		}
		p.Type = PrincipalRoleSession
		p.RoleARN = "arn:" + part + ":iam::" + acct + ":role/" + rest[:slash]
	case svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		p.Type = PrincipalFederatedUser
	case svc == "iam" && (strings.HasPrefix(res, "oidc-provider/") || strings.HasPrefix(res, "saml-provider/")):
		p.Type = PrincipalFederated
	default:
		return Principal{}, false
	}
	return p, true
}

// Context holds a request's condition keys and their values. Key names are
// case-insensitive. The zero value is empty and ready to use. Values handed to
// Set must not be modified afterwards.
//
// Keys are found through a small open-addressing table keyed by a hash of the
// lower-cased name: the evaluator's condition keys and policy variables carry
// the same hash, computed when their policy is compiled, so a lookup during an
// evaluation hashes nothing. Values of the global keys whose type is fixed
// (aws:SourceIp, aws:CurrentTime, ...) are also parsed once, when they are set,
// rather than on every comparison.
//
// A context may be layered over a base (NewContextOver): keys shared by
// many requests, such as a principal's, are prepared once in the base, and
// each request's context holds only its own keys on top of it.
type Context struct {
	entries []ctxEntry
	slots   []int32 // index+1 into entries, 0 = empty; len is a power of two
	// vals holds the values SetOne stores, so that a context of single
	// values costs one allocation for all of them rather than one each.
	vals []string
	// base holds the keys this context shares with others: a key that
	// is not in this context's own table is looked up there. It is never
	// modified through this context (a key set here shadows it; Delete
	// first copies the base's keys into this context). It has no base of
	// its own.
	base *Context
}

// ctxEntry is one key of a context.
type ctxEntry struct {
	key  string // lower case
	hash uint64 // keyHash(key)
	vals []string
	pre  preparsed // vals[0] parsed for the key's fixed type, when it has one
	// plain says that vals[0] holds no byte of wildcard's escaped form, so
	// that it can be compared as literal text where a policy variable
	// stands in a resource pattern (see matchDirect).
	plain bool
}

// preparsed is a request value parsed ahead of the comparisons that need it.
type preparsed struct {
	kind uint8 // preNone, preAddr or preDate
	ok   bool  // the value parsed
	addr netip.Addr
	tm   time.Time
}

const (
	preNone uint8 = iota
	preAddr
	preDate
)

// typedKeys are the global condition keys whose values have one type, with
// that type: "aws:SourceIp" and "aws:VpcSourceIp" are IP addresses,
// "aws:CurrentTime", "aws:EpochTime" and "aws:TokenIssueTime" dates
// (reference_policies_condition-keys.md). A request value of these keys is
// parsed when it is set; IpAddress and Date operators use the parse.
func typedKey(lowerKey string) uint8 {
	switch lowerKey {
	case "aws:sourceip", "aws:vpcsourceip":
		return preAddr
	case "aws:currenttime", "aws:epochtime", "aws:tokenissuetime":
		return preDate
	}
	return preNone
}

func preparse(lowerKey string, vals []string) preparsed {
	if len(vals) == 0 {
		return preparsed{}
	}
	switch typedKey(lowerKey) {
	case preAddr:
		a, err := netip.ParseAddr(vals[0])
		return preparsed{kind: preAddr, ok: err == nil, addr: a.Unmap()}
	case preDate:
		t, ok := parseDate(vals[0])
		return preparsed{kind: preDate, ok: ok, tm: t}
	}
	return preparsed{}
}

// keyHash hashes a lower-cased key name (FNV-1a).
func keyHash(lowerKey string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(lowerKey); i++ {
		h ^= uint64(lowerKey[i])
		h *= 1099511628211
	}
	return h
}

// NewContext returns an empty context with room for n keys.
func NewContext(n int) *Context {
	c := &Context{entries: make([]ctxEntry, 0, n), vals: make([]string, 0, n)}
	c.slots = make([]int32, slotsFor(n))
	return c
}

// NewContextOver returns an empty context with room for n keys of its own,
// layered over base: a key it does not hold is looked up in base, and a key
// set in it shadows base's. Base is shared, not copied: it must not be
// modified afterwards, by this context's users or anyone else. A nil base
// is NewContext(n).
func NewContextOver(base *Context, n int) *Context {
	c := NewContext(n)
	if base == nil || len(base.entries) == 0 && base.base == nil {
		return c
	}
	if base.base != nil {
		// One level only, so that a lookup probes two tables at most:
		// base's own keys become this context's.
		c.base = base.base
		c.SetAll(base)
		return c
	}
	c.base = base
	return c
}

// SetAll sets every key of src in c, with src's values as src holds them:
// values src has parsed (addresses, dates) are not parsed again, and keys
// are not hashed again. Src's values are shared, as with Set.
func (c *Context) SetAll(src *Context) {
	if src == nil {
		return
	}
	if b := src.base; b != nil {
		for i := range b.entries {
			if e := &b.entries[i]; src.find(e.key, e.hash) < 0 {
				c.putEntry(*e)
			}
		}
	}
	for i := range src.entries {
		c.putEntry(src.entries[i])
	}
}

// slotsFor returns the table size for n keys: a power of two at least 2n.
func slotsFor(n int) int {
	s := 8
	for s < 2*n {
		s *= 2
	}
	return s
}

// SetOne sets key to one value. It is Set for single-valued keys, without
// allocating for the value: a key given in lower case (as AWS's keys can
// be written) is not copied either.
func (c *Context) SetOne(key, value string) {
	if len(c.vals) == cap(c.vals) {
		// A new block: the slices handed out keep the old one.
		c.vals = make([]string, 0, max(8, 2*cap(c.vals)))
	}
	c.vals = append(c.vals, value)
	n := len(c.vals)
	c.put(strings.ToLower(key), c.vals[n-1:n:n])
}

// Set sets key to the given values (one value for a single-valued key; any number,
// including none, for a multivalued key).
func (c *Context) Set(key string, values ...string) {
	c.put(strings.ToLower(key), values)
}

func (c *Context) put(key string, vals []string) {
	h := keyHash(key)
	e := ctxEntry{key: key, hash: h, vals: vals, pre: preparse(key, vals)}
	e.plain = len(vals) > 0 && !hasEscapedWildcard(vals[0])
	c.putEntry(e)
}

// putEntry sets a prepared entry in c's own table.
func (c *Context) putEntry(e ctxEntry) {
	if i := c.find(e.key, e.hash); i >= 0 {
		c.entries[i] = e
		return
	}
	c.entries = append(c.entries, e)
	if len(c.slots) < 2*len(c.entries) {
		c.rehash()
		return
	}
	c.insert(int32(len(c.entries) - 1))
}

func (c *Context) insert(i int32) {
	mask := uint64(len(c.slots) - 1)
	for s := c.entries[i].hash & mask; ; s = (s + 1) & mask {
		if c.slots[s] == 0 {
			c.slots[s] = i + 1
			return
		}
	}
}

func (c *Context) rehash() {
	c.slots = make([]int32, slotsFor(len(c.entries)))
	for i := range c.entries {
		c.insert(int32(i))
	}
}

// find returns the index of key (lower case, hash h) in entries, or -1.
func (c *Context) find(key string, h uint64) int {
	if c == nil || len(c.slots) == 0 {
		return -1
	}
	mask := uint64(len(c.slots) - 1)
	for s := h & mask; ; s = (s + 1) & mask {
		i := c.slots[s]
		if i == 0 {
			return -1
		}
		if e := &c.entries[i-1]; e.hash == h && len(e.key) == len(key) && equalSameLen(e.key, key) {
			return int(i - 1)
		}
	}
}

// Delete removes key.
func (c *Context) Delete(key string) {
	k := strings.ToLower(key)
	if b := c.base; b != nil {
		// The base is shared: its keys become this context's own, so
		// that one of them can be removed here only.
		c.base = nil
		for i := range b.entries {
			if e := &b.entries[i]; c.find(e.key, e.hash) < 0 {
				c.putEntry(*e)
			}
		}
	}
	i := c.find(k, keyHash(k))
	if i < 0 {
		return
	}
	c.entries = append(c.entries[:i], c.entries[i+1:]...)
	c.rehash()
}

// lookup returns the entry of a key given in lower case with its keyHash, or nil.
// The evaluator calls it for every condition key and policy variable: it
// probes the context's own table, then its base's, in one call.
func (c *Context) lookup(lowerKey string, h uint64) *ctxEntry {
	if c == nil {
		return nil
	}
	for t := c; t != nil; t = t.base {
		if len(t.slots) == 0 {
			continue
		}
		mask := uint64(len(t.slots) - 1)
		for s := h & mask; ; s = (s + 1) & mask {
			i := t.slots[s]
			if i == 0 {
				break
			}
			if e := &t.entries[i-1]; e.hash == h && len(e.key) == len(lowerKey) && equalSameLen(e.key, lowerKey) {
				return e
			}
		}
	}
	return nil
}

// get returns the values of key (given in lower case) and whether it is present.
func (c *Context) get(lowerKey string) ([]string, bool) {
	e := c.lookup(lowerKey, keyHash(lowerKey))
	if e == nil {
		return nil, false
	}
	return e.vals, true
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) { return c.get(strings.ToLower(key)) }

// Keys returns the (lower-cased) key names in the context, in no particular order.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.entries))
	for i := range c.entries {
		out = append(out, c.entries[i].key)
	}
	if b := c.base; b != nil {
		for i := range b.entries {
			if e := &b.entries[i]; c.find(e.key, e.hash) < 0 {
				out = append(out, e.key)
			}
		}
	}
	return out
}

// Request is one authorization question: may this principal perform this action
// on this resource, in this context?
type Request struct {
	// Principal is the caller.
	Principal Principal
	// Action is "service:Action", e.g. "s3:GetObject".
	Action string
	// Resource is the resource ARN, or "*" for actions without a resource.
	Resource string
	// ResourceAccount is the account that owns the resource; "" means the account
	// in the resource ARN, or, when the ARN has none, the principal's account.
	ResourceAccount string
	// Context holds the request's condition keys.
	Context *Context
}

// resourceAccount returns the account owning the resource.
func (r *Request) resourceAccount() string {
	if r.ResourceAccount != "" {
		return r.ResourceAccount
	}
	if a := arnAccount(r.Resource); a != "" {
		return a
	}
	return r.Principal.Account
}

// arnAccount returns the account field of an ARN ("" when absent or not an ARN):
// what lies between its fourth and fifth colons.
func arnAccount(s string) string {
	if len(s) < 4 || s[:4] != "arn:" {
		return ""
	}
	i := 4
	for range 3 { // partition, service, region
		for i < len(s) && s[i] != ':' {
			i++
		}
		i++
	}
	start := i
	for i < len(s) && s[i] != ':' {
		i++
	}
	if i >= len(s) {
		return ""
	}
	return s[start:i]
}

// equalSameLen compares two strings of the same length. Strings of 8 to 32
// bytes (most condition keys, actions and ARNs) are compared as words without
// a call, the last word first: keys, actions and ARNs that share a prefix
// differ there.
func equalSameLen(a, b string) bool {
	n := len(a)
	if n < 8 {
		return a == b
	}
	pa := unsafe.Slice(unsafe.StringData(a), n)
	pb := unsafe.Slice(unsafe.StringData(b), n)
	le := binary.LittleEndian
	if le.Uint64(pa[n-8:]) != le.Uint64(pb[n-8:]) || le.Uint64(pa) != le.Uint64(pb) {
		return false
	}
	switch {
	case n <= 16:
		return true
	case n <= 32:
		return le.Uint64(pa[8:]) == le.Uint64(pb[8:]) && le.Uint64(pa[n-16:]) == le.Uint64(pb[n-16:])
	}
	return a[8:n-8] == b[8:n-8]
}
