package gen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// restXMLOperations lists, by serviceId, the operations whose shapes and
// codecs GenerateRESTXMLAPI writes; every other operation of the model is in
// the operation table only (routed, and answered NotImplemented by the
// server). Extend the list to serve more.
var restXMLOperations = map[string][]string{
	"S3": {
		"ListBuckets", "CreateBucket", "DeleteBucket", "HeadBucket", "GetBucketLocation",
		"ListObjects", "ListObjectsV2", "ListObjectVersions",
		"PutObject", "GetObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject",
		"CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
		"AbortMultipartUpload", "ListParts", "ListMultipartUploads",
		"PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "GetBucketPolicyStatus",
		"PutBucketAcl", "GetBucketAcl", "PutObjectAcl", "GetObjectAcl",
		"PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
		"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
		"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging",
		"PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging",
		"PutBucketVersioning", "GetBucketVersioning", "GetObjectAttributes",
		"PutBucketCors", "GetBucketCors", "DeleteBucketCors",
		"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
		"PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
		"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
		"PutBucketLogging", "GetBucketLogging",
		"PutBucketRequestPayment", "GetBucketRequestPayment",
		"PutBucketAccelerateConfiguration", "GetBucketAccelerateConfiguration",
		"PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
		"PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication",
		"PutObjectLockConfiguration", "GetObjectLockConfiguration",
		"PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold",
	},
}

// xmlRootNames are the root elements of the output documents the model
// does not name (its output shapes carry no locationName): the names S3
// writes, from the Amazon S3 API Reference's response syntax of each
// operation (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
// "ListBucketResult", API_ListBuckets "ListAllMyBucketsResult", ...).
var xmlRootNames = map[string]string{
	"ListBucketsOutput":             "ListAllMyBucketsResult",
	"ListObjectsOutput":             "ListBucketResult",
	"ListObjectsV2Output":           "ListBucketResult",
	"ListObjectVersionsOutput":      "ListVersionsResult",
	"CreateMultipartUploadOutput":   "InitiateMultipartUploadResult",
	"CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
	"ListPartsOutput":               "ListPartsResult",
	"ListMultipartUploadsOutput":    "ListMultipartUploadsResult",
	"DeleteObjectsOutput":           "DeleteResult",
	"GetBucketAclOutput":            "AccessControlPolicy",
	"GetObjectAclOutput":            "AccessControlPolicy",
	"GetBucketTaggingOutput":        "Tagging",
	"GetObjectTaggingOutput":        "Tagging",
	"GetBucketVersioningOutput":     "VersioningConfiguration",
	"GetObjectAttributesOutput":     "GetObjectAttributesResponse",
	"GetBucketLocationOutput":       "LocationConstraint",
	// The bucket configurations: each GET answers the document its PUT
	// takes (API_GetBucketCors "CORSConfiguration", API_GetBucketWebsite
	// "WebsiteConfiguration", API_GetBucketLifecycleConfiguration
	// "LifecycleConfiguration", API_GetBucketLogging "BucketLoggingStatus",
	// API_GetBucketRequestPayment "RequestPaymentConfiguration",
	// API_GetBucketAccelerateConfiguration "AccelerateConfiguration",
	// API_GetBucketNotificationConfiguration "NotificationConfiguration").
	"GetBucketCorsOutput":                    "CORSConfiguration",
	"GetBucketWebsiteOutput":                 "WebsiteConfiguration",
	"GetBucketLifecycleConfigurationOutput":  "LifecycleConfiguration",
	"GetBucketLoggingOutput":                 "BucketLoggingStatus",
	"GetBucketRequestPaymentOutput":          "RequestPaymentConfiguration",
	"GetBucketAccelerateConfigurationOutput": "AccelerateConfiguration",
	"NotificationConfiguration":              "NotificationConfiguration",
}

// xmlTextRoots are the outputs whose one body member is the text of the
// root element: GetBucketLocation answers
// <LocationConstraint xmlns="...">eu-west-1</LocationConstraint>
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
var xmlTextRoots = map[string]bool{"GetBucketLocationOutput": true}

// xmlMaxItems bounds request lists by shape: a DeleteObjects request names
// at most 1,000 keys
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html);
// more is MalformedXML.
var xmlMaxItems = map[string]int{"ObjectIdentifierList": 1000}

// xmlLongIntegers are the shapes the botocore model types integer whose
// values exceed 32 bits: an object's Size (up to 5 TiB), which S3's Smithy
// model and aws-sdk-go-v2 type as a long (types.Object.Size *int64).
var xmlLongIntegers = map[string]bool{"Size": true}

