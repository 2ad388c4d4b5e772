package s3

import (
	"context"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

// listBuckets lists the caller's account's buckets, in pages when asked
// (max-buckets 1–10000, continuation-token, prefix, bucket-region:
// API_ListBuckets).
func (s *Service) listBuckets(ctx context.Context, c *identity.Caller, r *Request, _ any) (*s3api.ListBucketsPage, error) {
	q := func(name string) (string, bool) {
		v, ok := r.Query[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	limit := 0
	if v, ok := q("max-buckets"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, errInvalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", v)
		}
		limit = n
	}
	after := ""
	if v, ok := q("continuation-token"); ok {
		name, err := parseContinuationToken(v)
		if err != nil {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "continuation-token", v)
		}
		after = name
	}
	prefix, _ := q("prefix")
	region, _ := q("bucket-region")
	bs, err := s.ownedBuckets(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	out := &s3api.ListBucketsPage{Owner: s.ownerOf(c.Account), Prefix: prefix}
	for _, b := range bs {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) || region != "" && b.Region != region {
			continue
		}
		if limit > 0 && len(out.Buckets) == limit {
			out.ContinuationToken = continuationToken(out.Buckets[len(out.Buckets)-1].Name)
			break
		}
		out.Buckets = append(out.Buckets, s3api.BucketEntry{Name: b.Name, CreationDate: b.CreateDate.UTC(), Region: b.Region})
	}
	return out, nil
}

func (s *Service) createBucket(ctx context.Context, c *identity.Caller, r *Request, in *s3api.CreateBucketRequest) (*s3api.CreateBucketOutput, error) {
	if c.Account == "" {
		return nil, errAccessDenied()
	}
	if !validBucketName(in.Bucket) {
		return nil, errInvalidBucketName(in.Bucket)
	}
	region := c.Region
	if region == "" {
		region = defaultRegion
	}
	bucketRegion := defaultRegion
	if in.CreateBucketConfiguration != nil && in.CreateBucketConfiguration.LocationConstraint != nil {
		lc := string(*in.CreateBucketConfiguration.LocationConstraint)
		switch {
		case lc == "" || lc == defaultRegion && region == defaultRegion:
			// "us-east-1" is not a valid constraint: the region is the default.
			if lc == defaultRegion {
				return nil, s3err("InvalidLocationConstraint", 400, "The specified location-constraint is not valid").
					WithMembers(map[string]any{"LocationConstraint": lc})
			}
		case lc != region:
			return nil, s3err("IllegalLocationConstraintException", 400,
				"The "+lc+" location constraint is incompatible for the region specific endpoint this request was sent to.")
		default:
			bucketRegion = lc
		}
	} else if region != defaultRegion {
		return nil, s3err("IllegalLocationConstraintException", 400,
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	}
	ownership := access.BucketOwnerEnforced
	if in.ObjectOwnership != nil {
		ownership = access.Ownership(*in.ObjectOwnership)
		if !ownership.Valid() {
			return nil, errInvalidArgument("Invalid x-amz-object-ownership header: "+string(ownership), "x-amz-object-ownership", string(ownership))
		}
	}
	a, err := access.CreateBucketACL(ownership, s.accountBlock(c.Account), r.Header, c.Account, nil)
	if err != nil {
		return nil, err
	}
	enc, err := a.Encode()
	if err != nil {
		return nil, err
	}
	b := store.Bucket{Name: in.Bucket, Region: bucketRegion, ACL: enc, Ownership: string(ownership),
		// New buckets block public access
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html).
		PublicAccessBlock: &store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}
	lock := in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket
	if lock {
		// A bucket created with Object Lock has it enabled and versioning
		// enabled (API_CreateBucket, x-amz-bucket-object-lock-enabled).
		b.Configs = map[string]string{cfgObjectLock.key: s.objectLockEnabledDoc()}
	}
	created, err := s.createBucketIn(ctx, c, b, region)
	if err != nil {
		return nil, err
	}
	if created && lock {
		if err := s.backend.SetVersioning(ctx, b.Name, objectstore.Enabled); err != nil {
			return nil, s.objectError(err, b.Name, "", "")
		}
	}
	return &s3api.CreateBucketOutput{Location: str("/" + in.Bucket)}, nil
}

func (s *Service) deleteBucketOp(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketRequest) (s3api.Output, error) {
	return done(s.deleteBucket(ctx, in.Bucket))
}

func (s *Service) headBucket(ctx context.Context, c *identity.Caller, r *Request, in *s3api.HeadBucketRequest) (s3api.Output, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	// x-amz-bucket-region (API_HeadBucket), a member newer models have.
	return s3api.WithHeaders(nil, map[string]string{"x-amz-bucket-region": b.Region, "x-amz-access-point-alias": "false"}), nil
}

func (s *Service) getBucketLocation(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketLocationRequest) (*s3api.GetBucketLocationOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	out := &s3api.GetBucketLocationOutput{}
	if b.Region != defaultRegion {
		lc := s3api.BucketLocationConstraint(b.Region)
		out.LocationConstraint = &lc
	}
	return out, nil
}

func (s *Service) putBucketVersioning(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketVersioningRequest) (s3api.Output, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if in.VersioningConfiguration.Status == nil {
		return nil, errMalformedXML()
	}
	st := objectstore.Versioning(*in.VersioningConfiguration.Status)
	if st != objectstore.Enabled && st != objectstore.Suspended {
		return nil, errMalformedXML()
	}
	if st == objectstore.Suspended {
		// Object Lock and replication need versioning enabled
		// (object-lock.html, replication-requirements.html).
		if err := versioningLocked(b); err != nil {
			return nil, err
		}
	}
	return done(s.objectError(s.backend.SetVersioning(ctx, in.Bucket, st), in.Bucket, "", ""))
}

func (s *Service) getBucketVersioning(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketVersioningRequest) (*s3api.GetBucketVersioningOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	st, err := s.backend.Versioning(ctx, in.Bucket)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, "", "")
	}
	out := &s3api.GetBucketVersioningOutput{}
	if st != objectstore.Unversioned {
		v := s3api.BucketVersioningStatus(st)
		out.Status = &v
	}
	return out, nil
}

