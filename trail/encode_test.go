package trail

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/api/s3api"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// The appender must write what encoding/json wrote: each test here renders
// the same value with the implementation of oracle_test.go and compares
// the bytes.

// apiRedaction is the server's: the sensitive members of every api package.
func apiRedaction() Redaction {
	r := Redaction{}
	r.Add(iamapi.User{}, iamapi.SensitiveMembers())
	r.Add(stsapi.Credentials{}, stsapi.SensitiveMembers())
	r.Add(orgapi.Account{}, orgapi.SensitiveMembers())
	r.Add(analyzerapi.AnalyzerSummary{}, analyzerapi.SensitiveMembers())
	r.Add(s3api.Owner{}, s3api.SensitiveMembers())
	return r
}

// nastyStrings are what JSON escaping must get right.
var nastyStrings = []string{
	"", "a", "JohnDoe", "arn:aws:iam::123456789012:user/division/bob", `"quoted" \back\slash/`,
	"<script>&amp;</script>", "line\nfeed\ttab\rreturn\bback\fform", "\x00\x01\x1f\x7f",
	"\u2028\u2029", "héllo wörld ✓ 日本語 🎉", "\xff\xfe invalid", "a\xc3", "\xed\xa0\x80 surrogate",
	"{\"json\":[1,2]}", strings.Repeat("x", 300), "HIDDEN_DUE_TO_SECURITY_REASONS", "\ufffd",
}

// filler fills values of any Go type with varied contents.
type filler struct{ rng *rand.Rand }

func (f *filler) str() string {
	if f.rng.IntN(4) == 0 {
		b := make([]byte, f.rng.IntN(12))
		for i := range b {
			b[i] = byte(f.rng.IntN(256))
		}
		return string(b)
	}
	return nastyStrings[f.rng.IntN(len(nastyStrings))]
}

func (f *filler) float() float64 {
	switch f.rng.IntN(8) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return 1e-7 * f.rng.Float64()
	case 3:
		return 1e21 * (1 + f.rng.Float64())
	case 4:
		return -f.rng.NormFloat64() * 1e6
	case 5:
		return float64(f.rng.IntN(1000))
	}
	return f.rng.NormFloat64()
}

func (f *filler) time() time.Time {
	switch f.rng.IntN(5) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(2023, 7, 18, 16, 7, 39, 0, time.UTC)
	case 2:
		return time.Date(1+f.rng.IntN(9998), time.Month(1+f.rng.IntN(12)), 1+f.rng.IntN(28), f.rng.IntN(24), f.rng.IntN(60),
			f.rng.IntN(60), f.rng.IntN(1e9), time.FixedZone("X", 3600*(f.rng.IntN(27)-13)))
	}
	return time.Unix(f.rng.Int64N(4e9), f.rng.Int64N(1e9))
}

