package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// S3's messages. Sources: the S3 API reference's error code list
// (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), and S3's
// recorded answers quoted by the S3 reimplementations that test against it
// (minio cmd/api-errors.go, versitygw s3err/s3err.go, moto s3/exceptions.py).
const (
	msgS3InvalidAccessKey   = "The AWS Access Key Id you provided does not exist in our records."
	msgS3SignatureMismatch  = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgS3TooSkewed          = "The difference between the request time and the current time is too large."
	msgS3MissingContentHash = "Missing required header for this request: x-amz-content-sha256"
	msgS3BadContentHash     = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
	msgS3NotImplemented     = "A header you provided implies functionality that is not implemented."
	msgS3AccessDenied       = "Access Denied"
	msgS3OneMechanism       = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgS3AuthType           = "Unsupported Authorization Type"
	msgS3QueryAlgorithm     = "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\""
	msgS3Version2           = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgS3NotSigned          = "There were headers present in the request which were not signed"
	msgS3HeaderComponents   = "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."
	msgS3QueryParams        = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgS3HeaderDate         = "AWS authentication requires a valid Date or x-amz-date header"
	msgS3QueryDate          = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
	msgS3NotYetValid        = "Request is not yet valid"
	msgS3CredentialShape    = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
	msgS3HeaderMalformed    = "The authorization header is malformed; "
	msgS3QueryCredential    = "Error parsing the X-Amz-Credential parameter; "
)

// The x-amz-content-sha256 values that are not a hash.
const (
	streamingSigned         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailr = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingECDSA          = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer   = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// isoExtended is the layout of times in S3's error documents.
const isoExtended = "2006-01-02T15:04:05Z"

// IsAnonymous reports whether r carries no authentication at all: no
// Authorization header (or an empty one) and none of the query parameters of
// a presigned URL (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, or
// Signature Version 2's AWSAccessKeyId and Signature). S3 serves such
// requests as the anonymous principal instead of refusing them.
func IsAnonymous(r *http.Request) bool {
	if firstValue(r.Header, "Authorization") != "" {
		return false
	}
	var buf [16]param
	for _, p := range parseQuery(rawQuery(r), buf[:0]) {
		for _, n := range [...]string{qAlgorithm, qCredential, qSignature, "AWSAccessKeyId", "Signature"} {
			if strings.EqualFold(p.key, n) {
				return false
			}
		}
	}
	return true
}

// presignNames are the query parameters of SigV4 presigning.
var presignNames = [...]string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature, qSecurityToken, qContentSHA256}

// s3ParamNames returns params with the names of the presigning parameters
// in their canonical case, appended to dst (params itself when none needs
// it).
func s3ParamNames(params, dst []param) []param {
	changed := false
	for _, p := range params {
		for _, n := range presignNames {
			if p.key != n && strings.EqualFold(p.key, n) {
				p.key, changed = n, true
			}
		}
		dst = append(dst, p)
	}
	if !changed {
		return params
	}
	return dst
}

// withoutSignature returns params without the X-Amz-Signature parameter,
// in any case, which a presigned URL's canonical query leaves out.
func withoutSignature(params []param) []param {
	if !slices.ContainsFunc(params, func(p param) bool { return p.key != qSignature && strings.EqualFold(p.key, qSignature) }) {
		return params
	}
	out := params[:0:0]
	for _, p := range params {
		if p.key != qSignature && strings.EqualFold(p.key, qSignature) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func s3Error(code string, status int, msg string, fields ...Field) *Error {
	return &Error{Code: code, Status: status, Message: msg, Fields: fields}
}

func errS3Mismatch() *Error {
	return s3Error(CodeSignatureDoesNotMatch, http.StatusForbidden, msgS3SignatureMismatch)
}

func errS3Malformed(presigned bool, msg string) *Error {
	if presigned {
		return s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msgS3QueryCredential+msg)
	}
	return s3Error(CodeAuthorizationHeaderMalformed, http.StatusBadRequest, msgS3HeaderMalformed+msg)
}

// s3Translate answers an error of the IAM-style parser with S3's code and
// message for the same failure.
func s3Translate(e *Error, r *http.Request, params []param) *Error {
	header := firstValue(r.Header, "Authorization")
	switch e.kind {
	case kindNoAuth:
		_, v2key := lookup(params, "AWSAccessKeyId")
		_, v2sig := lookup(params, "Signature")
		if v2key && v2sig {
			return s3Error(CodeInvalidRequest, http.StatusBadRequest, msgS3Version2)
		}
		return s3Error(CodeAccessDenied, http.StatusForbidden, msgS3AccessDenied)
	case kindHost:
		signed := ""
		if header != "" {
			f, _ := parseAuthorization(header)
			signed = f.signedHeaders
		} else {
			signed, _ = lookup(params, qSignedHeaders)
		}
		return errHeadersNotSigned(r, signed)
	case kindBothAuth:
		return s3Error(CodeInvalidArgument, http.StatusBadRequest, msgS3OneMechanism,
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", header})
	case kindAlgorithm:
		if alg, _, _ := strings.Cut(strings.TrimSpace(header), " "); alg == "AWS" {
			return s3Error(CodeInvalidRequest, http.StatusBadRequest, msgS3Version2)
		}
		return s3Error(CodeInvalidArgument, http.StatusBadRequest, msgS3AuthType,
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", header})
	case kindQueryAlgorithm:
		return s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msgS3QueryAlgorithm)
	case kindHeaderParams:
		return s3Error(CodeAuthorizationHeaderMalformed, http.StatusBadRequest, msgS3HeaderComponents)
	case kindMissingEqual:
		return s3Error(CodeAuthorizationHeaderMalformed, http.StatusBadRequest,
			msgS3HeaderMalformed+"the authorization component \""+e.detail+"\" is malformed.")
	case kindQueryParams:
		return s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msgS3QueryParams)
	case kindDate:
		if header == "" {
			return s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msgS3QueryDate)
		}
		return s3Error(CodeAccessDenied, http.StatusForbidden, msgS3HeaderDate)
	case kindCredential:
		return errS3Malformed(header == "", msgS3CredentialShape)
	}
	if e.Code == CodeSignatureDoesNotMatch {
		return errS3Mismatch()
	}
	return e
}

