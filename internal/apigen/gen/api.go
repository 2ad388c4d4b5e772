package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// reservedNames are the generated names that a shape type must not shadow:
// the helpers of both packages, and the type switches of the codec's
// (decodeAny, encodeAny) whose names a type named Any would take.
func reservedNames() []string {
	return []string{"APIVersion", "XMLNamespace", "LookupOperation", "OperationNames", "Service", "Empty", "Any"}
}

// Module is the import path of the module the generated packages are in.
const Module = "github.com/gatehouse-iam/gatehouse"

// Files are the two generated files of a service: its api package (the Go
// types of its shapes, their enumerations, the operation names, the
// sensitive members) and its codec package (the operation table, the
// model's constraints and the decoders and encoders of the wire protocol,
// as functions over the api package's types). Services import the api
// package only; the server imports the codec package.
type Files struct {
	API, Codec []byte
}

type apiGen struct {
	m   *Model
	pkg string
	// codecPkg is the name of the codec package (its directory is a
	// sibling of the api package's).
	codecPkg string
	// qual qualifies the api package's types while the codec is written
	// ("iamapi."); it is empty while the api package is written.
	qual     string
	buf      bytes.Buffer
	inputs   map[string]bool // shapes reachable from an operation input
	outputs  map[string]bool // shapes reachable from an operation output
	types    map[string]string
	patterns map[string]string // model pattern source -> Go variable name
	patOrder []string
	// json selects the AWS JSON codec (GenerateJSONAPI) over AWS Query.
	json bool
	// rest selects, with json, the REST-JSON codec (GenerateRESTJSONAPI).
	rest bool
	// restXML selects the REST-XML codec (GenerateRESTXMLAPI).
	restXML bool
}

// dec is the runtime package the generated decoders call: the shared JSON
// decoder for both JSON protocols.
func (g *apiGen) dec() string {
	if g.json {
		return "jsondecode"
	}
	return "query"
}

// rt is the runtime package the generated code calls.
func (g *apiGen) rt() string {
	if g.restXML {
		return "restxml"
	}
	if g.rest {
		return "restjson"
	}
	if g.json {
		return "awsjson"
	}
	return "query"
}

// t is the Go type of the structure or enumeration shape name, qualified
// while the codec is written.
func (g *apiGen) t(name string) string { return g.qual + g.types[name] }

func (g *apiGen) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, format, args...)
	g.buf.WriteByte('\n')
}

// GenerateAPI returns the Go sources of package pkg for the model (one
// type per structure and enum shape used by an operation) and of package
// codecPkg (AWS Query decoders for the input side, encoders for the output
// side, and the operation table). The sources are gofmt'd.
func GenerateAPI(m *Model, pkg, codecPkg string) (*Files, error) {
	g := newAPIGen(m, pkg, codecPkg)
	return g.generate(protocolGen{
		name: "query",
		consts: []constDecl{
			{"APIVersion", "the API version of the " + m.Metadata.ServiceID + " model", m.Metadata.APIVersion},
			{"XMLNamespace", "the XML namespace of " + m.Metadata.ServiceID + " responses", m.Metadata.XMLNamespace},
		},
		operations: g.operations,
	})
}

func newAPIGen(m *Model, pkg, codecPkg string) *apiGen {
	return &apiGen{m: m, pkg: pkg, codecPkg: codecPkg, inputs: map[string]bool{}, outputs: map[string]bool{}, types: map[string]string{}, patterns: map[string]string{}}
}

// protocolGen is what a wire protocol adds to the generation all protocols
// share.
type protocolGen struct {
	// name is the model's protocol (metadata.protocol).
	name string
	// checkOp, if set, rejects an operation the protocol cannot serve.
	checkOp func(name string, op *Operation) error
	// checkShapes, if set, rejects shapes the protocol cannot serve, once
	// the shapes of the operations are known.
	checkShapes func() error
	// consts are the constants of the api package's header.
	consts []constDecl
	// operations writes the codec package's service and operation table.
	operations func()
}

// constDecl is a generated constant: its name, what its doc comment says it
// is, and its string value.
type constDecl struct{ name, doc, value string }

