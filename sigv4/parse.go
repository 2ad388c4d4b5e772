package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"

	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
	qContentSHA256 = "X-Amz-Content-Sha256"

	// maxExpires is the longest X-Amz-Expires AWS accepts: one week.
	maxExpires = 604800
)

// Auth is the authentication a request carries, from its Authorization
// header or its presigned query string. A *Auth returned by Verify has been
// verified; one returned by Parse has not.
type Auth struct {
	AccessKeyID   string        // access key ID from the credential
	Date          time.Time     // signing time (X-Amz-Date, or the Date header), UTC
	Region        string        // region of the credential scope
	Service       string        // service of the credential scope
	SignedHeaders []string      // names of the signed headers, as listed by the client
	Signature     string        // the signature the client sent (hex)
	SessionToken  string        // X-Amz-Security-Token (header or query), if any
	Presigned     bool          // authenticated by query string rather than header
	Expires       time.Duration // X-Amz-Expires of a presigned URL; zero when absent

	hasExpires    bool
	amzDate       string // signing time as it enters the string to sign
	credential    string // the whole credential, "AKID/date/region/service/aws4_request"
	scope         string // credential minus the access key ID
	scopeDate     string
	terminator    string
	signedHeaders string // the SignedHeaders list as sent
}

// Parse reads a request's SigV4 authentication without verifying it, for
// example to log the access key ID of a request. It returns *Error values in
// AWS's wording for requests that carry no or malformed authentication.
func Parse(r *http.Request) (*Auth, error) {
	var buf [16]param
	params := parseQuery(rawQuery(r), buf[:0])
	a, err := parseAuth(r, params)
	if err != nil {
		return nil, err
	}
	if err := a.splitCredential(); err != nil {
		return nil, err
	}
	return a, nil
}

// parseAuth parses the authentication of r whose query parameters are
// params, following AWS's order of checks: presence, algorithm, parameters,
// host among the signed headers, date format. The credential is split later,
// after the time checks, as AWS does.
func parseAuth(r *http.Request, params []param) (*Auth, *Error) {
	header := firstValue(r.Header, "Authorization")
	alg, presigned := lookup(params, qAlgorithm)
	var a *Auth
	var err *Error
	switch {
	case header != "" && presigned:
		return nil, withKind(errMismatch(msgSignatureMismatch), kindBothAuth)
	case header != "":
		a, err = parseHeaderAuth(r, header)
	case presigned:
		a, err = parsePresigned(params, alg)
	default:
		return nil, errMissingToken()
	}
	if err != nil {
		return nil, err
	}
	if !signsHost(a.signedHeaders) {
		return nil, withKind(errMismatch(msgHostNotSigned), kindHost)
	}
	if a.Presigned {
		if !parseISOBasic(a.amzDate, &a.Date) {
			return nil, errBadDate(a.amzDate)
		}
	} else {
		if a.amzDate != "" {
			if !parseISOBasic(a.amzDate, &a.Date) {
				return nil, errBadDate(a.amzDate)
			}
		} else {
			d := firstValue(r.Header, "Date")
			if !parseISOBasic(d, &a.Date) {
				t, perr := http.ParseTime(d)
				if perr != nil {
					return nil, errBadDate(d)
				}
				a.Date = t.UTC()
			}
			a.amzDate = a.Date.Format(isoBasic)
		}
	}
	if a.SessionToken == "" {
		a.SessionToken = firstValue(r.Header, "X-Amz-Security-Token")
	}
	if a.SessionToken == "" {
		a.SessionToken, _ = lookup(params, qSecurityToken)
	}
	a.SignedHeaders = strings.Split(a.signedHeaders, ";")
	return a, nil
}

// parseHeaderAuth parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." and finds the request time in X-Amz-Date or Date.
func parseHeaderAuth(r *http.Request, header string) (*Auth, *Error) {
	f, err := parseAuthorization(header)
	if err != nil {
		return nil, err
	}
	amzDate := firstValue(r.Header, "X-Amz-Date")
	hasDate := amzDate != "" || firstValue(r.Header, "Date") != ""
	if !f.hasCredential || !f.hasSignature || !f.hasSignedHeaders || !hasDate {
		var msg []string
		if !f.hasCredential {
			msg = append(msg, msgReqCredential)
		}
		if !f.hasSignature {
			msg = append(msg, msgReqSignature)
		}
		if !f.hasSignedHeaders {
			msg = append(msg, msgReqSignedHeaders)
		}
		if !hasDate {
			msg = append(msg, msgReqDate)
		}
		e := withKind(errIncomplete(strings.Join(msg, " ")+" Authorization="+header), kindHeaderParams)
		if f.hasCredential && f.hasSignature && f.hasSignedHeaders {
			e.kind = kindDate // only the date is missing
		}
		return nil, e
	}
	return &Auth{
		credential:    f.credential,
		signedHeaders: f.signedHeaders,
		Signature:     f.signature,
		amzDate:       amzDate,
	}, nil
}

