package arn

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// parseSplitN is Parse as it was before it cut the fields in place
// (bc52789): the reference of FuzzParseSplitN.
func parseSplitN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return ARN{}, fmt.Errorf("%w %q: want 6 colon-separated fields (arn:partition:service:region:account:resource), got %d", ErrInvalid, s, len(parts))
	}
	if parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%w %q: must begin with \"arn:\"", ErrInvalid, s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	switch {
	case a.Partition == "":
		return ARN{}, fmt.Errorf("%w %q: empty partition", ErrInvalid, s)
	case a.Service == "":
		return ARN{}, fmt.Errorf("%w %q: empty service", ErrInvalid, s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("%w %q: empty resource", ErrInvalid, s)
	}
	return a, nil
}

// Parse behaves exactly as the SplitN implementation: the same ARN, the
// same error text, ErrInvalid wrapped alike.
func FuzzParseSplitN(f *testing.F) {
	for _, s := range []string{"", ":", "arn", "arn:", "arn:aws:iam::123456789012:user/a", "arn:aws:s3:::b/k:x:y",
		":::::", "arn:::::", "arn:aws::::r", "arn:aws:s:::", "ARN:aws:iam::1:u", "arn:aws:iam:r:a", "*", "arn:a:b:c:d:e:f:g",
		"\x00:\xff::::", "arn:aws:iam::123:user/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := Parse(s)
		want, werr := parseSplitN(s)
		if got != want {
			t.Fatalf("Parse(%q) = %+v, SplitN gives %+v", s, got, want)
		}
		if (gerr == nil) != (werr == nil) || (gerr != nil && (gerr.Error() != werr.Error() || !errors.Is(gerr, ErrInvalid))) {
			t.Fatalf("Parse(%q) error %v, SplitN gives %v", s, gerr, werr)
		}
	})
}
