// Package backendtest is the conformance suite every objectstore.Backend
// runs, so the embedded and the upstream backends behave alike — as S3 does.
//
// A backend's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) objectstore.Backend {
//			b, err := disk.Open(t.TempDir(), disk.Options{})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return b
//		})
//	}
//
// Each subtest gets a fresh backend from newBackend, with no buckets, and
// closes it when it ends (Close must tolerate the backend's own cleanup
// calling it again). Bucket names are unique per subtest, so a backend over
// a shared server may return the same server each time. Bench is the
// matching benchmark set.
//
// A backend over a server that lacks part of S3's behaviour (SeaweedFS
// keeps objects as files in directories, so it cannot hold keys "a" and
// "a/b" side by side) passes a Limit for each Capability it lacks: Run
// then leaves out only the checks that need it, logging the Limit's
// reason. The embedded backend passes none: every check applies to it.
package backendtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// A Capability is a part of S3's behaviour the suite checks that a backend
// can lack when the server it forwards to does.
type Capability string

// The capabilities a backend may declare missing.
const (
	// FlatKeys is keeping keys as flat names, as S3 does
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html:
	// "The Amazon S3 data model is a flat structure"), not as file paths: a
	// key beside keys that extend it past a '/' ("a" with "a/" or "a/b"),
	// and keys with an empty segment ("/a", "a//b", "a/"). Without it,
	// ListModel leaves such keys out of its random set, and prefixes with
	// an empty segment out of its listings.
	FlatKeys Capability = "keys are flat names, not file paths"
	// SinglePartCopy is CopyObject making a single-part object (the MD5 of
	// the bytes as ETag, no parts) of a multipart source. Without it, Copy
	// does not check the copy of a multipart object.
	SinglePartCopy Capability = "a copy of a multipart object is single-part"
	// MetaInPlace is UpdateMeta changing more than tags (an ACL) in place,
	// keeping LastModified (API_PutObjectAcl.html changes no object). A
	// backend over S3 rewrites such metadata with a self-copy, which moves
	// LastModified. Without it, UpdateMeta does not compare LastModified.
	MetaInPlace Capability = "UpdateMeta of an ACL keeps LastModified"
	// NullMarkerDelete is DeleteObject with version id "null" removing a
	// delete marker that is the null version
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html).
	// Without it, VersioningModel never deletes such a marker by its id.
	NullMarkerDelete Capability = "a null delete marker is removed by version id \"null\""
	// WriteOrder is versions keeping the order they were written in, even
	// within one second: the latest write is the current version
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html).
	// Without it, VersioningModel, whose steps follow each other within
	// a second, is skipped.
	WriteOrder Capability = "versions written within one second keep their order"
)

// A Limit declares a Capability missing, and why (the server and what it
// does instead), which the suite logs where it leaves a check out.
type Limit struct {
	Lacks Capability
	Why   string
}

// Run runs the suite against backends made by newBackend, leaving out the
// checks that need what limits declare missing.
func Run(t *testing.T, newBackend func(t *testing.T) objectstore.Backend, limits ...Limit) {
	lacks := map[Capability]string{}
	for _, l := range limits {
		lacks[l.Lacks] = l.Why
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s *suite)
	}{
		{"Buckets", testBuckets},
		{"PutGet", testPutGet},
		{"Range", testRange},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"List", testList},
		{"ListPaging", testListPaging},
		{"ListModel", testListModel},
		{"Copy", testCopy},
		{"Meta", testMeta},
		{"UpdateMeta", testUpdateMeta},
		{"Multipart", testMultipart},
		{"MultipartErrors", testMultipartErrors},
		{"MultipartLists", testMultipartLists},
		{"MultipartChecksums", testMultipartChecksums},
		{"Versioning", testVersioning},
		{"VersioningSuspended", testVersioningSuspended},
		{"ListVersions", testListVersions},
		{"VersioningModel", testVersioningModel},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"ConcurrentKeys", testConcurrentKeys},
		{"FailedBody", testFailedBody},
		{"ReadWhileDeleted", testReadWhileDeleted},
		{"ConditionalWrites", testConditionalWrites},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			t.Cleanup(func() {
				if err := b.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			s := &suite{b: b, ctx: t.Context(), bucket: bucketName(t), lacks: lacks}
			if err := b.CreateBucket(s.ctx, s.bucket); err != nil {
				t.Fatalf("CreateBucket(%s): %v", s.bucket, err)
			}
			tc.run(t, s)
		})
	}
}

// suite is one subtest's backend with a bucket made for it.
type suite struct {
	b      objectstore.Backend
	ctx    context.Context
	bucket string
	lacks  map[Capability]string // why, by what the backend lacks
}

// has reports whether the backend has c; when it does not, it logs that
// what needs c is left out, and why.
func (s *suite) has(t *testing.T, c Capability) bool {
	t.Helper()
	why, lacking := s.lacks[c]
	if lacking {
		t.Logf("not checked: %s (%s)", c, why)
	}
	return !lacking
}

func bucketName(t *testing.T) string {
	name := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, name)
	if len(name) > 50 {
		name = name[len(name)-50:]
	}
	return strings.Trim("bt-"+name, "-")
}

func (s *suite) put(t *testing.T, key, body string) objectstore.Info {
	t.Helper()
	info, err := s.b.PutObject(s.ctx, s.bucket, key, strings.NewReader(body), objectstore.Meta{ContentType: "text/plain"}, nil)
	if err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
	return info
}

func (s *suite) get(t *testing.T, key string, opt objectstore.GetOptions) (objectstore.Info, string) {
	t.Helper()
	info, rc, err := s.b.GetObject(s.ctx, s.bucket, key, opt)
	if err != nil {
		t.Fatalf("GetObject(%q, %+v): %v", key, opt, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return info, string(data)
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func testBuckets(t *testing.T, s *suite) {
	ctx, b := s.ctx, s.b
	wantErr(t, "CreateBucket again", b.CreateBucket(ctx, s.bucket), objectstore.ErrBucketExists)
	wantErr(t, "DeleteBucket missing", b.DeleteBucket(ctx, s.bucket+"-missing"), objectstore.ErrNoSuchBucket)
	_, err := b.PutObject(ctx, s.bucket+"-missing", "k", strings.NewReader("x"), objectstore.Meta{}, nil)
	wantErr(t, "PutObject to a missing bucket", err, objectstore.ErrNoSuchBucket)
	_, _, err = b.GetObject(ctx, s.bucket+"-missing", "k", objectstore.GetOptions{})
	wantErr(t, "GetObject from a missing bucket", err, objectstore.ErrNoSuchBucket)
	_, err = b.List(ctx, s.bucket+"-missing", objectstore.ListOptions{})
	wantErr(t, "List a missing bucket", err, objectstore.ErrNoSuchBucket)
	_, err = b.DeleteObject(ctx, s.bucket+"-missing", "k", "")
	wantErr(t, "DeleteObject in a missing bucket", err, objectstore.ErrNoSuchBucket)
	_, err = b.CreateMultipartUpload(ctx, s.bucket+"-missing", "k", objectstore.Meta{})
	wantErr(t, "CreateMultipartUpload in a missing bucket", err, objectstore.ErrNoSuchBucket)

	// An object, an upload in progress and a delete marker each keep a
	// bucket from being deleted (BucketNotEmpty: "The bucket you tried to
	// delete is not empty", ErrorResponses.html; versions and markers count:
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).
	s.put(t, "k", "x")
	wantErr(t, "DeleteBucket with an object", b.DeleteBucket(ctx, s.bucket), objectstore.ErrBucketNotEmpty)
	if _, err := b.DeleteObject(ctx, s.bucket, "k", ""); err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, s.bucket, "u", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteBucket with an upload", b.DeleteBucket(ctx, s.bucket), objectstore.ErrBucketNotEmpty)
	if err := b.AbortMultipartUpload(ctx, s.bucket, "u", id); err != nil {
		t.Fatal(err)
	}
	if err := b.SetVersioning(ctx, s.bucket, objectstore.Enabled); err != nil {
		t.Fatal(err)
	}
	res, err := b.DeleteObject(ctx, s.bucket, "gone", "")
	if err != nil || !res.DeleteMarker {
		t.Fatalf("DeleteObject in a versioned bucket = %+v, %v; want a delete marker", res, err)
	}
	wantErr(t, "DeleteBucket with a delete marker", b.DeleteBucket(ctx, s.bucket), objectstore.ErrBucketNotEmpty)
	if _, err := b.DeleteObject(ctx, s.bucket, "gone", res.VersionID); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, s.bucket); err != nil {
		t.Fatalf("DeleteBucket of an empty bucket: %v", err)
	}
	_, err = b.Versioning(ctx, s.bucket)
	wantErr(t, "Versioning of a deleted bucket", err, objectstore.ErrNoSuchBucket)
	if err := b.CreateBucket(ctx, s.bucket); err != nil {
		t.Fatalf("CreateBucket after delete: %v", err)
	}
	if v, err := b.Versioning(ctx, s.bucket); err != nil || v != objectstore.Unversioned {
		t.Fatalf("Versioning of a new bucket = %q, %v; want unversioned", v, err)
	}
}

func testPutGet(t *testing.T, s *suite) {
	body := "hello, world"
	info := s.put(t, "greeting.txt", body)
	// A single PUT's ETag is the MD5 of the body in hex, quoted
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html).
	if info.ETag != etagOf([]byte(body)) || info.Size != int64(len(body)) || info.VersionID != "" || info.Key != "greeting.txt" || info.Bucket != s.bucket {
		t.Fatalf("PutObject info = %+v", info)
	}
	if info.LastModified.IsZero() || info.LastModified.Nanosecond() != 0 {
		t.Errorf("LastModified = %v, want a time to the second", info.LastModified)
	}
	got, data := s.get(t, "greeting.txt", objectstore.GetOptions{})
	if data != body || got.ETag != info.ETag || got.Size != info.Size || !got.LastModified.Equal(info.LastModified) || got.Meta.ContentType != "text/plain" {
		t.Fatalf("GetObject = %+v %q", got, data)
	}
	head, err := s.b.HeadObject(s.ctx, s.bucket, "greeting.txt", "")
	if err != nil || head.ETag != info.ETag || head.Size != info.Size {
		t.Fatalf("HeadObject = %+v, %v", head, err)
	}
	empty := s.put(t, "empty", "")
	if empty.Size != 0 || empty.ETag != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Fatalf("empty object info = %+v", empty)
	}
	if _, data := s.get(t, "empty", objectstore.GetOptions{}); data != "" {
		t.Fatalf("empty object read %q", data)
	}
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "missing", objectstore.GetOptions{})
	wantErr(t, "GetObject missing", err, objectstore.ErrNoSuchKey)
	_, err = s.b.HeadObject(s.ctx, s.bucket, "missing", "")
	wantErr(t, "HeadObject missing", err, objectstore.ErrNoSuchKey)
	// A version id that does not exist: NoSuchVersion ("Indicates that the
	// version ID specified in the request does not match an existing
	// version", ErrorResponses.html).
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "greeting.txt", objectstore.GetOptions{VersionID: "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"})
	wantErr(t, "GetObject unknown version", err, objectstore.ErrNoSuchVersion)
	// In a bucket never versioned the object is the "null" version.
	if got, data := s.get(t, "greeting.txt", objectstore.GetOptions{VersionID: objectstore.NullVersion}); data != body || got.VersionID != "" {
		t.Fatalf("GetObject version null = %+v %q", got, data)
	}
}

