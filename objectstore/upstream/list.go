package upstream

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// unescape decodes a key of a listing asked with encoding-type=url (so
// keys with control characters survive XML).
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func unescapeAll(ps []types.CommonPrefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, unescape(aws.ToString(p.Prefix)))
	}
	return out
}

// List lists with ListObjectsV2 (start-after is List's marker), then heads
// every entry for its Meta.
func (b *Backend) List(ctx context.Context, bucket string, o objectstore.ListOptions) (objectstore.ListResult, error) {
	out, err := b.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b.name(bucket), Prefix: opt(o.Prefix),
		Delimiter: opt(o.Delimiter), StartAfter: opt(startAfter(o.Prefix, o.Marker, o.Delimiter)), MaxKeys: aws.Int32(int32(objectstore.Limit(o.MaxKeys))),
		EncodingType: types.EncodingTypeUrl})
	if err != nil {
		return objectstore.ListResult{}, b.mapErr("List", bucket, "", err, errCtx{})
	}
	res := objectstore.ListResult{IsTruncated: aws.ToBool(out.IsTruncated), CommonPrefixes: unescapeAll(out.CommonPrefixes)}
	for _, c := range out.Contents {
		info := objectstore.Info{Bucket: bucket, Key: unescape(aws.ToString(c.Key)), Size: aws.ToInt64(c.Size),
			ETag: aws.ToString(c.ETag), IsLatest: true}
		if c.LastModified != nil {
			info.LastModified = c.LastModified.UTC()
		}
		res.Objects = append(res.Objects, info)
	}
	if res.IsTruncated {
		if n := len(res.Objects); n > 0 {
			res.NextMarker = res.Objects[n-1].Key
		}
		if n := len(res.CommonPrefixes); n > 0 && res.CommonPrefixes[n-1] > res.NextMarker {
			res.NextMarker = res.CommonPrefixes[n-1]
		}
	}
	res.Objects = slices.DeleteFunc(res.Objects, func(in objectstore.Info) bool { return !strings.HasPrefix(in.Key, o.Prefix) })
	res.CommonPrefixes = outside(res.CommonPrefixes, o.Prefix)
	// S3 lists in UTF-8 binary order ("List results are always returned
	// in UTF-8 binary order", API_ListObjectsV2.html); SeaweedFS, walking
	// directories, can give the common prefixes of a delimiter other than
	// '/' out of it within a page.
	slices.Sort(res.CommonPrefixes)
	slices.SortFunc(res.Objects, func(a, b objectstore.Info) int { return strings.Compare(a.Key, b.Key) })
	if err := b.fillMeta(ctx, res.Objects); err != nil {
		return objectstore.ListResult{}, err
	}
	return res, nil
}

// outside drops from a listing's names those that do not start with the
// prefix asked. S3 lists only keys that do ("Limits the response to keys
// that begin with the specified prefix",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html),
// but an upstream that keeps keys as file paths (SeaweedFS) drops a
// leading '/' and folds "//" in the prefix too, so prefix "/home/" would
// list the keys under "home/" — which a policy's s3:prefix condition
// allowing "/home/" never meant to show. The page may then be empty yet
// truncated; its markers still come from the upstream's page.
func outside(names []string, prefix string) []string {
	return slices.DeleteFunc(names, func(n string) bool { return !strings.HasPrefix(n, prefix) })
}

// startAfter is the start-after to send for List's marker. A marker that
// ends with the delimiter (other than '/') past the prefix goes with
// U+10FFFF after it: SeaweedFS drops such a delimiter from the marker, and
// lists keys before the marker. S3 starts after the marker ("Amazon S3
// starts listing after this specified key", API_ListObjectsV2.html), and
// every key that starts with such a marker rolls up into a common prefix
// that is a prefix of the marker (its first delimiter past the prefix is
// at the latest the marker's last), which S3 does not list after the
// marker; so the two markers list the same on S3 (no character of a UTF-8
// key sorts past U+10FFFF).
func startAfter(prefix, marker, delimiter string) string {
	if delimiter != "" && delimiter != "/" && strings.HasPrefix(marker, prefix) &&
		len(marker)-len(delimiter) >= len(prefix) && strings.HasSuffix(marker, delimiter) {
		return marker + "\U0010FFFF"
	}
	return marker
}

