package policy

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unsafe"
)

// Decision is the outcome of an evaluation, with the values of AWS's
// SimulatePolicy EvalDecision.
type Decision uint8

// The three decisions.
const (
	ImplicitDeny Decision = iota
	Allowed
	ExplicitDeny
)

// String returns "allowed", "explicitDeny" or "implicitDeny".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// Layer names a kind of policy in a Set.
type Layer uint8

// The layers of a policy set, in the order AWS's evaluation flow visits them.
const (
	LayerNone Layer = iota
	LayerSCP
	LayerRCP
	LayerVPCEndpoint
	LayerResource
	LayerIdentity
	LayerBoundary
	LayerSession
)

var layerNames = [...]string{"", "service control policy", "resource control policy", "VPC endpoint policy", "resource-based policy", "identity-based policy", "permissions boundary", "session policy"}
var layerKeys = [...]string{"", "serviceControlPolicy", "resourceControlPolicy", "vpcEndpointPolicy", "resourcePolicy", "identityPolicy", "permissionsBoundary", "sessionPolicy"}

// String returns the layer in the words of AWS's AccessDenied messages
// ("identity-based policy", "service control policy", ...).
func (l Layer) String() string {
	if int(l) < len(layerNames) {
		return layerNames[l]
	}
	return ""
}

// Key returns the layer's key in the simulate JSON format ("identityPolicy", ...).
func (l Layer) Key() string {
	if int(l) < len(layerKeys) {
		return layerKeys[l]
	}
	return ""
}

// Set is the collection of policies that apply to one request.
type Set struct {
	// Identity holds the caller's identity-based policies: managed and inline,
	// its own and its groups'.
	Identity []*Policy
	// Boundary is the caller's permissions boundary, or nil.
	Boundary *Policy
	// Session holds session policies (inline and managed); empty when the caller
	// is not a session or passed none.
	Session []*Policy
	// SessionScopesRoot makes Session limit a root principal as it limits an
	// IAM principal (only what it allows is allowed): a root user's session
	// obtained through IAM temporary delegation. Without it a root
	// session's policies can only deny (STS AssumeRoot's task policies).
	SessionScopesRoot bool
	// SCP holds the service control policies of each level of the organization
	// above the caller's account, root first, the account last.
	SCP [][]*Policy
	// RCP holds the resource control policies of each level above the resource's
	// account, root first.
	RCP [][]*Policy
	// VPCEndpoint holds the policies of the VPC endpoint the request came through.
	VPCEndpoint []*Policy
	// Resource is the resource-based policy of the resource (a trust policy for
	// sts:AssumeRole), or nil.
	Resource *Policy

	// ix is the merged index of Identity that Prepare builds.
	ix *identityIndex
}

// Result is a decision with what decided it. It is small and returned by value
// so that Evaluate does not allocate.
type Result struct {
	// Decision is the outcome.
	Decision Decision
	// Layer is the layer that decided a deny: the layer holding the explicit deny,
	// or the layer whose allow was missing. LayerNone for Allowed.
	Layer Layer
	// Level is the organization level (0 = root) for LayerSCP and LayerRCP.
	Level int
	// Policy and Statement locate the deciding explicit deny (Statement is the
	// statement's index in its document); Policy is nil otherwise.
	Policy    *Policy
	Statement int
}

// Reason returns the reason clause of AWS's AccessDenied message for a denied
// action, e.g. "because no identity-based policy allows the s3:GetObject action"
// or "with an explicit deny in a service control policy". It is "" for Allowed.
func (r Result) Reason(action string) string {
	switch r.Decision {
	case ExplicitDeny:
		l := r.Layer.String()
		if l != "" && strings.IndexByte("aeiou", l[0]) >= 0 {
			return "with an explicit deny in an " + l
		}
		return "with an explicit deny in a " + l
	case ImplicitDeny:
		l := r.Layer
		if l == LayerNone {
			l = LayerIdentity
		}
		return "because no " + l.String() + " allows the " + action + " action"
	}
	return ""
}