// generate writes the api package (header, operation names, then a type per
// structure and enum shape an operation uses) and the codec package
// (header, operations, then the decoders and encoders of those types).
func (g *apiGen) generate(pg protocolGen) (*Files, error) {
	m := g.m
	if m.Metadata.Protocol != pg.name {
		return nil, fmt.Errorf("model %s: protocol %q is not %s", m.Metadata.UID, m.Metadata.Protocol, pg.name)
	}
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		if pg.checkOp != nil {
			if err := pg.checkOp(name, op); err != nil {
				return nil, err
			}
		}
		if op.Input != nil {
			g.walk(op.Input.Shape, g.inputs)
		}
		if op.Output != nil {
			g.walk(op.Output.Shape, g.outputs)
		}
	}
	if err := g.checkShapes(); err != nil {
		return nil, err
	}
	if pg.checkShapes != nil {
		if err := pg.checkShapes(); err != nil {
			return nil, err
		}
	}
	if err := g.collectPatterns(); err != nil {
		return nil, err
	}
	g.header(pg.consts)
	g.operationNames()
	g.emptyType(func(string) bool { return true })
	for _, name := range sortedKeys(m.Shapes) {
		if !g.inputs[name] && !g.outputs[name] {
			continue
		}
		s := m.Shapes[name]
		switch {
		case s.Type == "structure":
			g.structType(name, s)
		case s.Type == "string" && len(s.Enum) > 0:
			g.enumType(name, s)
		}
	}
	g.sensitiveMembers()
	api, err := g.source()
	if err != nil {
		return nil, err
	}
	g.qual = g.pkg + "."
	g.codecHeader()
	pg.operations()
	g.typeSwitches()
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		switch {
		case s.Type == "structure":
			if g.inputs[name] {
				g.decoder(g.types[name], s)
			}
			if g.outputs[name] {
				g.encoder(g.types[name], s)
			}
		case s.Type == "string" && len(s.Enum) > 0 && g.inputs[name]:
			g.enumValues(name, s)
		}
	}
	codec, err := g.source()
	if err != nil {
		return nil, err
	}
	return &Files{API: api, Codec: codec}, nil
}

// source returns the gofmt'd source written so far and empties the buffer.
func (g *apiGen) source() ([]byte, error) {
	src, err := format.Source(g.buf.Bytes())
	g.buf.Reset()
	if err != nil {
		return nil, fmt.Errorf("gofmt generated code: %w", err)
	}
	return src, nil
}

// emptyType writes Empty, the input of the operations (among those
// served reports) that declare none, if there is one.
func (g *apiGen) emptyType(served func(string) bool) {
	for _, n := range sortedKeys(g.m.Operations) {
		if g.m.Operations[n].Input == nil && served(n) {
			g.p("// Empty is the input of the operations that declare none (%s, ...).", n)
			g.p("type Empty struct{}")
			g.p("")
			return
		}
	}
}

// typeSwitches writes decodeAny and encodeAny, the codec's entry points
// the runtime calls with an operation's input and output: each chooses the
// generated function by the value's Go type.
func (g *apiGen) typeSwitches() {
	dec, enc := "d *query.Decoder, in any", "e *query.Encoder, out any"
	decCall, encCall := "(d, query.Key{}, v)", "(e, v)"
	if g.json {
		dec, enc = "d *jsondecode.Decoder, obj jsondecode.Object, in any", "e *"+g.rt()+".Encoder, out any"
		decCall = "(d, obj, v)"
	}
	empty := false
	for _, n := range sortedKeys(g.m.Operations) {
		empty = empty || g.m.Operations[n].Input == nil
	}
	g.typeSwitch([]string{"decodeAny decodes in, an operation's input, with its generated decoder;", "it reports false for a value of another type."},
		"decodeAny", dec, "in", g.topShapes(true), empty, func(t string) string { return "decode" + t + decCall })
	g.typeSwitch([]string{"encodeAny writes out, an operation's output, with its generated encoder;", "it reports false (and writes nothing) for a value of another type."},
		"encodeAny", enc, "out", g.topShapes(false), false, func(t string) string { return "if v != nil { encode" + t + encCall + " }" })
}

// typeSwitch writes func name(params) bool: for a value (the parameter
// named value) of the type of one of shapes, or Empty if empty, the
// statement call gives for its Go type name; false for any other type.
func (g *apiGen) typeSwitch(doc []string, name, params, value string, shapes []string, empty bool, call func(t string) string) {
	for _, line := range doc {
		g.p("// %s", line)
	}
	g.p("func %s(%s) bool {", name, params)
	g.p("switch v := %s.(type) {", value)
	if empty {
		g.p("case %sEmpty:", g.qual)
		g.p("_ = v")
	}
	for _, shape := range shapes {
		g.p("case *%s:", g.t(shape))
		g.p("%s", call(g.types[shape]))
	}
	g.p("default:")
	g.p("return false")
	g.p("}")
	g.p("return true")
	g.p("}")
	g.p("")
}

