package restxml_test

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// FuzzDecodeXML feeds hostile documents to the XML payload decoders of
// every operation that reads one: they must never panic, and every failure
// must be an *awserr.Error whose document renders.
func FuzzDecodeXML(f *testing.F) {
	for _, s := range []string{
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>`,
		`<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>`,
		`<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`,
		`<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`,
		`<Delete><Object><Key>&#0;</Key></Object></Delete>`,
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><Delete>&a;</Delete>`,
		`<a:Delete xmlns:a="urn:x"><a:Object><a:Key>k</a:Key></a:Object></a:Delete>`,
		"\xef\xbb\xbf<Delete/>",
		`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>3</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
		`<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>`,
		`<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument><RoutingRules><RoutingRule><Redirect><HttpRedirectCode>301</HttpRedirectCode></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`,
		`<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:1:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>a</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`,
		`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>x</Days></DefaultRetention></Rule></ObjectLockConfiguration>`,
	} {
		f.Add(s)
	}
	svc := s3codec.Service()
	type target struct{ method, bucket, key, query string }
	targets := []target{
		{"POST", "b", "", "delete"},
		{"PUT", "b", "", "acl"},
		{"PUT", "b", "k", "acl"},
		{"POST", "b", "k", "uploadId=u"},
		{"PUT", "b", "", "tagging"},
		{"PUT", "b", "k", "tagging"},
		{"PUT", "b", "", ""},
		{"PUT", "b", "", "publicAccessBlock"},
		{"PUT", "b", "", "ownershipControls"},
		{"PUT", "b", "", "versioning"},
		{"PUT", "b", "", "policy"},
		{"PUT", "b", "", "cors"},
		{"PUT", "b", "", "website"},
		{"PUT", "b", "", "lifecycle"},
		{"PUT", "b", "", "encryption"},
		{"PUT", "b", "", "logging"},
		{"PUT", "b", "", "requestPayment"},
		{"PUT", "b", "", "accelerate"},
		{"PUT", "b", "", "notification"},
		{"PUT", "b", "", "replication"},
		{"PUT", "b", "", "object-lock"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			r := httptest.NewRequest(tg.method, "/", nil)
			r.URL.RawQuery = tg.query
			sum := md5.Sum([]byte(body))
			r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
			req, err := svc.Resolve(r, tg.bucket, tg.key)
			if err != nil {
				t.Fatalf("%v: %v", tg, err)
			}
			_, err = svc.Decode(req, strings.NewReader(body))
			checkError(t, svc, err)
		}
	})
}

// FuzzResolve feeds hostile methods, buckets, keys, query strings and
// headers to the router and the bound-member decoders: no panic, and every
// failure an *awserr.Error whose document renders.
func FuzzResolve(f *testing.F) {
	for _, s := range [][5]string{
		{"GET", "b", "", "list-type=2&max-keys=5&prefix=a", ""},
		{"PUT", "b", "k/é", "partNumber=1&uploadId=u", "x-amz-copy-source: s/k"},
		{"GET", "b", "k", "attributes", "x-amz-object-attributes: ETag, ObjectSize"},
		{"GET", "b", "k", "uploadId=u&max-parts=-1&part-number-marker=x", ""},
		{"HEAD", "b", "k", "partNumber=99999999999", "If-Modified-Since: yesterday"},
		{"POST", "WriteGetObjectResponse", "", "", "x-amz-request-route: r"},
		{"DELETE", "", "", "%zz", ""},
		{"PATCH", "b", "k", "acl&tagging&versions", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	svc := s3codec.Service()
	f.Fuzz(func(t *testing.T, method, bucket, key, query, header string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n/") {
			return
		}
		r := &http.Request{Method: method, URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}}
		if name, value, ok := strings.Cut(header, ":"); ok {
			r.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		req, err := svc.Resolve(r, bucket, key)
		if err == nil {
			_, err = svc.Decode(req, strings.NewReader(""))
		}
		checkError(t, svc, err)
	})
}

func checkError(t *testing.T, svc *restxml.Service, err error) {
	t.Helper()
	if err == nil {
		return
	}
	ae, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v is not *awserr.Error", err)
	}
	if ae.Status < 400 || ae.Status > 599 {
		t.Fatalf("error %v has status %d", err, ae.Status)
	}
	w := httptest.NewRecorder()
	if werr := svc.WriteError(w, httptest.NewRequest("GET", "/", nil), "R", ae); werr != nil || w.Body.Len() == 0 {
		t.Fatalf("error document: %v", werr)
	}
}