// xmlGen is the REST-XML generation state beside the shared apiGen.
type xmlGen struct {
	*apiGen
	ops       []string
	topIn     map[string]bool   // operation inputs
	topOut    map[string]bool   // operation outputs
	xmlIn     map[string]bool   // structures decoded from a request document
	xmlOut    map[string]bool   // structures encoded into a response document
	generated map[string]bool   // operations with generated codecs
	roots     map[string]string // output shape -> root element name
}

// GenerateRESTXMLAPI returns the Go sources of package pkg and package
// codecPkg for a REST-XML model (Amazon S3). The codec package holds the
// operation table of every operation (method, request URI, success status,
// required query parameters and headers, for the protocol/restxml router);
// for the operations listed in restXMLOperations, the api package holds
// the shapes as Go types and the codec package their decoders
// (decodeRequestT: labels, query, headers, payload; decodeXMLT: request
// documents) and encoders (encodeResponseT: headers, payload; encodeXMLT:
// response documents). Streaming blobs are io.Reader in inputs and
// io.ReadCloser in outputs. The sources are gofmt'd.
func GenerateRESTXMLAPI(m *Model, pkg, codecPkg string) (*Files, error) {
	return generateRESTXML(m, pkg, codecPkg, restXMLOperations[m.Metadata.ServiceID], xmlRootNames)
}

// generateRESTXML is GenerateRESTXMLAPI with the codecs of ops and the
// output root element names roots.
func generateRESTXML(m *Model, pkg, codecPkg string, ops []string, roots map[string]string) (*Files, error) {
	x := &xmlGen{apiGen: newAPIGen(m, pkg, codecPkg), topIn: map[string]bool{}, topOut: map[string]bool{},
		xmlIn: map[string]bool{}, xmlOut: map[string]bool{}, generated: map[string]bool{}}
	x.restXML = true
	if m.Metadata.Protocol != "rest-xml" {
		return nil, fmt.Errorf("model %s: protocol %q is not rest-xml", m.Metadata.UID, m.Metadata.Protocol)
	}
	x.ops, x.roots = ops, roots
	if err := x.collect(); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(m.Operations) {
		if _, err := x.routing(name); err != nil {
			return nil, err
		}
	}
	x.header(false)
	x.names()
	x.emptyType(func(n string) bool { return x.generated[n] })
	for _, name := range sortedKeys(m.Shapes) {
		if _, ok := x.types[name]; !ok {
			continue
		}
		s := m.Shapes[name]
		if s.Type == "structure" {
			x.structType(name, s)
		} else {
			x.enumType(name, s)
		}
	}
	x.sensitiveMembers()
	api, err := x.source()
	if err != nil {
		return nil, err
	}
	x.qual = x.pkg + "."
	x.header(true)
	x.operations()
	x.typeSwitches()
	for _, name := range sortedKeys(m.Shapes) {
		if _, ok := x.types[name]; !ok || m.Shapes[name].Type != "structure" {
			continue
		}
		if err := x.structCodec(name, m.Shapes[name]); err != nil {
			return nil, err
		}
	}
	codec, err := x.source()
	if err != nil {
		return nil, err
	}
	return &Files{API: api, Codec: codec}, nil
}

// typeSwitches writes decodeAny and encodeAny, the codec's entry points
// the runtime calls with an operation's input and output.
func (x *xmlGen) typeSwitches() {
	var ins, outs []string
	empty := false
	for _, n := range x.ops {
		op := x.m.Operations[n]
		if op.Input == nil {
			empty = true
		} else {
			ins = append(ins, op.Input.Shape)
		}
		if op.Output != nil {
			outs = append(outs, op.Output.Shape)
		}
	}
	slices.Sort(ins)
	slices.Sort(outs)
	x.typeSwitch([]string{"decodeAny binds in, an operation's input, with its generated decoder;", "it reports false for a value of another type."},
		"decodeAny", "d *restxml.Decoder, in any", "in", slices.Compact(ins), empty, func(t string) string { return "decodeRequest" + t + "(d, v)" })
	x.typeSwitch([]string{"encodeAny sets the header members and payload of out, an operation's", "output, with its generated encoder; it reports false for a value of", "another type."},
		"encodeAny", "r *restxml.Response, out any", "out", slices.Compact(outs), false, func(t string) string { return "encodeResponse" + t + "(r, v)" })
}