// topShapes returns the input (or output) shapes of the operations, sorted.
func (g *apiGen) topShapes(input bool) []string {
	seen := map[string]bool{}
	for _, op := range g.m.Operations {
		if input && op.Input != nil {
			seen[op.Input.Shape] = true
		}
		if !input && op.Output != nil {
			seen[op.Output.Shape] = true
		}
	}
	return sortedKeys(seen)
}

// sensitiveMembers writes SensitiveMembers: by Go type, the members of the
// generated structures whose shape (or the member itself) the model marks
// sensitive, so that the audit trail can leave them out.
func (g *apiGen) sensitiveMembers() {
	g.p("// SensitiveMembers returns, by Go type name, the members of this package's")
	g.p("// structures that the model marks sensitive (passwords, secrets, tokens,")
	g.p("// personal data): values no log or audit record may hold.")
	g.p("func SensitiveMembers() map[string][]string {")
	g.p("return map[string][]string{")
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if _, ok := g.types[name]; !ok || s.Type != "structure" {
			continue
		}
		var fields []string
		for _, mem := range s.Members {
			if ms := g.m.Shapes[mem.Shape]; ms != nil && (ms.Sensitive || g.listOfSensitive(ms)) {
				fields = append(fields, strconv.Quote(goName(mem.Name)))
			}
		}
		if len(fields) > 0 {
			g.p("%q: {%s},", g.types[name], strings.Join(fields, ", "))
		}
	}
	g.p("}")
	g.p("}")
}

// listOfSensitive reports a list or map whose members are sensitive.
func (g *apiGen) listOfSensitive(s *Shape) bool {
	for _, r := range []*Ref{s.Member, s.Value} {
		if r != nil {
			if ms := g.m.Shapes[r.Shape]; ms != nil && ms.Sensitive {
				return true
			}
		}
	}
	return false
}

func (g *apiGen) walk(name string, seen map[string]bool) {
	if seen[name] {
		return
	}
	seen[name] = true
	s := g.m.Shapes[name]
	for _, mem := range s.Members {
		g.walk(mem.Shape, seen)
	}
	for _, r := range []*Ref{s.Member, s.Key, s.Value} {
		if r != nil {
			g.walk(r.Shape, seen)
		}
	}
}

// checkShapes rejects model features the generated code does not implement,
// so that a model update that needs them fails loudly instead of producing a
// wrong codec, and assigns Go type names.
func (g *apiGen) checkShapes() error {
	used := map[string]string{}
	for _, r := range reservedNames() {
		used[r] = "(generated helper)"
	}
	for _, name := range sortedKeys(g.m.Shapes) {
		if !g.inputs[name] && !g.outputs[name] {
			continue
		}
		s := g.m.Shapes[name]
		switch s.Type {
		case "structure", "string", "integer", "boolean", "timestamp", "blob", "list", "map":
		case "long", "double", "float":
			// The JSON protocols write them (CloudTrail's statistics and
			// relevance scores); no model read so far takes one as input.
			if !g.json || g.inputs[name] {
				return fmt.Errorf("shape %s: type %q is supported in JSON outputs only", name, s.Type)
			}
		default:
			return fmt.Errorf("shape %s: type %q is not supported", name, s.Type)
		}
		if s.Flattened {
			return fmt.Errorf("shape %s: flattened lists and maps are not supported", name)
		}
		if s.Member != nil && s.Member.LocationName != "" {
			return fmt.Errorf("shape %s: a list member locationName is not supported", name)
		}
		for _, mem := range s.Members {
			if mem.Flattened || mem.XMLAttribute {
				return fmt.Errorf("shape %s member %s: flattened/xmlAttribute members are not supported", name, mem.Name)
			}
		}
		if s.Type == "map" && g.m.Shapes[s.Key.Shape].Type != "string" {
			return fmt.Errorf("shape %s: map keys must be strings", name)
		}
		if s.Type == "structure" || (s.Type == "string" && len(s.Enum) > 0) {
			gn := goName(name)
			if prev, ok := used[gn]; ok {
				return fmt.Errorf("shapes %s and %s both map to Go name %s", prev, name, gn)
			}
			used[gn] = name
			g.types[name] = gn
		}
	}
	return nil
}

func (g *apiGen) collectPatterns() error {
	for _, name := range sortedKeys(g.m.Shapes) {
		s := g.m.Shapes[name]
		if !g.inputs[name] || s.Pattern == "" {
			continue
		}
		if _, ok := g.patterns[s.Pattern]; ok {
			continue
		}
		if _, err := TranslatePattern(s.Pattern); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
		g.patterns[s.Pattern] = "pat" + goName(name)
		g.patOrder = append(g.patOrder, s.Pattern)
	}
	return nil
}

