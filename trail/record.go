package trail

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// EventVersion is the version of CloudTrail's record format the events
// follow.
const EventVersion = "1.10"

// Event is one CloudTrail record (CloudTrail record contents,
// cloudtrail-event-reference-record-contents), with Gatehouse's addition:
// Decision, why a request was denied.
type Event struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []Resource      `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	SharedEventID       string          `json:"sharedEventID,omitempty"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          *TLSDetails     `json:"tlsDetails,omitempty"`
}

// UserIdentity is the record's userIdentity element
// (cloudtrail-event-reference-user-identity).
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer       *SessionIssuer       `json:"sessionIssuer,omitempty"`
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          SessionAttributes    `json:"attributes"`
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
	EC2RoleDelivery     string               `json:"ec2RoleDelivery,omitempty"`
}

// SessionIssuer is the entity whose credentials a session came from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// WebIDFederationData names the identity provider of a web identity session.
type WebIDFederationData struct {
	FederatedProvider string            `json:"federatedProvider"`
	Attributes        map[string]string `json:"attributes"`
}

// SessionAttributes are when a session was created and whether with MFA
// (both strings in CloudTrail's records).
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// TLSDetails is the request's TLS, when it used TLS.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite,omitempty"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader,omitempty"`
}

// Decision is what Gatehouse adds to the record of a denied request, in
// additionalEventData: why the request was denied (AWS records the error,
// never the reason).
type Decision struct {
	// Action and Resource are the permission that was missing.
	Action   string `json:"action"`
	Resource string `json:"resource,omitempty"`
	// Reason is the explanation of the decision: which policy type denied or
	// failed to allow, and the statement that decided.
	Reason string `json:"reason"`
}

// Call is what the server knows of one request when it ends, the input of
// Events.
type Call struct {
	// RequestID is the response's request id.
	RequestID string
	// Time is when the request arrived.
	Time time.Time
	// Service is the endpoint's signing name (iam, sts, s3, …).
	Service string
	// Operation is the API operation ("" when the request named none).
	Operation string
	// Caller is the authenticated caller (anonymous callers included);
	// nil when authentication failed.
	Caller *identity.Caller
	// KeyID and KeyAccount are the access key a request that failed
	// authentication presented, and its account when the key is known.
	KeyID, KeyAccount string
	// Region, SourceIP and UserAgent are the request's.
	Region, SourceIP, UserAgent string
	// TLS is the request's TLS, nil without.
	TLS *TLSDetails
	// Input and Output are the decoded input and the output (nil when the
	// request failed or had none).
	Input, Output any
	// ErrorCode and ErrorMessage are the error the caller received.
	ErrorCode, ErrorMessage string
	// Denied is why the request was denied, when it was.
	Denied *Decision
	// Resources are the resources the request named (from its
	// authorization). The entries Events returns may share the slice:
	// it is not changed once given.
	Resources []Resource
	// ResourceAccount is the account that owns what the request acted on,
	// when another than the caller's: the event is then recorded in both.
	ResourceAccount string
	// ReadOnly and Management classify the event.
	ReadOnly, Management bool
}

// Builder makes the events of calls. Its Redaction must not change once
// it has made events (how to write each Go type is compiled once, with the
// redaction of its members). A Builder must not be copied after first use.
type Builder struct {
	// Redaction says which members are sensitive.
	Redaction Redaction
	// NewID returns a fresh UUID (shared event ids; event ids too when
	// NewEventID is nil).
	NewID func() string
	// NewEventID returns a fresh event id for an event at a time
	// (NewEventID of this package: one a store finds through its second).
	// Nil: NewID.
	NewEventID func(t time.Time) string
	// Compact makes Events return entries in compact form (Entry.Compact,
	// no JSON), for a CompactWriter (Recorder.Compact).
	Compact bool

	params paramsWriter
	// identities are the userIdentities of the last callers.
	identities identities
	// parts keeps the buffers the parts of an event are rendered in
	// while it is built (*[]byte: a pointer goes in and out of a
	// sync.Pool without being boxed).
	parts sync.Pool
	// ents keeps the arrays Events returns entries in, with their
	// records' JSON buffers, once released (Release).
	ents sync.Pool
}

