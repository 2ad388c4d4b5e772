package trail

import (
	"slices"
	"strings"
	"time"
)

// recordOffsets are where, in a record appendEvent wrote, the parts are
// that the resource owner's copy of a cross-account record changes: the
// userIdentity value, the additionalEventData member (with its comma;
// empty when absent), the eventID and recipientAccountId values.
type recordOffsets struct {
	identity, identityEnd     int
	additional, additionalEnd int
	eventID, eventIDEnd       int
	recipient, recipientEnd   int
}

// appendEvent appends ev's record, as json.Marshal writes an Event (its
// members in order, omitempty honoured), with eventTime t (UTC, to the
// second, in RFC 3339) in place of ev.EventTime. The raw members
// (requestParameters, responseElements, additionalEventData) are written
// as they are: they must be compact JSON, escaped as encoding/json
// escapes. uid, when not nil, is ev.UserIdentity's JSON (as
// appendUserIdentity writes it). at, when not nil, receives the offsets of
// the parts a second record changes.
func appendEvent(dst []byte, ev *Event, t time.Time, uid []byte, at *recordOffsets) []byte {
	if at == nil {
		at = &recordOffsets{}
	}
	dst = append(dst, `{"eventVersion":`...)
	dst = appendJSONString(dst, ev.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	at.identity = len(dst)
	if uid != nil {
		dst = append(dst, uid...)
	} else {
		dst = appendUserIdentity(dst, &ev.UserIdentity)
	}
	at.identityEnd = len(dst)
	dst = append(dst, `,"eventTime":"`...)
	dst = t.AppendFormat(dst, time.RFC3339)
	dst = append(dst, `","eventSource":`...)
	dst = appendJSONString(dst, ev.EventSource)
	dst = append(dst, `,"eventName":`...)
	dst = appendJSONString(dst, ev.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = appendJSONString(dst, ev.AWSRegion)
	dst = append(dst, `,"sourceIPAddress":`...)
	dst = appendJSONString(dst, ev.SourceIPAddress)
	dst = append(dst, `,"userAgent":`...)
	dst = appendJSONString(dst, ev.UserAgent)
	dst = appendOptional(dst, `,"errorCode":`, ev.ErrorCode)
	dst = appendOptional(dst, `,"errorMessage":`, ev.ErrorMessage)
	dst = append(dst, `,"requestParameters":`...)
	dst = appendRaw(dst, ev.RequestParameters)
	dst = append(dst, `,"responseElements":`...)
	dst = appendRaw(dst, ev.ResponseElements)
	at.additional = len(dst)
	if len(ev.AdditionalEventData) > 0 {
		dst = append(dst, `,"additionalEventData":`...)
		dst = append(dst, ev.AdditionalEventData...)
	}
	at.additionalEnd = len(dst)
	dst = append(dst, `,"requestID":`...)
	dst = appendJSONString(dst, ev.RequestID)
	dst = append(dst, `,"eventID":`...)
	at.eventID = len(dst)
	dst = appendJSONString(dst, ev.EventID)
	at.eventIDEnd = len(dst)
	dst = append(dst, `,"readOnly":`...)
	dst = appendBool(dst, ev.ReadOnly)
	if len(ev.Resources) > 0 {
		dst = append(dst, `,"resources":[`...)
		for i := range ev.Resources {
			r := &ev.Resources[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"ARN":`...)
			dst = appendJSONString(dst, r.ARN)
			dst = appendOptional(dst, `,"accountId":`, r.AccountID)
			dst = append(dst, `,"type":`...)
			dst = appendJSONString(dst, r.Type)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"eventType":`...)
	dst = appendJSONString(dst, ev.EventType)
	dst = append(dst, `,"managementEvent":`...)
	dst = appendBool(dst, ev.ManagementEvent)
	dst = append(dst, `,"recipientAccountId":`...)
	at.recipient = len(dst)
	dst = appendJSONString(dst, ev.RecipientAccountID)
	at.recipientEnd = len(dst)
	dst = appendOptional(dst, `,"sharedEventID":`, ev.SharedEventID)
	dst = append(dst, `,"eventCategory":`...)
	dst = appendJSONString(dst, ev.EventCategory)
	if d := ev.TLSDetails; d != nil {
		dst = append(dst, `,"tlsDetails":{"tlsVersion":`...)
		dst = appendJSONString(dst, d.TLSVersion)
		dst = appendOptional(dst, `,"cipherSuite":`, d.CipherSuite)
		dst = appendOptional(dst, `,"clientProvidedHostHeader":`, d.ClientProvidedHostHeader)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendOptional appends a string member that omitempty leaves out when
// empty; key holds its leading comma, name and colon.
func appendOptional(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendJSONString(append(dst, key...), s)
}

// appendRaw appends a raw JSON value, null when there is none.
func appendRaw(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

// appendUserIdentity appends a record's userIdentity.
func appendUserIdentity(dst []byte, u *UserIdentity) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, u.Type)
	dst = append(dst, `,"principalId":`...)
	dst = appendJSONString(dst, u.PrincipalID)
	dst = appendOptional(dst, `,"arn":`, u.ARN)
	dst = appendOptional(dst, `,"accountId":`, u.AccountID)
	dst = appendOptional(dst, `,"accessKeyId":`, u.AccessKeyID)
	dst = appendOptional(dst, `,"userName":`, u.UserName)
	if sc := u.SessionContext; sc != nil {
		dst = append(dst, `,"sessionContext":{`...)
		if si := sc.SessionIssuer; si != nil {
			dst = append(dst, `"sessionIssuer":{"type":`...)
			dst = appendJSONString(dst, si.Type)
			dst = append(dst, `,"principalId":`...)
			dst = appendJSONString(dst, si.PrincipalID)
			dst = append(dst, `,"arn":`...)
			dst = appendJSONString(dst, si.ARN)
			dst = append(dst, `,"accountId":`...)
			dst = appendJSONString(dst, si.AccountID)
			dst = append(dst, `,"userName":`...)
			dst = appendJSONString(dst, si.UserName)
			dst = append(dst, "},"...)
		}
		if w := sc.WebIDFederationData; w != nil {
			dst = append(dst, `"webIdFederationData":{"federatedProvider":`...)
			dst = appendJSONString(dst, w.FederatedProvider)
			dst = append(dst, `,"attributes":`...)
			dst = appendStringMap(dst, w.Attributes)
			dst = append(dst, "},"...)
		}
		dst = append(dst, `"attributes":{`...)
		if sc.Attributes.CreationDate != "" {
			dst = append(dst, `"creationDate":`...)
			dst = appendJSONString(dst, sc.Attributes.CreationDate)
			dst = append(dst, ',')
		}
		dst = append(dst, `"mfaAuthenticated":`...)
		dst = appendJSONString(dst, sc.Attributes.MFAAuthenticated)
		dst = append(dst, '}')
		dst = appendOptional(dst, `,"sourceIdentity":`, sc.SourceIdentity)
		dst = appendOptional(dst, `,"ec2RoleDelivery":`, sc.EC2RoleDelivery)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendStringMap appends a map of strings, keys in byte order (null for
// a nil map).
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

// appendDecision appends Gatehouse's decision.
func appendDecision(dst []byte, d *Decision) []byte {
	dst = append(dst, `{"action":`...)
	dst = appendJSONString(dst, d.Action)
	dst = appendOptional(dst, `,"resource":`, d.Resource)
	dst = append(dst, `,"reason":`...)
	dst = appendJSONString(dst, d.Reason)
	return append(dst, '}')
}
