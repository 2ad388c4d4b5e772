package s3

import (
	"context"
	"errors"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/store"
)

// The account-level Block Public Access of S3 Control
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html):
// PUT, GET and DELETE /v20180820/configuration/publicAccessBlock with the
// account in x-amz-account-id. Their operation names here are their IAM
// actions' (S3 Control's operations share names with the bucket-level ones).
const (
	OpPutAccountPublicAccessBlock    = "PutAccountPublicAccessBlock"
	OpGetAccountPublicAccessBlock    = "GetAccountPublicAccessBlock"
	OpDeleteAccountPublicAccessBlock = "DeleteAccountPublicAccessBlock"
)

// AccountBlockRequest is the input of the account-level Block Public Access
// operations.
type AccountBlockRequest struct {
	// AccountID is x-amz-account-id: the account whose settings are meant.
	AccountID string
	// Config is the PUT's PublicAccessBlockConfiguration (nil otherwise).
	Config *store.PublicAccessBlock
}

// controlOps are the S3 Control operations.
func (s *Service) controlOps() []operation.Op {
	return []operation.Op{
		operation.New(OpPutAccountPublicAccessBlock, s.authorizeControl("s3:PutAccountPublicAccessBlock"), s.putAccountBlock),
		operation.New(OpGetAccountPublicAccessBlock, s.authorizeControl("s3:GetAccountPublicAccessBlock"), s.getAccountBlock),
		// Deleting the settings needs the Put permission (the Service
		// Authorization Reference has no Delete action for them).
		operation.New(OpDeleteAccountPublicAccessBlock, s.authorizeControl("s3:PutAccountPublicAccessBlock"), s.deleteAccountBlock),
	}
}

// authorizeControl decides an account-level call: on the caller's own
// account only (another account's x-amz-account-id is AccessDenied), with
// the action on "*".
func (s *Service) authorizeControl(action string) func(ctx context.Context, c *identity.Caller, r *Request) (operation.Authz, error) {
	return func(ctx context.Context, c *identity.Caller, r *Request) (operation.Authz, error) {
		in, ok := r.Input.(*AccountBlockRequest)
		if !ok || c.Account == "" || in.AccountID != c.Account {
			return operation.Authz{}, errAccessDenied()
		}
		if err := s.check(ctx, c, access.Check{Action: action, Resource: "*"}, nil, nil); err != nil {
			return operation.Authz{}, err
		}
		return operation.Authz{Skip: true}, nil
	}
}

func (s *Service) putAccountBlock(ctx context.Context, c *identity.Caller, r *Request) (s3api.Output, error) {
	in := r.Input.(*AccountBlockRequest)
	if in.Config == nil {
		return nil, errMalformedXML()
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindAccountS3, in.AccountID, store.AccountS3Key, store.AccountS3{PublicAccessBlock: in.Config})
	}))
}

func (s *Service) getAccountBlock(ctx context.Context, c *identity.Caller, r *Request) (s3api.Output, error) {
	in := r.Input.(*AccountBlockRequest)
	p := s.buckets.AccountS3(in.AccountID).PublicAccessBlock
	if p == nil {
		return nil, errNoAccountBlock(in.AccountID)
	}
	return &s3api.AccountPublicAccessBlock{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets}, nil
}

func (s *Service) deleteAccountBlock(ctx context.Context, c *identity.Caller, r *Request) (s3api.Output, error) {
	in := r.Input.(*AccountBlockRequest)
	return done(s.update(ctx, func(tx store.Tx) error {
		err := tx.Delete(ctx, store.KindAccountS3, in.AccountID, store.AccountS3Key)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}))
}

func errNoAccountBlock(account string) error {
	return s3err("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found").
		WithMembers(map[string]any{"AccountId": account})
}
