package s3codec

import (
	"fmt"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// Documents returns the reader and writer of S3's XML documents that the
// S3 service keeps bucket configurations with.
func Documents() s3api.Documents { return documents{} }

type documents struct{}

// Encode implements s3api.Documents.
func (documents) Encode(out s3api.Output) []byte {
	r := &restxml.Response{Header: map[string][]string{}}
	if o, ok := Output(out).(restxml.Output); ok {
		o.EncodeResponse(r)
	} else {
		encodeAny(r, out)
	}
	return r.Body
}

// Decode implements s3api.Documents.
func (documents) Decode(doc []byte, root string, v any) error {
	switch v := v.(type) {
	case *s3api.CORSConfiguration:
		return restxml.DecodeDocument(doc, root, func(d *restxml.Decoder, n *restxml.Node) { decodeXMLCORSConfiguration(d, n, v) })
	case *s3api.ObjectLockConfiguration:
		return restxml.DecodeDocument(doc, root, func(d *restxml.Decoder, n *restxml.Node) { decodeXMLObjectLockConfiguration(d, n, v) })
	}
	return fmt.Errorf("s3codec: no document reader for %T", v)
}

// document writes a kept document as it was kept (s3api.Document).
type document struct{ d s3api.Document }

// EncodeResponse implements restxml.Output.
func (o document) EncodeResponse(r *restxml.Response) {
	r.Body, r.ContentType = o.d.Body, "application/xml"
	for k, v := range o.d.Header {
		r.Header.Set(k, v)
	}
}