// Evaluate decides req against set by AWS's evaluation logic. It does not allocate
// and is safe for concurrent use.
func Evaluate(set *Set, req *Request) Result {
	var st evalState
	st.init(req)
	var r Result
	if set.identityOnly(&req.Principal) {
		r = evaluateIdentity(set, &st)
	} else {
		r = evaluate(set, &st, nil)
	}
	st.release()
	return r
}

// identityOnly reports whether the set holds identity-based policies and
// nothing else (no boundary, session, SCP, RCP, VPC endpoint or resource-based
// policy) for an IAM principal: evaluateIdentity decides it.
func (s *Set) identityOnly(p *Principal) bool {
	isIAM := p.Type == PrincipalUser || p.Type == PrincipalRoleSession || p.Type == PrincipalFederatedUser
	return isIAM && s.Boundary == nil && len(s.Session) == 0 && len(s.SCP) == 0 &&
		len(s.RCP) == 0 && len(s.VPCEndpoint) == 0 && s.Resource == nil
}

// scanOut is what one policy contributed.
type scanOut struct {
	allow    bool
	grant    grant // best principal grant among matching Allow statements
	deny     bool
	denyStmt int
}

// evaluate runs the flow; rec, when non-nil, records every matching statement and
// disables short cuts. (Evaluate decides a set of identity-based policies alone
// with evaluateIdentity, which gives the same result.)
func evaluate(set *Set, st *evalState, rec *recorder) Result {
	req := st.req
	p := &req.Principal
	// The lower-cased service prefix aliases this buffer, on evaluate's
	// stack: it is passed down, never stored in st (which would move st
	// to the heap).
	var abuf [actionBuf]byte
	svc := st.prepareAction(abuf[:])
	action := req.Action
	isIAM := p.Type == PrincipalUser || p.Type == PrincipalRoleSession || p.Type == PrincipalFederatedUser
	st.boundary = isIAM && set.Boundary != nil
	resAcct := req.resourceAccount()
	cross := p.Account != "" && resAcct != "" && p.Account != resAcct

	var res Result
	denied := false
	deny := func(l Layer, level int, pol *Policy, stmt int) {
		if !denied {
			denied = true
			res = Result{Decision: ExplicitDeny, Layer: l, Level: level, Policy: pol, Statement: stmt}
		}
	}
	scanAll := func(ps []*Policy, l Layer, level int, principal bool) (allow bool, g grant) {
		for _, pol := range ps {
			o := pol.scan(st, svc, action, principal, allow && rec == nil, rec, l, level)
			if o.deny {
				deny(l, level, pol, o.denyStmt)
				if rec == nil {
					return
				}
			}
			if o.allow {
				allow = true
				if o.grant > g {
					g = o.grant
				}
			}
		}
		return
	}

	// Identity side: the caller's own policies, its boundary and session policies.
	var idAllow, bAllow, sAllow bool
	if isIAM {
		if ix := set.identityIndex(); ix != nil && rec == nil {
			a, d := ix.lookup(svc, st.svcKey).scanIdentity(st, action, true)
			if d != nil {
				deny(LayerIdentity, 0, ix.pols[d.pol], d.s.index)
				return res
			}
			idAllow = a
		} else {
			idAllow, _ = scanAll(set.Identity, LayerIdentity, 0, false)
		}
		if denied && rec == nil {
			return res
		}
		if set.Boundary != nil {
			bAllow, _ = scanAll([]*Policy{set.Boundary}, LayerBoundary, 0, false)
		}
		if len(set.Session) > 0 {
			sAllow, _ = scanAll(set.Session, LayerSession, 0, false)
		}
		if denied && rec == nil {
			return res
		}
	} else if p.Type == PrincipalRoot && len(set.Session) > 0 {
		// A root session (STS AssumeRoot) keeps the root user's implicit
		// permissions; its task policy can only deny. A delegated root
		// session (SessionScopesRoot) has only what its policy allows.
		sAllow, _ = scanAll(set.Session, LayerSession, 0, false)
		if denied && rec == nil {
			return res
		}
	}

	// Organization levels.
	scpApplies := (isIAM || p.Type == PrincipalRoot) && !p.ManagementAccount && !p.ServiceLinkedRole
	scpMissing := -1
	if scpApplies {
		for level, ps := range set.SCP {
			a, _ := scanAll(ps, LayerSCP, level, false)
			if denied && rec == nil {
				return res
			}
			if !a && scpMissing < 0 {
				scpMissing = level
			}
		}
	}
	rcpApplies := p.Type != PrincipalService && !p.ServiceLinkedRole && !(p.ManagementAccount && !cross)
	rcpMissing := -1
	if rcpApplies {
		for level, ps := range set.RCP {
			a, _ := scanAll(ps, LayerRCP, level, true)
			if denied && rec == nil {
				return res
			}
			if !a && rcpMissing < 0 {
				rcpMissing = level
			}
		}
	}
	vpceAllow := true
	if len(set.VPCEndpoint) > 0 {
		vpceAllow, _ = scanAll(set.VPCEndpoint, LayerVPCEndpoint, 0, true)
	}
	var resGrant grant
	if set.Resource != nil {
		var a bool
		a, resGrant = scanAll([]*Policy{set.Resource}, LayerResource, 0, true)
		if !a {
			resGrant = grantNone
		}
	}
	if denied {
		return res
	}
	implicit := func(l Layer, level int) Result {
		return Result{Decision: ImplicitDeny, Layer: l, Level: level}
	}
	if scpMissing >= 0 {
		return implicit(LayerSCP, scpMissing)
	}
	if rcpMissing >= 0 {
		return implicit(LayerRCP, rcpMissing)
	}
	if !vpceAllow {
		return implicit(LayerVPCEndpoint, 0)
	}
	allowed := Result{Decision: Allowed}
	switch p.Type {
	case PrincipalRoot:
		if set.SessionScopesRoot && !sAllow {
			return implicit(LayerSession, 0)
		}
		if !cross || resGrant != grantNone {
			return allowed
		}
		return implicit(LayerResource, 0)
	case PrincipalUser, PrincipalRoleSession, PrincipalFederatedUser:
		bOK := set.Boundary == nil || bAllow
		// A federated user's permissions are those its session policies let through:
		// with none it has no identity-side permissions (GetFederationToken).
		sOK := sAllow || (len(set.Session) == 0 && p.Type != PrincipalFederatedUser)
		if cross {
			switch {
			case !idAllow:
				return implicit(LayerIdentity, 0)
			case !bOK:
				return implicit(LayerBoundary, 0)
			case !sOK:
				return implicit(LayerSession, 0)
			case resGrant == grantNone:
				return implicit(LayerResource, 0)
			}
			return allowed
		}
		// Within one account a resource-based policy can grant on its own: to the
		// caller's own ARN without regard to the identity side; to a role's ARN
		// subject to the boundary and session policies.
		switch resGrant {
		case grantDirect:
			return allowed
		case grantRole:
			if bOK && sOK {
				return allowed
			}
		}
		switch {
		case !idAllow:
			if resGrant == grantRole {
				if !bOK {
					return implicit(LayerBoundary, 0)
				}
				return implicit(LayerSession, 0)
			}
			return implicit(LayerIdentity, 0)
		case !bOK:
			return implicit(LayerBoundary, 0)
		case !sOK:
			return implicit(LayerSession, 0)
		}
		return allowed
	default:
		// Services, identity-provider callers and anonymous callers have no
		// identity side: only the resource-based policy can allow.
		if resGrant != grantNone {
			return allowed
		}
		return implicit(LayerResource, 0)
	}
}

