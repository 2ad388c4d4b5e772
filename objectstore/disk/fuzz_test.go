package disk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/backendtest"
)

// FuzzList stores arbitrary keys (any bytes, 0xff included: the cursor
// seeks past a common prefix by incrementing its last byte) and compares
// List with backendtest.ExpectedList.
func FuzzList(f *testing.F) {
	f.Add("a\na/b\na/c/d\nb", "", "/", "", 2)
	f.Add("\xff\xff/\n\xff\xff/a\n\xff\xff0", "\xff", "\xff/", "", 0)
	f.Add("x/\xff\nx/\xff\xff\ny", "x/", "\xff", "x/", 1)
	f.Add("k1\nk2\nk3", "k", "", "k1", 1)
	b := open(f, f.TempDir())
	n := 0
	f.Fuzz(func(t *testing.T, keyList, prefix, delim, marker string, maxKeys int) {
		set := map[string]bool{}
		for _, k := range strings.Split(keyList, "\n") {
			if k != "" && len(k) <= 1024 {
				set[k] = true
			}
		}
		if len(set) > 50 {
			return
		}
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n++
		bucket := fmt.Sprintf("fuzz-%d", n)
		ctx := t.Context()
		if err := b.CreateBucket(ctx, bucket); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if _, err := b.PutObject(ctx, bucket, k, strings.NewReader(""), objectstore.Meta{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		opt := objectstore.ListOptions{Prefix: prefix, Delimiter: delim, Marker: marker, MaxKeys: maxKeys % 20}
		objs, prefixes, truncated := backendtest.ExpectedList(keys, opt)
		res, err := b.List(ctx, bucket, opt)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range res.Objects {
			got = append(got, o.Key)
		}
		if !slices.Equal(got, objs) || !slices.Equal(res.CommonPrefixes, prefixes) || res.IsTruncated != truncated {
			t.Fatalf("List(%q, %+v) = %q %q %v; want %q %q %v", keys, opt, got, res.CommonPrefixes, res.IsTruncated, objs, prefixes, truncated)
		}
	})
}
