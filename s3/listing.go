package s3

import (
	"context"
	"encoding/base64"
	"net/url"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxKeys is a request's MaxKeys: 1000 by default and at most, and an
// error for a negative value (S3: InvalidArgument "Provided max-keys not an
// integer or within integer range").
func maxKeys(p *int32) (int, error) {
	if p == nil {
		return objectstore.MaxKeys, nil
	}
	if *p < 0 {
		return 0, errInvalidArgument("Provided max-keys not an integer or within integer range", "max-keys", "")
	}
	return min(int(*p), objectstore.MaxKeys), nil
}

// encodeKey applies EncodingType=url to a key or prefix.
func encodeKey(s string, url bool) *string {
	if s == "" {
		return nil
	}
	if url {
		s = urlEncode(s)
	}
	return &s
}

// urlEncode encodes as S3 does for EncodingType=url: like a query value,
// with spaces as "+".
func urlEncode(s string) string { return url.QueryEscape(s) }

func wantsURL(e *s3api.EncodingType) bool { return e != nil && *e == "url" }

// listing is what every object listing starts with: the bucket, the page
// size (maxKeys) and whether keys are URL-encoded.
func (s *Service) listing(ctx context.Context, bucket string, max *int32, encoding *s3api.EncodingType) (*store.Bucket, int, bool, error) {
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, 0, false, err
	}
	n, err := maxKeys(max)
	if err != nil {
		return nil, 0, false, err
	}
	return b, n, wantsURL(encoding), nil
}

func (s *Service) ownerOf(account string) *s3api.Owner {
	return &s3api.Owner{ID: str(canonicalID(account))}
}

func (s *Service) listObjects(ctx context.Context, c *identity.Caller, r *Request, in *s3api.ListObjectsRequest) (*s3api.ListObjectsOutput, error) {
	b, n, enc, err := s.listing(ctx, in.Bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	out := &s3api.ListObjectsOutput{Name: str(in.Bucket), Prefix: encodeKey(deref(in.Prefix), enc), Delimiter: encodeKey(deref(in.Delimiter), enc),
		Marker: encodeKey(deref(in.Marker), enc), MaxKeys: i32(int32(n)), EncodingType: in.EncodingType, IsTruncated: boolp(false)}
	if out.Prefix == nil {
		out.Prefix = new(string)
	}
	if out.Marker == nil {
		out.Marker = new(string)
	}
	if n == 0 {
		return out, nil
	}
	res, err := s.backend.List(ctx, in.Bucket, objectstore.ListOptions{Prefix: deref(in.Prefix), Delimiter: deref(in.Delimiter), Marker: deref(in.Marker), MaxKeys: n})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, "", "")
	}
	out.IsTruncated = boolp(res.IsTruncated)
	for _, o := range res.Objects {
		out.Contents = append(out.Contents, s.objectEntry(o, enc, b.Account, true))
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3api.CommonPrefix{Prefix: encodeKey(p, enc)})
	}
	if res.IsTruncated && in.Delimiter != nil {
		// S3 returns NextMarker only with a delimiter; without one the
		// client continues from the last key.
		out.NextMarker = encodeKey(res.NextMarker, enc)
	}
	return out, nil
}

func (s *Service) objectEntry(o objectstore.Info, enc bool, bucketOwner string, owner bool) s3api.Object {
	size := o.Size
	sc := s3api.ObjectStorageClass("STANDARD")
	if o.Meta.StorageClass != "" {
		sc = s3api.ObjectStorageClass(o.Meta.StorageClass)
	}
	e := s3api.Object{Key: encodeKey(o.Key, enc), LastModified: timep(o.LastModified), ETag: str(o.ETag), Size: &size, StorageClass: &sc}
	if o.Meta.Checksum.Algorithm != "" {
		e.ChecksumAlgorithm = []s3api.ChecksumAlgorithm{s3api.ChecksumAlgorithm(o.Meta.Checksum.Algorithm)}
	}
	if owner {
		e.Owner = s.ownerOf(objectOwnerAccount(o, bucketOwner))
	}
	return e
}

// continuationToken encodes a key to resume after as an opaque token.
func continuationToken(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k:" + key))
}

func parseContinuationToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 2 || string(b[:2]) != "k:" {
		return "", errInvalidArgument("The continuation token provided is incorrect", "continuation-token", tok)
	}
	return string(b[2:]), nil
}

