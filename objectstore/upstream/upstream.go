package upstream

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// Options configure a Backend.
type Options struct {
	// Endpoint is the upstream's base URL, e.g. http://127.0.0.1:8333.
	Endpoint string
	// Region is the region requests are signed for ("" is us-east-1).
	Region string
	// AccessKeyID and SecretAccessKey are the upstream's credentials.
	AccessKeyID     string
	SecretAccessKey string
	// BucketPrefix is prepended to every bucket name upstream.
	BucketPrefix string
	// HTTPClient sends the requests; nil is a client with the timeouts below.
	HTTPClient *http.Client
	// DialTimeout bounds connecting (default 10 s) and
	// ResponseHeaderTimeout waiting for a response's headers once a request
	// is sent (default 60 s); neither bounds streaming a body, which the
	// caller's context does. Ignored when HTTPClient is set.
	DialTimeout           time.Duration
	ResponseHeaderTimeout time.Duration
	// ListConcurrency is how many HeadObject calls List and ListVersions
	// make at once to fill in their entries' Meta (default 8).
	ListConcurrency int
	// UploadsBucket is the upstream bucket that keeps the Meta of multipart
	// uploads in progress, which S3 cannot return (default BucketPrefix +
	// DefaultUploadsBucket; "-" keeps none, and Upload.Meta is then empty).
	UploadsBucket string
}

// DefaultUploadsBucket is the default name (after BucketPrefix) of the
// bucket of upload metadata: its "sthree-" start is one Gatehouse refuses
// for a bucket, so it never meets one of Gatehouse's. (AWS refuses it too
// without a prefix: give BucketPrefix or UploadsBucket there.)
const DefaultUploadsBucket = "sthree-gatehouse-uploads"

// Backend is an objectstore.Backend over an S3-compatible server.
type Backend struct {
	c           *s3.Client
	http        *http.Client
	creds       aws.CredentialsProvider
	signer      *v4.Signer
	endpoint    *url.URL
	region      string
	prefix      string
	concurrency int
	uploads     string // "" keeps no upload metadata
	uploadsOnce sync.Mutex
	uploadsMade bool
	closeOnce   sync.Once
	// probe is what upstreamVerifies learnt: probeVerifies or
	// probeIgnores, 0 while unknown; probeMu serializes the probes.
	probe   atomic.Int32
	probeMu sync.Mutex
	// known holds the buckets seen to exist upstream (created here, or
	// answered by HeadBucket), so that writes check a bucket once per
	// Backend, not once per request (see knownBucket).
	known sync.Map
}

var _ objectstore.Backend = (*Backend)(nil)

// Open makes a Backend; it does not contact the upstream.
func Open(opt Options) (*Backend, error) {
	u, err := url.Parse(opt.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream: endpoint %q is not an http(s) URL", opt.Endpoint)
	}
	if opt.AccessKeyID == "" || opt.SecretAccessKey == "" {
		return nil, errors.New("upstream: access key id and secret access key are required")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	region := opt.Region
	if region == "" {
		region = "us-east-1"
	}
	hc := opt.HTTPClient
	if hc == nil {
		hc = newHTTPClient(opt.DialTimeout, opt.ResponseHeaderTimeout)
	}
	creds := credentials.NewStaticCredentialsProvider(opt.AccessKeyID, opt.SecretAccessKey, "")
	c := s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(u.String()),
		UsePathStyle: true,
		Credentials:  creds,
		HTTPClient:   hc,
		// Checksums only where S3 requires them (DeleteObjects and the
		// like): a default CRC32 would make the SDK read the body twice
		// (plain HTTP) or frame it as aws-chunked (HTTPS).
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	conc := opt.ListConcurrency
	if conc <= 0 {
		conc = 8
	}
	uploads := opt.UploadsBucket
	switch uploads {
	case "":
		uploads = opt.BucketPrefix + DefaultUploadsBucket
	case "-":
		uploads = ""
	}
	return &Backend{c: c, http: hc, creds: creds, signer: v4.NewSigner(), endpoint: u, region: region,
		prefix: opt.BucketPrefix, concurrency: conc, uploads: uploads}, nil
}

// What upstreamVerifies learnt of the upstream.
const (
	probeVerifies = 1 + iota
	probeIgnores
)

// upstreamVerifies reports whether the upstream refuses the bytes of a
// write that do not match the SHA-256 it was signed with, as S3 does
// (XAmzContentSHA256Mismatch, storing nothing): what a body's delegation
// of its verification over plain HTTP relies on. It asks once per Backend,
// at the first write that could delegate: a PUT to the uploads bucket, at
// a key no upload uses (bucket names do not begin with a dot), of bytes
// signed with another digest, which an upstream that verifies refuses and
// one that does not stores (the probe then deletes them, and the bodies
// keep verifying themselves); any other 4xx answer is taken as not
// verifying too. A probe that fails otherwise (the upstream unreachable,
// a 5xx) is asked again at a later write, without delegating
// meanwhile; with no uploads bucket (Options.UploadsBucket "-") nothing is
// delegated.
func (b *Backend) upstreamVerifies(ctx context.Context) bool {
	if v := b.probe.Load(); v != 0 {
		return v == probeVerifies
	}
	if b.uploads == "" {
		return false
	}
	b.probeMu.Lock()
	defer b.probeMu.Unlock()
	if v := b.probe.Load(); v != 0 {
		return v == probeVerifies
	}
	if err := b.ensureUploads(ctx); err != nil {
		return false
	}
	signed, sent := []byte("gatehouse payload probe"), []byte("gatehouse payload probe, changed")
	sum := sha256.Sum256(signed)
	key := aws.String(b.prefix + ".payload-probe")
	_, err := b.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.uploads), Key: key,
		Body: bytes.NewReader(sent), ContentLength: aws.Int64(int64(len(sent)))}, declared(hex.EncodeToString(sum[:])))
	switch code, st := errorCode(err), status(err); {
	case err == nil:
		_, _ = b.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.uploads), Key: key})
		b.probe.Store(probeIgnores)
	case code == "XAmzContentSHA256Mismatch" || code == "BadDigest":
		b.probe.Store(probeVerifies)
	case st >= 400 && st < 500:
		// Another refusal (AccessDenied…) tells nothing of the payload:
		// not delegating, and not asking again at every write.
		b.probe.Store(probeIgnores)
	}
	return b.probe.Load() == probeVerifies
}

