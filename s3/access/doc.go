// Package access is how Amazon S3 authorizes a request, as pure functions
// the S3 endpoint calls:
//
//   - Describe turns an S3 operation (its model name, bucket, key, version
//     id, headers and query) into the authorization checks it makes — the
//     actions and resource ARNs of the Service Authorization Reference and
//     the S3 user guide's "Required permissions for Amazon S3 API
//     operations" — each with the condition keys AWS supplies for that
//     action (s3:prefix, s3:x-amz-acl, s3:ExistingObjectTag/<key>, ...).
//   - Decider combines a bucket's policy and its ACLs (and an object's ACL)
//     into the one resource-based policy the engine evaluates, cached by
//     content, applying Object Ownership and Block Public Access, and
//     decides one check with AWS's AccessDenied message.
//   - Decider.Authorize runs the whole path for the S3 endpoint: each check
//     assembled by authz (the caller's policies, the organization's
//     guardrails), then decided.
//   - IsPublicPolicy, IsPublicACL and PublicAccessBlock implement S3 Block
//     Public Access; ObjectOwner, WriteObject, CreateBucketACL and PutACL
//     implement Object Ownership where S3 writes an ACL.
//
// The endpoint's use, per request:
//
//	checks, err := access.Describe(&access.Request{Operation: "GetObject", Bucket: b, Key: k, ...})
//	err = decider.Authorize(ctx, authorizer, caller, checks, factsOfBucketAndObject)
//
// The package does no I/O and does not speak HTTP: headers and query come
// as maps, and what only the S3 layer knows (the signature, TLS, the
// bucket's owner, an object's tags) comes as fields of the input.
package access
