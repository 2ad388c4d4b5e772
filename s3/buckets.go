package s3

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/s3/access"
	"github.com/gatehouse-iam/gatehouse/store"
)

// defaultRegion is the region of a bucket created without a location
// constraint, and the one region where none may be given.
const defaultRegion = "us-east-1"

// bucket returns a bucket's configuration, or NoSuchBucket.
func (s *Service) bucket(_ context.Context, name string) (*store.Bucket, error) {
	if !validBucketName(name) {
		// A name no bucket can have names no bucket: AWS answers
		// NoSuchBucket for reads of such names too.
		return nil, errNoSuchBucket(name)
	}
	b, ok := s.buckets.Bucket(name)
	if !ok {
		return nil, errNoSuchBucket(name)
	}
	return &b, nil
}

// update runs fn in a store transaction and then brings the in-memory view
// up to date, so the change is in force for the next request.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.store.Update(ctx, fn); err != nil {
		return err
	}
	if err := s.buckets.Sync(ctx); err != nil {
		s.log.Warn("view sync after an S3 write failed", "err", err)
	}
	return nil
}

// createBucketIn registers a bucket for the caller's account and creates it
// in the backend. region is the region the request was sent to; constraint
// the CreateBucketConfiguration's LocationConstraint ("" when none).
//
// Re-creating a bucket one already owns answers BucketAlreadyOwnedByYou,
// except in us-east-1, where S3 answers 200 for legacy compatibility
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html,
// "BucketAlreadyOwnedByYou").
func (s *Service) createBucketIn(ctx context.Context, c *identity.Caller, b store.Bucket, requestRegion string) (created bool, err error) {
	if !validBucketName(b.Name) {
		return false, errInvalidBucketName(b.Name)
	}
	b.Account = c.Account
	b.CreateDate = s.now().UTC()
	err = s.update(ctx, func(tx store.Tx) error {
		old, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", b.Name)
		switch {
		case err == nil:
			if old.Account != c.Account {
				return errBucketAlreadyExists(b.Name)
			}
			if requestRegion == defaultRegion && old.Region == defaultRegion {
				created = false
				return nil
			}
			return errBucketAlreadyOwnedByYou(b.Name)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		created = true
		if err := store.CreateJSON(ctx, tx, store.KindBucket, "", b.Name, b); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindAccountBucket, b.Account, b.Name, store.AccountBucket{Name: b.Name})
	})
	if err != nil || !created {
		return false, err
	}
	if err := s.backend.CreateBucket(ctx, b.Name); err != nil {
		// Give the name back: the bucket does not exist.
		if derr := s.update(ctx, func(tx store.Tx) error { return removeBucket(ctx, tx, b.Account, b.Name) }); derr != nil {
			s.log.Error("removing the record of a bucket the backend refused", "bucket", b.Name, "err", derr)
		}
		return false, fmt.Errorf("creating bucket %q in the object backend: %w", b.Name, err)
	}
	return true, nil
}

// deleteBucket deletes an empty bucket.
func (s *Service) deleteBucket(ctx context.Context, name string) error {
	b, err := s.bucket(ctx, name)
	if err != nil {
		return err
	}
	if err := s.backend.DeleteBucket(ctx, name); err != nil {
		return s.objectError(err, name, "", "")
	}
	return s.update(ctx, func(tx store.Tx) error { return removeBucket(ctx, tx, b.Account, name) })
}

// removeBucket deletes a bucket's record and its index entry.
func removeBucket(ctx context.Context, tx store.Tx, account, name string) error {
	if err := tx.Delete(ctx, store.KindBucket, "", name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := tx.Delete(ctx, store.KindAccountBucket, account, name); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// updateBucket changes a bucket's configuration in one transaction.
func (s *Service) updateBucket(ctx context.Context, name string, fn func(b *store.Bucket) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		b, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", name)
		if errors.Is(err, store.ErrNotFound) {
			return errNoSuchBucket(name)
		}
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindBucket, "", name, b)
	})
}

// ownedBuckets lists the buckets an account owns, by name.
func (s *Service) ownedBuckets(ctx context.Context, account string) ([]store.Bucket, error) {
	var out []store.Bucket
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		refs, err := store.ListValues[store.AccountBucket](ctx, tx, store.ListOptions{Kind: store.KindAccountBucket, Account: account})
		if err != nil {
			return err
		}
		for _, ref := range refs {
			b, err := store.GetJSON[store.Bucket](ctx, tx, store.KindBucket, "", ref.Name)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// publicAccessBlock is the Block Public Access in force on a bucket: its
// own settings and its account's, the most restrictive combination
// (access-control-block-public-access.html).
func (s *Service) publicAccessBlock(b *store.Bucket) access.PublicAccessBlock {
	return pabOf(b.PublicAccessBlock).Merge(s.accountBlock(b.Account))
}

// accountBlock is an account's own Block Public Access settings.
func (s *Service) accountBlock(account string) access.PublicAccessBlock {
	if account == "" {
		return access.PublicAccessBlock{}
	}
	return pabOf(s.buckets.AccountS3(account).PublicAccessBlock)
}
