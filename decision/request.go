package decision

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The bounds of a request.
const (
	// MaxBody bounds the request body, in bytes.
	MaxBody = 64 << 10
	// MaxResourcePolicy bounds the resource policy document, in bytes.
	MaxResourcePolicy = 20 << 10
	// MaxContextKeys bounds the number of condition keys in Context.
	MaxContextKeys = 100
	// MaxContextValues bounds the values of one condition key.
	MaxContextValues = 100
	// MaxHeaders bounds the number of header names of a forwarded request.
	MaxHeaders = 100
)

// The permissions the caller of the API needs (its own, decided by
// Gatehouse's IAM); the resource of either is the ARN of the principal the
// decision is for, and the condition key gatehouse:Action holds the action
// decided.
const (
	// ActionAuthorize is needed to ask for a decision for a forwarded
	// signed request.
	ActionAuthorize = "gatehouse:Authorize"
	// ActionAuthorizePrincipal is needed to ask for a decision for a
	// principal the caller vouches for.
	ActionAuthorizePrincipal = "gatehouse:AuthorizePrincipal"
	// KeyAction is the condition key that holds the decided action in the
	// caller's authorization.
	KeyAction = "gatehouse:Action"
)

// Request is one decision to make: who (the principal of Forwarded, or
// Principal), does what (Action) on what (Resource), under which resource
// policy and with which condition keys.
type Request struct {
	// Forwarded is the signed request the service received; Gatehouse
	// verifies its signature to establish the principal. Exactly one of
	// Forwarded and Principal is set.
	Forwarded *SignedRequest
	// Principal is the ARN of a principal the service authenticated
	// itself: an IAM user, a role session
	// ("arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", or the role's ARN
	// with SessionName), or an account's root user.
	Principal string
	// SessionName is the session name with a role ARN in Principal.
	SessionName string
	// Action is the action decided, "service:Action".
	Action string
	// Resource is the resource's ARN, or "*".
	Resource string
	// ResourcePolicy is the resource's policy document, or "".
	ResourcePolicy string
	// ResourceAccount owns the resource when its ARN has no account.
	ResourceAccount string
	// Context holds the request's condition keys and their values. Keys
	// that describe the principal, its organization or the time are
	// Gatehouse's to set and refused (Forgeable).
	Context map[string][]string
}

// SignedRequest is a SigV4-signed request as a service received it.
type SignedRequest struct {
	// Method is the HTTP method.
	Method string `json:"method"`
	// Path is the path as sent on the wire, percent-encoding included.
	Path string `json:"path"`
	// Query is the raw query string, without "?".
	Query string `json:"query,omitempty"`
	// Headers are the request's headers (Host included), every value of
	// each.
	Headers map[string][]string `json:"headers"`
	// PayloadSHA256 is the lower-case hex SHA-256 of the body the service
	// received, or "UNSIGNED-PAYLOAD".
	PayloadSHA256 string `json:"payloadSha256"`
}

// wireRequest is Request as JSON.
type wireRequest struct {
	Request         *wireSigned                `json:"request,omitempty"`
	Principal       string                     `json:"principal,omitempty"`
	SessionName     string                     `json:"sessionName,omitempty"`
	Action          string                     `json:"action"`
	Resource        string                     `json:"resource"`
	ResourcePolicy  json.RawMessage            `json:"resourcePolicy,omitempty"`
	ResourceAccount string                     `json:"resourceAccount,omitempty"`
	Context         map[string]json.RawMessage `json:"context,omitempty"`
}

type wireSigned struct {
	Method        string                     `json:"method"`
	Path          string                     `json:"path"`
	Query         string                     `json:"query,omitempty"`
	Headers       map[string]json.RawMessage `json:"headers"`
	PayloadSHA256 string                     `json:"payloadSha256"`
}

// MarshalJSON encodes r in the API's request format.
func (r Request) MarshalJSON() ([]byte, error) {
	type signed struct {
		Method        string              `json:"method"`
		Path          string              `json:"path"`
		Query         string              `json:"query,omitempty"`
		Headers       map[string][]string `json:"headers"`
		PayloadSHA256 string              `json:"payloadSha256"`
	}
	type wire struct {
		Request         *signed             `json:"request,omitempty"`
		Principal       string              `json:"principal,omitempty"`
		SessionName     string              `json:"sessionName,omitempty"`
		Action          string              `json:"action"`
		Resource        string              `json:"resource"`
		ResourcePolicy  string              `json:"resourcePolicy,omitempty"`
		ResourceAccount string              `json:"resourceAccount,omitempty"`
		Context         map[string][]string `json:"context,omitempty"`
	}
	w := wire{Principal: r.Principal, SessionName: r.SessionName, Action: r.Action, Resource: r.Resource,
		ResourcePolicy: r.ResourcePolicy, ResourceAccount: r.ResourceAccount, Context: r.Context}
	if f := r.Forwarded; f != nil {
		w.Request = &signed{Method: f.Method, Path: f.Path, Query: f.Query, Headers: f.Headers, PayloadSHA256: f.PayloadSHA256}
	}
	return json.Marshal(w)
}

