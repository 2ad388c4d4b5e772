package jsondecode_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/protocol/awsjson"
	"github.com/gatehouse-iam/gatehouse/protocol/constraint"
	"github.com/gatehouse-iam/gatehouse/protocol/jsondecode"
	"github.com/gatehouse-iam/gatehouse/protocol/restjson"
)

// probe is an input with one member of every kind and constraint, decoded
// as generated code decodes.
type probe struct {
	Name   string
	Kind   string
	Secret string
	Count  int32
	At     time.Time
	Data   []byte
	Tags   []string
	Labels map[string]string
	Inner  *probe
}

var (
	patLower  = constraint.MustPattern("[a-z]+", "[a-z]+")
	nameRule  = jsondecode.StringRule{Min: 2, Max: 5, Pattern: patLower}
	kindRule  = jsondecode.StringRule{Enum: []string{"A", "B"}}
	secret    = jsondecode.StringRule{Max: 3, Pattern: patLower, Sensitive: true}
	countRule = jsondecode.IntRule{Min: 1, HasMin: true, Max: 10, HasMax: true}
	shortRule = jsondecode.StringRule{Max: 3}
)

// decodeProbe is probe's decoder, as the generator writes them.
func decodeProbe(d *jsondecode.Decoder, obj jsondecode.Object, v *probe) {
	if x, ok := d.String(obj, "Name", nameRule, true); ok {
		v.Name = x
	}
	if x, ok := d.String(obj, "Kind", kindRule, false); ok {
		v.Kind = x
	}
	if x, ok := d.String(obj, "Secret", secret, false); ok {
		v.Secret = x
	}
	if x, ok := d.Int(obj, "Count", countRule, false); ok {
		v.Count = x
	}
	if x, ok := d.Time(obj, "At", false); ok {
		v.At = x
	}
	if x, ok := d.Blob(obj, "Data", jsondecode.ListRule{Max: 2}, false); ok {
		v.Data = x
	}
	short := func(d *jsondecode.Decoder, v any, name string) string {
		x, _ := d.StringValue(v, name, shortRule)
		return x
	}
	if x, ok := jsondecode.DecodeList(d, obj, "Tags", jsondecode.ListRule{Min: 1, Max: 2, Scalar: true}, false, short); ok {
		v.Tags = x
	}
	if x, ok := jsondecode.DecodeMap(d, obj, "Labels", jsondecode.ListRule{Max: 2}, false, short, short); ok {
		v.Labels = x
	}
	if x, ok := jsondecode.DecodeStruct(d, obj, "Inner", false, decodeProbe); ok {
		v.Inner = x
	}
}

// decodeAny is the type switch a generated codec has: probe is the one
// input.
func decodeAny(d *jsondecode.Decoder, obj jsondecode.Object, in any) bool {
	p, ok := in.(*probe)
	if ok {
		decodeProbe(d, obj, p)
	}
	return ok
}

// clientError returns err, nil or an *awserr.Error of the client's (400).
func clientError(t *testing.T, body string, err error) *awserr.Error {
	t.Helper()
	if err == nil {
		return nil
	}
	ae, ok := awserr.As(err)
	if !ok {
		t.Fatalf("%s: %v is not an *awserr.Error", body, err)
	}
	if ae.Status != 400 || !ae.Sender {
		t.Errorf("%s: status %d, sender %v", body, ae.Status, ae.Sender)
	}
	return ae
}

// json11 renders what AWS JSON 1.1 (Organizations) reports for body: the
// code, and the Reason and internal cause of InvalidInputException or the
// message of any other error.
func json11(t *testing.T, body string) string {
	t.Helper()
	err := awsjson.Decode([]byte(body), new(probe), decodeAny)
	ae := clientError(t, body, err)
	if ae == nil {
		return ""
	}
	if ae.Code != "InvalidInputException" {
		return ae.Code + ": " + ae.Message
	}
	if want := awsjson.InvalidInput(ae.Members["Reason"].(string)).Message; ae.Message != want {
		t.Errorf("%s: message %q, want %q", body, ae.Message, want)
	}
	return ae.Code + " " + ae.Members["Reason"].(string) + " (" + ae.Err.Error() + ")"
}

// restJSON renders what REST-JSON (Access Analyzer) reports for body: the
// fieldList of ValidationException, each entry's message (whose path is its
// name), or the code and message of any other error.
func restJSON(t *testing.T, body string) []string {
	t.Helper()
	op := restjson.Operation{Name: "Probe", NewInput: func() any { return new(probe) }}
	_, err := (&restjson.Service{DecodeInput: decodeAny}).Decode(&restjson.Request{Op: op, Body: []byte(body)})
	ae := clientError(t, body, err)
	if ae == nil {
		return nil
	}
	if ae.Code != "ValidationException" {
		return []string{ae.Code + ": " + ae.Message}
	}
	fields, _ := ae.Members["fieldList"].([]awserr.Field)
	var out []string
	for _, f := range fields {
		if !strings.Contains(f.Message, " at '"+f.Name+"' ") {
			t.Errorf("%s: field %q, message %q", body, f.Name, f.Message)
		}
		out = append(out, f.Message)
	}
	if want := awserr.FieldValidation(fields...).Message; ae.Message != want {
		t.Errorf("%s: message %q, want %q", body, ae.Message, want)
	}
	return out
}

