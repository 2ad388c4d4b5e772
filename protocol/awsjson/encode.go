package awsjson

import "github.com/gatehouse-iam/gatehouse/protocol/jsonwire"

// Encoder writes a JSON document (see jsonwire.Encoder); AWS JSON 1.1 writes
// timestamps in epoch seconds (Time).
type Encoder = jsonwire.Encoder

// EncodeList writes the list member name (see jsonwire.EncodeList).
func EncodeList[T any](e *Encoder, name string, list []T, required bool, elem func(*Encoder, *T)) {
	jsonwire.EncodeList(e, name, list, required, elem)
}

// EncodeListValue writes a list value (an element of a list of lists).
func EncodeListValue[T any](e *Encoder, list []T, elem func(*Encoder, *T)) {
	jsonwire.EncodeListValue(e, list, elem)
}

// EncodeMapValue writes a map value (an element of a list of maps), keys in
// sorted order.
func EncodeMapValue[K ~string, V any](e *Encoder, m map[K]V, elem func(*Encoder, *V)) {
	jsonwire.EncodeMapValue(e, m, elem)
}

// EncodeMap writes the map member name, keys in sorted order.
func EncodeMap[K ~string, V any](e *Encoder, name string, m map[K]V, required bool, elem func(*Encoder, *V)) {
	jsonwire.EncodeMap(e, name, m, required, elem)
}