// Decode reads a request body: one JSON object of the API's format, within
// the bounds above, with no unknown member. Errors are *Error values
// (ValidationException; RequestTooLargeException past MaxBody; a forged
// condition key is ForbiddenContextKeyException).
func Decode(body []byte) (*Request, error) {
	if len(body) > MaxBody {
		return nil, tooLarge()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var w wireRequest
	if err := dec.Decode(&w); err != nil {
		return nil, invalid("The request body is not a valid request: %s.", jsonProblem(err))
	}
	if dec.More() {
		return nil, invalid("The request body holds more than one JSON value.")
	}
	if _, err := dec.Token(); err == nil {
		return nil, invalid("The request body holds more than one JSON value.")
	}
	r := &Request{Principal: w.Principal, SessionName: w.SessionName, Action: w.Action, Resource: w.Resource, ResourceAccount: w.ResourceAccount}
	if w.Request != nil {
		f, err := decodeSigned(w.Request)
		if err != nil {
			return nil, err
		}
		r.Forwarded = f
	}
	if len(w.ResourcePolicy) > 0 && string(w.ResourcePolicy) != "null" {
		doc, err := policyText(w.ResourcePolicy)
		if err != nil {
			return nil, err
		}
		r.ResourcePolicy = doc
	}
	if len(w.Context) > MaxContextKeys {
		return nil, invalid("context holds %d keys; at most %d are allowed.", len(w.Context), MaxContextKeys)
	}
	if len(w.Context) > 0 {
		r.Context = make(map[string][]string, len(w.Context))
		for k, raw := range w.Context {
			vs, err := stringList(raw)
			if err != nil {
				return nil, invalid("context key %q: %s", k, err)
			}
			r.Context[k] = vs
		}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errorAs(err, &se):
		return fmt.Sprintf("malformed JSON at offset %d", se.Offset)
	case errorAs(err, &te):
		return fmt.Sprintf("%s must be a %s", te.Field, jsonKind(te.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown member " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "malformed JSON"
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "JSON object"
	case "slice":
		return "JSON array"
	}
	return k
}

// policyText returns a resource policy given as a JSON object or as a
// string holding one.
func policyText(raw json.RawMessage) (string, error) {
	var doc string
	switch raw[0] {
	case '{':
		doc = string(raw)
	case '"':
		if err := json.Unmarshal(raw, &doc); err != nil {
			return "", invalid("resourcePolicy must be a JSON object or a string.")
		}
	default:
		return "", invalid("resourcePolicy must be a JSON object or a string.")
	}
	if len(doc) > MaxResourcePolicy {
		return "", invalid("resourcePolicy is %d bytes; at most %d are allowed.", len(doc), MaxResourcePolicy)
	}
	return doc, nil
}

// stringList reads a string or an array of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("a value must be a string or an array of strings")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("a value must be a string or an array of strings")
		}
		return []string{s}, nil
	}
	var vs []string
	if raw[0] != '[' || json.Unmarshal(raw, &vs) != nil {
		return nil, fmt.Errorf("a value must be a string or an array of strings")
	}
	if len(vs) > MaxContextValues {
		return nil, fmt.Errorf("%d values; at most %d are allowed", len(vs), MaxContextValues)
	}
	return vs, nil
}

func decodeSigned(w *wireSigned) (*SignedRequest, error) {
	if len(w.Headers) > MaxHeaders {
		return nil, invalid("request.headers holds %d names; at most %d are allowed.", len(w.Headers), MaxHeaders)
	}
	f := &SignedRequest{Method: w.Method, Path: w.Path, Query: w.Query, PayloadSHA256: w.PayloadSHA256,
		Headers: make(map[string][]string, len(w.Headers))}
	for k, raw := range w.Headers {
		vs, err := stringList(raw)
		if err != nil {
			return nil, invalid("request.headers[%q]: %s", k, err)
		}
		f.Headers[k] = vs
	}
	return f, nil
}

