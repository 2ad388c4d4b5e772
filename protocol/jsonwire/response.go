package jsonwire

import (
	"fmt"
	"net/http"

	"github.com/gatehouse-iam/gatehouse/protocol/header"
)

// Marshal renders a successful response body with encode (a service's
// generated EncodeOutput); an operation without output (out nil, or not a
// generated output type) answers "{}".
func Marshal(encode func(*Encoder, any) bool, out any) []byte {
	if out == nil {
		return []byte("{}")
	}
	var e Encoder
	encode(&e, out)
	if len(e.Bytes()) == 0 {
		return []byte("{}")
	}
	return e.Bytes()
}

// Write writes a response of both JSON protocols: status, the content type,
// Content-Length, the x-amzn-RequestId header and body.
func Write(w http.ResponseWriter, status int, contentType, requestID string, body []byte) error {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	header.Set(h, nil, len(body), requestID)
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