// collect walks the listed operations' shapes, records which structures are
// decoded and encoded where, checks the features the codec supports, and
// names the Go types.
func (x *xmlGen) collect() error {
	m := x.m
	all := map[string]bool{}
	for _, name := range x.ops {
		op, ok := m.Operations[name]
		if !ok {
			return fmt.Errorf("operation %s is not in the model", name)
		}
		x.generated[name] = true
		if op.Input != nil {
			in := m.Shapes[op.Input.Shape]
			x.topIn[op.Input.Shape] = true
			for _, mem := range in.Members {
				if mem.Location == "" && mem.Name != in.Payload {
					return fmt.Errorf("operation %s: input body member %s outside a payload is not supported", name, mem.Name)
				}
				if mem.Name == in.Payload {
					x.walk(mem.Shape, x.xmlIn)
				}
			}
			x.walk(op.Input.Shape, all)
		}
		if op.Output != nil {
			out := m.Shapes[op.Output.Shape]
			x.topOut[op.Output.Shape] = true
			body := false
			for _, mem := range out.Members {
				if mem.Location == "statusCode" {
					return fmt.Errorf("operation %s: statusCode members are not supported", name)
				}
				if mem.Location == "" {
					x.walk(mem.Shape, x.xmlOut)
					body = body || mem.Name != out.Payload
				}
			}
			if body {
				if out.Payload != "" {
					return fmt.Errorf("operation %s: output body members beside a payload", name)
				}
				if x.roots[op.Output.Shape] == "" {
					return fmt.Errorf("operation %s: no root element name for %s (xmlRootNames)", name, op.Output.Shape)
				}
				x.xmlOut[op.Output.Shape] = true
			}
			x.walk(op.Output.Shape, all)
		}
	}
	used := map[string]string{}
	for _, r := range append(reservedNames(), "Operations") {
		used[r] = "(generated helper)"
	}
	for _, name := range sortedKeys(all) {
		s := m.Shapes[name]
		switch s.Type {
		case "structure", "string", "integer", "long", "boolean", "timestamp", "blob", "list", "map":
		default:
			return fmt.Errorf("shape %s: type %q is not supported", name, s.Type)
		}
		if s.Type == "map" && (!x.plainString(s.Key.Shape) || !x.plainString(s.Value.Shape)) {
			return fmt.Errorf("shape %s: only maps of strings to strings are supported", name)
		}
		if s.Type == "list" {
			if t := m.Shapes[s.Member.Shape].Type; t == "list" || t == "map" {
				return fmt.Errorf("shape %s: lists of %ss are not supported", name, t)
			}
		}
		if s.Type == "structure" || (s.Type == "string" && len(s.Enum) > 0) {
			gn := goName(name)
			if prev, ok := used[gn]; ok {
				return fmt.Errorf("shapes %s and %s both map to Go name %s", prev, name, gn)
			}
			used[gn] = name
			x.types[name] = gn
		}
	}
	return nil
}

// kind is a shape's type, integers widened by xmlLongIntegers to long.
func (x *xmlGen) kind(shape string) string {
	if xmlLongIntegers[shape] {
		return "long"
	}
	return x.m.Shapes[shape].Type
}

func (x *xmlGen) plainString(shape string) bool {
	s := x.m.Shapes[shape]
	return s.Type == "string" && len(s.Enum) == 0
}

// routing returns the Go literal of an operation's table entry.
func (x *xmlGen) routing(name string) (string, error) {
	op := x.m.Operations[name]
	if op.HTTP.Method == "" || !strings.HasPrefix(op.HTTP.RequestURI, "/") {
		return "", fmt.Errorf("operation %s: no HTTP method or request URI", name)
	}
	path, _, _ := strings.Cut(op.HTTP.RequestURI, "?")
	switch {
	case path == "/", path == "/{Bucket}", path == "/{Bucket}/{Key+}":
	case !strings.ContainsAny(path[1:], "/{}"):
	default:
		return "", fmt.Errorf("operation %s: request URI %q is not routable", name, op.HTTP.RequestURI)
	}
	var query, headers []string
	if op.Input != nil {
		in := x.m.Shapes[op.Input.Shape]
		for _, mem := range in.Members {
			if !in.isRequired(mem.Name) {
				continue
			}
			switch mem.Location {
			case "querystring":
				query = append(query, strconv.Quote(wireName(mem)))
			case "header":
				headers = append(headers, strconv.Quote(wireName(mem)))
			}
		}
	}
	status := op.HTTP.ResponseCode
	if status == 0 {
		status = 200
	}
	f := []string{fmt.Sprintf("Name: %q, Method: %q, URI: %q, Status: %d", name, op.HTTP.Method, op.HTTP.RequestURI, status)}
	if op.Deprecated {
		f = append(f, "Deprecated: true")
	}
	if op.HTTPChecksumRequired || op.HTTPChecksum.RequestChecksumRequired {
		f = append(f, "ChecksumRequired: true")
	}
	if len(query) > 0 {
		f = append(f, "RequiredQuery: []string{"+strings.Join(query, ", ")+"}")
	}
	if len(headers) > 0 {
		f = append(f, "RequiredHeaders: []string{"+strings.Join(headers, ", ")+"}")
	}
	if x.generated[name] {
		f = append(f, "NewInput: "+x.newInput(op))
	}
	return strings.Join(f, ", "), nil
}

