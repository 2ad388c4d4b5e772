package upstream

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// unsigned makes a write stream its body as UNSIGNED-PAYLOAD, so the SDK
// neither hashes nor seeks it, and never retries it: a streamed body cannot
// be sent again (other calls keep the SDK's standard retries). It sends no
// Expect: 100-continue (which the SDK adds to bodies of unknown length or
// over 2 MB): waiting for the upstream's go-ahead costs a round trip, and
// our requests are authorized already.
func unsigned(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	o.RetryMaxAttempts = 1
	o.ContinueHeaderThresholdBytes = -1
}

// declared makes a write send its body as unsigned does, for a body that
// verifies itself against the payload SHA-256 the caller's request
// declared (objectstore.DigestedBody: the S3 layer's, which fails its last
// read unless the bytes hash to it). How it is signed depends on the hop,
// as the SDK's own PutObject and UploadPart decide
// (v4.UseDynamicPayloadSigningMiddleware):
//
//   - over HTTPS it is UNSIGNED-PAYLOAD: the body's own verification and
//     body.Read's held-back last byte keep any byte it has not verified
//     from being stored (a body that fails leaves the request short of its
//     Content-Length, which the upstream discards), and TLS keeps the hop
//     from changing the bytes, so the upstream need not hash them again;
//   - over plain HTTP it is signed with the declared SHA-256: an on-path
//     party could otherwise replace the body of an unsigned request and
//     the upstream would store it; signed, the upstream verifies the bytes
//     it receives and refuses them (XAmzContentSHA256Mismatch) when they
//     differ, storing nothing; a body that can hands its own verification
//     over (objectstore.DigestDelegator), so the bytes are hashed there
//     only.
//
// Either way nothing is hashed here.
func declared(sha256Hex string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			_, err := st.Finalize.Swap(computePayloadHashID, declaredPayload(sha256Hex))
			return err
		})
		o.RetryMaxAttempts = 1
		o.ContinueHeaderThresholdBytes = -1
	}
}

// computePayloadHashID is the ID of the SDK's middleware that sets the
// payload hash to sign (v4.ComputePayloadSHA256 and v4.UnsignedPayload).
const computePayloadHashID = "ComputePayloadHash"

// declaredPayload takes the place of the SDK's payload hashing: over
// HTTPS the payload is unsigned, over plain HTTP the hash to sign is the
// one declared (see declared).
type declaredPayload string

func (declaredPayload) ID() string { return computePayloadHashID }

func (d declaredPayload) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.IsHTTPS() {
		return (&v4.UnsignedPayload{}).HandleFinalize(ctx, in, next)
	}
	return next.HandleFinalize(v4.SetPayloadHash(ctx, string(d)), in)
}

// body passes a caller's reader to the SDK: it hides Seek (so the SDK
// streams it), counts the bytes, and keeps the reader's own error so a
// failed upload reports it rather than the transport's. A reader that
// declares a payload SHA-256 (objectstore.DigestedBody) has its bytes
// verified once on their way, by whichever end of the hop can: over
// HTTPS by the reader itself (the write is sent UNSIGNED-PAYLOAD and TLS
// keeps the bytes as verified), over plain HTTP by the upstream, to which
// the write is signed with that digest and which refuses bytes that do
// not match it (S3's XAmzContentSHA256Mismatch, storing nothing): the
// reader hands its verification over (objectstore.DigestDelegator) when
// it can, and the upstream's refusal is answered with the reader's own
// error. Any other reader is sent UNSIGNED-PAYLOAD and, over plain HTTP,
// where anyone on the path could change the bytes, the MD5 of the bytes is
// computed to check the ETag the upstream returns; over HTTPS, TLS keeps
// the hop from changing them, and hashing every byte a second time (the
// upstream hashes them for its ETag) would only double the cost of the
// hop. The transport may still be reading the body when the call has
// returned (RoundTrip may close a body after returning), hence the lock.
type body struct {
	r      io.Reader
	size   int64  // -1 unknown
	sha256 string // the declared payload SHA-256, hex; "" when none
	// delegated: the reader handed the verification of sha256 over; the
	// upstream verifies the bytes.
	delegated bool

	// Read's own state (Read is not called concurrently).
	held    byte // the last byte read, not yet passed on
	holding bool
	ended   bool // the caller's reader returned io.EOF

	mu  sync.Mutex
	md5 hash.Hash // nil when sha256 is set or the hop is HTTPS
	n   int64
	err error
}

