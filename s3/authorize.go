package s3

import (
	"context"
	"errors"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

// readsExistingObject lists the operations whose checks concern an object
// that exists: its tags are s3:ExistingObjectTag/<key>, and its owner and
// ACL take part when the bucket's ACLs are enabled.
var readsExistingObject = map[string]bool{
	"GetObject": true, "HeadObject": true, "DeleteObject": true, "GetObjectAcl": true, "PutObjectAcl": true,
	"GetObjectTagging": true, "PutObjectTagging": true, "DeleteObjectTagging": true, "GetObjectAttributes": true,
	"CopyObject": true, "UploadPartCopy": true,
}

// remainingDays is s3:object-lock-remaining-retention-days: the whole days
// from now to until, a part of a day counted as one; "" when until is
// zero.
func remainingDays(now, until time.Time) string {
	if until.IsZero() {
		return ""
	}
	d := until.Sub(now)
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64((d+24*time.Hour-1)/(24*time.Hour)), 10)
}

// deref2 is *t, or the zero time.
func deref2(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// authorize decides every check an S3 request makes (access.Describe): each
// assembled by authz — the caller's identity policies, boundary, session
// policies, SCPs and RCPs, the request context — and decided with the
// bucket's policy, ACLs, Object Ownership and Block Public Access
// (access.Decider). A request for a bucket that does not exist is
// NoSuchBucket, as S3 answers whoever asks.
func (s *Service) authorize(ctx context.Context, c *identity.Caller, r *Request) (az operation.Authz, err error) {
	defer func() {
		if err != nil {
			// A denied request's object is not served.
			r.object.close()
			r.object = nil
		}
	}()
	req := &access.Request{
		Operation: r.Operation, Bucket: r.Bucket, Key: r.Key, Headers: r.Header, Query: r.Query,
		TLSVersion: c.TLSVersion,
	}
	if v := r.Query["versionId"]; len(v) > 0 {
		req.VersionID = v[0]
	}
	if c.AuthType != "" {
		req.Auth = access.Auth{Type: access.AuthType(c.AuthType), Age: c.Time.Sub(c.SignedAt)}
	}
	buckets := map[string]*store.Bucket{}
	var b *store.Bucket
	if r.Bucket != "" && r.Operation != "CreateBucket" {
		var err error
		if b, err = s.bucket(ctx, r.Bucket); err != nil {
			return operation.Authz{}, err
		}
		buckets[b.Name] = b
		req.BucketOwner = b.Account
		req.BucketTags = tagMap(b.Tags)
		if err := checkBucketFacts(c, r, b); err != nil {
			return operation.Authz{}, err
		}
	}
	switch in := r.Input.(type) {
	case *s3api.CreateBucketRequest:
		if in.CreateBucketConfiguration != nil {
			req.LocationConstraint = deref(in.CreateBucketConfiguration.LocationConstraint)
		}
	case *s3api.PutObjectTaggingRequest:
		req.RequestTags = map[string]string{}
		for _, t := range in.Tagging.TagSet {
			req.RequestTags[t.Key] = t.Value
		}
	case *s3api.PutObjectRetentionRequest:
		if ret := in.Retention; ret != nil {
			req.Lock.Mode = enumString(ret.Mode)
			if ret.RetainUntilDate != nil {
				req.Lock.RetainUntilDate = ret.RetainUntilDate.UTC().Format(time.RFC3339)
				req.Lock.RemainingDays = remainingDays(s.now(), *ret.RetainUntilDate)
			}
		}
	case *s3api.PutObjectLegalHoldRequest:
		if in.LegalHold != nil {
			req.Lock.LegalHold = enumString(in.LegalHold.Status)
		}
	case *s3api.PutObjectRequest:
		req.Lock.RemainingDays = remainingDays(s.now(), deref2(in.ObjectLockRetainUntilDate))
	case *s3api.CopyObjectRequest:
		req.Lock.RemainingDays = remainingDays(s.now(), deref2(in.ObjectLockRetainUntilDate))
	case *s3api.CreateMultipartUploadRequest:
		req.Lock.RemainingDays = remainingDays(s.now(), deref2(in.ObjectLockRetainUntilDate))
	case *s3api.DeleteObjectsRequest:
		// Each object is decided as its own DeleteObject, and a denied one
		// is reported in the result's Errors (deleteObjects).
		return operation.Authz{Skip: true}, nil
	}
	var existing *objectstore.Info
	if b != nil && r.Key != "" && readsExistingObject[r.Operation] {
		r.object = s.readObject(ctx, r, req.VersionID)
		if r.object.err == nil {
			existing = &r.object.info
			req.ExistingObjectTags = tagMapObj(existing.Meta.Tags)
		}
	}
	// A copy's source checks are decided with the source version's facts
	// (its tags, its owner and ACL), not the destination's.
	var source *objectstore.Info
	if r.Operation == "CopyObject" || r.Operation == "UploadPartCopy" {
		if sb, sk, sv, err := access.ParseCopySource(strings.Join(textproto.MIMEHeader(r.Header).Values("X-Amz-Copy-Source"), ",")); err == nil {
			if info, err := s.backend.HeadObject(ctx, sb, sk, sv); err == nil {
				source = &info
				req.SourceObjectTags = tagMapObj(info.Meta.Tags)
				req.SourceHasTags = len(info.Meta.Tags) > 0
			}
		}
	}
	checks, err := access.Describe(req)
	if err != nil {
		return operation.Authz{}, err
	}
	for _, ch := range checks {
		cb := buckets[ch.Bucket]
		if cb == nil && ch.Bucket != "" && r.Operation != "CreateBucket" {
			if cb, err = s.bucket(ctx, ch.Bucket); err != nil {
				return operation.Authz{}, err
			}
			if want := headerValue(r.Header, "X-Amz-Source-Expected-Bucket-Owner"); want != "" && want != cb.Account {
				return operation.Authz{}, errAccessDenied()
			}
			buckets[ch.Bucket] = cb
		}
		var obj *objectstore.Info
		if ch.Key != "" {
			if ch.Source {
				obj = source
			} else if ch.Bucket == r.Bucket && ch.Key == r.Key {
				obj = existing
			} else if cb != nil {
				if info, err := s.backend.HeadObject(ctx, ch.Bucket, ch.Key, ""); err == nil {
					obj = &info
				}
			}
		}
		if err := s.check(ctx, c, ch, cb, obj); err != nil {
			return operation.Authz{}, err
		}
	}
	az = recorded(r, b)
	if in, ok := r.Input.(*s3api.PutBucketReplicationRequest); ok && in.ReplicationConfiguration.Role != "" {
		az.Also = append(az.Also, replicationPassRole(in.ReplicationConfiguration.Role))
	}
	return az, nil
}

// replicationPassRole is the iam:PassRole a replication configuration
// needs on its role, decided by the pipeline like every further
// permission: the user or role creating replication rules needs
// iam:PassRole among its actions (S3 User Guide,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html),
// for the role S3 assumes, passed to s3.amazonaws.com (iam:PassedToService,
// IAM User Guide, id_roles_use_passrole.html).
func replicationPassRole(role string) operation.Authz {
	return operation.Authz{Action: "iam:PassRole", Resource: role, Context: map[string][]string{
		"iam:PassedToService": {"s3.amazonaws.com"},
	}}
}

// recorded is the authorization the pipeline receives once the operation
// has decided: nothing left to decide, and the bucket or object the call
// acts on, with its owner, for the audit trail (an event in the owner's
// account too when the caller is another's).
func recorded(r *Request, b *store.Bucket) operation.Authz {
	az := operation.Authz{Skip: true}
	if r.Bucket == "" {
		return az
	}
	az.Resource = "arn:aws:s3:::" + r.Bucket
	if r.Key != "" {
		az.Resource += "/" + r.Key
	}
	if b != nil {
		az.ResourceAccount = b.Account
	}
	return az
}

// check decides one check.
func (s *Service) check(ctx context.Context, c *identity.Caller, ch access.Check, b *store.Bucket, obj *objectstore.Info) error {
	ar := authz.Request{Caller: c, Action: ch.Action, Resource: ch.Resource, Context: ch.Context}
	var ab *access.Bucket
	if b != nil {
		ar.ResourceAccount = b.Account
		var err error
		if ab, err = s.accessBucket(ctx, b); err != nil {
			return err
		}
	}
	as, err := s.authz.Assemble(ctx, ar)
	if err != nil {
		return err
	}
	var ao *access.Object
	if obj != nil && ab != nil && ab.Ownership.ACLsEnabled() {
		ao = &access.Object{Owner: obj.Meta.Owner}
		if a, err := decodeACL(obj.Meta.ACL); err == nil {
			ao.ACL = a
		}
	}
	if err := s.decider.Decide(as.Set, as.Request, ab, ao); err != nil {
		var ae *awserr.Error
		if errors.As(err, &ae) && ae.Code == "AccessDenied" && ae.Err == nil {
			why := "no policy or ACL allows it, or the bucket's policy, ACLs or Block Public Access deny it"
			if ex := policy.Explain(as.Set, as.Request); ex.Decision != policy.Allowed {
				why = ex.DecisionText + ": " + ex.Reason
			}
			return ae.WithCause(&authz.Denial{Action: ch.Action, Resource: ch.Resource, Why: why})
		}
		return err
	}
	return nil
}

// accessBucket is what authorization needs of a bucket: its owner, policy,
// ACL, Object Ownership, and Block Public Access merged with its account's.
func (s *Service) accessBucket(ctx context.Context, b *store.Bucket) (*access.Bucket, error) {
	ab := &access.Bucket{Name: b.Name, Owner: b.Account, Policy: b.Policy, Ownership: ownershipOf(b),
		PublicAccessBlock: s.publicAccessBlock(b)}
	if a, err := decodeACL(b.ACL); err == nil {
		ab.ACL = a
	}
	return ab, nil
}

func pabOf(p *store.PublicAccessBlock) access.PublicAccessBlock {
	if p == nil {
		return access.PublicAccessBlock{}
	}
	return access.PublicAccessBlock{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}
}

// decodeACL reads a stored ACL; nil when none is stored.
func decodeACL(b []byte) (*acl.ACL, error) {
	if len(b) == 0 {
		return nil, errors.New("no ACL")
	}
	a, err := acl.Decode(b)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func tagMap(tags []store.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func tagMapObj(tags []objectstore.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// canonicalID is an account's S3 canonical user id.
func canonicalID(account string) string { return acl.CanonicalID(account) }

// objectOwnerAccount is the account owning a listed object.
func objectOwnerAccount(o objectstore.Info, bucketOwner string) string {
	return ownerAccountOf(o.Meta.Owner, bucketOwner)
}

func ownerAccountOf(owner, bucketOwner string) string {
	if owner == "" {
		return bucketOwner
	}
	return owner
}

// writeObject decides the owner and ACL of an object the caller writes
// (PutObject, CreateMultipartUpload, CopyObject) from the request's ACL
// headers, enforcing Object Ownership and BlockPublicAcls.
func (s *Service) writeObject(ctx context.Context, c *identity.Caller, b *store.Bucket, h map[string][]string) (objectstore.Meta, error) {
	writer := c.Account
	if writer == "" {
		writer = b.Account
	}
	w, err := access.WriteObject(ownershipOf(b), s.publicAccessBlock(b), h, b.Account, writer, nil)
	if err != nil {
		return objectstore.Meta{}, err
	}
	enc, err := w.ACL.Encode()
	if err != nil {
		return objectstore.Meta{}, err
	}
	return objectstore.Meta{Owner: w.Owner, ACL: enc}, nil
}

// ownershipOf is a bucket's Object Ownership. A bucket whose ownership
// controls were deleted behaves as ObjectWriter, S3's behaviour before the
// setting existed (about-object-ownership.html).
func ownershipOf(b *store.Bucket) access.Ownership {
	if b.Ownership == "" {
		return access.ObjectWriter
	}
	return access.Ownership(b.Ownership)
}

// checkBucketFacts refuses a request whose expectations of the bucket do
// not hold, before anything is decided:
//   - x-amz-expected-bucket-owner names another account: 403 AccessDenied
//     (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html);
//   - a signed request scoped to another region than the bucket's: 400
//     AuthorizationHeaderMalformed (AuthorizationQueryParametersError for a
//     presigned URL) naming the bucket's region, as S3 answers a request
//     sent to the wrong regional endpoint.
func checkBucketFacts(c *identity.Caller, r *Request, b *store.Bucket) error {
	if want := headerValue(r.Header, "X-Amz-Expected-Bucket-Owner"); want != "" && want != b.Account {
		return errAccessDenied()
	}
	if c.AuthType == "" || c.Region == "" || b.Region == "" || c.Region == b.Region {
		return nil
	}
	if c.AuthType == identity.AuthQuery {
		return s3err("AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter; the region '"+
			c.Region+"' is wrong; expecting '"+b.Region+"'").WithMembers(map[string]any{"Region": b.Region})
	}
	return s3err("AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the region '"+c.Region+
		"' is wrong; expecting '"+b.Region+"'").WithMembers(map[string]any{"Region": b.Region})
}