// fill sets v (settable) to a random value of its type, depth bounding
// the nesting it creates.
func (f *filler) fill(v reflect.Value, depth int) {
	t := v.Type()
	if t == timeType {
		v.Set(reflect.ValueOf(f.time()))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if depth > 5 || f.rng.IntN(3) == 0 {
			return
		}
		p := reflect.New(t.Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && f.rng.IntN(4) != 0 {
				f.fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(f.rng.Int64() >> f.rng.IntN(64))
		if f.rng.IntN(2) == 0 {
			v.SetInt(-v.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(f.rng.Uint64() >> f.rng.IntN(64))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.float())
	case reflect.Slice:
		if depth > 5 || f.rng.IntN(4) == 0 {
			return
		}
		n := f.rng.IntN(4)
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		if depth > 5 || f.rng.IntN(4) == 0 {
			return
		}
		m := reflect.MakeMap(t)
		for range f.rng.IntN(4) {
			k := reflect.New(t.Key()).Elem()
			f.fill(k, depth+1)
			e := reflect.New(t.Elem()).Elem()
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
		if f.rng.IntN(2) == 0 && reflect.TypeFor[string]().Implements(t) {
			v.Set(reflect.ValueOf(f.str()))
		}
	}
}

// sameParams fails t when the appender and the oracle render v
// differently.
func sameParams(t *testing.T, w *paramsWriter, r Redaction, v any) {
	t.Helper()
	got, _ := w.appendParams(nil, r, v)
	want := oracleParams(r, v)
	if !bytes.Equal(got, want) {
		t.Fatalf("%T %+v:\n got %s\nwant %s", v, v, got, want)
	}
	if p := r.Params(v); !bytes.Equal(p, want) {
		t.Fatalf("Redaction.Params(%T) = %s, want %s", v, p, want)
	}
}

// Every generated api type, filled many ways, renders as encoding/json
// rendered it.
func TestParamsMatchesOracleOnAPITypes(t *testing.T) {
	r := apiRedaction()
	var w paramsWriter
	f := filler{rand.New(rand.NewPCG(1, 2))}
	for _, sample := range corpusTypes {
		typ := reflect.TypeOf(sample)
		sameParams(t, &w, r, reflect.New(typ).Interface()) // nothing set
		for range 30 {
			p := reflect.New(typ)
			f.fill(p.Elem(), 0)
			sameParams(t, &w, r, p.Interface())
			sameParams(t, &w, r, p.Elem().Interface())
		}
	}
}

// Shapes the api types do not have, and the edge cases of the rules:
// colliding names, json tags, depth, streams, cycles, unsupported values.
type (
	collide struct {
		UserName  string
		Username  string `json:"userName"`
		Other     *string
		Dash      string `json:"-"`
		Tagged    string `json:"renamed,omitempty"`
		unexposed string
	}
	everyKind struct {
		I8     int8
		U16    uint16
		U      uint
		UP     uintptr
		F32    float32
		F64    *float64
		C      complex128
		Fn     func()
		Ch     chan int
		B      []byte
		Arr    [2]string
		BArr   [3]byte
		Any    any
		AnyR   any
		R      io.Reader
		RC     io.ReadCloser
		T      *time.Time
		Named  namedString
		NMap   map[namedString]int32
		IMap   map[int]string
		Nested map[string][]map[string]*time.Time
		Embed
	}
	namedString string
	Embed       struct{ Inner string }
	cycle       struct {
		Name string
		Next *cycle
		Any  any
	}
	readerStruct struct{ Name string }
)

func (readerStruct) Read([]byte) (int, error) { return 0, io.EOF }

func TestParamsMatchesOracleOnEdgeCases(t *testing.T) {
	r := Redaction{}
	r.Add(collide{}, map[string][]string{"collide": {"Username", "Other"}, "everyKind": {"Any"}})
	var w paramsWriter
	deep := &cycle{Name: "0"}
	for i, c := 1, deep; i < 40; i, c = i+1, c.Next {
		c.Next = &cycle{Name: fmt.Sprint(i)}
		if i%3 == 0 {
			c.Any = c.Next
		}
	}
	loop := &cycle{Name: "loop"}
	loop.Next, loop.Any = loop, loop
	nan := math.NaN()
	values := []any{
		collide{UserName: "a", Username: "b"}, collide{UserName: "a"}, collide{Username: "b"},
		collide{Other: ptr("x"), Dash: "d", Tagged: "t", unexposed: "u"}, &collide{},
		// (by pointer: the old implementation panicked on a byte array
		// it could not address)
		&everyKind{}, &everyKind{I8: -8, U16: 16, U: 1, UP: 3, F32: 0.1, F64: ptr(1e-7), C: 1i, Fn: func() {}, Ch: make(chan int),
			B: []byte("bytes<>"), Arr: [2]string{"", "a"}, BArr: [3]byte{1, 2, 3}, Any: "hidden", AnyR: strings.NewReader("r"),
			R: strings.NewReader("r"), RC: io.NopCloser(nil), T: &time.Time{}, Named: "n", NMap: map[namedString]int32{"z": 1, "a": 2, "": 3},
			IMap: map[int]string{1: "a"}, Nested: map[string][]map[string]*time.Time{"k": {{"t": nil}, nil, {}}}, Embed: Embed{"in"}},
		&everyKind{B: []byte{}, Any: readerStruct{"rs"}, AnyR: &readerStruct{"p"}},
		&everyKind{F64: &nan}, &everyKind{Any: nan}, &everyKind{Any: []any{1, nan}},
		&everyKind{F64: ptr(math.Inf(1))}, &everyKind{F32: float32(math.Inf(-1))},
		&everyKind{Nested: map[string][]map[string]*time.Time{}}, map[string]any{}, map[string]any{"a": nil, "b": ""},
		map[string]any{"x": 1.5, "<": "&"}, []string{"a", "", "b"}, []any{}, "top", 42, true, 1e300, []byte("top"),
		deep, loop, readerStruct{"x"}, &readerStruct{"x"}, strings.NewReader("x"), time.Time{}, time.Unix(0, 0),
		struct{ F *float64 }{ptr(math.NaN())}, ptr(ptr("pp")), [0]int{}, [1]int{7},
	}
	for _, v := range values {
		sameParams(t, &w, r, v)
	}
	// A sensitive member holding a value JSON cannot hold is Hidden, not
	// a failure, as before.
	r.Add(everyKind{}, map[string][]string{"everyKind": {"Any", "F64"}})
	var w2 paramsWriter
	sameParams(t, &w2, r, &everyKind{Any: nan, F64: &nan})
}

// The corpus types are all the api packages generate.
func TestCorpusTypesComplete(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range corpusTypes {
		typ := reflect.TypeOf(v)
		listed[filepath.Base(typ.PkgPath())+"."+typ.Name()] = true
	}
	files, err := filepath.Glob("../api/*api/zz_generated.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated api files: %v", err)
	}
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		pkg := filepath.Base(filepath.Dir(file))
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.Name.IsExported() && !listed[pkg+"."+ts.Name.Name] {
					t.Errorf("%s.%s is not in corpusTypes", pkg, ts.Name.Name)
				}
			}
		}
	}
}