// delegates reports whether a write of r over this backend's hop hands
// r's verification to the upstream: over plain HTTP, for a body that can
// (objectstore.DigestDelegator), when the upstream verifies.
func (b *Backend) delegates(ctx context.Context, r io.Reader) bool {
	if b.overTLS() {
		return false
	}
	if _, ok := r.(objectstore.DigestDelegator); !ok {
		return false
	}
	return b.upstreamVerifies(ctx)
}

// newBody wraps r for a write over a hop that is HTTPS when overTLS; r's
// verification is delegated to the upstream when delegate says so
// (Backend.delegates: only over plain HTTP, to an upstream that verifies).
func newBody(r io.Reader, overTLS, delegate bool) *body {
	size := int64(-1)
	switch l := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer: what is left
		size = int64(l.Len())
	case interface{ Size() int64 }: // a body that knows its declared length
		size = l.Size()
	}
	b := &body{r: r, size: size}
	if delegate {
		b.sha256 = objectstore.DelegateDigest(r)
		b.delegated = b.sha256 != ""
	}
	if b.sha256 == "" {
		b.sha256 = objectstore.PayloadSHA256(r)
	}
	if b.sha256 == "" && !overTLS {
		b.md5 = md5.New()
	}
	return b
}

// signing is the call option that signs the write of b: as declared says
// for a body with a declared SHA-256, else UNSIGNED-PAYLOAD.
func (b *body) signing() func(*s3.Options) {
	if b.sha256 != "" {
		return declared(b.sha256)
	}
	return unsigned
}

// Read passes on the caller's bytes but one: the last byte read is held
// back until the caller's reader has ended without error. The S3 layer's
// readers verify a body at its end (a payload hash, a checksum header or
// trailer, Content-MD5) and fail the last read where it does not match;
// had every byte been passed on by then, a complete request would reach
// the upstream, which would store it. Without its last byte the request is
// cut short (the transport closes the connection on the read error) and the
// upstream stores nothing.
func (b *body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.ended {
		if !b.holding {
			return 0, io.EOF
		}
		p[0], b.holding = b.held, false
		b.account(p[:1], nil)
		return 1, nil
	}
	var n int
	var err error
	switch {
	case !b.holding:
		n, err = b.r.Read(p) // not under the lock: result must not wait for a stalled reader
	case len(p) == 1:
		var one [1]byte
		n, err = b.r.Read(one[:])
		if n == 1 {
			p[0], b.held = b.held, one[0]
			switch {
			case err == io.EOF:
				b.ended, err = true, nil
			case err != nil:
				b.holding = false
			}
			b.account(p[:1], err)
			return 1, err
		}
	default:
		p[0], b.holding = b.held, false
		n, err = b.r.Read(p[1:])
		n++
	}
	switch {
	case err == io.EOF:
		b.ended = true
		err = nil // the next Read releases a byte still held, then ends
	case err != nil:
		if n > 0 {
			n-- // never the last byte of a body that failed
		}
		b.holding = false
	case n > 0:
		n--
		b.held, b.holding = p[n], true
	}
	b.account(p[:n], err)
	return n, err
}

// account adds the bytes passed on, and keeps the caller's reader's first
// error.
func (b *body) account(p []byte, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.md5 != nil {
		b.md5.Write(p)
	}
	b.n += int64(len(p))
	if err != nil && b.err == nil {
		b.err = err
	}
}

// result is what was read: the byte count, the quoted MD5 ("" when the
// body was not hashed here: sent with its declared SHA-256, or over HTTPS)
// and the reader's error.
func (b *body) result() (n int64, etag string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.md5 == nil {
		return b.n, "", b.err
	}
	return b.n, `"` + hex.EncodeToString(b.md5.Sum(nil)) + `"`, b.err
}

