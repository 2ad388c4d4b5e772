// Package objectstore is the contract between Gatehouse's S3 endpoint and the
// place object bytes live: the Backend interface, the values it takes and
// returns (Meta, Info, ranges, listings, multipart uploads) and the sentinel
// errors the S3 layer maps to S3's error codes.
//
// A backend keeps objects — bytes, their metadata, versions and multipart
// uploads in progress — and nothing else: bucket configuration (owner,
// policy, ACL, ownership controls, public access block, tags) lives in
// Gatehouse's own store, and authorization happens before a backend is
// called. A backend's buckets are therefore plain containers, created and
// deleted by the S3 layer as it creates and deletes its bucket records.
//
// Two backends implement it: objectstore/disk (embedded, the default) and,
// later, an upstream one that forwards to an S3-compatible server; both run
// the conformance suite objectstore/backendtest.
//
// # What is decided where
//
// Whatever S3 must decide atomically with a write is decided inside the
// backend's commit, through a callback the S3 layer supplies: conditional
// writes (a Precondition on PutObject and CompleteMultipartUpload), the
// metadata of a copy and the x-amz-copy-source-if-* checks (CopyObject's
// callback sees exactly the source version it copies), and a multipart
// object's checksum (CompleteOptions.Checksum sees the parts as uploaded).
// Everything else S3 decides — names, sizes, headers, ACL semantics, which
// error a missing owner gives — stays in the S3 layer; the backend stores
// Meta opaquely and maps nothing to HTTP. The pure helpers here (ParseRange,
// Range.Resolve, Info.PartRange, ComposeChecksum, CombineChecksum) are what
// both sides need to agree on.
//
// Version ids follow S3: a bucket whose versioning was never set shows no
// version ids ("" in Info, though its objects are the "null" version, as
// ListVersions shows them); Enabled gives each write a new id; Suspended
// writes the "null" version in place.
package objectstore

import (
	"context"
	"io"
	"time"
)