// evaluateIdentity is evaluate for the common set of an IAM principal that
// has identity-based policies and nothing else: no boundary, session, SCP,
// RCP, VPC endpoint or resource-based policy. It decides as the general flow
// does, which then reduces to: an explicit deny; no allow (identity layer);
// a federated user without session policies (session layer); a resource in
// another account (resource layer, as no resource-based policy grants);
// else allowed.
func evaluateIdentity(set *Set, st *evalState) Result {
	// As in evaluate: the service prefix aliases this buffer.
	var abuf [actionBuf]byte
	svc := st.prepareAction(abuf[:])
	action := st.req.Action
	allow := false
	if ix := set.identityIndex(); ix != nil {
		a, d := ix.lookup(svc, st.svcKey).scanIdentity(st, action, true)
		if d != nil {
			return Result{Decision: ExplicitDeny, Layer: LayerIdentity, Policy: ix.pols[d.pol], Statement: d.s.index}
		}
		allow = a
	} else {
		for _, pol := range set.Identity {
			a, d := pol.cix.lookup(svc, st.svcKey).scanIdentity(st, action, !allow)
			if d != nil {
				return Result{Decision: ExplicitDeny, Layer: LayerIdentity, Policy: pol, Statement: d.s.index}
			}
			allow = allow || a
		}
	}
	if !allow {
		return Result{Decision: ImplicitDeny, Layer: LayerIdentity}
	}
	p := &st.req.Principal
	if p.Type == PrincipalFederatedUser {
		return Result{Decision: ImplicitDeny, Layer: LayerSession}
	}
	if ra := st.req.resourceAccount(); p.Account != "" && ra != "" && p.Account != ra {
		return Result{Decision: ImplicitDeny, Layer: LayerResource}
	}
	return Result{Decision: Allowed}
}