// testRange follows RFC 9110 §14.1.2 as S3 applies it
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax:
// "Amazon S3 doesn't support retrieving multiple ranges of data per GET
// request"; an unsatisfiable range is InvalidRange, 416, ErrorResponses.html;
// on an empty object a first-last range is unsatisfiable, minio/minio#6557
// records AWS's answer).
func testRange(t *testing.T, s *suite) {
	body := "0123456789abcdefghijklmnopqrstuvwxyz" // 36 bytes
	s.put(t, "r", body)
	s.put(t, "empty", "")
	tests := []struct {
		key, header string
		want        string
		invalid     bool
	}{
		{"r", "bytes=0-9", "0123456789", false},
		{"r", "bytes=-5", "vwxyz", false},
		{"r", "bytes=10-", body[10:], false},
		{"r", "bytes=30-100", body[30:], false},
		{"r", "bytes=35-35", "z", false},
		{"r", "bytes=-100", body, false},
		{"r", "bytes=36-", "", true},
		{"r", "bytes=100-200", "", true},
		{"r", "bytes=-0", "", true},
		{"empty", "bytes=0-0", "", true},
		{"empty", "bytes=0-", "", true},
	}
	for _, tc := range tests {
		r, ok := objectstore.ParseRange(tc.header)
		if !ok {
			t.Fatalf("ParseRange(%q) not ok", tc.header)
		}
		info, rc, err := s.b.GetObject(s.ctx, s.bucket, tc.key, objectstore.GetOptions{Range: &r})
		if tc.invalid {
			wantErr(t, "GetObject "+tc.header, err, objectstore.ErrInvalidRange)
			var re *objectstore.RangeError
			if !errors.As(err, &re) || re.Size != int64(len(map[string]string{"r": body, "empty": ""}[tc.key])) {
				t.Errorf("GetObject %s: error %v does not carry the object size", tc.header, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("GetObject %s: %v", tc.header, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(data) != tc.want {
			t.Errorf("GetObject %s = %q, %v; want %q", tc.header, data, err, tc.want)
		}
		if info.Size != int64(len(body)) {
			t.Errorf("GetObject %s: Info.Size %d, want the whole object's %d", tc.header, info.Size, len(body))
		}
		if start, n, err := r.Resolve(info.Size); err != nil || body[start:start+n] != tc.want {
			t.Errorf("Resolve %s = %d, %d, %v", tc.header, start, n, err)
		}
	}
}

func testOverwrite(t *testing.T, s *suite) {
	s.put(t, "k", "first")
	second := s.put(t, "k", "second, longer")
	got, data := s.get(t, "k", objectstore.GetOptions{})
	if data != "second, longer" || got.ETag != second.ETag {
		t.Fatalf("after overwrite: %+v %q", got, data)
	}
	res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{})
	if err != nil || len(res.Objects) != 1 {
		t.Fatalf("List after overwrite = %+v, %v; want one object", res, err)
	}
	vs, err := s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{})
	if err != nil || len(vs.Versions) != 1 || vs.Versions[0].VersionID != objectstore.NullVersion {
		t.Fatalf("ListVersions after overwrite without versioning = %+v, %v; want one null version", vs, err)
	}
}

func testDelete(t *testing.T, s *suite) {
	// Deleting a key that does not exist succeeds (204): "If there isn't a
	// null version, Amazon S3 does not remove any objects but will still
	// respond that the command was successful" (API_DeleteObject.html).
	if res, err := s.b.DeleteObject(s.ctx, s.bucket, "missing", ""); err != nil || res.DeleteMarker {
		t.Fatalf("DeleteObject missing = %+v, %v", res, err)
	}
	s.put(t, "k", "x")
	s.put(t, "k2", "y")
	if _, err := s.b.DeleteObject(s.ctx, s.bucket, "k", ""); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.b.GetObject(s.ctx, s.bucket, "k", objectstore.GetOptions{})
	wantErr(t, "GetObject after delete", err, objectstore.ErrNoSuchKey)
	res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{})
	if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != "k2" {
		t.Fatalf("List after delete = %+v, %v", res, err)
	}
}

// listKeys are keys that exercise ordering by UTF-8 bytes (upper case before
// lower, '/' (0x2f) before '0', multi-byte letters after ASCII; S3 "returns
// ... in UTF-8 binary order", API_ListObjectsV2.html).
var listKeys = []string{
	"a", "a/b", "a/c/d", "a/c/e", "a-b", "a0", "B", "b/x", "photos/2024/01.jpg",
	"photos/2024/02.jpg", "photos/2025/01.jpg", "photos/index.html", "z",
	"é/1", "é/2", "ü", "日本/語", "~tilde", "sp ace", "x\x7fy",
}

func (s *suite) putAll(t *testing.T, keys []string) {
	t.Helper()
	for _, k := range keys {
		s.put(t, k, "v:"+k)
	}
}

func keysOf(infos []objectstore.Info) []string {
	keys := []string{}
	for _, in := range infos {
		keys = append(keys, in.Key)
	}
	return keys
}

func testList(t *testing.T, s *suite) {
	s.putAll(t, listKeys)
	sorted := slices.Clone(listKeys)
	sort.Strings(sorted) // Go compares strings bytewise: UTF-8 binary order.
	tests := []struct {
		name     string
		opt      objectstore.ListOptions
		keys     []string
		prefixes []string
	}{
		{"all", objectstore.ListOptions{}, sorted, nil},
		{"prefix", objectstore.ListOptions{Prefix: "photos/2024/"}, []string{"photos/2024/01.jpg", "photos/2024/02.jpg"}, nil},
		{"prefix no match", objectstore.ListOptions{Prefix: "nothing"}, nil, nil},
		{"delimiter", objectstore.ListOptions{Delimiter: "/"}, []string{"B", "a", "a-b", "a0", "sp ace", "x\x7fy", "z", "~tilde", "ü"}, []string{"a/", "b/", "photos/", "é/", "日本/"}},
		{"prefix and delimiter", objectstore.ListOptions{Prefix: "photos/", Delimiter: "/"}, []string{"photos/index.html"}, []string{"photos/2024/", "photos/2025/"}},
		{"prefix a/ and delimiter", objectstore.ListOptions{Prefix: "a/", Delimiter: "/"}, []string{"a/b"}, []string{"a/c/"}},
		{"marker", objectstore.ListOptions{Marker: "photos/2024/02.jpg"}, sorted[slices.Index(sorted, "photos/2024/02.jpg")+1:], nil},
		{"marker between keys", objectstore.ListOptions{Marker: "p"}, sorted[slices.Index(sorted, "photos/2024/01.jpg"):], nil},
		{"marker before prefix", objectstore.ListOptions{Prefix: "photos/", Marker: "a"}, []string{"photos/2024/01.jpg", "photos/2024/02.jpg", "photos/2025/01.jpg", "photos/index.html"}, nil},
		{"marker past prefix", objectstore.ListOptions{Prefix: "a", Marker: "b"}, nil, nil},
		// A common prefix at or before the marker is not listed again.
		{"marker in a common prefix", objectstore.ListOptions{Delimiter: "/", Marker: "photos/"}, []string{"sp ace", "x\x7fy", "z", "~tilde", "ü"}, []string{"é/", "日本/"}},
		{"multi-byte delimiter", objectstore.ListOptions{Prefix: "photos", Delimiter: "/20"}, []string{"photos/index.html"}, []string{"photos/20"}},
	}
	for _, tc := range tests {
		res, err := s.b.List(s.ctx, s.bucket, tc.opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := keysOf(res.Objects); !slices.Equal(got, append([]string{}, tc.keys...)) {
			t.Errorf("%s: keys %q, want %q", tc.name, got, tc.keys)
		}
		if !slices.Equal(res.CommonPrefixes, tc.prefixes) {
			t.Errorf("%s: common prefixes %q, want %q", tc.name, res.CommonPrefixes, tc.prefixes)
		}
		if res.IsTruncated || res.NextMarker != "" {
			t.Errorf("%s: truncated %v, next marker %q", tc.name, res.IsTruncated, res.NextMarker)
		}
	}
	res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{Prefix: "a/b"})
	if err != nil || len(res.Objects) != 1 || res.Objects[0].ETag != etagOf([]byte("v:a/b")) || res.Objects[0].Size != 5 || res.Objects[0].Meta.ContentType != "text/plain" {
		t.Fatalf("List entry = %+v, %v", res.Objects, err)
	}
}

// testListPaging pages through with every page size and checks the pages
// join into the unpaged listing, with IsTruncated on all but the last
// (API_ListObjects.html: "NextMarker ... use this value as the marker in the
// subsequent request").
func testListPaging(t *testing.T, s *suite) {
	s.putAll(t, listKeys)
	for _, delim := range []string{"", "/"} {
		full, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{Delimiter: delim})
		if err != nil {
			t.Fatal(err)
		}
		for size := 1; size <= 7; size++ {
			var keys, prefixes []string
			marker := ""
			for pages := 0; ; pages++ {
				if pages > len(listKeys) {
					t.Fatalf("delimiter %q size %d: paging does not end", delim, size)
				}
				res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{Delimiter: delim, Marker: marker, MaxKeys: size})
				if err != nil {
					t.Fatal(err)
				}
				if n := len(res.Objects) + len(res.CommonPrefixes); n > size || n < size && res.IsTruncated {
					t.Fatalf("delimiter %q size %d: page of %d, truncated %v", delim, size, n, res.IsTruncated)
				}
				keys = append(keys, keysOf(res.Objects)...)
				prefixes = append(prefixes, res.CommonPrefixes...)
				if !res.IsTruncated {
					break
				}
				if res.NextMarker == "" {
					t.Fatalf("delimiter %q size %d: truncated without a next marker", delim, size)
				}
				marker = res.NextMarker
			}
			if !slices.Equal(keys, keysOf(full.Objects)) || !slices.Equal(prefixes, full.CommonPrefixes) {
				t.Errorf("delimiter %q size %d: pages give %q %q, want %q %q", delim, size, keys, prefixes, keysOf(full.Objects), full.CommonPrefixes)
			}
		}
	}
	// An exact fit is not truncated.
	res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{MaxKeys: len(listKeys)})
	if err != nil || res.IsTruncated || len(res.Objects) != len(listKeys) {
		t.Fatalf("exact page: %d objects, truncated %v, %v", len(res.Objects), res.IsTruncated, err)
	}
}