// Buffers larger than maxKeptBuffer are left to the collector.
const maxKeptBuffer = 16 << 10

// entries returns an array to return entries in, its records' buffers
// kept from an earlier event when it was released.
func (b *Builder) entries() *[2]Entry {
	if a, ok := b.ents.Get().(*[2]Entry); ok {
		return a
	}
	a := new([2]Entry)
	if b.Compact {
		a[0].Compact = make([]byte, 0, 1024)
	} else {
		a[0].JSON = make([]byte, 0, 1024)
	}
	return a
}

// Release returns the entries that Events made to the Builder, with their
// records' JSON, to be reused by later events: the caller calls it once
// the entries are stored (Recorder.Record returned nil) and reads them no
// more.
func (b *Builder) Release(entries []Entry) {
	if cap(entries) != 2 {
		return // not Events'
	}
	a := (*[2]Entry)(entries[:2])
	for i := range a {
		js, compact := a[i].JSON, a[i].Compact
		if cap(js) > maxKeptBuffer {
			js = nil
		}
		if cap(compact) > maxKeptBuffer {
			compact = nil
		}
		a[i] = Entry{JSON: js[:0], Compact: compact[:0]}
	}
	b.ents.Put(a)
}

// Events returns the entries a call produces: none for a call that cannot
// be attributed to an account (an unknown key, a request that named no
// account); one in the caller's account; and, for a call on another
// account's resource, one in that account too, both with one
// sharedEventID, the resource owner's naming the caller as an AWSAccount
// (as the IAM User Guide's cross-account AssumeRole example shows).
func (b *Builder) Events(c *Call) ([]Entry, error) {
	ev := Event{
		EventVersion:    EventVersion,
		EventSource:     EventSource(c.Service),
		EventName:       c.Operation,
		AWSRegion:       c.Region,
		SourceIPAddress: c.SourceIP,
		UserAgent:       c.UserAgent,
		ErrorCode:       c.ErrorCode,
		ErrorMessage:    c.ErrorMessage,
		RequestID:       c.RequestID,
		ReadOnly:        c.ReadOnly,
		Resources:       c.Resources,
		EventType:       "AwsApiCall",
		ManagementEvent: c.Management,
		EventCategory:   "Management",
		TLSDetails:      c.TLS,
	}
	if !c.Management {
		ev.EventCategory = "Data"
	}
	if ev.EventName == "" {
		ev.EventName = "Unknown"
	}
	var (
		account, username, principal string
		uid                          []byte // the userIdentity's JSON (compact form), when known
	)
	if c.Caller == nil {
		account, username, principal = b.identify(&ev.UserIdentity, c)
	} else {
		k := b.known(c)
		ev.UserIdentity, uid = k.u, k.json
		if b.Compact {
			uid = k.compact
		}
		account, username, principal = k.account, k.username, k.principal
	}
	if account == "" {
		account = c.ResourceAccount // anonymous: the resource owner's trail
	}
	if account == "" {
		return nil, nil
	}
	// The parts rendered once for both records, in one buffer: the
	// request's parameters, the response's elements, the decision.
	var ok bool
	ph, _ := b.parts.Get().(*[]byte)
	if ph == nil {
		ph = new([]byte)
	}
	parts := (*ph)[:0]
	defer func() { // copied into the records below
		if cap(parts) <= maxKeptBuffer {
			*ph = parts[:0]
			b.parts.Put(ph)
		}
	}()
	if parts, ok = b.params.appendParams(parts, b.Redaction, c.Input); ok {
		ev.RequestParameters = parts[:len(parts):len(parts)]
	}
	if c.ErrorCode == "" && !c.ReadOnly {
		// CloudTrail records the responses of calls that change
		// something; reads have responseElements null (IAM User Guide,
		// cloudtrail-integration.md, GetUserPolicy).
		at := len(parts)
		if parts, ok = b.params.appendParams(parts, b.Redaction, c.Output); ok {
			ev.ResponseElements = parts[at:len(parts):len(parts)]
		}
	}
	if c.Denied != nil {
		at := len(parts)
		parts = append(parts, `{"gatehouseDecision":`...)
		parts = appendDecision(parts, c.Denied)
		parts = append(parts, '}')
		ev.AdditionalEventData = parts[at:len(parts):len(parts)]
	}
	ev.RecipientAccountID = account
	ev.EventID = b.eventID(c.Time)
	other := c.ResourceAccount != "" && c.ResourceAccount != account
	if other {
		ev.SharedEventID = b.NewID()
	}
	res := indexableResources(ev.Resources)
	eventTime := c.Time.UTC()
	arr := b.entries()
	var at recordOffsets
	first := entryOf(&ev, eventTime, username, principal, res, nil)
	if b.Compact {
		first.Compact = appendCompact(arr[0].Compact[:0], &ev, eventTime, uid, username, principal)
	} else {
		first.JSON = appendEvent(arr[0].JSON[:0], &ev, eventTime, uid, &at)
	}
	if !other {
		arr[0] = first
		return arr[:1], nil
	}
	theirs := b.theirs(&ev, c)
	second := entryOf(&theirs, eventTime, "", principal, slices.Clone(res), nil)
	if b.Compact {
		second.Compact = appendCompact(arr[1].Compact[:0], &theirs, eventTime, nil, "", principal)
	} else {
		// Spliced from the caller's record.
		mine := first.JSON
		js := append(arr[1].JSON[:0], mine[:at.identity]...)
		js = appendUserIdentity(js, &theirs.UserIdentity)
		js = append(js, mine[at.identityEnd:at.additional]...)
		js = append(js, mine[at.additionalEnd:at.eventID]...)
		js = appendJSONString(js, theirs.EventID)
		js = append(js, mine[at.eventIDEnd:at.recipient]...)
		js = appendJSONString(js, theirs.RecipientAccountID)
		second.JSON = append(js, mine[at.recipientEnd:]...)
	}
	arr[0], arr[1] = first, second
	return arr[:2], nil
}