// actionBuf is the size of the buffer in which evaluate lower-cases the
// request's service prefix.
const actionBuf = 64

// prepareAction derives from the request's action what the indexes look up:
// the lower-cased service prefix (written to buf, which the returned string
// aliases), its packed key and slot, and the lower-cased first byte of the
// action name; and, for an action of eight bytes or more, its first and last
// eight bytes lower-cased, through which actionPattern.match compares it with
// patterns (the action itself is not copied). An action whose first eight
// bytes hold its colon (a service prefix of up to seven bytes, as most are)
// is read as one word.
func (st *evalState) prepareAction(buf []byte) (svc string) {
	a := st.req.Action
	colon := -1
	if len(a) >= 8 {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(a), 8))
		lw := lowerWord(w)
		st.aFirst, st.aLast = lw, lowerWord(word8(a, len(a)))
		if m := byteMask(w, ':'); m != 0 {
			colon = bits.TrailingZeros64(m) >> 3
			binary.LittleEndian.PutUint64(buf, lw)
			svc = unsafe.String(&buf[0], colon)
			st.svcKey = packWord(lw, colon)
		}
	}
	if colon < 0 {
		colon = strings.IndexByte(a, ':')
		svc = lowerPrefix(a, buf)
		st.svcKey = packPrefix(svc)
	}
	// As nameFirstByte.
	st.nameFirst = 0
	if colon >= 0 && colon+1 < len(a) {
		if c := a[colon+1]; c < 0x80 && c != 0 {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			st.nameFirst = c
		}
	}
	return svc
}

// byteMask returns the high bit of each of the eight bytes of w that equals
// c (exactly: no borrow carries between bytes).
func byteMask(w uint64, c byte) uint64 {
	const ones, low7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	t := w ^ uint64(c)*ones
	return ^((t&low7 + low7) | t | low7)
}

// lowerWord lower-cases the ASCII letters among eight bytes.
func lowerWord(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	h := w &^ high
	geA := h + (0x80-'A')*ones   // high bit set where the byte is >= 'A'
	gtZ := h + (0x80-'Z'-1)*ones // high bit set where the byte is > 'Z'
	upper := geA &^ gtZ &^ w & high
	return w | upper>>2 // 0x80 >> 2 is 'a' - 'A'
}

// nameFirstByte returns the lower-cased first byte of the action's name (after
// its service prefix), or 0 when candidates cannot be filtered by it: no colon,
// an empty name, or a byte outside ASCII (which Unicode case folding could
// match with an ASCII letter).
func nameFirstByte(action string) byte {
	i := strings.IndexByte(action, ':')
	if i < 0 || i+1 >= len(action) {
		return 0
	}
	c := action[i+1]
	if c >= 0x80 || c == 0 {
		return 0
	}
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c
}

