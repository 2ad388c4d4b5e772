package sts

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// Encoded authorization messages.
//
// Some AWS services (EC2 foremost) append "Encoded authorization failure
// message: …" to an authorization failure; DecodeAuthorizationMessage turns
// it back into a JSON document for callers allowed
// sts:DecodeAuthorizationMessage (STS API reference,
// API_DecodeAuthorizationMessage). IAM and STS themselves never encode one:
// their AccessDenied messages state the action, the resource and the missing
// allow or the deny in plain words (IAM User Guide,
// troubleshoot_access-denied), and Gatehouse's do the same. The encoder is
// here for services that will, and for the authorization API.
//
// The decoded document follows the shape AWS returns (IAM User Guide,
// sts_example_sts_DecodeAuthorizationMessage_section): allowed, explicitDeny,
// matchedStatements, failures and context {principal {id, name, arn}, action,
// resource, conditions}, every list an {"items": [...]} object. Gatehouse adds
// to each matched statement the policy it comes from (policyName, policyType),
// the condition operators, and lists in failures the reason of a deny in the
// words of its AccessDenied messages. Context keys appear in lower case:
// condition keys are case-insensitive and the engine stores them folded.
//
// The message is the JSON, compressed with DEFLATE, sealed by the keyring
// (AES-256-GCM) with the account of the denied caller as associated data, in
// unpadded base64url (AWS's messages use the same alphabet). It opens only
// for callers of that account, and only on servers that share the keyring.

// maxEncodedMessage is the longest EncodedMessage DecodeAuthorizationMessage
// accepts (its Length Constraints in the STS API reference).
const maxEncodedMessage = 10240

// authMessageAD prefixes the associated data of sealed messages, so that no
// other sealed value (a session token, a secret) opens as one.
const authMessageAD = "gatehouse authorization message\x00"

// list is AWS's JSON list form: {"items": [...]}, never null.
type list[T any] struct {
	Items []T `json:"items"`
}

func newList[T any](xs []T) list[T] {
	if xs == nil {
		xs = []T{}
	}
	return list[T]{Items: xs}
}

type msgValue struct {
	Value string `json:"value"`
}

func values(vs []string) list[msgValue] {
	out := make([]msgValue, len(vs))
	for i, v := range vs {
		out[i] = msgValue{Value: v}
	}
	return newList(out)
}

type msgCondition struct {
	// Operator is a Gatehouse addition, for the statements' conditions.
	Operator string         `json:"operator,omitempty"`
	Key      string         `json:"key"`
	Values   list[msgValue] `json:"values"`
}

type msgStatement struct {
	StatementID     string             `json:"statementId"`
	Effect          string             `json:"effect"`
	Principals      list[msgValue]     `json:"principals"`
	PrincipalGroups list[msgValue]     `json:"principalGroups"`
	Actions         list[msgValue]     `json:"actions"`
	NotActions      bool               `json:"notAction,omitempty"`
	Resources       list[msgValue]     `json:"resources"`
	NotResources    bool               `json:"notResource,omitempty"`
	Conditions      list[msgCondition] `json:"conditions"`
	PolicyName      string             `json:"policyName,omitempty"`
	PolicyType      string             `json:"policyType,omitempty"`
}

type msgPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

type msgContext struct {
	Principal  msgPrincipal       `json:"principal"`
	Action     string             `json:"action"`
	Resource   string             `json:"resource"`
	Conditions list[msgCondition] `json:"conditions"`
}

// authorizationMessage is the decoded form of an encoded authorization
// message, as DecodeAuthorizationMessage returns it (JSON).
type authorizationMessage struct {
	Allowed           bool               `json:"allowed"`
	ExplicitDeny      bool               `json:"explicitDeny"`
	MatchedStatements list[msgStatement] `json:"matchedStatements"`
	Failures          list[msgValue]     `json:"failures"`
	Context           msgContext         `json:"context"`
}

// explainAuthorization evaluates req against set with policy.Explain and
// describes the decision as a decoded authorization message for caller c.
func explainAuthorization(c *identity.Caller, set *policy.Set, req *policy.Request) *authorizationMessage {
	e := policy.Explain(set, req)
	m := &authorizationMessage{
		Allowed:      e.Decision == policy.Allowed,
		ExplicitDeny: e.Decision == policy.ExplicitDeny,
		Context: msgContext{
			Principal: msgPrincipal{ID: c.UserID, Name: c.UserName, ARN: c.ARN()},
			Action:    req.Action, Resource: req.Resource,
			Conditions: contextConditions(req.Context),
		},
	}
	var failures []string
	if !m.Allowed {
		failures = append(failures, e.Reason)
	}
	m.Failures = values(failures)
	// The statements' principals: the caller's unique id for its own
	// policies (a role session's is its role's id), as AWS lists them.
	self, _, _ := strings.Cut(c.UserID, ":")
	stmts := make([]msgStatement, 0, len(e.MatchedStatements))
	for _, sm := range e.MatchedStatements {
		stmts = append(stmts, describeStatement(set, sm, self))
	}
	m.MatchedStatements = newList(stmts)
	return m
}