// Backend stores the objects of S3 buckets. Every method is safe for
// concurrent use. Bucket and key are taken as given (the S3 layer validates
// names); keys may hold any bytes, including '/', NUL and non-ASCII text.
//
// The design follows what S3's operations need, one method per family:
// writes take an io.Reader and stream it (never buffered whole), reads return
// an io.ReadCloser, and every write is atomic — a reader sees the old object
// or the new one, never a mix, and a write whose body fails leaves nothing.
type Backend interface {
	// CreateBucket makes an empty bucket with versioning never enabled.
	// ErrBucketExists if it is there already.
	CreateBucket(ctx context.Context, bucket string) error
	// DeleteBucket removes an empty bucket: ErrBucketNotEmpty while it holds
	// objects, versions, delete markers or multipart uploads in progress;
	// ErrNoSuchBucket if it is not there.
	DeleteBucket(ctx context.Context, bucket string) error

	// PutObject streams body into a new object, computing its MD5 (the ETag)
	// as it goes. Without versioning it replaces the object atomically; with
	// versioning Enabled it adds a version with a new id; with versioning
	// Suspended it replaces the "null" version. A body Read error (or the
	// context's end) aborts it and leaves nothing behind; the error wraps the
	// cause. cond, when not nil, is checked atomically with the commit
	// (see Precondition).
	PutObject(ctx context.Context, bucket, key string, body io.Reader, meta Meta, cond Precondition) (Info, error)
	// GetObject returns the object's info and a reader of its bytes (of the
	// range opt.Range selects, resolved with Range.Resolve against Info.Size;
	// nil reads all). The caller closes the reader; the object read stays
	// readable until then even if it is deleted or replaced meanwhile. The
	// reader honours ctx between chunks, so pass the request's context, not
	// a short per-call deadline.
	// ErrNoSuchKey (no such object, or its current version is a delete
	// marker: then Info describes the marker), ErrNoSuchVersion,
	// ErrMethodNotAllowed (the version asked for is a delete marker; Info
	// describes it), ErrInvalidRange (a *RangeError carrying the size).
	GetObject(ctx context.Context, bucket, key string, opt GetOptions) (Info, io.ReadCloser, error)
	// HeadObject is GetObject without the bytes; versionID "" is the current
	// version. Same errors, but no ErrInvalidRange.
	HeadObject(ctx context.Context, bucket, key, versionID string) (Info, error)
	// DeleteObject deletes with S3's semantics. Without a version id: without
	// versioning the object goes (a missing key is no error); with
	// versioning Enabled a delete marker with a new id becomes the current
	// version; with versioning Suspended the "null" version is replaced by a
	// "null" delete marker. With a version id, that version (object or
	// delete marker) is removed for good; a missing version is no error.
	DeleteObject(ctx context.Context, bucket, key, versionID string) (DeleteResult, error)
	// UpdateMeta changes a version's metadata in place (tags, ACL): fn edits
	// a copy, which replaces the stored one if fn returns nil; no version is
	// added and LastModified does not change. fn's error is returned as is.
	// fn runs while the backend holds its write lock: it must be quick and
	// must not call the backend. Errors as HeadObject's.
	UpdateMeta(ctx context.Context, bucket, key, versionID string, fn func(*Meta) error) (Info, error)
	// CopyObject writes src's bytes to dstBucket/dstKey as a new object (a new
	// version when versioning is Enabled) whose ETag is the MD5 of the bytes,
	// as a single-part object's. meta, called with the source version once it
	// is open for reading, gives the copy's metadata — so the S3 layer applies
	// x-amz-metadata-directive and x-amz-tagging-directive, and the
	// x-amz-copy-source-if-* preconditions, to exactly the version copied;
	// its error is returned as is and nothing is written. meta nil keeps the
	// source's metadata. A copy onto itself is how S3 replaces metadata.
	// Errors as GetObject's for the source (a source version that is a
	// delete marker gives ErrMethodNotAllowed, which S3 reports as
	// InvalidRequest), ErrNoSuchBucket for the destination.
	CopyObject(ctx context.Context, src ObjectRef, dstBucket, dstKey string, meta func(src Info) (Meta, error)) (CopyResult, error)

	// List lists the current versions (delete markers excluded) in key order
	// (UTF-8 binary order), enough for ListObjects and ListObjectsV2.
	List(ctx context.Context, bucket string, opt ListOptions) (ListResult, error)
	// ListVersions lists every version and delete marker, by key, newest first
	// within a key (ListObjectVersions).
	ListVersions(ctx context.Context, bucket string, opt VersionListOptions) (VersionListResult, error)

	// SetVersioning sets the bucket's versioning state, Enabled or Suspended;
	// a bucket never goes back to Unversioned (ErrIllegalVersioning).
	SetVersioning(ctx context.Context, bucket string, status Versioning) error
	// Versioning reports the bucket's versioning state.
	Versioning(ctx context.Context, bucket string) (Versioning, error)

	// CreateMultipartUpload starts an upload whose object will carry meta.
	CreateMultipartUpload(ctx context.Context, bucket, key string, meta Meta) (uploadID string, err error)
	// UploadPart streams one part (numbered 1..10000, else
	// ErrInvalidPartNumber); uploading a number again replaces the part.
	// cs is the part's additional checksum as the S3 layer verified it (zero
	// when none was sent), kept for ListParts, CompleteMultipartUpload and
	// part reads. ErrNoSuchUpload when the upload is not in progress for
	// this key.
	UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader, cs Checksum) (PartInfo, error)
	// CompleteMultipartUpload makes the object from the listed parts, which
	// must be in ascending order (ErrInvalidPartOrder), uploaded with the
	// given ETags and checksums (ErrInvalidPart) and, but for the last, at
	// least MinPartSize bytes (ErrEntityTooSmall). Parts left out are
	// discarded. The object's ETag is the MD5 of the parts' binary MD5s
	// followed by "-N". An empty list gives ErrInvalidPart (the S3 layer
	// answers it with MalformedXML before calling). opt's hooks run inside
	// the commit, after the parts are checked; their errors leave the upload
	// in progress.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, opt CompleteOptions) (Info, error)
	// AbortMultipartUpload discards the upload and its parts; ErrNoSuchUpload.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// ListParts lists an upload's parts by number; ErrNoSuchUpload.
	ListParts(ctx context.Context, bucket, key, uploadID string, opt PartListOptions) (PartListResult, error)
	// ListUploads lists the uploads in progress by key, then by initiation.
	ListUploads(ctx context.Context, bucket string, opt UploadListOptions) (UploadListResult, error)

	// Close releases the backend; readers already returned stay usable.
	Close() error
}