// scanFast is scan without a recorder: it looks up the candidates of the
// request's service, stops at the first matching Deny, and otherwise finds
// whether an Allow matches (with principal, the best grant of those that do),
// passing over statements whose action names cannot begin with the request's.
func (p *Policy) scanFast(st *evalState, svc, action string, principal, denyOnly bool) scanOut {
	var o scanOut
	if denyOnly && !p.hasDeny {
		return o
	}
	e := p.cix.lookup(svc, st.svcKey)
	if !principal {
		a, d := e.scanIdentity(st, action, !denyOnly)
		switch {
		case d != nil:
			o.deny, o.denyStmt = true, d.s.index
		case a:
			o.allow, o.grant = true, grantDirect
		}
		return o
	}
	nf := st.nameFirst
	for i := range e.deny {
		c := &e.deny[i]
		if c.first != 0 && nf != 0 && c.first != nf {
			continue
		}
		s := c.s
		if !s.actionMatches(st, action) || !s.resourceMatches(st) {
			continue
		}
		if s.principal != nil {
			var g grant
			if s.notPrinc {
				g = s.principal.notMatch(&st.req.Principal)
				// See scan: a Deny with NotPrincipal always denies a
				// principal with a permissions boundary.
				if st.boundary {
					g = grantDirect
				}
			} else {
				g = s.principal.match(&st.req.Principal)
			}
			if g == grantNone {
				continue
			}
		}
		if !s.conditionsHold(st) {
			continue
		}
		o.deny, o.denyStmt = true, s.index
		return o
	}
	if denyOnly {
		return o
	}
	// Every matching Allow, for the best grant.
	for _, cs := range [2][]ixCand{e.allowAny, e.allowGroup(nf)} {
		for i := range cs {
			s := cs[i].s
			if !s.actionMatches(st, action) || !s.resourceMatches(st) {
				continue
			}
			g := grantDirect
			if s.principal != nil {
				if s.notPrinc {
					g = s.principal.notMatch(&st.req.Principal)
				} else {
					g = s.principal.match(&st.req.Principal)
				}
				if g == grantNone {
					continue
				}
			}
			if !s.conditionsHold(st) {
				continue
			}
			o.allow = true
			if g > o.grant {
				o.grant = g
			}
		}
	}
	return o
}

// scan evaluates the statements of one policy that can match the request's
// service. denyOnly skips Allow statements (an allow was already found).
// With a recorder it visits every statement in document order (explanations
// list them so), records each that applies and takes no short cut.
func (p *Policy) scan(st *evalState, svc, action string, principal, denyOnly bool, rec *recorder, l Layer, level int) scanOut {
	if rec == nil {
		return p.scanFast(st, svc, action, principal, denyOnly)
	}
	var o scanOut
	for i := range p.stmts {
		s := &p.stmts[i]
		if denyOnly && s.effect != Deny {
			continue
		}
		g := grantDirect
		if !s.actionMatches(st, action) || !s.resourceMatches(st) {
			continue
		}
		if principal && s.principal != nil {
			if s.notPrinc {
				g = s.principal.notMatch(&st.req.Principal)
				// "The NotPrincipal element with a Deny effect will always deny any
				// IAM principal that has a permissions boundary policy attached,
				// regardless of the values specified in the NotPrincipal element."
				// (IAM User Guide, Permissions boundaries for IAM entities.)
				if s.effect == Deny && st.boundary {
					g = grantDirect
				}
			} else {
				g = s.principal.match(&st.req.Principal)
			}
			if g == grantNone {
				continue
			}
		}
		if !s.conditionsHold(st) {
			continue
		}
		rec.match(l, level, p, s)
		if s.effect == Deny {
			if !o.deny {
				o.deny, o.denyStmt = true, s.index
			}
			continue
		}
		o.allow = true
		if g > o.grant {
			o.grant = g
		}
	}
	return o
}

// lowerPrefix returns the lower-cased service prefix of action, using buf.
func lowerPrefix(action string, buf []byte) string {
	n := 0
	for i := 0; i < len(action) && action[i] != ':'; i++ {
		if n == len(buf) {
			return ""
		}
		c := action[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	if n == 0 {
		return ""
	}
	return unsafe.String(&buf[0], n)
}