// Validate checks r as Decode does after reading it.
func (r *Request) Validate() error {
	switch {
	case r.Forwarded == nil && r.Principal == "":
		return invalid("Either request (a forwarded signed request) or principal must be given.")
	case r.Forwarded != nil && r.Principal != "":
		return invalid("Only one of request and principal may be given.")
	case r.Forwarded != nil && r.SessionName != "":
		return invalid("sessionName goes with principal only.")
	case r.SessionName != "" && (len(r.SessionName) < 2 || len(r.SessionName) > 64 || !isName(r.SessionName, "_+=,.@-")):
		return invalid("sessionName must be 2 to 64 characters of letters, digits and _+=,.@-.")
	case len(r.Principal) > 2048 || hasCtl(r.Principal):
		return invalid("principal must be an ARN.")
	}
	if err := checkAction(r.Action); err != nil {
		return err
	}
	if err := checkResource(r.Resource); err != nil {
		return err
	}
	if r.ResourceAccount != "" && !isAccountID(r.ResourceAccount) {
		return invalid("resourceAccount must be a 12-digit account id.")
	}
	if len(r.ResourcePolicy) > MaxResourcePolicy {
		return invalid("resourcePolicy is %d bytes; at most %d are allowed.", len(r.ResourcePolicy), MaxResourcePolicy)
	}
	if len(r.Context) > MaxContextKeys {
		return invalid("context holds %d keys; at most %d are allowed.", len(r.Context), MaxContextKeys)
	}
	for k, vs := range r.Context {
		if err := checkContextKey(k); err != nil {
			return err
		}
		if len(vs) > MaxContextValues {
			return invalid("context key %q has %d values; at most %d are allowed.", k, len(vs), MaxContextValues)
		}
	}
	if f := r.Forwarded; f != nil {
		if err := f.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (f *SignedRequest) validate() error {
	if f.Method == "" || len(f.Method) > 16 || !isToken(f.Method) {
		return invalid("request.method must be an HTTP method.")
	}
	if f.Path == "" || f.Path[0] != '/' || len(f.Path) > 4096 || hasCtl(f.Path) || strings.ContainsAny(f.Path, " ?#") {
		return invalid("request.path must be the path as sent, starting with /, without query.")
	}
	if len(f.Query) > 8192 || hasCtl(f.Query) || strings.ContainsAny(f.Query, " #") {
		return invalid("request.query must be the raw query string, without ?.")
	}
	host := 0
	for k, vs := range f.Headers {
		if k == "" || !isToken(k) {
			return invalid("request.headers: %q is not a header name.", k)
		}
		if strings.EqualFold(k, "Host") {
			host += len(vs)
		}
		for _, v := range vs {
			if hasCtl(v) {
				return invalid("request.headers[%q]: a value holds a control character.", k)
			}
		}
	}
	if host != 1 {
		return invalid("request.headers must hold the Host header, once.")
	}
	if !validPayload(f.PayloadSHA256) {
		return invalid(`request.payloadSha256 must be the lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".`)
	}
	return nil
}

func validPayload(s string) bool {
	if s == "UNSIGNED-PAYLOAD" {
		return true
	}
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func checkAction(a string) error {
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" || len(a) > 128 || !isName(svc, "-") || !isName(name, "-") {
		return invalid(`action must be a "service:Action" name such as "s3:GetObject", without wildcards.`)
	}
	return nil
}

func checkResource(r string) error {
	if r == "" {
		return invalid("resource must be an ARN or *.")
	}
	if len(r) > 2048 || hasCtl(r) || (r != "*" && !strings.HasPrefix(r, "arn:")) {
		return invalid("resource must be an ARN (at most 2048 characters) or *.")
	}
	return nil
}

func checkContextKey(k string) error {
	svc, name, ok := strings.Cut(k, ":")
	if !ok || svc == "" || name == "" || len(k) > 256 || hasCtl(k) || strings.ContainsAny(k, " \"") {
		return invalid("context key %q is not a condition key (\"service:name\").", k)
	}
	if Forgeable(k) {
		return &Error{Code: "ForbiddenContextKeyException", Status: 400, Sender: true, Message: fmt.Sprintf(
			"The context key %s is Gatehouse's to set: it describes the principal, its organization or the time of the request, and a caller cannot supply it.", k)}
	}
	return nil
}

// forged are the condition keys a caller of the API may not supply,
// lower-cased: what describes the principal and its session, its
// organization, the resource's organization, and the time.
var forged = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principaltype": true,
	"aws:userid": true, "aws:username": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:resourceorgid": true, "aws:resourceorgpaths": true, "aws:resourceaccount": true,
	"aws:principalisawsservice": true, "aws:principalservicename": true, "aws:principalservicenameslist": true,
	"aws:viaawsservice": true, "aws:calledvia": true, "aws:calledviafirst": true, "aws:calledvialast": true,
	"aws:sourceidentity": true, "aws:federatedprovider": true,
	"aws:tokenissuetime": true, "aws:multifactorauthpresent": true, "aws:multifactorauthage": true,
	"aws:currenttime": true, "aws:epochtime": true,
	// The workload a role session's credentials were delivered to.
	"ec2:sourceinstancearn": true,
	"gatehouse:action":      true,
}

// Forgeable reports whether a condition key is Gatehouse's to set, so
// that a request supplying it is refused rather than silently overridden:
// the keys of forged, and aws:PrincipalTag/*.
func Forgeable(key string) bool {
	k := strings.ToLower(key)
	return forged[k] || strings.HasPrefix(k, "aws:principaltag/")
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isName reports whether s holds only letters, digits and the bytes of extra.
func isName(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// isToken reports whether s is an HTTP token (RFC 9110).
func isToken(s string) bool {
	return isName(s, "!#$%&'*+-.^_`|~")
}

func hasCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