// theirs is the resource owner's event of a cross-account call: the
// caller's with another userIdentity, eventID and recipientAccountId, and
// without additionalEventData (the resource owner learns the call, not
// the caller's reasons).
func (b *Builder) theirs(ev *Event, c *Call) Event {
	theirs := *ev
	theirs.EventID = b.eventID(c.Time)
	theirs.RecipientAccountID = c.ResourceAccount
	theirs.UserIdentity = UserIdentity{Type: "AWSAccount", PrincipalID: ev.UserIdentity.PrincipalID,
		AccountID: ev.UserIdentity.AccountID, AccessKeyID: ev.UserIdentity.AccessKeyID}
	theirs.AdditionalEventData = nil
	return theirs
}

// eventID is a fresh id for an event at t.
func (b *Builder) eventID(t time.Time) string {
	if b.NewEventID != nil {
		return b.NewEventID(t)
	}
	return b.NewID()
}

// entry returns the entry of an event that happened at t (the event's
// EventTime is t's, to the second); at receives where the parts a second
// record changes are in its JSON.
func entry(ev *Event, t time.Time, username, principal string, res []Resource, at *recordOffsets) Entry {
	js := appendEvent(make([]byte, 0, 1024), ev, t, nil, at)
	return entryOf(ev, t, username, principal, res, js)
}

func entryOf(ev *Event, t time.Time, username, principal string, res []Resource, js []byte) Entry {
	return Entry{Account: ev.RecipientAccountID, EventID: ev.EventID, Time: recordTime(t), EventName: indexable(ev.EventName),
		EventSource: ev.EventSource, Username: indexable(username), AccessKeyID: indexable(ev.UserIdentity.AccessKeyID),
		Principal: indexable(principal), ReadOnly: ev.ReadOnly, Management: ev.ManagementEvent, Resources: res, JSON: js}
}