// header writes the api package's clause, its import of package time and
// its constants.
func (g *apiGen) header(consts []constDecl) {
	md := g.m.Metadata
	g.p("// Code generated by internal/apigen from the %s API model; DO NOT EDIT.", md.UID)
	g.p("")
	g.p("package %s", g.pkg)
	g.p("")
	g.p(`import "time"`)
	g.p("")
	g.p("// Compile-time use of package time, which not every model needs.")
	g.p("var _ time.Time")
	g.p("")
	if len(consts) == 1 {
		g.p("// %s is %s.", consts[0].name, consts[0].doc)
		g.p("const %s = %q", consts[0].name, consts[0].value)
	} else {
		g.p("const (")
		for _, c := range consts {
			g.p("// %s is %s.", c.name, c.doc)
			g.p("%s = %q", c.name, c.value)
		}
		g.p(")")
	}
	g.p("")
}

// codecHeader writes the codec package's clause, the imports (package
// time, the api package, the runtime packages the code calls and, for the
// model's patterns, protocol/constraint) and the compiled model patterns.
func (g *apiGen) codecHeader() {
	md := g.m.Metadata
	g.p("// Code generated by internal/apigen from the %s API model; DO NOT EDIT.", md.UID)
	g.p("")
	g.p("package %s", g.codecPkg)
	g.p("")
	g.p("import (")
	g.p(`"time"`)
	g.p("")
	g.p(`"%s/api/%s"`, Module, g.pkg)
	runtimes := []string{g.rt()}
	if g.dec() != g.rt() {
		runtimes = append(runtimes, g.dec())
	}
	if len(g.patOrder) > 0 {
		runtimes = append(runtimes, "constraint")
	}
	slices.Sort(runtimes)
	for _, rt := range runtimes {
		g.p(`"%s/protocol/%s"`, Module, rt)
	}
	g.p(")")
	g.p("")
	g.p("// Compile-time use of package time, which not every model needs.")
	g.p("var _ time.Time")
	g.p("")
	if len(g.patOrder) > 0 {
		g.p("// Compiled model patterns (immutable).")
		g.p("var (")
		for _, src := range g.patOrder {
			t, _ := TranslatePattern(src) // checked in collectPatterns
			args := []string{strconv.Quote(src), strconv.Quote(t.RE2)}
			for _, f := range t.Forbid {
				args = append(args, strconv.Quote(f))
			}
			g.p("%s = constraint.MustPattern(%s)", g.patterns[src], strings.Join(args, ", "))
		}
		g.p(")")
		g.p("")
	}
}

// nonNullMembers lists the member shapes of Query lists whose failures AWS
// reports with "Member must not be null" among the member's constraints
// (query.ListRule.MemberNotNull) — a trait of AWS's internal model that the
// published one does not carry. Recorded against AWS in localstack/localstack
// tests/aws/services/iam: tagKeys lists it (test_iam_policies.snapshot.json,
// err-untag-large-key), clientIDList and thumbprintList do not
// (test_iam_oidc.snapshot.json, multiple-validation-errors).
var nonNullMembers = map[string]bool{"tagKeyType": true}

// patternMessages holds, by "serviceId.shape", the messages that replace a
// shape's pattern failure (query.StringRule.PatternMessage). IAM refuses a
// malformed path with its own message, before authorization: recorded
// against AWS in localstack/localstack tests/aws/services/iam/
// test_iam_mfa.snapshot.json (create-invalid-path-no-trailing-slash-error,
// while a path too long gets the model's length message), as moto reproduces
// it for CreateVirtualMFADevice.
var patternMessages = map[string]string{
	"IAM.pathType": "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
}

// hidesValues lists, by serviceId, the Query services whose validation
// messages leave the offending value out (query.Service.HideValues): IAM's
// do ("Value at 'versionId' failed to satisfy constraint: ...", recorded
// against AWS in localstack/localstack
// tests/aws/services/iam/test_iam_policies.snapshot.json), STS's do not.
var hidesValues = map[string]bool{"IAM": true}