// s3CheckTime enforces S3's clock skew for header-signed requests and the
// validity window of presigned URLs: from 15 minutes before X-Amz-Date to
// X-Amz-Expires seconds after it, inclusive (X-Amz-Expires=0 is never
// valid).
func (v *Verifier) s3CheckTime(a *Auth, r *http.Request, now time.Time) *Error {
	if a.Presigned {
		if a.Date.After(now.Add(v.skew)) {
			return s3Error(CodeAccessDenied, http.StatusForbidden, msgS3NotYetValid,
				Field{"X-Amz-Date", a.amzDate}, Field{"ServerTime", now.UTC().Format(isoExtended)})
		}
		if end := a.Date.Add(a.Expires); a.Expires == 0 || now.After(end) {
			return s3Error(CodeAccessDenied, http.StatusForbidden, msgRequestExpired,
				Field{"X-Amz-Expires", strconv.FormatInt(int64(a.Expires/time.Second), 10)},
				Field{"Expires", end.UTC().Format(isoExtended)},
				Field{"ServerTime", now.UTC().Format(isoExtended)})
		}
		return nil
	}
	if d := now.Sub(a.Date); d > v.skew || d < -v.skew {
		sent := firstValue(r.Header, "X-Amz-Date")
		if sent == "" {
			sent = firstValue(r.Header, "Date")
		}
		return s3Error(CodeRequestTimeTooSkewed, http.StatusForbidden, msgS3TooSkewed,
			Field{"RequestTime", sent},
			Field{"ServerTime", now.UTC().Format(isoExtended)},
			Field{"MaxAllowedSkewMilliseconds", strconv.FormatInt(v.skew.Milliseconds(), 10)})
	}
	return nil
}

