package trail

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"time"
)

// The compact form of an event (Entry.Compact): its record's values
// without the record's member names, in a fixed order, written on the
// request's path in place of the JSON, which is rendered when the event
// is read (DecodeRecord, Entry.RecordJSON). A role session's GetUser is a
// record of 1,420 bytes with its JSON (1,157 of them), 670 compact: not
// writing the JSON (its appending 0.77 → 0.31 µs), and writing half the
// bytes into the ring and the segments, took the trail from 11.0% of the
// server's CPU to 8.8% (bench/trail-share.sh GetUser/role 32 5; #14).
//
// The compact form holds every member of the record but those its entry
// holds (recipientAccountId is the entry's Account, eventID its EventID,
// readOnly and managementEvent its flags): the time (unix seconds), a
// byte of flags saying which optional parts follow, the userIdentity,
// the entry's Username and Principal, then the other members in the
// record's order.
//
// Its strings are length-prefixed (uvarint lengths), but for those that
// are often a constant (an event source, a userIdentity's type, a
// resource's type…) or a value of the userIdentity written before (a
// user's GetUser names the user's own ARN; a role session's principal is
// its role's ARN): those are coded (appendCoded), a constant or a
// reference taking one byte. Every event's bytes are copied into the
// ring, then into a segment, and checksummed: a user's GetUser went from
// 611 bytes to 375 (#14, session 15).
//
// Segments written before session 15 hold compact forms of the first
// version: every string length-prefixed, the Username and Principal in
// the record's header (codec.go). They are read all the same.

// Flags of the compact form: which optional parts it holds.
const (
	compactSession   = 1 << iota // userIdentity.sessionContext
	compactIssuer                // its sessionIssuer
	compactWebID                 // its webIdFederationData
	compactWebIDAttr             // with attributes (else null)
	compactTLS                   // tlsDetails
)

// compactConstants are the strings a coded string names by its index
// (the empty string is 0). Records hold the indexes: the list only grows,
// at its end.
var compactConstants = [...]string{
	"",
	"1.11",
	"iam.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com", "organizations.amazonaws.com",
	"access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com", "gatehouse.amazonaws.com", "signin.amazonaws.com",
	"us-east-1",
	"AwsApiCall", "AwsConsoleSignIn", "Management", "Data",
	"IAMUser", "AssumedRole", "Root", "FederatedUser", "WebIdentityUser", "SAMLUser", "AWSAccount",
	"AWSService", "Unknown", "Role",
	"true", "false", "root",
	"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::InstanceProfile",
	"AWS::IAM::MFADevice", "AWS::IAM::OIDCProvider", "AWS::IAM::SAMLProvider", "AWS::IAM::Root",
	"AWS::STS::AssumedRole", "AWS::STS::FederatedUser", "AWS::S3::Bucket", "AWS::S3::Object",
	"AWS::Organizations::Account", "AWS::Organizations::OrganizationalUnit", "AWS::Organizations::Policy",
	"AWS::Organizations::Root", "AWS::Organizations::Organization", "AWS::AccessAnalyzer::Analyzer",
}

// constantsByLen are the indexes of compactConstants by the constants'
// length: a lookup compares s with the few of its length (a map's hashing
// cost several times that per string). Derived from the list, so that no
// code can name a constant by a wrong index (a switch over the constants
// was 25 ns faster per event and a second copy of the list).
var constantsByLen = func() (t [][]uint8) {
	for i, c := range compactConstants {
		for len(t) <= len(c) {
			t = append(t, nil)
		}
		t[len(c)] = append(t[len(c)], uint8(i))
	}
	return t
}()

// constantCode returns the index of s in compactConstants.
func constantCode(s string) (uint64, bool) {
	if len(s) >= len(constantsByLen) {
		return 0, false
	}
	for _, c := range constantsByLen[len(s)] {
		if compactConstants[c] == s {
			return uint64(c), true
		}
	}
	return 0, false
}

// The codes after the constants: references to a value of the
// userIdentity (decoded before the coded string is), then literals (a
// literal of n bytes is codeLiteral+n, its bytes following).
const (
	refARN = uint64(len(compactConstants)) + iota
	refAccount
	refPrincipalID
	refUserName
	refIssuerARN
	refIssuerUserName
	codeUUID // a canonical lowercase UUID, its 16 bytes following
	codeLiteral
)

// uuidDigits are the offsets of a canonical UUID's pairs of hex digits.
var uuidDigits = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// appendCodedID appends an id (an event's, a request's) coded: a
// canonical lowercase UUID (NewEventID's, uuid.NewString's) as its 16
// bytes, 17 in all instead of 37; another string as appendCoded does.
func appendCodedID(dst []byte, s string) []byte {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return appendCoded(dst, s, nil, false)
	}
	var u [16]byte
	for i, at := range uuidDigits {
		hi, lo := hexValue[s[at]], hexValue[s[at+1]]
		if hi > 15 || lo > 15 {
			return appendCoded(dst, s, nil, false)
		}
		u[i] = hi<<4 | lo
	}
	return append(binary.AppendUvarint(dst, codeUUID), u[:]...)
}