func (b *body) length() *int64 {
	if b.size < 0 {
		return nil
	}
	return aws.Int64(b.size)
}

// sent checks a write that returned: the reader's own error first, then
// the call's, then the upstream's ETag against the MD5 of the bytes sent
// (when the ETag is an MD5: not for SSE-KMS objects). The ETag of a body
// not hashed here (sent with its declared SHA-256, which the upstream or
// the body itself verified, or over HTTPS) is taken as it is. It returns the byte count and the ETag.
func (b *Backend) sent(op, bucket, key string, body *body, err error, upstreamETag *string) (int64, string, error) {
	n, etag, rerr := body.result()
	if rerr != nil {
		return 0, "", wrap(op, bucket, key, nil, fmt.Errorf("reading the body: %w", rerr))
	}
	if err != nil {
		if body.delegated && errorCode(err) == "XAmzContentSHA256Mismatch" {
			// The upstream verified the bytes for the reader: its
			// refusal is the reader's own. The hash the upstream
			// computed is not passed on (the SDK keeps no more of an
			// error it does not model than its code and message), so
			// the error lacks S3ComputedContentSHA256.
			return 0, "", wrap(op, bucket, key, nil, objectstore.DigestMismatch(body.r, ""))
		}
		return 0, "", b.mapErr(op, bucket, key, err, errCtx{})
	}
	e := strings.Trim(aws.ToString(upstreamETag), `"`)
	if etag == "" {
		if e == "" {
			return 0, "", wrap(op, bucket, key, nil, errors.New("the upstream returned no ETag"))
		}
		if len(e) == 32 {
			e = strings.ToLower(e)
		}
		return n, `"` + e + `"`, nil
	}
	if len(e) == 32 && `"`+strings.ToLower(e)+`"` != etag {
		return 0, "", wrap(op, bucket, key, nil, fmt.Errorf("the upstream stored ETag %s, not the MD5 of the %d bytes sent (%s)", e, n, etag))
	}
	return n, etag, nil
}

// PutObject streams body upstream. With cond it is a compare-and-swap
// (see conditions.go). A checksum the body knows only once read (an
// aws-chunked trailer's) is recorded afterwards by a self-copy, as
// UpdateMeta does.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, r io.Reader, meta objectstore.Meta, cond objectstore.Precondition) (objectstore.Info, error) {
	if err := b.knownBucket(ctx, "PutObject", bucket); err != nil {
		return objectstore.Info{}, err
	}
	g, err := b.checkCond(ctx, bucket, key, cond)
	if err != nil {
		return objectstore.Info{}, err
	}
	w := toWire(meta)
	body := newBody(r, b.overTLS(), b.delegates(ctx, r))
	in := &s3.PutObjectInput{Bucket: b.name(bucket), Key: aws.String(key), Body: body, ContentLength: body.length(),
		ContentType: w.contentType, ContentEncoding: w.contentEncoding, ContentDisposition: w.contentDisposition,
		ContentLanguage: w.contentLanguage, CacheControl: w.cacheControl, Expires: w.expires,
		WebsiteRedirectLocation: w.websiteRedirect, Metadata: w.metadata, Tagging: w.tagging, StorageClass: w.storageClass,
		IfMatch: g.ifMatch, IfNoneMatch: g.ifNoneMatch}
	out, err := b.c.PutObject(ctx, in, body.signing())
	var upETag *string
	if err == nil {
		upETag = out.ETag
	}
	if err != nil && cond != nil && refused(err) {
		if _, _, rerr := body.result(); rerr == nil {
			return objectstore.Info{}, b.lostRace(ctx, "PutObject", bucket, key, cond, err)
		}
	}
	n, etag, err := b.sent("PutObject", bucket, key, body, err, upETag)
	if err != nil {
		return objectstore.Info{}, err
	}
	info := objectstore.Info{Bucket: bucket, Key: key, VersionID: aws.ToString(out.VersionId), Size: n,
		ETag: etag, Meta: meta.Clone(), IsLatest: true}
	if cs := objectstore.BodyChecksum(r, meta.Checksum); cs.Value != "" && meta.Checksum.Value == "" {
		info.Meta.Checksum = cs
		return b.recordChecksum(ctx, info)
	}
	info.LastModified, info.VersionID = b.written(ctx, bucket, key, info.VersionID)
	return info, nil
}

