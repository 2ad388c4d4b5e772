package s3api

// Document is an S3 XML document answered as it was kept: a bucket
// configuration is stored as the document its GET returns, so the GET
// answers those bytes (api/s3codec writes it).
type Document struct {
	// Body is the XML document, with its declaration.
	Body []byte
	// Header holds header members to set beside it.
	Header map[string]string
}

// Documents reads and writes S3's XML documents: how the S3 service keeps
// a bucket configuration as the document its GET answers, and reads it
// back. The codec (api/s3codec.Documents) implements it and the wiring
// hands it to the service, which so reaches no protocol package.
type Documents interface {
	// Encode returns the XML document out writes as its payload (nil for
	// an output without one).
	Encode(out Output) []byte
	// Decode reads doc, an XML document whose root element is root, into
	// v (a pointer to a document structure the codec knows, such as
	// *CORSConfiguration). A document that does not parse is MalformedXML.
	Decode(doc []byte, root string, v any) error
}