func testCopy(t *testing.T, s *suite) {
	src := s.put(t, "src", "copy me")
	res, err := s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "src"}, s.bucket, "dst", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A copy's ETag is the MD5 of its bytes (API_CopyObjectResult.html: "The
	// entity tag is a hash of the object").
	if info := res.Object; info.ETag != src.ETag || info.Size != src.Size || info.Key != "dst" || info.Bucket != s.bucket {
		t.Fatalf("CopyObject info = %+v", info)
	}
	if res.Source.Key != "src" || res.Source.ETag != src.ETag {
		t.Fatalf("CopyObject source = %+v", res.Source)
	}
	got, data := s.get(t, "dst", objectstore.GetOptions{})
	if data != "copy me" || got.Meta.ContentType != "text/plain" {
		t.Fatalf("copy = %+v %q", got, data)
	}
	// Copying an object onto itself with new metadata is how S3 replaces
	// metadata (x-amz-metadata-directive: REPLACE, API_CopyObject.html).
	meta := objectstore.Meta{ContentType: "application/json", UserMetadata: map[string]string{"color": "blue"}}
	var seen objectstore.Info
	if _, err := s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "src"}, s.bucket, "src", func(in objectstore.Info) (objectstore.Meta, error) {
		seen = in
		return meta, nil
	}); err != nil {
		t.Fatal(err)
	}
	if seen.ETag != src.ETag || seen.Meta.ContentType != "text/plain" {
		t.Fatalf("meta callback saw %+v", seen)
	}
	got, data = s.get(t, "src", objectstore.GetOptions{})
	if data != "copy me" || !reflect.DeepEqual(got.Meta, meta) || got.ETag != src.ETag {
		t.Fatalf("self copy = %+v %q", got, data)
	}
	// The callback refuses (a failed x-amz-copy-source-if-match): its error
	// comes back and nothing is written.
	refused := errors.New("precondition failed")
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "src"}, s.bucket, "never", func(objectstore.Info) (objectstore.Meta, error) {
		return objectstore.Meta{}, refused
	})
	wantErr(t, "CopyObject refused by the callback", err, refused)
	_, err = s.b.HeadObject(s.ctx, s.bucket, "never", "")
	wantErr(t, "HeadObject of a refused copy", err, objectstore.ErrNoSuchKey)
	// A multipart source becomes a single-part copy.
	id, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, "mp", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.upload(t, "mp", id, 1, []byte("multi"))
	if _, err := s.b.CompleteMultipartUpload(s.ctx, s.bucket, "mp", id, []objectstore.CompletedPart{{PartNumber: 1, ETag: p.ETag}}, objectstore.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "mp"}, s.bucket, "mp-copy", nil)
	if err != nil || res.Source.PartsCount != 1 {
		t.Fatalf("copy of a multipart object = %+v, %v", res, err)
	}
	if s.has(t, SinglePartCopy) && (res.Object.ETag != etagOf([]byte("multi")) || res.Object.PartsCount != 0) {
		t.Fatalf("copy of a multipart object = %+v, want a single-part object", res.Object)
	}
	if _, data := s.get(t, "mp-copy", objectstore.GetOptions{}); data != "multi" {
		t.Fatalf("copy of a multipart object read %q", data)
	}
	// Across buckets.
	other := s.bucket + "-other"
	if err := s.b.CreateBucket(s.ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "src"}, other, "x/y", nil); err != nil {
		t.Fatal(err)
	}
	_, rc, err := s.b.GetObject(s.ctx, other, "x/y", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data2, _ := io.ReadAll(rc)
	rc.Close()
	if string(data2) != "copy me" {
		t.Fatalf("cross-bucket copy read %q", data2)
	}
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "missing"}, s.bucket, "dst", nil)
	wantErr(t, "CopyObject from a missing key", err, objectstore.ErrNoSuchKey)
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "src"}, s.bucket+"-missing", "dst", nil)
	wantErr(t, "CopyObject to a missing bucket", err, objectstore.ErrNoSuchBucket)
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket + "-missing", Key: "src"}, s.bucket, "dst", nil)
	wantErr(t, "CopyObject from a missing bucket", err, objectstore.ErrNoSuchBucket)
}

// fullMeta sets every Meta field.
func fullMeta() objectstore.Meta {
	return objectstore.Meta{
		ContentType:        "image/png",
		ContentEncoding:    "gzip",
		ContentDisposition: `attachment; filename="a.png"`,
		ContentLanguage:    "en-GB",
		CacheControl:       "max-age=60",
		Expires:            "Thu, 01 Dec 1994 16:00:00 GMT",
		WebsiteRedirect:    "/other",
		UserMetadata:       map[string]string{"a": "1", "unicode": "żółw"},
		Tags:               []objectstore.Tag{{Key: "z", Value: "last"}, {Key: "a", Value: ""}},
		Owner:              "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
		ACL:                []byte(`{"grants":[]}`),
		StorageClass:       "STANDARD_IA",
		SSE:                "AES256",
		Checksum:           objectstore.Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
	}
}

// sameMeta compares metas with their tags as a set: S3 keeps no order of
// an object's tags (Gatehouse's S3 layer and AWS return them sorted by
// key), so a backend over S3 returns the upstream's order, not the order
// given.
func sameMeta(a, b objectstore.Meta) bool {
	byKey := func(m objectstore.Meta) objectstore.Meta {
		m = m.Clone()
		slices.SortStableFunc(m.Tags, func(x, y objectstore.Tag) int { return strings.Compare(x.Key, y.Key) })
		return m
	}
	return reflect.DeepEqual(byKey(a), byKey(b))
}

func testMeta(t *testing.T, s *suite) {
	meta := fullMeta()
	if _, err := s.b.PutObject(s.ctx, s.bucket, "m", strings.NewReader("x"), meta, nil); err != nil {
		t.Fatal(err)
	}
	for _, via := range []string{"get", "head", "list"} {
		var got objectstore.Meta
		switch via {
		case "get":
			info, _ := s.get(t, "m", objectstore.GetOptions{})
			got = info.Meta
		case "head":
			info, err := s.b.HeadObject(s.ctx, s.bucket, "m", "")
			if err != nil {
				t.Fatal(err)
			}
			got = info.Meta
		case "list":
			res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{})
			if err != nil || len(res.Objects) != 1 {
				t.Fatalf("List = %+v, %v", res, err)
			}
			got = res.Objects[0].Meta
		}
		if !sameMeta(got, meta) {
			t.Errorf("%s: meta %+v, want %+v", via, got, meta)
		}
	}
	// The backend keeps its own copy.
	info, _ := s.get(t, "m", objectstore.GetOptions{})
	info.Meta.UserMetadata["a"] = "changed"
	info.Meta.Tags[0].Value = "changed"
	if again, _ := s.get(t, "m", objectstore.GetOptions{}); !sameMeta(again.Meta, meta) {
		t.Errorf("a caller's edit reached the stored meta: %+v", again.Meta)
	}
}

func testUpdateMeta(t *testing.T, s *suite) {
	before := s.put(t, "k", "body")
	info, err := s.b.UpdateMeta(s.ctx, s.bucket, "k", "", func(m *objectstore.Meta) error {
		m.Tags = []objectstore.Tag{{Key: "team", Value: "blue"}}
		m.ACL = []byte(`{"public":true}`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Tagging and ACL changes do not make a new version or change
	// LastModified or the ETag (API_PutObjectTagging.html).
	if info.ETag != before.ETag || len(info.Meta.Tags) != 1 {
		t.Fatalf("UpdateMeta info = %+v", info)
	}
	if s.has(t, MetaInPlace) && !info.LastModified.Equal(before.LastModified) {
		t.Fatalf("UpdateMeta moved LastModified from %v to %v", before.LastModified, info.LastModified)
	}
	got, data := s.get(t, "k", objectstore.GetOptions{})
	if data != "body" || len(got.Meta.Tags) != 1 || got.Meta.Tags[0].Value != "blue" || string(got.Meta.ACL) != `{"public":true}` || got.Meta.ContentType != "text/plain" {
		t.Fatalf("after UpdateMeta: %+v", got)
	}
	res, _ := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{})
	if len(res.Objects) != 1 || len(res.Objects[0].Meta.Tags) != 1 {
		t.Fatalf("List after UpdateMeta: %+v", res.Objects)
	}
	boom := errors.New("refused")
	_, err = s.b.UpdateMeta(s.ctx, s.bucket, "k", "", func(m *objectstore.Meta) error {
		m.Tags = nil
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateMeta with a failing fn: %v", err)
	}
	if got, _ := s.get(t, "k", objectstore.GetOptions{}); len(got.Meta.Tags) != 1 {
		t.Fatal("a failing fn's edit was stored")
	}
	_, err = s.b.UpdateMeta(s.ctx, s.bucket, "missing", "", func(*objectstore.Meta) error { return nil })
	wantErr(t, "UpdateMeta missing", err, objectstore.ErrNoSuchKey)
}

// partData is n bytes of a pattern seeded by seed.
func partData(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i%251)
	}
	return b
}

// multipartETag is S3's ETag of a multipart object: the MD5 of the parts'
// binary MD5s, "-" and the number of parts
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	s := md5.Sum(sums)
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(s[:]), len(parts))
}

