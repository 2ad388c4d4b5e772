package s3_test

// The S3 endpoint driven end to end by aws-sdk-go-v2's S3 client against a
// whole test server (internal/testserver). Each expectation cites the AWS
// documentation it follows.

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationBuckets covers CreateBucket, ListBuckets, HeadBucket,
// GetBucketLocation and DeleteBucket.
func TestIntegrationBuckets(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	member := srv.NewMember(t)
	other := testserver.S3FromConfig(member.Admin)

	mkBucket(t, root, "alpha")

	t.Run("RecreateInUSEast1", func(t *testing.T) {
		// "If you create a bucket that already exists and you're the owner in
		// us-east-1, Amazon S3 returns 200 OK" (legacy behaviour): CreateBucket,
		// Errors, BucketAlreadyOwnedByYou,
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
		if _, err := root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("alpha")}); err != nil {
			t.Errorf("re-creating an owned bucket in us-east-1: %v, want 200", err)
		}
	})
	t.Run("RecreateElsewhere", func(t *testing.T) {
		// Outside us-east-1 the owner gets 409 BucketAlreadyOwnedByYou (same page).
		eu := srv.RootS3(func(o *awss3.Options) { o.Region = "eu-west-1" })
		in := &awss3.CreateBucketInput{Bucket: aws.String("beta-eu"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
		ok(t)(eu.CreateBucket(ctx, in))
		_, err := eu.CreateBucket(ctx, in)
		wantErr(t, err, "BucketAlreadyOwnedByYou", 409)
		// GetBucketLocation names the region; us-east-1 buckets have an empty
		// LocationConstraint
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
		loc, err := eu.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String("beta-eu")})
		if err != nil || loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
			t.Errorf("location of beta-eu: %+v %v", loc, err)
		}
		loc, err = root.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String("alpha")})
		if err != nil || loc.LocationConstraint != "" {
			t.Errorf("location of alpha: %+v %v", loc, err)
		}
	})
	t.Run("AlreadyExists", func(t *testing.T) {
		// Another account's name: 409 BucketAlreadyExists ("The requested
		// bucket name is not available. The bucket namespace is shared by all
		// users of the system."), ErrorResponses.html#ErrorCodeList.
		_, err := other.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("alpha")})
		wantErr(t, err, "BucketAlreadyExists", 409)
	})
	t.Run("InvalidName", func(t *testing.T) {
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html:
		// 3-63 characters, lowercase letters, digits, dots and hyphens, begin
		// and end with a letter or digit, not an IP address, no "xn--"
		// prefix, no "-s3alias" suffix, no adjacent periods.
		for _, name := range []string{"ab", "Upper-Case", "under_score", "-leading", "trailing-", "192.168.5.4", "two..dots",
			"xn--prefix", "name-s3alias", strings.Repeat("a", 64)} {
			_, err := root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(name)})
			if err == nil {
				t.Errorf("CreateBucket %q succeeded", name)
				continue
			}
			if code := codeOf(err); code != "InvalidBucketName" {
				t.Errorf("CreateBucket %q: %v, want InvalidBucketName", name, err)
			}
		}
	})
	t.Run("ListOnlyOwn", func(t *testing.T) {
		// ListBuckets "Returns a list of all buckets owned by the authenticated
		// sender of the request"
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
		mkBucket(t, other, "member-bucket")
		names := func(c *awss3.Client) []string {
			out, err := c.ListBuckets(ctx, &awss3.ListBucketsInput{})
			if err != nil {
				t.Fatal(err)
			}
			var n []string
			for _, b := range out.Buckets {
				n = append(n, aws.ToString(b.Name))
			}
			if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
				t.Errorf("ListBuckets has no Owner: %+v", out.Owner)
			}
			return n
		}
		if got := names(root); !slices.Equal(got, []string{"alpha", "beta-eu"}) {
			t.Errorf("management account's buckets: %v", got)
		}
		if got := names(other); !slices.Equal(got, []string{"member-bucket"}) {
			t.Errorf("member account's buckets: %v", got)
		}
	})
	t.Run("HeadMissing", func(t *testing.T) {
		// HeadBucket: "If the bucket does not exist or you do not have permission
		// to access it, the HEAD request returns a generic 400 Bad Request, 403
		// Forbidden or 404 Not Found code" — 404 for a missing bucket
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
		ok(t)(root.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")}))
		_, err := root.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
		if httpStatus(err) != 404 {
			t.Errorf("HeadBucket of a missing bucket: %v, want 404", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		// "All objects (including all object versions and delete markers) in
		// the bucket must be deleted before the bucket itself can be deleted":
		// 409 BucketNotEmpty
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html,
		// ErrorResponses.html).
		put(t, root, "alpha", "k", "v")
		_, err := root.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")})
		wantErr(t, err, "BucketNotEmpty", 409)
		ok(t)(root.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}))
		ok(t)(root.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")}))
		_, err = root.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")})
		if httpStatus(err) != 404 {
			t.Errorf("HeadBucket after delete: %v", err)
		}
		_, err = root.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")})
		wantErr(t, err, "NoSuchBucket", 404)
	})
}

func codeOf(err error) string {
	if ae := asAPIError(err); ae != nil {
		return ae.ErrorCode()
	}
	return ""
}

// TestIntegrationObjects covers the object operations.
func TestIntegrationObjects(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	rec := &recorder{}
	root := srv.RootS3(func(o *awss3.Options) { o.HTTPClient = rec.client() })
	const b = "objects"
	mkBucket(t, root, b)

	t.Run("PutGetHead", func(t *testing.T) {
		// User-defined metadata is x-amz-meta-*, returned by GET and HEAD
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
		p, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"),
			Body: strings.NewReader("hello world"), ContentType: aws.String("text/plain"),
			Metadata: map[string]string{"colour": "blue", "mixed-case": "Value"}})
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum([]byte("hello world"))
		wantETag := `"` + hexs(sum[:]) + `"`
		if aws.ToString(p.ETag) != wantETag {
			t.Errorf("ETag %s, want %s (the MD5 of the body for a single-part upload)", aws.ToString(p.ETag), wantETag)
		}
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt")})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(g.Body)
		g.Body.Close()
		if string(body) != "hello world" || aws.ToString(g.ContentType) != "text/plain" || aws.ToInt64(g.ContentLength) != 11 ||
			g.Metadata["colour"] != "blue" || g.Metadata["mixed-case"] != "Value" || aws.ToString(g.ETag) != wantETag || g.LastModified == nil {
			t.Errorf("GetObject: %q %+v", body, g)
		}
		h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt")})
		if err != nil || aws.ToInt64(h.ContentLength) != 11 || h.Metadata["colour"] != "blue" || aws.ToString(h.ContentType) != "text/plain" {
			t.Errorf("HeadObject: %+v %v", h, err)
		}
	})
	t.Run("Range", func(t *testing.T) {
		// A Range GET answers 206 with Content-Range; an unsatisfiable range is
		// 416 InvalidRange ("The requested range cannot be satisfied.")
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax,
		// https://www.rfc-editor.org/rfc/rfc9110#section-14, ErrorResponses.html).
		for _, tc := range []struct{ rng, body, cr string }{
			{"bytes=2-5", "llo ", "bytes 2-5/11"},
			{"bytes=6-", "world", "bytes 6-10/11"},
			{"bytes=-3", "rld", "bytes 8-10/11"},
			{"bytes=9-100", "ld", "bytes 9-10/11"},
		} {
			g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"), Range: aws.String(tc.rng)})
			if err != nil {
				t.Errorf("%s: %v", tc.rng, err)
				continue
			}
			body, _ := io.ReadAll(g.Body)
			g.Body.Close()
			if string(body) != tc.body || aws.ToString(g.ContentRange) != tc.cr || rec.last().StatusCode != 206 {
				t.Errorf("%s: %q, Content-Range %q, status %d; want %q, %q, 206", tc.rng, body, aws.ToString(g.ContentRange), rec.last().StatusCode, tc.body, tc.cr)
			}
		}
		_, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"), Range: aws.String("bytes=100-200")})
		wantErr(t, err, "InvalidRange", 416)
	})
	t.Run("Conditional", func(t *testing.T) {
		// If-None-Match matching the ETag: 304 Not Modified; If-Match not
		// matching: 412 Precondition Failed
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
		// "If-Match", "If-None-Match"; RFC 7232).
		h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"), IfNoneMatch: h.ETag})
		if httpStatus(err) != 304 {
			t.Errorf("If-None-Match with the ETag: %v, want 304", err)
		}
		_, err = root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantErr(t, err, "PreconditionFailed", 412)
		if _, err := get(root, b, "doc.txt"); err != nil {
			t.Error(err)
		}
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc.txt"), IfMatch: h.ETag})
		if err != nil {
			t.Errorf("If-Match with the ETag: %v", err)
		} else {
			g.Body.Close()
		}
	})
	t.Run("Delete", func(t *testing.T) {
		// Deleting a key that does not exist succeeds: 204
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html).
		put(t, root, b, "gone", "x")
		ok(t)(root.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("gone")}))
		if rec.last().StatusCode != 204 {
			t.Errorf("DeleteObject status %d, want 204", rec.last().StatusCode)
		}
		_, err := get(root, b, "gone")
		wantErr(t, err, "NoSuchKey", 404)
		ok(t)(root.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("never-was")}))
	})
	t.Run("Keys", func(t *testing.T) {
		// "The name for a key is a sequence of Unicode characters whose UTF-8
		// encoding is at most 1,024 bytes long"; "//" and ".." segments are
		// part of the key
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
		keys := []string{"with space.txt", "ünïcødé/日本語/ключ", "a+b=c&d", "dir//double", "x/../y", "./dot", "trailing/", "percent%20literal", "q?uestion#hash"}
		mkBucket(t, root, "keys-bucket")
		for _, k := range keys {
			if _, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("keys-bucket"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Errorf("PutObject %q: %v", k, err)
			}
		}
		for _, k := range keys {
			got, err := get(root, "keys-bucket", k)
			if err != nil || got != k {
				t.Errorf("GetObject %q: %q %v", k, got, err)
			}
		}
		out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("keys-bucket")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		want := slices.Clone(keys)
		slices.Sort(want) // listed in UTF-8 binary order
		if !slices.Equal(got, want) {
			t.Errorf("listed keys %q, want %q", got, want)
		}
	})
	t.Run("CopyObject", func(t *testing.T) {
		// Copying an object onto itself is allowed only when something
		// changes: MetadataDirective REPLACE replaces the metadata; without a
		// change it is 400 InvalidRequest "This copy request is illegal because
		// it is trying to copy an object to itself without changing the
		// object's metadata, storage class, website redirect location or
		// encryption attributes."
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
		// "x-amz-metadata-directive"; ErrorResponses.html).
		ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src"), Body: strings.NewReader("copy me"),
			ContentType: aws.String("text/plain"), Metadata: map[string]string{"v": "1"}}))
		ok(t)(root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("src"), CopySource: aws.String(b + "/src"),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"}, ContentType: aws.String("text/x-new")}))
		h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("src")})
		if err != nil || h.Metadata["v"] != "2" || aws.ToString(h.ContentType) != "text/x-new" {
			t.Errorf("after REPLACE: %+v %v", h, err)
		}
		_, err = root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("src"), CopySource: aws.String(b + "/src")})
		if ae := wantErr(t, err, "InvalidRequest", 400); ae != nil && !strings.Contains(ae.ErrorMessage(), "illegal because it is trying to copy an object to itself") {
			t.Errorf("self-copy message %q", ae.ErrorMessage())
		}
		// COPY (the default) keeps the source's metadata on a new key.
		c, err := root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("dst"), CopySource: aws.String(b + "/src")})
		if err != nil || c.CopyObjectResult == nil || aws.ToString(c.CopyObjectResult.ETag) != aws.ToString(h.ETag) {
			t.Errorf("CopyObject to dst: %+v %v", c, err)
		}
		h2, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("dst")})
		if err != nil || h2.Metadata["v"] != "2" || aws.ToString(h2.ContentType) != "text/x-new" {
			t.Errorf("copy's metadata: %+v %v", h2, err)
		}
		// A source key with a space and unicode, URL-encoded in x-amz-copy-source.
		put(t, root, b, "a b/ü", "odd")
		ok(t)(root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("odd-copy"), CopySource: aws.String(b + "/a%20b/%C3%BC")}))
		if got, err := get(root, b, "odd-copy"); got != "odd" || err != nil {
			t.Errorf("copy of an encoded source: %q %v", got, err)
		}
		_, err = root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("x"), CopySource: aws.String(b + "/no-such-key")})
		wantErr(t, err, "NoSuchKey", 404)
	})
	t.Run("Tagging", func(t *testing.T) {
		// x-amz-tagging on PUT ("URL query parameters"), Get/Put/DeleteObjectTagging,
		// and x-amz-tagging-count on GET
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html,
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html).
		ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("tagged"), Body: strings.NewReader("t"), Tagging: aws.String("project=blue&team=a%20b")}))
		tags := func() map[string]string {
			out, err := root.GetObjectTagging(ctx, &awss3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tagged")})
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			for _, tg := range out.TagSet {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			return m
		}
		if got := tags(); len(got) != 2 || got["project"] != "blue" || got["team"] != "a b" {
			t.Errorf("tags from x-amz-tagging: %v", got)
		}
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("tagged")})
		if err != nil || aws.ToInt32(g.TagCount) != 2 {
			t.Errorf("x-amz-tagging-count: %v %v", g, err)
		} else {
			g.Body.Close()
		}
		ok(t)(root.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tagged"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("only"), Value: aws.String("one")}}}}))
		if got := tags(); len(got) != 1 || got["only"] != "one" {
			t.Errorf("tags after PutObjectTagging: %v", got)
		}
		ok(t)(root.DeleteObjectTagging(ctx, &awss3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tagged")}))
		if got := tags(); len(got) != 0 {
			t.Errorf("tags after DeleteObjectTagging: %v", got)
		}
		// "You can associate up to 10 tags with an object"
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html);
		// S3 answers 400 BadRequest "Object tags cannot be greater than 10"
		// (as AWS answers it in boto/boto3#1213 and
		// terraform-aws-modules/terraform-aws-datadog-forwarders#24).
		var many []types.Tag
		for i := range 11 {
			many = append(many, types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("v")})
		}
		_, err = root.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tagged"), Tagging: &types.Tagging{TagSet: many}})
		wantErr(t, err, "BadRequest", 400)
	})
	t.Run("Checksums", func(t *testing.T) {
		// A checksum sent with the object is stored and returned by GET with
		// x-amz-checksum-mode ENABLED; one that does not match the data is
		// 400 BadDigest
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html,
		// ErrorResponses.html: "BadDigest — The Content-MD5 or checksum value
		// that you specified did not match what the server received.").
		data := "checksummed content"
		crc := crc32.ChecksumIEEE([]byte(data))
		wantCRC := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
		sha := sha256.Sum256([]byte(data))
		wantSHA := base64.StdEncoding.EncodeToString(sha[:])

		p, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("crc"), Body: strings.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil || aws.ToString(p.ChecksumCRC32) != wantCRC {
			t.Errorf("PutObject CRC32: %v %v, want %s", p, err, wantCRC)
		}
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("crc"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(g.ChecksumCRC32) != wantCRC {
			t.Errorf("GetObject CRC32: %v %v, want %s", g, err, wantCRC)
		} else {
			// The SDK validates the checksum as it reads.
			if _, err := io.Copy(io.Discard, g.Body); err != nil {
				t.Errorf("reading with checksum validation: %v", err)
			}
			g.Body.Close()
		}
		p, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("sha"), Body: strings.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		if err != nil || aws.ToString(p.ChecksumSHA256) != wantSHA {
			t.Errorf("PutObject SHA256: %v %v, want %s", p, err, wantSHA)
		}
		h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("sha"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(h.ChecksumSHA256) != wantSHA {
			t.Errorf("HeadObject SHA256: %v %v, want %s", h, err, wantSHA)
		}
		other := sha256.Sum256([]byte("other content"))
		_, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("bad"), Body: strings.NewReader(data),
			ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(other[:]))})
		wantErr(t, err, "BadDigest", 400)
		m := md5.Sum([]byte("other content"))
		_, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("bad"), Body: strings.NewReader(data),
			ContentMD5: aws.String(base64.StdEncoding.EncodeToString(m[:]))})
		wantErr(t, err, "BadDigest", 400)
		_, err = get(root, b, "bad")
		wantErr(t, err, "NoSuchKey", 404)
	})
}

