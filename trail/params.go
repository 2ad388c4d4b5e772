package trail

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Hidden is the value CloudTrail records in place of a sensitive value that
// is not a credential (an account's e-mail address or name): the key stays,
// the value does not.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// timeLayout is how CloudTrail writes timestamps inside requestParameters
// and responseElements ("expiration": "Jul 18, 2023, 4:07:39 PM", IAM User
// Guide, cloudtrail-integration.md).
const timeLayout = "Jan 2, 2006, 3:04:05 PM"

// secrets are the members that are credentials: they never appear in a
// record, not even as Hidden. The models mark most of them sensitive; the
// session token, one-time MFA codes and workload tokens are not marked but
// are credentials all the same (AWS records session tokens; Gatehouse does
// not: a trail must not hand out working credentials).
var secrets = map[string]bool{
	"Password": true, "OldPassword": true, "NewPassword": true,
	"SecretAccessKey": true, "SessionToken": true,
	"ServicePassword": true, "ServiceCredentialSecret": true,
	"PrivateKey": true, "AddPrivateKey": true,
	"Base32StringSeed": true, "QRCodePNG": true,
	"AuthenticationCode1": true, "AuthenticationCode2": true, "TokenCode": true,
	"SAMLAssertion": true, "WebIdentityToken": true, "TradeInToken": true,
	"SSECustomerKey": true, "CopySourceSSECustomerKey": true,
	"Token": true, "WorkloadToken": true, "ContextAssertion": true,
}

// Redaction says which members of which Go types are sensitive: by package
// path, then type name, the member names (each api package's
// SensitiveMembers). A sensitive member that is a credential is left out;
// any other is recorded as Hidden.
type Redaction map[string]map[string][]string

// Add registers the sensitive members of the Go package that holds sample
// (a value of any of its types).
func (r Redaction) Add(sample any, members map[string][]string) {
	r[reflect.TypeOf(sample).PkgPath()] = members
}

func (r Redaction) sensitive(t reflect.Type, field string) bool {
	for _, f := range r[t.PkgPath()][t.Name()] {
		if f == field {
			return true
		}
	}
	return false
}

// maxDepth bounds the nesting params follows (the generated shapes are
// far shallower; a cycle cannot be followed forever).
const maxDepth = 16

// Params renders a request's input or a response's output as CloudTrail
// does in requestParameters and responseElements: an object whose keys are
// the members' names with a lower-case first letter, omitting members that
// are not set, timestamps in CloudTrail's layout, credentials left out and
// other sensitive values Hidden. It returns nil (JSON null) for a value with
// nothing to record.
func (r Redaction) Params(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	x, ok := r.value(reflect.ValueOf(v), 0)
	if !ok {
		return nil
	}
	if m, isMap := x.(map[string]any); isMap && len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil
	}
	return b
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	readerType = reflect.TypeFor[io.Reader]()
)

// value converts v to what encoding/json writes as CloudTrail writes it;
// ok is false when v is not set (or not recordable: streams, functions).
func (r Redaction) value(v reflect.Value, depth int) (any, bool) {
	if depth > maxDepth || !v.IsValid() {
		return nil, false
	}
	if v.Type().Implements(readerType) && v.Kind() != reflect.Struct {
		return nil, false // a streamed body
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return r.value(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return nil, false
			}
			return t.UTC().Format(timeLayout), true
		}
		return r.object(v, depth), true
	case reflect.String:
		if v.Len() == 0 {
			return nil, false
		}
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() == 0 {
				return nil, false
			}
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
		out := make([]any, 0, v.Len())
		for i := range v.Len() {
			if x, ok := r.value(v.Index(i), depth+1); ok {
				out = append(out, x)
			}
		}
		return out, true
	case reflect.Map:
		if v.IsNil() || v.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			if x, ok := r.value(it.Value(), depth+1); ok {
				out[it.Key().String()] = x
			}
		}
		return out, true
	}
	return nil, false
}

// object renders a structure's set members.
func (r Redaction) object(v reflect.Value, depth int) map[string]any {
	t := v.Type()
	out := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if secrets[f.Name] || f.Tag.Get("json") == "-" {
			continue
		}
		x, ok := r.value(v.Field(i), depth+1)
		if !ok {
			continue
		}
		if r.sensitive(t, f.Name) {
			x = Hidden
		}
		out[memberName(f)] = x
	}
	return out
}

// memberName is a member's name in a record: its JSON name when the Go
// type gives one, else the field's name with a lower-case first letter
// (RoleArn → roleArn), as CloudTrail writes the members of AWS's APIs.
func memberName(f reflect.StructField) string {
	if tag, ok := f.Tag.Lookup("json"); ok {
		if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
			return name
		}
	}
	r, n := utf8.DecodeRuneInString(f.Name)
	return string(unicode.ToLower(r)) + f.Name[n:]
}
