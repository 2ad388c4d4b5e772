package s3api

import "github.com/gatehouse-iam/gatehouse/protocol/restxml"

// Output is what the S3 service returns from an operation: a generated
// output type, an output with another status (WithStatus), or nil for an
// operation without output.
type Output = restxml.Output

// WithStatus returns out answered with status in place of the operation's
// success status (206 for a range, 304 for a failed If-None-Match).
func WithStatus(out Output, status int) Output { return restxml.WithStatus(out, status) }

// HTTPDate is the layout of S3's date headers (Last-Modified, Expires).
const HTTPDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// WithHeaders returns out with further response headers, for members the
// model this package is generated from lacks (x-amz-bucket-region,
// Content-Range of a part read).
func WithHeaders(out Output, h map[string]string) Output { return headerOutput{out, h} }

type headerOutput struct {
	out Output
	h   map[string]string
}

// EncodeResponse implements Output.
func (o headerOutput) EncodeResponse(r *restxml.Response) {
	if o.out != nil {
		o.out.EncodeResponse(r)
	}
	for k, v := range o.h {
		r.Header.Set(k, v)
	}
}