// Precondition decides whether a write may replace the key's current
// object: it is called with the current version (nil when there is none or
// it is a delete marker) at the moment of the commit, atomically with it, so
// two writers cannot both pass. Its error aborts the write, which then
// stores nothing, and is returned as is. The S3 layer builds it from
// conditional writes' If-None-Match: * (PreconditionFailed, 412, when an
// object exists) and If-Match (PreconditionFailed when the ETag differs,
// NoSuchKey when there is no object), as
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
// describes. It must be quick and must not call the backend: it runs while
// the backend holds its write lock. It may be called more than once: a
// backend may also check it before reading a body, to fail fast.
type Precondition func(current *Info) error

// A ChecksummedBody is a body that knows, once it has been read to its end,
// the additional checksum it was verified against (one an aws-chunked
// trailer carried, or one computed while it was read). Backends ask it
// after reading the body, for a PutObject whose Meta.Checksum has no value
// and an UploadPart given no checksum, and store what it says.
type ChecksummedBody interface {
	io.Reader
	Checksum() Checksum
}

// A DigestedBody is a body whose exact content a digest declared with the
// request vouches for: its reader fails at the end, with the request's
// error, unless the bytes read hash to that digest (SigV4's signed payload,
// x-amz-content-sha256). A backend that sends the body on to another S3
// server may declare the same digest there, so that the server it writes to
// verifies the bytes it received, instead of hashing them a second time
// itself to check what the server stored; or, over a hop that keeps the
// bytes from being changed (TLS), send them unsigned and rely on this
// failure, holding back the last byte until the reader has ended, so the
// request is cut short and the server stores nothing unverified.
type DigestedBody interface {
	io.Reader
	// PayloadSHA256 is the lowercase hex SHA-256 the body is verified
	// against as it is read, "" when the request declared none.
	PayloadSHA256() string
}

// PayloadSHA256 returns the declared SHA-256 of body (DigestedBody), ""
// when it has none.
func PayloadSHA256(body io.Reader) string {
	if d, ok := body.(DigestedBody); ok {
		return d.PayloadSHA256()
	}
	return ""
}

// A DigestDelegator is a DigestedBody that lets a backend take over its
// verification, so that the bytes are hashed once on their way: a backend
// that sends them on signed with the declared digest, to a server that
// verifies a signed payload and stores nothing when it does not match (S3
// answers XAmzContentSHA256Mismatch), may call DelegateDigest before the
// body's first Read. The body then no longer hashes what it reads, and
// when the server refuses the bytes the backend returns DigestMismatch's
// error: the one the body would have failed with.
type DigestDelegator interface {
	DigestedBody
	// DelegateDigest stops the body's own verification and returns the
	// digest the bytes must be verified against; "" when the body has no
	// digest or has been read already (it then goes on verifying).
	DelegateDigest() string
	// DigestMismatch is the error of a body that did not match its
	// digest, given the SHA-256 the server computed (lowercase hex; ""
	// when it did not say).
	DigestMismatch(computed string) error
}

// DelegateDigest takes over the verification of body (DigestDelegator)
// and returns the digest to have the bytes verified against; "" when body
// cannot delegate it, and then verifies itself.
func DelegateDigest(body io.Reader) string {
	if d, ok := body.(DigestDelegator); ok {
		return d.DelegateDigest()
	}
	return ""
}

