package restxml

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// Operation is one entry of a service's generated operation table.
type Operation struct {
	// Name is the operation name, e.g. "PutObject".
	Name string
	// Method and URI are the model's HTTP method and request URI
	// ("/{Bucket}/{Key+}?uploads").
	Method, URI string
	// Status is the HTTP status of a successful response.
	Status int
	// Deprecated operations lose a tie against the operation that replaced
	// them (GetBucketLifecycle and GetBucketLifecycleConfiguration share
	// their request).
	Deprecated bool
	// ChecksumRequired operations refuse a request without a checksum of
	// its body: Content-MD5 or an x-amz-checksum-* header.
	ChecksumRequired bool
	// RequiredQuery and RequiredHeaders are the input's required query
	// parameters and headers: between operations with the same method,
	// resource and query literals, the one whose required parameters the
	// request carries wins (UploadPart over PutObject).
	RequiredQuery, RequiredHeaders []string
	// NewInput returns a new, empty input (a pointer to the operation's
	// generated input type) to decode into; nil for the operations whose
	// shapes are not generated (Decode answers them NotImplemented).
	NewInput func() any
}

// level is the resource an operation addresses.
type level uint8

const (
	levelService level = iota // no bucket: "/"
	levelBucket               // "/{Bucket}"
	levelObject               // "/{Bucket}/{Key+}"
	levelLiteral              // a literal path ("/WriteGetObjectResponse")
)

func (l level) resourceType() string {
	switch l {
	case levelBucket:
		return "BUCKET"
	case levelObject:
		return "OBJECT"
	}
	return "SERVICE"
}

// literal is a query-string literal of a request URI: "uploads" or
// "list-type=2".
type literal struct {
	name, value string
	hasValue    bool
}

// route is an operation with its parsed request URI.
type route struct {
	op       Operation
	level    level
	path     string // the literal path of levelLiteral
	literals []literal
}

// Service is the S3 REST-XML service: its operation table, precompiled into
// routes.
type Service struct {
	// Name is the signing name, "s3".
	Name string
	// DecodeInput binds the members of in, a generated input type of the
	// service, through d; it reports false for a value of another type.
	DecodeInput func(d *Decoder, in any) bool
	// EncodeOutput sets the header members and payload of out, a generated
	// output type of the service; it reports false (and sets nothing) for
	// a value of another type.
	EncodeOutput func(r *Response, out any) bool
	routes       []route
	byName       map[string]int
}

// NewService returns the service with the given signing name, operations
// and generated codec (see Service). It panics on a request URI it cannot
// route, which the generator rules out.
func NewService(name string, ops []Operation, dec func(*Decoder, any) bool, enc func(*Response, any) bool) *Service {
	s := &Service{Name: name, DecodeInput: dec, EncodeOutput: enc, byName: map[string]int{}}
	for _, op := range ops {
		rt, err := compile(op)
		if err != nil {
			panic("restxml: " + err.Error())
		}
		s.byName[op.Name] = len(s.routes)
		s.routes = append(s.routes, rt)
	}
	return s
}

// compile parses an operation's request URI.
func compile(op Operation) (route, error) {
	rt := route{op: op}
	path, query, _ := strings.Cut(op.URI, "?")
	switch {
	case path == "/":
		rt.level = levelService
	case path == "/{Bucket}":
		rt.level = levelBucket
	case path == "/{Bucket}/{Key+}":
		rt.level = levelObject
	case strings.HasPrefix(path, "/") && !strings.ContainsAny(path[1:], "/{}"):
		rt.level, rt.path = levelLiteral, path[1:]
	default:
		return route{}, fmt.Errorf("operation %s: unsupported request URI %q", op.Name, op.URI)
	}
	if query != "" {
		for _, part := range strings.Split(query, "&") {
			name, value, has := strings.Cut(part, "=")
			if name == "" {
				return route{}, fmt.Errorf("operation %s: empty query literal in %q", op.Name, op.URI)
			}
			rt.literals = append(rt.literals, literal{name: name, value: value, hasValue: has})
		}
	}
	return rt, nil
}

