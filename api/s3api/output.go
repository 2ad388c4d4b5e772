package s3api

// Output is what the S3 service returns from an operation: a generated
// output type, one of the hand-written documents of this package
// (ListBucketsPage, AccountPublicAccessBlock), an output with another status
// (WithStatus) or further headers (WithHeaders), or nil for an operation
// without output. api/s3codec writes each.
type Output = any

// StatusOutput is Output answered with Status in place of the operation's
// success status.
type StatusOutput struct {
	Output Output
	Status int
}

// WithStatus returns out answered with status in place of the operation's
// success status (206 for a range, 304 for a failed If-None-Match).
func WithStatus(out Output, status int) Output { return StatusOutput{Output: out, Status: status} }

// HTTPDate is the layout of S3's date headers (Last-Modified, Expires).
const HTTPDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// HeaderOutput is Output with further response headers.
type HeaderOutput struct {
	Output Output
	Header map[string]string
}

// WithHeaders returns out with further response headers, for members the
// model this package is generated from lacks (x-amz-bucket-region,
// Content-Range of a part read).
func WithHeaders(out Output, h map[string]string) Output { return HeaderOutput{Output: out, Header: h} }
