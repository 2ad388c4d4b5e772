package trail

// The implementation of Params and Events before they wrote records with an
// appender, kept as the oracle the appender must match byte for byte.

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// oracleParams is Redaction.Params as it was before the appender: it renders a request's input or a response's output as CloudTrail
// does in requestParameters and responseElements: an object whose keys are
// the members' names with a lower-case first letter, omitting members that
// are not set, timestamps in CloudTrail's layout, credentials left out and
// other sensitive values Hidden. It returns nil (JSON null) for a value with
// nothing to record.
func oracleParams(r Redaction, v any) json.RawMessage {
	if v == nil {
		return nil
	}
	x, ok := oracleValue(r, reflect.ValueOf(v), 0)
	if !ok {
		return nil
	}
	if m, isMap := x.(map[string]any); isMap && len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil
	}
	return b
}

// value converts v to what encoding/json writes as CloudTrail writes it;
// ok is false when v is not set (or not recordable: streams, functions).
func oracleValue(r Redaction, v reflect.Value, depth int) (any, bool) {
	if depth > maxDepth || !v.IsValid() {
		return nil, false
	}
	if v.Type().Implements(readerType) && v.Kind() != reflect.Struct {
		return nil, false // a streamed body
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		return oracleValue(r, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return nil, false
			}
			return t.UTC().Format(timeLayout), true
		}
		return oracleObject(r, v, depth), true
	case reflect.String:
		if v.Len() == 0 {
			return nil, false
		}
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() == 0 {
				return nil, false
			}
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
		out := make([]any, 0, v.Len())
		for i := range v.Len() {
			if x, ok := oracleValue(r, v.Index(i), depth+1); ok {
				out = append(out, x)
			}
		}
		return out, true
	case reflect.Map:
		if v.IsNil() || v.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			if x, ok := oracleValue(r, it.Value(), depth+1); ok {
				out[it.Key().String()] = x
			}
		}
		return out, true
	}
	return nil, false
}

// object renders a structure's set members.
func oracleObject(r Redaction, v reflect.Value, depth int) map[string]any {
	t := v.Type()
	out := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if secrets[f.Name] || f.Tag.Get("json") == "-" {
			continue
		}
		x, ok := oracleValue(r, v.Field(i), depth+1)
		if !ok {
			continue
		}
		if r.sensitive(t, f.Name) {
			x = Hidden
		}
		out[memberName(f)] = x
	}
	return out
}

// oracleEvents is Builder.Events as it was before the appender: it returns the entries a call produces: none for a call that cannot
// be attributed to an account (an unknown key, a request that named no
// account); one in the caller's account; and, for a call on another
// account's resource, one in that account too, both with one
// sharedEventID, the resource owner's naming the caller as an AWSAccount
// (as the IAM User Guide's cross-account AssumeRole example shows).
func oracleEvents(b *Builder, c *Call) ([]Entry, error) {
	ev := Event{
		EventVersion:    EventVersion,
		EventTime:       c.Time.UTC().Format(time.RFC3339),
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
	ev.RequestParameters = oracleParams(b.Redaction, c.Input)
	if c.ErrorCode == "" && !c.ReadOnly {
		// CloudTrail records the responses of calls that change
		// something; reads have responseElements null (IAM User Guide,
		// cloudtrail-integration.md, GetUserPolicy).
		ev.ResponseElements = oracleParams(b.Redaction, c.Output)
	}
	if c.Denied != nil {
		d, err := json.Marshal(map[string]any{"gatehouseDecision": c.Denied})
		if err != nil {
			return nil, err
		}
		ev.AdditionalEventData = d
	}
	account, username, principal := b.identify(&ev.UserIdentity, c)
	if account == "" {
		account = c.ResourceAccount // anonymous: the resource owner's trail
	}
	if account == "" {
		return nil, nil
	}
	ev.RecipientAccountID = account
	ev.EventID = b.NewID()
	other := c.ResourceAccount != "" && c.ResourceAccount != account
	if other {
		ev.SharedEventID = b.NewID()
	}
	first, err := oracleEntry(&ev, username, principal)
	if err != nil {
		return nil, err
	}
	out := []Entry{first}
	if other {
		theirs := ev
		theirs.EventID = b.NewID()
		theirs.RecipientAccountID = c.ResourceAccount
		theirs.UserIdentity = UserIdentity{Type: "AWSAccount", PrincipalID: ev.UserIdentity.PrincipalID,
			AccountID: ev.UserIdentity.AccountID, AccessKeyID: ev.UserIdentity.AccessKeyID}
		// The resource owner learns the call, not the caller's reasons.
		theirs.AdditionalEventData = nil
		second, err := oracleEntry(&theirs, "", principal)
		if err != nil {
			return nil, err
		}
		out = append(out, second)
	}
	return out, nil
}

func oracleEntry(ev *Event, username, principal string) (Entry, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return Entry{}, err
	}
	t, _ := time.Parse(time.RFC3339, ev.EventTime)
	var res []Resource // none: nil
	for _, r := range ev.Resources {
		res = append(res, Resource{ARN: indexable(r.ARN), AccountID: indexable(r.AccountID), Type: indexable(r.Type)})
	}
	return Entry{Account: ev.RecipientAccountID, EventID: ev.EventID, Time: t, EventName: indexable(ev.EventName),
		EventSource: ev.EventSource, Username: indexable(username), AccessKeyID: indexable(ev.UserIdentity.AccessKeyID),
		Principal: indexable(principal), ReadOnly: ev.ReadOnly, Management: ev.ManagementEvent, Resources: res, JSON: b}, nil
}

// oracleSignInEntry is SignInEntry as it was before the appender.
func oracleSignInEntry(s SignIn) (Entry, error) {
	ev, username, principal, err := signInEvent(s)
	if err != nil {
		return Entry{}, err
	}
	return oracleEntry(&ev, username, principal)
}
