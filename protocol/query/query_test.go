package query_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/iamcodec"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/api/stscodec"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// decodeAny decodes the IAM and STS inputs with their generated codecs.
func decodeAny(d *query.Decoder, in any) bool {
	return iamcodec.Service().DecodeInput(d, in) || stscodec.Service().DecodeInput(d, in)
}

func decodeCreateUser(t *testing.T, form string) (*iamapi.CreateUserRequest, error) {
	t.Helper()
	v, err := url.ParseQuery(form)
	if err != nil {
		t.Fatal(err)
	}
	in := new(iamapi.CreateUserRequest)
	return in, query.Decode(v, in, decodeAny)
}

func TestDecodeValidationMessages(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name, form, code, msg string
	}{
		{"ok", "UserName=bob", "", ""},
		// Missing required member: ValidationError "Value null", as STS answers
		// for a missing RoleArn (live STS probe, Rust "AWS STS Query protocol
		// oracle" in the public code index) and as IAM clones assert for
		// UserName (outscale tests "Value null at 'username'").
		{"missing", "", "ValidationError",
			"1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"pattern", "UserName=x%2By%20z", "ValidationError",
			`1 validation error detected: Value 'x+y z' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"too long", "UserName=" + long, "ValidationError",
			"1 validation error detected: Value '" + long + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		// Empty value: pattern failure first, then length (the STS probe's
		// order for an empty RoleArn).
		{"empty", "UserName=", "ValidationError",
			`2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"nested tag path", "UserName=bob&Tags.member.1.Key=a*b&Tags.member.1.Value=v", "ValidationError",
			`1 validation error detected: Value 'a*b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"nested missing", "UserName=bob&Tags.member.1.Value=v", "ValidationError",
			"1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null"},
		{"duplicate first wins (valid first)", "UserName=bob&UserName=bad%2Fname", "", ""},
		{"duplicate first wins (invalid first)", "UserName=bad%2Fname&UserName=bob", "ValidationError",
			`1 validation error detected: Value 'bad/name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"unknown params ignored", "UserName=bob&Unknown=1&Tags.member.x.Key=k&Tags.member.0.Key=k&Tags.member.-1.Key=k&Tags.member.01.Key=k", "", ""},
		{"code points not bytes", "UserName=" + strings.Repeat("%C3%A9", 64), "ValidationError",
			// é is not \w, so only the pattern fails: 64 code points are within the length.
			"1 validation error detected: Value '" + strings.Repeat("é", 64) + `' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeCreateUser(t, tt.form)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ae, ok := awserr.As(err)
			if !ok {
				t.Fatalf("error %v is not *awserr.Error", err)
			}
			if ae.Code != tt.code || ae.Status != 400 || !ae.Sender || ae.Message != tt.msg {
				t.Fatalf("got %s %d %q\nwant %s 400 %q", ae.Code, ae.Status, ae.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestDecodeLists(t *testing.T) {
	in, err := decodeCreateUser(t, "UserName=bob&Tags.member.3.Key=c&Tags.member.3.Value=3&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.99999999.Key=z&Tags.member.99999999.Value=")
	if err != nil {
		t.Fatal(err)
	}
	// Ascending index order, gaps closed.
	var keys []string
	for _, tg := range in.Tags {
		keys = append(keys, tg.Key+"="+tg.Value)
	}
	if got := strings.Join(keys, ","); got != "a=1,c=3,z=" {
		t.Fatalf("tags = %s", got)
	}
	// "Tags=" is how SDKs send an empty list: present, empty.
	in, err = decodeCreateUser(t, "UserName=bob&Tags=")
	if err != nil || in.Tags == nil || len(in.Tags) != 0 {
		t.Fatalf("empty list: %v %#v", err, in.Tags)
	}
	in, _ = decodeCreateUser(t, "UserName=bob")
	if in.Tags != nil || in.Path != nil {
		t.Fatalf("absent members must stay nil: %#v", in)
	}
	// More tags than the model's max (50).
	var b strings.Builder
	b.WriteString("UserName=bob")
	for i := 1; i <= 51; i++ {
		b.WriteString("&Tags.member." + itoa(i) + ".Key=k" + itoa(i) + "&Tags.member." + itoa(i) + ".Value=v")
	}
	_, err = decodeCreateUser(t, b.String())
	if ae, _ := awserr.As(err); ae == nil || ae.Message != "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" {
		t.Fatalf("got %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDecodeIntegers(t *testing.T) {
	tests := []struct {
		val, code, msg string
		want           int32
	}{
		{"900", "", "", 900},
		{"+900", "", "", 900}, // accepted by STS (probe)
		{"0900", "", "", 900},
		{"899", "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", 0},
		{"43201", "ValidationError", "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200", 0},
		{"", "MalformedInput", "missing value for decimal type", 0},
		{"900.0", "MalformedInput", "", 0},
		{"2147483648", "MalformedInput", "", 0},
		{"abc", "MalformedInput", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.val, func(t *testing.T) {
			form := url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/r"}, "RoleSessionName": {"s1"}, "DurationSeconds": {tt.val}}
			in := new(stsapi.AssumeRoleRequest)
			err := query.Decode(form, in, decodeAny)
			if tt.code == "" {
				if err != nil || in.DurationSeconds == nil || *in.DurationSeconds != tt.want {
					t.Fatalf("got %v %v", err, in.DurationSeconds)
				}
				return
			}
			ae, ok := awserr.As(err)
			if !ok || ae.Code != tt.code || (tt.msg != "" && ae.Message != tt.msg) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestDecodeEnumAndBool(t *testing.T) {
	form := url.Values{"AccessKeyId": {"AKIAIOSFODNN7EXAMPLE"}, "Status": {"Enabled"}}
	in := new(iamapi.UpdateAccessKeyRequest)
	err := query.Decode(form, in, decodeAny)
	want := "1 validation error detected: Value 'Enabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"
	if ae, _ := awserr.As(err); ae == nil || ae.Message != want {
		t.Fatalf("got %v", err)
	}
	form.Set("Status", "Inactive")
	if err := query.Decode(form, in, decodeAny); err != nil || in.Status != iamapi.StatusTypeInactive {
		t.Fatalf("got %v %q", err, in.Status)
	}
	pp := new(iamapi.UpdateAccountPasswordPolicyRequest)
	if err := query.Decode(url.Values{"RequireSymbols": {"true"}, "HardExpiry": {"false"}}, pp, decodeAny); err != nil ||
		pp.RequireSymbols == nil || !*pp.RequireSymbols || pp.HardExpiry == nil || *pp.HardExpiry || pp.RequireNumbers != nil {
		t.Fatalf("bools: %v %#v", err, pp)
	}
	if err := query.Decode(url.Values{"RequireSymbols": {"yes"}}, pp, decodeAny); err == nil {
		t.Fatal("want MalformedInput for a non-boolean")
	}
}

func TestSensitiveValueNotEchoed(t *testing.T) {
	in := new(iamapi.ChangePasswordRequest)
	err := query.Decode(url.Values{"OldPassword": {"secret-old"}, "NewPassword": {""}}, in, decodeAny)
	ae, _ := awserr.As(err)
	if ae == nil || strings.Contains(ae.Message, "secret-old") || !strings.Contains(ae.Message, "Value at 'newPassword'") {
		t.Fatalf("got %v", err)
	}
}

func TestAccountAliasLookahead(t *testing.T) {
	for _, tt := range []struct {
		alias string
		ok    bool
	}{{"my-alias", true}, {"my--alias", false}, {"-abc", false}, {"abc-", false}, {"a-b-c", true}} {
		err := query.Decode(url.Values{"AccountAlias": {tt.alias}}, new(iamapi.CreateAccountAliasRequest), decodeAny)
		if (err == nil) != tt.ok {
			t.Errorf("%q: got %v", tt.alias, err)
		}
	}
}

func TestMarshalResponse(t *testing.T) {
	svc := iamcodec.Service()
	op, _ := iamcodec.LookupOperation("GetUser")
	out := &iamapi.GetUserResponse{User: iamapi.User{
		Path: "/", UserName: "a<b&c", UserId: "AIDAEXAMPLE", Arn: "arn:aws:iam::123456789012:user/a",
		CreateDate: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Tags:       []iamapi.Tag{{Key: "k", Value: "v"}},
	}}
	got := string(svc.MarshalResponse(op, "req-1", out))
	want := `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>a&lt;b&amp;c</UserName><UserId>AIDAEXAMPLE</UserId><Arn>arn:aws:iam::123456789012:user/a</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate><Tags><member><Key>k</Key><Value>v</Value></member></Tags></User></GetUserResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	del, _ := iamcodec.LookupOperation("DeleteUser")
	got = string(svc.MarshalResponse(del, "req-2", nil))
	want = `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></DeleteUserResponse>`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// WriteResponse writes the same documents from its reused buffers, a
	// long one and then a short one with nothing of the first left over.
	for _, c := range []struct {
		op  query.Operation
		id  string
		out any
	}{{op, "req-1", out}, {del, "req-2", nil}, {op, "req-3", out}, {del, "req-4", nil}} {
		w := httptest.NewRecorder()
		if err := svc.WriteResponse(w, c.op, c.id, c.out); err != nil {
			t.Fatal(err)
		}
		if want := string(svc.MarshalResponse(c.op, c.id, c.out)); w.Body.String() != want {
			t.Errorf("WriteResponse %s:\n%s\nwant\n%s", c.id, w.Body.String(), want)
		}
		if w.Code != 200 || w.Header().Get("Content-Type") != "text/xml" || w.Header().Get("x-amzn-RequestId") != c.id ||
			w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
			t.Errorf("WriteResponse %s: %d %v", c.id, w.Code, w.Header())
		}
	}
}

func TestFormatTime(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2015, 3, 9, 18, 39, 23, 0, time.UTC), "2015-03-09T18:39:23Z"},
		{time.Date(2015, 3, 9, 18, 39, 23, 411_000_000, time.UTC), "2015-03-09T18:39:23.411Z"},
		{time.Date(2015, 3, 9, 19, 39, 23, 500, time.FixedZone("x", 3600)), "2015-03-09T18:39:23Z"},
	} {
		if got := query.FormatTime(tt.t); got != tt.want {
			t.Errorf("got %s want %s", got, tt.want)
		}
	}
}