// appendCoded appends s coded: a constant's index, a reference to the
// value of u it equals, or the literal. u is nil where nothing of the
// userIdentity may be referred to; a reference to the sessionIssuer is
// made only once it is written (issuer).
func appendCoded(dst []byte, s string, u *UserIdentity, issuer bool) []byte {
	if c, ok := constantCode(s); ok {
		return binary.AppendUvarint(dst, c)
	}
	if u != nil {
		switch s {
		case u.ARN:
			return binary.AppendUvarint(dst, refARN)
		case u.AccountID:
			return binary.AppendUvarint(dst, refAccount)
		case u.PrincipalID:
			return binary.AppendUvarint(dst, refPrincipalID)
		case u.UserName:
			return binary.AppendUvarint(dst, refUserName)
		}
		if si := issuerOf(u); issuer && si != nil {
			switch s {
			case si.ARN:
				return binary.AppendUvarint(dst, refIssuerARN)
			case si.UserName:
				return binary.AppendUvarint(dst, refIssuerUserName)
			}
		}
	}
	return append(binary.AppendUvarint(dst, codeLiteral+uint64(len(s))), s...)
}

// issuerOf is u's sessionIssuer, or nil.
func issuerOf(u *UserIdentity) *SessionIssuer {
	if u.SessionContext == nil {
		return nil
	}
	return u.SessionContext.SessionIssuer
}

// field reads a string the compact form may code: coded, unless the
// form is of the first version (v1: every string length-prefixed).
func (d *recordDecoder) field(v1 bool, u *UserIdentity) string {
	if v1 {
		return d.string()
	}
	return d.coded(u)
}

// coded reads a string appendCoded wrote, u being the userIdentity
// decoded so far (a reference to a value not decoded yet reads as "").
func (d *recordDecoder) coded(u *UserIdentity) string {
	c := d.uvarint()
	switch {
	case c < uint64(len(compactConstants)):
		return compactConstants[c]
	case c == codeUUID:
		if len(d.b) < 16 {
			d.b, d.ok = nil, false
			return ""
		}
		var s [36]byte
		hex.Encode(s[0:8], d.b[0:4])
		hex.Encode(s[9:13], d.b[4:6])
		hex.Encode(s[14:18], d.b[6:8])
		hex.Encode(s[19:23], d.b[8:10])
		hex.Encode(s[24:], d.b[10:16])
		s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
		d.b = d.b[16:]
		return string(s[:])
	case c >= codeLiteral:
		return d.take(c - codeLiteral)
	case u == nil:
		d.b, d.ok = nil, false
		return ""
	}
	switch c {
	case refARN:
		return u.ARN
	case refAccount:
		return u.AccountID
	case refPrincipalID:
		return u.PrincipalID
	case refUserName:
		return u.UserName
	}
	si := issuerOf(u)
	if si == nil {
		d.b, d.ok = nil, false
		return ""
	}
	if c == refIssuerARN {
		return si.ARN
	}
	return si.UserName
}

// appendCompact appends ev's compact form, its time t; who, when not
// nil, is ev.UserIdentity's compact form with the username and principal
// after it (appendCompactIdentity's).
func appendCompact(dst []byte, ev *Event, t time.Time, who []byte, username, principal string) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	var flags byte
	if ev.TLSDetails != nil {
		flags |= compactTLS
	}
	dst = append(dst, flags)
	if who != nil {
		dst = append(dst, who...)
	} else {
		dst = appendCompactIdentity(dst, &ev.UserIdentity, username, principal)
	}
	u := &ev.UserIdentity
	dst = appendCoded(dst, ev.EventVersion, nil, false)
	dst = appendCoded(dst, ev.EventSource, nil, false)
	dst = appendString(dst, ev.EventName)
	dst = appendCoded(dst, ev.AWSRegion, nil, false)
	for _, s := range [...]string{ev.SourceIPAddress, ev.UserAgent, ev.ErrorCode, ev.ErrorMessage} {
		dst = appendString(dst, s)
	}
	for _, raw := range [...][]byte{ev.RequestParameters, ev.ResponseElements, ev.AdditionalEventData} {
		dst = append(binary.AppendUvarint(dst, uint64(len(raw))), raw...)
	}
	dst = appendCodedID(appendCodedID(dst, ev.RequestID), ev.SharedEventID)
	dst = binary.AppendUvarint(dst, uint64(len(ev.Resources)))
	for i := range ev.Resources {
		r := &ev.Resources[i]
		dst = appendCoded(dst, r.ARN, u, true)
		dst = appendCoded(dst, r.AccountID, u, true)
		dst = appendCoded(dst, r.Type, nil, false)
	}
	dst = appendCoded(appendCoded(dst, ev.EventType, nil, false), ev.EventCategory, nil, false)
	if d := ev.TLSDetails; d != nil {
		dst = appendString(appendString(appendString(dst, d.TLSVersion), d.CipherSuite), d.ClientProvidedHostHeader)
	}
	return dst
}

