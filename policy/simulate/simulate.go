// Package simulate is the input and output format of `gatehouse policy simulate`:
// one JSON object naming a request and the policies that apply to it, answered by
// one JSON object with the decision and its explanation. The CLI and the
// conformance corpus share it.
package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// Input is the simulate input document.
type Input struct {
	Request                 RequestInput        `json:"request"`
	IdentityPolicies        []json.RawMessage   `json:"identityPolicies"`
	PermissionsBoundary     json.RawMessage     `json:"permissionsBoundary"`
	SessionPolicies         []json.RawMessage   `json:"sessionPolicies"`
	ResourcePolicy          json.RawMessage     `json:"resourcePolicy"`
	ServiceControlPolicies  [][]json.RawMessage `json:"serviceControlPolicies"`
	ResourceControlPolicies [][]json.RawMessage `json:"resourceControlPolicies"`
	VPCEndpointPolicies     []json.RawMessage   `json:"vpcEndpointPolicies"`
	PrincipalInfo           PrincipalInfo       `json:"principalInfo"`
}

// RequestInput is the request part of Input.
type RequestInput struct {
	Principal       string                     `json:"principal"`
	Anonymous       bool                       `json:"anonymous"`
	Action          string                     `json:"action"`
	Resource        string                     `json:"resource"`
	ResourceAccount string                     `json:"resourceAccount"`
	Context         map[string]json.RawMessage `json:"context"`
}

// PrincipalInfo adds facts about the principal that its ARN does not tell.
type PrincipalInfo struct {
	ManagementAccount bool `json:"managementAccount"`
	ServiceLinkedRole bool `json:"serviceLinkedRole"`
	// CanonicalUser is the S3 canonical user ID of the principal's account.
	CanonicalUser string `json:"canonicalUser"`
}

// Output is the simulate output document.
type Output struct {
	Decision    string              `json:"decision"`
	Explanation *policy.Explanation `json:"explanation"`
}

// Error is a malformed input, printed as {"error": {"code", "message"}}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func inputErr(format string, args ...any) *Error {
	return &Error{Code: "InvalidInput", Message: fmt.Sprintf(format, args...)}
}

// Run decodes one input document, evaluates it and returns the output. Errors are
// *Error.
func Run(data []byte) (*Output, error) {
	in, err := Decode(data)
	if err != nil {
		return nil, err
	}
	set, req, err := in.Build()
	if err != nil {
		return nil, err
	}
	e := policy.Explain(set, req)
	return &Output{Decision: e.DecisionText, Explanation: e}, nil
}

// Decode parses an input document strictly: unknown keys are errors.
func Decode(data []byte) (*Input, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in Input
	if err := dec.Decode(&in); err != nil {
		return nil, inputErr("malformed simulate input: %v", err)
	}
	if dec.More() {
		return nil, inputErr("malformed simulate input: more than one JSON value")
	}
	return &in, nil
}

// Build turns the input into a policy set and a request.
func (in *Input) Build() (*policy.Set, *policy.Request, error) {
	r := &in.Request
	if r.Action == "" {
		return nil, nil, inputErr("request.action is required")
	}
	req := &policy.Request{Action: r.Action, Resource: r.Resource, ResourceAccount: r.ResourceAccount}
	if req.Resource == "" {
		req.Resource = "*"
	}
	switch {
	case r.Anonymous:
		if r.Principal != "" {
			return nil, nil, inputErr("request.principal must be empty when request.anonymous is true")
		}
		req.Principal = policy.Principal{Type: policy.PrincipalAnonymous}
	case r.Principal == "":
		return nil, nil, inputErr("request.principal is required unless request.anonymous is true")
	default:
		p, ok := policy.PrincipalFromARN(r.Principal)
		if !ok {
			return nil, nil, inputErr("request.principal %q is not a user, role, assumed-role, federated-user or root ARN, an identity provider or a service principal", r.Principal)
		}
		p.ManagementAccount = in.PrincipalInfo.ManagementAccount
		p.ServiceLinkedRole = p.ServiceLinkedRole || in.PrincipalInfo.ServiceLinkedRole
		p.CanonicalUser = in.PrincipalInfo.CanonicalUser
		req.Principal = p
	}
	ctx := policy.NewContext(len(r.Context))
	for k, raw := range r.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return nil, nil, inputErr("request.context[%q]: %v", k, err)
		}
		ctx.Set(k, vals...)
	}
	req.Context = ctx

	set := &policy.Set{}
	var err error
	for i, d := range in.IdentityPolicies {
		p, e := compile(d, policy.KindIdentity, "identityPolicies["+strconv.Itoa(i)+"]")
		if e != nil {
			return nil, nil, e
		}
		set.Identity = append(set.Identity, p)
	}
	if isPresent(in.PermissionsBoundary) {
		if set.Boundary, err = compile(in.PermissionsBoundary, policy.KindBoundary, "permissionsBoundary"); err != nil {
			return nil, nil, err
		}
	}
	for i, d := range in.SessionPolicies {
		p, e := compile(d, policy.KindSession, "sessionPolicies["+strconv.Itoa(i)+"]")
		if e != nil {
			return nil, nil, e
		}
		set.Session = append(set.Session, p)
	}
	if isPresent(in.ResourcePolicy) {
		kind := policy.KindResource
		if isAssumeRoleAction(r.Action) {
			kind = policy.KindTrust
		}
		if set.Resource, err = compile(in.ResourcePolicy, kind, "resourcePolicy"); err != nil {
			return nil, nil, err
		}
	}
	if set.SCP, err = levels(in.ServiceControlPolicies, policy.KindSCP, "serviceControlPolicies"); err != nil {
		return nil, nil, err
	}
	if set.RCP, err = levels(in.ResourceControlPolicies, policy.KindRCP, "resourceControlPolicies"); err != nil {
		return nil, nil, err
	}
	for i, d := range in.VPCEndpointPolicies {
		p, e := compile(d, policy.KindVPCEndpoint, "vpcEndpointPolicies["+strconv.Itoa(i)+"]")
		if e != nil {
			return nil, nil, e
		}
		set.VPCEndpoint = append(set.VPCEndpoint, p)
	}
	return set, req, nil
}

func isAssumeRoleAction(a string) bool {
	switch a {
	case "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity":
		return true
	}
	return false
}

func levels(in [][]json.RawMessage, kind policy.Kind, field string) ([][]*policy.Policy, error) {
	var out [][]*policy.Policy
	for i, lvl := range in {
		var ps []*policy.Policy
		for j, d := range lvl {
			p, err := compile(d, kind, fmt.Sprintf("%s[%d][%d]", field, i, j))
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		out = append(out, ps)
	}
	return out, nil
}

func isPresent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// compile accepts a policy object or a JSON string holding one.
func compile(raw json.RawMessage, kind policy.Kind, name string) (*policy.Policy, error) {
	doc := string(bytes.TrimSpace(raw))
	if len(doc) > 0 && doc[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, inputErr("%s: %v", name, err)
		}
		doc = s
	}
	p, err := policy.ParseAndCompile(name, doc, kind)
	if err != nil {
		return nil, &Error{Code: "MalformedPolicyDocument", Message: name + ": " + err.Error()}
	}
	return p, nil
}

// contextValues accepts a string, number or boolean, or an array of them.
func contextValues(raw json.RawMessage) ([]string, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(t, &arr); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(arr))
		for _, a := range arr {
			s, err := scalar(a)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(t)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func scalar(raw json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("values must be strings, numbers or booleans")
}
