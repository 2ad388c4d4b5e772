package restjson

import "github.com/gatehouse-iam/gatehouse/protocol/jsonwire"

// ISO8601 is the layout of timestamps whose shape says iso8601.
const ISO8601 = jsonwire.ISO8601

// Encoder writes a JSON document (see jsonwire.Encoder).
type Encoder = jsonwire.Encoder

// EncodeList writes the list member name (see jsonwire.EncodeList).
func EncodeList[T any](e *Encoder, name string, list []T, required bool, elem func(*Encoder, *T)) {
	jsonwire.EncodeList(e, name, list, required, elem)
}

// EncodeListValue writes a list value.
func EncodeListValue[T any](e *Encoder, list []T, elem func(*Encoder, *T)) {
	jsonwire.EncodeListValue(e, list, elem)
}

// EncodeMap writes the map member name, keys in sorted order.
func EncodeMap[K ~string, V any](e *Encoder, name string, m map[K]V, required bool, elem func(*Encoder, *V)) {
	jsonwire.EncodeMap(e, name, m, required, elem)
}

// EncodeMapValue writes a map value, keys in sorted order.
func EncodeMapValue[K ~string, V any](e *Encoder, m map[K]V, elem func(*Encoder, *V)) {
	jsonwire.EncodeMapValue(e, m, elem)
}