// appendCompactIdentity appends a userIdentity's compact form, then the
// entry's username and principal (what identify returned with it).
func appendCompactIdentity(dst []byte, u *UserIdentity, username, principal string) []byte {
	sc := u.SessionContext
	dst = append(dst, identityFlags(sc))
	dst = appendCoded(dst, u.Type, nil, false)
	for _, s := range [...]string{u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName} {
		dst = appendString(dst, s)
	}
	if sc != nil {
		if si := sc.SessionIssuer; si != nil {
			dst = appendCoded(dst, si.Type, nil, false)
			dst = appendString(appendString(dst, si.PrincipalID), si.ARN)
			dst = appendCoded(dst, si.AccountID, u, false)
			dst = appendString(dst, si.UserName)
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
		dst = appendString(dst, sc.Attributes.CreationDate)
		dst = appendCoded(dst, sc.Attributes.MFAAuthenticated, nil, false)
		dst = appendString(appendString(dst, sc.SourceIdentity), sc.EC2RoleDelivery)
	}
	return appendCoded(appendCoded(dst, username, u, true), principal, u, true)
}

// identityFlags are the flags of a userIdentity's compact form: which
// parts of its sessionContext sc it holds.
func identityFlags(sc *SessionContext) byte {
	if sc == nil {
		return 0
	}
	flags := byte(compactSession)
	if sc.SessionIssuer != nil {
		flags |= compactIssuer
	}
	if w := sc.WebIDFederationData; w != nil {
		flags |= compactWebID
		if w.Attributes != nil {
			flags |= compactWebIDAttr
		}
	}
	return flags
}

// decodeCompact decodes the compact form of e's event (e's Account,
// EventID and flags complete it) and returns the event, its time, and the
// entry's username and principal. A compact form of the first version
// (v1) has neither: they are in its record's header.
func decodeCompact(d *recordDecoder, e *Entry, v1 bool) (ev Event, t time.Time, username, principal string) {
	t = time.Unix(d.varint(), 0).UTC()
	flags := d.byte()
	u := &ev.UserIdentity
	str := func(ref *UserIdentity) string { return d.field(v1, ref) }
	decodeCompactIdentity(d, u, v1)
	if !v1 {
		username, principal = d.coded(u), d.coded(u)
	}
	ev.EventVersion, ev.EventSource = str(nil), str(nil)
	ev.EventName = d.string()
	ev.AWSRegion = str(nil)
	for _, s := range [...]*string{&ev.SourceIPAddress, &ev.UserAgent, &ev.ErrorCode, &ev.ErrorMessage} {
		*s = d.string()
	}
	for _, raw := range [...]*json.RawMessage{&ev.RequestParameters, &ev.ResponseElements, &ev.AdditionalEventData} {
		if b := d.bytes(); len(b) > 0 {
			*raw = b
		}
	}
	ev.RequestID = str(nil)
	ev.SharedEventID = str(nil)
	if n := d.count(3); n > 0 {
		ev.Resources = make([]Resource, n)
		for i := range ev.Resources {
			arn := str(u)
			account := str(u)
			ev.Resources[i] = Resource{ARN: arn, AccountID: account, Type: str(nil)}
		}
	}
	ev.EventType = str(nil)
	ev.EventCategory = str(nil)
	if flags&compactTLS != 0 {
		ev.TLSDetails = &TLSDetails{TLSVersion: d.string(), CipherSuite: d.string(), ClientProvidedHostHeader: d.string()}
	}
	ev.EventID, ev.RecipientAccountID, ev.ReadOnly, ev.ManagementEvent = e.EventID, e.Account, e.ReadOnly, e.Management
	return ev, t, username, principal
}

// decodeCompactIdentity decodes a userIdentity's compact form (of the
// first version, v1, or the second).
func decodeCompactIdentity(d *recordDecoder, u *UserIdentity, v1 bool) {
	str := func(ref *UserIdentity) string { return d.field(v1, ref) }
	flags := d.byte()
	u.Type = str(nil)
	for _, s := range [...]*string{&u.PrincipalID, &u.ARN, &u.AccountID, &u.AccessKeyID, &u.UserName} {
		*s = d.string()
	}
	if flags&compactSession == 0 {
		return
	}
	sc := &SessionContext{}
	if flags&compactIssuer != 0 {
		si := &SessionIssuer{Type: str(nil)}
		si.PrincipalID, si.ARN = d.string(), d.string()
		si.AccountID = str(u)
		si.UserName = d.string()
		sc.SessionIssuer = si
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
	sc.Attributes.CreationDate = d.string()
	sc.Attributes.MFAAuthenticated = str(nil)
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
	ev, t, _, _ := decodeCompact(&d, e, false)
	if !d.ok {
		return nil
	}
	return appendEvent(make([]byte, 0, 2*len(e.Compact)), &ev, t, nil, nil)
}
