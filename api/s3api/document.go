package s3api

import "github.com/gatehouse-iam/gatehouse/protocol/restxml"

// Document is an S3 XML document answered as it was kept: a bucket
// configuration is stored as the document its GET returns, so the GET
// answers those bytes.
type Document struct {
	// Body is the XML document, with its declaration.
	Body []byte
	// Header holds header members to set beside it.
	Header map[string]string
}

// EncodeResponse implements Output.
func (d Document) EncodeResponse(r *restxml.Response) {
	r.Body, r.ContentType = d.Body, "application/xml"
	for k, v := range d.Header {
		r.Header.Set(k, v)
	}
}

// EncodeDocument returns the XML document out writes as its payload (nil
// for an output without one).
func EncodeDocument(out Output) []byte {
	r := &restxml.Response{Header: map[string][]string{}}
	out.EncodeResponse(r)
	return r.Body
}

// XMLDecoder is a structure decoded from a request document (the generated
// DecodeXML method).
type XMLDecoder interface {
	DecodeXML(d *restxml.Decoder, n *restxml.Node)
}

// DecodeDocument reads doc, an XML document whose root element is root,
// into v: how a kept configuration is read back. A document that does not
// parse is MalformedXML.
func DecodeDocument(doc []byte, root string, v XMLDecoder) error {
	return restxml.DecodeDocument(doc, root, v.DecodeXML)
}
