package gen

import (
	"fmt"
	"strings"
)

// GenerateRESTJSONAPI returns the Go sources of package pkg and of package
// codecPkg for a model of the REST-JSON protocol (IAM Access Analyzer): the
// shapes and codecs as for GenerateJSONAPI, calling the protocol/restjson
// runtime, and an operation table giving each operation's HTTP method,
// request URI template, success status and the bindings of its input
// members to the URI path, the query string and headers. Bound members are
// decoded by the same decoders as body members: the runtime places their
// values in the decoded object under their location names. Timestamps whose
// shape says iso8601 are written as ISO 8601 strings, others as epoch
// seconds (the protocol's default). The sources are gofmt'd.
func GenerateRESTJSONAPI(m *Model, pkg, codecPkg string) (*Files, error) {
	g := newAPIGen(m, pkg, codecPkg)
	g.json, g.rest = true, true
	return g.generate(protocolGen{
		name: "rest-json",
		checkOp: func(name string, op *Operation) error {
			if op.HTTP.Method == "" || !strings.HasPrefix(op.HTTP.RequestURI, "/") {
				return fmt.Errorf("operation %s: no HTTP method or request URI", name)
			}
			if op.Input != nil {
				if _, err := g.bindings(op.Input.Shape); err != nil {
					return fmt.Errorf("operation %s: %w", name, err)
				}
			}
			return nil
		},
		checkShapes: func() error {
			for _, name := range sortedKeys(m.Shapes) {
				s := m.Shapes[name]
				if !g.outputs[name] || s.Type != "structure" {
					continue
				}
				for _, mem := range s.Members {
					if mem.Location != "" {
						return fmt.Errorf("shape %s member %s: output members bound to %s are not supported", name, mem.Name, mem.Location)
					}
				}
			}
			return nil
		},
		consts:     []constDecl{{"APIVersion", "the API version of the " + m.Metadata.ServiceID + " model", m.Metadata.APIVersion}},
		operations: g.restOperations,
	})
}

// isoTime reports whether a timestamp shape is written in ISO 8601 (REST-JSON
// only; AWS JSON 1.1 always writes epoch seconds).
func (g *apiGen) isoTime(name string) bool {
	return g.rest && g.m.Shapes[name].TimestampFormat == "iso8601"
}

// bindings returns the Go literals of the restjson.Binding values of an input
// shape's members bound outside the body, in model order, and rejects
// bindings the runtime cannot decode.
func (g *apiGen) bindings(input string) ([]string, error) {
	s := g.m.Shapes[input]
	body := map[string]bool{}
	for _, mem := range s.Members {
		if mem.Location == "" {
			body[wireName(mem)] = true
		}
	}
	var out []string
	for _, mem := range s.Members {
		var loc string
		switch mem.Location {
		case "":
			continue
		case "uri":
			loc = "restjson.InURI"
		case "querystring":
			loc = "restjson.InQuery"
		case "header":
			loc = "restjson.InHeader"
		default:
			return nil, fmt.Errorf("member %s: location %q is not supported", mem.Name, mem.Location)
		}
		ms := g.m.Shapes[mem.Shape]
		var kind string
		switch ms.Type {
		case "string":
			kind = "restjson.KindString"
		case "integer":
			kind = "restjson.KindInt"
		case "boolean":
			kind = "restjson.KindBool"
		case "list":
			if g.m.Shapes[ms.Member.Shape].Type != "string" || mem.Location != "querystring" {
				return nil, fmt.Errorf("member %s: only query-string lists of strings are supported", mem.Name)
			}
			kind = "restjson.KindStringList"
		default:
			return nil, fmt.Errorf("member %s: a %s bound to %s is not supported", mem.Name, ms.Type, mem.Location)
		}
		if body[wireName(mem)] {
			return nil, fmt.Errorf("member %s: location name %q is also a body member", mem.Name, wireName(mem))
		}
		out = append(out, fmt.Sprintf("{Name: %q, In: %s, Kind: %s}", wireName(mem), loc, kind))
	}
	return out, nil
}

func (g *apiGen) restOperations() {
	md := g.m.Metadata
	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	g.p("// Service returns the %s service: signing name, operation table and codec.", md.ServiceID)
	g.p("func Service() *restjson.Service {")
	g.p("ops := make([]restjson.Operation, 0, %d)", len(g.m.Operations))
	g.p("for _, n := range %sOperationNames() {", g.qual)
	g.p("op, _ := LookupOperation(n)")
	g.p("ops = append(ops, op)")
	g.p("}")
	g.p("return restjson.NewService(%q, ops, decodeAny, encodeAny)", signing)
	g.p("}")
	g.p("")
	g.operationTable("name", func(n string, op *Operation) string {
		binds := "nil"
		if op.Input != nil {
			if b, _ := g.bindings(op.Input.Shape); len(b) > 0 { // checked in GenerateRESTJSONAPI
				binds = "[]restjson.Binding{" + strings.Join(b, ", ") + "}"
			}
		}
		status := op.HTTP.ResponseCode
		if status == 0 {
			status = 200
		}
		return fmt.Sprintf("Name: %q, Method: %q, URI: %q, Status: %d, Errors: %s, Bindings: %s, NewInput: %s",
			n, op.HTTP.Method, op.HTTP.RequestURI, status, g.errorCodes(op), binds, g.newInput(op))
	})
}