// header writes the package clause and imports of the api package, with
// its constant, or of the codec package.
func (x *xmlGen) header(codec bool) {
	md := x.m.Metadata
	x.p("// Code generated by internal/apigen from the %s API model; DO NOT EDIT.", md.UID)
	x.p("")
	if codec {
		x.p("package %s", x.codecPkg)
	} else {
		x.p("package %s", x.pkg)
	}
	x.p("")
	x.p("import (")
	x.p(`"io"`)
	x.p(`"time"`)
	if codec {
		x.p("")
		x.p(`"%s/api/%s"`, Module, x.pkg)
		x.p(`"%s/protocol/restxml"`, Module)
	}
	x.p(")")
	x.p("")
	x.p("// Compile-time use of packages io and time, which not every model needs.")
	x.p("var (")
	x.p("_ io.Reader")
	x.p("_ time.Time")
	x.p(")")
	x.p("")
	if !codec {
		x.p("// APIVersion is the API version of the %s model.", md.ServiceID)
		x.p("const APIVersion = %q", md.APIVersion)
		x.p("")
	}
}

// names writes, in the api package, Implemented and OperationNames.
func (x *xmlGen) names() {
	gen := make([]string, 0, len(x.ops))
	gen = append(gen, x.ops...)
	slices.Sort(gen)
	x.p("// Implemented returns the names of the %d operations whose shapes and codecs are generated, sorted.", len(gen))
	x.p("func Implemented() []string {")
	x.p("return []string{")
	for _, n := range gen {
		x.p("%q,", n)
	}
	x.p("}")
	x.p("}")
	x.p("")
	x.operationNames()
}

func (x *xmlGen) operations() {
	md := x.m.Metadata
	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	x.p("// Operations returns the operation table of every %s operation, sorted by", md.ServiceID)
	x.p("// name; those without NewInput have no generated codec.")
	x.p("func Operations() []restxml.Operation {")
	x.p("ops := make([]restxml.Operation, 0, %d)", len(x.m.Operations))
	x.p("for _, n := range %sOperationNames() {", x.qual)
	x.p("op, _ := LookupOperation(n)")
	x.p("ops = append(ops, op)")
	x.p("}")
	x.p("return ops")
	x.p("}")
	x.p("")
	x.p("// Service returns the %s service: signing name, routed operation table and codec.", md.ServiceID)
	x.p("func Service() *restxml.Service {")
	x.p("return restxml.NewService(%q, Operations(), decodeAny, encodeAny)", signing)
	x.p("}")
	x.p("")
	x.operationTable("name", func(n string, _ *Operation) string {
		lit, _ := x.routing(n) // checked in GenerateRESTXMLAPI
		return lit
	})
}

// xmlType is the Go type of a value of shape name (without the pointer
// optional scalars and structures get).
func (x *xmlGen) xmlType(name string) string {
	s := x.m.Shapes[name]
	switch s.Type {
	case "structure":
		return x.t(name)
	case "string":
		if len(s.Enum) > 0 {
			return x.t(name)
		}
		return "string"
	case "integer":
		if xmlLongIntegers[name] {
			return "int64"
		}
		return "int32"
	case "long":
		return "int64"
	case "boolean":
		return "bool"
	case "timestamp":
		return "time.Time"
	case "blob":
		return "[]byte"
	case "list":
		return "[]" + x.xmlType(s.Member.Shape)
	case "map":
		return "map[string]string"
	}
	panic("unreachable: type checked in collect: " + s.Type)
}

// memberType is the Go type of a structure member: streaming blobs are
// io.Reader in inputs and io.ReadCloser in outputs; optional scalars and
// structures are pointers.
func (x *xmlGen) memberType(s *Shape, mem Member, output bool) string {
	if mem.Streaming {
		if output {
			return "io.ReadCloser"
		}
		return "io.Reader"
	}
	ms := x.m.Shapes[mem.Shape]
	t := x.xmlType(mem.Shape)
	if !s.isRequired(mem.Name) && pointered(ms) {
		t = "*" + t
	}
	return t
}

func (x *xmlGen) structType(name string, s *Shape) {
	t := x.types[name]
	x.docComment(t, s.Documentation, "is "+x.usage(name)+".")
	x.p("type %s struct {", t)
	for _, mem := range s.Members {
		x.docComment(goName(mem.Name), mem.Documentation, "the "+mem.Name+" member (shape "+mem.Shape+").")
		if s.isRequired(mem.Name) {
			x.p("//")
			x.p("// Required.")
		}
		x.p("%s %s", goName(mem.Name), x.memberType(s, mem, x.topOut[name]))
	}
	x.p("}")
	x.p("")
}