// Lookup returns the operation named name.
func (s *Service) Lookup(name string) (Operation, bool) {
	i, ok := s.byName[name]
	if !ok {
		return Operation{}, false
	}
	return s.routes[i].op, true
}

// Request is a routed S3 request.
type Request struct {
	op     Operation
	bucket string
	key    string
	http   *http.Request
	query  url.Values
}

// Operation returns the name of the operation the request resolved to.
func (req *Request) Operation() string { return req.op.Name }

// Op returns the operation table entry the request resolved to.
func (req *Request) Op() Operation { return req.op }

// Bucket returns the bucket the server split off the request ("" for
// service requests).
func (req *Request) Bucket() string { return req.bucket }

// Key returns the object key ("" for service and bucket requests).
func (req *Request) Key() string { return req.key }

// HTTP returns the underlying HTTP request.
func (req *Request) HTTP() *http.Request { return req.http }

// Resolve names the operation of r, addressed to bucket and key ("" when
// absent). It reads no body. A request no operation accepts is
// MethodNotAllowed (405), as S3 answers an unsupported method on a
// resource.
func (s *Service) Resolve(r *http.Request, bucket, key string) (*Request, error) {
	q := r.URL.Query()
	lvl := levelObject
	switch {
	case bucket == "":
		lvl = levelService
	case key == "":
		lvl = levelBucket
	}
	var cands []*route
	best := -1
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.op.Method != r.Method {
			continue
		}
		if rt.level == levelLiteral {
			if bucket != rt.path || key != "" {
				continue
			}
		} else if rt.level != lvl {
			continue
		}
		if !literalsPresent(rt.literals, q) {
			continue
		}
		n := len(rt.literals)
		if rt.level == levelLiteral {
			n += 100 // a literal path beats a bucket of that name
		}
		switch {
		case n > best:
			best, cands = n, []*route{rt}
		case n == best:
			cands = append(cands, rt)
		}
	}
	rt := pick(cands, q, r.Header)
	if rt == nil {
		return nil, MethodNotAllowed(r.Method, lvl.resourceType())
	}
	return &Request{op: rt.op, bucket: bucket, key: key, http: r, query: q}, nil
}

func literalsPresent(ls []literal, q url.Values) bool {
	for _, l := range ls {
		vs, ok := q[l.name]
		if !ok || (l.hasValue && !slices.Contains(vs, l.value)) {
			return false
		}
	}
	return true
}

// pick chooses among operations with equally many matching literals: the
// one with the most required parameters, all present; else, when every
// candidate lacks only required headers, the one lacking the fewest (its
// decoder names the missing header); deprecated operations lose ties, then
// the name decides.
func pick(cands []*route, q url.Values, h http.Header) *route {
	var best *route
	bestScore := -1
	better := func(rt *route, score int) bool {
		if score != bestScore {
			return score > bestScore
		}
		if best.op.Deprecated != rt.op.Deprecated {
			return best.op.Deprecated
		}
		return rt.op.Name < best.op.Name
	}
	for _, rt := range cands {
		present, missingQuery := 0, false
		for _, p := range rt.op.RequiredQuery {
			if _, ok := q[p]; ok {
				present++
			} else {
				missingQuery = true
			}
		}
		missingHeaders := 0
		for _, hd := range rt.op.RequiredHeaders {
			if _, ok := h[http.CanonicalHeaderKey(hd)]; ok {
				present++
			} else {
				missingHeaders++
			}
		}
		if missingQuery {
			continue
		}
		// Complete candidates score above incomplete ones; among
		// incomplete ones, fewer missing headers score higher.
		score := 1000 + present
		if missingHeaders > 0 {
			score = 500 - missingHeaders
		}
		if best == nil || better(rt, score) {
			best, bestScore = rt, score
		}
	}
	return best
}

// notImplemented is the Decode error of an operation without generated
// shapes.
func notImplemented(op string) *awserr.Error {
	return NotImplemented().WithCause(fmt.Errorf("operation %s is not implemented", op))
}