func (s *suite) upload(t *testing.T, key, id string, n int, data []byte) objectstore.PartInfo {
	t.Helper()
	p, err := s.b.UploadPart(s.ctx, s.bucket, key, id, n, bytes.NewReader(data), objectstore.Checksum{})
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	if p.ETag != etagOf(data) || p.Size != int64(len(data)) || p.PartNumber != n {
		t.Fatalf("UploadPart %d = %+v", n, p)
	}
	return p
}

func testMultipart(t *testing.T, s *suite) {
	meta := objectstore.Meta{ContentType: "video/mp4", UserMetadata: map[string]string{"k": "v"}}
	id, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, "big", meta)
	if err != nil {
		t.Fatal(err)
	}
	p1 := partData(objectstore.MinPartSize, 1)
	p1b := partData(objectstore.MinPartSize, 7)
	p2 := partData(objectstore.MinPartSize, 2)
	p3 := []byte("tail")
	// Parts may arrive in any order; a number uploaded again replaces the
	// part (API_UploadPart.html).
	e3 := s.upload(t, "big", id, 3, p3)
	s.upload(t, "big", id, 1, p1)
	e2 := s.upload(t, "big", id, 2, p2)
	e1 := s.upload(t, "big", id, 1, p1b)
	if _, err := s.b.HeadObject(s.ctx, s.bucket, "big", ""); !errors.Is(err, objectstore.ErrNoSuchKey) {
		t.Fatalf("object visible before completion: %v", err)
	}
	info, err := s.b.CompleteMultipartUpload(s.ctx, s.bucket, "big", id, []objectstore.CompletedPart{
		{PartNumber: 1, ETag: e1.ETag}, {PartNumber: 2, ETag: strings.Trim(e2.ETag, `"`)}, {PartNumber: 3, ETag: e3.ETag},
	}, objectstore.CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whole := slices.Concat(p1b, p2, p3)
	if info.ETag != multipartETag(p1b, p2, p3) || info.Size != int64(len(whole)) || info.PartsCount != 3 {
		t.Fatalf("Complete info = %+v, want ETag %s", info, multipartETag(p1b, p2, p3))
	}
	got, data := s.get(t, "big", objectstore.GetOptions{})
	if data != string(whole) || !reflect.DeepEqual(got.Meta, meta) || got.ETag != info.ETag || got.PartsCount != 3 {
		t.Fatalf("completed object: %+v (%d bytes, equal %v)", got, len(data), data == string(whole))
	}
	// A range across the parts' boundaries.
	r := objectstore.Range{First: int64(len(p1b)) - 3, Last: int64(len(p1b)+len(p2)) + 1}
	_, data = s.get(t, "big", objectstore.GetOptions{Range: &r})
	if data != string(whole[r.First:r.Last+1]) {
		t.Fatalf("range across parts: %d bytes, wrong content", len(data))
	}
	// Reads by part number (?partNumber=, API_GetObject.html: "Effectively
	// performs a 'ranged' GET request for the part specified"), the way the
	// SDK's transfer manager downloads; HEAD reports the parts.
	head, err := s.b.HeadObject(s.ctx, s.bucket, "big", "")
	wantParts := []objectstore.ObjectPart{{PartNumber: 1, Size: int64(len(p1b))}, {PartNumber: 2, Size: int64(len(p2))}, {PartNumber: 3, Size: int64(len(p3))}}
	if err != nil || !slices.Equal(head.Parts, wantParts) {
		t.Fatalf("HeadObject parts = %+v, %v; want %+v", head.Parts, err, wantParts)
	}
	for n, want := range [][]byte{p1b, p2, p3} {
		info, data := s.get(t, "big", objectstore.GetOptions{PartNumber: n + 1})
		start, length, err := info.PartRange(n + 1)
		if data != string(want) || err != nil || length != int64(len(want)) || string(whole[start:start+length]) != data {
			t.Fatalf("part %d: %d bytes, range %d+%d, %v", n+1, len(data), start, length, err)
		}
	}
	// A part the object does not have: InvalidPartNumber, 416 ("The
	// requested partnumber is not satisfiable", ErrorResponses.html).
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "big", objectstore.GetOptions{PartNumber: 4})
	wantErr(t, "GetObject part 4 of 3", err, objectstore.ErrPartNotSatisfiable)
	// The upload is gone.
	_, err = s.b.UploadPart(s.ctx, s.bucket, "big", id, 4, strings.NewReader("x"), objectstore.Checksum{})
	wantErr(t, "UploadPart after completion", err, objectstore.ErrNoSuchUpload)
	ups, err := s.b.ListUploads(s.ctx, s.bucket, objectstore.UploadListOptions{})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("ListUploads after completion = %+v, %v", ups, err)
	}

	// Completing with a subset of the parts: the others are discarded.
	id2, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, "subset", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	q1 := s.upload(t, "subset", id2, 1, p1)
	s.upload(t, "subset", id2, 2, p2)
	q3 := s.upload(t, "subset", id2, 3, p3)
	info, err = s.b.CompleteMultipartUpload(s.ctx, s.bucket, "subset", id2, []objectstore.CompletedPart{{PartNumber: 1, ETag: q1.ETag}, {PartNumber: 3, ETag: q3.ETag}}, objectstore.CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, data := s.get(t, "subset", objectstore.GetOptions{}); data != string(p1)+string(p3) || info.ETag != multipartETag(p1, p3) {
		t.Fatalf("subset completion: ETag %s, %d bytes", info.ETag, len(data))
	}
	// Parts keep the numbers they were uploaded under.
	if _, data := s.get(t, "subset", objectstore.GetOptions{PartNumber: 3}); data != string(p3) {
		t.Fatalf("part 3 of the subset: %d bytes", len(data))
	}
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "subset", objectstore.GetOptions{PartNumber: 2})
	wantErr(t, "GetObject of a part left out", err, objectstore.ErrPartNotSatisfiable)
	// An object that is not multipart has one part, the whole object.
	s.put(t, "single", "whole")
	if info, data := s.get(t, "single", objectstore.GetOptions{PartNumber: 1}); data != "whole" || info.PartsCount != 0 || len(info.Parts) != 0 {
		t.Fatalf("part 1 of a single-part object: %+v %q", info, data)
	}
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "single", objectstore.GetOptions{PartNumber: 2})
	wantErr(t, "GetObject part 2 of a single-part object", err, objectstore.ErrPartNotSatisfiable)

	// A single small part is a valid upload (the last part may be small).
	id3, _ := s.b.CreateMultipartUpload(s.ctx, s.bucket, "one", objectstore.Meta{})
	o := s.upload(t, "one", id3, 5, []byte("only"))
	if info, err := s.b.CompleteMultipartUpload(s.ctx, s.bucket, "one", id3, []objectstore.CompletedPart{{PartNumber: 5, ETag: o.ETag}}, objectstore.CompleteOptions{}); err != nil || info.ETag != multipartETag([]byte("only")) {
		t.Fatalf("single-part completion = %+v, %v", info, err)
	}

	// Abort discards.
	id4, _ := s.b.CreateMultipartUpload(s.ctx, s.bucket, "aborted", objectstore.Meta{})
	s.upload(t, "aborted", id4, 1, []byte("x"))
	if err := s.b.AbortMultipartUpload(s.ctx, s.bucket, "aborted", id4); err != nil {
		t.Fatal(err)
	}
	_, err = s.b.ListParts(s.ctx, s.bucket, "aborted", id4, objectstore.PartListOptions{})
	wantErr(t, "ListParts after abort", err, objectstore.ErrNoSuchUpload)
	wantErr(t, "Abort twice", s.b.AbortMultipartUpload(s.ctx, s.bucket, "aborted", id4), objectstore.ErrNoSuchUpload)
	if _, err := s.b.HeadObject(s.ctx, s.bucket, "aborted", ""); !errors.Is(err, objectstore.ErrNoSuchKey) {
		t.Fatalf("aborted upload made an object: %v", err)
	}
}