// fillMeta heads the listed versions (delete markers aside) for their Meta,
// ListConcurrency at a time. A version gone meanwhile keeps what the
// listing said.
func (b *Backend) fillMeta(ctx context.Context, infos []objectstore.Info) error {
	sem := make(chan struct{}, b.concurrency)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := range infos {
		if infos[i].IsDeleteMarker {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			in := &infos[i]
			h, err := b.HeadObject(ctx, in.Bucket, in.Key, in.VersionID)
			switch {
			case err == nil:
				in.Meta, in.PartsCount = h.Meta, h.PartsCount
			case errors.Is(err, objectstore.ErrNoSuchKey) || errors.Is(err, objectstore.ErrNoSuchVersion) || errors.Is(err, objectstore.ErrMethodNotAllowed):
			default:
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// versionEntry is a <Version> or <DeleteMarker> of ListObjectVersions.
type versionEntry struct {
	Key          string
	VersionID    string `xml:"VersionId"`
	IsLatest     bool
	LastModified time.Time
	ETag         string
	Size         int64
	StorageClass string
}

// ListVersions reads ListObjectVersions itself, because the SDK splits
// versions and delete markers into two lists and so loses their order
// within a key (which a second's resolution cannot restore).
func (b *Backend) ListVersions(ctx context.Context, bucket string, o objectstore.VersionListOptions) (objectstore.VersionListResult, error) {
	res, err := b.listVersions(ctx, bucket, o)
	if err != nil {
		return res, err
	}
	if err := b.fillMeta(ctx, res.Versions); err != nil {
		return objectstore.VersionListResult{}, err
	}
	return res, nil
}

// listVersions is ListVersions without the Meta.
func (b *Backend) listVersions(ctx context.Context, bucket string, o objectstore.VersionListOptions) (objectstore.VersionListResult, error) {
	q := url.Values{"versions": {""}, "encoding-type": {"url"}, "max-keys": {strconv.Itoa(objectstore.Limit(o.MaxKeys))}}
	for k, v := range map[string]string{"prefix": o.Prefix, "delimiter": o.Delimiter, "key-marker": o.KeyMarker, "version-id-marker": o.VersionIDMarker} {
		if v != "" {
			q.Set(k, v)
		}
	}
	resp, err := b.signedGet(ctx, b.prefix+bucket, q)
	if err != nil {
		return objectstore.VersionListResult{}, b.mapErr("ListVersions", bucket, "", err, errCtx{})
	}
	defer resp.Body.Close()
	var res objectstore.VersionListResult
	var nextKey, nextVersion string
	dec := xml.NewDecoder(resp.Body)
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return objectstore.VersionListResult{}, wrap("ListVersions", bucket, "", nil, fmt.Errorf("reading the listing: %w", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch t.Name.Local {
			case "Version", "DeleteMarker":
				var e versionEntry
				if err := dec.DecodeElement(&e, &t); err != nil {
					return objectstore.VersionListResult{}, wrap("ListVersions", bucket, "", nil, err)
				}
				res.Versions = append(res.Versions, objectstore.Info{Bucket: bucket, Key: unescape(e.Key), VersionID: e.VersionID,
					IsLatest: e.IsLatest, LastModified: e.LastModified.UTC(), ETag: e.ETag, Size: e.Size,
					IsDeleteMarker: t.Name.Local == "DeleteMarker"})
			case "CommonPrefixes":
				var p struct{ Prefix string }
				if err := dec.DecodeElement(&p, &t); err != nil {
					return objectstore.VersionListResult{}, wrap("ListVersions", bucket, "", nil, err)
				}
				res.CommonPrefixes = append(res.CommonPrefixes, unescape(p.Prefix))
			case "IsTruncated", "NextKeyMarker", "NextVersionIdMarker":
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return objectstore.VersionListResult{}, wrap("ListVersions", bucket, "", nil, err)
				}
				switch t.Name.Local {
				case "IsTruncated":
					res.IsTruncated = s == "true"
				case "NextKeyMarker":
					nextKey = unescape(s)
				default:
					nextVersion = s
				}
			default:
				continue
			}
			depth--
		case xml.EndElement:
			depth--
		}
	}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = nextKey, nextVersion
	}
	res.Versions = slices.DeleteFunc(res.Versions, func(in objectstore.Info) bool { return !strings.HasPrefix(in.Key, o.Prefix) })
	res.CommonPrefixes = outside(res.CommonPrefixes, o.Prefix)
	// AWS interleaves versions and delete markers newest first; an upstream
	// that lists all versions and then all markers (Gatehouse does) is put
	// back in that order: by key, the current version first, then newest
	// first. Versions of one key within one second keep the upstream's
	// order.
	slices.SortStableFunc(res.Versions, func(a, b objectstore.Info) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if a.IsLatest != b.IsLatest {
			if a.IsLatest {
				return -1
			}
			return 1
		}
		return b.LastModified.Compare(a.LastModified)
	})
	if err := b.orderTies(ctx, bucket, res.Versions); err != nil {
		return objectstore.VersionListResult{}, err
	}
	return res, nil
}

// orderTies puts back in the upstream's order the versions and delete
// markers of one key listed with the same LastModified, which an upstream
// listing versions and markers apart leaves ambiguous (S3 keeps times to
// the second). Each entry's rank among them is what a listing that starts
// after it (version-id-marker) shows: the number of them that follow it.
// It costs one listing per entry of such a group, which only an upstream
// that separates the two lists and a key written and deleted within one
// second produce.
func (b *Backend) orderTies(ctx context.Context, bucket string, vs []objectstore.Info) error {
	for i := 0; i < len(vs); {
		j := i + 1
		markers := vs[i].IsDeleteMarker
		mixed := false
		for j < len(vs) && vs[j].Key == vs[i].Key && vs[j].LastModified.Equal(vs[i].LastModified) && vs[j].IsLatest == vs[i].IsLatest {
			mixed = mixed || vs[j].IsDeleteMarker != markers
			j++
		}
		if mixed {
			if err := b.rankGroup(ctx, bucket, vs[i:j]); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

func (b *Backend) rankGroup(ctx context.Context, bucket string, group []objectstore.Info) error {
	in := map[string]bool{}
	for _, v := range group {
		in[v.VersionID] = true
	}
	rank := map[string]int{}
	for _, v := range group {
		q := url.Values{"versions": {""}, "encoding-type": {"url"}, "max-keys": {strconv.Itoa(len(group) - 1)},
			"prefix": {v.Key}, "key-marker": {v.Key}, "version-id-marker": {v.VersionID}}
		resp, err := b.signedGet(ctx, b.prefix+bucket, q)
		if err != nil {
			return b.mapErr("ListVersions", bucket, "", err, errCtx{})
		}
		var page struct {
			Entries []versionEntry `xml:",any"`
		}
		err = xml.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return wrap("ListVersions", bucket, "", nil, fmt.Errorf("reading the listing: %w", err))
		}
		after := 0
		for _, e := range page.Entries {
			if unescape(e.Key) == v.Key && in[e.VersionID] {
				after++
			}
		}
		rank[v.VersionID] = len(group) - 1 - after
	}
	slices.SortStableFunc(group, func(a, b objectstore.Info) int { return rank[a.VersionID] - rank[b.VersionID] })
	return nil
}

// signedGet sends a SigV4-signed GET of a bucket subresource and returns a
// 200 response; an S3 error document becomes a smithy.GenericAPIError.
func (b *Backend) signedGet(ctx context.Context, bucket string, q url.Values) (*http.Response, error) {
	u := *b.endpoint
	u.Path += "/" + bucket
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	creds, err := b.creds.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.signer.SignHTTP(ctx, creds, req, emptySHA256, "s3", b.region, time.Now().UTC()); err != nil {
		return nil, err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct {
		Code    string
		Message string
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &e) != nil || e.Code == "" {
		e.Code, e.Message = strconv.Itoa(resp.StatusCode), http.StatusText(resp.StatusCode)
	}
	return nil, &smithy.GenericAPIError{Code: e.Code, Message: e.Message}
}