// recordChecksum stores the checksum of a version just written, which was
// not known when its headers were sent, with a self-copy conditional on
// the version's ETag (a writer that replaced it meanwhile wins, and the
// checksum is then not recorded). In a bucket with versioning Enabled the
// copy is a new version and the one written is deleted.
func (b *Backend) recordChecksum(ctx context.Context, info objectstore.Info) (objectstore.Info, error) {
	copied, err := b.copyObject(ctx, objectstore.ObjectRef{Bucket: info.Bucket, Key: info.Key, VersionID: info.VersionID},
		info.ETag, info.Bucket, info.Key, info.Meta)
	if err != nil {
		if status(err) == http.StatusPreconditionFailed {
			info.LastModified = time.Now().UTC().Truncate(time.Second)
			return info, nil
		}
		return objectstore.Info{}, err
	}
	if info.VersionID != "" && info.VersionID != objectstore.NullVersion && copied.VersionID != info.VersionID {
		if _, err := b.DeleteObject(ctx, info.Bucket, info.Key, info.VersionID); err != nil {
			return objectstore.Info{}, err
		}
	}
	copied.IsLatest = true
	return copied, nil
}

// written heads a version just written for what a PUT's response does not
// carry: its LastModified (the time now, to the second, when the HEAD
// fails) and, when the PUT returned no version id, whether it is the
// "null" version. AWS's PUT in a bucket with versioning Suspended answers
// without x-amz-version-id (the "Versioning suspended" example of
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html), yet
// the object is the null version
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersionSuspendedBuckets.html),
// which a HEAD reports; in a bucket never versioned the HEAD reports none.
func (b *Backend) written(ctx context.Context, bucket, key, versionID string) (time.Time, string) {
	out, err := b.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(versionID)})
	if err != nil || out.LastModified == nil {
		return time.Now().UTC().Truncate(time.Second), versionID
	}
	if versionID == "" && aws.ToString(out.VersionId) == objectstore.NullVersion {
		versionID = objectstore.NullVersion
	}
	return out.LastModified.UTC(), versionID
}

func infoFromGet(bucket, key string, out *s3.GetObjectOutput) objectstore.Info {
	info := objectstore.Info{Bucket: bucket, Key: key, VersionID: aws.ToString(out.VersionId),
		Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		Meta: fromWire(read{contentType: out.ContentType, contentEncoding: out.ContentEncoding,
			contentDisposition: out.ContentDisposition, contentLanguage: out.ContentLanguage, cacheControl: out.CacheControl,
			expiresString: out.ExpiresString, websiteRedirect: out.WebsiteRedirectLocation,
			metadata: out.Metadata, storageClass: out.StorageClass})}
	if out.LastModified != nil {
		info.LastModified = out.LastModified.UTC()
	}
	if out.ContentRange != nil {
		if i := strings.LastIndexByte(*out.ContentRange, '/'); i >= 0 {
			if n, err := strconv.ParseInt((*out.ContentRange)[i+1:], 10, 64); err == nil {
				info.Size = n
			}
		}
	}
	fixParts(&info)
	return info
}

func infoFromHead(bucket, key string, out *s3.HeadObjectOutput) objectstore.Info {
	info := objectstore.Info{Bucket: bucket, Key: key, VersionID: aws.ToString(out.VersionId),
		Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		Meta: fromWire(read{contentType: out.ContentType, contentEncoding: out.ContentEncoding,
			contentDisposition: out.ContentDisposition, contentLanguage: out.ContentLanguage, cacheControl: out.CacheControl,
			expiresString: out.ExpiresString, websiteRedirect: out.WebsiteRedirectLocation,
			metadata: out.Metadata, storageClass: out.StorageClass})}
	if out.LastModified != nil {
		info.LastModified = out.LastModified.UTC()
	}
	fixParts(&info)
	return info
}

