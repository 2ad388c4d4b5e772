package gen

import (
	"fmt"
	"strconv"
	"strings"
)

// GenerateJSONAPI returns the Go source of package pkg for a model of the
// AWS JSON protocol (Organizations): one type per structure and enum shape
// used by an operation, DecodeJSON methods (model constraints included) for
// the input side, EncodeJSON methods for the output side, and the operation
// table keyed by the X-Amz-Target operation name. The source is gofmt'd.
func GenerateJSONAPI(m *Model, pkg string) ([]byte, error) {
	g := newAPIGen(m, pkg)
	g.json = true
	if m.Metadata.Protocol == "json" && m.Metadata.TargetPrefix == "" {
		return nil, fmt.Errorf("model %s: no targetPrefix", m.Metadata.UID)
	}
	return g.generate(protocolGen{
		name: "json",
		checkShapes: func() error {
			for _, name := range sortedKeys(m.Shapes) {
				s := m.Shapes[name]
				if (g.inputs[name] || g.outputs[name]) && s.Type == "list" {
					if t := m.Shapes[s.Member.Shape].Type; t == "list" || t == "map" {
						return fmt.Errorf("shape %s: lists of %ss are not supported by the JSON codec", name, t)
					}
				}
			}
			return nil
		},
		consts: []constDecl{
			{"APIVersion", "the API version of the " + m.Metadata.ServiceID + " model", m.Metadata.APIVersion},
			{"TargetPrefix", "the X-Amz-Target prefix of " + m.Metadata.ServiceID + " operations", m.Metadata.TargetPrefix},
		},
		operations: g.jsonOperations,
	})
}

func (g *apiGen) jsonOperations() {
	md := g.m.Metadata
	g.p("// Service returns the %s service: signing name, target prefix and operation table.", md.ServiceID)
	g.p("func Service() *awsjson.Service {")
	g.p("return &awsjson.Service{Name: %q, TargetPrefix: TargetPrefix, Lookup: LookupOperation, MessageKey: %q}", md.EndpointPrefix, g.messageKey())
	g.p("}")
	g.p("")
	g.operationTable("name", func(n string, op *Operation) string {
		return fmt.Sprintf("Name: %q, Errors: %s, NewInput: %s", n, g.errorCodes(op), g.newInput(op))
	})
}

// jsonElemEncoder returns a func literal writing a value of shape name.
func (g *apiGen) jsonElemEncoder(name string) string {
	rt := g.rt()
	s := g.m.Shapes[name]
	head := "func(e *" + rt + ".Encoder, x *" + g.goType(name) + ") { "
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return head + "e.StringValue(string(*x)) }"
		}
		return head + "e.StringValue(*x) }"
	case "integer":
		return head + "e.IntValue(*x) }"
	case "boolean":
		return head + "e.BoolValue(*x) }"
	case "timestamp":
		if g.isoTime(name) {
			return head + "e.TimeISOValue(*x) }"
		}
		return head + "e.TimeValue(*x) }"
	case "blob":
		return head + "e.BlobValue(*x) }"
	case "structure":
		return head + "x.EncodeJSON(e) }"
	case "list":
		if g.rest {
			return head + rt + ".EncodeListValue(e, *x, " + g.jsonElemEncoder(s.Member.Shape) + ") }"
		}
	case "map":
		if g.rest {
			return head + rt + ".EncodeMapValue(e, *x, " + g.jsonElemEncoder(s.Value.Shape) + ") }"
		}
	}
	panic("unreachable: nested lists and maps rejected in GenerateJSONAPI")
}

func (g *apiGen) jsonEncoder(t string, s *Shape) {
	rt := g.rt()
	g.p("// EncodeJSON implements "+rt+".Output: it writes %s as a JSON object, omitting absent optional members.", t)
	g.p("func (v *%s) EncodeJSON(e *"+rt+".Encoder) {", t)
	g.p("e.Begin()")
	for _, mem := range s.Members {
		ms := g.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		f := "v." + goName(mem.Name)
		w := strconv.Quote(wireName(mem))
		val := f
		if !req && pointered(ms) {
			val = "*" + f
		}
		var stmt string
		switch ms.Type {
		case "string":
			if len(ms.Enum) > 0 {
				stmt = fmt.Sprintf("e.String(%s, string(%s))", w, val)
			} else {
				stmt = fmt.Sprintf("e.String(%s, %s)", w, val)
			}
		case "integer":
			stmt = fmt.Sprintf("e.Int(%s, %s)", w, val)
		case "boolean":
			stmt = fmt.Sprintf("e.Bool(%s, %s)", w, val)
		case "timestamp":
			if g.isoTime(mem.Shape) {
				stmt = fmt.Sprintf("e.TimeISO(%s, %s)", w, val)
			} else {
				stmt = fmt.Sprintf("e.Time(%s, %s)", w, val)
			}
		case "blob":
			stmt = fmt.Sprintf("e.Blob(%s, %s)", w, val)
		case "structure":
			stmt = fmt.Sprintf("e.Key(%s); %s.EncodeJSON(e)", w, f)
		case "list":
			g.p(rt+".EncodeList(e, %s, %s, %t, %s)", w, f, req, g.jsonElemEncoder(ms.Member.Shape))
			continue
		case "map":
			g.p(rt+".EncodeMap(e, %s, %s, %t, %s)", w, f, req, g.jsonElemEncoder(ms.Value.Shape))
			continue
		}
		if req {
			g.p("%s", stmt)
		} else {
			g.p("if %s != nil { %s }", f, stmt)
		}
	}
	g.p("e.End()")
	g.p("}")
	g.p("")
}

// messageKey is the name the model's exception shapes give their message
// member: "Message" when every exception that has one spells it so (as
// Organizations' do), else the protocol's usual "message".
func (g *apiGen) messageKey() string {
	key := ""
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if !s.Exception {
			continue
		}
		for _, m := range s.Members {
			if strings.EqualFold(m.Name, "message") {
				if key != "" && key != m.Name {
					return "message"
				}
				key = m.Name
			}
		}
	}
	if key == "" {
		return "message"
	}
	return key
}