// Bucket policies: a resource-based policy, so Principal is required;
// at most 20 KB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html).
const maxBucketPolicy = 20 * 1024

func (s *Service) putBucketPolicy(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketPolicyRequest) (s3api.Output, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := ownerOnly(c, b, "PUT"); err != nil {
		return nil, err
	}
	if len(in.Policy) > maxBucketPolicy {
		return nil, errMalformedPolicy("Policies must be less than 20 KB")
	}
	doc, err := policy.ParseGrammar(in.Policy, policy.KindResource)
	if err != nil {
		return nil, errMalformedPolicy(policyMessage(err))
	}
	if err := checkBucketPolicy(doc, in.Bucket); err != nil {
		return nil, err
	}
	if err := s.checkPrincipals(ctx, doc); err != nil {
		return nil, err
	}
	compiled, err := policy.Compile("bucket policy", doc)
	if err != nil {
		return nil, errMalformedPolicy(policyMessage(err))
	}
	if err := s.publicAccessBlock(b).CheckPolicy(compiled); err != nil {
		return nil, err
	}
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.Policy = in.Policy
		return nil
	}))
}

func (s *Service) getBucketPolicy(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketPolicyRequest) (*s3api.GetBucketPolicyOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := ownerOnly(c, b, "GET"); err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, errNoSuchBucketPolicy(in.Bucket)
	}
	return &s3api.GetBucketPolicyOutput{Policy: str(b.Policy)}, nil
}

func (s *Service) deleteBucketPolicy(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketPolicyRequest) (s3api.Output, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := ownerOnly(c, b, "DELETE"); err != nil {
		return nil, err
	}
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.Policy = ""
		return nil
	}))
}

func (s *Service) getBucketPolicyStatus(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketPolicyStatusRequest) (*s3api.GetBucketPolicyStatusOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, errNoSuchBucketPolicy(in.Bucket)
	}
	doc, err := policy.ParseGrammar(b.Policy, policy.KindResource)
	if err != nil {
		return nil, errInternal(err)
	}
	compiled, err := policy.Compile("bucket policy", doc)
	if err != nil {
		return nil, errInternal(err)
	}
	return &s3api.GetBucketPolicyStatusOutput{PolicyStatus: &s3api.PolicyStatus{IsPublic: boolp(access.IsPublicPolicy(compiled))}}, nil
}