// fixParts takes a multipart object's part count from its ETag ("…-N"):
// x-amz-mp-parts-count comes only with a read of one part, and then also
// for an object that is not multipart on some upstreams.
func fixParts(info *objectstore.Info) {
	e := strings.Trim(info.ETag, `"`)
	if i := strings.LastIndexByte(e, '-'); i >= 0 {
		if n, err := strconv.Atoi(e[i+1:]); err == nil && n > 0 {
			info.PartsCount = n
		}
	}
}

// tags reads a version's tags when count (x-amz-tagging-count) says it
// has some; get says the count is a GET's.
func (b *Backend) tags(ctx context.Context, bucket, key, versionID string, count *int32, get bool) ([]objectstore.Tag, error) {
	if count != nil && *count == 0 {
		return nil, nil
	}
	if count == nil && get {
		// A GET carries x-amz-tagging-count whenever there are tags (a HEAD
		// need not: Gatehouse's does not).
		return nil, nil
	}
	out, err := b.c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(versionID)})
	if err != nil {
		return nil, b.mapErr("GetObjectTagging", bucket, key, err, errCtx{versionID: versionID})
	}
	return tagsFrom(out.TagSet), nil
}

// GetObject returns the upstream's response body as the reader.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, o objectstore.GetOptions) (objectstore.Info, io.ReadCloser, error) {
	in := &s3.GetObjectInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(o.VersionID)}
	if r := o.Range; r != nil {
		if r.SuffixOnly && r.Suffix <= 0 {
			// bytes=-0 is never satisfiable; not every upstream says so.
			info, err := b.HeadObject(ctx, bucket, key, o.VersionID)
			if err != nil {
				return info, nil, err
			}
			return objectstore.Info{}, nil, wrap("GetObject", bucket, key, &objectstore.RangeError{Size: info.Size}, nil)
		}
		in.Range = aws.String(r.String())
	}
	if o.PartNumber != 0 {
		in.PartNumber = aws.Int32(int32(o.PartNumber))
	}
	out, err := b.c.GetObject(ctx, in)
	if err != nil {
		if o.PartNumber != 0 && (errorCode(err) == "InvalidPartNumber" || status(err) == http.StatusRequestedRangeNotSatisfiable) {
			return objectstore.Info{}, nil, wrap("GetObject", bucket, key, objectstore.ErrPartNotSatisfiable, err)
		}
		info, err := b.getErr(ctx, "GetObject", bucket, key, o.VersionID, err)
		return info, nil, err
	}
	info := infoFromGet(bucket, key, out)
	info.IsLatest = o.VersionID == ""
	rc := out.Body
	if o.Range != nil && out.ContentRange == nil {
		// The upstream ignored the range and sent the whole object.
		start, n, err := o.Range.Resolve(info.Size)
		if err == nil {
			_, err = io.CopyN(io.Discard, rc, start)
		}
		if err != nil {
			rc.Close()
			return objectstore.Info{}, nil, wrap("GetObject", bucket, key, nil, err)
		}
		rc = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(rc, n), rc}
	}
	if info.Meta.Tags, err = b.tags(ctx, bucket, key, info.VersionID, out.TagCount, true); err != nil {
		rc.Close()
		return objectstore.Info{}, nil, err
	}
	if err := b.fillParts(ctx, &info); err != nil {
		rc.Close()
		return objectstore.Info{}, nil, err
	}
	if o.PartNumber != 0 && out.ContentRange == nil {
		// The upstream ignored partNumber and sent the whole object.
		if start, n, err := info.PartRange(o.PartNumber); err != nil || start != 0 || n != info.Size {
			rc.Close()
			if err == nil {
				err = fmt.Errorf("the upstream ignored partNumber=%d", o.PartNumber)
			}
			return objectstore.Info{}, nil, wrap("GetObject", bucket, key, nil, err)
		}
	}
	return info, rc, nil
}

