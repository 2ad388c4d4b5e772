package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		prefix string
		want   string
		ok     bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"ab", "ac", true},
		{"a/", "a0", true},
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
		{"\xff\xff", "", false},
		{"a\x00", "a\x01", true},
		{"é", "\xc3\xaa", true},
	}
	for _, tc := range tests {
		got, ok := PrefixEnd(tc.prefix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tc.prefix, got, ok, tc.want, tc.ok)
		}
		// Property: every extension of prefix sorts below the end.
		if ok {
			for _, ext := range []string{"", "\x00", "\xff", "\xff\xff\xff", "zzz"} {
				if !(tc.prefix+ext < got) {
					t.Errorf("PrefixEnd(%q) = %q is not above %q", tc.prefix, got, tc.prefix+ext)
				}
			}
		}
	}
}

func TestValidateAddress(t *testing.T) {
	tests := []struct {
		kind         Kind
		account, key string
		ok           bool
	}{
		{KindUser, "123456789012", "alice", true},
		{KindAccessKey, "", "AKIA", true},
		{KindPolicy, AWSAccount, "readonlyaccess", true},
		{"", "123456789012", "alice", false},
		{KindUser, "123456789012", "", false},
		{KindUser, "12345678901", "alice", false},
		{KindUser, "1234567890123", "alice", false},
		{KindUser, "12345678901a", "alice", false},
		{KindUser, "AWS", "alice", false},
	}
	for _, tc := range tests {
		err := ValidateAddress(tc.kind, tc.account, tc.key)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateAddress(%q, %q, %q) = %v, want ok %v", tc.kind, tc.account, tc.key, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateAddress error %v does not wrap ErrInvalid", err)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"user folds case", UserKey("Alice"), "alice"},
		{"group", GroupKey("ADMINS"), "admins"},
		{"role keeps symbols", RoleKey("My+Role=,.@_-"), "my+role=,.@_-"},
		{"policy", PolicyKey("ReadOnlyAccess"), "readonlyaccess"},
		{"instance profile", InstanceProfileKey("Web"), "web"},
		{"login profile", LoginProfileKey("Bob"), "bob"},
		{"mfa keeps serial", MFADeviceKey("arn:aws:iam::123456789012:mfa/Bob"), "arn:aws:iam::123456789012:mfa/Bob"},
		{"policy version padded", PolicyVersionKey("P", "v7"), "p/v0000000007"},
		{"policy version odd id kept", PolicyVersionKey("P", "draft"), "p/draft"},
		{"policy version prefix", PolicyVersionPrefix("P"), "p/"},
		{"inline policy", InlinePolicyKey(EntityRole, "Admin", "S3Access"), "role/admin/S3Access"},
		{"inline prefix", InlinePolicyPrefix(EntityUser, "Bob"), "user/bob/"},
		{"attachment", AttachmentKey(EntityGroup, "Dev", AWSAccount, "ReadOnlyAccess"), "group/dev/aws/readonlyaccess"},
		{"attachment prefix", AttachmentPrefix(EntityGroup, "Dev"), "group/dev/"},
		{"policy attachment", PolicyAttachmentKey("123456789012", "Mine", EntityUser, "Bob"), "123456789012/mine/user/bob"},
		{"policy attachment prefix", PolicyAttachmentPrefix("123456789012", "Mine"), "123456789012/mine/"},
		{"membership", MembershipKey("Dev", "Bob"), "dev/bob"},
		{"membership prefix", MembershipPrefix("Dev"), "dev/"},
		{"user membership", UserMembershipKey("Bob", "Dev"), "bob/dev"},
		{"user membership prefix", UserMembershipPrefix("Bob"), "bob/"},
		{"user access key", UserAccessKeyKey("Bob", "AKIAXYZ"), "bob/AKIAXYZ"},
		{"root access key", UserAccessKeyKey("", "AKIAXYZ"), "/AKIAXYZ"},
		{"root access key prefix", UserAccessKeyPrefix(""), "/"},
		{"non-ASCII untouched", UserKey("ÉCOLE"), "École"},
		{"version id", VersionID(12), "v12"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	// Versions sort numerically.
	if !(PolicyVersionKey("p", "v9") < PolicyVersionKey("p", "v10")) {
		t.Errorf("v9 does not sort before v10")
	}
	// A prefix never matches a longer name.
	if k := MembershipKey("devops", "bob"); len(k) >= len(MembershipPrefix("dev")) && k[:len(MembershipPrefix("dev"))] == MembershipPrefix("dev") {
		t.Errorf("MembershipPrefix(dev) matches %q", k)
	}
}