// describeStatement finds a matched statement in its policy and describes it.
func describeStatement(set *policy.Set, sm policy.StatementMatch, self string) msgStatement {
	out := msgStatement{
		StatementID: sm.Sid, Effect: strings.ToUpper(sm.Effect),
		PolicyName: sm.Policy, PolicyType: sm.Layer,
		Principals: values(nil), PrincipalGroups: values(nil), Actions: values(nil), Resources: values(nil),
		Conditions: newList[msgCondition](nil),
	}
	p := findPolicy(set, sm.Layer, sm.Policy)
	if p == nil || p.Doc == nil || sm.Statement >= len(p.Doc.Statements) {
		return out
	}
	st := p.Doc.Statements[sm.Statement]
	switch {
	case st.Principal != nil && st.Principal.Wildcard:
		out.Principals = values([]string{"*"})
	case st.Principal != nil:
		var ps []string
		ps = append(ps, st.Principal.AWS...)
		ps = append(ps, st.Principal.Service...)
		ps = append(ps, st.Principal.Federated...)
		out.Principals = values(ps)
	case self != "":
		out.Principals = values([]string{self})
	}
	out.Actions, out.NotActions = values(st.Actions), st.NotAction
	res := st.Resources
	if res == nil {
		res = []string{"*"}
	}
	out.Resources, out.NotResources = values(res), st.NotResource
	conds := make([]msgCondition, len(st.Conditions))
	for i, c := range st.Conditions {
		conds[i] = msgCondition{Operator: c.Operator, Key: c.Key, Values: values(c.Values)}
	}
	out.Conditions = newList(conds)
	return out
}

// findPolicy returns the policy of set named name in the layer with the given
// key (policy.Layer.Key).
func findPolicy(set *policy.Set, layer, name string) *policy.Policy {
	find := func(ps []*policy.Policy) *policy.Policy {
		for _, p := range ps {
			if p != nil && p.Name == name {
				return p
			}
		}
		return nil
	}
	one := func(p *policy.Policy) []*policy.Policy { return []*policy.Policy{p} }
	switch layer {
	case policy.LayerIdentity.Key():
		return find(set.Identity)
	case policy.LayerBoundary.Key():
		return find(one(set.Boundary))
	case policy.LayerSession.Key():
		return find(set.Session)
	case policy.LayerResource.Key():
		return find(one(set.Resource))
	case policy.LayerVPCEndpoint.Key():
		return find(set.VPCEndpoint)
	case policy.LayerSCP.Key():
		for _, lv := range set.SCP {
			if p := find(lv); p != nil {
				return p
			}
		}
	case policy.LayerRCP.Key():
		for _, lv := range set.RCP {
			if p := find(lv); p != nil {
				return p
			}
		}
	}
	return nil
}

// contextConditions lists a request context's keys and values, sorted by key.
func contextConditions(ctx *policy.Context) list[msgCondition] {
	keys := ctx.Keys()
	sort.Strings(keys)
	out := make([]msgCondition, 0, len(keys))
	for _, k := range keys {
		v, _ := ctx.Get(k)
		out = append(out, msgCondition{Key: k, Values: values(v)})
	}
	return newList(out)
}

// EncodeAuthorizationMessage explains the decision of req against set for
// caller c and returns it as an encoded authorization message, which
// DecodeAuthorizationMessage opens for callers of c's account. A message that
// would exceed the 10,240 characters DecodeAuthorizationMessage accepts
// loses first its context's condition values, then its statements'
// conditions, then statements from the end (a deciding deny is kept).
func (s *Service) EncodeAuthorizationMessage(c *identity.Caller, set *policy.Set, req *policy.Request) (string, error) {
	m := explainAuthorization(c, set, req)
	for {
		enc, err := s.sealMessage(c.Account, m)
		if err != nil || len(enc) <= maxEncodedMessage {
			return enc, err
		}
		if !shrink(m) {
			return "", fmt.Errorf("sts: authorization message does not fit in %d characters", maxEncodedMessage)
		}
	}
}

// shrink drops detail from m; it reports false when nothing is left to drop.
func shrink(m *authorizationMessage) bool {
	if len(m.Context.Conditions.Items) > 0 {
		m.Context.Conditions = newList[msgCondition](nil)
		return true
	}
	stmts := m.MatchedStatements.Items
	for i := range stmts {
		if len(stmts[i].Conditions.Items) > 0 {
			for j := range stmts {
				stmts[j].Conditions = newList[msgCondition](nil)
			}
			return true
		}
	}
	for i := len(stmts) - 1; i >= 0; i-- {
		if !(m.ExplicitDeny && stmts[i].Effect == "DENY") {
			m.MatchedStatements.Items = append(stmts[:i:i], stmts[i+1:]...)
			return true
		}
	}
	return false
}

func (s *Service) sealMessage(account string, m *authorizationMessage) (string, error) {
	js, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("sts: encoding an authorization message: %w", err)
	}
	var buf bytes.Buffer
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(js); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	sealed, err := s.sealer.Seal(buf.Bytes(), []byte(authMessageAD+account))
	if err != nil {
		return "", fmt.Errorf("sts: sealing an authorization message: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// invalidMessage is the answer to an encoded message that does not open.
func invalidMessage() *awserr.Error {
	return awserr.InvalidAuthorizationMessageException("The encoded authorization message is not valid.")
}

// decodeAuthorizationMessage opens an encoded authorization message sealed
// for the caller's account. Authorization (sts:DecodeAuthorizationMessage)
// happens before, in the dispatcher.
func (s *Service) decodeAuthorizationMessage(ctx context.Context, c *identity.Caller, in *stsapi.DecodeAuthorizationMessageRequest) (*stsapi.DecodeAuthorizationMessageResponse, error) {
	raw := strings.TrimRight(strings.TrimSpace(in.EncodedMessage), "=")
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, invalidMessage().WithCause(err)
	}
	zipped, err := s.sealer.Open(sealed, []byte(authMessageAD+c.Account))
	if err != nil {
		return nil, invalidMessage().WithCause(err)
	}
	// The plaintext was sealed by this cluster; still bound what it inflates to.
	js, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(zipped)), 1<<20))
	if err != nil {
		return nil, invalidMessage().WithCause(err)
	}
	if !json.Valid(js) {
		return nil, invalidMessage()
	}
	out := string(js)
	return &stsapi.DecodeAuthorizationMessageResponse{DecodedMessage: &out}, nil
}