// testMultipartErrors checks CompleteMultipartUpload's errors
// (API_CompleteMultipartUpload.html, "Special errors": EntityTooSmall,
// InvalidPart, InvalidPartOrder, NoSuchUpload) and UploadPart's part-number
// range ("Part numbers can be any number from 1 to 10,000, inclusive",
// API_UploadPart.html; InvalidArgument otherwise).
func testMultipartErrors(t *testing.T, s *suite) {
	id, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, "k", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	small1 := s.upload(t, "k", id, 1, []byte("small one"))
	small2 := s.upload(t, "k", id, 2, []byte("small two"))
	for _, n := range []int{0, -1, objectstore.MaxPartNumber + 1} {
		_, err := s.b.UploadPart(s.ctx, s.bucket, "k", id, n, strings.NewReader("x"), objectstore.Checksum{})
		wantErr(t, fmt.Sprintf("UploadPart %d", n), err, objectstore.ErrInvalidPartNumber)
	}
	if _, err := s.b.UploadPart(s.ctx, s.bucket, "k", id, objectstore.MaxPartNumber, strings.NewReader("x"), objectstore.Checksum{}); err != nil {
		t.Fatalf("UploadPart %d: %v", objectstore.MaxPartNumber, err)
	}
	tests := []struct {
		name  string
		parts []objectstore.CompletedPart
		want  error
	}{
		{"descending", []objectstore.CompletedPart{{PartNumber: 2, ETag: small2.ETag}, {PartNumber: 1, ETag: small1.ETag}}, objectstore.ErrInvalidPartOrder},
		{"repeated", []objectstore.CompletedPart{{PartNumber: 1, ETag: small1.ETag}, {PartNumber: 1, ETag: small1.ETag}}, objectstore.ErrInvalidPartOrder},
		{"unknown part", []objectstore.CompletedPart{{PartNumber: 3, ETag: small1.ETag}}, objectstore.ErrInvalidPart},
		{"wrong ETag", []objectstore.CompletedPart{{PartNumber: 1, ETag: small2.ETag}}, objectstore.ErrInvalidPart},
		{"small part not last", []objectstore.CompletedPart{{PartNumber: 1, ETag: small1.ETag}, {PartNumber: 2, ETag: small2.ETag}}, objectstore.ErrEntityTooSmall},
		{"empty list", nil, objectstore.ErrInvalidPart},
	}
	for _, tc := range tests {
		_, err := s.b.CompleteMultipartUpload(s.ctx, s.bucket, "k", id, tc.parts, objectstore.CompleteOptions{})
		wantErr(t, tc.name, err, tc.want)
	}
	// A failed completion leaves the upload in progress.
	if res, err := s.b.ListParts(s.ctx, s.bucket, "k", id, objectstore.PartListOptions{}); err != nil || len(res.Parts) != 3 {
		t.Fatalf("ListParts after failed completions = %+v, %v", res, err)
	}
	// NoSuchUpload: unknown id, or the id under another key.
	for _, key := range []string{"k", "other"} {
		bad := "nosuchupload"
		if key == "other" {
			bad = id
		}
		_, err := s.b.UploadPart(s.ctx, s.bucket, key, bad, 1, strings.NewReader("x"), objectstore.Checksum{})
		wantErr(t, "UploadPart "+key, err, objectstore.ErrNoSuchUpload)
		_, err = s.b.CompleteMultipartUpload(s.ctx, s.bucket, key, bad, []objectstore.CompletedPart{{PartNumber: 1, ETag: small1.ETag}}, objectstore.CompleteOptions{})
		wantErr(t, "Complete "+key, err, objectstore.ErrNoSuchUpload)
		_, err = s.b.ListParts(s.ctx, s.bucket, key, bad, objectstore.PartListOptions{})
		wantErr(t, "ListParts "+key, err, objectstore.ErrNoSuchUpload)
		wantErr(t, "Abort "+key, s.b.AbortMultipartUpload(s.ctx, s.bucket, key, bad), objectstore.ErrNoSuchUpload)
	}
}

func testMultipartLists(t *testing.T, s *suite) {
	// Uploads list by key, then by initiation
	// (API_ListMultipartUploads.html: "sorted by key ... sorted in ascending
	// order within each key by the upload initiation time").
	type up struct{ key, id string }
	var ups []up
	for _, key := range []string{"b", "a/1", "b", "a/2", "c", "b"} {
		id, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, key, objectstore.Meta{ContentType: "x/" + key})
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, up{key, id})
	}
	want := []up{ups[1], ups[3], ups[0], ups[2], ups[5], ups[4]}
	all, err := s.b.ListUploads(s.ctx, s.bucket, objectstore.UploadListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []up
	for _, u := range all.Uploads {
		got = append(got, up{u.Key, u.UploadID})
		if u.Meta.ContentType != "x/"+u.Key || u.Initiated.IsZero() {
			t.Errorf("upload %+v", u)
		}
	}
	if !slices.Equal(got, want) || all.IsTruncated {
		t.Fatalf("ListUploads = %v, want %v", got, want)
	}
	for size := 1; size <= 4; size++ {
		var paged []up
		opt := objectstore.UploadListOptions{MaxUploads: size}
		for range 10 {
			res, err := s.b.ListUploads(s.ctx, s.bucket, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range res.Uploads {
				paged = append(paged, up{u.Key, u.UploadID})
			}
			if !res.IsTruncated {
				break
			}
			opt.KeyMarker, opt.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
		}
		if !slices.Equal(paged, want) {
			t.Errorf("ListUploads by %d = %v, want %v", size, paged, want)
		}
	}
	res, err := s.b.ListUploads(s.ctx, s.bucket, objectstore.UploadListOptions{Delimiter: "/"})
	if err != nil || !slices.Equal(res.CommonPrefixes, []string{"a/"}) || len(res.Uploads) != 4 {
		t.Fatalf("ListUploads with delimiter = %+v, %v", res, err)
	}
	res, err = s.b.ListUploads(s.ctx, s.bucket, objectstore.UploadListOptions{Prefix: "a/"})
	if err != nil || len(res.Uploads) != 2 {
		t.Fatalf("ListUploads with prefix = %+v, %v", res, err)
	}

	// Parts list by number, paged by PartNumberMarker.
	id := ups[4].id
	for _, n := range []int{9, 2, 5, 1} {
		s.upload(t, "c", id, n, []byte(fmt.Sprint("part ", n)))
	}
	var nums []int
	opt := objectstore.PartListOptions{MaxParts: 3}
	for range 5 {
		res, err := s.b.ListParts(s.ctx, s.bucket, "c", id, opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.Upload.UploadID != id || res.Upload.Key != "c" || res.Upload.Meta.ContentType != "x/c" {
			t.Errorf("ListParts upload = %+v", res.Upload)
		}
		for _, p := range res.Parts {
			nums = append(nums, p.PartNumber)
			if p.Size != int64(len(fmt.Sprint("part ", p.PartNumber))) || p.ETag != etagOf([]byte(fmt.Sprint("part ", p.PartNumber))) {
				t.Errorf("part %+v", p)
			}
		}
		if !res.IsTruncated {
			break
		}
		opt.PartNumberMarker = res.NextPartNumberMarker
	}
	if !slices.Equal(nums, []int{1, 2, 5, 9}) {
		t.Fatalf("ListParts paged = %v", nums)
	}
}

func (s *suite) setVersioning(t *testing.T, v objectstore.Versioning) {
	t.Helper()
	if err := s.b.SetVersioning(s.ctx, s.bucket, v); err != nil {
		t.Fatal(err)
	}
	if got, err := s.b.Versioning(s.ctx, s.bucket); err != nil || got != v {
		t.Fatalf("Versioning = %q, %v; want %q", got, err, v)
	}
}

// testVersioning follows https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html:
// objects stored before versioning was enabled have version id null; with
// it Enabled each PUT adds a version; a DELETE without a version id adds a
// delete marker, after which GET gives 404 NoSuchKey, and a GET of the
// marker's version id 405 MethodNotAllowed
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html).
func testVersioning(t *testing.T, s *suite) {
	pre := s.put(t, "k", "before versioning")
	if pre.VersionID != "" {
		t.Fatalf("unversioned PutObject version id %q, want none", pre.VersionID)
	}
	wantErr(t, "SetVersioning back to unversioned", s.b.SetVersioning(s.ctx, s.bucket, objectstore.Unversioned), objectstore.ErrIllegalVersioning)
	wantErr(t, "SetVersioning bogus", s.b.SetVersioning(s.ctx, s.bucket, "enabled"), objectstore.ErrIllegalVersioning)
	s.setVersioning(t, objectstore.Enabled)
	if info, err := s.b.HeadObject(s.ctx, s.bucket, "k", ""); err != nil || info.VersionID != objectstore.NullVersion {
		t.Fatalf("pre-versioning object after enabling = %+v, %v; want version null", info, err)
	}
	v1 := s.put(t, "k", "one")
	v2 := s.put(t, "k", "two")
	if v1.VersionID == "" || v1.VersionID == objectstore.NullVersion || v1.VersionID == v2.VersionID {
		t.Fatalf("version ids %q %q", v1.VersionID, v2.VersionID)
	}
	if got, data := s.get(t, "k", objectstore.GetOptions{}); data != "two" || got.VersionID != v2.VersionID || !got.IsLatest {
		t.Fatalf("current = %+v %q", got, data)
	}
	for _, tc := range []struct{ id, want string }{{v1.VersionID, "one"}, {v2.VersionID, "two"}, {objectstore.NullVersion, "before versioning"}} {
		if got, data := s.get(t, "k", objectstore.GetOptions{VersionID: tc.id}); data != tc.want || got.VersionID != tc.id {
			t.Errorf("version %s = %+v %q", tc.id, got, data)
		}
	}
	del, err := s.b.DeleteObject(s.ctx, s.bucket, "k", "")
	if err != nil || !del.DeleteMarker || del.VersionID == "" || del.VersionID == v2.VersionID {
		t.Fatalf("DeleteObject = %+v, %v", del, err)
	}
	info, _, err := s.b.GetObject(s.ctx, s.bucket, "k", objectstore.GetOptions{})
	wantErr(t, "GetObject behind a delete marker", err, objectstore.ErrNoSuchKey)
	if !info.IsDeleteMarker || info.VersionID != del.VersionID {
		t.Errorf("GetObject behind a delete marker: info %+v, want the marker's", info)
	}
	info, err = s.b.HeadObject(s.ctx, s.bucket, "k", del.VersionID)
	wantErr(t, "HeadObject of the delete marker", err, objectstore.ErrMethodNotAllowed)
	if !info.IsDeleteMarker {
		t.Errorf("HeadObject of the delete marker: info %+v", info)
	}
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "k"}, s.bucket, "copy", nil)
	wantErr(t, "CopyObject from behind a delete marker", err, objectstore.ErrNoSuchKey)
	if res, _ := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{}); len(res.Objects) != 0 {
		t.Fatalf("List shows a deleted key: %+v", res.Objects)
	}
	// Old versions stay readable and copyable.
	if _, data := s.get(t, "k", objectstore.GetOptions{VersionID: v1.VersionID}); data != "one" {
		t.Fatalf("v1 after delete = %q", data)
	}
	cp, err := s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "k", VersionID: v1.VersionID}, s.bucket, "restored", nil)
	if err != nil || cp.Source.VersionID != v1.VersionID || cp.Object.VersionID == "" || cp.Object.VersionID == v1.VersionID {
		t.Fatalf("CopyObject of v1 = %+v, %v", cp, err)
	}
	_, err = s.b.CopyObject(s.ctx, objectstore.ObjectRef{Bucket: s.bucket, Key: "k", VersionID: del.VersionID}, s.bucket, "restored", nil)
	wantErr(t, "CopyObject of a delete marker by version id", err, objectstore.ErrMethodNotAllowed)
	// Removing the marker brings the previous version back.
	res, err := s.b.DeleteObject(s.ctx, s.bucket, "k", del.VersionID)
	if err != nil || !res.DeleteMarker || res.VersionID != del.VersionID {
		t.Fatalf("DeleteObject of the marker = %+v, %v", res, err)
	}
	if _, data := s.get(t, "k", objectstore.GetOptions{}); data != "two" {
		t.Fatalf("after removing the marker: %q", data)
	}
	// Removing a version for good.
	if res, err := s.b.DeleteObject(s.ctx, s.bucket, "k", v2.VersionID); err != nil || res.DeleteMarker {
		t.Fatalf("DeleteObject v2 = %+v, %v", res, err)
	}
	if _, data := s.get(t, "k", objectstore.GetOptions{}); data != "one" {
		t.Fatalf("after removing v2: %q", data)
	}
	_, _, err = s.b.GetObject(s.ctx, s.bucket, "k", objectstore.GetOptions{VersionID: v2.VersionID})
	wantErr(t, "GetObject of a removed version", err, objectstore.ErrNoSuchVersion)
	// UpdateMeta of an old version changes that version only.
	if _, err := s.b.UpdateMeta(s.ctx, s.bucket, "k", objectstore.NullVersion, func(m *objectstore.Meta) error {
		m.Tags = []objectstore.Tag{{Key: "old", Value: "yes"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if cur, _ := s.get(t, "k", objectstore.GetOptions{}); len(cur.Meta.Tags) != 0 {
		t.Fatalf("UpdateMeta of the null version changed the current one: %+v", cur.Meta)
	}
	if old, _ := s.get(t, "k", objectstore.GetOptions{VersionID: objectstore.NullVersion}); len(old.Meta.Tags) != 1 {
		t.Fatalf("UpdateMeta of the null version: %+v", old.Meta)
	}
}

// testVersioningSuspended: "Objects that are stored in your bucket before
// you set the versioning state have a version ID of null ... When you
// suspend versioning, existing objects in your bucket do not change. What
// changes is how Amazon S3 handles objects in future requests": a PUT
// replaces the null version, a DELETE makes a null delete marker
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VersionSuspendedBehavior.html).
func testVersioningSuspended(t *testing.T, s *suite) {
	s.setVersioning(t, objectstore.Enabled)
	v1 := s.put(t, "k", "one")
	s.setVersioning(t, objectstore.Suspended)
	n1 := s.put(t, "k", "null one")
	if n1.VersionID != objectstore.NullVersion {
		t.Fatalf("suspended PutObject version %q, want null", n1.VersionID)
	}
	n2 := s.put(t, "k", "null two")
	if n2.VersionID != objectstore.NullVersion {
		t.Fatalf("suspended PutObject version %q, want null", n2.VersionID)
	}
	vs, err := s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs.Versions {
		ids = append(ids, v.VersionID)
	}
	if !slices.Equal(ids, []string{objectstore.NullVersion, v1.VersionID}) {
		t.Fatalf("versions after suspended overwrite = %q, want null then v1", ids)
	}
	if _, data := s.get(t, "k", objectstore.GetOptions{VersionID: objectstore.NullVersion}); data != "null two" {
		t.Fatalf("null version = %q", data)
	}
	res, err := s.b.DeleteObject(s.ctx, s.bucket, "k", "")
	if err != nil || !res.DeleteMarker || res.VersionID != objectstore.NullVersion {
		t.Fatalf("suspended DeleteObject = %+v, %v; want a null delete marker", res, err)
	}
	vs, _ = s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{})
	if len(vs.Versions) != 2 || !vs.Versions[0].IsDeleteMarker || vs.Versions[0].VersionID != objectstore.NullVersion || vs.Versions[1].VersionID != v1.VersionID {
		t.Fatalf("versions after suspended delete = %+v", vs.Versions)
	}
	// Enabled again: new versions get ids, the null marker stays.
	s.setVersioning(t, objectstore.Enabled)
	v3 := s.put(t, "k", "three")
	if v3.VersionID == objectstore.NullVersion || v3.VersionID == "" {
		t.Fatalf("re-enabled PutObject version %q", v3.VersionID)
	}
	vs, _ = s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{})
	if len(vs.Versions) != 3 {
		t.Fatalf("versions after re-enabling = %+v", vs.Versions)
	}
}

