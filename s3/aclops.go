package s3

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

func aclOut(a acl.ACL) (*s3api.Owner, []s3api.Grant) {
	owner := &s3api.Owner{ID: str(a.Owner.ID), DisplayName: str(a.Owner.DisplayName)}
	grants := make([]s3api.Grant, 0, len(a.Grants))
	for _, g := range a.Grants {
		perm := s3api.Permission(g.Permission)
		grants = append(grants, s3api.Grant{Permission: &perm, Grantee: &s3api.Grantee{Type: s3api.Type(g.Grantee.Type),
			ID: str(g.Grantee.ID), DisplayName: str(g.Grantee.DisplayName), URI: str(g.Grantee.URI), EmailAddress: str(g.Grantee.EmailAddress)}})
	}
	return owner, grants
}

func aclIn(p *s3api.AccessControlPolicy, owner acl.Owner) acl.ACL {
	a := acl.ACL{Owner: owner}
	if p.Owner != nil && p.Owner.ID != nil {
		a.Owner.ID = *p.Owner.ID
	}
	for _, g := range p.Grants {
		if g.Grantee == nil || g.Permission == nil {
			continue
		}
		a.Grants = append(a.Grants, acl.Grant{Permission: acl.Permission(*g.Permission), Grantee: acl.Grantee{Type: acl.GranteeType(g.Grantee.Type),
			ID: deref(g.Grantee.ID), DisplayName: deref(g.Grantee.DisplayName), URI: deref(g.Grantee.URI), EmailAddress: deref(g.Grantee.EmailAddress)}})
	}
	return a
}

// requestACL is the ACL a PutBucketAcl or PutObjectAcl request sets: its
// canned or grant headers, or its AccessControlPolicy body.
func requestACL(h map[string][]string, body *s3api.AccessControlPolicy, target acl.Target, owner, bucketOwner acl.Owner) (acl.ACL, error) {
	a, set, err := acl.FromHeaders(h, target, owner, bucketOwner)
	if err != nil {
		return acl.ACL{}, err
	}
	if set {
		if body != nil && len(body.Grants) > 0 {
			return acl.ACL{}, errInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
		}
		return a, nil
	}
	if body == nil {
		return acl.ACL{}, errMalformedXML()
	}
	return aclIn(body, owner), nil
}

func (s *Service) storedACL(raw []byte, ownerAccount string) acl.ACL {
	if a, err := acl.Decode(raw); err == nil {
		return a
	}
	return acl.Private(acl.Owner{ID: acl.CanonicalID(ownerAccount)})
}

func (s *Service) getBucketAcl(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketAclRequest) (*s3api.GetBucketAclOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	owner, grants := aclOut(s.storedACL(b.ACL, b.Account))
	return &s3api.GetBucketAclOutput{Owner: owner, Grants: grants}, nil
}

func (s *Service) putBucketAcl(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketAclRequest) (s3api.Output, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	owner := acl.Owner{ID: acl.CanonicalID(b.Account)}
	a, err := requestACL(r.Header, in.AccessControlPolicy, acl.ForBucket, owner, owner)
	if err != nil {
		return nil, err
	}
	enc, err := s.aclToPut(b, a)
	if err != nil {
		return nil, err
	}
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.ACL = enc
		return nil
	}))
}

func (s *Service) getObjectAcl(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectAclRequest) (*s3api.GetObjectAclOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	owner, grants := aclOut(s.storedACL(info.Meta.ACL, objectOwnerAccount(info, b.Account)))
	return &s3api.GetObjectAclOutput{Owner: owner, Grants: grants}, nil
}

func (s *Service) putObjectAcl(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectAclRequest) (*s3api.PutObjectAclOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	owner := acl.Owner{ID: acl.CanonicalID(objectOwnerAccount(info, b.Account))}
	a, err := requestACL(r.Header, in.AccessControlPolicy, acl.ForObject, owner, acl.Owner{ID: acl.CanonicalID(b.Account)})
	if err != nil {
		return nil, err
	}
	enc, err := s.aclToPut(b, a)
	if err != nil {
		return nil, err
	}
	_, err = s.backend.UpdateMeta(ctx, in.Bucket, in.Key, version, func(m *objectstore.Meta) error {
		m.ACL = enc
		return nil
	})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.PutObjectAclOutput{}, nil
}

// aclToPut checks an ACL that PutBucketAcl or PutObjectAcl sets against the
// bucket's Object Ownership and Block Public Access, and encodes it.
func (s *Service) aclToPut(b *store.Bucket, a acl.ACL) ([]byte, error) {
	if err := access.PutACL(ownershipOf(b), s.publicAccessBlock(b), a); err != nil {
		return nil, err
	}
	return a.Encode()
}
