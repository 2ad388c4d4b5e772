package query

import (
	"bytes"
	"encoding/xml"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Text writes exactly what xml.EscapeText writes, also where it takes its
// shortcut for plain text.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "bob", "a<b>&'\"", "tab\there\nnew\rret", "é\u2028\uFFFD", "\x00\x7f", "\xff\xfe", "arn:aws:iam::123456789012:user/a+b=c,d.e@f-g_h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var e Encoder
		e.Text(s)
		var want bytes.Buffer
		_ = xml.EscapeText(&want, []byte(s))
		if !bytes.Equal(e.Bytes(), want.Bytes()) {
			t.Fatalf("Text(%q) = %q, want %q", s, e.Bytes(), want.Bytes())
		}
	})
}

// The encoder's appending writers match the formatting functions they
// replaced.
func TestAppendingWriters(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2015, 3, 9, 18, 39, 23, 0, time.UTC),
		time.Date(2015, 3, 9, 18, 39, 23, 411_000_000, time.UTC),
		time.Date(2015, 3, 9, 18, 39, 23, 999_999, time.FixedZone("x", 3600)),
	} {
		var e Encoder
		e.Time("T", tm)
		want := "<T>" + tm.UTC().Format(map[bool]string{true: "2006-01-02T15:04:05Z", false: "2006-01-02T15:04:05.000Z"}[tm.Nanosecond() < int(time.Millisecond)]) + "</T>"
		if got := string(e.Bytes()); got != want {
			t.Errorf("Time %v = %s, want %s", tm, got, want)
		}
	}
	var e Encoder
	e.Int("N", -42)
	e.Blob("B", []byte{0, 1, 2, 250})
	e.Bool("F", false)
	if got, want := string(e.Bytes()), "<N>-42</N><B>AAEC+g==</B><F>false</F>"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// indexBySplit is the decoder's earlier index (strings.Split), the oracle
// of FuzzIndex.
func indexBySplit(name string) (prefixes map[string]struct{}, members, entries map[string][]int) {
	prefixes, members, entries = map[string]struct{}{}, map[string][]int{}, map[string][]int{}
	if len(name) > maxKeyBytes || strings.Count(name, ".") >= maxKeyDepth {
		return
	}
	segs := strings.Split(name, ".")
	end := 0
	for i, s := range segs {
		if i > 0 {
			end++
		}
		end += len(s)
		prefixes[name[:end]] = struct{}{}
		if i == 0 || i+1 >= len(segs) || (s != "member" && s != "entry") {
			continue
		}
		n, ok := parseIndex(segs[i+1])
		if !ok {
			continue
		}
		parent := name[:end-len(s)-1]
		if s == "member" {
			members[parent] = append(members[parent], n)
		} else {
			entries[parent] = append(entries[parent], n)
		}
	}
	return
}

// The decoder indexes every name as the Split-based index did.
func FuzzIndex(f *testing.F) {
	for _, s := range []string{"UserName", "Tags.member.1.Key", "A.entry.2.value", "member.1", "a..member.3", ".member.1", "x.member.", "x.member.01.y", "Policy.member.7.member.8", "a.entry.1.member.2.entry.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d := NewDecoder(url.Values{name: {"v"}})
		p, m, e := indexBySplit(name)
		if !maps.Equal(d.prefixes, p) {
			t.Fatalf("%q: prefixes %v, want %v", name, slices.Sorted(maps.Keys(d.prefixes)), slices.Sorted(maps.Keys(p)))
		}
		norm := func(x map[string][]int) map[string][]int {
			if len(x) == 0 {
				return nil
			}
			return x
		}
		if !reflect.DeepEqual(norm(d.members), norm(m)) || !reflect.DeepEqual(norm(d.entries), norm(e)) {
			t.Fatalf("%q: members %v entries %v, want %v %v", name, d.members, d.entries, m, e)
		}
	})
}
