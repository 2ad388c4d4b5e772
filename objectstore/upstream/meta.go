package upstream

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// The reserved user-metadata names (x-amz-meta-…) that carry the Meta
// fields S3 has no place for; a caller's own gatehouse-* names are stored
// under escapedUser.
const (
	reservedPrefix = "gatehouse-"
	keyOwner       = reservedPrefix + "owner"
	keyACL         = reservedPrefix + "acl"
	keyChecksum    = reservedPrefix + "checksum"
	keySSE         = reservedPrefix + "sse"
	keyExpires     = reservedPrefix + "expires"
	keyLock        = reservedPrefix + "lock"
	keyRedirect    = reservedPrefix + "redirect"
	escapedUser    = reservedPrefix + "x-"
)

// wire is a Meta as the S3 request fields carry it.
type wire struct {
	contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl *string
	expires                                                                         *time.Time
	websiteRedirect                                                                 *string
	metadata                                                                        map[string]string
	tagging                                                                         *string
	storageClass                                                                    types.StorageClass
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toWire splits m into S3 fields and reserved user metadata.
func toWire(m objectstore.Meta) wire {
	w := wire{
		contentType: opt(m.ContentType), contentEncoding: opt(m.ContentEncoding),
		contentDisposition: opt(m.ContentDisposition), contentLanguage: opt(m.ContentLanguage),
		cacheControl: opt(m.CacheControl), websiteRedirect: opt(m.WebsiteRedirect),
		storageClass: types.StorageClass(m.StorageClass),
		metadata:     map[string]string{},
	}
	for k, v := range m.UserMetadata {
		k = strings.ToLower(k)
		if strings.HasPrefix(k, reservedPrefix) {
			k = escapedUser + k
		}
		w.metadata[k] = encodeValue(v)
	}
	if m.Expires != "" {
		if t, err := http.ParseTime(m.Expires); err == nil && t.UTC().Format(http.TimeFormat) == m.Expires {
			w.expires = &t
		} else {
			w.metadata[keyExpires] = encodeValue(m.Expires)
		}
	}
	if m.Owner != "" {
		w.metadata[keyOwner] = encodeValue(m.Owner)
	}
	if m.ACL != nil {
		w.metadata[keyACL] = base64.StdEncoding.EncodeToString(m.ACL)
	}
	if c := m.Checksum; c != (objectstore.Checksum{}) {
		w.metadata[keyChecksum] = c.Algorithm + ";" + c.Type + ";" + c.Value
	}
	if m.SSE != "" {
		w.metadata[keySSE] = encodeValue(m.SSE)
	}
	if m.WebsiteRedirect != "" {
		// Sent as the S3 field too, but not every upstream keeps that
		// (SeaweedFS drops it).
		w.metadata[keyRedirect] = encodeValue(m.WebsiteRedirect)
	}
	if l := m.Lock; l != (objectstore.Lock{}) {
		w.metadata[keyLock] = encodeLock(l)
	}
	if len(w.metadata) == 0 {
		w.metadata = nil
	}
	if len(m.Tags) > 0 {
		w.tagging = aws.String(encodeTags(m.Tags))
	}
	return w
}

func encodeTags(tags []objectstore.Tag) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(t.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(t.Value))
	}
	return b.String()
}

// encodeValue makes a metadata value safe in an HTTP header: text outside
// printable ASCII (or that looks like an encoded word) travels as an RFC
// 2047 encoded word, which is how AWS returns such values.
func encodeValue(v string) string {
	needs := strings.Contains(v, "=?")
	for i := 0; i < len(v) && !needs; i++ {
		needs = v[i] < 0x20 || v[i] >= 0x7f
	}
	if !needs {
		return v
	}
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

func decodeValue(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// read is what a GET or HEAD response says about an object's Meta.
type read struct {
	contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl *string
	expiresString                                                                   *string
	websiteRedirect                                                                 *string
	metadata                                                                        map[string]string
	storageClass                                                                    types.StorageClass
}

// fromWire rebuilds a Meta (without its tags) from a response.
func fromWire(r read) objectstore.Meta {
	m := objectstore.Meta{
		ContentType: aws.ToString(r.contentType), ContentEncoding: aws.ToString(r.contentEncoding),
		ContentDisposition: aws.ToString(r.contentDisposition), ContentLanguage: aws.ToString(r.contentLanguage),
		CacheControl: aws.ToString(r.cacheControl), WebsiteRedirect: aws.ToString(r.websiteRedirect),
		StorageClass: string(r.storageClass),
	}
	if m.StorageClass == string(types.StorageClassStandard) {
		m.StorageClass = ""
	}
	if r.expiresString != nil {
		// The header as sent (the SDK's parsed Expires is deprecated: it
		// is handled inconsistently across SDKs).
		m.Expires = *r.expiresString
	}
	for k, v := range r.metadata {
		k = strings.ToLower(k)
		switch {
		case k == keyOwner:
			m.Owner = decodeValue(v)
		case k == keyACL:
			if acl, err := base64.StdEncoding.DecodeString(v); err == nil {
				m.ACL = acl
			}
		case k == keyChecksum:
			if alg, rest, ok := strings.Cut(v, ";"); ok {
				typ, val, _ := strings.Cut(rest, ";")
				m.Checksum = objectstore.Checksum{Algorithm: alg, Type: typ, Value: val}
			}
		case k == keySSE:
			m.SSE = decodeValue(v)
		case k == keyExpires:
			m.Expires = decodeValue(v)
		case k == keyLock:
			m.Lock = decodeLock(v)
		case k == keyRedirect:
			if m.WebsiteRedirect == "" {
				m.WebsiteRedirect = decodeValue(v)
			}
		case strings.HasPrefix(k, escapedUser):
			setUser(&m, strings.TrimPrefix(k, escapedUser), v)
		case strings.HasPrefix(k, reservedPrefix):
			// A reserved name of a later version: not the caller's.
		default:
			setUser(&m, k, v)
		}
	}
	return m
}

// encodeLock writes a version's Object Lock state as
// "MODE;RETAIN-UNTIL;HOLD" (RFC 3339 with nanoseconds; HOLD "ON" or "").
func encodeLock(l objectstore.Lock) string {
	until, hold := "", ""
	if !l.RetainUntil.IsZero() {
		until = l.RetainUntil.UTC().Format(time.RFC3339Nano)
	}
	if l.LegalHold {
		hold = "ON"
	}
	return l.Mode + ";" + until + ";" + hold
}

// decodeLock reads what encodeLock wrote; a malformed value reads as no
// lock's fields it cannot parse.
func decodeLock(v string) objectstore.Lock {
	parts := strings.SplitN(v, ";", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	l := objectstore.Lock{Mode: parts[0], LegalHold: parts[2] == "ON"}
	if t, err := time.Parse(time.RFC3339Nano, parts[1]); err == nil {
		l.RetainUntil = t.UTC()
	}
	return l
}

func setUser(m *objectstore.Meta, k, v string) {
	if m.UserMetadata == nil {
		m.UserMetadata = map[string]string{}
	}
	m.UserMetadata[k] = decodeValue(v)
}

func tagsFrom(ts []types.Tag) []objectstore.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]objectstore.Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, objectstore.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func tagsTo(ts []objectstore.Tag) []types.Tag {
	out := make([]types.Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}
