package s3

import (
	"context"
	"sort"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Tag limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html):
// up to 10 tags per object, keys up to 128 and values up to 256 Unicode
// characters, keys unique; buckets take up to 50.
const (
	maxObjectTags = 10
	maxBucketTags = 50
)

func validateObjectTags(tags []objectstore.Tag) error {
	if len(tags) > maxObjectTags {
		// S3 answers BadRequest here, not InvalidTag (as recorded in
		// boto/boto3#1213).
		return s3err("BadRequest", 400, "Object tags cannot be greater than 10")
	}
	return validateTags(tags)
}

func validateTags(tags []objectstore.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 {
			return errInvalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return errInvalidTag("The TagValue you have provided is invalid")
		}
		if seen[t.Key] {
			return errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

func sortTags(tags []objectstore.Tag) {
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
}

func tagsIn(set []s3api.Tag) []objectstore.Tag {
	out := make([]objectstore.Tag, 0, len(set))
	for _, t := range set {
		out = append(out, objectstore.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func tagsOut(tags []objectstore.Tag) []s3api.Tag {
	out := make([]s3api.Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, s3api.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func (s *Service) putObjectTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutObjectTaggingRequest) (*s3api.PutObjectTaggingOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tagging.TagSet)
	if err := validateObjectTags(tags); err != nil {
		return nil, err
	}
	sortTags(tags)
	version := deref(in.VersionId)
	info, err := s.backend.UpdateMeta(ctx, in.Bucket, in.Key, version, func(m *objectstore.Meta) error {
		m.Tags = tags
		return nil
	})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.PutObjectTaggingOutput{VersionId: versionOut(info.VersionID)}, nil
}

func (s *Service) getObjectTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetObjectTaggingRequest) (*s3api.GetObjectTaggingOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.HeadObject(ctx, in.Bucket, in.Key, version)
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.GetObjectTaggingOutput{TagSet: tagsOut(info.Meta.Tags), VersionId: versionOut(info.VersionID)}, nil
}

func (s *Service) deleteObjectTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteObjectTaggingRequest) (*s3api.DeleteObjectTaggingOutput, error) {
	if _, err := s.bucket(ctx, in.Bucket); err != nil {
		return nil, err
	}
	version := deref(in.VersionId)
	info, err := s.backend.UpdateMeta(ctx, in.Bucket, in.Key, version, func(m *objectstore.Meta) error {
		m.Tags = nil
		return nil
	})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, in.Key, version)
	}
	return &s3api.DeleteObjectTaggingOutput{VersionId: versionOut(info.VersionID)}, nil
}

func (s *Service) putBucketTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.PutBucketTaggingRequest) (s3api.Output, error) {
	tags := tagsIn(in.Tagging.TagSet)
	if len(tags) > maxBucketTags {
		return nil, errInvalidTag("Bucket tag count cannot be greater than 50")
	}
	if err := validateTags(tags); err != nil {
		return nil, err
	}
	sortTags(tags)
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.Tags = make([]store.Tag, 0, len(tags))
		for _, t := range tags {
			b.Tags = append(b.Tags, store.Tag{Key: t.Key, Value: t.Value})
		}
		return nil
	}))
}

func (s *Service) getBucketTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.GetBucketTaggingRequest) (*s3api.GetBucketTaggingOutput, error) {
	b, err := s.bucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Tags == nil {
		return nil, errNoSuchTagSet(in.Bucket)
	}
	out := &s3api.GetBucketTaggingOutput{TagSet: make([]s3api.Tag, 0, len(b.Tags))}
	for _, t := range b.Tags {
		out.TagSet = append(out.TagSet, s3api.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

func (s *Service) deleteBucketTagging(ctx context.Context, c *identity.Caller, r *Request, in *s3api.DeleteBucketTaggingRequest) (s3api.Output, error) {
	return done(s.updateBucket(ctx, in.Bucket, func(b *store.Bucket) error {
		b.Tags = nil
		return nil
	}))
}