// TestIntegrationListing covers ListObjectsV2 and ListObjects.
func TestIntegrationListing(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "listing"
	mkBucket(t, root, b)
	for _, k := range []string{"docs/x.txt", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "readme"} {
		put(t, root, b, k, k)
	}
	keys := func(cs []types.Object) []string {
		var n []string
		for _, o := range cs {
			n = append(n, aws.ToString(o.Key))
		}
		return n
	}
	prefixes := func(ps []types.CommonPrefix) []string {
		var n []string
		for _, p := range ps {
			n = append(n, aws.ToString(p.Prefix))
		}
		return n
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
	t.Run("Delimiter", func(t *testing.T) {
		out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys(out.Contents), []string{"readme"}) || !slices.Equal(prefixes(out.CommonPrefixes), []string{"docs/", "photos/"}) ||
			aws.ToInt32(out.KeyCount) != 3 {
			t.Errorf("delimiter /: %v %v KeyCount %d", keys(out.Contents), prefixes(out.CommonPrefixes), aws.ToInt32(out.KeyCount))
		}
		out, err = root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("photos/"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) != 0 || !slices.Equal(prefixes(out.CommonPrefixes), []string{"photos/2024/", "photos/2025/"}) || aws.ToString(out.Prefix) != "photos/" {
			t.Errorf("prefix photos/: %v %v", keys(out.Contents), prefixes(out.CommonPrefixes))
		}
	})
	t.Run("Continuation", func(t *testing.T) {
		var all []string
		var token *string
		pages := 0
		for {
			out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(2), ContinuationToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, keys(out.Contents)...)
			if aws.ToInt32(out.MaxKeys) != 2 || aws.ToInt32(out.KeyCount) != int32(len(out.Contents)) {
				t.Errorf("page %d: MaxKeys %d KeyCount %d", pages, aws.ToInt32(out.MaxKeys), aws.ToInt32(out.KeyCount))
			}
			if !aws.ToBool(out.IsTruncated) {
				if out.NextContinuationToken != nil {
					t.Errorf("last page has a NextContinuationToken")
				}
				break
			}
			if aws.ToString(out.NextContinuationToken) == "" || pages > 5 {
				t.Fatalf("truncated page without a token: %+v", out)
			}
			token = out.NextContinuationToken
		}
		if pages != 3 || len(all) != 5 || !slices.IsSorted(all) {
			t.Errorf("%d pages: %v", pages, all)
		}
	})
	t.Run("StartAfter", func(t *testing.T) {
		out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), StartAfter: aws.String("photos/2024/a.jpg")})
		if err != nil || !slices.Equal(keys(out.Contents), []string{"photos/2024/b.jpg", "photos/2025/c.jpg", "readme"}) || aws.ToString(out.StartAfter) != "photos/2024/a.jpg" {
			t.Errorf("start-after: %v %v", keys(out.Contents), err)
		}
	})
	t.Run("FetchOwner", func(t *testing.T) {
		// "The owner field is not present in ListObjectsV2 by default. If you
		// want to return the owner field with each key in the result, then set
		// the FetchOwner field to true."
		out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Contents[0].Owner != nil {
			t.Errorf("Owner without FetchOwner: %+v", out.Contents[0].Owner)
		}
		lb, err := root.ListBuckets(ctx, &awss3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		out, err = root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), FetchOwner: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if o.Owner == nil || aws.ToString(o.Owner.ID) != aws.ToString(lb.Owner.ID) {
				t.Errorf("%s: owner %+v, want the account's canonical id %s", aws.ToString(o.Key), o.Owner, aws.ToString(lb.Owner.ID))
			}
			if o.Size == nil || *o.Size != int64(len(aws.ToString(o.Key))) || o.ETag == nil || o.LastModified == nil {
				t.Errorf("%s: %+v", aws.ToString(o.Key), o)
			}
		}
	})
	t.Run("V1Marker", func(t *testing.T) {
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html:
		// listing starts after Marker; NextMarker is returned only with a
		// delimiter, else the last key is the next marker. ListObjects (v1)
		// always returns the Owner.
		out, err := root.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String(b), Marker: aws.String("photos/2024/b.jpg")})
		if err != nil || !slices.Equal(keys(out.Contents), []string{"photos/2025/c.jpg", "readme"}) || aws.ToString(out.Marker) != "photos/2024/b.jpg" {
			t.Errorf("marker: %v %v", keys(out.Contents), err)
		}
		if err == nil && out.Contents[0].Owner == nil {
			t.Errorf("ListObjects without Owner")
		}
		out, err = root.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(2)})
		if err != nil || !aws.ToBool(out.IsTruncated) || !slices.Equal(keys(out.Contents), []string{"docs/x.txt", "photos/2024/a.jpg"}) {
			t.Errorf("v1 max-keys 2: %v %v", out, err)
		}
		out, err = root.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")})
		if err != nil || !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextMarker) != "photos/" {
			t.Errorf("v1 max-keys 2 with delimiter: NextMarker %q, %+v %v", aws.ToString(out.NextMarker), out, err)
		}
	})
	t.Run("NoSuchBucket", func(t *testing.T) {
		_, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
		wantErr(t, err, "NoSuchBucket", 404)
	})
}

