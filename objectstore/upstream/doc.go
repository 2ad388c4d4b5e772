// Package upstream is the objectstore.Backend that forwards object
// operations — already authorized by Gatehouse — to an S3-compatible server
// (SeaweedFS, Ceph RGW, Garage, MinIO, AWS S3) under the upstream's own
// credentials, with aws-sdk-go-v2's S3 client (path-style addressing, a
// custom endpoint, static credentials).
//
// # Names
//
// Gatehouse's bucket b lives upstream as Options.BucketPrefix + b: upstream
// bucket names are global too, so a prefix keeps several Gatehouses (or
// Gatehouse and other tenants) apart on one server. Keys are passed as they
// are.
//
// # Bodies
//
// Bodies stream both ways. PutObject and UploadPart send the caller's reader
// as the request body with an UNSIGNED-PAYLOAD signature and checksum
// calculation "when required" (so the SDK neither hashes nor seeks the
// body): with its length when the reader tells it (Len() int, as
// bytes.Reader and strings.Reader do, or Size() int64 for a body that
// knows its declared length, as the S3 layer's request bodies do),
// otherwise with Transfer-Encoding: chunked — which SeaweedFS, MinIO and
// Ceph RGW accept, and AWS S3 and Gatehouse refuse (411
// MissingContentLength). A body that declares the SHA-256 its request
// signed (objectstore.DigestedBody: the S3 layer's, for a request with a
// hex x-amz-content-sha256) has its bytes hashed once on their way, by
// whichever end of the hop can verify them, and the upstream's ETag is
// returned as it is. How the write is signed follows the SDK's own rule
// for PutObject and UploadPart (unsigned over TLS, signed over plain
// HTTP). Over HTTPS it is sent UNSIGNED-PAYLOAD and the body verifies
// itself as it is read, failing its last read on a mismatch; the last
// byte is held back until it has passed (a mismatch cuts the request
// short of its Content-Length, and the upstream stores nothing), and TLS
// keeps the hop from changing the bytes. Over plain HTTP, where anyone on
// the path could change the body of an unsigned request, it is signed with
// the client's digest and the upstream verifies the bytes it receives
// against it, refusing them (XAmzContentSHA256Mismatch) and storing
// nothing when they differ: as S3 does, and SeaweedFS (tested). The body
// then hands its own verification over (objectstore.DigestDelegator), so
// the bytes are not hashed twice, and an upstream's XAmzContentSHA256Mismatch
// is answered with the body's own error (without S3ComputedContentSHA256,
// which the SDK does not keep). That the upstream verifies is not assumed:
// the backend asks it once, at the first such write, with a PUT to the
// uploads bucket that it must refuse; an upstream that stores it instead
// has the probe deleted, and the bodies keep verifying themselves. Any
// other body (an unsigned or
// aws-chunked payload, verified by the S3 layer against its checksum when
// it has one) is sent UNSIGNED-PAYLOAD; over plain HTTP the MD5 of the
// bytes sent is computed on the way and checked against the ETag the
// upstream returns, over HTTPS it is not (TLS keeps the bytes as sent, as
// for a declared digest). GetObject returns the upstream response body
// itself.
//
// # Metadata
//
// What S3 carries natively goes as S3 fields: the content headers,
// Expires (when it is an HTTP date), x-amz-website-redirect-location, user
// metadata, tags (x-amz-tagging, GetObjectTagging when the tag count is not
// zero) and the storage class. What S3 has no place for is kept in user
// metadata under reserved names and hidden from Meta.UserMetadata on the
// way back: Meta.Owner (x-amz-meta-gatehouse-owner), Meta.ACL
// (x-amz-meta-gatehouse-acl, base64), Meta.Checksum
// (x-amz-meta-gatehouse-checksum: Gatehouse verified it itself, and a
// multipart "value-N" cannot be sent as a checksum header), Meta.SSE
// (x-amz-meta-gatehouse-sse: recorded, not forwarded, as the embedded backend
// does) and an Expires that is not an HTTP date. The website redirect
// goes both as its S3 field and as x-amz-meta-gatehouse-redirect, which
// is read when the field comes back empty (SeaweedFS drops it). A caller's own metadata
// named gatehouse-* is stored as gatehouse-x-* so it can never pose as a
// reserved value. Values outside printable ASCII travel RFC 2047-encoded,
// as AWS returns them. AWS limits user metadata to 2 KB, which a large ACL
// can exceed.
//
// A checksum PutObject learns only once the body is read (Meta.Checksum
// without a value, filled from an objectstore.ChecksummedBody, as for
// every PUT with an x-amz-checksum-* or a trailer through the S3 layer)
// cannot go in the PUT's headers: it is recorded by a self-copy right
// after, conditional on the ETag written (see Costs).
//
// # Records in the uploads bucket
//
// What S3 keeps of multipart uploads without a way to return it, or does
// not keep, lives as small objects in one more upstream bucket,
// Options.UploadsBucket (see records.go and uploadmeta.go):
//
//   - an upload's Meta, as JSON, while it is in progress (the S3 layer
//     needs its Owner, the initiator in ListParts and ListMultipartUploads);
//   - each part's additional checksum (objectstore.BodyChecksum of the
//     part's body), as an empty object whose name carries it, so that one
//     listing returns an upload's checksums for ListParts and
//     CompleteMultipartUpload; a record counts only while the part's ETag
//     upstream is the one it names;
//   - each completed multipart object's parts (the numbers they were
//     uploaded under, sizes, checksums) and its checksum as
//     CompleteOptions.Checksum computed it, as JSON named by the bucket,
//     the key's SHA-256 and the object's ETag: GetObject and HeadObject of
//     a multipart object read it for Info.Parts and Meta.Checksum.
//
// The first two go when the upload completes or is aborted. The third is
// not deleted with its object (S3 tells nobody of a delete): each
// multipart object ever completed (or whose completion the upstream
// refused after the record was written) leaves a few hundred bytes
// behind. With
// UploadsBucket "-" none is kept: Upload.Meta is empty, parts have no
// checksums, and a multipart object reports PartsCount but no Parts (so
// PartRange knows only part 1 of a single-part object) and keeps the
// upload's Meta.Checksum without a value.
//
// # Conditional writes
//
// A Precondition is a function, not a header, so PutObject and
// CompleteMultipartUpload with one make a compare-and-swap of it: they
// head the key's current object, evaluate the precondition against it
// (returning its error as is, before the body is read), then send the
// write with If-Match on the ETag seen, or If-None-Match: * when there was
// no object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
// Whatever shape the precondition has — the S3 layer builds If-None-Match:
// *, If-Match: etag or both — the upstream lets only one of two racing
// writers commit, and the loser's precondition is evaluated again against
// the winner, so it gets PreconditionFailed. Two limits: a loser whose
// precondition holds against the winner too (If-Match on an ETag the
// winner wrote again) fails with an error that asks to retry, as AWS's
// 409 ConditionalRequestConflict does; and an upstream that ignores
// If-Match and If-None-Match on PUT and CompleteMultipartUpload (not every
// S3-compatible server implements conditional writes) leaves the window
// between the HEAD and the commit open: there two racing If-None-Match: *
// creators can both succeed.
//
// # Costs
//
// Some Backend guarantees have no S3 call of their own and cost extra
// upstream requests:
//
//   - UpdateMeta changing only tags is PutObjectTagging (or
//     DeleteObjectTagging). Any other change (ACL, owner, checksum) is a
//     server-side self-copy with the REPLACE directives: the upstream copies
//     the bytes, LastModified moves, and in a bucket with versioning Enabled
//     the copy is a new version (the old one is then deleted, so the version
//     id changes). A PutObject whose checksum is known only after its body
//     (every PUT through the S3 layer that sends one) records it the same
//     way, so such PUTs cost a copy upstream; a reader may see the object
//     without its checksum meanwhile.
//
//   - List and ListVersions return each entry's full Meta, which S3 listings
//     do not carry: every entry costs a HeadObject (and a GetObjectTagging
//     when it has tags, and a GET of its record when it is multipart),
//     Options.ListConcurrency at a time. An upstream that lists versions and
//     delete markers apart (Gatehouse does) leaves the order of a version
//     and a delete marker of one key written within one second ambiguous:
//     ListVersions then asks one more listing per such entry.
//
//   - HeadObject is a GET of bytes=0-0 (a HEAD's errors have no code, and
//     neither AWS's nor Gatehouse's HEAD reports the tag count), plus a
//     GetObjectTagging when there are tags; an empty object takes a HEAD and
//     a GetObjectTagging. A GET or HEAD that meets no object asks the version
//     listing whether a delete marker is current, when the upstream did not
//     say so with x-amz-delete-marker (Gatehouse does not). A GET or HEAD of
//     a multipart object reads its record too.
//
//   - PutObject heads the new object for its LastModified, which a PUT's
//     response does not carry (nor, in a bucket with versioning
//     Suspended, its version id "null", which the HEAD shows); with a
//     Precondition it heads the key first.
//
//   - PutObject, CopyObject and CreateMultipartUpload ask HeadBucket once
//     per bucket and Backend before their first write to it (a bucket
//     created here counts as seen): SeaweedFS creates a missing bucket on
//     a write, where S3 answers NoSuchBucket.
//
//   - CreateBucket asks HeadBucket first (AWS answers a re-creation in
//     us-east-1 with 200), DeleteBucket lists versions and uploads first
//     (not every upstream counts uploads in progress as content).
//
//   - CopyObject heads the source first (meta is called with it, and the
//     copy is of that version: x-amz-copy-source-if-match on its ETag, and
//     its version id), and the new object after for its size and metadata.
//
//   - Multipart uploads: CreateMultipartUpload one more PUT (the upload's
//     Meta), UploadPart one more PUT when the part has a checksum, ListParts
//     one more listing and a GET, ListMultipartUploads one GET per upload;
//     CompleteMultipartUpload lists the parts and their records (it checks
//     the list itself, so the hooks see the parts as uploaded), writes the
//     object's record, then deletes the upload's records (a listing, a
//     DeleteObjects, a DELETE) and heads the object; with a Precondition it
//     heads the key first.
//
// # Limits
//
// CopyObject uses S3's single-request copy, limited to 5 GB sources by
// AWS. The upstream's ETags must be MD5s (a PUT over plain HTTP whose ETag
// is 32 hex digits other than the MD5 of the bytes sent fails): AWS buckets encrypting with
// SSE-KMS or SSE-C by default do not qualify. A self-copy by UpdateMeta
// gives a multipart object the ETag of a single-part one where the
// upstream copies so (Gatehouse does), and with it loses its parts. Tags
// come back in the upstream's order (Gatehouse and AWS sort them), not
// the order given. A read by part number (GetOptions.PartNumber) is
// forwarded as ?partNumber=, so it relies on the upstream numbering parts
// as they were uploaded (Gatehouse does) where Info.Parts, from the
// record, always does.
//
// # SeaweedFS
//
// Where SeaweedFS differs from S3 and the difference can be made up here
// at no cost per request, it is: an unknown version id in a bucket never
// versioned is NoSuchVersion (SeaweedFS: InvalidArgument), a write to a
// missing bucket is NoSuchBucket, the website redirect is kept, a part
// number uploaded again lists once (SeaweedFS keeps every upload of it),
// listings keep to the prefix asked and to UTF-8 binary order, and a
// marker ending with a delimiter other than '/' lists after it. What
// SeaweedFS lacks — keys as flat names (it stores "a" and "a/b" as a file
// and a directory, and folds "/a" and "a//b"), a copy of a multipart
// object as a single-part one, deleting a null delete marker by its id,
// the order of versions written within one second — is listed in
// seaweedfs_test.go, where the conformance suite leaves those checks out.
package upstream
