package restxml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Node is an element of a parsed XML request body: its local name (any
// namespace is accepted), attributes, text content and child elements.
type Node struct {
	Name     string
	Attrs    []xml.Attr
	Text     string
	Children []*Node
}

// Child returns the first child element named name, or nil (also on a nil
// node).
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns the child elements named name, in document order.
func (n *Node) ChildrenNamed(name string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Attr returns the attribute whose local name is name ("type" matches
// xsi:type).
func (n *Node) Attr(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	if _, local, ok := strings.Cut(name, ":"); ok {
		name = local
	}
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// maxElements bounds the elements of a request document, so that a small
// document cannot cost much memory: S3's largest (DeleteObjects' 1,000
// objects, a lifecycle configuration's 1,000 rules) have far fewer.
const maxElements = 50_000

// maxDepth bounds the nesting of a request document; S3's deepest schemas
// (lifecycle filters) are far shallower.
const maxDepth = 64

// errMalformed is a document that is not well-formed XML.
var errMalformed = errors.New("malformed XML")

// ParseXML parses one XML document of at most limit bytes from r. The error
// wraps errMalformed for a document that is not well-formed, or is
// errTooLarge past the limit.
func ParseXML(r io.Reader, limit int64) (*Node, error) {
	lr := &limitReader{r: r, n: limit}
	dec := xml.NewDecoder(lr)
	dec.Strict = true
	var stack []*Node
	var texts [][]byte // the text of each open element, set on its end
	var root *Node
	elements := 0
	for {
		tok, err := dec.Token()
		if lr.over {
			return nil, errTooLarge
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, fmt.Errorf("%w: more than one root element", errMalformed)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: too deep", errMalformed)
			}
			if elements++; elements > maxElements {
				return nil, fmt.Errorf("%w: too many elements", errMalformed)
			}
			n := &Node{Name: t.Name.Local, Attrs: t.Attr}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			}
			stack = append(stack, n)
			texts = append(texts, nil)
		case xml.EndElement:
			stack[len(stack)-1].Text = string(texts[len(texts)-1])
			stack, texts = stack[:len(stack)-1], texts[:len(texts)-1]
		case xml.CharData:
			if len(stack) > 0 {
				texts[len(texts)-1] = append(texts[len(texts)-1], t...)
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, fmt.Errorf("%w: text outside the root element", errMalformed)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: %w", errMalformed, errNoRoot)
	}
	return root, nil
}

// errNoRoot is an empty document (or whitespace, a declaration, comments).
var errNoRoot = errors.New("no root element")

// errTooLarge is a document past the size bound.
var errTooLarge = errors.New("XML document too large")

// limitReader reads at most n bytes and records an attempt to read more.
type limitReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}
