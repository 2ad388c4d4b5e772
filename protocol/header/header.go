// Package header sets the headers every response of AWS's Query and JSON
// protocols carries, on the path of every request.
package header

import (
	"net/http"
	"strconv"
)

// Set sets Content-Type (unless contentType is nil: the caller sets it),
// Content-Length and x-amzn-RequestId in h, straight under their canonical
// names, as Header.Set would store them, without canonicalizing each name
// again or allocating a slice per value. contentType is stored as given and
// must never be modified (a shared slice).
func Set(h http.Header, contentType []string, length int, requestID string) {
	if contentType != nil {
		h["Content-Type"] = contentType
	}
	vals := []string{strconv.Itoa(length), requestID}
	// Each value's slice is capped at its length, so an Add appends to a
	// copy rather than into the other value.
	h["Content-Length"] = vals[0:1:1]
	h["X-Amzn-Requestid"] = vals[1:2:2] // x-amzn-RequestId
}