// TestPolicies pins the two reporting policies on the shared decoder: AWS
// JSON 1.1 reports the first failure of the document (a string's pattern
// before its length and enumeration) as InvalidInputException with its
// Reason; REST-JSON lists every constraint failure, one per value (a
// string's pattern after its length and enumeration), unless a value has
// the wrong JSON type, whose first SerializationException wins.
func TestPolicies(t *testing.T) {
	const fail = "failed to satisfy constraint: Member must"
	for _, tc := range []struct {
		name, body string
		json11     string
		rest       []string
	}{
		{"valid", `{"Name":"ab","Kind":"A","Secret":"x","Count":1,"At":1,"Data":"AAA=","Tags":["a"],"Labels":{"k":"v"},"Inner":{"Name":"cd"},"Other":[1]}`, "", nil},
		{"empty body", ``, "InvalidInputException INPUT_REQUIRED (member Name: missing)",
			[]string{"Value null at 'Name' " + fail + " not be null"}},
		{"null is absent", `{"Name":null}`, "InvalidInputException INPUT_REQUIRED (member Name: missing)",
			[]string{"Value null at 'Name' " + fail + " not be null"}},
		{"pattern and length", `{"Name":"ABCDEF"}`, "InvalidInputException INVALID_PATTERN (member Name: pattern [a-z]+)",
			[]string{"Value 'ABCDEF' at 'Name' " + fail + " have length less than or equal to 5"}},
		{"short", `{"Name":"a"}`, "InvalidInputException MIN_LENGTH_EXCEEDED (member Name: length 1)",
			[]string{"Value 'a' at 'Name' " + fail + " have length greater than or equal to 2"}},
		{"length in characters", `{"Name":"ééé"}`, "InvalidInputException INVALID_PATTERN (member Name: pattern [a-z]+)",
			[]string{"Value 'ééé' at 'Name' " + fail + " satisfy regular expression pattern: [a-z]+"}},
		{"enum", `{"Name":"ab","Kind":"C"}`, "InvalidInputException INVALID_ENUM (member Kind: not in the enumeration)",
			[]string{"Value 'C' at 'Kind' " + fail + " satisfy enum value set: [A, B]"}},
		{"sensitive", `{"Name":"ab","Secret":"ABCD"}`, "InvalidInputException INVALID_PATTERN (member Secret: pattern [a-z]+)",
			[]string{"Value at 'Secret' " + fail + " have length less than or equal to 3"}},
		{"range", `{"Name":"ab","Count":11}`, "InvalidInputException MAX_VALUE_EXCEEDED (member Count: value 11)",
			[]string{"Value '11' at 'Count' " + fail + " have value less than or equal to 10"}},
		{"range below", `{"Name":"ab","Count":-0}`, "InvalidInputException MIN_VALUE_EXCEEDED (member Count: value -0)",
			[]string{"Value '0' at 'Count' " + fail + " have value greater than or equal to 1"}},
		{"blob size", `{"Name":"ab","Data":"AAAA"}`, "InvalidInputException MAX_LENGTH_EXCEEDED (member Data: size 3)",
			[]string{"Value null at 'Data' " + fail + " have length less than or equal to 2"}},
		{"list size and null element", `{"Name":"ab","Tags":[null]}`, "InvalidInputException INVALID_LIST_MEMBER (member Tags.0: null element)",
			[]string{"Value null at 'Tags.0' " + fail + " not be null", "Value null at 'Tags' " + fail + " have length greater than or equal to 1"}},
		{"list elements", `{"Name":"ab","Tags":["abcd","x","wxyz"]}`, "InvalidInputException MAX_LENGTH_EXCEEDED (member Tags.0: length 4)",
			[]string{"Value 'abcd' at 'Tags.0' " + fail + " have length less than or equal to 3",
				"Value 'wxyz' at 'Tags.2' " + fail + " have length less than or equal to 3",
				"Value null at 'Tags' " + fail + " have length less than or equal to 2"}},
		{"map in key order", `{"Name":"ab","Labels":{"zzzz":"v","k":"long","aaaa":null}}`, "InvalidInputException MAX_LENGTH_EXCEEDED (member Labels.k: length 4)",
			[]string{"Value 'long' at 'Labels.k' " + fail + " have length less than or equal to 3",
				"Value 'zzzz' at 'Labels.zzzz' " + fail + " have length less than or equal to 3"}},
		{"nested", `{"Name":"ab","Inner":{"Kind":"Z"}}`, "InvalidInputException INPUT_REQUIRED (member Inner.Name: missing)",
			[]string{"Value null at 'Inner.Name' " + fail + " not be null", "Value 'Z' at 'Inner.Kind' " + fail + " satisfy enum value set: [A, B]"}},
		{"all in document order", `{"Kind":"C","Count":0}`, "InvalidInputException INPUT_REQUIRED (member Name: missing)",
			[]string{"Value null at 'Name' " + fail + " not be null", "Value 'C' at 'Kind' " + fail + " satisfy enum value set: [A, B]",
				"Value '0' at 'Count' " + fail + " have value greater than or equal to 1"}},
		{"wrong type", `{"Name":"ab","Count":"1"}`, "SerializationException: Expected a number for member Count, got a string.",
			[]string{"SerializationException: Expected a number for member Count, got a string."}},
		{"not an integer", `{"Name":"ab","Count":1.5}`, "SerializationException: Expected an integer for member Count, got a number.",
			[]string{"SerializationException: Expected an integer for member Count, got a number."}},
		{"constraint first", `{"Kind":"C","Count":true,"Data":1}`, "InvalidInputException INPUT_REQUIRED (member Name: missing)",
			[]string{"SerializationException: Expected a number for member Count, got a boolean."}},
		{"serialization first", `{"Name":7,"Kind":"C"}`, "SerializationException: Expected a string for member Name, got a number.",
			[]string{"SerializationException: Expected a string for member Name, got a number."}},
		{"nested wrong type", `{"Name":"ab","Inner":{"Name":"ab","Tags":{}}}`, "SerializationException: Expected an array for member Inner.Tags, got an object.",
			[]string{"SerializationException: Expected an array for member Inner.Tags, got an object."}},
		{"bad base64", `{"Name":"ab","Data":"%%"}`, "SerializationException: Expected a base64 string for member Data, got a string.",
			[]string{"SerializationException: Expected a base64 string for member Data, got a string."}},
		{"epoch overflow", `{"Name":"ab","At":1e309}`, "SerializationException: Expected a number of epoch seconds for member At, got a number.",
			[]string{"SerializationException: Expected a timestamp for member At, got a number."}},
		{"ISO 8601", `{"Name":"ab","At":"2026-03-04T05:06:07Z"}`, "SerializationException: Expected a number of epoch seconds for member At, got a string.", nil},
		{"bad ISO 8601", `{"Name":"ab","At":"yesterday"}`, "SerializationException: Expected a number of epoch seconds for member At, got a string.",
			[]string{"SerializationException: Expected an ISO 8601 timestamp for member At, got a string."}},
		{"not an object", `[1]`, "SerializationException: The request body must be a JSON object.",
			[]string{"SerializationException: The request body must be a JSON object."}},
		{"not JSON", `{"Name":`, "SerializationException: The request body is not a valid JSON document.",
			[]string{"SerializationException: The request body is not a valid JSON document."}},
		{"trailing document", `{} {}`, "SerializationException: The request body is not a valid JSON document.",
			[]string{"SerializationException: The request body is not a valid JSON document."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := json11(t, tc.body); got != tc.json11 {
				t.Errorf("JSON 1.1\n got %s\nwant %s", got, tc.json11)
			}
			if got := restJSON(t, tc.body); !slices.Equal(got, tc.rest) {
				t.Errorf("REST-JSON\n got %q\nwant %q", got, tc.rest)
			}
		})
	}
}

