package access

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// LogDeliveryService is the service principal the LogDelivery group stands
// for: S3 server access logging.
const LogDeliveryService = "logging.s3.amazonaws.com"

// ACL permissions as policy actions: "Mapping of ACL permissions and access
// policy permissions" (acl-overview.html#permissions).
var (
	bucketActions = map[acl.Permission][]string{
		acl.Read:     {"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
		acl.Write:    {"s3:PutObject", "s3:DeleteObject"},
		acl.ReadACP:  {"s3:GetBucketAcl"},
		acl.WriteACP: {"s3:PutBucketAcl"},
	}
	objectActions = map[acl.Permission][]string{
		acl.Read:     {"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent"},
		acl.ReadACP:  {"s3:GetObjectAcl", "s3:GetObjectVersionAcl"},
		acl.WriteACP: {"s3:PutObjectAcl", "s3:PutObjectVersionAcl"},
	}
)

// actionsFor returns the actions an ACL permission grants on a bucket or
// an object. WRITE on a bucket grants s3:DeleteObjectVersion too when the
// grantee is the bucket owner ("when the grantee is the bucket owner,
// granting WRITE permission in a bucket ACL allows the
// s3:DeleteObjectVersion action to be performed on any version in that
// bucket").
func actionsFor(p acl.Permission, bucket, toOwner bool) []string {
	table := objectActions
	if bucket {
		table = bucketActions
	}
	var out []string
	for _, perm := range []acl.Permission{acl.Read, acl.Write, acl.ReadACP, acl.WriteACP} {
		if p.Includes(perm) {
			out = append(out, table[perm]...)
			if bucket && perm == acl.Write && toOwner {
				out = append(out, "s3:DeleteObjectVersion")
			}
		}
	}
	return out
}

// granteePrincipal encodes an ACL grantee as a policy principal:
//   - a canonical user is {"CanonicalUser": id}, which names its account;
//   - AllUsers is "*", anonymous callers included;
//   - AuthenticatedUsers is "*" limited by {"Null": {"aws:PrincipalAccount":
//     "false"}}: any caller with an AWS account, which every signed request
//     has and an anonymous one lacks (Decider removes the empty account key
//     of anonymous callers);
//   - LogDelivery is the S3 logging service principal.
//
// It reports false for grantees that grant nothing (email, unknown groups).
func granteePrincipal(g acl.Grantee) (*policy.Principals, []policy.Condition, bool) {
	switch g.Type {
	case acl.CanonicalUser:
		return &policy.Principals{CanonicalUser: []string{g.ID}}, nil, true
	case acl.Group:
		switch g.URI {
		case acl.AllUsers:
			return &policy.Principals{Wildcard: true}, nil, true
		case acl.AuthenticatedUsers:
			return &policy.Principals{Wildcard: true},
				[]policy.Condition{{Operator: "Null", Key: "aws:PrincipalAccount", Values: []string{"false"}}}, true
		case acl.LogDelivery:
			return &policy.Principals{Service: []string{LogDeliveryService}}, nil, true
		}
	}
	return nil, nil, false
}

// aclStatements translates an ACL into Allow statements on resources.
func aclStatements(a *acl.ACL, bucket bool, resources []string, ownerID string, first int) []*policy.Statement {
	var out []*policy.Statement
	for _, g := range a.Grants {
		pr, conds, ok := granteePrincipal(g.Grantee)
		if !ok {
			continue
		}
		actions := actionsFor(g.Permission, bucket, g.Grantee.Type == acl.CanonicalUser && g.Grantee.ID == ownerID)
		if len(actions) == 0 {
			continue
		}
		kind := "object"
		if bucket {
			kind = "bucket"
		}
		out = append(out, &policy.Statement{
			Index: first + len(out), Sid: "ACL " + kind + " " + string(g.Permission),
			Effect: policy.Allow, Principal: pr, Actions: actions, Resources: resources, Conditions: conds,
		})
	}
	return out
}

// parsedPolicy is a bucket policy parsed and compiled once.
type parsedPolicy struct {
	pol    *policy.Policy
	public bool
	err    error
}

// cache is a bounded least-recently-used map from content hashes to
// compiled policies. It is safe for concurrent use.
type cache struct {
	mu  sync.Mutex
	cap int
	ll  *list.List
	m   map[[32]byte]*list.Element
}

type cacheEntry struct {
	key [32]byte
	val any
}

func newCache(capacity int) *cache {
	if capacity < 1 {
		capacity = 1
	}
	return &cache{cap: capacity, ll: list.New(), m: make(map[[32]byte]*list.Element, capacity)}
}

func (c *cache) get(k [32]byte) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cacheEntry).val, true
	}
	return nil, false
}

