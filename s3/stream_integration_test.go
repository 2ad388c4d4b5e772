package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// tlsFront puts a TLS reverse proxy in front of the server and returns an
// S3 client that talks to it. Over HTTPS the SDK sends checksummed uploads
// as aws-chunked bodies with a trailing checksum
// (x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER); over plain
// HTTP it signs the payload's hash instead, so this is how a test sees what
// real clients send to S3. The proxy keeps the Host header the client
// signed.
func tlsFront(t *testing.T, srv *testserver.Server, rec *recorder, optFns ...func(*awss3.Options)) *awss3.Client {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(front.Close)
	rec.base = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: front.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}}
	c := srv.Config(testserver.RootKeyID, testserver.RootSecretKey)
	c.BaseEndpoint = aws.String(front.URL)
	return testserver.S3FromConfig(c, append([]func(*awss3.Options){func(o *awss3.Options) { o.HTTPClient = rec.client() }}, optFns...)...)
}

// TestIntegrationStreaming covers uploads the SDK streams with a trailing
// checksum (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
// "Using trailing checksums";
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)
// and multipart uploads through the transfer manager.
func TestIntegrationStreaming(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	rec := &recorder{}
	c := tlsFront(t, srv, rec)
	const b = "streams"
	mkBucket(t, c, b)

	t.Run("PutObjectTrailer", func(t *testing.T) {
		data := bytes.Repeat([]byte("0123456789abcdef"), 10000) // 160 KB: several chunks
		for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha256} {
			k := "trailer-" + string(alg)
			p, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
			if err != nil {
				t.Errorf("PutObject %s: %v", alg, err)
				continue
			}
			h := rec.reqs[len(rec.reqs)-1]
			if h.Get("X-Amz-Content-Sha256") != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" || h.Get("X-Amz-Trailer") == "" ||
				!strings.Contains(h.Get("Content-Encoding"), "aws-chunked") {
				t.Errorf("%s: the SDK sent x-amz-content-sha256 %q, x-amz-trailer %q, Content-Encoding %q", alg,
					h.Get("X-Amz-Content-Sha256"), h.Get("X-Amz-Trailer"), h.Get("Content-Encoding"))
			}
			if alg == types.ChecksumAlgorithmCrc32 {
				sum := crc32.ChecksumIEEE(data)
				want := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
				if aws.ToString(p.ChecksumCRC32) != want {
					t.Errorf("%s: ChecksumCRC32 %q, want %q (the trailer's checksum, returned by PutObject)", alg, aws.ToString(p.ChecksumCRC32), want)
				}
			}
			g, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Errorf("GetObject %s: %v", k, err)
				continue
			}
			got, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s read back: %d bytes, %v", k, len(got), err)
			}
			// Content-Encoding aws-chunked is not stored
			// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, "Content-Encoding").
			if ce := aws.ToString(g.ContentEncoding); ce != "" {
				t.Errorf("%s: stored Content-Encoding %q", k, ce)
			}
		}
	})
	t.Run("TrailerWithContentEncoding", func(t *testing.T) {
		// A Content-Encoding of the caller's is kept, without aws-chunked.
		_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("gz"), Body: strings.NewReader("not really gzip"),
			ContentEncoding: aws.String("gzip"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("gz")})
		if err != nil || aws.ToString(h.ContentEncoding) != "gzip" || aws.ToInt64(h.ContentLength) != 15 {
			t.Errorf("HeadObject: %+v %v", h, err)
		}
	})
	t.Run("TransferManager", func(t *testing.T) {
		// 20 MiB in 5 MiB parts (the minimum part size but for the last,
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
		data := make([]byte, 20<<20)
		if _, err := rand.Read(data); err != nil {
			t.Fatal(err)
		}
		tm := transfermanager.New(c, func(o *transfermanager.Options) { o.PartSizeBytes = 5 << 20; o.Concurrency = 2 })
		up, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin"), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		// A multipart object's ETag is "<md5 of the parts' md5s>-<parts>"
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums).
		if e := aws.ToString(up.ETag); !strings.HasSuffix(e, `-4"`) {
			t.Errorf("ETag %s, want one of 4 parts", e)
		}
		h, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin")})
		// PartsCount "is only returned if you specify partNumber in your
		// request and the object was uploaded as a multipart upload"
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
		if err != nil || aws.ToInt64(h.ContentLength) != 20<<20 || h.PartsCount != nil {
			t.Errorf("HeadObject: ContentLength %d, PartsCount %v, %v; want %d, none", aws.ToInt64(h.ContentLength), h.PartsCount, err, 20<<20)
		}
		h, err = c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(2)})
		// partNumber reads one part: "Part numbers can be specified ... this
		// is effectively a 'ranged' HEAD request for the part specified"
		// (API_HeadObject.html, "partNumber"), 206 with its Content-Range.
		if err != nil || aws.ToInt64(h.ContentLength) != 5<<20 || aws.ToInt32(h.PartsCount) != 4 || aws.ToString(h.ContentRange) != "bytes 5242880-10485759/20971520" {
			t.Errorf("HeadObject partNumber=2: ContentLength %d, PartsCount %v, Content-Range %q, %v; want %d, 4, bytes 5242880-10485759/20971520",
				aws.ToInt64(h.ContentLength), aws.ToInt32(h.PartsCount), aws.ToString(h.ContentRange), err, 5<<20)
		}
		// GetObject with partNumber reads one part
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "partNumber").
		gp, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin"), PartNumber: aws.Int32(2)})
		if err != nil {
			t.Errorf("GetObject partNumber=2: %v", err)
		} else {
			got, _ := io.ReadAll(gp.Body)
			gp.Body.Close()
			if !bytes.Equal(got, data[5<<20:10<<20]) || aws.ToInt32(gp.PartsCount) != 4 || aws.ToString(gp.ContentRange) != "bytes 5242880-10485759/20971520" {
				t.Errorf("GetObject partNumber=2: %d bytes, PartsCount %d, Content-Range %q; want part 2 (%d bytes), 4, bytes 5242880-10485759/20971520",
					len(got), aws.ToInt32(gp.PartsCount), aws.ToString(gp.ContentRange), 5<<20)
			}
		}
		g, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(g.Body)
		g.Body.Close()
		if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
			t.Errorf("GetObject read back %d bytes (%v), not the same", len(got), err)
		}
		// The transfer manager downloads a multipart object part by part
		// (GetObject with partNumber, its default GetObjectType "parts").
		tg, err := tm.GetObject(ctx, &transfermanager.GetObjectInput{Bucket: aws.String(b), Key: aws.String("big/object.bin")})
		if err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(tg.Body)
		if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
			t.Errorf("transfer manager read back %d bytes (%v), want the %d uploaded", len(got), err, len(data))
		}
	})
}