func testListVersions(t *testing.T, s *suite) {
	s.put(t, "a", "a0") // null
	s.setVersioning(t, objectstore.Enabled)
	a1 := s.put(t, "a", "a1")
	b1 := s.put(t, "b/x", "b1")
	del, err := s.b.DeleteObject(s.ctx, s.bucket, "b/x", "")
	if err != nil {
		t.Fatal(err)
	}
	c1 := s.put(t, "c", "c1")
	c2 := s.put(t, "c", "c2")
	type v struct {
		key, id       string
		latest, isDel bool
	}
	want := []v{
		{"a", a1.VersionID, true, false}, {"a", objectstore.NullVersion, false, false},
		{"b/x", del.VersionID, true, true}, {"b/x", b1.VersionID, false, false},
		{"c", c2.VersionID, true, false}, {"c", c1.VersionID, false, false},
	}
	conv := func(infos []objectstore.Info) []v {
		var out []v
		for _, in := range infos {
			out = append(out, v{in.Key, in.VersionID, in.IsLatest, in.IsDeleteMarker})
		}
		return out
	}
	all, err := s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := conv(all.Versions); !slices.Equal(got, want) || all.IsTruncated {
		t.Fatalf("ListVersions = %+v, want %+v", got, want)
	}
	if all.Versions[3].ETag != etagOf([]byte("b1")) || all.Versions[3].Size != 2 {
		t.Errorf("version entry = %+v", all.Versions[3])
	}
	for size := 1; size <= 4; size++ {
		var paged []v
		opt := objectstore.VersionListOptions{MaxKeys: size}
		for range 10 {
			res, err := s.b.ListVersions(s.ctx, s.bucket, opt)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, conv(res.Versions)...)
			if !res.IsTruncated {
				break
			}
			opt.KeyMarker, opt.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
		}
		if !slices.Equal(paged, want) {
			t.Errorf("ListVersions by %d = %+v, want %+v", size, paged, want)
		}
	}
	res, err := s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{Delimiter: "/"})
	if err != nil || !slices.Equal(res.CommonPrefixes, []string{"b/"}) || len(res.Versions) != 4 {
		t.Fatalf("ListVersions with delimiter = %+v, %v", res, err)
	}
	res, err = s.b.ListVersions(s.ctx, s.bucket, objectstore.VersionListOptions{KeyMarker: "a"})
	if err != nil || len(res.Versions) != 4 || res.Versions[0].Key != "b/x" {
		t.Fatalf("ListVersions after key marker a = %+v, %v", res, err)
	}
}

