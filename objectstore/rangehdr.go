package objectstore

import (
	"strconv"
	"strings"
)

// Range is a single byte range of a GET, as the Range header gives it:
// bytes=First-Last, bytes=First- (Last < 0) or bytes=-Suffix (Suffix > 0 or
// SuffixOnly: the last Suffix bytes).
type Range struct {
	First, Last int64
	// Suffix is N of bytes=-N, when SuffixOnly.
	Suffix     int64
	SuffixOnly bool
}

// ParseRange reads a Range header. ok is false when S3 ignores the header
// and returns the whole object: another unit than bytes, several ranges, or
// a syntactically invalid range such as bytes=9-0 (RFC 9110 §14.2: a server
// ignores a Range it cannot parse). Whether the range is satisfiable is
// decided against the size, by Resolve.
func ParseRange(h string) (r Range, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return Range{}, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return Range{}, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, ok := parseDigits(last)
		if !ok {
			return Range{}, false
		}
		return Range{Suffix: n, SuffixOnly: true}, true
	}
	f, ok := parseDigits(first)
	if !ok {
		return Range{}, false
	}
	if last == "" {
		return Range{First: f, Last: -1}, true
	}
	l, ok := parseDigits(last)
	if !ok || l < f {
		return Range{}, false
	}
	return Range{First: f, Last: l}, true
}

func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Resolve applies the range to an object of size bytes: the offset and
// length to read, for Content-Range: bytes start-(start+length-1)/size. A
// range starting at or past the end (any First-Last range of an empty
// object), or bytes=-0, gives a *RangeError; a Last past the end is cut to
// the end, a suffix longer than the object reads all of it.
func (r Range) Resolve(size int64) (start, length int64, err error) {
	if r.SuffixOnly {
		if r.Suffix <= 0 {
			return 0, 0, &RangeError{Size: size}
		}
		n := min(r.Suffix, size)
		return size - n, n, nil
	}
	if r.First < 0 || r.First >= size {
		return 0, 0, &RangeError{Size: size}
	}
	last := r.Last
	if last < 0 || last >= size {
		last = size - 1
	}
	if last < r.First {
		return 0, 0, &RangeError{Size: size}
	}
	return r.First, last - r.First + 1, nil
}

// String formats the range as a Range header value.
func (r Range) String() string {
	switch {
	case r.SuffixOnly:
		return "bytes=-" + strconv.FormatInt(r.Suffix, 10)
	case r.Last < 0:
		return "bytes=" + strconv.FormatInt(r.First, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10)
}