func (g *apiGen) operations() {
	md := g.m.Metadata
	g.p("// Service returns the %s service: version, namespace, operation table and codec.", md.ServiceID)
	g.p("func Service() *query.Service {")
	hide := ""
	if hidesValues[md.ServiceID] {
		hide = ", HideValues: true"
	}
	g.p("return &query.Service{Name: %q, Version: %sAPIVersion, Namespace: %sXMLNamespace, Lookup: LookupOperation%s, DecodeInput: decodeAny, EncodeOutput: encodeAny}",
		md.EndpointPrefix, g.qual, g.qual, hide)
	g.p("}")
	g.p("")
	g.operationTable("action", func(n string, op *Operation) string {
		wrapper := ""
		if op.Output != nil {
			wrapper = op.Output.ResultWrapper
			if wrapper == "" {
				wrapper = n + "Result"
			}
		}
		return fmt.Sprintf("Name: %q, ResultWrapper: %q, HTTPMethod: %q, Errors: %s, NewInput: %s", n, wrapper, op.HTTP.Method, g.errorCodes(op), g.newInput(op))
	})
}

// operationNames writes OperationNames, in the api package.
func (g *apiGen) operationNames() {
	names := sortedKeys(g.m.Operations)
	g.p("// OperationNames returns the names of the %d operations of the model, sorted.", len(names))
	g.p("func OperationNames() []string {")
	g.p("return []string{")
	for _, n := range names {
		g.p("%q,", n)
	}
	g.p("}")
	g.p("}")
	g.p("")
}

// operationTable writes LookupOperation(param), in the codec package, whose
// cases return the runtime's Operation with the fields entry gives.
func (g *apiGen) operationTable(param string, entry func(name string, op *Operation) string) {
	rt := g.rt()
	names := sortedKeys(g.m.Operations)
	g.p("// LookupOperation returns the operation named %s.", param)
	g.p("func LookupOperation(%s string) (%s.Operation, bool) {", param, rt)
	g.p("switch %s {", param)
	for _, n := range names {
		g.p("case %q:", n)
		g.p("return %s.Operation{%s}, true", rt, entry(n, g.m.Operations[n]))
	}
	g.p("}")
	g.p("return %s.Operation{}, false", rt)
	g.p("}")
	g.p("")
}

// errorCodes is the literal of the error codes op declares: nil or a
// []string.
func (g *apiGen) errorCodes(op *Operation) string {
	var codes []string
	for _, e := range op.Errors {
		codes = append(codes, strconv.Quote(errorCode(e.Shape, g.m.Shapes[e.Shape])))
	}
	if len(codes) == 0 {
		return "nil"
	}
	return "[]string{" + strings.Join(codes, ", ") + "}"
}

// newInput is the literal of the func returning a new input of op.
func (g *apiGen) newInput(op *Operation) string {
	if op.Input == nil {
		return "func() any { return " + g.qual + "Empty{} }"
	}
	return "func() any { return new(" + g.t(op.Input.Shape) + ") }"
}

// errorCode is the wire code of an exception shape: its error trait's code,
// else the shape name.
func errorCode(name string, s *Shape) string {
	if s.Error != nil && s.Error.Code != "" {
		return s.Error.Code
	}
	return name
}

func (g *apiGen) docComment(subject, doc, fallback string) {
	text := firstSentence(doc)
	if text == "" {
		text = fallback
	}
	if text == "" {
		return
	}
	g.p("// %s — %s", subject, text)
}

func (g *apiGen) usage(name string) string {
	for _, n := range sortedKeys(g.m.Operations) {
		op := g.m.Operations[n]
		if op.Input != nil && op.Input.Shape == name {
			return "the input of " + n
		}
		if op.Output != nil && op.Output.Shape == name {
			return "the output of " + n
		}
	}
	return ""
}

func (g *apiGen) enumType(name string, s *Shape) {
	t := g.types[name]
	g.docComment(t, s.Documentation, "the "+name+" enumeration of the model.")
	g.p("type %s string", t)
	g.p("")
	g.p("// Values of %s.", t)
	g.p("const (")
	seen := map[string]bool{}
	for _, v := range s.Enum {
		c := t + goName(v)
		for seen[c] {
			c += "_"
		}
		seen[c] = true
		g.p("%s %s = %q", c, t, v)
	}
	g.p(")")
	g.p("")
	g.p("// Values returns the values of %s, in model order.", t)
	g.p("func (%s) Values() []%s {", t, t)
	g.p("return []%s{", t)
	for _, v := range s.Enum {
		g.p("%q,", v)
	}
	g.p("}")
	g.p("}")
	g.p("")
}

// enumValues writes, in the codec package, the function returning the
// values of an input enumeration its rules check against.
func (g *apiGen) enumValues(name string, s *Shape) {
	g.p("func %sEnum() []string { return []string{", privName(name))
	for _, v := range s.Enum {
		g.p("%q,", v)
	}
	g.p("}}")
	g.p("")
}