// structCodec writes, in the codec package, the decoders and encoders the
// structure name needs.
func (x *xmlGen) structCodec(name string, s *Shape) error {
	t := x.types[name]
	if x.topIn[name] {
		if err := x.decodeRequest(t, s); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
	}
	if x.xmlIn[name] {
		if err := x.decodeXML(t, s); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
	}
	if x.topOut[name] {
		if err := x.encodeResponse(name, t, s); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
	}
	if x.xmlOut[name] {
		if err := x.encodeXML(name, t, s); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
	}
	return nil
}

// assign is the statement storing x in member f, by its pointer-ness.
func (x *xmlGen) assign(s *Shape, mem Member, val string) string {
	f := "v." + goName(mem.Name)
	if !s.isRequired(mem.Name) && pointered(x.m.Shapes[mem.Shape]) {
		return "x := " + val + "; " + f + " = &x"
	}
	return f + " = " + val
}

// timeFormat is a bound timestamp's format: the shape's, else REST's
// default for the location.
func (x *xmlGen) timeFormat(shape, location string) string {
	switch x.m.Shapes[shape].TimestampFormat {
	case "iso8601":
		return "restxml.TimeISO8601"
	case "epoch-seconds":
		return "restxml.TimeEpoch"
	case "rfc822":
		return "restxml.TimeRFC822"
	}
	if location == "header" {
		return "restxml.TimeRFC822"
	}
	return "restxml.TimeISO8601"
}

// boundConv is the expression converting the text s of a bound member.
func (x *xmlGen) boundConv(mem Member) (string, error) {
	ms := x.m.Shapes[mem.Shape]
	w := strconv.Quote(wireName(mem))
	switch x.kind(mem.Shape) {
	case "string":
		if len(ms.Enum) > 0 {
			return x.t(mem.Shape) + "(s)", nil
		}
		return "s", nil
	case "integer":
		return "d.Int32(" + w + ", s)", nil
	case "long":
		return "d.Int64(" + w + ", s)", nil
	case "boolean":
		return "d.Bool(" + w + ", s)", nil
	case "timestamp":
		return "d.Time(" + w + ", s, " + x.timeFormat(mem.Shape, mem.Location) + ")", nil
	}
	return "", fmt.Errorf("member %s: a %s bound to %s is not supported", mem.Name, ms.Type, mem.Location)
}

// decodeRequest writes decodeRequestT of an operation input.
func (x *xmlGen) decodeRequest(t string, s *Shape) error {
	x.p("// decodeRequest%s binds the members of %s from the request's URI labels, query, headers and payload.", t, t)
	if len(s.Members) == 0 {
		x.p("func decodeRequest%s(*restxml.Decoder, *%s) {}", t, x.qual+t)
		x.p("")
		return nil
	}
	x.p("func decodeRequest%s(d *restxml.Decoder, v *%s) {", t, x.qual+t)
	for _, mem := range s.Members {
		ms := x.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		w := strconv.Quote(wireName(mem))
		f := "v." + goName(mem.Name)
		switch {
		case mem.Location == "uri":
			if ms.Type != "string" || (wireName(mem) != "Bucket" && wireName(mem) != "Key") {
				return fmt.Errorf("member %s: only the Bucket and Key labels are supported", mem.Name)
			}
			if req {
				x.p("%s = d.Label(%s)", f, w)
			} else {
				x.p("if s := d.Label(%s); s != \"\" { %s = &s }", w, f)
			}
		case mem.Location == "headers":
			x.p("if m := d.HeaderMap(%s); m != nil { %s = m }", w, f)
		case mem.Location == "header" && ms.Type == "list":
			el := x.m.Shapes[ms.Member.Shape]
			if el.Type != "string" {
				return fmt.Errorf("member %s: only header lists of strings are supported", mem.Name)
			}
			x.p("if xs, ok := d.HeaderList(%s); ok {", w)
			if len(el.Enum) > 0 {
				et := x.t(ms.Member.Shape)
				x.p("%s = make([]%s, len(xs))", f, et)
				x.p("for i, s := range xs { %s[i] = %s(s) }", f, et)
			} else {
				x.p("%s = xs", f)
			}
			if req {
				x.p("} else { d.Missing(\"header\", %s) }", w)
			} else {
				x.p("}")
			}
		case mem.Location == "header" || mem.Location == "querystring":
			conv, err := x.boundConv(mem)
			if err != nil {
				return err
			}
			get := "d.Header"
			if mem.Location == "querystring" {
				get = "d.Query"
			}
			x.p("if s, ok := %s(%s); ok {", get, w)
			if mem.Location == "header" && ms.Type == "timestamp" && !req {
				// Conditional headers with an invalid date are ignored.
				x.p("if x, ok := d.HeaderTime(%s, s, %s); ok { %s = &x }", w, x.timeFormat(mem.Shape, "header"), f)
			} else {
				x.p("%s", x.assign(s, mem, conv))
			}
			if req {
				x.p("} else { d.Missing(%q, %s) }", mem.Location, w)
			} else {
				x.p("}")
			}
		case mem.Location == "" && mem.Name == s.Payload:
			switch {
			case mem.Streaming:
				x.p("%s = d.Stream()", f)
			case ms.Type == "string":
				x.p("if s, ok := d.PayloadString(); ok {")
				x.p("%s", x.assign(s, mem, "s"))
				if req {
					x.p("} else { d.MissingBody() }")
				} else {
					x.p("}")
				}
			case ms.Type == "structure":
				x.p("if n := d.PayloadXML(%s, %t); n != nil {", w, req)
				x.p("%s", x.assign(s, mem, "restxml.DecodeStruct(d, n, decodeXML"+x.types[mem.Shape]+")"))
				x.p("}")
			default:
				return fmt.Errorf("member %s: a %s payload is not supported", mem.Name, ms.Type)
			}
		default:
			return fmt.Errorf("member %s: location %q is not supported", mem.Name, mem.Location)
		}
	}
	x.p("}")
	x.p("")
	return nil
}