func (s *Service) putPublicAccessBlock(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutPublicAccessBlockRequest) (s3api.Output, error) {
	cfg := in.PublicAccessBlockConfiguration
	p := &store.PublicAccessBlock{BlockPublicAcls: cfg.BlockPublicAcls != nil && *cfg.BlockPublicAcls,
		IgnorePublicAcls: cfg.IgnorePublicAcls != nil && *cfg.IgnorePublicAcls, BlockPublicPolicy: cfg.BlockPublicPolicy != nil && *cfg.BlockPublicPolicy,
		RestrictPublicBuckets: cfg.RestrictPublicBuckets != nil && *cfg.RestrictPublicBuckets}
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.PublicAccessBlock = p
		return nil
	}))
}

func (s *Service) getPublicAccessBlock(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetPublicAccessBlockRequest) (*s3api.GetPublicAccessBlockOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	p := b.PublicAccessBlock
	if p == nil {
		return nil, errNoSuchPublicAccessBlock(in.Bucket)
	}
	return &s3api.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &s3api.PublicAccessBlockConfiguration{
		BlockPublicAcls: boolp(p.BlockPublicAcls), IgnorePublicAcls: boolp(p.IgnorePublicAcls),
		BlockPublicPolicy: boolp(p.BlockPublicPolicy), RestrictPublicBuckets: boolp(p.RestrictPublicBuckets)}}, nil
}

func (s *Service) deletePublicAccessBlock(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeletePublicAccessBlockRequest) (s3api.Output, error) {
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.PublicAccessBlock = nil
		return nil
	}))
}

func (s *Service) putBucketOwnershipControls(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketOwnershipControlsRequest) (s3api.Output, error) {
	rules := in.OwnershipControls.Rules
	if len(rules) != 1 {
		return nil, errMalformedXML()
	}
	o := access.Ownership(rules[0].ObjectOwnership)
	if !o.Valid() {
		return nil, errMalformedXML()
	}
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		if o == access.BucketOwnerEnforced && b.ACL != nil {
			// Enforcing bucket ownership needs an ACL that grants only the
			// owner (about-object-ownership.html, "Prerequisites").
			if a, err := acl.Decode(b.ACL); err == nil && !a.OnlyFullControlTo(acl.CanonicalID(b.Account)) {
				return s3err("InvalidBucketAclWithObjectOwnership", 400,
					"Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
			}
		}
		b.Ownership = string(o)
		return nil
	}))
}

func (s *Service) getBucketOwnershipControls(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketOwnershipControlsRequest) (*s3api.GetBucketOwnershipControlsOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Ownership == "" {
		return nil, errNoOwnershipControls(in.Bucket)
	}
	return &s3api.GetBucketOwnershipControlsOutput{OwnershipControls: &s3api.OwnershipControls{
		Rules: []s3api.OwnershipControlsRule{{ObjectOwnership: s3api.ObjectOwnership(b.Ownership)}}}}, nil
}

func (s *Service) deleteBucketOwnershipControls(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketOwnershipControlsRequest) (s3api.Output, error) {
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.Ownership = ""
		return nil
	}))
}

// ownerOnly refuses a bucket policy operation by an identity outside the
// bucket owner's account, even one a policy allows: "If you have the
// correct permissions, but you're not using an identity that belongs to
// the bucket owner's account, Amazon S3 returns a 405 Method Not Allowed
// error" (API_PutBucketPolicy, API_GetBucketPolicy, API_DeleteBucketPolicy).
func ownerOnly(c *identity.Caller, b *store.Bucket, method string) error {
	if c.Account == b.Account {
		return nil
	}
	return s3err("MethodNotAllowed", 405, "The specified method is not allowed against this resource.").
		WithMembers(map[string]any{"Method": method, "ResourceType": "BUCKETPOLICY"})
}