// goType is the Go type of a value of shape name (without the pointer that
// optional scalars and structures get).
func (g *apiGen) goType(name string) string {
	s := g.m.Shapes[name]
	switch s.Type {
	case "structure":
		return g.t(name)
	case "string":
		if len(s.Enum) > 0 {
			return g.t(name)
		}
		return "string"
	case "integer":
		return "int32"
	case "long":
		return "int64"
	case "double", "float":
		return "float64"
	case "boolean":
		return "bool"
	case "timestamp":
		return "time.Time"
	case "blob":
		return "[]byte"
	case "list":
		return "[]" + g.goType(s.Member.Shape)
	case "map":
		return "map[" + g.goType(s.Key.Shape) + "]" + g.goType(s.Value.Shape)
	}
	panic("unreachable: type checked in checkShapes: " + s.Type)
}

func pointered(s *Shape) bool {
	switch s.Type {
	case "list", "map", "blob":
		return false
	}
	return true
}

func wireName(m Member) string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

func (g *apiGen) structType(name string, s *Shape) {
	t := g.types[name]
	g.docComment(t, s.Documentation, "is "+g.usage(name)+".")
	if s.Union {
		g.p("//")
		g.p("// The model declares %s a union: exactly one member is meant to be set.", t)
	}
	g.p("type %s struct {", t)
	for _, mem := range s.Members {
		ms := g.m.Shapes[mem.Shape]
		typ := g.goType(mem.Shape)
		req := s.isRequired(mem.Name)
		if !req && pointered(ms) {
			typ = "*" + typ
		}
		g.docComment(goName(mem.Name), mem.Documentation, "the "+mem.Name+" member (shape "+mem.Shape+").")
		if req {
			g.p("//")
			g.p("// Required.")
		}
		g.p("%s %s", goName(mem.Name), typ)
	}
	g.p("}")
	g.p("")
}

// rule returns the constraint literal for shape name.
func (g *apiGen) rule(name string) string {
	s := g.m.Shapes[name]
	lo, hasLo, _ := bound(s.Min)
	hi, hasHi, _ := bound(s.Max)
	var f []string
	switch s.Type {
	case "string":
		if hasLo && lo > 0 {
			f = append(f, fmt.Sprintf("Min: %d", lo))
		}
		if hasHi {
			f = append(f, fmt.Sprintf("Max: %d", hi))
		}
		if s.Pattern != "" {
			f = append(f, "Pattern: "+g.patterns[s.Pattern])
		}
		if len(s.Enum) > 0 {
			f = append(f, "Enum: "+privName(name)+"Enum()")
		}
		if s.Sensitive {
			f = append(f, "Sensitive: true")
		}
		if msg, ok := patternMessages[g.m.Metadata.ServiceID+"."+name]; ok && !g.json {
			f = append(f, "PatternMessage: "+strconv.Quote(msg))
		}
		return g.dec() + ".StringRule{" + strings.Join(f, ", ") + "}"
	case "integer":
		if hasLo {
			f = append(f, fmt.Sprintf("Min: %d, HasMin: true", lo))
		}
		if hasHi {
			f = append(f, fmt.Sprintf("Max: %d, HasMax: true", hi))
		}
		return g.dec() + ".IntRule{" + strings.Join(f, ", ") + "}"
	case "list", "map", "blob":
		if hasLo && lo > 0 {
			f = append(f, fmt.Sprintf("Min: %d", lo))
		}
		if hasHi {
			f = append(f, fmt.Sprintf("Max: %d", hi))
		}
		if s.Type == "list" {
			if et := g.m.Shapes[s.Member.Shape].Type; et != "structure" && et != "list" && et != "map" {
				f = append(f, "Scalar: true")
				if !g.json && nonNullMembers[s.Member.Shape] {
					f = append(f, "MemberNotNull: true")
				}
			}
		}
		return g.dec() + ".ListRule{" + strings.Join(f, ", ") + "}"
	}
	return ""
}