func TestParseVersionID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want int
		ok   bool
	}{
		{"v1", 1, true}, {"v42", 42, true}, {"v0", 0, false}, {"v", 0, false},
		{"1", 0, false}, {"v-1", 0, false}, {"v+1", 0, false}, {"vx", 0, false}, {"V1", 0, false},
	} {
		got, err := parseVersionID(tc.id)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseVersionID(%q) = %d, %v; want %d, ok %v", tc.id, got, err, tc.want, tc.ok)
		}
	}
}

func TestCutChanges(t *testing.T) {
	revs := func(rs ...int64) []Change {
		out := make([]Change, len(rs))
		for i, r := range rs {
			out[i] = Change{Revision: r, Key: fmt.Sprint(i)}
		}
		return out
	}
	tests := []struct {
		name      string
		rows      []Change
		limit     int
		wantLen   int
		wantWhole bool
	}{
		{"no limit", revs(1, 1, 2), 0, 3, false},
		{"fits", revs(1, 1, 2), 3, 3, false},
		{"boundary between revisions", revs(1, 1, 2, 3), 3, 3, false},
		{"cut inside a revision", revs(1, 2, 2, 2), 2, 1, false},
		{"first revision too large", revs(1, 1, 1, 2), 2, 0, true},
		{"all one revision", revs(5, 5), 1, 0, true},
	}
	for _, tc := range tests {
		page, whole := CutChanges(tc.rows, tc.limit)
		if len(page) != tc.wantLen || whole != tc.wantWhole {
			t.Errorf("%s: CutChanges = %d rows, whole %v; want %d, %v", tc.name, len(page), whole, tc.wantLen, tc.wantWhole)
		}
	}
}

func TestRetryConflicts(t *testing.T) {
	other := errors.New("other")
	tests := []struct {
		name      string
		failures  int   // attempts that return ErrConflict first
		then      error // what the next attempt returns
		wantCalls int
		wantErr   error
	}{
		{"success", 0, nil, 1, nil},
		{"other error not retried", 0, other, 1, other},
		{"conflict then success", 3, nil, 4, nil},
		{"conflict forever", 100, nil, MaxAttempts, ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := RetryConflicts(t.Context(), func() error {
				calls++
				if calls <= tc.failures {
					return fmt.Errorf("busy: %w", ErrConflict)
				}
				return tc.then
			})
			if calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
	t.Run("stops when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		err := RetryConflicts(ctx, func() error {
			calls++
			cancel()
			return ErrConflict
		})
		if calls != 1 || !errors.Is(err, context.Canceled) {
			t.Errorf("calls = %d, err = %v; want 1 call and context.Canceled", calls, err)
		}
	})
	t.Run("a deadline ending the retries means unavailable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
		defer cancel()
		err := RetryConflicts(ctx, func() error {
			<-ctx.Done()
			return ErrConflict
		})
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrConflict) {
			t.Errorf("err = %v; want ErrUnavailable, context.DeadlineExceeded and ErrConflict", err)
		}
	})
}

// TestWithDefaultTimeout: a context without a deadline gets the timeout
// (the default one for zero); one with a deadline keeps it.
func TestWithDefaultTimeout(t *testing.T) {
	for _, tc := range []struct {
		timeout, want time.Duration
	}{{time.Second, time.Second}, {0, DefaultTimeout}, {-1, DefaultTimeout}} {
		ctx, cancel := WithDefaultTimeout(t.Context(), tc.timeout)
		d, ok := ctx.Deadline()
		cancel()
		if left := time.Until(d); !ok || left > tc.want || left < tc.want-time.Second {
			t.Errorf("timeout %v: deadline in %v (set %v), want about %v", tc.timeout, left, ok, tc.want)
		}
	}
	parent, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	ctx, cancel2 := WithDefaultTimeout(parent, time.Second)
	defer cancel2()
	if ctx != parent {
		t.Error("a context with a deadline was replaced")
	}
}