// overTLS reports whether the hop to the upstream is HTTPS.
func (b *Backend) overTLS() bool { return b.endpoint.Scheme == "https" }

func newHTTPClient(dial, header time.Duration) *http.Client {
	if dial <= 0 {
		dial = 10 * time.Second
	}
	if header <= 0 {
		header = time.Minute
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = header
	tr.MaxIdleConnsPerHost = 64
	// Bodies are passed through as stored: no transparent gzip.
	tr.DisableCompression = true
	return &http.Client{Transport: tr}
}

// Close releases idle connections; it may be called more than once.
func (b *Backend) Close() error {
	b.closeOnce.Do(func() { b.http.CloseIdleConnections() })
	return nil
}

func (b *Backend) name(bucket string) *string { return aws.String(b.prefix + bucket) }

// CreateBucket creates the upstream bucket.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	// AWS answers a re-creation in us-east-1 with 200, so look first.
	if _, err := b.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b.name(bucket)}); err == nil {
		return wrap("CreateBucket", bucket, "", objectstore.ErrBucketExists, nil)
	} else if st := status(err); st == http.StatusForbidden {
		// Someone else's bucket (AWS answers so for a name taken).
		return wrap("CreateBucket", bucket, "", objectstore.ErrBucketExists, err)
	} else if st != http.StatusNotFound {
		return b.mapErr("CreateBucket", bucket, "", err, errCtx{})
	}
	in := &s3.CreateBucketInput{Bucket: b.name(bucket)}
	if b.region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(b.region)}
	}
	if _, err := b.c.CreateBucket(ctx, in); err != nil {
		return b.mapErr("CreateBucket", bucket, "", err, errCtx{})
	}
	b.known.Store(bucket, struct{}{})
	return nil
}

// knownBucket returns nil when bucket exists upstream, else
// ErrNoSuchBucket. Some upstreams (SeaweedFS) create a missing bucket on a
// write to it, where S3 answers NoSuchBucket ("The specified bucket does not
// exist", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
// so the writes that would create one ask first: once per bucket and
// Backend, since a bucket created or seen here is remembered until
// DeleteBucket (or an upstream NoSuchBucket) forgets it. A bucket deleted
// upstream behind the Backend's back is therefore re-created by such an
// upstream on the next write; Gatehouse's S3 layer checks its own bucket
// records before it calls the backend anyway.
func (b *Backend) knownBucket(ctx context.Context, op, bucket string) error {
	if _, ok := b.known.Load(bucket); ok {
		return nil
	}
	_, err := b.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b.name(bucket)})
	switch {
	case err == nil:
		b.known.Store(bucket, struct{}{})
		return nil
	case status(err) == http.StatusNotFound:
		return wrap(op, bucket, "", objectstore.ErrNoSuchBucket, err)
	default:
		return b.mapErr(op, bucket, "", err, errCtx{})
	}
}

// DeleteBucket deletes the upstream bucket once it holds no versions, delete
// markers or uploads in progress.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	vs, err := b.listVersions(ctx, bucket, objectstore.VersionListOptions{MaxKeys: 1})
	if err != nil {
		return err
	}
	if len(vs.Versions) > 0 || len(vs.CommonPrefixes) > 0 {
		return wrap("DeleteBucket", bucket, "", objectstore.ErrBucketNotEmpty, nil)
	}
	ups, err := b.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b.name(bucket), MaxUploads: aws.Int32(1)})
	if err != nil {
		return b.mapErr("DeleteBucket", bucket, "", err, errCtx{})
	}
	if len(ups.Uploads) > 0 {
		return wrap("DeleteBucket", bucket, "", objectstore.ErrBucketNotEmpty, nil)
	}
	_, err = b.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b.name(bucket)})
	err = b.mapErr("DeleteBucket", bucket, "", err, errCtx{})
	if err == nil || errors.Is(err, objectstore.ErrNoSuchBucket) {
		b.known.Delete(bucket)
	}
	return err
}

// SetVersioning sets the upstream bucket's versioning.
func (b *Backend) SetVersioning(ctx context.Context, bucket string, v objectstore.Versioning) error {
	if v != objectstore.Enabled && v != objectstore.Suspended {
		return wrap("SetVersioning", bucket, "", objectstore.ErrIllegalVersioning, nil)
	}
	_, err := b.c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b.name(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatus(v)}})
	return b.mapErr("SetVersioning", bucket, "", err, errCtx{})
}

// Versioning reports the upstream bucket's versioning.
func (b *Backend) Versioning(ctx context.Context, bucket string) (objectstore.Versioning, error) {
	out, err := b.c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b.name(bucket)})
	if err != nil {
		return "", b.mapErr("Versioning", bucket, "", err, errCtx{})
	}
	return objectstore.Versioning(out.Status), nil
}
