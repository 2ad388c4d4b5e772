package gen

import (
	"fmt"
	"strings"
)

// GenerateJSONAPI returns the Go sources of package pkg for a model of the
// AWS JSON protocol (Organizations: one type per structure and enum shape
// used by an operation) and of package codecPkg (decoders, model
// constraints included, for the input side, encoders for the output side,
// and the operation table keyed by the X-Amz-Target operation name). The
// sources are gofmt'd.
func GenerateJSONAPI(m *Model, pkg, codecPkg string) (*Files, error) {
	g := newAPIGen(m, pkg, codecPkg)
	g.json = true
	if m.Metadata.Protocol == "json" && m.Metadata.TargetPrefix == "" {
		return nil, fmt.Errorf("model %s: no targetPrefix", m.Metadata.UID)
	}
	return g.generate(protocolGen{
		name: "json",
		consts: []constDecl{
			{"APIVersion", "the API version of the " + m.Metadata.ServiceID + " model", m.Metadata.APIVersion},
			{"TargetPrefix", "the X-Amz-Target prefix of " + m.Metadata.ServiceID + " operations", m.Metadata.TargetPrefix},
		},
		operations: g.jsonOperations,
	})
}

// selfValidating lists, by serviceId, the AWS JSON 1.1 services that check
// their inputs' constraints themselves, each failure with the operation's
// own exception (awsjson.Service.SelfValidating): CloudTrail's model declares
// no validation exception, and its operations declare one for every
// constraint they document — LookupEvents' InvalidMaxResultsException for a
// MaxResults outside 1 to 50, InvalidLookupAttributesException for a lookup
// attribute that is not valid
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html#API_LookupEvents_Errors).
var selfValidating = map[string]bool{"CloudTrail": true}

func (g *apiGen) jsonOperations() {
	md := g.m.Metadata
	g.p("// Service returns the %s service: signing name, target prefix, operation table and codec.", md.ServiceID)
	g.p("func Service() *awsjson.Service {")
	self := ""
	if selfValidating[md.ServiceID] {
		self = ", SelfValidating: true"
	}
	g.p("return &awsjson.Service{Name: %q, TargetPrefix: %sTargetPrefix, Lookup: LookupOperation, MessageKey: %q%s, DecodeInput: decodeAny, EncodeOutput: encodeAny}",
		md.EndpointPrefix, g.qual, g.messageKey(), self)
	g.p("}")
	g.p("")
	g.operationTable("name", func(n string, op *Operation) string {
		return fmt.Sprintf("Name: %q, Errors: %s, NewInput: %s", n, g.errorCodes(op), g.newInput(op))
	})
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