// testConcurrentSameKey: "Amazon S3 never adds partial objects ... If
// multiple PUT requests are made to the same key, the last one wins"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel).
func testConcurrentSameKey(t *testing.T, s *suite) {
	const writers, size = 8, 256 << 10
	bodies := make([][]byte, writers)
	etags := map[string]byte{}
	for i := range bodies {
		bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, size)
		etags[etagOf(bodies[i])] = byte('a' + i)
	}
	s.put(t, "k", string(bodies[0]))
	var wg sync.WaitGroup
	errs := make(chan error, 4*writers)
	for i := range writers {
		wg.Go(func() {
			for range 3 {
				if _, err := s.b.PutObject(s.ctx, s.bucket, "k", bytes.NewReader(bodies[i]), objectstore.Meta{}, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 10 {
				info, rc, err := s.b.GetObject(s.ctx, s.bucket, "k", objectstore.GetOptions{})
				if err != nil {
					errs <- err
					return
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					errs <- err
					return
				}
				c, ok := etags[info.ETag]
				if !ok || len(data) != size || !bytes.Equal(data, bytes.Repeat([]byte{c}, size)) {
					errs <- fmt.Errorf("torn read: ETag %s, %d bytes", info.ETag, len(data))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	info, data := s.get(t, "k", objectstore.GetOptions{})
	if c, ok := etags[info.ETag]; !ok || data != strings.Repeat(string(c), size) {
		t.Fatalf("final object: ETag %s does not match its body", info.ETag)
	}
	if res, _ := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{}); len(res.Objects) != 1 {
		t.Fatalf("List after concurrent puts: %d objects", len(res.Objects))
	}
}

func testConcurrentKeys(t *testing.T, s *suite) {
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("k/%02d", i)
			if _, err := s.b.PutObject(s.ctx, s.bucket, key, strings.NewReader(key), objectstore.Meta{}, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	res, err := s.b.List(s.ctx, s.bucket, objectstore.ListOptions{})
	if err != nil || len(res.Objects) != n {
		t.Fatalf("List = %d objects, %v; want %d", len(res.Objects), err, n)
	}
	for _, o := range res.Objects {
		if _, data := s.get(t, o.Key, objectstore.GetOptions{}); data != o.Key {
			t.Errorf("%s = %q", o.Key, data)
		}
	}
}

// failingReader yields n bytes, then err. Like the body of a request
// whose client went away, it declares more bytes than arrive (the S3
// service hands backends bodies of a declared Content-Length), so an
// upstream hears the request out instead of refusing a body of unknown
// length before any byte is read.
type failingReader struct {
	n   int
	err error
}

// Size is the length the body declared: one byte more than it yields.
func (r *failingReader) Size() int64 { return int64(r.n) + 1 }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	m := min(len(p), r.n)
	clear(p[:m])
	r.n -= m
	return m, nil
}

// testFailedBody: a body that fails (a client gone mid-upload) stores
// nothing and leaves a previous object as it was.
func testFailedBody(t *testing.T, s *suite) {
	boom := errors.New("connection reset")
	_, err := s.b.PutObject(s.ctx, s.bucket, "new", &failingReader{n: 300 << 10, err: boom}, objectstore.Meta{}, nil)
	wantErr(t, "PutObject with a failing body", err, boom)
	_, err = s.b.HeadObject(s.ctx, s.bucket, "new", "")
	wantErr(t, "HeadObject after a failed put", err, objectstore.ErrNoSuchKey)
	s.put(t, "old", "keep me")
	_, err = s.b.PutObject(s.ctx, s.bucket, "old", &failingReader{n: 10, err: boom}, objectstore.Meta{}, nil)
	wantErr(t, "PutObject over an object with a failing body", err, boom)
	if _, data := s.get(t, "old", objectstore.GetOptions{}); data != "keep me" {
		t.Fatalf("failed overwrite changed the object: %q", data)
	}
	id, err := s.b.CreateMultipartUpload(s.ctx, s.bucket, "mp", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.b.UploadPart(s.ctx, s.bucket, "mp", id, 1, &failingReader{n: 10, err: boom}, objectstore.Checksum{})
	wantErr(t, "UploadPart with a failing body", err, boom)
	if res, err := s.b.ListParts(s.ctx, s.bucket, "mp", id, objectstore.PartListOptions{}); err != nil || len(res.Parts) != 0 {
		t.Fatalf("ListParts after a failed part = %+v, %v", res, err)
	}
	// A context that ends mid-body aborts the write too.
	ctx, cancel := context.WithCancel(s.ctx)
	_, err = s.b.PutObject(ctx, s.bucket, "cancelled", io.MultiReader(strings.NewReader("start"), readerFunc(func([]byte) (int, error) {
		cancel()
		return 0, ctx.Err()
	})), objectstore.Meta{}, nil)
	if err == nil {
		t.Fatal("PutObject with a cancelled context succeeded")
	}
	_, err = s.b.HeadObject(s.ctx, s.bucket, "cancelled", "")
	wantErr(t, "HeadObject after a cancelled put", err, objectstore.ErrNoSuchKey)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// testReadWhileDeleted: a GET in flight finishes even if the object is
// deleted or replaced meanwhile (S3 serves the version it started with).
func testReadWhileDeleted(t *testing.T, s *suite) {
	body := partData(1<<20, 3)
	s.put(t, "k", string(body))
	_, rc, err := s.b.GetObject(s.ctx, s.bucket, "k", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	head := make([]byte, 1000)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatal(err)
	}
	s.put(t, "k", "replaced")
	if _, err := s.b.DeleteObject(s.ctx, s.bucket, "k", ""); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(append(head, rest...), body) {
		t.Fatalf("read across a delete: %d bytes, %v", len(head)+len(rest), err)
	}
}

var errPrecondition = errors.New("PreconditionFailed")

// ifNoneMatch is If-None-Match: *.
func ifNoneMatch(cur *objectstore.Info) error {
	if cur != nil {
		return errPrecondition
	}
	return nil
}

// ifMatch is If-Match: etag.
func ifMatch(etag string) objectstore.Precondition {
	return func(cur *objectstore.Info) error {
		if cur == nil {
			return objectstore.ErrNoSuchKey
		}
		if cur.ETag != etag {
			return errPrecondition
		}
		return nil
	}
}

// testConditionalWrites: If-None-Match: * and If-Match on PutObject and
// CompleteMultipartUpload, decided atomically with the write: "If multiple
// conditional writes occur for the same object name, the first write
// operation to finish succeeds"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
func testConditionalWrites(t *testing.T, s *suite) {
	ctx, b := s.ctx, s.b
	first, err := b.PutObject(ctx, s.bucket, "k", strings.NewReader("first"), objectstore.Meta{}, ifNoneMatch)
	if err != nil {
		t.Fatalf("If-None-Match on a new key: %v", err)
	}
	_, err = b.PutObject(ctx, s.bucket, "k", strings.NewReader("second"), objectstore.Meta{}, ifNoneMatch)
	wantErr(t, "If-None-Match on an existing key", err, errPrecondition)
	if err != errPrecondition {
		t.Errorf("the precondition's error came back wrapped: %v", err)
	}
	_, err = b.PutObject(ctx, s.bucket, "k", strings.NewReader("second"), objectstore.Meta{}, ifMatch(`"0123"`))
	wantErr(t, "If-Match with another ETag", err, errPrecondition)
	_, err = b.PutObject(ctx, s.bucket, "missing", strings.NewReader("x"), objectstore.Meta{}, ifMatch(first.ETag))
	wantErr(t, "If-Match on a missing key", err, objectstore.ErrNoSuchKey)
	if _, data := s.get(t, "k", objectstore.GetOptions{}); data != "first" {
		t.Fatalf("a refused write changed the object: %q", data)
	}
	if _, err := b.PutObject(ctx, s.bucket, "k", strings.NewReader("third"), objectstore.Meta{}, ifMatch(first.ETag)); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	// Behind a delete marker there is no current object.
	s.setVersioning(t, objectstore.Enabled)
	if _, err := b.DeleteObject(ctx, s.bucket, "k", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, s.bucket, "k", strings.NewReader("fourth"), objectstore.Meta{}, ifNoneMatch); err != nil {
		t.Fatalf("If-None-Match behind a delete marker: %v", err)
	}
	// A refused completion leaves the upload in progress.
	id, err := b.CreateMultipartUpload(ctx, s.bucket, "k", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.upload(t, "k", id, 1, []byte("part"))
	parts := []objectstore.CompletedPart{{PartNumber: 1, ETag: p.ETag}}
	_, err = b.CompleteMultipartUpload(ctx, s.bucket, "k", id, parts, objectstore.CompleteOptions{Cond: ifNoneMatch})
	wantErr(t, "CompleteMultipartUpload with If-None-Match on an existing key", err, errPrecondition)
	if _, err := b.ListParts(ctx, s.bucket, "k", id, objectstore.PartListOptions{}); err != nil {
		t.Fatalf("upload after a refused completion: %v", err)
	}
	if _, err := b.CompleteMultipartUpload(ctx, s.bucket, "k", id, parts, objectstore.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Racing creators: exactly one wins.
	const racers = 8
	var wg sync.WaitGroup
	wins := make(chan int, racers)
	for i := range racers {
		wg.Go(func() {
			_, err := b.PutObject(ctx, s.bucket, "race", strings.NewReader(fmt.Sprint(i)), objectstore.Meta{}, ifNoneMatch)
			switch {
			case err == nil:
				wins <- i
			case !errors.Is(err, errPrecondition):
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	close(wins)
	var won []int
	for i := range wins {
		won = append(won, i)
	}
	if len(won) != 1 {
		t.Fatalf("%d racers won an If-None-Match race, want 1", len(won))
	}
	if _, data := s.get(t, "race", objectstore.GetOptions{}); data != fmt.Sprint(won[0]) {
		t.Fatalf("race object %q, winner %d", data, won[0])
	}
}

// ExpectedList is List as S3 defines it, computed naively over keys
// (sorted, distinct): keys after the marker with the prefix; with a
// delimiter, those holding it past the prefix roll up into their common
// prefix, listed unless it sorts at or before the marker; objects and
// prefixes count towards MaxKeys together. Backends' own tests may compare
// against it (a fuzz test, say).
func ExpectedList(keys []string, opt objectstore.ListOptions) (objs, prefixes []string, truncated bool) {
	limit := objectstore.Limit(opt.MaxKeys)
	n := 0
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, opt.Prefix) || k <= opt.Marker {
			continue
		}
		entry, isPrefix := k, false
		if opt.Delimiter != "" {
			if i := strings.Index(k[len(opt.Prefix):], opt.Delimiter); i >= 0 {
				entry, isPrefix = k[:len(opt.Prefix)+i+len(opt.Delimiter)], true
				if entry <= opt.Marker || seen[entry] {
					continue
				}
				seen[entry] = true
			}
		}
		if n == limit {
			return objs, prefixes, true
		}
		n++
		if isPrefix {
			prefixes = append(prefixes, entry)
		} else {
			objs = append(objs, entry)
		}
	}
	return objs, prefixes, false
}

// testListModel compares List with ExpectedList over random keys, prefixes,
// delimiters, markers and page sizes drawn from a small alphabet, so
// prefixes, delimiters and markers collide with keys in every way.
func testListModel(t *testing.T, s *suite) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "-", "é", "日", "ab/"}
	word := func(maxLen int) string {
		var sb strings.Builder
		for range rng.IntN(maxLen + 1) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	set := map[string]bool{}
	for len(set) < 80 {
		if k := word(5); k != "" {
			set[k] = true
		}
	}
	flat := s.has(t, FlatKeys)
	if !flat {
		// Also below: no prefix or marker with an empty segment.
		for k := range set {
			if !pathLike(k, set) {
				delete(set, k)
			}
		}
	}
	var keys []string
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s.putAll(t, keys)
	for i := range 400 {
		opt := objectstore.ListOptions{Prefix: word(2), Marker: word(3), MaxKeys: rng.IntN(12)}
		if rng.IntN(3) > 0 {
			opt.Delimiter = []string{"/", "b", "é", "a/"}[rng.IntN(4)]
		}
		if !flat && (emptySegment(opt.Prefix) || emptySegment(opt.Marker)) {
			continue // a path-like store reads such a prefix or marker as another
		}
		objs, prefixes, truncated := ExpectedList(keys, opt)
		res, err := s.b.List(s.ctx, s.bucket, opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(res.Objects); !slices.Equal(got, append([]string{}, objs...)) || !slices.Equal(res.CommonPrefixes, prefixes) || res.IsTruncated != truncated {
			t.Fatalf("case %d, List(%+v) = %q %q %v; want %q %q %v", i, opt, got, res.CommonPrefixes, res.IsTruncated, objs, prefixes, truncated)
		}
	}
}

// emptySegment reports whether s starts with '/' or holds "//".
func emptySegment(s string) bool {
	return strings.HasPrefix(s, "/") || strings.Contains(s, "//")
}

// pathLike reports whether a store of files in directories can hold key k
// of set as a path: no empty segment ("/a", "a//b", "a/"), and no other
// key of set extends it past a '/' (k "a", another "a/b").
func pathLike(k string, set map[string]bool) bool {
	if emptySegment(k) || strings.HasSuffix(k, "/") {
		return false
	}
	for other := range set {
		if len(other) > len(k) && strings.HasPrefix(other, k) && other[len(k)] == '/' {
			return false
		}
	}
	return true
}

func crc32Of(data []byte) objectstore.Checksum {
	return objectstore.Checksum{Algorithm: "CRC32", Value: base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data)))}
}

// testMultipartChecksums: parts keep the checksums they were uploaded with;
// CompleteMultipartUpload refuses a listed checksum that differs
// (InvalidPart) and stores the object checksum its hook returns; part reads
// report each part's checksum (API_CompleteMultipartUpload.html;
// checking-object-integrity.html).
func testMultipartChecksums(t *testing.T, s *suite) {
	ctx, b := s.ctx, s.b
	id, err := b.CreateMultipartUpload(ctx, s.bucket, "k", objectstore.Meta{Checksum: objectstore.Checksum{Algorithm: "CRC32", Type: "COMPOSITE"}})
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := partData(objectstore.MinPartSize, 5), []byte("the last part")
	var infos []objectstore.PartInfo
	for n, d := range [][]byte{d1, d2} {
		p, err := b.UploadPart(ctx, s.bucket, "k", id, n+1, bytes.NewReader(d), crc32Of(d))
		if err != nil {
			t.Fatal(err)
		}
		if p.Checksum != crc32Of(d) {
			t.Fatalf("UploadPart checksum = %+v", p.Checksum)
		}
		infos = append(infos, p)
	}
	lp, err := b.ListParts(ctx, s.bucket, "k", id, objectstore.PartListOptions{})
	if err != nil || len(lp.Parts) != 2 || lp.Parts[0].Checksum != crc32Of(d1) || lp.Parts[1].Checksum != crc32Of(d2) {
		t.Fatalf("ListParts = %+v, %v", lp.Parts, err)
	}
	listed := []objectstore.CompletedPart{
		{PartNumber: 1, ETag: infos[0].ETag, Checksum: crc32Of(d1).Value},
		{PartNumber: 2, ETag: infos[1].ETag, Checksum: crc32Of(d1).Value},
	}
	_, err = b.CompleteMultipartUpload(ctx, s.bucket, "k", id, listed, objectstore.CompleteOptions{})
	wantErr(t, "Complete with a wrong part checksum", err, objectstore.ErrInvalidPart)
	listed[1].Checksum = crc32Of(d2).Value
	refused := errors.New("BadDigest")
	_, err = b.CompleteMultipartUpload(ctx, s.bucket, "k", id, listed, objectstore.CompleteOptions{
		Checksum: func([]objectstore.PartInfo) (objectstore.Checksum, error) { return objectstore.Checksum{}, refused },
	})
	wantErr(t, "Complete refused by the checksum hook", err, refused)
	var seen []objectstore.PartInfo
	info, err := b.CompleteMultipartUpload(ctx, s.bucket, "k", id, listed, objectstore.CompleteOptions{
		Checksum: func(parts []objectstore.PartInfo) (objectstore.Checksum, error) {
			seen = parts
			return objectstore.ComposeChecksum("CRC32", parts)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].Size != int64(len(d1)) || seen[1].Checksum != crc32Of(d2) || seen[1].PartNumber != 2 {
		t.Fatalf("checksum hook saw %+v", seen)
	}
	want, _ := objectstore.ComposeChecksum("CRC32", infos)
	if info.Meta.Checksum != want || !strings.HasSuffix(want.Value, "-2") {
		t.Fatalf("object checksum = %+v, want %+v", info.Meta.Checksum, want)
	}
	head, err := b.HeadObject(ctx, s.bucket, "k", "")
	if err != nil || head.Meta.Checksum != want || len(head.Parts) != 2 || head.Parts[1].Checksum != crc32Of(d2) {
		t.Fatalf("HeadObject = %+v, %v", head, err)
	}
}

// modelVersion is one version in testVersioningModel's model.
type modelVersion struct {
	id     string
	marker bool
	body   string
}

// testVersioningModel runs random puts, deletes, version deletes and
// versioning changes on a few keys and checks after each that GET, List and
// ListVersions agree with a model of S3's rules (Versioning.html,
// AddingObjectstoVersioningEnabledBuckets.html, VersionSuspendedBehavior.html,
// DeletingObjectVersions.html).
func testVersioningModel(t *testing.T, s *suite) {
	if !s.has(t, WriteOrder) {
		t.SkipNow()
	}
	ctx, b := s.ctx, s.b
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{"a", "a/b", "c"}
	model := map[string][]modelVersion{} // newest first
	status := objectstore.Unversioned
	dropNull := func(key string) {
		model[key] = slices.DeleteFunc(model[key], func(v modelVersion) bool { return v.id == objectstore.NullVersion })
	}
	nullMarkers := s.has(t, NullMarkerDelete)
	for step := range 250 {
		key := keys[rng.IntN(len(keys))]
		var what string
		switch op := rng.IntN(10); {
		case op < 4:
			body := fmt.Sprint("body ", step)
			what = "put " + key
			info, err := b.PutObject(ctx, s.bucket, key, strings.NewReader(body), objectstore.Meta{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch status {
			case objectstore.Enabled:
				if info.VersionID == "" || info.VersionID == objectstore.NullVersion {
					t.Fatalf("step %d %s: version id %q", step, what, info.VersionID)
				}
				model[key] = append([]modelVersion{{id: info.VersionID, body: body}}, model[key]...)
			default:
				want := objectstore.NullVersion
				if status == objectstore.Unversioned {
					want = ""
				}
				if info.VersionID != want {
					t.Fatalf("step %d %s: version id %q, want %q", step, what, info.VersionID, want)
				}
				dropNull(key)
				model[key] = append([]modelVersion{{id: objectstore.NullVersion, body: body}}, model[key]...)
			}
		case op < 6:
			what = "delete " + key
			res, err := b.DeleteObject(ctx, s.bucket, key, "")
			if err != nil {
				t.Fatal(err)
			}
			switch status {
			case objectstore.Unversioned:
				if res.DeleteMarker {
					t.Fatalf("step %d %s: delete marker without versioning", step, what)
				}
				dropNull(key)
			case objectstore.Enabled:
				if !res.DeleteMarker || res.VersionID == "" || res.VersionID == objectstore.NullVersion {
					t.Fatalf("step %d %s: %+v", step, what, res)
				}
				model[key] = append([]modelVersion{{id: res.VersionID, marker: true}}, model[key]...)
			case objectstore.Suspended:
				if !res.DeleteMarker || res.VersionID != objectstore.NullVersion {
					t.Fatalf("step %d %s: %+v, want a null delete marker", step, what, res)
				}
				dropNull(key)
				model[key] = append([]modelVersion{{id: objectstore.NullVersion, marker: true}}, model[key]...)
			}
		case op < 8:
			vs := model[key]
			if len(vs) == 0 {
				continue
			}
			v := vs[rng.IntN(len(vs))]
			if v.marker && v.id == objectstore.NullVersion && !nullMarkers {
				continue
			}
			what = "delete version " + v.id + " of " + key
			res, err := b.DeleteObject(ctx, s.bucket, key, v.id)
			if err != nil || res.DeleteMarker != v.marker {
				t.Fatalf("step %d %s: %+v, %v", step, what, res, err)
			}
			model[key] = slices.DeleteFunc(vs, func(m modelVersion) bool { return m.id == v.id })
		default:
			status = []objectstore.Versioning{objectstore.Enabled, objectstore.Suspended}[rng.IntN(2)]
			what = "versioning " + string(status)
			if err := b.SetVersioning(ctx, s.bucket, status); err != nil {
				t.Fatal(err)
			}
		}
		// GET of each key, and of each version.
		var current []string
		for _, k := range keys {
			vs := model[k]
			info, rc, err := b.GetObject(ctx, s.bucket, k, objectstore.GetOptions{})
			switch {
			case len(vs) == 0 || vs[0].marker:
				if !errors.Is(err, objectstore.ErrNoSuchKey) {
					t.Fatalf("step %d after %s: GET %s = %v, want NoSuchKey", step, what, k, err)
				}
				if len(vs) > 0 && (!info.IsDeleteMarker || info.VersionID != vs[0].id) {
					t.Fatalf("step %d after %s: GET %s behind a marker: info %+v", step, what, k, info)
				}
			default:
				if err != nil {
					t.Fatalf("step %d after %s: GET %s: %v", step, what, k, err)
				}
				data, _ := io.ReadAll(rc)
				rc.Close()
				if string(data) != vs[0].body {
					t.Fatalf("step %d after %s: GET %s = %q, want %q", step, what, k, data, vs[0].body)
				}
				current = append(current, k)
			}
			for _, v := range vs {
				_, err := b.HeadObject(ctx, s.bucket, k, v.id)
				if v.marker && !errors.Is(err, objectstore.ErrMethodNotAllowed) || !v.marker && err != nil {
					t.Fatalf("step %d after %s: HEAD %s version %s: %v", step, what, k, v.id, err)
				}
			}
		}
		res, err := b.List(ctx, s.bucket, objectstore.ListOptions{})
		if err != nil || !slices.Equal(keysOf(res.Objects), append([]string{}, current...)) {
			t.Fatalf("step %d after %s: List = %q, %v; want %q", step, what, keysOf(res.Objects), err, current)
		}
		lv, err := b.ListVersions(ctx, s.bucket, objectstore.VersionListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, k := range keys {
			for i, v := range model[k] {
				want = append(want, fmt.Sprint(k, " ", v.id, " marker=", v.marker, " latest=", i == 0))
			}
		}
		for _, v := range lv.Versions {
			got = append(got, fmt.Sprint(v.Key, " ", v.VersionID, " marker=", v.IsDeleteMarker, " latest=", v.IsLatest))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d after %s: ListVersions =\n%s\nwant\n%s", step, what, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