// counterIDs returns a NewID that counts, so that two builders given one
// each name their events alike.
func counterIDs() func() string {
	var n atomic.Int64
	return func() string {
		// Every other one a canonical UUID, which a compact record codes
		// in 16 bytes.
		i := n.Add(1)
		if i%2 == 0 {
			return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		}
		return fmt.Sprintf("id-%d", i)
	}
}

// sameEvents fails t when Events and the oracle's differ.
func sameEvents(t *testing.T, r Redaction, c *Call) {
	t.Helper()
	b := &Builder{Redaction: r, NewID: counterIDs()}
	got, err := b.Events(c)
	if err != nil {
		t.Fatal(err)
	}
	want, err := oracleEvents(&Builder{Redaction: r, NewID: counterIDs()}, c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		if len(got) == len(want) {
			for i := range got {
				if !bytes.Equal(got[i].JSON, want[i].JSON) {
					t.Fatalf("entry %d:\n got %s\nwant %s", i, got[i].JSON, want[i].JSON)
				}
				got[i].JSON, want[i].JSON = nil, nil
			}
		}
		t.Fatalf("Events:\n got %+v\nwant %+v", got, want)
	}
	sameCompact(t, r, c, want)
}

// sameCompact fails t when the entries a Builder makes in compact form,
// once written as records and read back, or rendered, differ from want.
func sameCompact(t *testing.T, r Redaction, c *Call, want []Entry) {
	t.Helper()
	b := &Builder{Redaction: r, NewID: counterIDs(), Compact: true}
	got, err := b.Events(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("compact: %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].JSON != nil || got[i].Compact == nil {
			t.Fatalf("compact entry %d: JSON %q, Compact %q", i, got[i].JSON, got[i].Compact)
		}
		if js := got[i].RecordJSON(); !bytes.Equal(js, want[i].JSON) {
			t.Fatalf("compact entry %d rendered:\n got %s\nwant %s", i, js, want[i].JSON)
		}
		fields := got[i]
		fields.Compact, fields.JSON = nil, want[i].JSON
		if !reflect.DeepEqual(fields, want[i]) {
			t.Fatalf("compact entry %d:\n got %+v\nwant %+v", i, fields, want[i])
		}
		rec, err := AppendRecord(nil, &got[i])
		if err != nil {
			t.Fatal(err)
		}
		if back, ok := DecodeRecord(rec); !ok || !reflect.DeepEqual(back, want[i]) {
			t.Fatalf("compact record %d read back (%v):\n got %+v\nwant %+v\n %s", i, ok, back, want[i], back.JSON)
		}
		index, ok := DecodeRecordIndex(rec)
		index.JSON = want[i].JSON
		if !ok || !reflect.DeepEqual(index, want[i]) {
			t.Fatalf("compact record %d's index fields (%v):\n got %+v\nwant %+v", i, ok, index, want[i])
		}
		if id, ok := RecordEventID(rec[:min(len(rec), 64)]); !ok || id != want[i].EventID {
			t.Fatalf("RecordEventID of compact record %d = %q, %v; want %q", i, id, ok, want[i].EventID)
		}
		// The same event as a record of the first version (the segments
		// written before session 15 hold them) reads the same.
		d := recordDecoder{b: got[i].Compact, ok: true}
		ev, at, username, principal := decodeCompact(&d, &got[i], false)
		if !d.ok || len(d.b) != 0 || indexable(username) != got[i].Username || indexable(principal) != got[i].Principal {
			t.Fatalf("compact entry %d decoded (%v, %d left): username %q principal %q, want %q %q",
				i, d.ok, len(d.b), username, principal, got[i].Username, got[i].Principal)
		}
		v1 := appendRecordV1(nil, &got[i], &ev, at)
		if back, ok := DecodeRecord(v1); !ok || !reflect.DeepEqual(back, want[i]) {
			t.Fatalf("compact record %d of the first version read back (%v):\n got %+v\nwant %+v", i, ok, back, want[i])
		}
		index, ok = DecodeRecordIndex(v1)
		index.JSON = want[i].JSON
		if !ok || !reflect.DeepEqual(index, want[i]) {
			t.Fatalf("compact record %d of the first version, index fields (%v):\n got %+v\nwant %+v", i, ok, index, want[i])
		}
		if id, ok := RecordEventID(v1[:min(len(v1), 64)]); !ok || id != want[i].EventID {
			t.Fatalf("RecordEventID of compact record %d of the first version = %q, %v; want %q", i, id, ok, want[i].EventID)
		}
	}
	b.Release(got)
}