// elemConv is the expression decoding the element c as a value of shape.
func (x *xmlGen) elemConv(shape string) (string, error) {
	s := x.m.Shapes[shape]
	switch x.kind(shape) {
	case "string":
		if len(s.Enum) > 0 {
			return x.t(shape) + "(d.XMLString(c))", nil
		}
		return "d.XMLString(c)", nil
	case "integer":
		return "d.XMLInt32(c)", nil
	case "long":
		return "d.XMLInt64(c)", nil
	case "boolean":
		return "d.XMLBool(c)", nil
	case "timestamp":
		return "d.XMLTime(c)", nil
	case "structure":
		return "restxml.DecodeStruct(d, c, decodeXML" + x.types[shape] + ")", nil
	}
	return "", fmt.Errorf("a %s in a request document is not supported", s.Type)
}

// listNames are the element names of a list member: the wrapper (""
// when flattened) and each element's.
func (x *xmlGen) listNames(mem Member) (wrapper, elem string) {
	ls := x.m.Shapes[mem.Shape]
	if mem.Flattened || ls.Flattened {
		if ls.Member.LocationName != "" {
			return "", ls.Member.LocationName
		}
		return "", wireName(mem)
	}
	elem = ls.Member.LocationName
	if elem == "" {
		elem = "member"
	}
	return wireName(mem), elem
}

// decodeXML writes decodeXMLT of a structure read from a request document.
func (x *xmlGen) decodeXML(t string, s *Shape) error {
	x.p("// decodeXML%s reads %s from the element n of a request document; a missing required element or a malformed value is MalformedXML.", t, t)
	if len(s.Members) == 0 {
		x.p("func decodeXML%s(*restxml.Decoder, *restxml.Node, *%s) {}", t, x.qual+t)
		x.p("")
		return nil
	}
	x.p("func decodeXML%s(d *restxml.Decoder, n *restxml.Node, v *%s) {", t, x.qual+t)
	for _, mem := range s.Members {
		if mem.Location != "" {
			return fmt.Errorf("member %s: a bound member in a document", mem.Name)
		}
		ms := x.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		w := strconv.Quote(wireName(mem))
		missing := "}"
		if req {
			missing = "} else { d.MissingElement(" + w + ") }"
		}
		switch {
		case mem.XMLAttribute:
			conv, err := x.boundConv(Member{Name: mem.Name, Ref: Ref{Shape: mem.Shape, LocationName: wireName(mem), Location: "attribute"}})
			if err != nil {
				return err
			}
			x.p("if s, ok := n.Attr(%s); ok {", w)
			x.p("%s", x.assign(s, mem, conv))
			x.p("%s", missing)
		case ms.Type == "list":
			conv, err := x.elemConv(ms.Member.Shape)
			if err != nil {
				return fmt.Errorf("member %s: %w", mem.Name, err)
			}
			wrapper, elem := x.listNames(mem)
			if wrapper == "" {
				x.p("if cs := n.ChildrenNamed(%q); len(cs) > 0 {", elem)
			} else {
				x.p("if w := n.Child(%q); w != nil {", wrapper)
				x.p("cs := w.ChildrenNamed(%q)", elem)
			}
			if limit, ok := xmlMaxItems[mem.Shape]; ok {
				x.p("d.MaxItems(len(cs), %d)", limit)
			}
			x.p("xs := make(%s, 0, len(cs))", x.xmlType(mem.Shape))
			x.p("for _, c := range cs { xs = append(xs, %s) }", conv)
			x.p("v.%s = xs", goName(mem.Name))
			x.p("%s", missing)
		case ms.Type == "map":
			return fmt.Errorf("member %s: maps in a request document are not supported", mem.Name)
		default:
			conv, err := x.elemConv(mem.Shape)
			if err != nil {
				return fmt.Errorf("member %s: %w", mem.Name, err)
			}
			x.p("if c := n.Child(%s); c != nil {", w)
			x.p("%s", x.assign(s, mem, conv))
			x.p("%s", missing)
		}
	}
	x.p("}")
	x.p("")
	return nil
}

