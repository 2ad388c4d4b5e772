package restjson

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
)

// Object is a decoded JSON object (numbers are json.Number).
type Object = map[string]any

// Input is implemented by the generated input types: DecodeJSON reads the
// members of obj.
type Input interface {
	DecodeJSON(d *Decoder, obj Object)
}

// The constraint types are those of the AWS JSON runtime: a model's
// constraints do not depend on the protocol.
type (
	// Pattern is a model `pattern` constraint (see awsjson.Pattern).
	Pattern = awsjson.Pattern
	// StringRule holds a string shape's constraints.
	StringRule = awsjson.StringRule
	// IntRule holds an integer shape's range constraints.
	IntRule = awsjson.IntRule
	// ListRule holds a list, map or blob shape's size constraints.
	ListRule = awsjson.ListRule
)

// MustPattern compiles a pattern; it panics if re2 does not compile, so it
// is meant for generated package-level variables.
func MustPattern(source, re2 string, forbid ...string) *Pattern {
	return awsjson.MustPattern(source, re2, forbid...)
}

// FieldError is one entry of ValidationException's fieldList.
type FieldError = awserr.Field

// Validation returns Access Analyzer's ValidationException (reason
// fieldValidationFailed) for the given field failures, with AWS's
// "N validation error(s) detected: ..." message.
func Validation(fields ...FieldError) *awserr.Error { return awserr.FieldValidation(fields...) }

// Decoder reads a JSON document into generated input types, collecting every
// constraint failure (as AWS lists them all) but only the first
// SerializationException. It is used once per request.
type Decoder struct {
	fields []FieldError
	serial error
	// path is the member path of the value being decoded.
	path []string
}

// Err returns the decoding error, if any: SerializationException first,
// else ValidationException listing the failed constraints.
func (d *Decoder) Err() error {
	if d.serial != nil {
		return d.serial
	}
	if len(d.fields) > 0 {
		return Validation(d.fields...)
	}
	return nil
}

func (d *Decoder) where(name string) string {
	return strings.Join(append(slices.Clone(d.path), name), ".")
}

// invalid records a constraint failure of the value v (nil for a missing
// member) of member name.
func (d *Decoder) invalid(name string, v any, sensitive bool, constraint string) {
	at := d.where(name)
	var value string
	switch {
	case v == nil:
		value = "Value null"
	case sensitive:
		value = "Value"
	default:
		value = fmt.Sprintf("Value '%v'", v)
	}
	d.fields = append(d.fields, FieldError{Name: at,
		Message: fmt.Sprintf("%s at '%s' failed to satisfy constraint: %s", value, at, constraint)})
}

func (d *Decoder) serialization(name, want string, v any) {
	if d.serial != nil {
		return
	}
	d.serial = serialization(fmt.Sprintf("Expected %s for member %s, got %s.", want, d.where(name), jsonType(v)))
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case Object:
		return "an object"
	}
	return "null"
}

// member returns obj[name] unless it is absent or null; a missing required
// member is recorded.
func (d *Decoder) member(obj Object, name string, required bool) (any, bool) {
	v, ok := obj[name]
	if !ok || v == nil {
		if required {
			d.invalid(name, nil, false, "Member must not be null")
		}
		return nil, false
	}
	return v, true
}

// String decodes the string member name of obj and checks r.
func (d *Decoder) String(obj Object, name string, r StringRule, required bool) (string, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return "", false
	}
	return d.StringValue(v, name, r)
}

// StringValue decodes a string value (a member or a list element named name).
func (d *Decoder) StringValue(v any, name string, r StringRule) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.serialization(name, "a string", v)
		return "", false
	}
	n := utf8.RuneCountInString(s)
	switch {
	case r.Min > 0 && n < r.Min:
		d.invalid(name, s, r.Sensitive, fmt.Sprintf("Member must have length greater than or equal to %d", r.Min))
	case r.Max > 0 && n > r.Max:
		d.invalid(name, s, r.Sensitive, fmt.Sprintf("Member must have length less than or equal to %d", r.Max))
	case len(r.Enum) > 0 && !slices.Contains(r.Enum, s):
		d.invalid(name, s, r.Sensitive, "Member must satisfy enum value set: ["+strings.Join(r.Enum, ", ")+"]")
	case r.Pattern != nil && !r.Pattern.Match(s):
		d.invalid(name, s, r.Sensitive, "Member must satisfy regular expression pattern: "+r.Pattern.Source())
	}
	return s, true
}

// Int decodes the integer member name of obj and checks r.
func (d *Decoder) Int(obj Object, name string, r IntRule, required bool) (int32, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return 0, false
	}
	return d.IntValue(v, name, r)
}

// IntValue decodes an integer value.
func (d *Decoder) IntValue(v any, name string, r IntRule) (int32, bool) {
	num, ok := v.(json.Number)
	if !ok {
		d.serialization(name, "a number", v)
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 32)
	if err != nil {
		d.serialization(name, "an integer", v)
		return 0, false
	}
	switch {
	case r.HasMin && n < r.Min:
		d.invalid(name, n, false, fmt.Sprintf("Member must have value greater than or equal to %d", r.Min))
	case r.HasMax && n > r.Max:
		d.invalid(name, n, false, fmt.Sprintf("Member must have value less than or equal to %d", r.Max))
	}
	return int32(n), true
}