// DigestMismatch is the error body (a DigestDelegator whose verification
// was delegated) would have failed with, nil for another body.
func DigestMismatch(body io.Reader, computed string) error {
	if d, ok := body.(DigestDelegator); ok {
		return d.DigestMismatch(computed)
	}
	return nil
}

// BodyChecksum returns the checksum to store for body: given, unless it has
// no value and body knows its own.
func BodyChecksum(body io.Reader, given Checksum) Checksum {
	if given.Value != "" {
		return given
	}
	if cb, ok := body.(ChecksummedBody); ok {
		if c := cb.Checksum(); c.Value != "" {
			return c
		}
	}
	return given
}

// MinPartSize is the smallest size of a multipart upload's parts but the
// last (5 MiB), under which CompleteMultipartUpload gives ErrEntityTooSmall.
const MinPartSize = 5 << 20

// MaxPartNumber is the largest part number (10000).
const MaxPartNumber = 10000

// MaxKeys is the most entries a listing returns, and its default (1000).
const MaxKeys = 1000

// NullVersion is the version id of the object written while versioning is
// not Enabled. While a bucket has never had versioning, Info.VersionID is ""
// instead (S3 sends no x-amz-version-id); once it has, the same version shows
// as "null".
const NullVersion = "null"

// Versioning is a bucket's versioning state.
type Versioning string

// The versioning states; Unversioned is a bucket whose versioning was never
// set.
const (
	Unversioned Versioning = ""
	Enabled     Versioning = "Enabled"
	Suspended   Versioning = "Suspended"
)

// Meta is what PutObject stores with an object and GetObject returns: the
// headers S3 keeps, user metadata, tags, and opaque values the S3 layer owns.
type Meta struct {
	// ContentType, ContentEncoding, ContentDisposition, ContentLanguage,
	// CacheControl and Expires are the headers as sent (Expires unparsed).
	ContentType        string `json:",omitempty"`
	ContentEncoding    string `json:",omitempty"`
	ContentDisposition string `json:",omitempty"`
	ContentLanguage    string `json:",omitempty"`
	CacheControl       string `json:",omitempty"`
	Expires            string `json:",omitempty"`
	// WebsiteRedirect is x-amz-website-redirect-location.
	WebsiteRedirect string `json:",omitempty"`
	// UserMetadata holds the x-amz-meta-* headers, names without the prefix
	// and in lower case.
	UserMetadata map[string]string `json:",omitempty"`
	// Tags are the object's tags, in the order given (the embedded
	// backend) or the order the upstream S3 returns them (sorted by key).
	Tags []Tag `json:",omitempty"`
	// Owner is the owner's canonical user id, opaque here.
	Owner string `json:",omitempty"`
	// ACL is the object's access control list, opaque JSON the S3 layer owns.
	ACL []byte `json:",omitempty"`
	// StorageClass is x-amz-storage-class ("" is STANDARD).
	StorageClass string `json:",omitempty"`
	// SSE is x-amz-server-side-encryption as recorded (the embedded backend
	// does not encrypt).
	SSE string `json:",omitempty"`
	// Checksum is the additional checksum the caller received and verified.
	Checksum Checksum `json:",omitzero"`
	// Lock is the version's Object Lock state, which the S3 layer sets and
	// enforces; the backend keeps it like the rest of Meta.
	Lock Lock `json:",omitzero"`
}

// Lock is a version's Object Lock state
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html):
// a retention (a mode and the time it holds the version until) and a
// legal hold, each of which may be set without the other.
type Lock struct {
	// Mode is GOVERNANCE or COMPLIANCE ("" without a retention).
	Mode string `json:",omitempty"`
	// RetainUntil is when the retention ends (zero without one).
	RetainUntil time.Time `json:",omitzero"`
	// LegalHold says a legal hold is on.
	LegalHold bool `json:",omitempty"`
}

// Tag is one object tag.
type Tag struct {
	Key   string
	Value string
}

// Checksum is an additional checksum (x-amz-checksum-*) as the S3 layer
// verified it; for a multipart object the S3 layer composes "value-N".
type Checksum struct {
	// Algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.
	Algorithm string `json:",omitempty"`
	// Value is the base64 checksum.
	Value string `json:",omitempty"`
	// Type is FULL_OBJECT or COMPOSITE ("" when not given).
	Type string `json:",omitempty"`
}

