package s3

import (
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/objectstore"
)

func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func enumString[T ~string](p *T) string { return deref(p) }

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func boolp(b bool) *bool { return &b }
func i32(n int32) *int32 { return &n }
func timep(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

// versionOut is a version id as S3 reports it: absent for objects of a
// bucket that never had versioning.
func versionOut(v string) *string { return str(v) }

func asAWS(err error) (*awserr.Error, bool) { return awserr.As(err) }

// requestChecksum returns the additional checksum a request declares: the
// algorithm (from x-amz-checksum-algorithm or the one header present) and
// the declared value ("" when only the algorithm is named).
func requestChecksum(alg *s3api.ChecksumAlgorithm, crc32, crc32c, sha1, sha256 *string) (string, string) {
	switch {
	case crc32 != nil:
		return "CRC32", *crc32
	case crc32c != nil:
		return "CRC32C", *crc32c
	case sha1 != nil:
		return "SHA1", *sha1
	case sha256 != nil:
		return "SHA256", *sha256
	}
	return strings.ToUpper(deref(alg)), ""
}

// setChecksumOut sets the output member of a stored checksum's algorithm.
func setChecksumOut(c objectstore.Checksum, crc32, crc32c, sha1, sha256 **string) {
	if c.Value == "" {
		return
	}
	v := c.Value
	switch c.Algorithm {
	case "CRC32":
		*crc32 = &v
	case "CRC32C":
		*crc32c = &v
	case "SHA1":
		*sha1 = &v
	case "SHA256":
		*sha256 = &v
	}
}

// fillObjectHeaders sets the object's representation headers of a
// GetObject or HeadObject output.
func fillObjectHeaders(info objectstore.Info, lastModified **time.Time, etag, version, contentType, encoding, disposition,
	language, cacheControl, redirect **string, meta *map[string]string) {
	*lastModified = timep(info.LastModified)
	*etag = str(info.ETag)
	*version = versionOut(info.VersionID)
	m := info.Meta
	*contentType = str(m.ContentType)
	*encoding = str(m.ContentEncoding)
	*disposition = str(m.ContentDisposition)
	*language = str(m.ContentLanguage)
	*cacheControl = str(m.CacheControl)
	*redirect = str(m.WebsiteRedirect)
	if len(m.UserMetadata) > 0 {
		*meta = m.UserMetadata
	}
}

func parseExpires(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(s3api.HTTPDate, s)
	if err != nil {
		return nil
	}
	return &t
}

// applyResponseOverrides applies GetObject's response-* query parameters.
func applyResponseOverrides(in *s3api.GetObjectRequest, out *s3api.GetObjectOutput) {
	if in.ResponseCacheControl != nil {
		out.CacheControl = in.ResponseCacheControl
	}
	if in.ResponseContentDisposition != nil {
		out.ContentDisposition = in.ResponseContentDisposition
	}
	if in.ResponseContentEncoding != nil {
		out.ContentEncoding = in.ResponseContentEncoding
	}
	if in.ResponseContentLanguage != nil {
		out.ContentLanguage = in.ResponseContentLanguage
	}
	if in.ResponseContentType != nil {
		out.ContentType = in.ResponseContentType
	}
	if in.ResponseExpires != nil {
		out.Expires = in.ResponseExpires
	}
}

// parseTaggingHeader parses x-amz-tagging (URL query form) with S3's tag
// rules.
func parseTaggingHeader(v string) ([]objectstore.Tag, error) {
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", v)
	}
	var tags []objectstore.Tag
	for k, vs := range q {
		if len(vs) > 1 {
			return nil, errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", v)
		}
		tags = append(tags, objectstore.Tag{Key: k, Value: vs[0]})
	}
	if err := validateObjectTags(tags); err != nil {
		return nil, err
	}
	sortTags(tags)
	return tags, nil
}

// done is the answer of an operation without output.
func done(err error) (s3api.Output, error) { return nil, err }