// getErr maps a failed GET, adding what its headers say: the delete
// marker met, the size an unsatisfiable range was checked against.
func (b *Backend) getErr(ctx context.Context, op, bucket, key, versionID string, err error) (objectstore.Info, error) {
	h := header(err)
	var info objectstore.Info
	if h != nil && h.Get("x-amz-delete-marker") == "true" {
		info = objectstore.Info{Bucket: bucket, Key: key, VersionID: h.Get("x-amz-version-id"), IsDeleteMarker: true, IsLatest: versionID == ""}
		if t, perr := http.ParseTime(h.Get("Last-Modified")); perr == nil {
			info.LastModified = t.UTC()
		}
		if status(err) == http.StatusMethodNotAllowed {
			return info, wrap(op, bucket, key, objectstore.ErrMethodNotAllowed, err)
		}
		return info, wrap(op, bucket, key, objectstore.ErrNoSuchKey, err)
	}
	mapped := b.mapErr(op, bucket, key, err, errCtx{versionID: versionID})
	switch {
	case errors.Is(mapped, objectstore.ErrMethodNotAllowed) && versionID != "":
		// Only a delete marker's version answers 405.
		return objectstore.Info{Bucket: bucket, Key: key, VersionID: versionID, IsDeleteMarker: true}, mapped
	case errors.Is(mapped, objectstore.ErrNoSuchKey) && versionID == "" && h.Get("x-amz-delete-marker") == "":
		// Not every upstream sends x-amz-delete-marker with the 404 (AWS
		// does): ask the version listing whether a marker is current.
		if m, ok := b.currentMarker(ctx, bucket, key); ok {
			return m, mapped
		}
	}
	if status(err) == http.StatusRequestedRangeNotSatisfiable || errors.Is(mapped, objectstore.ErrInvalidRange) {
		size := int64(-1)
		if cr := h.Get("Content-Range"); strings.HasPrefix(cr, "bytes */") {
			if n, perr := strconv.ParseInt(strings.TrimPrefix(cr, "bytes */"), 10, 64); perr == nil {
				size = n
			}
		}
		if size < 0 {
			head, herr := b.HeadObject(ctx, bucket, key, versionID)
			if herr != nil {
				return head, herr
			}
			size = head.Size
		}
		return objectstore.Info{}, wrap(op, bucket, key, &objectstore.RangeError{Size: size}, err)
	}
	return objectstore.Info{}, mapped
}

// HeadObject reads the object's first byte: a GET of bytes=0-0 carries
// every header a HEAD does and more (x-amz-tagging-count, which spares a
// GetObjectTagging when there are no tags; the storage class, which
// Gatehouse's HEAD omits), and its errors have codes, where a HEAD's 404
// cannot tell NoSuchKey, NoSuchVersion and NoSuchBucket apart. An empty
// object, for which that range is not satisfiable, is asked with a HEAD.
func (b *Backend) HeadObject(ctx context.Context, bucket, key, versionID string) (objectstore.Info, error) {
	out, err := b.c.GetObject(ctx, &s3.GetObjectInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(versionID),
		Range: aws.String("bytes=0-0")})
	if err != nil {
		if status(err) == http.StatusRequestedRangeNotSatisfiable || errors.Is(b.mapErr("", "", "", err, errCtx{}), objectstore.ErrInvalidRange) {
			return b.headEmpty(ctx, bucket, key, versionID)
		}
		return b.getErr(ctx, "HeadObject", bucket, key, versionID, err)
	}
	// One byte, or the whole object from an upstream that ignores ranges:
	// read a little so the connection can be reused, then let it go.
	_, _ = io.Copy(io.Discard, io.LimitReader(out.Body, 4<<10))
	out.Body.Close()
	info := infoFromGet(bucket, key, out)
	info.IsLatest = versionID == ""
	if out.ContentRange == nil {
		info.Size = aws.ToInt64(out.ContentLength)
	}
	if info.Meta.Tags, err = b.tags(ctx, bucket, key, info.VersionID, out.TagCount, true); err != nil {
		return objectstore.Info{}, err
	}
	if err := b.fillParts(ctx, &info); err != nil {
		return objectstore.Info{}, err
	}
	return info, nil
}

