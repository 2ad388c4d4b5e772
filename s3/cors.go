package s3

import (
	"context"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Cross-origin resource sharing as S3 answers it
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html,
// "How does Amazon S3 evaluate the CORS configuration on a bucket?"): a
// browser's preflight (OPTIONS object,
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html)
// is answered from the first rule that allows its origin, method and
// headers, with the Access-Control-* headers, or refused with 403; a
// cross-origin request (one with an Origin header) gets the same headers
// on its response when a rule allows it.

// OpOptionsObject is the name of the preflight request's operation (the
// S3 API model has none: the API Reference lists it as an appendix).
const OpOptionsObject = "OptionsObject"

// PreflightRequest is the input of a preflight: its CORS headers.
type PreflightRequest struct {
	// Origin is the Origin header ("" when absent).
	Origin string
	// Method is Access-Control-Request-Method ("" when absent).
	Method string
	// Headers are Access-Control-Request-Headers, split at commas.
	Headers []string
}

// preflightOp is the preflight: anonymous, needing no permission (S3
// answers it from the bucket's CORS configuration alone).
func (s *Service) preflightOp() operation.Op {
	o := operation.New(OpOptionsObject, func(context.Context, *identity.Caller, *Request) (operation.Authz, error) {
		return operation.Authz{Skip: true}, nil
	}, s.preflight)
	o.Anonymous = true
	return o
}

// corsMatch is what a rule grants a request.
type corsMatch struct {
	rule   *s3api.CORSRule
	origin string // the Access-Control-Allow-Origin value
}

// matchCORS returns the first rule that allows origin, method and the
// request headers (an empty origin matches nothing).
func matchCORS(rules []s3api.CORSRule, origin, method string, headers []string) (corsMatch, bool) {
	if origin == "" {
		return corsMatch{}, false
	}
	for i := range rules {
		r := &rules[i]
		allowOrigin := ""
		for _, o := range r.AllowedOrigins {
			if o == "*" {
				allowOrigin = "*"
				break
			}
			if starMatch(o, origin) {
				allowOrigin = origin
				break
			}
		}
		if allowOrigin == "" || !contains(r.AllowedMethods, method) {
			continue
		}
		ok := true
		for _, h := range headers {
			if !headerAllowed(r.AllowedHeaders, h) {
				ok = false
				break
			}
		}
		if ok {
			return corsMatch{rule: r, origin: allowOrigin}, true
		}
	}
	return corsMatch{}, false
}

// starMatch matches v against a CORS pattern: text with at most one "*"
// (validateCORS), which stands for any run of characters.
func starMatch(pattern, v string) bool {
	pre, post, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == v
	}
	return len(v) >= len(pre)+len(post) && strings.HasPrefix(v, pre) && strings.HasSuffix(v, post)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// headerAllowed: "Each header name in the Access-Control-Request-Headers
// header in a preflight request must match a corresponding entry in the
// AllowedHeader element" (ManageCorsUsing.html), without regard to case.
func headerAllowed(allowed []string, h string) bool {
	h = strings.ToLower(h)
	for _, a := range allowed {
		if starMatch(strings.ToLower(a), h) {
			return true
		}
	}
	return false
}

// headers are the Access-Control-* headers a match answers.
func (m corsMatch) headers(preflight bool, requested []string) map[string]string {
	h := map[string]string{
		"Access-Control-Allow-Origin":  m.origin,
		"Access-Control-Allow-Methods": strings.Join(m.rule.AllowedMethods, ", "),
		"Vary":                         "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
	}
	if m.origin != "*" {
		h["Access-Control-Allow-Credentials"] = "true"
	}
	if preflight && len(requested) > 0 {
		h["Access-Control-Allow-Headers"] = strings.ToLower(strings.Join(requested, ", "))
	}
	if len(m.rule.ExposeHeaders) > 0 {
		h["Access-Control-Expose-Headers"] = strings.Join(m.rule.ExposeHeaders, ", ")
	}
	if m.rule.MaxAgeSeconds != nil {
		h["Access-Control-Max-Age"] = strconv.Itoa(int(*m.rule.MaxAgeSeconds))
	}
	return h
}

