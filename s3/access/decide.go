package access

import (
	"fmt"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
)

// Bucket is what authorization needs to know about a bucket.
type Bucket struct {
	// Name is the bucket's name.
	Name string
	// Owner is the account that owns the bucket.
	Owner string
	// Policy is the bucket policy document, "" when it has none.
	Policy string
	// ACL is the bucket's ACL, nil when none is stored.
	ACL *acl.ACL
	// Ownership is the bucket's Object Ownership ("" is BucketOwnerEnforced).
	Ownership Ownership
	// PublicAccessBlock is the bucket's Block Public Access settings merged
	// with its owner account's (PublicAccessBlock.Merge).
	PublicAccessBlock PublicAccessBlock
	// Partition is the ARN partition; "" means "aws".
	Partition string
}

// Object is what authorization needs to know about the object a check
// concerns; nil for bucket checks and for objects that do not exist yet.
type Object struct {
	// Owner is the account that owns the object ("" means the bucket owner).
	Owner string
	// ACL is the object's ACL, nil when none is stored.
	ACL *acl.ACL
}

// DefaultCacheSize is the number of compiled policies a Decider keeps when
// NewDecider is given 0.
const DefaultCacheSize = 4096

// Decider decides S3 checks. It keeps the compiled combinations of bucket
// policies and ACLs in a bounded cache keyed by their content, so a hot
// bucket's policy is parsed once. It is safe for concurrent use.
type Decider struct {
	cache *cache
}

// NewDecider returns a Decider whose cache holds up to size compiled
// policies (DefaultCacheSize when size is 0).
func NewDecider(size int) *Decider {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Decider{cache: newCache(size)}
}

// bucketPolicyActions are the actions the bucket owner's root user can
// perform "even if their bucket policy explicitly denies the root
// principal's access" (API reference, PutBucketPolicy, GetBucketPolicy,
// DeleteBucketPolicy); SCPs, RCPs and VPC endpoint policies still apply.
var bucketPolicyActions = map[string]bool{"s3:PutBucketPolicy": true, "s3:GetBucketPolicy": true, "s3:DeleteBucketPolicy": true}

// Evaluate decides one check. set and req are the engine's input as
// authz.Authorizer.Assemble gives it for the check (without a resource
// policy; neither is modified, but req.Context of an anonymous caller loses
// its empty aws:PrincipalArn and aws:PrincipalAccount, which AWS does not
// supply). b is the bucket (nil for ListAllMyBuckets), o the object (nil for
// bucket checks).
//
// The resource-based policy is the bucket policy combined with the ACLs
// (when Object Ownership enables them; without public grants under
// IgnorePublicAcls): the bucket ACL for bucket and object actions, the
// object ACL for the object's. When the object is another account's (ACLs
// enabled), that account owns the resource and the bucket policy can only
// deny. Under RestrictPublicBuckets a public bucket policy grants nothing
// to callers outside the bucket owner's account but AWS services.
func (d *Decider) Evaluate(set *policy.Set, req *policy.Request, b *Bucket, o *Object) (policy.Result, error) {
	r := *req
	if r.Principal.CanonicalUser == "" && r.Principal.Account != "" {
		r.Principal.CanonicalUser = acl.CanonicalID(r.Principal.Account)
	}
	if r.Principal.Type == policy.PrincipalAnonymous && r.Context != nil {
		for _, k := range []string{"aws:PrincipalAccount", "aws:PrincipalArn"} {
			if v, ok := r.Context.Get(k); ok && (len(v) == 0 || v[0] == "") {
				r.Context.Delete(k)
			}
		}
	}
	if b == nil {
		return policy.Evaluate(set, &r), nil
	}
	if r.Principal.Type == policy.PrincipalRoot && r.Principal.Account == b.Owner && bucketPolicyActions[r.Action] {
		// The bucket policy does not apply; the organization's policies
		// (SCPs, RCPs) and VPC endpoint policies in set still do: "Bucket
		// owner root principals can only be blocked from performing these
		// API actions by VPC endpoint policies and AWS Organizations
		// policies."
		s := *set
		s.Resource = nil
		r.ResourceAccount = b.Owner
		return policy.Evaluate(&s, &r), nil
	}
	part := b.Partition
	if part == "" {
		part = "aws"
	}
	c := combination{partition: part, bucket: b.Name, ownerID: acl.CanonicalID(b.Owner)}
	resAcct := b.Owner
	if b.Policy != "" {
		c.pp, c.ppKey = d.parse(b.Policy)
	}
	if b.Ownership.ACLsEnabled() {
		bpa := b.PublicAccessBlock
		pick := func(a *acl.ACL) *acl.ACL {
			if a == nil || !bpa.IgnorePublicAcls || !a.IsPublic() {
				return a
			}
			np := a.WithoutPublic()
			return &np
		}
		c.bucketACL = pick(b.ACL)
		if o != nil {
			c.objectKey = keyOf(req.Resource, part, b.Name)
			c.objectACL = pick(o.ACL)
			if o.Owner != "" && o.Owner != b.Owner {
				resAcct = o.Owner
				c.denyOnly = true
			}
		}
	}
	if b.PublicAccessBlock.RestrictPublicBuckets && c.pp != nil && c.pp.public &&
		r.Principal.Type != policy.PrincipalService && (r.Principal.Account == "" || r.Principal.Account != b.Owner) {
		c.denyOnly = true
	}
	rp, err := d.resourcePolicy(&c)
	if err != nil {
		return policy.Result{}, err
	}
	s := *set
	s.Resource = rp
	r.ResourceAccount = resAcct
	return policy.Evaluate(&s, &r), nil
}

