package validate

import (
	"encoding/json"
	"strings"
)

// jsonNode is a JSON value with its byte span in the document, for locating
// findings. Only documents that encoding/json accepts are indexed.
type jsonNode struct {
	kind       byte // '{', '[', 's' (string), 'o' (other scalar)
	str        string
	start, end int
	arr        []*jsonNode
	obj        []jsonMember
}

type jsonMember struct {
	key              string
	keyStart, keyEnd int
	val              *jsonNode
}

// member returns the value of the member named key (exact match).
func (n *jsonNode) member(key string) (*jsonMember, bool) {
	if n == nil || n.kind != '{' {
		return nil, false
	}
	for i := range n.obj {
		if n.obj[i].key == key {
			return &n.obj[i], true
		}
	}
	return nil, false
}

// index parses doc into a tree of nodes with spans; nil when doc is not JSON.
func index(doc string) *jsonNode {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	n, ok := indexValue(dec, doc, 0)
	if !ok {
		return nil
	}
	return n
}

func skipSpace(doc string, i int) int {
	for i < len(doc) && strings.IndexByte(" \t\r\n,:", doc[i]) >= 0 {
		i++
	}
	return i
}

func indexValue(dec *json.Decoder, doc string, depth int) (*jsonNode, bool) {
	if depth > 64 {
		return nil, false
	}
	before := int(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return nil, false
	}
	n := &jsonNode{start: skipSpace(doc, before)}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = '{'
			for dec.More() {
				kb := int(dec.InputOffset())
				kt, err := dec.Token()
				if err != nil {
					return nil, false
				}
				key, _ := kt.(string)
				m := jsonMember{key: key, keyStart: skipSpace(doc, kb), keyEnd: int(dec.InputOffset())}
				v, ok := indexValue(dec, doc, depth+1)
				if !ok {
					return nil, false
				}
				m.val = v
				n.obj = append(n.obj, m)
			}
		case '[':
			n.kind = '['
			for dec.More() {
				v, ok := indexValue(dec, doc, depth+1)
				if !ok {
					return nil, false
				}
				n.arr = append(n.arr, v)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, false
		}
	case string:
		n.kind, n.str = 's', t
	default:
		n.kind = 'o'
	}
	n.end = int(dec.InputOffset())
	return n, true
}

// locator builds Locations from paths through the indexed document.
type locator struct {
	root *jsonNode
}

// step is one step of a path request: a member's value (name), a member's key
// (keyOf), or an array element (idx). An idx step on a non-array value selects the
// value itself when the index is 0, because AWS accepts a single value where an
// array is allowed ("Action": "s3:GetObject").
type step struct {
	name  string
	idx   int
	isIdx bool
	isKey bool
}

func name(s string) step  { return step{name: s} }
func keyOf(s string) step { return step{name: s, isKey: true} }
func idx(i int) step      { return step{idx: i, isIdx: true} }

// at returns the location reached by following steps from the root. When a step
// cannot be followed the location stops at the last node reached.
func (l *locator) at(steps ...step) Location {
	loc := Location{Path: []PathElement{}}
	n := l.root
	if n == nil {
		return loc
	}
	loc.Span = Span{n.start, n.end}
	for _, s := range steps {
		switch {
		case s.isIdx:
			if n.kind == '[' {
				if s.idx >= len(n.arr) {
					return loc
				}
				n = n.arr[s.idx]
				loc.Path = append(loc.Path, PathElement{Kind: PathIndex, Index: s.idx})
			} else if s.idx != 0 {
				return loc
			}
		case s.isKey:
			m, ok := n.member(s.name)
			if !ok {
				return loc
			}
			loc.Path = append(loc.Path, PathElement{Kind: PathKey, Text: s.name})
			loc.Span = Span{m.keyStart, m.keyEnd}
			return loc
		default:
			m, ok := n.member(s.name)
			if !ok {
				return loc
			}
			n = m.val
			loc.Path = append(loc.Path, PathElement{Kind: PathValue, Text: s.name})
		}
		loc.Span = Span{n.start, n.end}
	}
	return loc
}

// around returns the location of the innermost value or key that contains the
// byte offset off.
func (l *locator) around(off int) Location {
	loc := Location{Path: []PathElement{}}
	n := l.root
	if n == nil {
		return Location{Path: []PathElement{}, Span: Span{off, off}}
	}
	loc.Span = Span{n.start, n.end}
	for {
		var next *jsonNode
		switch n.kind {
		case '{':
			for i := range n.obj {
				m := &n.obj[i]
				if off >= m.keyStart && off < m.keyEnd {
					loc.Path = append(loc.Path, PathElement{Kind: PathKey, Text: m.key})
					loc.Span = Span{m.keyStart, m.keyEnd}
					return loc
				}
				if off >= m.val.start && off < m.val.end {
					loc.Path = append(loc.Path, PathElement{Kind: PathValue, Text: m.key})
					next = m.val
					break
				}
			}
		case '[':
			for i, v := range n.arr {
				if off >= v.start && off < v.end {
					loc.Path = append(loc.Path, PathElement{Kind: PathIndex, Index: i})
					next = v
					break
				}
			}
		}
		if next == nil {
			return loc
		}
		n = next
		loc.Span = Span{n.start, n.end}
	}
}