func TestWriteError(t *testing.T) {
	svc := iamcodec.Service()
	rec := httptest.NewRecorder()
	cause := errors.New("db row 42 missing")
	err := awserr.NoSuchEntity("The user with name %s cannot be found.", "x").WithCause(cause)
	if werr := svc.WriteError(rec, "rid-1", err); werr != nil {
		t.Fatal(werr)
	}
	want := `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>`
	if rec.Code != 404 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "text/xml" || rec.Header().Get("x-amzn-RequestId") != "rid-1" {
		t.Fatalf("got %d %v\n%s", rec.Code, rec.Header(), rec.Body.String())
	}
	// A non-AWS error becomes InternalFailure and its text is not rendered.
	rec = httptest.NewRecorder()
	_ = svc.WriteError(rec, "rid-2", cause)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "db row") || !strings.Contains(rec.Body.String(), "<Type>Receiver</Type><Code>InternalFailure</Code>") {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

func TestParseAndResolve(t *testing.T) {
	svc := stscodec.Service()
	post := func(body, ct string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name    string
		req     *http.Request
		notQ    bool
		code    string
		msg     string
		op      string
		errBody string
	}{
		{name: "post", req: post("Action=GetCallerIdentity&Version=2011-06-15", form), op: "GetCallerIdentity"},
		{name: "charset", req: post("Action=GetCallerIdentity&Version=2011-06-15", form+"; charset=utf-8"), op: "GetCallerIdentity"},
		{name: "get", req: httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", nil), op: "GetCallerIdentity"},
		{name: "duplicate action first wins", req: post("Action=GetCallerIdentity&Action=Nope&Version=2011-06-15", form), op: "GetCallerIdentity"},
		{name: "no content type", req: post("Action=GetCallerIdentity&Version=2011-06-15", ""), notQ: true},
		{name: "missing action", req: post("Version=2011-06-15", form), notQ: true},
		{name: "unknown action", req: post("Action=NoSuchAction&Version=2011-06-15", form), code: "InvalidAction", msg: "Could not find operation NoSuchAction for version 2011-06-15"},
		{name: "missing version", req: post("Action=GetCallerIdentity", form), code: "InvalidAction", msg: "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED"},
		{name: "other version", req: post("Action=GetCallerIdentity&Version=2000-01-01", form), code: "InvalidAction", msg: "Could not find operation GetCallerIdentity for version 2000-01-01"},
		{name: "bad escape", req: post("Action=GetCallerIdentity&Version=%zz", form), code: "MalformedQueryString"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := query.ParseRequest(tt.req, 0)
			var op query.Operation
			if err == nil {
				op, err = svc.Resolve(req)
			}
			switch {
			case tt.notQ:
				if !errors.Is(err, query.ErrNotQuery) {
					t.Fatalf("got %v, want ErrNotQuery", err)
				}
			case tt.code != "":
				ae, ok := awserr.As(err)
				if !ok || ae.Code != tt.code || (tt.msg != "" && ae.Message != tt.msg) {
					t.Fatalf("got %v", err)
				}
				if tt.code == "InvalidAction" {
					body := string(svc.MarshalError("r", err))
					if !strings.HasPrefix(body, `<ErrorResponse xmlns="`+query.FaultNamespace+`"><Error><Type>Sender</Type><Code>InvalidAction</Code>`) {
						t.Fatalf("envelope %s", body)
					}
				}
			default:
				if err != nil || op.Name != tt.op {
					t.Fatalf("got %v %q", err, op.Name)
				}
			}
		})
	}
	big := post("Action=GetCallerIdentity&Version=2011-06-15&X="+strings.Repeat("a", 100), form)
	if _, err := query.ParseRequest(big, 50); err == nil {
		t.Fatal("want an error for an oversized body")
	}
}

func TestDecodeNoInputOperation(t *testing.T) {
	op, ok := stscodec.LookupOperation("GetCallerIdentity")
	if !ok {
		t.Fatal("GetCallerIdentity missing")
	}
	in, err := stscodec.Service().Decode(op, &query.Request{Params: url.Values{"Anything": {"x"}}})
	if err != nil || in == nil {
		t.Fatalf("got %v %v", in, err)
	}
}
