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
// knows its declared length), otherwise with Transfer-Encoding:
// chunked — which SeaweedFS, MinIO, Ceph RGW and Gatehouse accept, and AWS S3
// itself refuses (411 MissingContentLength). The MD5 of the bytes sent is
// computed on the way and checked against the ETag the upstream returns,
// so the unsigned payload is still verified end to end. GetObject returns
// the upstream response body itself.
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
// does) and an Expires that is not an HTTP date. A caller's own metadata
// named gatehouse-* is stored as gatehouse-x-* so it can never pose as a
// reserved value. Values outside printable ASCII travel RFC 2047-encoded,
// as AWS returns them. AWS limits user metadata to 2 KB, which a large ACL
// can exceed.
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
//     id changes). The S3 layer records a verified x-amz-checksum-* this way
//     after each PUT that sent one, so such PUTs cost a copy upstream.
//
//   - List and ListVersions return each entry's full Meta, which S3 listings
//     do not carry: every entry costs a HeadObject (and a GetObjectTagging
//     when it has tags), Options.ListConcurrency at a time.
//
//   - HeadObject is a GET of bytes=0-0 (a HEAD's errors have no code, and
//     neither AWS's nor Gatehouse's HEAD reports the tag count), plus a
//     GetObjectTagging when there are tags; an empty object takes a HEAD and
//     a GetObjectTagging. A GET or HEAD that meets no object asks the version
//     listing whether a delete marker is current, when the upstream did not
//     say so with x-amz-delete-marker (Gatehouse does not).
//
//   - PutObject heads the new object for its LastModified, which a PUT's
//     response does not carry.
//
//   - CreateBucket asks HeadBucket first (AWS answers a re-creation in
//     us-east-1 with 200), DeleteBucket lists versions and uploads first
//     (not every upstream counts uploads in progress as content).
//
//   - CopyObject heads the new object for its size and metadata.
//
//   - S3 has no call that returns the metadata of a multipart upload in
//     progress, which the S3 layer needs (the initiator of ListParts and
//     ListMultipartUploads is Meta.Owner). A copy is kept as a small JSON
//     object in one more upstream bucket, Options.UploadsBucket: one more
//     PUT per CreateMultipartUpload, one more DELETE per completion or
//     abort, one GET per upload listed.
//
// # Limits
//
// CopyObject uses S3's single-request copy, limited to 5 GB sources by
// AWS. The upstream's ETags must be MD5s (a PUT whose ETag is 32 hex digits
// other than the MD5 of the bytes sent fails): AWS buckets encrypting with
// SSE-KMS or SSE-C by default do not qualify. A self-copy by UpdateMeta
// gives a multipart object the ETag of a single-part one where the
// upstream copies so (Gatehouse does). Tags come back in the upstream's
// order (Gatehouse and AWS sort them), not the order given.
package upstream