// bucketCORS returns the bucket's CORS rules (nil when it has none).
func (s *Service) bucketCORS(b *store.Bucket) ([]s3api.CORSRule, error) {
	var cfg s3api.CORSConfiguration
	ok, err := s.readConfig(b, cfgCORS, &cfg)
	if !ok || err != nil {
		return nil, err
	}
	return cfg.CORSRules, nil
}

// errCORSForbidden is S3's refusal of a preflight
// (cors-troubleshooting.html: "403 Forbidden error: CORS is not enabled for
// this bucket", "This CORS request is not allowed").
func errCORSForbidden(msg string, r *Request, method string) error {
	rt := "BUCKET"
	if r.Key != "" {
		rt = "OBJECT"
	}
	return s3err("AccessForbidden", 403, msg).WithMembers(map[string]any{"Method": method, "ResourceType": rt})
}

func (s *Service) preflight(ctx context.Context, c *identity.Caller, r *Request) (s3api.Output, error) {
	in, ok := r.Input.(*PreflightRequest)
	if !ok {
		return nil, errInternal(nil)
	}
	if in.Origin == "" {
		// wording: not found in AWS docs.
		return nil, s3err("BadRequest", 400, "Insufficient information. Origin request header needed.")
	}
	if in.Method == "" {
		// wording: not found in AWS docs.
		return nil, s3err("BadRequest", 400, "Invalid Access-Control-Request-Method: null")
	}
	b, err := s.bucket(ctx, r.Bucket)
	if err != nil {
		return nil, err
	}
	rules, err := s.bucketCORS(b)
	if err != nil {
		return nil, err
	}
	if rules == nil {
		return nil, errCORSForbidden("CORSResponse: CORS is not enabled for this bucket.", r, in.Method)
	}
	m, ok := matchCORS(rules, in.Origin, in.Method, in.Headers)
	if !ok {
		return nil, errCORSForbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "+
			"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", r, in.Method)
	}
	return s3api.WithHeaders(nil, m.headers(true, in.Headers)), nil
}

// withCORS adds to a cross-origin request's response the headers the
// bucket's CORS configuration grants it, if any.
func (s *Service) withCORS(r *Request, method string, out any) any {
	h := s.CORSHeaders(r.Bucket, firstHeader(r.Header, "Origin"), method)
	if h == nil {
		return out
	}
	return s3api.WithHeaders(out, h)
}

// CORSHeaders returns the Access-Control-* headers that the bucket's CORS
// configuration grants a cross-origin request (one with an Origin) of
// method, nil when it grants none. The server adds them to S3's error
// responses too: S3 answers a cross-origin request that a rule allows with
// them whatever its outcome, so that a browser's script can read the
// error (as recorded in scality/cloudserver pull request 6126, "AWS S3
// returns CORS headers on error responses when a matching rule exists").
// It reads the in-memory view of the bucket: no I/O.
func (s *Service) CORSHeaders(bucket, origin, method string) map[string]string {
	if origin == "" || bucket == "" {
		return nil
	}
	b, ok := s.buckets.Bucket(bucket)
	if !ok || b.Configs[cfgCORS.key] == "" {
		return nil
	}
	rules, err := s.bucketCORS(&b)
	if err != nil {
		s.log.Warn("reading a bucket's CORS configuration", "bucket", bucket, "err", err)
		return nil
	}
	m, ok := matchCORS(rules, origin, method, nil)
	if !ok {
		return nil
	}
	return m.headers(false, nil)
}

// firstHeader returns the first value of a header (in net/http's
// canonical form).
func firstHeader(h map[string][]string, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}
