package saml

import (
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// XML namespaces of SAML 2.0 and XML signatures.
const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// maxDepth bounds the nesting of elements, so that a hostile document cannot
// make the walks below (or the library's) recurse without end.
const maxDepth = 64

// errDTD refuses documents with a document type declaration: SAML has no use
// for one, and entities are how XML parsers are attacked.
var errDTD = errors.New("saml: document type declarations are not allowed")

// parseXML reads a document strictly: well-formed UTF-8, no DTD, bounded
// depth, one root element.
func parseXML(b []byte) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{ValidateInput: true}
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, fmt.Errorf("saml: not an XML document: %w", err)
	}
	roots := 0
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Directive:
			return nil, errDTD
		case *etree.Element:
			roots++
		case *etree.CharData:
			if strings.TrimSpace(t.Data) != "" {
				return nil, errors.New("saml: text outside the root element")
			}
		}
	}
	root := doc.Root()
	if roots != 1 || root == nil {
		return nil, errors.New("saml: a document has one root element")
	}
	if depth(root, 0) > maxDepth {
		return nil, fmt.Errorf("saml: elements nested deeper than %d", maxDepth)
	}
	return root, nil
}

func depth(el *etree.Element, d int) int {
	if d > maxDepth {
		return d
	}
	m := d + 1
	for _, c := range el.ChildElements() {
		if n := depth(c, d+1); n > m {
			m = n
		}
	}
	return m
}

// is reports whether el is the element ns:tag.
func is(el *etree.Element, ns, tag string) bool {
	return el != nil && el.Tag == tag && el.NamespaceURI() == ns
}

// children returns the child elements of el that are ns:tag.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if is(c, ns, tag) {
			out = append(out, c)
		}
	}
	return out
}

// child returns the only child ns:tag of el, nil when there is none, and an
// error when there are several.
func child(el *etree.Element, ns, tag string) (*etree.Element, error) {
	cs := children(el, ns, tag)
	switch len(cs) {
	case 0:
		return nil, nil
	case 1:
		return cs[0], nil
	}
	return nil, fmt.Errorf("saml: more than one %s in %s", tag, el.Tag)
}

// text is the trimmed character data of el.
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}