// keyOf returns the object key of an object ARN in bucket.
func keyOf(resource, partition, bucket string) string {
	prefix := "arn:" + partition + ":s3:::" + bucket + "/"
	if len(resource) > len(prefix) && resource[:len(prefix)] == prefix {
		return resource[len(prefix):]
	}
	return ""
}

// Decide is Evaluate returning nil when the check is allowed and S3's
// AccessDenied otherwise. The message is AWS's current one for callers of
// the resource's account or organization — `User: <arn> is not authorized
// to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no
// identity-based policy allows the s3:GetObject action` (S3 user guide,
// "Troubleshoot access denied (403 Forbidden) errors": the added context
// is given for requests within the same account or organization); other
// callers, and anonymous ones, get "Access Denied".
func (d *Decider) Decide(set *policy.Set, req *policy.Request, b *Bucket, o *Object) error {
	res, err := d.Evaluate(set, req, b, o)
	if err != nil {
		return err
	}
	if res.Decision == policy.Allowed {
		return nil
	}
	return deniedError(req, b, o, res)
}

func deniedError(req *policy.Request, b *Bucket, o *Object, res policy.Result) *awserr.Error {
	p := req.Principal
	if p.Type == policy.PrincipalAnonymous || p.ARN == "" {
		return errAccessDenied()
	}
	resAcct := req.ResourceAccount
	if b != nil {
		resAcct = b.Owner
		if o != nil && o.Owner != "" && b.Ownership.ACLsEnabled() {
			resAcct = o.Owner
		}
	}
	if resAcct != "" && p.Account != resAcct && !sameOrg(req.Context) {
		return errAccessDenied()
	}
	return awserr.AccessDenied("%s", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" %s",
		p.ARN, req.Action, req.Resource, res.Reason(req.Action)))
}

// sameOrg reports whether the context says the principal and the resource
// are in the same organization.
func sameOrg(ctx *policy.Context) bool {
	if ctx == nil {
		return false
	}
	po, ok1 := ctx.Get("aws:PrincipalOrgID")
	ro, ok2 := ctx.Get("aws:ResourceOrgID")
	return ok1 && ok2 && len(po) > 0 && len(ro) > 0 && po[0] != "" && po[0] == ro[0]
}