// headEmpty is HeadObject of an object whose first byte cannot be read.
func (b *Backend) headEmpty(ctx context.Context, bucket, key, versionID string) (objectstore.Info, error) {
	out, err := b.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(versionID)})
	if err != nil {
		// Gone meanwhile: a full GET says why, with a code.
		info, rc, gerr := b.GetObject(ctx, bucket, key, objectstore.GetOptions{VersionID: versionID})
		if gerr != nil {
			return info, gerr
		}
		rc.Close()
		return info, nil
	}
	info := infoFromHead(bucket, key, out)
	info.IsLatest = versionID == ""
	if info.Meta.Tags, err = b.tags(ctx, bucket, key, info.VersionID, out.TagCount, false); err != nil {
		return objectstore.Info{}, err
	}
	if err := b.fillParts(ctx, &info); err != nil {
		return objectstore.Info{}, err
	}
	return info, nil
}

// DeleteObject deletes upstream; a version that is not there is no error.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key, versionID string) (objectstore.DeleteResult, error) {
	out, err := b.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(versionID)})
	if err != nil {
		err = b.mapErr("DeleteObject", bucket, key, err, errCtx{versionID: versionID})
		if versionID != "" && (errors.Is(err, objectstore.ErrNoSuchVersion) || errors.Is(err, objectstore.ErrNoSuchKey)) {
			return objectstore.DeleteResult{}, nil
		}
		return objectstore.DeleteResult{}, err
	}
	return objectstore.DeleteResult{VersionID: aws.ToString(out.VersionId), DeleteMarker: aws.ToBool(out.DeleteMarker)}, nil
}