// Clone returns a deep copy of m, so a caller can edit it freely.
func (m Meta) Clone() Meta {
	c := m
	if m.UserMetadata != nil {
		c.UserMetadata = make(map[string]string, len(m.UserMetadata))
		for k, v := range m.UserMetadata {
			c.UserMetadata[k] = v
		}
	}
	if m.Tags != nil {
		c.Tags = append([]Tag(nil), m.Tags...)
	}
	if m.ACL != nil {
		c.ACL = append([]byte(nil), m.ACL...)
	}
	return c
}

// Info describes one version of an object, or a delete marker.
type Info struct {
	Bucket string
	Key    string
	// VersionID is the version's id: "" while the bucket has never had
	// versioning, NullVersion for the version written while it was not
	// Enabled, otherwise the id the backend gave.
	VersionID string
	// Size is the object's length in bytes.
	Size int64
	// ETag is the quoted entity tag: the MD5 in hex for a single PUT or copy,
	// the MD5 of the parts' MD5s and "-N" for a multipart upload.
	ETag string
	// LastModified is when the version was written, to the second.
	LastModified time.Time
	// Meta is what was stored with the version.
	Meta Meta
	// IsDeleteMarker says the version is a delete marker (no bytes, no Meta).
	IsDeleteMarker bool
	// IsLatest says the version is the key's current one (ListVersions sets
	// it; elsewhere it is true for the version a call without a version id
	// selects).
	IsLatest bool
	// PartsCount is the number of parts of a multipart object, 0 otherwise.
	PartsCount int
	// Parts are a multipart object's parts in order, with the numbers they
	// were uploaded under (GetObject and HeadObject fill it; listings do
	// not): for ?partNumber= reads (PartRange) and GetObjectAttributes.
	Parts []ObjectPart
}

// ObjectPart is one part of a completed multipart object.
type ObjectPart struct {
	PartNumber int
	Size       int64
	// Checksum is the part's additional checksum, zero when none was sent.
	Checksum Checksum
}

// PartRange is the byte range of part n of the object, for a GET or HEAD
// with ?partNumber=n ("Effectively performs a 'ranged' GET request for the
// part specified", API_GetObject.html): the offset and length to read, for
// Content-Range: bytes start-(start+length-1)/Size. Part 1 of an object
// that is not multipart is the whole object; a part the object does not
// have gives ErrPartNotSatisfiable.
func (in Info) PartRange(n int) (start, length int64, err error) {
	if len(in.Parts) == 0 {
		if n == 1 {
			return 0, in.Size, nil
		}
		return 0, 0, ErrPartNotSatisfiable
	}
	for _, p := range in.Parts {
		if p.PartNumber == n {
			return start, p.Size, nil
		}
		start += p.Size
	}
	return 0, 0, ErrPartNotSatisfiable
}

// ObjectRef names one object version: VersionID "" is the current one.
type ObjectRef struct {
	Bucket    string
	Key       string
	VersionID string
}

// CopyResult is what CopyObject did: the new object, and the source version
// it was copied from (for x-amz-copy-source-version-id).
type CopyResult struct {
	Object Info
	Source Info
}

// GetOptions select what GetObject reads.
type GetOptions struct {
	// VersionID "" reads the current version.
	VersionID string
	// Range nil reads the whole object.
	Range *Range
	// PartNumber, when not 0, reads that part (see Info.PartRange). S3
	// refuses a request with both a Range and a partNumber (InvalidRequest,
	// 400); the S3 layer answers it without calling.
	PartNumber int
}

// DeleteResult is what DeleteObject did, for x-amz-version-id and
// x-amz-delete-marker.
type DeleteResult struct {
	// VersionID is the version removed or the delete marker added ("" when
	// the bucket has never had versioning).
	VersionID string
	// DeleteMarker says a delete marker was added or removed.
	DeleteMarker bool
}

