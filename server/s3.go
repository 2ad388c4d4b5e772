package server

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
	"github.com/gatehouse-iam/gatehouse/s3"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// s3Codec is Amazon S3's REST-XML: the bucket from the host (virtual-hosted
// style, under the configured domain) or the first path segment (path
// style), the key from the rest of the path, the operation from the
// method, sub-resource and headers; bodies streamed both ways.
type s3Codec struct {
	api *restxml.Service
	// domain is the virtual-hosting domain: bucket.domain addresses a
	// bucket ("" serves path style only).
	domain string
	// cors gives the Access-Control-* headers a bucket's CORS
	// configuration grants a cross-origin request (s3.Service.CORSHeaders),
	// which S3 sends with its errors too; nil for none.
	cors func(bucket, origin, method string) map[string]string
}

type s3Call struct {
	api    *restxml.Service
	req    *restxml.Request
	bucket string
	key    string
	r      *http.Request
}

func (c s3Call) operation() string { return c.req.Operation() }

func (c s3Call) decodeBody(body io.Reader) (any, error) {
	in, err := c.api.Decode(c.req, body)
	if err != nil {
		return nil, err
	}
	return &s3.Request{Operation: c.req.Operation(), Method: c.r.Method, Bucket: c.bucket, Key: c.key,
		Header: c.r.Header, Query: c.r.URL.Query(), Input: in}, nil
}

func (sc s3Codec) parseStream(r *http.Request) (streamCall, error) {
	if c, ok, err := parseControl(r); ok {
		return c, err
	}
	bucket, key, err := s3Address(r, sc.domain)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodOptions && bucket != "" {
		return preflightCall{bucket: bucket, key: key, r: r}, nil
	}
	req, err := sc.api.Resolve(r, bucket, key)
	if err != nil {
		return nil, err
	}
	return s3Call{api: sc.api, req: req, bucket: bucket, key: key, r: r}, nil
}

func (sc s3Codec) writeStream(w http.ResponseWriter, _ *http.Request, requestID string, c streamCall, out any) error {
	switch c.(type) {
	case controlCall:
		return writeControl(w, requestID, out)
	case preflightCall:
		return writePreflight(w, requestID, out)
	}
	return sc.api.WriteResponse(w, c.(s3Call).req, requestID, s3codec.Output(out))
}

func (sc s3Codec) parse(*http.Request, []byte) (call, error) {
	return nil, errors.New("s3: requests are parsed as streams")
}

func (sc s3Codec) write(http.ResponseWriter, string, call, any) error {
	return errors.New("s3: responses are written as streams")
}

// errorOf names failures as S3 does: an unknown or inactive access key is
// InvalidAccessKeyId, a store outage ServiceUnavailable ("Please reduce
// your request rate." is S3's 503 SlowDown; an outage is not a rate).
func (s3Codec) errorOf(err error) *awserr.Error {
	// A body that failed its verification mid-read fails the operation
	// with the verifier's error, wherever the operation wrapped it.
	var se *sigv4.Error
	if errors.As(err, &se) {
		err = authError(se)
	}
	ae := restxml.ErrorOf(unavailable(restxml.ErrorOf(err)))
	switch ae.Code {
	case "InvalidClientTokenId":
		c := *ae
		c.Code, c.Status = "InvalidAccessKeyId", http.StatusForbidden
		c.Message = "The AWS Access Key Id you provided does not exist in our records."
		return &c
	}
	return ae
}

func (s3Codec) bodyError(err error) error { return err }

// writeError writes S3's error document, with the CORS headers the
// bucket grants a cross-origin request (an Origin header) — whatever the
// error, as S3 does (s3.Service.CORSHeaders). A preflight's refusal is the
// exception: it is the answer that no rule allows the request.
func (sc s3Codec) writeError(w http.ResponseWriter, r *http.Request, requestID string, ae *awserr.Error) error {
	if sc.cors != nil && r != nil && r.Method != http.MethodOptions {
		if origin := r.Header.Get("Origin"); origin != "" {
			if bucket, _, err := s3Address(r, sc.domain); err == nil {
				for k, v := range sc.cors(bucket, origin, r.Method) {
					w.Header().Set(k, v)
				}
			}
		}
	}
	return sc.api.WriteError(w, r, requestID, ae)
}

