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
	// of limits the key to the checks of the request's own object
	// (ofTarget) or of a copy's source (ofSource); 0: every check.
	of uint8
}

const (
	ofTarget uint8 = 1 + iota
	ofSource
)

type keySet struct{ kv []keyVal }

// set adds key; match is its lower-cased name, cut after '/' for tag keys.
func (s *keySet) set(key, match string, values ...string) {
	s.kv = append(s.kv, keyVal{key: key, match: match, values: values})
}

// setStatic adds a key whose name is its own match (lower case, no tag part).
func (s *keySet) setStatic(key string, values ...string) { s.set(key, key, values...) }

// headerKeys are the request headers whose values AWS supplies as s3:
// condition keys of the same name (amazon-s3-policy-keys.html and the
// Service Authorization Reference).
// headerKeys maps request headers (lower case) to their condition keys.
var headerKeys = [][2]string{
	{"x-amz-acl", "s3:x-amz-acl"},
	{"x-amz-grant-read", "s3:x-amz-grant-read"},
	{"x-amz-grant-write", "s3:x-amz-grant-write"},
	{"x-amz-grant-read-acp", "s3:x-amz-grant-read-acp"},
	{"x-amz-grant-write-acp", "s3:x-amz-grant-write-acp"},
	{"x-amz-grant-full-control", "s3:x-amz-grant-full-control"},
	{"x-amz-server-side-encryption", "s3:x-amz-server-side-encryption"},
	{"x-amz-server-side-encryption-aws-kms-key-id", "s3:x-amz-server-side-encryption-aws-kms-key-id"},
	{"x-amz-server-side-encryption-customer-algorithm", "s3:x-amz-server-side-encryption-customer-algorithm"},
	{"x-amz-storage-class", "s3:x-amz-storage-class"},
	{"x-amz-metadata-directive", "s3:x-amz-metadata-directive"},
	{"x-amz-copy-source", "s3:x-amz-copy-source"},
	{"x-amz-website-redirect-location", "s3:x-amz-website-redirect-location"},
	{"x-amz-content-sha256", "s3:x-amz-content-sha256"},
	{"x-amz-object-ownership", "s3:x-amz-object-ownership"},
	{"x-amz-object-lock-mode", "s3:object-lock-mode"},
	{"x-amz-object-lock-retain-until-date", "s3:object-lock-retain-until-date"},
	{"x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"},
	{"if-match", "s3:if-match"},
	{"if-none-match", "s3:if-none-match"},
}

// requestKeys gathers every condition key the request supplies; attachKeys
// then gives each check the ones its action supports.
func requestKeys(d *describer) (*keySet, error) {
	r := d.r
	ks := &keySet{kv: make([]keyVal, 0, 16)}
	q := url.Values(r.Query)
	// s3:prefix is "" when the request gives no prefix: the IAM User
	// Guide's home-directory example allows listing the bucket's root with
	// "s3:prefix": [""] (reference_policies_examples_s3_home-directory-console).
	ks.setStatic("s3:prefix", q.Get("prefix"))
	if v, ok := r.Query["delimiter"]; ok && len(v) > 0 {
		ks.setStatic("s3:delimiter", v[0])
	}
	if v, ok := r.Query["max-keys"]; ok && len(v) > 0 {
		ks.setStatic("s3:max-keys", v[0])
	}
	for _, p := range headerKeys {
		if v, ok := d.header(p[0]); ok {
			ks.setStatic(p[1], v)
		}
	}
	for _, p := range [...][2]string{
		{"s3:object-lock-mode", r.Lock.Mode},
		{"s3:object-lock-retain-until-date", r.Lock.RetainUntilDate},
		{"s3:object-lock-legal-hold", r.Lock.LegalHold},
		{"s3:object-lock-remaining-retention-days", r.Lock.RemainingDays},
	} {
		if p[1] != "" {
			ks.setStatic(p[0], p[1])
		}
	}
	if r.VersionID != "" {
		ks.set("s3:VersionId", "s3:versionid", r.VersionID)
	}
	if r.LocationConstraint != "" {
		ks.set("s3:LocationConstraint", "s3:locationconstraint", r.LocationConstraint)
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
			ks.set("s3:RequestObjectTag/"+k, "s3:requestobjecttag/", v)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ks.set("s3:RequestObjectTagKeys", "s3:requestobjecttagkeys", keys...)
	}
	// An object's tags are its own checks' keys: a copy's source checks
	// take the source's tags, never the destination's.
	for k, v := range r.ExistingObjectTags {
		ks.set("s3:ExistingObjectTag/"+k, "s3:existingobjecttag/", v)
		ks.kv[len(ks.kv)-1].of = ofTarget
	}
	for k, v := range r.SourceObjectTags {
		ks.set("s3:ExistingObjectTag/"+k, "s3:existingobjecttag/", v)
		ks.kv[len(ks.kv)-1].of = ofSource
	}
	for k, v := range r.BucketTags {
		ks.set("s3:BucketTag/"+k, "s3:buckettag/", v)
		ks.set("aws:ResourceTag/"+k, "aws:resourcetag/", v)
	}
	if r.Auth.Type != "" {
		sv := r.Auth.SignatureVersion
		if sv == "" {
			sv = SignatureV4
		}
		ks.setStatic("s3:signatureversion", sv)
		ks.set("s3:authType", "s3:authtype", string(r.Auth.Type))
		ks.set("s3:signatureAge", "s3:signatureage", strconv.FormatInt(r.Auth.Age.Milliseconds(), 10))
	}
	if r.TLSVersion != "" {
		ks.set("s3:TlsVersion", "s3:tlsversion", r.TLSVersion)
	}
	if r.BucketOwner != "" {
		ks.set("s3:ResourceAccount", "s3:resourceaccount", r.BucketOwner)
		ks.set("aws:ResourceAccount", "aws:resourceaccount", r.BucketOwner)
	}
	if v, ok := d.header("referer"); ok {
		ks.set("aws:Referer", "aws:referer", v)
	}
	if v, ok := d.header("user-agent"); ok {
		ks.set("aws:UserAgent", "aws:useragent", v)
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
			if kv.of == ofTarget && c.Source || kv.of == ofSource && !c.Source {
				continue
			}
			switch {
			case kv.match == "aws:resourcetag/":
				// The bucket's tags are its aws:ResourceTag keys; an
				// object's would be the object's own, which S3 does not
				// supply here.
				if c.Key == "" && sup[kv.match] {
					ctx[kv.key] = kv.values
				}
			case strings.HasPrefix(kv.match, "aws:") || sup[kv.match]:
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
