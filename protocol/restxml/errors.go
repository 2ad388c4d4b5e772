package restxml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// S3's error codes that the runtime answers itself. Codes, statuses and
// messages: the "List of error codes" of the Amazon S3 API Reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
const (
	CodeMalformedXML             = "MalformedXML"
	CodeInvalidArgument          = "InvalidArgument"
	CodeInvalidRequest           = "InvalidRequest"
	CodeInvalidBucketName        = "InvalidBucketName"
	CodeKeyTooLong               = "KeyTooLongError"
	CodeMethodNotAllowed         = "MethodNotAllowed"
	CodeNotImplemented           = "NotImplemented"
	CodeMaxMessageLengthExceeded = "MaxMessageLengthExceeded"
	CodeInternalError            = "InternalError"
	CodeMissingRequestBody       = "MissingRequestBodyError"
	CodeIncompleteBody           = "IncompleteBody"
)

// S3's messages for those codes (same source).
const (
	msgMalformedXML             = "The XML you provided was not well-formed or did not validate against our published schema"
	msgMethodNotAllowed         = "The specified method is not allowed against this resource."
	msgNotImplemented           = "A header you provided implies functionality that is not implemented"
	msgInternalError            = "We encountered an internal error. Please try again."
	msgMaxMessageLengthExceeded = "Your request was too big."
	msgKeyTooLong               = "Your key is too long"
	msgInvalidBucketName        = "The specified bucket is not valid."
	msgMissingRequestBody       = "Request Body is empty"
)

// MalformedXML is S3's answer to a request document that is not well-formed
// or does not follow the schema (400).
func MalformedXML() *awserr.Error {
	return &awserr.Error{Code: CodeMalformedXML, Status: http.StatusBadRequest, Sender: true, Message: msgMalformedXML}
}

// InvalidArgument is S3's 400 for a parameter whose value it refuses, with
// the ArgumentName and ArgumentValue elements S3 adds.
func InvalidArgument(message, name, value string) *awserr.Error {
	return (&awserr.Error{Code: CodeInvalidArgument, Status: http.StatusBadRequest, Sender: true, Message: message}).
		WithMembers(map[string]any{"ArgumentName": name, "ArgumentValue": value})
}

// InvalidRequest is S3's generic 400 for a request it cannot serve as sent.
func InvalidRequest(message string) *awserr.Error {
	return &awserr.Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Sender: true, Message: message}
}

// MethodNotAllowed is S3's 405 for a method no operation of the resource
// accepts; resourceType is SERVICE, BUCKET or OBJECT.
func MethodNotAllowed(method, resourceType string) *awserr.Error {
	return (&awserr.Error{Code: CodeMethodNotAllowed, Status: http.StatusMethodNotAllowed, Sender: true, Message: msgMethodNotAllowed}).
		WithMembers(map[string]any{"Method": method, "ResourceType": resourceType})
}

// NotImplemented is S3's 501 for functionality it does not implement; the
// server answers it for the operations Gatehouse does not serve.
func NotImplemented() *awserr.Error {
	return &awserr.Error{Code: CodeNotImplemented, Status: http.StatusNotImplemented, Message: msgNotImplemented}
}

// ErrorOf returns err as an *awserr.Error; any other error (or an internal
// failure) becomes S3's 500 InternalError whose cause is err, never
// rendered.
func ErrorOf(err error) *awserr.Error {
	return awserr.OfProtocol(err, awserr.Error{Code: CodeInternalError, Status: http.StatusInternalServerError, Message: msgInternalError})
}

// HostID is the x-amz-id-2 value of a response: an opaque token derived
// from the request id (S3's is a base64 host identifier).
func HostID(requestID string) string {
	return base64.StdEncoding.EncodeToString([]byte("gatehouse/" + requestID))
}

// MarshalError renders S3's error document: Code, Message, the error's
// members (in S3's order, see memberOrder), RequestId and HostId. No
// namespace, no wrapper.
func MarshalError(ae *awserr.Error, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error>")
	elem(&b, "Code", ae.Code)
	elem(&b, "Message", ae.Message)
	keys := make([]string, 0, len(ae.Members))
	for k := range ae.Members {
		if k != "Code" && k != "Message" && k != "RequestId" && k != "HostId" && validName(k) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		ra, rb := memberRank(a), memberRank(b)
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		elem(&b, k, memberText(ae.Members[k]))
	}
	elem(&b, "RequestId", requestID)
	elem(&b, "HostId", HostID(requestID))
	b.WriteString("</Error>")
	return b.Bytes()
}

// memberOrder is the order S3 writes the extra elements of its errors in,
// from its recorded documents: SignatureDoesNotMatch's AWSAccessKeyId,
// StringToSign, SignatureProvided, StringToSignBytes, CanonicalRequest,
// CanonicalRequestBytes; RequestTimeTooSkewed's RequestTime, ServerTime,
// MaxAllowedSkewMilliseconds; an expired presigned URL's X-Amz-Expires,
// Expires, ServerTime; InvalidArgument's ArgumentName, ArgumentValue;
// EntityTooLarge's ProposedSize, MaxSizeAllowed. Other members follow in
// name order.
var memberOrder = []string{
	"BucketName", "Key", "Resource", "Method", "ResourceType",
	"ArgumentName", "ArgumentValue",
	"AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes",
	"HeadersNotSigned", "X-Amz-Expires", "Expires", "RequestTime", "ServerTime", "MaxAllowedSkewMilliseconds",
	"ProposedSize", "MinSizeAllowed", "MaxSizeAllowed", "Size",
}

func memberRank(name string) int {
	if i := slices.Index(memberOrder, name); i >= 0 {
		return i
	}
	return len(memberOrder)
}

func memberText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

// validName reports whether s can be an element name as written (ASCII
// letters, digits, '-', '_', not starting with a digit).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case (r >= '0' && r <= '9') || r == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func elem(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text)) // a bytes.Buffer does not fail
	b.WriteString("</" + name + ">")
}

// WriteError writes ae as S3 does: its status (500 when it is not an error
// status), x-amz-request-id and x-amz-id-2, and the error document, except
// for a HEAD request, which gets the status alone.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, requestID string, ae *awserr.Error) error {
	if ae == nil {
		ae = ErrorOf(nil)
	}
	status := ae.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", HostID(requestID))
	if r != nil && r.Method == http.MethodHead {
		w.WriteHeader(status)
		return nil
	}
	body := MarshalError(ae, requestID)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write S3 error: %w", err)
	}
	return nil
}