// callers are one of each kind of caller.
func callers(f *filler) []*identity.Caller {
	user := userCaller()
	temp := *user
	temp.AccessKeyID, temp.MFAAuthenticated, temp.TokenIssueTime = "ASIATEMP", true, f.time()
	root := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::777788889999:root"},
		Account: "777788889999", AccessKeyID: "AKIAROOT"}
	rootTemp := *root
	rootTemp.AccessKeyID = "ASIAROOT"
	session := &identity.Caller{
		Principal: policy.Principal{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111111111111:assumed-role/R/" + f.str(),
			RoleARN: "arn:aws:iam::111111111111:role/path/R"},
		Account: "111111111111", UserID: "AROAEXAMPLE:" + f.str(), SessionName: f.str(), AccessKeyID: "ASIAEXAMPLE",
		TokenIssueTime: f.time(), SourceIdentity: f.str(), FederatedProvider: f.str(), SourceInstanceARN: f.str()}
	badRole := *session
	badRole.Principal.RoleARN = "not an arn"
	fed := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalFederatedUser, ARN: "arn:aws:sts::111111111111:federated-user/" + f.str()},
		Account: "111111111111", UserID: "111111111111:fed", SessionName: "fed", AccessKeyID: "ASIAFED"}
	anon := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalAnonymous}}
	other := &identity.Caller{Principal: policy.Principal{Type: policy.PrincipalType(200), ARN: "svc"}, Account: "222222222222", UserID: "x"}
	return []*identity.Caller{nil, user, &temp, root, &rootTemp, session, &badRole, fed, anon, other}
}

