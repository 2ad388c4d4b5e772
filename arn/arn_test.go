package arn

import (
	"errors"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    ARN
		wantErr string
	}{
		{in: "arn:aws:iam::123456789012:role/admin", want: ARN{"aws", "iam", "", "123456789012", "role/admin"}},
		{in: "arn:aws:s3:::my-bucket/key:with:colons", want: ARN{"aws", "s3", "", "", "my-bucket/key:with:colons"}},
		{in: "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1", want: ARN{"aws-cn", "ec2", "cn-north-1", "123456789012", "instance/i-1"}},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:g:*", want: ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:g:*"}},
		{in: "arn:aws:iam::123456789012", wantErr: "want 6 colon-separated fields"},
		{in: "", wantErr: "want 6 colon-separated fields"},
		{in: "arx:aws:iam::123456789012:root", wantErr: `must begin with "arn:"`},
		{in: "arn::iam::123456789012:root", wantErr: "empty partition"},
		{in: "arn:aws:::123456789012:root", wantErr: "empty service"},
		{in: "arn:aws:iam::123456789012:", wantErr: "empty resource"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) error = %v, want one containing %q wrapping ErrInvalid", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, s)
		}
	}
}

func TestIsAccountID(t *testing.T) {
	tests := map[string]bool{
		"123456789012":  true,
		"000000000000":  true,
		"12345678901":   false,
		"1234567890123": false,
		"12345678901a":  false,
		"":              false,
		"aws":           false,
	}
	for in, want := range tests {
		if got := IsAccountID(in); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"*", "not-an-arn", true},
		{"arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket/a/b:c", true},
		{"arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket", false},
		{"arn:aws:s3:::my-bucket*", "arn:aws:s3:::my-bucket/x", true},
		// A wildcard in the region does not swallow the account.
		{"arn:aws:ec2:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", false},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"arn:aws:ec2:us-*-1:123456789012:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{"arn:aws:iam::?23456789012:role/*", "arn:aws:iam::123456789012:role/a", true},
		{"arn:*:iam::123456789012:role/x", "arn:aws-cn:iam::123456789012:role/x", true},
		{"arn:aws:iam::123456789012:role/X", "arn:aws:iam::123456789012:role/x", false},
		// The resource is matched as a whole: '*' may cross colons there.
		{"arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"arn:aws:iam::*", "arn:aws:iam::123456789012:role/a", false},
		{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.value); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/a", "arn:aws:s3:::b/k:x", "arn:::::", "arn:a:b:c:d:e:f", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if got := a.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		if !Match(s, s) && !strings.ContainsAny(s, "*?") {
			t.Fatalf("Match(%q, itself) = false", s)
		}
	})
}

// TestPure fails when a non-test file imports anything but the standard library
// and Gatehouse's pure packages.
func TestPure(t *testing.T) {
	checkPure(t, ".", "github.com/gatehouse-iam/gatehouse/wildcard")
}

func checkPure(t *testing.T, dir string, allowed ...string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if ok[path] || !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				continue
			}
			t.Errorf("%s imports %s, which a pure package may not", name, path)
		}
	}
}

func TestSplitEntity(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, kind, account, path, name string }{
		{"arn:aws:iam::111111111111:user/alice", "user", "111111111111", "/", "alice"},
		{"arn:aws:iam::111111111111:role/a/b/R", "role", "111111111111", "/a/b/", "R"},
		{"arn:aws:iam::111111111111:root", "", "", "", ""},
		{"arn:aws:iam::111111111111:group/g", "", "", "", ""},
		{"arn:aws:sts::111111111111:assumed-role/R/s", "", "", "", ""},
		{"arn:aws:iam::111111111111:user/", "", "", "", ""},
		{"111111111111", "", "", "", ""},
	}
	for _, c := range cases {
		kind, account, path, name, ok := SplitEntity(c.in)
		if ok != (c.kind != "") || kind != c.kind || account != c.account || path != c.path || name != c.name {
			t.Errorf("SplitEntity(%s) = %s %s %s %s %v", c.in, kind, account, path, name, ok)
		}
	}
}
