package authref

import (
	"bytes"
	"compress/gzip"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/authref/internal/compact"
)

func TestServiceAndAction(t *testing.T) {
	d := Lookup()
	tests := []struct {
		prefix, action string
		wantName       string // "" when the action must not exist
		wantLevel      string
	}{
		{"s3", "GetObject", "GetObject", "Read"},
		{"S3", "getobject", "GetObject", "Read"},
		{"iam", "passrole", "PassRole", "Write"},
		{"sts", "AssumeRole", "AssumeRole", "Write"},
		{"iam", "ListRoles", "ListRoles", "List"},
		{"s3", "GetObjekt", "", ""},
	}
	for _, tt := range tests {
		s, ok := d.Service(tt.prefix)
		if !ok {
			t.Fatalf("Service(%q) missing", tt.prefix)
		}
		a, ok := s.Action(tt.action)
		if tt.wantName == "" {
			if ok {
				t.Errorf("%s:%s found, want missing", tt.prefix, tt.action)
			}
			continue
		}
		if !ok || a.Name != tt.wantName || a.AccessLevel != tt.wantLevel {
			t.Errorf("%s:%s = %+v, %v; want %s (%s)", tt.prefix, tt.action, a, ok, tt.wantName, tt.wantLevel)
		}
	}
	if _, ok := d.Service("nosuchservice"); ok {
		t.Error("Service(nosuchservice) found")
	}
	if s, _ := d.Service("iam"); s.Name != "AWS Identity and Access Management (IAM)" {
		t.Errorf("iam name = %q", s.Name)
	}
	if n := len(d.Services()); n < 400 {
		t.Errorf("only %d services", n)
	}
}

func TestExpandAction(t *testing.T) {
	d := Lookup()
	tests := []struct {
		pattern  string
		contains []string
		excludes []string
		min, max int
	}{
		{pattern: "s3:GetObject", contains: []string{"s3:GetObject"}, min: 1, max: 1},
		{pattern: "S3:getobject", contains: []string{"s3:GetObject"}, min: 1, max: 1},
		{pattern: "s3:Get*", contains: []string{"s3:GetObject", "s3:GetBucketPolicy"}, excludes: []string{"s3:PutObject", "s3:ListBucket"}, min: 20, max: 500},
		{pattern: "s3:get*", contains: []string{"s3:GetObject"}, min: 20, max: 500},
		{pattern: "iam:PassRol?", contains: []string{"iam:PassRole"}, min: 1, max: 1},
		{pattern: "iam:*", contains: []string{"iam:PassRole", "iam:CreateUser"}, excludes: []string{"sts:AssumeRole"}, min: 100, max: 1000},
		{pattern: "*", contains: []string{"iam:PassRole", "s3:GetObject"}, min: 20000, max: 100000},
		{pattern: "s?s:AssumeRole", contains: []string{"sts:AssumeRole"}, min: 1, max: 3},
		{pattern: "s3:GetObjekt*", min: 0, max: 0},
		{pattern: "nosuch:*", min: 0, max: 0},
		{pattern: "nocolon", min: 0, max: 0},
	}
	for _, tt := range tests {
		got := d.ExpandAction(tt.pattern)
		if len(got) < tt.min || len(got) > tt.max {
			t.Errorf("ExpandAction(%q) has %d actions, want %d..%d", tt.pattern, len(got), tt.min, tt.max)
		}
		for _, c := range tt.contains {
			if !slices.Contains(got, c) {
				t.Errorf("ExpandAction(%q) lacks %s", tt.pattern, c)
			}
		}
		for _, c := range tt.excludes {
			if slices.Contains(got, c) {
				t.Errorf("ExpandAction(%q) has %s", tt.pattern, c)
			}
		}
	}
}