// authFields are the parameters of an Authorization header.
type authFields struct {
	credential, signedHeaders, signature          string
	hasCredential, hasSignedHeaders, hasSignature bool
}

// parseAuthorization splits an Authorization header value. Parameters are
// separated by commas, surrounding white space is ignored, and a repeated
// parameter keeps its last value; unknown parameters are ignored.
func parseAuthorization(header string) (authFields, *Error) {
	var f authFields
	h := strings.TrimSpace(header)
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return f, errUnsupportedAlgorithm(alg)
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return f, errMissingEqual(part, h)
		}
		switch strings.TrimSpace(k) {
		case "Credential":
			f.credential, f.hasCredential = v, true
		case "SignedHeaders":
			f.signedHeaders, f.hasSignedHeaders = v, true
		case "Signature":
			f.signature, f.hasSignature = v, true
		}
	}
	return f, nil
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL. The
// first value of each parameter counts.
func parsePresigned(params []param, alg string) (*Auth, *Error) {
	if alg != algorithm {
		return nil, withKind(errMissingToken(), kindQueryAlgorithm)
	}
	a := &Auth{Presigned: true}
	var ok [4]bool
	a.credential, ok[0] = lookup(params, qCredential)
	a.Signature, ok[1] = lookup(params, qSignature)
	a.signedHeaders, ok[2] = lookup(params, qSignedHeaders)
	a.amzDate, ok[3] = lookup(params, qDate)
	if !ok[0] || !ok[1] || !ok[2] || !ok[3] {
		var msg []string
		for i, m := range [...]string{msgQueryCredential, msgQuerySignature, msgQuerySignedHeaders, msgQueryDate} {
			if !ok[i] {
				msg = append(msg, m)
			}
		}
		msg = append(msg, msgQueryReexamine)
		return nil, withKind(errIncomplete(strings.Join(msg, " ")), kindQueryParams)
	}
	if exp, found := lookup(params, qExpires); found {
		digits := strings.TrimPrefix(exp, "-")
		if !isDigits(digits) {
			return nil, errQueryParams(msgExpiresNumber)
		}
		n, err := strconv.ParseInt(digits, 10, 64) // fails on overflow only
		switch {
		case len(digits) < len(exp) && strings.Trim(digits, "0") != "":
			return nil, errQueryParams(msgExpiresNegative)
		case err != nil || n > maxExpires:
			return nil, errQueryParams(msgExpiresTooLarge)
		}
		a.Expires, a.hasExpires = time.Duration(n)*time.Second, true
	}
	return a, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitCredential splits "AKID/YYYYMMDD/region/service/aws4_request".
func (a *Auth) splitCredential() *Error {
	parts := 0
	for i := 0; i < len(a.credential); i++ {
		if a.credential[i] == '/' {
			parts++
		}
	}
	if parts != 4 {
		return errCredentialParts(a.credential)
	}
	akid, scope, _ := strings.Cut(a.credential, "/")
	date, rest, _ := strings.Cut(scope, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, term, _ := strings.Cut(rest, "/")
	a.AccessKeyID, a.scope, a.scopeDate, a.Region, a.Service, a.terminator = akid, scope, date, region, service, term
	return nil
}

// signsHost reports whether the SignedHeaders list includes the host.
func signsHost(list string) bool {
	for rest := list; ; {
		name, more, found := strings.Cut(rest, ";")
		if strings.EqualFold(name, "host") || name == ":authority" {
			return true
		}
		if !found {
			return false
		}
		rest = more
	}
}

// firstValue returns the first value of the header key (canonical form).
func firstValue(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// parseISOBasic parses YYYYMMDD'T'HHMMSS'Z' into *t, rejecting anything else,
// including out-of-range fields such as month 13 or second 60.
func parseISOBasic(s string, t *time.Time) bool {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' {
		return false
	}
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var f [6]int
	for i, r := range [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}} {
		n, ok := num(s[r[0]:r[1]])
		if !ok {
			return false
		}
		f[i] = n
	}
	v := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
	if v.Year() != f[0] || int(v.Month()) != f[1] || v.Day() != f[2] ||
		v.Hour() != f[3] || v.Minute() != f[4] || v.Second() != f[5] {
		return false
	}
	*t = v
	return true
}