// recordTime is t as the record holds it: UTC, to the second; the zero
// time for a year RFC 3339 cannot write (as parsing the record's eventTime
// gives).
func recordTime(t time.Time) time.Time {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	return t.Truncate(time.Second)
}

// indexableResources are a record's resources as the stores index them:
// rs itself when every value is indexable as it is (the usual case, and
// no allocation per request), else a copy with the values made so.
func indexableResources(rs []Resource) []Resource {
	if len(rs) == 0 {
		return nil
	}
	i := 0
	for ; i < len(rs); i++ {
		if r := &rs[i]; !plain(r.ARN) || !plain(r.AccountID) || !plain(r.Type) {
			break
		}
	}
	if i == len(rs) {
		return rs
	}
	res := make([]Resource, len(rs))
	for i, r := range rs {
		res[i] = Resource{ARN: indexable(r.ARN), AccountID: indexable(r.AccountID), Type: indexable(r.Type)}
	}
	return res
}

// indexable is a value as the stores index it: valid UTF-8 without NUL (an
// S3 key may hold either; PostgreSQL's text refuses both, and one such
// entry would fail the whole batch it is committed with). The record's JSON
// keeps the value, escaped.
func indexable(s string) string {
	if plain(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// plain reports whether s is ASCII without NUL: indexable as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b == 0 || b >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// identify fills the record's userIdentity and returns the caller's
// account, the Username LookupEvents reports, and the IAM entity.
func (b *Builder) identify(u *UserIdentity, c *Call) (account, username, principal string) {
	caller := c.Caller
	if caller == nil {
		// Authentication failed: what is known is the key presented.
		*u = UserIdentity{Type: "Unknown", AccessKeyID: c.KeyID, AccountID: c.KeyAccount}
		return c.KeyAccount, "", ""
	}
	p := caller.Principal
	mfa := "false"
	if caller.MFAAuthenticated {
		mfa = "true"
	}
	attrs := SessionAttributes{MFAAuthenticated: mfa}
	if !caller.TokenIssueTime.IsZero() {
		attrs.CreationDate = caller.TokenIssueTime.UTC().Format(time.RFC3339)
	}
	temporary := strings.HasPrefix(caller.AccessKeyID, "ASIA")
	switch p.Type {
	case policy.PrincipalAnonymous:
		*u = UserIdentity{Type: "AWSAccount", AccountID: "ANONYMOUS_PRINCIPAL"}
		return "", "", ""
	case policy.PrincipalRoot:
		*u = UserIdentity{Type: "Root", PrincipalID: caller.Account, ARN: p.ARN, AccountID: caller.Account, AccessKeyID: caller.AccessKeyID}
		if temporary {
			u.SessionContext = &SessionContext{Attributes: attrs}
		}
		return caller.Account, "root", p.ARN
	case policy.PrincipalUser:
		*u = UserIdentity{Type: "IAMUser", PrincipalID: caller.UserID, ARN: p.ARN, AccountID: caller.Account,
			AccessKeyID: caller.AccessKeyID, UserName: caller.UserName}
		if temporary {
			u.SessionContext = &SessionContext{Attributes: attrs}
		}
		return caller.Account, caller.UserName, p.ARN
	case policy.PrincipalRoleSession:
		roleID, _, _ := strings.Cut(caller.UserID, ":")
		roleName := ""
		if a, err := arn.Parse(p.RoleARN); err == nil {
			roleName = a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
		}
		sc := &SessionContext{Attributes: attrs, SourceIdentity: caller.SourceIdentity,
			SessionIssuer: &SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: p.RoleARN, AccountID: caller.Account, UserName: roleName}}
		if caller.FederatedProvider != "" {
			sc.WebIDFederationData = &WebIDFederationData{FederatedProvider: caller.FederatedProvider, Attributes: map[string]string{}}
		}
		if caller.SourceInstanceARN != "" {
			sc.EC2RoleDelivery = "2.0"
		}
		*u = UserIdentity{Type: "AssumedRole", PrincipalID: caller.UserID, ARN: p.ARN, AccountID: caller.Account,
			AccessKeyID: caller.AccessKeyID, SessionContext: sc}
		return caller.Account, caller.SessionName, p.RoleARN
	case policy.PrincipalFederatedUser:
		*u = UserIdentity{Type: "FederatedUser", PrincipalID: caller.UserID, ARN: p.ARN, AccountID: caller.Account,
			AccessKeyID: caller.AccessKeyID, SessionContext: &SessionContext{Attributes: attrs}}
		return caller.Account, caller.SessionName, p.ARN
	}
	*u = UserIdentity{Type: "Unknown", PrincipalID: caller.UserID, ARN: p.ARN, AccountID: caller.Account, AccessKeyID: caller.AccessKeyID}
	return caller.Account, "", p.ARN
}

// EventSource is the eventSource of a service's events: its host name
// (iam.amazonaws.com, access-analyzer.amazonaws.com).
func EventSource(service string) string {
	switch service {
	case "":
		return "unknown"
	case "gatehouse":
		return "gatehouse.amazonaws.com"
	// The services Gatehouse serves, without a concatenation per event.
	case "iam":
		return "iam.amazonaws.com"
	case "sts":
		return "sts.amazonaws.com"
	case "s3":
		return "s3.amazonaws.com"
	case "organizations":
		return "organizations.amazonaws.com"
	case "access-analyzer":
		return "access-analyzer.amazonaws.com"
	case "cloudtrail":
		return "cloudtrail.amazonaws.com"
	}
	return service + ".amazonaws.com"
}

// ResourceOf is the record's resource for an ARN a request named: its
// account and CloudFormation-style type; ok is false for "*" and for what
// is no ARN.
func ResourceOf(s string) (Resource, bool) {
	if !strings.HasPrefix(s, "arn:") {
		return Resource{}, false // "*", a name: no error built to say so
	}
	a, err := arn.Parse(s)
	if err != nil {
		return Resource{}, false
	}
	kind, _, _ := strings.Cut(a.Resource, "/")
	typ := ""
	switch a.Service {
	case "iam":
		switch kind {
		case "user":
			typ = "AWS::IAM::User"
		case "group":
			typ = "AWS::IAM::Group"
		case "role":
			typ = "AWS::IAM::Role"
		case "policy":
			typ = "AWS::IAM::Policy"
		case "instance-profile":
			typ = "AWS::IAM::InstanceProfile"
		case "mfa":
			typ = "AWS::IAM::MFADevice"
		case "oidc-provider":
			typ = "AWS::IAM::OIDCProvider"
		case "saml-provider":
			typ = "AWS::IAM::SAMLProvider"
		case "root":
			typ = "AWS::IAM::Root"
		}
	case "sts":
		switch kind {
		case "assumed-role":
			typ = "AWS::STS::AssumedRole"
		case "federated-user":
			typ = "AWS::STS::FederatedUser"
		}
	case "s3":
		typ = "AWS::S3::Bucket"
		if strings.Contains(a.Resource, "/") {
			typ = "AWS::S3::Object"
		}
	case "organizations":
		switch kind {
		case "account":
			typ = "AWS::Organizations::Account"
		case "ou":
			typ = "AWS::Organizations::OrganizationalUnit"
		case "policy":
			typ = "AWS::Organizations::Policy"
		case "root":
			typ = "AWS::Organizations::Root"
		case "organization":
			typ = "AWS::Organizations::Organization"
		}
	case "access-analyzer":
		if kind == "analyzer" {
			typ = "AWS::AccessAnalyzer::Analyzer"
		}
	}
	if typ == "" {
		typ = "AWS::" + strings.ToUpper(a.Service) + "::" + kind
	}
	return Resource{ARN: s, AccountID: a.Account, Type: typ}, true
}