func TestConditionKey(t *testing.T) {
	d := Lookup()
	tests := []struct {
		key       string
		ok        bool
		wantKey   string
		wantType  string
		wantMulti bool
		global    bool
	}{
		{key: "aws:SourceIp", ok: true, wantKey: "aws:SourceIp", wantType: "IPAddress", global: true},
		{key: "AWS:SOURCEIP", ok: true, wantKey: "aws:SourceIp", wantType: "IPAddress", global: true},
		{key: "aws:TagKeys", ok: true, wantKey: "aws:TagKeys", wantType: "ArrayOfString", wantMulti: true, global: true},
		{key: "aws:CurrentTime", ok: true, wantKey: "aws:CurrentTime", wantType: "Date", global: true},
		{key: "aws:MultiFactorAuthPresent", ok: true, wantKey: "aws:MultiFactorAuthPresent", wantType: "Bool", global: true},
		{key: "aws:RequestTag/team", ok: true, wantKey: "aws:RequestTag/${TagKey}", wantType: "String", global: true},
		{key: "aws:PrincipalTag/CostCenter", ok: true, wantKey: "aws:PrincipalTag/${TagKey}", wantType: "String", global: true},
		{key: "s3:ExistingObjectTag/classification", ok: true, wantKey: "s3:ExistingObjectTag/<key>", wantType: "String"},
		{key: "iam:PassedToService", ok: true, wantKey: "iam:PassedToService", wantType: "String"},
		{key: "s3:x-amz-acl", ok: true, wantKey: "s3:x-amz-acl", wantType: "String"},
		{key: "ec2:ResourceTag/Name", ok: true, wantType: "String"},
		{key: "secretsmanager:ResourceTag/aws:secretsmanager:owningService", ok: true, wantKey: "secretsmanager:ResourceTag/tag-key", wantType: "String"},
		{key: "ssm:resourceTag/env", ok: true, wantKey: "ssm:resourceTag/${TagKey}", wantType: "String"},
		{key: "accounts.google.com:aud", ok: true, wantKey: "accounts.google.com:aud", wantType: "String"},
		{key: "aws:NoSuchKey", ok: false},
		{key: "s3:NoSuchKey", ok: false},
		{key: "aws:RequestTag/", ok: false},
	}
	for _, tt := range tests {
		got, ok := d.ConditionKey(tt.key)
		if ok != tt.ok {
			t.Errorf("ConditionKey(%q) ok = %v, want %v", tt.key, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if (tt.wantKey != "" && got.Key != tt.wantKey) || got.Type != tt.wantType || got.MultiValued != tt.wantMulti || got.Global != tt.global {
			t.Errorf("ConditionKey(%q) = %+v, want key %q type %s multi %v global %v", tt.key, got, tt.wantKey, tt.wantType, tt.wantMulti, tt.global)
		}
	}
}

func TestResourceTypesFor(t *testing.T) {
	d := Lookup()
	rs, ok := d.ResourceTypesFor("iam:PassRole")
	if !ok || len(rs) != 1 || rs[0].Type.Name != "role" || !rs[0].Required {
		t.Fatalf("ResourceTypesFor(iam:PassRole) = %+v, %v", rs, ok)
	}
	if rs[0].Type.ARN != "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}" {
		t.Errorf("role ARN template = %q", rs[0].Type.ARN)
	}
	if rs, ok := d.ResourceTypesFor("s3:ListAllMyBuckets"); !ok || len(rs) != 0 {
		t.Errorf("ResourceTypesFor(s3:ListAllMyBuckets) = %+v, %v; want none", rs, ok)
	}
	if _, ok := d.ResourceTypesFor("s3:Nope"); ok {
		t.Error("ResourceTypesFor(s3:Nope) ok")
	}
}

func TestMatchesARN(t *testing.T) {
	d := Lookup()
	rt := func(svc, name string) *ResourceType {
		s, _ := d.Service(svc)
		r, ok := s.ResourceType(name)
		if !ok {
			t.Fatalf("no resource type %s/%s", svc, name)
		}
		return r
	}
	tests := []struct {
		rt       *ResourceType
		resource string
		want     bool
	}{
		{rt("s3", "object"), "arn:aws:s3:::my-bucket/*", true},
		{rt("s3", "object"), "arn:aws:s3:::my-bucket", false},
		{rt("s3", "bucket"), "arn:aws:s3:::my-bucket", true},
		{rt("s3", "object"), "arn:aws:s3:::my-bucket/${aws:username}/*", true},
		{rt("s3", "object"), "*", true},
		{rt("iam", "role"), "arn:aws:iam::123456789012:role/app", true},
		{rt("iam", "role"), "arn:aws:iam::*:role/*", true},
		{rt("iam", "role"), "arn:aws:iam::123456789012:user/app", false},
		{rt("iam", "role"), "arn:aws:iam:us-east-1:123456789012:role/app", false},
		{rt("iam", "role"), "arn:aws:iam::123456789012:*", true},
		{rt("iam", "role"), "arn:aws:iam::123456789012:ro?e/x", true},
		{rt("ec2", "instance"), "arn:aws:ec2:us-east-1:123456789012:instance/i-1", true},
		{rt("ec2", "instance"), "arn:aws:ec2:*:*:volume/*", false},
		{rt("ec2", "instance"), "arn:aws:ec2:us-east-1:123456789012", false},
	}
	for _, tt := range tests {
		if got := tt.rt.MatchesARN(tt.resource); got != tt.want {
			t.Errorf("%s/%s (%s).MatchesARN(%q) = %v, want %v", tt.rt.Service, tt.rt.Name, tt.rt.ARN, tt.resource, got, tt.want)
		}
	}
}

func TestIntersects(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"", "*", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a*", "*c", true},
		{"a*b", "*c", false},
		{"a?c", "abc", true},
		{"*/*", "bucket", false},
		{"*/*", "bucket/*", true},
		{"*/*", "bu*", true},
		{"role/*", "user/*", false},
		{"x*y*z", "*q*", true},
		{"ab", "a", false},
	}
	for _, tt := range tests {
		if got := intersects(tt.a, tt.b); got != tt.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := intersects(tt.b, tt.a); got != tt.want {
			t.Errorf("intersects(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestConcurrentLookup(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := Lookup().Action("s3:GetObject"); !ok {
				t.Error("s3:GetObject missing")
			}
		}()
	}
	wg.Wait()
}

// TestFresh regenerates the data file from ../reference (committed) and compares it
// with the committed one (decompressed, so that compressor changes do not matter).
func TestFresh(t *testing.T) {
	const ref = "../reference"
	auth := filepath.Join(ref, "service-authorization/service-authorization.json.gz")
	global := filepath.Join(ref, "condition-keys/global-condition-keys.json")
	f, err := compact.BuildFiles(auth, global)
	if err != nil {
		t.Fatal(err)
	}
	want, err := compact.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(embedded))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("data.json.gz is stale: run go generate ./servicedata")
	}
}

// TestPure fails when a non-test file imports anything but the standard library
// and Gatehouse's pure packages.
func TestPure(t *testing.T) {
	allowed := map[string]bool{"github.com/gatehouse-iam/gatehouse/wildcard": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if allowed[path] || !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				continue
			}
			t.Errorf("%s imports %s, which a pure package may not", name, path)
		}
	}
}

// BenchmarkDecode measures the one-time cost of Lookup's first call.
func BenchmarkDecode(b *testing.B) {
	b.ReportMetric(float64(len(embedded)), "embedded-bytes")
	for b.Loop() {
		if _, err := Decode(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConditionKeyPattern(b *testing.B) {
	d := Lookup()
	for b.Loop() {
		if _, ok := d.ConditionKey("s3:ExistingObjectTag/classification"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkExpandAction(b *testing.B) {
	d := Lookup()
	for b.Loop() {
		d.ExpandAction("s3:Get*")
	}
}
