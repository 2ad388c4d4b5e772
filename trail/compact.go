package trail

import (
	"encoding/binary"
	"encoding/json"
	"time"
)

// The compact form of an event (Entry.Compact): its record's values
// without the record's member names, as length-prefixed strings (uvarint
// lengths) in a fixed order, written on the request's path in place of
// the JSON, which is rendered when the event is read (DecodeRecord,
// Entry.RecordJSON). A role session's GetUser is a record of 1,420 bytes
// with its JSON (1,157 of them), 670 compact: not writing the JSON
// (its appending 0.77 → 0.31 µs), and writing half the bytes
// into the ring and the segments, took the trail from 11.0% of the
// server's CPU to 8.8% (bench/trail-share.sh GetUser/role 32 5; #14).
//
// The compact form holds every member of the record but those its entry
// holds (recipientAccountId is the entry's Account, eventID its EventID,
// readOnly and managementEvent its flags): the time (unix seconds), a
// byte of flags saying which optional parts follow, the userIdentity,
// then the other members in the record's order.

// Flags of the compact form: which optional parts it holds.
const (
	compactSession   = 1 << iota // userIdentity.sessionContext
	compactIssuer                // its sessionIssuer
	compactWebID                 // its webIdFederationData
	compactWebIDAttr             // with attributes (else null)
	compactTLS                   // tlsDetails
)

// appendCompact appends ev's compact form, its time t; uid, when not nil,
// is ev.UserIdentity's compact form (appendCompactIdentity's).
func appendCompact(dst []byte, ev *Event, t time.Time, uid []byte) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	var flags byte
	if ev.TLSDetails != nil {
		flags |= compactTLS
	}
	dst = append(dst, flags)
	if uid != nil {
		dst = append(dst, uid...)
	} else {
		dst = appendCompactIdentity(dst, &ev.UserIdentity)
	}
	for _, s := range [...]string{ev.EventVersion, ev.EventSource, ev.EventName, ev.AWSRegion, ev.SourceIPAddress,
		ev.UserAgent, ev.ErrorCode, ev.ErrorMessage} {
		dst = appendString(dst, s)
	}
	for _, raw := range [...][]byte{ev.RequestParameters, ev.ResponseElements, ev.AdditionalEventData} {
		dst = append(binary.AppendUvarint(dst, uint64(len(raw))), raw...)
	}
	dst = appendString(appendString(dst, ev.RequestID), ev.SharedEventID)
	dst = binary.AppendUvarint(dst, uint64(len(ev.Resources)))
	for i := range ev.Resources {
		r := &ev.Resources[i]
		dst = appendString(appendString(appendString(dst, r.ARN), r.AccountID), r.Type)
	}
	dst = appendString(appendString(dst, ev.EventType), ev.EventCategory)
	if d := ev.TLSDetails; d != nil {
		dst = appendString(appendString(appendString(dst, d.TLSVersion), d.CipherSuite), d.ClientProvidedHostHeader)
	}
	return dst
}

// appendCompactIdentity appends a userIdentity's compact form.
func appendCompactIdentity(dst []byte, u *UserIdentity) []byte {
	sc := u.SessionContext
	var flags byte
	if sc != nil {
		flags |= compactSession
		if sc.SessionIssuer != nil {
			flags |= compactIssuer
		}
		if w := sc.WebIDFederationData; w != nil {
			flags |= compactWebID
			if w.Attributes != nil {
				flags |= compactWebIDAttr
			}
		}
	}
	dst = append(dst, flags)
	for _, s := range [...]string{u.Type, u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName} {
		dst = appendString(dst, s)
	}
	if sc == nil {
		return dst
	}
	if si := sc.SessionIssuer; si != nil {
		for _, s := range [...]string{si.Type, si.PrincipalID, si.ARN, si.AccountID, si.UserName} {
			dst = appendString(dst, s)
		}
	}
	if w := sc.WebIDFederationData; w != nil {
		dst = appendString(dst, w.FederatedProvider)
		if w.Attributes != nil {
			dst = binary.AppendUvarint(dst, uint64(len(w.Attributes)))
			for k, v := range w.Attributes {
				dst = appendString(appendString(dst, k), v)
			}
		}
	}
	for _, s := range [...]string{sc.Attributes.CreationDate, sc.Attributes.MFAAuthenticated, sc.SourceIdentity, sc.EC2RoleDelivery} {
		dst = appendString(dst, s)
	}
	return dst
}

