package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

// unreserved reports whether c is one of the characters AWS never
// percent-encodes: A-Z a-z 0-9 - _ . ~
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendEncoded appends s with every byte but the unreserved characters (and
// '/', when keepSlash) percent-encoded with upper-case hex.
func appendEncoded(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// isCanonical reports whether the raw query component s is already in AWS's
// canonical form: decoding it and encoding it again gives s back.
func isCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		h, l := s[i+1], s[i+2]
		if !isUpperHex(h) || !isUpperHex(l) {
			return false
		}
		hv, _ := unhex(h)
		lv, _ := unhex(l)
		if unreserved(hv<<4 | lv) {
			return false
		}
		i += 2
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// appendDecoded appends the query-decoded form of s: '+' is a space and %XX
// a byte. A '%' not followed by two hex digits is kept as a literal '%', so
// decoding never fails.
func appendDecoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			dst = append(dst, ' ')
		case c == '%' && i+2 < len(s):
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				dst = append(dst, h<<4|l)
				i += 2
			} else {
				dst = append(dst, c)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// decodeComponent returns the query-decoded form of s.
func decodeComponent(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	return string(appendDecoded(make([]byte, 0, len(s)), s))
}

// canonicalComponent returns the AWS canonical encoding of the raw query
// component s; it allocates only when s is not canonical already.
func canonicalComponent(s string) string {
	if isCanonical(s) {
		return s
	}
	var stack [128]byte
	dec := appendDecoded(stack[:0], s)
	return string(appendEncoded(make([]byte, 0, len(dec)*3), string(dec), false))
}

// param is one query parameter, name and value in AWS canonical encoding.
type param struct{ key, value string }

// parseQuery appends the parameters of a raw query string to dst, in order
// of appearance, canonically encoded. Empty pieces ("a=1&&b=2") are skipped;
// a piece without '=' is a name with an empty value.
func parseQuery(raw string, dst []param) []param {
	for raw != "" {
		var piece string
		piece, raw, _ = strings.Cut(raw, "&")
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dst = append(dst, param{key: canonicalComponent(k), value: canonicalComponent(v)})
	}
	return dst
}

// lookup returns the decoded value of the first parameter named key.
func lookup(params []param, key string) (string, bool) {
	for _, p := range params {
		if p.key == key {
			return decodeComponent(p.value), true
		}
	}
	return "", false
}

// appendCanonicalQuery sorts params by name then value (byte order of the
// encoded forms, as AWS specifies) and appends them joined by '&', leaving
// out X-Amz-Signature when presigned.
func appendCanonicalQuery(dst []byte, params []param, presigned bool) []byte {
	slices.SortFunc(params, func(a, b param) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	first := true
	for _, p := range params {
		if presigned && p.key == qSignature {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

// rawQuery returns the query string of r as it was sent.
func rawQuery(r *http.Request) string {
	if r.URL == nil {
		return ""
	}
	return r.URL.RawQuery
}

// requestPath returns the request path as it was sent on the wire.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; u != "" && u[0] == '/' {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL != nil {
		if p := r.URL.EscapedPath(); p != "" {
			return p
		}
	}
	return "/"
}

// normalizePath removes "." and ".." segments and empty segments (repeated
// slashes), keeping a trailing slash, as RFC 3986 section 5.2.4 and the SDKs
// that normalise (botocore, the Java SDK) do. ok is false when the path is
// normal already.
func normalizePath(p string) (string, bool) {
	var segs []string
	changed := false
	rest := strings.TrimPrefix(p, "/")
	for {
		var s string
		var more bool
		s, rest, more = strings.Cut(rest, "/")
		switch s {
		case "", ".":
			if s == "." || more {
				changed = true
			}
		case "..":
			changed = true
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
		if !more {
			break
		}
	}
	if !strings.HasPrefix(p, "/") {
		changed = true
	}
	if !changed {
		return p, false
	}
	out := "/" + strings.Join(segs, "/")
	if len(segs) > 0 && (strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")) {
		out += "/"
	}
	return out, out != p
}

// appendHeaderValue appends v trimmed of surrounding white space with runs of
// spaces collapsed to one, as aws-sdk-go-v2 canonicalises header values.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// headerValues returns the values of the header named name (any case).
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if len(name) <= len(buf) {
		key := buf[:len(name)]
		upper := true
		valid := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !tokenChar(c) {
				valid = false
				break
			}
			switch {
			case upper && 'a' <= c && c <= 'z':
				c -= 'a' - 'A'
			case !upper && 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			key[i] = c
			upper = c == '-'
		}
		if valid {
			if vs, ok := h[string(key)]; ok {
				return vs
			}
		}
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			return vs
		}
	}
	return nil
}

// tokenChar reports whether c may appear in an HTTP header name.
func tokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// appendCanonicalHeaders appends one "name:value\n" line per signed header,
// in the order of the SignedHeaders list. Names are written in lower case;
// several values of one header are joined with ','. The host comes from
// r.Host, where net/http keeps it.
func appendCanonicalHeaders(dst []byte, r *http.Request, signed string) []byte {
	for rest := signed; ; {
		name, more, found := strings.Cut(rest, ";")
		rest = more
		for i := 0; i < len(name); i++ {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		dst = append(dst, ':')
		switch {
		case strings.EqualFold(name, "host") || name == ":authority":
			host := r.Host
			if host == "" && r.URL != nil {
				host = r.URL.Host
			}
			dst = appendHeaderValue(dst, host)
		default:
			vs := headerValues(r.Header, name)
			if len(vs) == 0 && strings.EqualFold(name, "content-length") && r.ContentLength > 0 {
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
			}
			for i, v := range vs {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendHeaderValue(dst, v)
			}
		}
		dst = append(dst, '\n')
		if !found {
			return dst
		}
	}
}
