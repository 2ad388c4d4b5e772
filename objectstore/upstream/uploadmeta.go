package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// S3 takes an upload's metadata at CreateMultipartUpload and gives it to
// the object, but no call returns it while the upload is in progress; the
// S3 layer needs its Owner (the initiator in ListParts and
// ListMultipartUploads). So a copy is kept upstream as a small JSON object
// of the uploads bucket, named bucket/uploadID, written after the upload is
// created and deleted when it completes or is aborted.

func (b *Backend) uploadKey(bucket, uploadID string) *string {
	return aws.String(b.prefix + bucket + "/" + uploadID)
}

// ensureUploads creates the uploads bucket once.
func (b *Backend) ensureUploads(ctx context.Context) error {
	b.uploadsOnce.Lock()
	defer b.uploadsOnce.Unlock()
	if b.uploadsMade {
		return nil
	}
	_, err := b.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.uploads)})
	if err != nil && status(err) == http.StatusNotFound {
		in := &s3.CreateBucketInput{Bucket: aws.String(b.uploads)}
		if b.region != "us-east-1" {
			in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(b.region)}
		}
		_, err = b.c.CreateBucket(ctx, in)
		if errors.Is(b.mapErr("", "", "", err, errCtx{}), objectstore.ErrBucketExists) {
			err = nil
		}
	}
	if err != nil {
		return wrap("CreateMultipartUpload", "", "", nil,
			fmt.Errorf("creating the bucket of upload metadata %s (a bucket prefix or Options.UploadsBucket gives it another name): %w", b.uploads, err))
	}
	b.uploadsMade = true
	return nil
}

func (b *Backend) putUploadMeta(ctx context.Context, bucket, uploadID string, meta objectstore.Meta) error {
	if b.uploads == "" {
		return nil
	}
	if err := b.ensureUploads(ctx); err != nil {
		return err
	}
	data, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	_, err = b.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.uploads), Key: b.uploadKey(bucket, uploadID),
		Body: bytes.NewReader(data), ContentType: aws.String("application/json")}, unsigned)
	return b.mapErr("CreateMultipartUpload", bucket, "", err, errCtx{})
}

// uploadMeta reads an upload's Meta; an empty one when none is kept.
func (b *Backend) uploadMeta(ctx context.Context, bucket, uploadID string) (objectstore.Meta, error) {
	var m objectstore.Meta
	if b.uploads == "" {
		return m, nil
	}
	out, err := b.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.uploads), Key: b.uploadKey(bucket, uploadID)})
	if err != nil {
		err = b.mapErr("ListUploads", bucket, "", err, errCtx{})
		if errors.Is(err, objectstore.ErrNoSuchKey) || errors.Is(err, objectstore.ErrNoSuchBucket) {
			return m, nil // an upload created before the uploads bucket was kept
		}
		return m, err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return m, wrap("ListUploads", bucket, "", nil, err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return objectstore.Meta{}, wrap("ListUploads", bucket, "", nil, err)
	}
	return m, nil
}

// deleteUploadMeta forgets an upload's Meta; a failure leaves a few bytes
// behind, never an error.
func (b *Backend) deleteUploadMeta(ctx context.Context, bucket, uploadID string) {
	if b.uploads == "" {
		return
	}
	_, _ = b.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.uploads), Key: b.uploadKey(bucket, uploadID)})
}

// fillUploads reads the Meta of listed uploads, ListConcurrency at a time.
func (b *Backend) fillUploads(ctx context.Context, bucket string, ups []objectstore.Upload) error {
	if b.uploads == "" {
		return nil
	}
	sem := make(chan struct{}, b.concurrency)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := range ups {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			m, err := b.uploadMeta(ctx, bucket, ups[i].UploadID)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			ups[i].Meta = m
		})
	}
	wg.Wait()
	return firstErr
}
