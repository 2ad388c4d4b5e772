package access

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
)

// keyVal is one condition key of a request and its values.
type keyVal struct {
	key    string // as AWS spells it
	match  string // lower-cased, a tag key's variable part cut after '/'
	values []string
}

type keySet struct{ kv []keyVal }

func (s *keySet) set(key string, values ...string) {
	m := strings.ToLower(key)
	if i := strings.IndexByte(m, '/'); i >= 0 {
		m = m[:i+1]
	}
	s.kv = append(s.kv, keyVal{key: key, match: m, values: values})
}

// headerKeys are the request headers whose values AWS supplies as s3:
// condition keys of the same name (amazon-s3-policy-keys.html and the
// Service Authorization Reference).
var headerKeys = []string{
	"x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
	"x-amz-grant-write-acp", "x-amz-grant-full-control",
	"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
	"x-amz-server-side-encryption-customer-algorithm", "x-amz-storage-class",
	"x-amz-metadata-directive", "x-amz-copy-source", "x-amz-website-redirect-location",
	"x-amz-content-sha256", "x-amz-object-ownership",
}

// lockHeaderKeys maps Object Lock headers to their condition keys.
var lockHeaderKeys = [][2]string{
	{"x-amz-object-lock-mode", "s3:object-lock-mode"},
	{"x-amz-object-lock-retain-until-date", "s3:object-lock-retain-until-date"},
	{"x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"},
	{"If-Match", "s3:if-match"},
	{"If-None-Match", "s3:if-none-match"},
}

// requestKeys gathers every condition key the request supplies; attachKeys
// then gives each check the ones its action supports.
func requestKeys(d *describer) (*keySet, error) {
	r := d.r
	ks := &keySet{}
	q := url.Values(r.Query)
	// s3:prefix is "" when the request gives no prefix: the IAM User
	// Guide's home-directory example allows listing the bucket's root with
	// "s3:prefix": [""] (reference_policies_examples_s3_home-directory-console).
	ks.set("s3:prefix", q.Get("prefix"))
	if v, ok := r.Query["delimiter"]; ok && len(v) > 0 {
		ks.set("s3:delimiter", v[0])
	}
	if v, ok := r.Query["max-keys"]; ok && len(v) > 0 {
		ks.set("s3:max-keys", v[0])
	}
	for _, h := range headerKeys {
		if v, ok := d.header(h); ok {
			ks.set("s3:"+h, v)
		}
	}
	for _, p := range lockHeaderKeys {
		if v, ok := d.header(p[0]); ok {
			ks.set(p[1], v)
		}
	}
	if r.VersionID != "" {
		ks.set("s3:VersionId", r.VersionID)
	}
	if r.LocationConstraint != "" {
		ks.set("s3:LocationConstraint", r.LocationConstraint)
	}
	tags := r.RequestTags
	switch r.Operation {
	case "PutObject", "CreateMultipartUpload", "CopyObject":
		if v, ok := d.header("x-amz-tagging"); ok {
			t, err := ParseTagging(v)
			if err != nil {
				return nil, err
			}
			tags = t
		}
	}
	if tags != nil {
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			ks.set("s3:RequestObjectTag/"+k, v)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ks.set("s3:RequestObjectTagKeys", keys...)
	}
	for k, v := range r.ExistingObjectTags {
		ks.set("s3:ExistingObjectTag/"+k, v)
	}
	for k, v := range r.BucketTags {
		ks.set("s3:BucketTag/"+k, v)
		ks.set("aws:ResourceTag/"+k, v)
	}
	if r.Auth.Type != "" {
		sv := r.Auth.SignatureVersion
		if sv == "" {
			sv = SignatureV4
		}
		ks.set("s3:signatureversion", sv)
		ks.set("s3:authType", string(r.Auth.Type))
		ks.set("s3:signatureAge", strconv.FormatInt(r.Auth.Age.Milliseconds(), 10))
	}
	if r.TLSVersion != "" {
		ks.set("s3:TlsVersion", r.TLSVersion)
	}
	if r.BucketOwner != "" {
		ks.set("s3:ResourceAccount", r.BucketOwner)
		ks.set("aws:ResourceAccount", r.BucketOwner)
	}
	if v, ok := d.header("Referer"); ok {
		ks.set("aws:Referer", v)
	}
	if v, ok := d.header("User-Agent"); ok {
		ks.set("aws:UserAgent", v)
	}
	return ks, nil
}

// attachKeys gives each check the keys its action supports: the action's
// and its resource types' keys in the Service Authorization Reference, and
// the global aws: keys. A key the reference does not list for the action
// is not supplied, as AWS does not supply it.
func (d *describer) attachKeys() {
	table := supportedKeys()
	for i := range d.out {
		c := &d.out[i]
		if c.Context != nil {
			continue
		}
		sup := table[strings.ToLower(c.Action)]
		ctx := make(map[string][]string, 8)
		for _, kv := range d.keys.kv {
			if strings.HasPrefix(kv.match, "aws:") && kv.match != "aws:resourcetag/" || sup[kv.match] {
				ctx[kv.key] = kv.values
			}
		}
		c.Context = ctx
	}
}

// supportedKeys maps each lower-cased s3 action to the lower-cased keys it
// supports, tag keys cut after '/'. It is built once from authref and never
// modified.
var supportedKeys = sync.OnceValue(func() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	s, ok := authref.Lookup().Service("s3")
	if !ok {
		return out
	}
	norm := func(k string) string {
		k = strings.ToLower(k)
		if i := strings.IndexByte(k, '/'); i >= 0 {
			k = k[:i+1]
		}
		return k
	}
	for _, a := range s.Actions {
		m := map[string]bool{}
		for _, k := range a.ConditionKeys {
			m[norm(k)] = true
		}
		for _, r := range a.Resources {
			if r.Type.Name != "bucket" && r.Type.Name != "object" {
				continue
			}
			for _, k := range r.Type.ConditionKeys {
				m[norm(k)] = true
			}
		}
		out["s3:"+strings.ToLower(a.Name)] = m
	}
	return out
})

// Object tag limits (object-tagging.html: up to 10 tags per object, keys
// up to 128 and values up to 256 Unicode characters).
const (
	maxObjectTags  = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// ParseTagging parses the x-amz-tagging header: tags encoded as URL query
// parameters ("k1=v1&k2=v2"). Duplicate keys and malformed encoding are
// S3's InvalidArgument; too many tags, or a key or value too long, are
// InvalidTag.
func ParseTagging(v string) (map[string]string, error) {
	bad := func() error {
		return awserr.New("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.").
			WithMembers(map[string]any{"ArgumentName": "x-amz-tagging", "ArgumentValue": v})
	}
	out := map[string]string{}
	if v == "" {
		return out, nil
	}
	for _, part := range strings.Split(v, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil || !utf8.ValidString(uk) || !utf8.ValidString(uv) {
			return nil, bad()
		}
		if _, dup := out[uk]; dup {
			return nil, bad()
		}
		if uk == "" {
			return nil, awserr.New("InvalidTag", "The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(uk) > maxTagKeyLen {
			return nil, awserr.New("InvalidTag", "The TagKey you have provided is too long, max 128")
		}
		if utf8.RuneCountInString(uv) > maxTagValueLen {
			return nil, awserr.New("InvalidTag", "The TagValue you have provided is too long, max 256")
		}
		out[uk] = uv
	}
	if len(out) > maxObjectTags {
		return nil, awserr.New("BadRequest", "Object tags cannot be greater than 10")
	}
	return out, nil
}