func (c *cache) put(k [32]byte, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.Value.(*cacheEntry).val = v
		c.ll.MoveToFront(e)
		return
	}
	c.m[k] = c.ll.PushFront(&cacheEntry{key: k, val: v})
	for c.ll.Len() > c.cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.m, last.Value.(*cacheEntry).key)
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// parse returns the bucket policy text compiled, from the cache when the
// same text was seen; key is its content hash.
func (d *Decider) parse(text string) (*parsedPolicy, [32]byte) {
	key := sha256.Sum256([]byte("policy\x00" + text))
	if v, ok := d.cache.get(key); ok {
		return v.(*parsedPolicy), key
	}
	pp := &parsedPolicy{}
	doc, err := policy.ParseGrammar(text, policy.KindResource)
	if err == nil {
		pp.pol, err = policy.Compile("bucket policy", doc)
	}
	if err != nil {
		pp.err = fmt.Errorf("s3 access: bucket policy: %w", err)
	} else {
		pp.public = IsPublicPolicy(pp.pol)
	}
	d.cache.put(key, pp)
	return pp, key
}

// combination is what one resource-based policy is made of.
type combination struct {
	pp        *parsedPolicy
	ppKey     [32]byte
	denyOnly  bool // the bucket policy can only deny
	partition string
	bucket    string
	ownerID   string
	bucketACL *acl.ACL
	objectKey string
	objectACL *acl.ACL
}

func writeACL(h hash.Hash, a *acl.ACL) {
	if a == nil {
		h.Write([]byte{0})
		return
	}
	h.Write([]byte{1})
	for _, g := range a.Grants {
		h.Write([]byte(string(g.Grantee.Type) + "\x00" + g.Grantee.ID + "\x00" + g.Grantee.URI + "\x00" + string(g.Permission) + "\x01"))
	}
}

func (c *combination) key() [32]byte {
	h := sha256.New()
	h.Write([]byte("combined\x00"))
	h.Write(c.ppKey[:])
	if c.denyOnly {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	h.Write([]byte(c.partition + "\x00" + c.bucket + "\x00" + c.ownerID + "\x00"))
	writeACL(h, c.bucketACL)
	h.Write([]byte(c.objectKey + "\x00"))
	writeACL(h, c.objectACL)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// build compiles the combination: the bucket policy's statements (only its
// Deny statements when denyOnly), then the bucket ACL's grants on the
// bucket and its objects, then the object ACL's on the object.
func (c *combination) build() (*policy.Policy, error) {
	doc := &policy.Document{Version: policy.Version2012}
	if c.pp != nil && c.pp.pol != nil {
		src := c.pp.pol.Doc
		doc.Version, doc.ID, doc.Source = src.Version, src.ID, src.Source
		for _, s := range src.Statements {
			if !c.denyOnly || s.Effect == policy.Deny {
				doc.Statements = append(doc.Statements, s)
			}
		}
	}
	bucketARN := "arn:" + c.partition + ":s3:::" + c.bucket
	if c.bucketACL != nil {
		doc.Statements = append(doc.Statements, aclStatements(c.bucketACL, true, []string{bucketARN, bucketARN + "/*"}, c.ownerID, len(doc.Statements))...)
	}
	if c.objectACL != nil {
		// The combination is cached per object, so a key that the policy
		// language cannot spell literally ('*', '?', "${") may be widened
		// to the bucket's objects.
		res := bucketARN + "/" + c.objectKey
		if strings.ContainsAny(c.objectKey, "*?") || strings.Contains(c.objectKey, "${") {
			res = bucketARN + "/*"
		}
		doc.Statements = append(doc.Statements, aclStatements(c.objectACL, false, []string{res}, c.ownerID, len(doc.Statements))...)
	}
	if len(doc.Statements) == 0 {
		return nil, nil
	}
	p, err := policy.Compile("bucket policy and ACLs", doc)
	if err != nil {
		return nil, fmt.Errorf("s3 access: combine bucket policy and ACLs: %w", err)
	}
	return p, nil
}

type combined struct {
	pol *policy.Policy
	err error
}

// resourcePolicy returns the combination compiled, from the cache when the
// same content was combined before. Without ACLs and with the whole bucket
// policy, it is the bucket policy itself.
func (d *Decider) resourcePolicy(c *combination) (*policy.Policy, error) {
	if c.pp != nil && c.pp.err != nil {
		return nil, c.pp.err
	}
	if c.bucketACL == nil && c.objectACL == nil && !c.denyOnly {
		if c.pp == nil {
			return nil, nil
		}
		return c.pp.pol, nil
	}
	k := c.key()
	if v, ok := d.cache.get(k); ok {
		cb := v.(*combined)
		return cb.pol, cb.err
	}
	p, err := c.build()
	d.cache.put(k, &combined{pol: p, err: err})
	return p, err
}

// BucketACLActions returns the actions an ACL permission grants on a bucket
// to a grantee other than the bucket owner ("Mapping of ACL permissions and
// access policy permissions"): what IAM Access Analyzer reports for a
// bucket ACL grant.
func BucketACLActions(p acl.Permission) []string { return actionsFor(p, true, false) }