// s3Address splits a request's bucket and key: virtual-hosted style when
// the host is a subdomain of domain, else path style. The key is the rest
// of the path as sent, unescaped once ("a%2Fb" is the key "a/b"; "//" and
// ".." are kept).
func s3Address(r *http.Request, domain string) (bucket, key string, err error) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if domain != "" && len(host) > len(domain)+1 && strings.HasSuffix(host, "."+domain) {
		bucket = strings.ToLower(host[:len(host)-len(domain)-1])
	} else {
		b, rest, _ := strings.Cut(raw, "/")
		if bucket, err = url.PathUnescape(b); err != nil {
			return "", "", awserr.New("InvalidURI", "Couldn't parse the specified URI.")
		}
		raw = rest
	}
	if key, err = url.PathUnescape(raw); err != nil {
		return "", "", awserr.New("InvalidURI", "Couldn't parse the specified URI.")
	}
	return bucket, key, nil
}

// addressesBucket reports whether an unsigned request is an S3 request:
// addressed to a bucket's virtual host, to a path with a bucket that is not
// an AWS Query call (no Action parameter, not a form POST), or a GET of /
// without an Action (anonymous ListBuckets).
func addressesBucket(r *http.Request, domain string) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if domain != "" && strings.HasSuffix(host, "."+domain) {
		return true
	}
	if r.URL.Query().Has("Action") {
		return false
	}
	if len(r.URL.Path) < 2 {
		// GET / is S3's ListBuckets (AWS Query calls name their Action).
		return r.Method == http.MethodGet || r.Method == http.MethodHead
	}
	ct := r.Header.Get("Content-Type")
	return !(r.Method == http.MethodPost && strings.HasPrefix(ct, "application/x-www-form-urlencoded"))
}

// trailerBody gives the S3 service, which speaks no HTTP, the checksum an
// aws-chunked body carried in its verified trailer.
type trailerBody struct{ *sigv4.Body }

// TrailerChecksum returns the algorithm ("CRC32", …) and base64 value of
// the trailing checksum, once the body has been read to its end; "" when
// there is none.
func (t trailerBody) TrailerChecksum() (string, string) {
	for name, v := range t.Trailer() {
		if alg, ok := strings.CutPrefix(name, "X-Amz-Checksum-"); ok && len(v) > 0 {
			return strings.ToUpper(alg), v[0]
		}
	}
	return "", ""
}

// preflightCall is a browser's CORS preflight of a bucket or object
// (OPTIONS object, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html),
// answered from the bucket's CORS configuration.
type preflightCall struct {
	bucket, key string
	r           *http.Request
}

func (c preflightCall) operation() string { return s3.OpOptionsObject }

// decodeBody reads the preflight's CORS headers (a preflight has no body).
func (c preflightCall) decodeBody(io.Reader) (any, error) {
	in := &s3.PreflightRequest{Origin: c.r.Header.Get("Origin"), Method: c.r.Header.Get("Access-Control-Request-Method")}
	for _, v := range c.r.Header.Values("Access-Control-Request-Headers") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				in.Headers = append(in.Headers, h)
			}
		}
	}
	return &s3.Request{Operation: s3.OpOptionsObject, Bucket: c.bucket, Key: c.key, Header: c.r.Header, Query: c.r.URL.Query(), Input: in}, nil
}

// writePreflight writes an allowed preflight's answer: 200, its
// Access-Control-* headers, no body.
func writePreflight(w http.ResponseWriter, requestID string, out any) error {
	resp := &restxml.Response{Header: w.Header()}
	if o, ok := s3codec.Output(out).(restxml.Output); ok && o != nil {
		o.EncodeResponse(resp)
	}
	w.Header().Set("x-amz-request-id", requestID)
	w.Header().Set("x-amz-id-2", restxml.HostID(requestID))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}