// elemDecoder returns a func literal decoding a value of shape name (list
// elements, map keys and values): at a key, and required, for AWS Query; a
// JSON value with its name for the JSON protocols.
func (g *apiGen) elemDecoder(name string) string {
	dec := g.dec()
	s := g.m.Shapes[name]
	typ := g.goType(name)
	head := "func(d *query.Decoder, k query.Key) " + typ + " { "
	if g.json {
		head = "func(d *jsondecode.Decoder, v any, name string) " + typ + " { "
	}
	// call is the call of reader fn (a Decoder method, or a generic
	// function of the runtime taking d) with the shape's rule, if any, and
	// element decoders.
	call := func(fn, rule string, elems ...string) string {
		var args []string
		if strings.HasPrefix(fn, dec+".") {
			args = append(args, "d")
		}
		if g.json {
			fn += "Value"
			args = append(args, "v", "name")
		} else {
			args = append(args, "k")
		}
		if rule != "" {
			args = append(args, rule)
		}
		if !g.json {
			args = append(args, "true")
		}
		return fn + "(" + strings.Join(append(args, elems...), ", ") + ")"
	}
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return head + "x, _ := " + call("d.String", g.rule(name)) + "; return " + typ + "(x) }"
		}
		return head + "x, _ := " + call("d.String", g.rule(name)) + "; return x }"
	case "integer":
		return head + "x, _ := " + call("d.Int", g.rule(name)) + "; return x }"
	case "boolean":
		return head + "x, _ := " + call("d.Bool", "") + "; return x }"
	case "timestamp":
		return head + "x, _ := " + call("d.Time", "") + "; return x }"
	case "blob":
		return head + "x, _ := " + call("d.Blob", g.rule(name)) + "; return x }"
	case "structure":
		if g.json {
			return head + "x, ok := jsondecode.DecodeStructValue(d, v, name, decode" + g.types[name] + "); if !ok { return " + typ + "{} }; return *x }"
		}
		return head + "var x " + typ + "; decode" + g.types[name] + "(d, k, &x); return x }"
	case "list":
		return head + "x, _ := " + call(dec+".DecodeList", g.rule(name), g.elemDecoder(s.Member.Shape)) + "; return x }"
	case "map":
		return head + "x, _ := " + call(dec+".DecodeMap", g.rule(name), g.elemDecoder(s.Key.Shape), g.elemDecoder(s.Value.Shape)) + "; return x }"
	}
	panic("unreachable")
}

// decoder writes decodeT, the AWS Query or JSON decoder of the input
// structure t: each member read and checked against the model's
// constraints, and assigned when present.
func (g *apiGen) decoder(t string, s *Shape) {
	dec := g.dec()
	params, types, from := "d *query.Decoder, k query.Key, v *"+g.qual+t, "*query.Decoder, query.Key, *"+g.qual+t, "found under k"
	at := func(mem Member) string { return fmt.Sprintf("k.Field(%q, %q)", wireName(mem), lowerFirst(mem.Name)) }
	if g.json {
		params, types, from = "d *jsondecode.Decoder, obj jsondecode.Object, v *"+g.qual+t, "*jsondecode.Decoder, jsondecode.Object, *"+g.qual+t, "from obj"
		at = func(mem Member) string { return "obj, " + strconv.Quote(wireName(mem)) }
	}
	g.p("// decode%s reads the members of %s %s and checks the model's constraints.", t, t, from)
	if len(s.Members) == 0 {
		g.p("func decode%s(%s) {}", t, types)
		g.p("")
		return
	}
	g.p("func decode%s(%s) {", t, params)
	for _, mem := range s.Members {
		ms := g.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		f := goName(mem.Name)
		key := at(mem)
		typ := g.goType(mem.Shape)
		assign := "v." + f + " = x"
		if !req && pointered(ms) {
			assign = "v." + f + " = &x"
		}
		var call string
		switch ms.Type {
		case "string":
			call = fmt.Sprintf("d.String(%s, %s, %t)", key, g.rule(mem.Shape), req)
			if len(ms.Enum) > 0 {
				if req {
					assign = "v." + f + " = " + typ + "(x)"
				} else {
					assign = "e := " + typ + "(x); v." + f + " = &e"
				}
			}
		case "integer":
			call = fmt.Sprintf("d.Int(%s, %s, %t)", key, g.rule(mem.Shape), req)
		case "boolean":
			call = fmt.Sprintf("d.Bool(%s, %t)", key, req)
		case "timestamp":
			call = fmt.Sprintf("d.Time(%s, %t)", key, req)
		case "blob":
			call = fmt.Sprintf("d.Blob(%s, %s, %t)", key, g.rule(mem.Shape), req)
		case "structure":
			call = fmt.Sprintf("%s.DecodeStruct(d, %s, %t, decode%s)", dec, key, req, g.types[mem.Shape])
			if req {
				assign = "v." + f + " = *x"
			} else {
				assign = "v." + f + " = x"
			}
		case "list":
			call = fmt.Sprintf("%s.DecodeList(d, %s, %s, %t, %s)", dec, key, g.rule(mem.Shape), req, g.elemDecoder(ms.Member.Shape))
		case "map":
			call = fmt.Sprintf("%s.DecodeMap(d, %s, %s, %t, %s, %s)", dec, key, g.rule(mem.Shape), req, g.elemDecoder(ms.Key.Shape), g.elemDecoder(ms.Value.Shape))
		}
		g.p("if x, ok := %s; ok {", call)
		g.p("%s", assign)
		g.p("}")
	}
	g.p("}")
	g.p("")
}

