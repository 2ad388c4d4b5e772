package jsonwire_test

import (
	"math"
	"testing"

	"github.com/gatehouse-iam/gatehouse/protocol/jsonwire"
)

// Longs are written in full and doubles as the shortest JSON number that
// reads back; the values JSON cannot write as numbers are the strings the
// AWS JSON protocols use ("NaN", "Infinity", "-Infinity", as the Smithy
// specification of awsJson1_1 serializes them).
func TestLongAndFloat(t *testing.T) {
	var e jsonwire.Encoder
	e.Begin()
	e.Long("big", math.MaxInt64)
	e.Long("neg", -3)
	e.Float("f", 0.1)
	e.Float("g", 1e21)
	e.Float("nan", math.NaN())
	e.Float("inf", math.Inf(1))
	e.Float("ninf", math.Inf(-1))
	e.Key("list")
	jsonwire.EncodeListValue(&e, []float64{1.5, 2}, func(e *jsonwire.Encoder, f *float64) { e.FloatValue(*f) })
	e.End()
	want := `{"big":9223372036854775807,"neg":-3,"f":0.1,"g":1e+21,"nan":"NaN","inf":"Infinity","ninf":"-Infinity","list":[1.5,2]}`
	if got := string(e.Bytes()); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