// decodeCompact decodes the compact form of e's event (e's Account,
// EventID and flags complete it) and returns the event and its time.
func decodeCompact(d *recordDecoder, e *Entry) (ev Event, t time.Time) {
	t = time.Unix(d.varint(), 0).UTC()
	flags := d.byte()
	decodeCompactIdentity(d, &ev.UserIdentity)
	for _, s := range [...]*string{&ev.EventVersion, &ev.EventSource, &ev.EventName, &ev.AWSRegion, &ev.SourceIPAddress,
		&ev.UserAgent, &ev.ErrorCode, &ev.ErrorMessage} {
		*s = d.string()
	}
	for _, raw := range [...]*json.RawMessage{&ev.RequestParameters, &ev.ResponseElements, &ev.AdditionalEventData} {
		if b := d.bytes(); len(b) > 0 {
			*raw = b
		}
	}
	ev.RequestID, ev.SharedEventID = d.string(), d.string()
	if n := d.count(3); n > 0 {
		ev.Resources = make([]Resource, n)
		for i := range ev.Resources {
			ev.Resources[i] = Resource{ARN: d.string(), AccountID: d.string(), Type: d.string()}
		}
	}
	ev.EventType, ev.EventCategory = d.string(), d.string()
	if flags&compactTLS != 0 {
		ev.TLSDetails = &TLSDetails{TLSVersion: d.string(), CipherSuite: d.string(), ClientProvidedHostHeader: d.string()}
	}
	ev.EventID, ev.RecipientAccountID, ev.ReadOnly, ev.ManagementEvent = e.EventID, e.Account, e.ReadOnly, e.Management
	return ev, t
}

func decodeCompactIdentity(d *recordDecoder, u *UserIdentity) {
	flags := d.byte()
	for _, s := range [...]*string{&u.Type, &u.PrincipalID, &u.ARN, &u.AccountID, &u.AccessKeyID, &u.UserName} {
		*s = d.string()
	}
	if flags&compactSession == 0 {
		return
	}
	sc := &SessionContext{}
	if flags&compactIssuer != 0 {
		sc.SessionIssuer = &SessionIssuer{Type: d.string(), PrincipalID: d.string(), ARN: d.string(), AccountID: d.string(),
			UserName: d.string()}
	}
	if flags&compactWebID != 0 {
		w := &WebIDFederationData{FederatedProvider: d.string()}
		if flags&compactWebIDAttr != 0 {
			n := d.count(2)
			w.Attributes = make(map[string]string, n)
			for range n {
				k := d.string()
				w.Attributes[k] = d.string()
			}
		}
		sc.WebIDFederationData = w
	}
	sc.Attributes = SessionAttributes{CreationDate: d.string(), MFAAuthenticated: d.string()}
	sc.SourceIdentity, sc.EC2RoleDelivery = d.string(), d.string()
	u.SessionContext = sc
}

// RecordJSON returns e's record as JSON: e.JSON, or the JSON rendered from
// e.Compact when e holds that instead.
func (e *Entry) RecordJSON() []byte {
	if e.JSON != nil || e.Compact == nil {
		return e.JSON
	}
	d := recordDecoder{b: e.Compact, ok: true}
	ev, t := decodeCompact(&d, e)
	if !d.ok {
		return nil
	}
	return appendEvent(make([]byte, 0, 2*len(e.Compact)), &ev, t, nil, nil)
}