// TestIntegrationMultipart covers the multipart operations and
// CompleteMultipartUpload's errors
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html,
// "Special errors").
func TestIntegrationMultipart(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	c := srv.RootS3()
	const b = "multipart"
	mkBucket(t, c, b)
	big := bytes.Repeat([]byte("x"), 5<<20)

	create := func(t *testing.T, k string) string {
		t.Helper()
		out, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UploadId)
	}
	part := func(t *testing.T, k, id string, n int32, data []byte) types.CompletedPart {
		t.Helper()
		out, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(k), UploadId: aws.String(id), PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32}
	}
	complete := func(k, id string, parts ...types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k), UploadId: aws.String(id),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}

	t.Run("ListAndAbort", func(t *testing.T) {
		id := create(t, "listed")
		part(t, "listed", id, 1, big)
		part(t, "listed", id, 2, []byte("tail"))
		lp, err := c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("listed"), UploadId: aws.String(id)})
		if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != 5<<20 || aws.ToInt64(lp.Parts[1].Size) != 4 || aws.ToInt32(lp.Parts[1].PartNumber) != 2 {
			t.Errorf("ListParts: %+v %v", lp, err)
		}
		lu, err := c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != id || aws.ToString(lu.Uploads[0].Key) != "listed" {
			t.Errorf("ListMultipartUploads: %+v %v", lu, err)
		}
		ok(t)(c.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("listed"), UploadId: aws.String(id)}))
		_, err = c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("listed"), UploadId: aws.String(id)})
		wantErr(t, err, "NoSuchUpload", 404)
		lu, err = c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(b)})
		if err != nil || len(lu.Uploads) != 0 {
			t.Errorf("ListMultipartUploads after abort: %+v %v", lu, err)
		}
		_, err = get(c, b, "listed")
		wantErr(t, err, "NoSuchKey", 404)
	})
	t.Run("Complete", func(t *testing.T) {
		id := create(t, "done")
		p1 := part(t, "done", id, 1, big)
		p2 := part(t, "done", id, 2, []byte("tail"))
		if err := complete("done", id, p1, p2); err != nil {
			t.Fatal(err)
		}
		got, err := get(c, b, "done")
		if err != nil || len(got) != 5<<20+4 || !strings.HasSuffix(got, "xtail") {
			t.Errorf("completed object: %d bytes %v", len(got), err)
		}
		// The upload is gone once completed.
		err = complete("done", id, p1, p2)
		wantErr(t, err, "NoSuchUpload", 404)
	})
	t.Run("InvalidPart", func(t *testing.T) {
		// "InvalidPart: One or more of the specified parts could not be found.
		// The part might not have been uploaded, or the specified entity tag
		// might not have matched the part's entity tag."
		id := create(t, "bad-part")
		p1 := part(t, "bad-part", id, 1, big)
		p2 := part(t, "bad-part", id, 2, []byte("tail"))
		wrong := p2
		wrong.ETag = aws.String(`"00000000000000000000000000000000"`)
		wantErr(t, complete("bad-part", id, p1, wrong), "InvalidPart", 400)
		missing := p2
		missing.PartNumber = aws.Int32(3)
		wantErr(t, complete("bad-part", id, p1, missing), "InvalidPart", 400)
	})
	t.Run("InvalidPartOrder", func(t *testing.T) {
		// "InvalidPartOrder: The list of parts was not in ascending order. The
		// parts list must be specified in order by part number."
		id := create(t, "order")
		p1 := part(t, "order", id, 1, big)
		p2 := part(t, "order", id, 2, big)
		wantErr(t, complete("order", id, p2, p1), "InvalidPartOrder", 400)
	})
	t.Run("EntityTooSmall", func(t *testing.T) {
		// "EntityTooSmall: Your proposed upload is smaller than the minimum
		// allowed object size. Each part must be at least 5 MB in size, except
		// the last part."
		id := create(t, "small")
		p1 := part(t, "small", id, 1, []byte("small"))
		p2 := part(t, "small", id, 2, []byte("tail"))
		wantErr(t, complete("small", id, p1, p2), "EntityTooSmall", 400)
	})
	t.Run("NoSuchUpload", func(t *testing.T) {
		_, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("k"), UploadId: aws.String("no-such-upload"),
			PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
		wantErr(t, err, "NoSuchUpload", 404)
	})
}