// errHeadersNotSigned is S3's refusal of a request that sends x-amz-*
// headers, or a host, that its signature does not cover; nil when there
// are none.
func errHeadersNotSigned(r *http.Request, signed string) *Error {
	var missing []string
	if !signsHost(signed) {
		missing = append(missing, "host")
	}
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !listed(signed, lower) {
			missing = append(missing, lower)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return s3Error(CodeAccessDenied, http.StatusForbidden, msgS3NotSigned,
		Field{"HeadersNotSigned", strings.Join(missing, ", ")})
}

// listed reports whether the SignedHeaders list names the header (any case).
func listed(list, name string) bool {
	for rest := list; rest != ""; {
		var n string
		n, rest, _ = strings.Cut(rest, ";")
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// s3CheckScope checks the credential scope, reporting the first wrong part
// in S3's words.
func (v *Verifier) s3CheckScope(a *Auth) *Error {
	if len(a.scopeDate) != 8 || !isDigits(a.scopeDate) {
		return errS3Malformed(a.Presigned, "incorrect date format \""+a.scopeDate+"\". This date in the credential must be in the format \"yyyyMMdd\".")
	}
	if day := a.amzDate[:8]; a.scopeDate != day {
		msg := "Invalid credential date \"" + a.scopeDate + "\". This date is not the same as X-Amz-Date: \"" + day + "\"."
		if a.Presigned {
			return s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msg)
		}
		return s3Error(CodeAuthorizationHeaderMalformed, http.StatusBadRequest, msgS3HeaderMalformed+msg)
	}
	if len(v.regions) > 0 && !containsString(v.regions, a.Region) {
		e := errS3Malformed(a.Presigned, "the region '"+a.Region+"' is wrong; expecting '"+v.regions[0]+"'")
		e.Fields = []Field{{"Region", v.regions[0]}}
		return e
	}
	if v.service != "" && a.Service != v.service {
		return errS3Malformed(a.Presigned, "incorrect service \""+a.Service+"\". This endpoint belongs to \""+v.service+"\".")
	}
	if a.terminator != terminator {
		return errS3Malformed(a.Presigned, "incorrect terminal \""+a.terminator+"\". This endpoint uses \""+terminator+"\".")
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// payloadKind is what an S3 request's x-amz-content-sha256 declares.
type payloadKind uint8

const (
	payloadHash            payloadKind = iota // a hex SHA-256 of the body
	payloadUnsigned                           // UNSIGNED-PAYLOAD
	payloadSigned                             // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	payloadSignedTrailer                      // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	payloadUnsignedTrailer                    // STREAMING-UNSIGNED-PAYLOAD-TRAILER
)

// s3Payload returns the payload value an S3 request signs with and what it
// declares. A header-signed request must send x-amz-content-sha256; a
// presigned URL signs UNSIGNED-PAYLOAD unless its query names a value.
func s3Payload(a *Auth, r *http.Request, params []param) (string, payloadKind, *Error) {
	var value string
	if a.Presigned {
		q, ok := lookup(params, qContentSHA256)
		if !ok {
			return unsignedPayload, payloadUnsigned, nil
		}
		value = q
	} else {
		vs := r.Header["X-Amz-Content-Sha256"]
		if len(vs) == 0 {
			return "", 0, s3Error(CodeInvalidRequest, http.StatusBadRequest, msgS3MissingContentHash)
		}
		value = vs[0]
	}
	switch value {
	case unsignedPayload:
		return value, payloadUnsigned, nil
	case streamingSigned:
		return value, payloadSigned, nil
	case streamingSignedTrailer:
		return value, payloadSignedTrailer, nil
	case streamingUnsignedTrailr:
		return value, payloadUnsignedTrailer, nil
	case streamingECDSA, streamingECDSATrailer:
		return "", 0, s3Error(CodeNotImplemented, http.StatusNotImplemented, msgS3NotImplemented,
			Field{"Header", "x-amz-content-sha256"})
	}
	if len(value) != 2*sha256.Size || !isLowerHex(value) {
		return "", 0, s3Error(CodeInvalidArgument, http.StatusBadRequest, msgS3BadContentHash,
			Field{"ArgumentName", "x-amz-content-sha256"}, Field{"ArgumentValue", value})
	}
	return value, payloadHash, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// errPayloadMismatch is S3's XAmzContentSHA256Mismatch with both hashes.
func errPayloadMismatch(declared string, computed []byte) *Error {
	return errPayloadMismatchHex(declared, hex.EncodeToString(computed))
}

// errPayloadMismatchHex is errPayloadMismatch with the computed hash in
// hex, left out when "" (unknown).
func errPayloadMismatchHex(declared, computed string) *Error {
	fields := []Field{{"ClientComputedContentSHA256", declared}}
	if computed != "" {
		fields = append(fields, Field{"S3ComputedContentSHA256", computed})
	}
	return s3Error(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest, msgPayloadMismatch, fields...)
}

// s3CanonicalPath returns S3's canonical URI of the path sent on the wire:
// the path percent-decoded (a '%' not followed by two hex digits stands for
// itself) and encoded again, once, with every byte but the unreserved
// characters and '/' as %XX in upper-case hex. It is the path itself for
// what the SDKs send (aws-sdk-go-v2 escapes keys that way; botocore quotes
// them with safe "/~"); for others it is what S3 computes: "%7E" becomes
// "~", "%c3" "%C3", and a '+' or '!' sent as is becomes "%2B" or "%21".
func s3CanonicalPath(p string) string {
	canonical := true
	for i := 0; i < len(p) && canonical; i++ {
		c := p[i]
		switch {
		case unreserved(c) || c == '/':
		case c == '%' && i+2 < len(p) && isUpperHex(p[i+1]) && isUpperHex(p[i+2]):
			hv, _ := unhex(p[i+1])
			lv, _ := unhex(p[i+2])
			if b := hv<<4 | lv; unreserved(b) || b == '/' {
				canonical = false
			}
			i += 2
		default:
			canonical = false
		}
	}
	if canonical {
		return p
	}
	var dec []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			hv, _ := unhex(p[i+1])
			lv, _ := unhex(p[i+2])
			dec = append(dec, hv<<4|lv)
			i += 2
			continue
		}
		dec = append(dec, c)
	}
	return string(appendEncoded(make([]byte, 0, 3*len(dec)), string(dec), true))
}

// decodeSignatureAnyCase decodes a hex signature in either case, as S3
// accepts it.
func decodeSignatureAnyCase(s string, dst *[sha256.Size]byte) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err == nil
}

func isHex(c byte) bool { _, ok := unhex(c); return ok }

// spacedHex renders b as S3 does in StringToSignBytes: two lower-case hex
// digits per byte, separated by spaces.
func spacedHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