// Bool decodes the boolean member name of obj.
func (d *Decoder) Bool(obj Object, name string, required bool) (bool, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return false, false
	}
	return d.BoolValue(v, name)
}

// BoolValue decodes a boolean value.
func (d *Decoder) BoolValue(v any, name string) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		d.serialization(name, "a boolean", v)
	}
	return b, ok
}

// Time decodes the timestamp member name of obj.
func (d *Decoder) Time(obj Object, name string, required bool) (time.Time, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return time.Time{}, false
	}
	return d.TimeValue(v, name)
}

// TimeValue decodes a timestamp value: an ISO 8601 string (the format of
// Access Analyzer's timestamp shape) or a number of epoch seconds (the
// protocol's default).
func (d *Decoder) TimeValue(v any, name string) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			d.serialization(name, "an ISO 8601 timestamp", v)
			return time.Time{}, false
		}
		return t.UTC(), true
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			break
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC(), true
	}
	d.serialization(name, "a timestamp", v)
	return time.Time{}, false
}

// Blob decodes the base64 blob member name of obj.
func (d *Decoder) Blob(obj Object, name string, r ListRule, required bool) ([]byte, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return d.BlobValue(v, name, r)
}

// BlobValue decodes a base64 blob value.
func (d *Decoder) BlobValue(v any, name string, r ListRule) ([]byte, bool) {
	s, ok := v.(string)
	if !ok {
		d.serialization(name, "a base64 string", v)
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.serialization(name, "a base64 string", v)
		return nil, false
	}
	d.checkSize(name, len(b), r)
	return b, true
}

func (d *Decoder) checkSize(name string, n int, r ListRule) {
	switch {
	case r.Min > 0 && n < r.Min:
		d.invalid(name, nil, true, fmt.Sprintf("Member must have length greater than or equal to %d", r.Min))
	case r.Max > 0 && n > r.Max:
		d.invalid(name, nil, true, fmt.Sprintf("Member must have length less than or equal to %d", r.Max))
	}
}

// DecodeList decodes the list member name of obj, each element with elem,
// and checks r. It returns a non-nil slice when the list was sent.
func DecodeList[T any](d *Decoder, obj Object, name string, r ListRule, required bool, elem func(d *Decoder, v any, name string) T) ([]T, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeListValue(d, v, name, r, elem)
}

// DecodeListValue decodes a list value.
func DecodeListValue[T any](d *Decoder, v any, name string, r ListRule, elem func(d *Decoder, v any, name string) T) ([]T, bool) {
	arr, ok := v.([]any)
	if !ok {
		d.serialization(name, "an array", v)
		return nil, false
	}
	out := make([]T, 0, len(arr))
	d.path = append(d.path, name)
	for i, x := range arr {
		if x == nil {
			d.invalid(strconv.Itoa(i), nil, false, "Member must not be null")
			continue
		}
		out = append(out, elem(d, x, strconv.Itoa(i)))
	}
	d.path = d.path[:len(d.path)-1]
	d.checkSize(name, len(out), r)
	return out, true
}

// DecodeMap decodes the map member name of obj.
func DecodeMap[K ~string, V any](d *Decoder, obj Object, name string, r ListRule, required bool, key func(d *Decoder, v any, name string) K, val func(d *Decoder, v any, name string) V) (map[K]V, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeMapValue(d, v, name, r, key, val)
}

// DecodeMapValue decodes a map value.
func DecodeMapValue[K ~string, V any](d *Decoder, v any, name string, r ListRule, key func(d *Decoder, v any, name string) K, val func(d *Decoder, v any, name string) V) (map[K]V, bool) {
	m, ok := v.(Object)
	if !ok {
		d.serialization(name, "an object", v)
		return nil, false
	}
	out := make(map[K]V, len(m))
	d.path = append(d.path, name)
	for _, mk := range slices.Sorted(mapKeys(m)) {
		mv := m[mk]
		if mv == nil {
			continue
		}
		out[key(d, mk, mk)] = val(d, mv, mk)
	}
	d.path = d.path[:len(d.path)-1]
	d.checkSize(name, len(out), r)
	return out, true
}

func mapKeys(m Object) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// DecodeStruct decodes the structure member name of obj into a new *T.
func DecodeStruct[T any, PT interface {
	*T
	Input
}](d *Decoder, obj Object, name string, required bool) (*T, bool) {
	v, ok := d.member(obj, name, required)
	if !ok {
		return nil, false
	}
	return DecodeStructValue[T, PT](d, v, name)
}

// DecodeStructValue decodes a structure value into a new *T.
func DecodeStructValue[T any, PT interface {
	*T
	Input
}](d *Decoder, v any, name string) (*T, bool) {
	m, ok := v.(Object)
	if !ok {
		d.serialization(name, "an object", v)
		return nil, false
	}
	out := new(T)
	d.path = append(d.path, name)
	PT(out).DecodeJSON(d, m)
	d.path = d.path[:len(d.path)-1]
	return out, true
}