func (s *Service) listObjectsV2(ctx context.Context, c *identity.Caller, r *Request, in *s3api.ListObjectsV2Request) (*s3api.ListObjectsV2Output, error) {
	b, n, enc, err := s.listing(ctx, in.Bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	marker := deref(in.StartAfter)
	if in.ContinuationToken != nil {
		if marker, err = parseContinuationToken(*in.ContinuationToken); err != nil {
			return nil, err
		}
	}
	out := &s3api.ListObjectsV2Output{Name: str(in.Bucket), Prefix: encodeKey(deref(in.Prefix), enc), Delimiter: encodeKey(deref(in.Delimiter), enc),
		MaxKeys: i32(int32(n)), EncodingType: in.EncodingType, ContinuationToken: in.ContinuationToken,
		StartAfter: encodeKey(deref(in.StartAfter), enc), IsTruncated: boolp(false), KeyCount: i32(0)}
	if out.Prefix == nil {
		out.Prefix = new(string)
	}
	if n == 0 {
		return out, nil
	}
	res, err := s.backend.List(ctx, in.Bucket, objectstore.ListOptions{Prefix: deref(in.Prefix), Delimiter: deref(in.Delimiter), Marker: marker, MaxKeys: n})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, "", "")
	}
	fetchOwner := in.FetchOwner != nil && *in.FetchOwner
	for _, o := range res.Objects {
		out.Contents = append(out.Contents, s.objectEntry(o, enc, b.Account, fetchOwner))
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3api.CommonPrefix{Prefix: encodeKey(p, enc)})
	}
	out.KeyCount = i32(int32(len(res.Objects) + len(res.CommonPrefixes)))
	out.IsTruncated = boolp(res.IsTruncated)
	if res.IsTruncated {
		out.NextContinuationToken = str(continuationToken(res.NextMarker))
	}
	return out, nil
}

func (s *Service) listObjectVersions(ctx context.Context, c *identity.Caller, r *Request, in *s3api.ListObjectVersionsRequest) (*s3api.ListObjectVersionsOutput, error) {
	b, n, enc, err := s.listing(ctx, in.Bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	out := &s3api.ListObjectVersionsOutput{Name: str(in.Bucket), Prefix: encodeKey(deref(in.Prefix), enc), Delimiter: encodeKey(deref(in.Delimiter), enc),
		KeyMarker: encodeKey(deref(in.KeyMarker), enc), VersionIdMarker: in.VersionIdMarker, MaxKeys: i32(int32(n)),
		EncodingType: in.EncodingType, IsTruncated: boolp(false)}
	if out.Prefix == nil {
		out.Prefix = new(string)
	}
	if out.KeyMarker == nil {
		out.KeyMarker = new(string)
	}
	if out.VersionIdMarker == nil {
		out.VersionIdMarker = new(string)
	}
	res, err := s.backend.ListVersions(ctx, in.Bucket, objectstore.VersionListOptions{Prefix: deref(in.Prefix), Delimiter: deref(in.Delimiter),
		KeyMarker: deref(in.KeyMarker), VersionIDMarker: deref(in.VersionIdMarker), MaxKeys: n})
	if err != nil {
		return nil, s.objectError(err, in.Bucket, "", "")
	}
	for _, v := range res.Versions {
		version := v.VersionID
		if version == "" {
			version = objectstore.NullVersion
		}
		owner := s.ownerOf(objectOwnerAccount(v, b.Account))
		if v.IsDeleteMarker {
			out.DeleteMarkers = append(out.DeleteMarkers, s3api.DeleteMarkerEntry{Key: encodeKey(v.Key, enc), VersionId: &version,
				IsLatest: boolp(v.IsLatest), LastModified: timep(v.LastModified), Owner: owner})
			continue
		}
		size := v.Size
		sc := s3api.ObjectVersionStorageClass("STANDARD")
		out.Versions = append(out.Versions, s3api.ObjectVersion{Key: encodeKey(v.Key, enc), VersionId: &version, IsLatest: boolp(v.IsLatest),
			LastModified: timep(v.LastModified), ETag: str(v.ETag), Size: &size, StorageClass: &sc, Owner: owner})
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, s3api.CommonPrefix{Prefix: encodeKey(p, enc)})
	}
	out.IsTruncated = boolp(res.IsTruncated)
	if res.IsTruncated {
		out.NextKeyMarker = encodeKey(res.NextKeyMarker, enc)
		out.NextVersionIdMarker = str(res.NextVersionIDMarker)
	}
	return out, nil
}