// elemEncoder returns a func literal writing a value of shape name (list
// elements, map values): the content of an element for AWS Query, a JSON
// value for the JSON protocols.
func (g *apiGen) elemEncoder(name string) string {
	rt := g.rt()
	s := g.m.Shapes[name]
	head := "func(e *" + rt + ".Encoder, x *" + g.goType(name) + ") { "
	// write is the Encoder method writing a scalar of kind: Text... for AWS
	// Query, ...Value for JSON.
	write := func(kind string) string {
		switch {
		case g.json:
			return "e." + kind + "Value"
		case kind == "String":
			return "e.Text"
		}
		return "e.Text" + kind
	}
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return head + write("String") + "(string(*x)) }"
		}
		return head + write("String") + "(*x) }"
	case "integer":
		return head + write("Int") + "(*x) }"
	case "long":
		return head + write("Long") + "(*x) }"
	case "double", "float":
		return head + write("Float") + "(*x) }"
	case "boolean":
		return head + write("Bool") + "(*x) }"
	case "timestamp":
		if g.isoTime(name) {
			return head + write("TimeISO") + "(*x) }"
		}
		return head + write("Time") + "(*x) }"
	case "blob":
		return head + write("Blob") + "(*x) }"
	case "structure":
		return head + "encode" + g.types[name] + "(e, x) }"
	case "list":
		if !g.json {
			return head + "query.Members(e, *x, " + g.elemEncoder(s.Member.Shape) + ") }"
		}
		return head + rt + ".EncodeListValue(e, *x, " + g.elemEncoder(s.Member.Shape) + ") }"
	case "map":
		if !g.json {
			return head + "query.Entries(e, *x, " + g.elemEncoder(s.Value.Shape) + ") }"
		}
		return head + rt + ".EncodeMapValue(e, *x, " + g.elemEncoder(s.Value.Shape) + ") }"
	}
	panic("unreachable: type checked in checkShapes: " + s.Type)
}

// encoder writes encodeT, the AWS Query (the members as elements) or JSON
// (a JSON object) encoder of the output structure t, in model order,
// omitting absent optional members.
func (g *apiGen) encoder(t string, s *Shape) {
	rt := g.rt()
	if g.json {
		g.p("// encode%s writes %s as a JSON object, omitting absent optional members.", t, t)
	} else {
		g.p("// encode%s writes the members of %s in model order, omitting absent optional members.", t, t)
		if len(s.Members) == 0 {
			g.p("func encode%s(*query.Encoder, *%s) {}", t, g.qual+t)
			g.p("")
			return
		}
	}
	g.p("func encode%s(e *%s.Encoder, v *%s) {", t, rt, g.qual+t)
	if g.json {
		g.p("e.Begin()")
	}
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
		case "long":
			stmt = fmt.Sprintf("e.Long(%s, %s)", w, val)
		case "double", "float":
			stmt = fmt.Sprintf("e.Float(%s, %s)", w, val)
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
			ptr := f
			if req {
				ptr = "&" + f
			}
			if g.json {
				stmt = fmt.Sprintf("e.Key(%s); encode%s(e, %s)", w, g.types[mem.Shape], ptr)
			} else {
				stmt = fmt.Sprintf("e.Start(%s); encode%s(e, %s); e.End(%s)", w, g.types[mem.Shape], ptr, w)
			}
		case "list":
			g.p("%s.EncodeList(e, %s, %s, %t, %s)", rt, w, f, req, g.elemEncoder(ms.Member.Shape))
			continue
		case "map":
			g.p("%s.EncodeMap(e, %s, %s, %t, %s)", rt, w, f, req, g.elemEncoder(ms.Value.Shape))
			continue
		}
		if req {
			g.p("%s", stmt)
		} else {
			g.p("if %s != nil { %s }", f, stmt)
		}
	}
	if g.json {
		g.p("e.End()")
	}
	g.p("}")
	g.p("")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