// copySource is x-amz-copy-source: the bucket and key URL-encoded, '/'
// kept.
func (b *Backend) copySource(src objectstore.ObjectRef) string {
	parts := strings.Split(src.Key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	s := url.PathEscape(b.prefix+src.Bucket) + "/" + strings.Join(parts, "/")
	if src.VersionID != "" {
		s += "?versionId=" + url.QueryEscape(src.VersionID)
	}
	return s
}

// CopyObject heads the source version, asks meta for the copy's metadata,
// copies that exact version upstream (S3's single-request copy, with
// x-amz-copy-source-if-match on the ETag seen and the metadata replaced),
// then heads the new object for its Info. A source replaced between the
// head and the copy is headed again, a few times.
func (b *Backend) CopyObject(ctx context.Context, src objectstore.ObjectRef, dstBucket, dstKey string, meta func(objectstore.Info) (objectstore.Meta, error)) (objectstore.CopyResult, error) {
	const attempts = 3
	if err := b.knownBucket(ctx, "CopyObject", dstBucket); err != nil {
		return objectstore.CopyResult{}, err
	}
	for attempt := 1; ; attempt++ {
		source, err := b.HeadObject(ctx, src.Bucket, src.Key, src.VersionID)
		if err != nil {
			return objectstore.CopyResult{}, err
		}
		m := source.Meta.Clone()
		if meta != nil {
			if m, err = meta(source); err != nil {
				return objectstore.CopyResult{}, err
			}
		}
		ref := src
		if ref.VersionID == "" && source.VersionID != "" && source.VersionID != objectstore.NullVersion {
			ref.VersionID = source.VersionID
		}
		info, err := b.copyObject(ctx, ref, source.ETag, dstBucket, dstKey, m)
		if err != nil {
			if status(err) == http.StatusPreconditionFailed && src.VersionID == "" && attempt < attempts {
				continue // the source changed meanwhile
			}
			return objectstore.CopyResult{}, err
		}
		info.IsLatest = true
		return objectstore.CopyResult{Object: info, Source: source}, nil
	}
}

// copyObject copies version src, if its ETag is still etag, to
// dstBucket/dstKey with meta, and heads the copy. A failed condition is an
// error whose status (412) callers can tell.
func (b *Backend) copyObject(ctx context.Context, src objectstore.ObjectRef, etag, dstBucket, dstKey string, meta objectstore.Meta) (objectstore.Info, error) {
	in := &s3.CopyObjectInput{Bucket: b.name(dstBucket), Key: aws.String(dstKey), CopySource: aws.String(b.copySource(src)),
		CopySourceIfMatch: opt(etag)}
	w := toWire(meta)
	in.MetadataDirective, in.TaggingDirective = types.MetadataDirectiveReplace, types.TaggingDirectiveReplace
	in.ContentType, in.ContentEncoding, in.ContentDisposition = w.contentType, w.contentEncoding, w.contentDisposition
	in.ContentLanguage, in.CacheControl, in.Expires = w.contentLanguage, w.cacheControl, w.expires
	in.WebsiteRedirectLocation, in.Metadata, in.Tagging, in.StorageClass = w.websiteRedirect, w.metadata, w.tagging, w.storageClass
	if in.Tagging == nil {
		in.Tagging = aws.String("")
	}
	out, err := b.c.CopyObject(ctx, in)
	if err != nil {
		return objectstore.Info{}, b.mapErr("CopyObject", dstBucket, dstKey, err, errCtx{versionID: src.VersionID, copy: true})
	}
	return b.HeadObject(ctx, dstBucket, dstKey, aws.ToString(out.VersionId))
}

// UpdateMeta changes tags with PutObjectTagging and anything else with a
// self-copy (see the package documentation for what that costs).
func (b *Backend) UpdateMeta(ctx context.Context, bucket, key, versionID string, fn func(*objectstore.Meta) error) (objectstore.Info, error) {
	info, err := b.HeadObject(ctx, bucket, key, versionID)
	if err != nil {
		return info, err
	}
	m := info.Meta.Clone()
	if err := fn(&m); err != nil {
		return objectstore.Info{}, err
	}
	before, after := info.Meta, m
	before.Tags, after.Tags = nil, nil
	if reflect.DeepEqual(before, after) {
		if !reflect.DeepEqual(info.Meta.Tags, m.Tags) {
			if len(m.Tags) == 0 {
				_, err = b.c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(info.VersionID)})
			} else {
				_, err = b.c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b.name(bucket), Key: aws.String(key), VersionId: opt(info.VersionID),
					Tagging: &types.Tagging{TagSet: tagsTo(m.Tags)}})
			}
			if err != nil {
				return objectstore.Info{}, b.mapErr("UpdateMeta", bucket, key, err, errCtx{versionID: versionID})
			}
		}
		info.Meta = m
		return info, nil
	}
	// Any other change is a copy onto itself, which becomes the current
	// version: refuse it for a version that is not.
	versioned := info.VersionID != ""
	if versionID != "" {
		cur, err := b.HeadObject(ctx, bucket, key, "")
		if err != nil || cur.VersionID != info.VersionID {
			return objectstore.Info{}, wrap("UpdateMeta", bucket, key, nil,
				errors.New("only the tags of a noncurrent version can change upstream (other metadata is rewritten by a copy)"))
		}
	}
	copied, err := b.copyObject(ctx, objectstore.ObjectRef{Bucket: bucket, Key: key, VersionID: info.VersionID}, info.ETag, bucket, key, m)
	if err != nil {
		return objectstore.Info{}, err
	}
	copied.IsLatest = true
	if versioned && copied.VersionID != info.VersionID {
		// With versioning Enabled the copy is a new version; the old one
		// goes, so no version is added (but the id changes).
		if _, err := b.DeleteObject(ctx, bucket, key, info.VersionID); err != nil {
			return objectstore.Info{}, err
		}
	}
	return copied, nil
}

// currentMarker reports the delete marker that is key's current version,
// if one is.
func (b *Backend) currentMarker(ctx context.Context, bucket, key string) (objectstore.Info, bool) {
	res, err := b.listVersions(ctx, bucket, objectstore.VersionListOptions{Prefix: key, MaxKeys: 1})
	if err != nil || len(res.Versions) == 0 {
		return objectstore.Info{}, false
	}
	v := res.Versions[0]
	if v.Key != key || !v.IsDeleteMarker || !v.IsLatest {
		return objectstore.Info{}, false
	}
	return v, true
}