// TestIntegrationErrorDocuments checks S3's error document on the wire
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses):
// Code, Message, RequestId and HostId, and the elements particular to a
// code (NoSuchKey's Key, NoSuchBucket's BucketName); a HEAD response has no
// body ("HEAD requests ... don't return a response body").
func TestIntegrationErrorDocuments(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := key{testserver.RootKeyID, testserver.RootSecretKey}
	mkBucket(t, srv.RootS3(), "docs")

	resp, b := signed(t, srv, root, "GET", "/docs/missing/key.txt", nil)
	if d := checkErrorDoc(t, resp, b, 404, "NoSuchKey"); d.Key != "missing/key.txt" {
		t.Errorf("NoSuchKey's Key %q: %s", d.Key, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q", ct)
	}
	resp, b = signed(t, srv, root, "GET", "/no-such-bucket/k", nil)
	if d := checkErrorDoc(t, resp, b, 404, "NoSuchBucket"); d.BucketName != "no-such-bucket" {
		t.Errorf("NoSuchBucket's BucketName %q: %s", d.BucketName, b)
	}
	resp, b = signed(t, srv, root, "GET", "/no-such-bucket", nil)
	if d := checkErrorDoc(t, resp, b, 404, "NoSuchBucket"); d.BucketName != "no-such-bucket" {
		t.Errorf("NoSuchBucket's BucketName %q: %s", d.BucketName, b)
	}
	for _, path := range []string{"/docs/missing", "/no-such-bucket", "/no-such-bucket/k"} {
		resp, b = signed(t, srv, root, "HEAD", path, nil)
		if resp.StatusCode != 404 || len(b) != 0 || resp.Header.Get("X-Amz-Request-Id") == "" {
			t.Errorf("HEAD %s: %d %q, request id %q", path, resp.StatusCode, b, resp.Header.Get("X-Amz-Request-Id"))
		}
	}
	nobody := newUser(t, srv, "nobody", "")
	resp, b = signed(t, srv, nobody, "HEAD", "/docs/missing", nil)
	if resp.StatusCode != 403 || len(b) != 0 {
		t.Errorf("HEAD denied: %d %q", resp.StatusCode, b)
	}
}

// TestIntegrationAuthErrors checks S3's answers to bad credentials
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList):
// 403 InvalidAccessKeyId "The AWS access key ID you provided does not exist
// in our records." and 403 SignatureDoesNotMatch, each in S3's error
// document with x-amz-request-id.
func TestIntegrationAuthErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	mkBucket(t, srv.RootS3(), "auth")

	_, err := srv.S3Client("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "").ListBuckets(ctx, &awss3.ListBucketsInput{})
	wantErr(t, err, "InvalidAccessKeyId", 403)
	_, err = srv.S3Client(testserver.RootKeyID, "wrong-secret-wrong-secret-wrong-secret00", "").ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("auth")})
	wantErr(t, err, "SignatureDoesNotMatch", 403)

	resp, b := signed(t, srv, key{"AKIAI44QH8DHBEXAMPLE", "x"}, "GET", "/auth", nil)
	if d := checkErrorDoc(t, resp, b, 403, "InvalidAccessKeyId"); !strings.Contains(b2s(b), "<AWSAccessKeyId>AKIAI44QH8DHBEXAMPLE</AWSAccessKeyId>") {
		// S3 names the key it did not find in <AWSAccessKeyId>.
		t.Errorf("InvalidAccessKeyId document %+v: %s", d, b)
	}
	resp, b = signed(t, srv, key{testserver.RootKeyID, "wrong"}, "GET", "/auth/k", nil)
	if d := checkErrorDoc(t, resp, b, 403, "SignatureDoesNotMatch"); !strings.Contains(d.Message, "The request signature we calculated does not match the signature you provided") {
		t.Errorf("SignatureDoesNotMatch message %q", d.Message)
	}
	// An unsigned request to a private bucket is AccessDenied, not an
	// authentication error.
	req, _ := http.NewRequest("GET", srv.URL+"/auth/k", nil)
	resp, b = do(t, req)
	checkErrorDoc(t, resp, b, 403, "AccessDenied")
}

func b2s(b []byte) string { return string(b) }

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 0, 2*len(b))
	for _, c := range b {
		s = append(s, digits[c>>4], digits[c&15])
	}
	return string(s)
}