// Calls of every kind — each caller, failed, denied, cross-account,
// anonymous, with TLS, reads and writes, every api type as input and
// output — are recorded as encoding/json recorded them.
func TestEventsMatchOracle(t *testing.T) {
	r := apiRedaction()
	f := &filler{rand.New(rand.NewPCG(3, 4))}
	for i, sample := range corpusTypes {
		typ := reflect.TypeOf(sample)
		in, out := reflect.New(typ), reflect.New(typ)
		f.fill(in.Elem(), 0)
		f.fill(out.Elem(), 0)
		for j, caller := range callers(f) {
			c := &Call{RequestID: f.str(), Time: f.time(), Service: []string{"", "iam", "s3", "gatehouse"}[f.rng.IntN(4)],
				Operation: f.str(), Caller: caller, Region: f.str(), SourceIP: f.str(), UserAgent: f.str(),
				Input: in.Interface(), Output: out.Interface(), ReadOnly: f.rng.IntN(2) == 0, Management: f.rng.IntN(4) != 0}
			if caller == nil {
				c.KeyID, c.KeyAccount = f.str(), []string{"", "123456789012"}[f.rng.IntN(2)]
			}
			if (i+j)%3 == 0 {
				c.ErrorCode, c.ErrorMessage = f.str(), f.str()
			}
			if (i+j)%5 == 0 {
				c.Denied = &Decision{Action: f.str(), Resource: f.str(), Reason: f.str()}
			}
			if (i+j)%4 == 0 {
				c.TLS = &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: f.str(), ClientProvidedHostHeader: f.str()}
			}
			for range f.rng.IntN(3) {
				c.Resources = append(c.Resources, Resource{ARN: f.str(), AccountID: f.str(), Type: f.str()})
			}
			switch f.rng.IntN(3) {
			case 0:
				c.ResourceAccount = "111122223333"
			case 1:
				if caller != nil {
					c.ResourceAccount = caller.Account
				}
			}
			if f.rng.IntN(8) == 0 {
				c.Input, c.Output = nil, nil
			}
			sameEvents(t, r, c)
		}
	}
}