// headerSet is the statement writing header member value val.
func (x *xmlGen) headerSet(mem Member, val string) (string, error) {
	ms := x.m.Shapes[mem.Shape]
	w := strconv.Quote(wireName(mem))
	switch ms.Type {
	case "string":
		if len(ms.Enum) > 0 {
			return "r.SetString(" + w + ", string(" + val + "))", nil
		}
		return "r.SetString(" + w + ", " + val + ")", nil
	case "integer", "long":
		return "r.SetInt(" + w + ", int64(" + val + "))", nil
	case "boolean":
		return "r.SetBool(" + w + ", " + val + ")", nil
	case "timestamp":
		return "r.SetTime(" + w + ", " + val + ", " + x.timeFormat(mem.Shape, "header") + ")", nil
	}
	return "", fmt.Errorf("member %s: a %s header is not supported", mem.Name, ms.Type)
}

// encodeResponse writes encodeResponseT of an operation output.
func (x *xmlGen) encodeResponse(name, t string, s *Shape) error {
	x.p("// encodeResponse%s sets the header members and the payload of %s.", t, t)
	x.p("func encodeResponse%s(r *restxml.Response, v *%s) {", t, x.qual+t)
	x.p("if v == nil { return }")
	body := false
	for _, mem := range s.Members {
		ms := x.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		f := "v." + goName(mem.Name)
		switch {
		case mem.Location == "headers":
			x.p("r.SetMap(%q, %s)", wireName(mem), f)
		case mem.Location == "header" && ms.Type == "list":
			el := x.m.Shapes[ms.Member.Shape]
			if el.Type != "string" {
				return fmt.Errorf("member %s: only header lists of strings are supported", mem.Name)
			}
			if len(el.Enum) > 0 {
				x.p("if len(%s) > 0 { xs := make([]string, len(%s)); for i, e := range %s { xs[i] = string(e) }; r.SetList(%q, xs) }", f, f, f, wireName(mem))
			} else {
				x.p("r.SetList(%q, %s)", wireName(mem), f)
			}
		case mem.Location == "header":
			val := f
			if !req && pointered(ms) {
				val = "*" + f
			}
			stmt, err := x.headerSet(mem, val)
			if err != nil {
				return err
			}
			if req {
				x.p("%s", stmt)
			} else {
				x.p("if %s != nil { %s }", f, stmt)
			}
		case mem.Location == "" && mem.Name == s.Payload:
			switch {
			case mem.Streaming:
				x.p("if %s != nil { r.Stream = %s }", f, f)
			case ms.Type == "string":
				if req {
					x.p("r.Raw(%s)", f)
				} else {
					x.p("if %s != nil { r.Raw(*%s) }", f, f)
				}
			case ms.Type == "structure":
				x.p("if %s != nil { r.XML(func(e *restxml.Encoder) { encodeXML%s(e, %q, %s) }) }", f, x.types[mem.Shape], wireName(mem), f)
			default:
				return fmt.Errorf("member %s: a %s payload is not supported", mem.Name, ms.Type)
			}
		case mem.Location == "":
			body = true
		default:
			return fmt.Errorf("member %s: location %q is not supported in an output", mem.Name, mem.Location)
		}
	}
	if body {
		root := x.roots[name]
		if xmlTextRoots[name] {
			var text *Member
			for i := range s.Members {
				if s.Members[i].Location == "" {
					if text != nil {
						return fmt.Errorf("a text root has one member")
					}
					text = &s.Members[i]
				}
			}
			ms := x.m.Shapes[text.Shape]
			if ms.Type != "string" || s.isRequired(text.Name) {
				return fmt.Errorf("member %s: a text root is an optional string", text.Name)
			}
			conv := "*v." + goName(text.Name)
			if len(ms.Enum) > 0 {
				conv = "string(" + conv + ")"
			}
			x.p("r.XML(func(e *restxml.Encoder) {")
			x.p("text := \"\"")
			x.p("if v.%s != nil { text = %s }", goName(text.Name), conv)
			x.p("e.String(%q, text)", root)
			x.p("})")
		} else {
			x.p("r.XML(func(e *restxml.Encoder) { encodeXML%s(e, %q, v) })", t, root)
		}
	}
	x.p("}")
	x.p("")
	if body && xmlTextRoots[name] {
		x.xmlOut[name] = false
	}
	return nil
}