// TestDecodedValues checks what both protocols decode from a valid
// document: null map values and unknown members are skipped, timestamps are
// UTC with milliseconds.
func TestDecodedValues(t *testing.T) {
	body := `{"Name":"ab","Kind":"B","Count":10,"At":1481830215.1234,"Data":"AAA=","Tags":["a","b"],"Labels":{"k":"v","n":null},"Inner":{"Name":"cd"},"X":{}}`
	var json11 probe
	if err := awsjson.Decode([]byte(body), &json11, decodeAny); err != nil {
		t.Fatal(err)
	}
	op := restjson.Operation{Name: "Probe", NewInput: func() any { return new(probe) }}
	in, err := (&restjson.Service{DecodeInput: decodeAny}).Decode(&restjson.Request{Op: op, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*probe{&json11, in.(*probe)} {
		if p.Name != "ab" || p.Kind != "B" || p.Count != 10 || !p.At.Equal(time.Unix(1481830215, 123e6)) || p.At.Location() != time.UTC ||
			len(p.Data) != 2 || !slices.Equal(p.Tags, []string{"a", "b"}) || len(p.Labels) != 1 || p.Labels["k"] != "v" || p.Inner == nil || p.Inner.Name != "cd" {
			t.Errorf("decoded %+v", p)
		}
	}
}