// The existing tests' calls, and sign-ins, match too.
func TestEventsMatchOracleOnKnownCalls(t *testing.T) {
	r := redaction()
	at := time.Date(2014, 7, 18, 15, 7, 39, 0, time.UTC)
	sameEvents(t, r, &Call{
		RequestID: "req-1", Time: at, Service: "sts", Operation: "AssumeRole", Caller: userCaller(),
		Region: "us-east-2", SourceIP: "192.0.2.101", UserAgent: "aws-cli/2",
		Input:           &struct{ RoleArn, RoleSessionName string }{"arn:aws:iam::111122223333:role/EC2-dev", "JohnDoe-EC2-dev"},
		Output:          &assumeRoleResponse{Credentials: &credentials{AccessKeyId: "ASIAX", SecretAccessKey: "sk", SessionToken: "tok"}},
		Resources:       []Resource{{ARN: "arn:aws:iam::111122223333:role/EC2-dev", AccountID: "111122223333", Type: "AWS::IAM::Role"}},
		ResourceAccount: "111122223333", Management: true,
	})
	sameEvents(t, r, &Call{Time: time.Now(), Service: "iam", Operation: "GetUser", Caller: callers(&filler{rand.New(rand.NewPCG(5, 6))})[5],
		ReadOnly: true, Management: true, Output: &struct{ UserName string }{"x"}, ErrorCode: "AccessDenied",
		Denied: &Decision{Action: "iam:GetUser", Resource: "arn:aws:iam::111111111111:user/x", Reason: "ImplicitDeny"}})
	sameEvents(t, r, &Call{Service: "iam", Operation: "GetUser", ErrorCode: "InvalidClientTokenId"})
	sameEvents(t, r, &Call{Service: "iam", Operation: "GetUser", ErrorCode: "InvalidClientTokenId", KeyID: "AKIAOLD", KeyAccount: "123456789012"})
	sameEvents(t, r, &Call{Service: "s3", Operation: "PutObject", Caller: userCaller(),
		Resources: []Resource{{ARN: "arn:aws:s3:::b/a\x00b\xff", Type: "AWS::S3::Object"}}})
	for _, tm := range []time.Time{{}, time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("W", -3600)), time.Now()} {
		sameEvents(t, r, &Call{Time: tm, Service: "iam", Operation: "ListUsers", Caller: userCaller()})
	}
	for _, s := range []SignIn{
		{EventID: "e1", Time: at, Account: "123456789012", Root: true, ARN: "arn:aws:iam::123456789012:root", Success: true, MFAUsed: true, LoginTo: "https://console/<&>"},
		{EventID: "e2", Time: time.Now(), Account: "123456789012", UserName: "pw\xff", ErrorMessage: "No username found in supplied account"},
		{EventID: "e3", Time: at, Account: "123456789012", UserName: "bob", UserID: "AIDA", ARN: "arn:aws:iam::123456789012:user/bob", Region: "us-east-1"},
	} {
		got, err := SignInEntry(s)
		want, werr := oracleSignInEntry(s)
		if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("SignInEntry:\n got %+v, %v\nwant %+v, %v\n %s\n %s", got, err, want, werr, got.JSON, want.JSON)
		}
	}
}

// fuzzed is a shape that holds every kind of value the fuzzer varies.
type fuzzed struct {
	Name     string
	Ptr      *string
	Count    *int32
	Big      int64
	Ratio    float64
	Flag     *bool
	Data     []byte
	When     time.Time
	List     []string
	Tags     map[string]string
	Children []fuzzed
	Secret   string
	Password string
}

// FuzzParams compares the appender with encoding/json on fuzzed strings,
// bytes and numbers.
func FuzzParams(f *testing.F) {
	f.Add("a", "b\xff<", int64(1), 1.5, []byte("x"), int64(0))
	f.Add("\u2028", "", int64(-1), 1e-9, []byte{}, int64(1<<40))
	f.Add("", "\x00", int64(math.MinInt64), math.Inf(1), []byte(nil), int64(-1))
	r := Redaction{}
	r.Add(fuzzed{}, map[string][]string{"fuzzed": {"Secret"}})
	var w paramsWriter
	f.Fuzz(func(t *testing.T, s1, s2 string, n int64, x float64, data []byte, sec int64) {
		n32 := int32(n)
		flag := n%2 == 0
		v := &fuzzed{Name: s1, Ptr: &s2, Count: &n32, Big: n, Ratio: x, Flag: &flag, Data: data, When: time.Unix(sec, n),
			List: []string{s1, s2, ""}, Tags: map[string]string{s1: s2, s2: s1, "k": ""}, Secret: s2, Password: s1,
			Children: []fuzzed{{Name: s2, Ratio: -x}, {}}}
		sameParams(t, &w, r, v)
		sameEvents(t, r, &Call{RequestID: s1, Time: time.Unix(sec, 0), Service: s2, Operation: s1, Caller: userCaller(),
			UserAgent: s2, Input: v, Output: &fuzzed{Name: s1}, ErrorMessage: s2, ResourceAccount: s1,
			Resources: []Resource{{ARN: s1, AccountID: s2, Type: s1}}, Denied: &Decision{Action: s1, Reason: s2}})
	})
}