// elemEnc is the statement writing the element n of shape from the pointer
// p.
func (x *xmlGen) elemEnc(shape, n, p string) (string, error) {
	s := x.m.Shapes[shape]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return "e.String(" + n + ", string(*" + p + "))", nil
		}
		return "e.String(" + n + ", *" + p + ")", nil
	case "integer", "long":
		return "e.Int(" + n + ", int64(*" + p + "))", nil
	case "boolean":
		return "e.Bool(" + n + ", *" + p + ")", nil
	case "timestamp":
		return "e.Time(" + n + ", *" + p + ")", nil
	case "structure":
		return "encodeXML" + x.types[shape] + "(e, " + n + ", " + p + ")", nil
	}
	return "", fmt.Errorf("a %s in a response document is not supported", s.Type)
}

// encodeXML writes EncodeXML of a structure written into a response
// document: the element name with its attributes (and the namespace
// declaration the shape carries), then the body members in model order.
func (x *xmlGen) encodeXML(name, t string, s *Shape) error {
	if !x.xmlOut[name] {
		return nil
	}
	x.p("// encodeXML%s writes %s as the element name of a response document, omitting absent optional members.", t, t)
	x.p("func encodeXML%s(e *restxml.Encoder, name string, v *%s) {", t, x.qual+t)
	var attrs []string
	if ns := s.XMLNamespace; ns != nil && ns.Prefix != "" {
		attrs = append(attrs, strconv.Quote("xmlns:"+ns.Prefix), strconv.Quote(ns.URI))
	}
	hasAttrs := len(attrs) > 0
	for _, mem := range s.Members {
		hasAttrs = hasAttrs || mem.XMLAttribute
	}
	if !hasAttrs {
		x.p("e.Start(name)")
	} else {
		x.p("attrs := []string{%s}", strings.Join(attrs, ", "))
	}
	for _, mem := range s.Members {
		if !mem.XMLAttribute {
			continue
		}
		ms := x.m.Shapes[mem.Shape]
		if ms.Type != "string" {
			return fmt.Errorf("member %s: only string attributes are supported", mem.Name)
		}
		val := "v." + goName(mem.Name)
		req := s.isRequired(mem.Name)
		if !req {
			val = "*" + val
		}
		if len(ms.Enum) > 0 {
			val = "string(" + val + ")"
		}
		if req {
			x.p("attrs = append(attrs, %q, %s)", wireName(mem), val)
		} else {
			x.p("if v.%s != nil { attrs = append(attrs, %q, %s) }", goName(mem.Name), wireName(mem), val)
		}
	}
	if hasAttrs {
		x.p("e.Start(name, attrs...)")
	}
	for _, mem := range s.Members {
		if mem.XMLAttribute || mem.Location != "" || (s.Payload != "" && mem.Name == s.Payload) {
			continue
		}
		ms := x.m.Shapes[mem.Shape]
		req := s.isRequired(mem.Name)
		f := "v." + goName(mem.Name)
		if ms.Type == "list" {
			wrapper, elem := x.listNames(mem)
			stmt, err := x.elemEnc(ms.Member.Shape, strconv.Quote(elem), "&"+f+"[i]")
			if err != nil {
				return fmt.Errorf("member %s: %w", mem.Name, err)
			}
			if wrapper == "" {
				x.p("for i := range %s { %s }", f, stmt)
				continue
			}
			open := "if " + f + " != nil {"
			if req {
				open = "{"
			}
			x.p("%s", open)
			x.p("e.Start(%q)", wrapper)
			x.p("for i := range %s { %s }", f, stmt)
			x.p("e.End(%q)", wrapper)
			x.p("}")
			continue
		}
		if ms.Type == "map" || ms.Type == "blob" {
			return fmt.Errorf("member %s: a %s in a response document is not supported", mem.Name, ms.Type)
		}
		p := f
		if req {
			p = "&" + f
		}
		stmt, err := x.elemEnc(mem.Shape, strconv.Quote(wireName(mem)), p)
		if err != nil {
			return fmt.Errorf("member %s: %w", mem.Name, err)
		}
		if req {
			x.p("%s", stmt)
		} else {
			x.p("if %s != nil { %s }", f, stmt)
		}
	}
	x.p("e.End(name)")
	x.p("}")
	x.p("")
	return nil
}