// ListOptions select a page of List.
type ListOptions struct {
	// Prefix limits the listing to keys that begin with it.
	Prefix string
	// Delimiter, when set, rolls keys that hold it after the prefix up into
	// one common prefix each (up to and including the delimiter).
	Delimiter string
	// Marker starts the listing after this key (ListObjects' marker,
	// ListObjectsV2's start-after or decoded continuation token).
	Marker string
	// MaxKeys bounds Objects and CommonPrefixes together; 0 or more than
	// MaxKeys means MaxKeys. (S3's max-keys=0 returns an empty page; the S3
	// layer answers it without calling.)
	MaxKeys int
}

// ListResult is one page of List.
type ListResult struct {
	// Objects are the current versions, in key order.
	Objects []Info
	// CommonPrefixes are the rolled-up prefixes, in order.
	CommonPrefixes []string
	// IsTruncated says more entries follow.
	IsTruncated bool
	// NextMarker is the last key or common prefix returned when IsTruncated:
	// the next page's Marker.
	NextMarker string
}

// VersionListOptions select a page of ListVersions.
type VersionListOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker starts after this key's versions, or, with VersionIDMarker,
	// after that version of it.
	KeyMarker       string
	VersionIDMarker string
	// MaxKeys as in ListOptions.
	MaxKeys int
}

// VersionListResult is one page of ListVersions.
type VersionListResult struct {
	// Versions are objects and delete markers, by key, newest first within a
	// key; IsLatest marks each key's current version.
	Versions            []Info
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// PartInfo describes one uploaded part.
type PartInfo struct {
	PartNumber   int
	ETag         string
	Size         int64
	LastModified time.Time
	// Checksum is the part's additional checksum, zero when none was sent.
	Checksum Checksum
}

// CompletedPart is one entry of CompleteMultipartUpload's part list; ETag may
// be quoted or not.
type CompletedPart struct {
	PartNumber int
	ETag       string
	// Checksum is the part's checksum value as the request lists it
	// (ChecksumCRC32 and the like), "" when not listed; when listed it must
	// equal the uploaded part's.
	Checksum string
}

// CompleteOptions are CompleteMultipartUpload's hooks, both optional.
type CompleteOptions struct {
	// Cond is checked against the key's current object (see Precondition).
	Cond Precondition
	// Checksum is called with the listed parts as uploaded (numbers, sizes,
	// ETags, checksums) and returns the object's checksum: the S3 layer
	// composes a COMPOSITE one with ComposeChecksum, or a FULL_OBJECT one
	// with CombineChecksum, and checks it against the one the request sent.
	// Without it the object has the upload's Meta.Checksum as is. It must be
	// quick and must not call the backend.
	Checksum func(parts []PartInfo) (Checksum, error)
}

// PartListOptions select a page of ListParts.
type PartListOptions struct {
	// PartNumberMarker starts after this part number.
	PartNumberMarker int
	// MaxParts bounds the page; 0 or more than MaxKeys means MaxKeys.
	MaxParts int
}

// PartListResult is one page of ListParts.
type PartListResult struct {
	// Upload describes the upload the parts belong to.
	Upload               Upload
	Parts                []PartInfo
	IsTruncated          bool
	NextPartNumberMarker int
}

// Upload describes a multipart upload in progress.
type Upload struct {
	Key       string
	UploadID  string
	Initiated time.Time
	Meta      Meta
}

// UploadListOptions select a page of ListUploads.
type UploadListOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker starts after this key's uploads, or, with UploadIDMarker,
	// after that upload of it.
	KeyMarker      string
	UploadIDMarker string
	// MaxUploads bounds Uploads and CommonPrefixes together; 0 or more than
	// MaxKeys means MaxKeys.
	MaxUploads int
}

// UploadListResult is one page of ListUploads.
type UploadListResult struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// Limit returns the page size a listing option n asks for: n within
// 1..MaxKeys, else MaxKeys.
func Limit(n int) int {
	if n <= 0 || n > MaxKeys {
		return MaxKeys
	}
	return n
}
