package iam

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// simulationOps returns the policy simulator: SimulatePrincipalPolicy,
// SimulateCustomPolicy and the two GetContextKeysFor… operations. The decisions
// come from the policy engine (policy.Explain); this file assembles the policy
// set from the request and the store and shapes the engine's explanation as
// AWS's EvaluationResult.
func (s *Service) simulationOps() []Op {
	return []Op{
		// The principal operations act on the user, group or role whose
		// policies they read; the custom ones have no resource type ("*").
		op("SimulatePrincipalPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.SimulatePrincipalPolicyRequest) (Authz, error) {
			return Authz{Action: "iam:SimulatePrincipalPolicy", Resource: in.PolicySourceArn}, nil
		}, s.simulatePrincipalPolicy),
		op("SimulateCustomPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.SimulateCustomPolicyRequest) (Authz, error) {
			return Authz{Action: "iam:SimulateCustomPolicy", Resource: "*"}, nil
		}, s.simulateCustomPolicy),
		op("GetContextKeysForPrincipalPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetContextKeysForPrincipalPolicyRequest) (Authz, error) {
			return Authz{Action: "iam:GetContextKeysForPrincipalPolicy", Resource: in.PolicySourceArn}, nil
		}, s.getContextKeysForPrincipalPolicy),
		op("GetContextKeysForCustomPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetContextKeysForCustomPolicyRequest) (Authz, error) {
			return Authz{Action: "iam:GetContextKeysForCustomPolicy", Resource: "*"}, nil
		}, s.getContextKeysForCustomPolicy),
	}
}

// sourceTypeIAMPolicy is the SourcePolicyType AWS reports for a policy passed as
// a string (PolicyInputList.N), a value outside the model's PolicySourceType
// enumeration.
const sourceTypeIAMPolicy iamapi.PolicySourceType = "IAM Policy"

// Names the simulator gives the policies passed as strings, as AWS reports them
// in SourcePolicyId ("PolicyInputList.1", ...).
const (
	simInputName    = "PolicyInputList."
	simBoundaryName = "PermissionsBoundaryPolicyInputList."
	simResourceName = "ResourcePolicy"
	simSCPName      = "OrderedOrganizationPolicyInputList."
)

// simSource says where a policy of a simulation came from, from the name it has
// in the policy set: the policy ARN for managed policies, "user/NAME/POLICY"
// (or group/, role/) for inline ones, and the names above for inputs.
func simSource(name string) (id string, typ iamapi.PolicySourceType) {
	switch {
	case strings.HasPrefix(name, "arn:"):
		id = name[strings.LastIndexByte(name, '/')+1:]
		if strings.HasPrefix(name, awsPolicyPrefix) {
			return id, iamapi.PolicySourceTypeAwsmanaged
		}
		return id, iamapi.PolicySourceTypeUsermanaged
	case name == simResourceName:
		return name, iamapi.PolicySourceTypeResource
	case strings.HasPrefix(name, simInputName), strings.HasPrefix(name, simBoundaryName), strings.HasPrefix(name, simSCPName):
		return name, sourceTypeIAMPolicy
	}
	if kind, rest, ok := strings.Cut(name, "/"); ok {
		if _, pol, ok := strings.Cut(rest, "/"); ok {
			switch store.EntityKind(kind) {
			case store.EntityUser:
				return pol, iamapi.PolicySourceTypeUser
			case store.EntityGroup:
				return pol, iamapi.PolicySourceTypeGroup
			case store.EntityRole:
				return pol, iamapi.PolicySourceTypeRole
			}
		}
	}
	return name, iamapi.PolicySourceTypeNone
}

// compileInputs compiles policies passed as strings, naming them prefix+N (from
// 1). A malformed document is InvalidInput, the error the simulator operations
// document, carrying the parser's MalformedPolicyDocument message.
func (s *Service) compileInputs(docs []string, prefix string, kind policy.Kind) ([]*policy.Policy, error) {
	out := make([]*policy.Policy, 0, len(docs))
	for i, d := range docs {
		name := prefix + strconv.Itoa(i+1)
		p, err := s.dir.Compile(name, d, kind)
		if err != nil {
			return nil, awserr.InvalidInput("%s: %s", name, err.Error()).WithCause(err)
		}
		out = append(out, p)
	}
	return out, nil
}

// simEntity is the user, group or role a PolicySourceArn names.
type simEntity struct {
	kind store.EntityKind
	name string
	arn  string
}

// parseSimEntity reads a PolicySourceArn (or CallerArn): an IAM user, group or
// role ARN.
func parseSimEntity(field, s string) (simEntity, string, error) {
	a, err := arn.Parse(s)
	if err == nil && a.Service == "iam" && store.IsAccountID(a.Account) {
		kind, rest, _ := strings.Cut(a.Resource, "/")
		name := rest[strings.LastIndexByte(rest, '/')+1:]
		switch store.EntityKind(kind) {
		case store.EntityUser, store.EntityGroup, store.EntityRole:
			if name != "" {
				return simEntity{kind: store.EntityKind(kind), name: name, arn: s}, a.Account, nil
			}
		}
	}
	return simEntity{}, "", awserr.InvalidInput("Invalid ARN for %s: %s. It must be the ARN of an IAM user, group or role.", field, s)
}

// entityPolicies returns the identity policies and permissions boundary of a
// user (with its groups' policies), group or role of the caller's account.
func (s *Service) entityPolicies(ctx context.Context, account string, e simEntity) ([]*policy.Policy, *policy.Policy, error) {
	missing := func() error {
		return awserr.NoSuchEntity("The %s with name %s cannot be found.", e.kind, e.name)
	}
	exists := false
	err := s.view(ctx, func(tx store.ReadTx) error {
		kind, key := store.KindUser, store.UserKey(e.name)
		switch e.kind {
		case store.EntityGroup:
			kind, key = store.KindGroup, store.GroupKey(e.name)
		case store.EntityRole:
			kind, key = store.KindRole, store.RoleKey(e.name)
		}
		_, err := tx.Get(ctx, kind, account, key)
		if isNotFound(err) {
			return nil
		}
		exists = err == nil
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		return nil, nil, missing()
	}
	var set *policy.Set
	switch e.kind {
	case store.EntityUser:
		set, err = s.dir.UserPolicies(ctx, account, e.name)
	case store.EntityRole:
		set, err = s.dir.RolePolicies(ctx, account, e.name)
	default:
		set, err = s.groupPolicySet(ctx, account, e.name)
	}
	if isNotFound(err) {
		return nil, nil, missing()
	}
	if err != nil {
		return nil, nil, err
	}
	// The directory's set is shared and cached: copy before changing it.
	return slices.Clone(set.Identity), set.Boundary, nil
}

// groupPolicySet compiles a group's own policies, inline and attached (the
// directory keeps sets for principals only).
func (s *Service) groupPolicySet(ctx context.Context, account, name string) (*policy.Set, error) {
	set := &policy.Set{}
	err := s.view(ctx, func(tx store.ReadTx) error {
		inline, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(store.EntityGroup, name)})
		if err != nil {
			return err
		}
		for _, ip := range inline {
			p, err := s.dir.Compile(string(store.EntityGroup)+"/"+name+"/"+ip.PolicyName, ip.Document, policy.KindIdentity)
			if err != nil {
				return fmtErr("inline policy %s of group %s: %w", ip.PolicyName, name, err)
			}
			set.Identity = append(set.Identity, p)
		}
		atts, err := attachments.listFrom(ctx, tx, account, principal{store.EntityGroup, name})
		if err != nil {
			return err
		}
		for _, a := range atts {
			doc, err := s.managedDefaultDocument(ctx, tx, a.PolicyARN)
			if err != nil {
				return fmtErr("managed policy %s: %w", a.PolicyARN, err)
			}
			p, err := s.dir.Compile(a.PolicyARN, doc, policy.KindIdentity)
			if err != nil {
				return fmtErr("managed policy %s: %w", a.PolicyARN, err)
			}
			set.Identity = append(set.Identity, p)
		}
		return nil
	})
	return set, err
}

// managedDefaultDocument returns the default version's document of a managed
// policy, AWS managed (from the catalogue) or customer managed (from the store).
func (s *Service) managedDefaultDocument(ctx context.Context, tx store.ReadTx, policyARN string) (string, error) {
	if strings.HasPrefix(policyARN, awsPolicyPrefix) {
		if doc, ok := s.managed.Document(policyARN); ok {
			return doc, nil
		}
		return "", fmtErr("unknown AWS managed policy %s: %w", policyARN, store.ErrNotFound)
	}
	acct, name, ok := splitPolicyARN(policyARN)
	if !ok {
		return "", fmtErr("malformed policy ARN %q", policyARN)
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, acct, store.PolicyKey(name))
	if err != nil {
		return "", err
	}
	v, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey(name, mp.DefaultVersionID))
	return v.Document, err
}

// excludePolicies drops the policies a PolicyExclusionList names: by type, by
// ARN (wildcards allowed) or by inline policy identifier. SCP and RCP
// identifiers are accepted and ignored, the set holding none of them.
func excludePolicies(ids []iamapi.PolicyIdentifier, pols []*policy.Policy, boundary *policy.Policy) ([]*policy.Policy, *policy.Policy, error) {
	drop := func(p *policy.Policy, isBoundary bool) (bool, error) {
		_, typ := simSource(p.Name)
		for _, id := range ids {
			if id.PolicyType != nil {
				switch *id.PolicyType {
				case iamapi.PolicyIdentifierPolicyTypeInline:
					if !isBoundary && (typ == iamapi.PolicySourceTypeUser || typ == iamapi.PolicySourceTypeGroup || typ == iamapi.PolicySourceTypeRole) {
						return true, nil
					}
				case iamapi.PolicyIdentifierPolicyTypeAwsmanaged:
					if !isBoundary && typ == iamapi.PolicySourceTypeAwsmanaged {
						return true, nil
					}
				case iamapi.PolicyIdentifierPolicyTypeUsermanaged:
					if !isBoundary && typ == iamapi.PolicySourceTypeUsermanaged {
						return true, nil
					}
				case iamapi.PolicyIdentifierPolicyTypePermissionboundary:
					if isBoundary {
						return true, nil
					}
				}
			}
			if id.PolicyArn != nil {
				pa := *id.PolicyArn
				if !strings.HasPrefix(pa, "arn:") || !strings.Contains(pa, ":policy/") {
					return false, awserr.InvalidInput("Invalid PolicyArn in PolicyExclusionList: %s", pa)
				}
				if strings.HasPrefix(p.Name, "arn:") && wildcard.Match(pa, p.Name) {
					return true, nil
				}
			}
			if ip := id.InlinePolicyIdentifier; ip != nil && !isBoundary {
				kind, rest, _ := strings.Cut(p.Name, "/")
				owner, pol, _ := strings.Cut(rest, "/")
				if kind == string(ip.AttachmentType) && strings.EqualFold(owner, ip.AttachmentName) && pol == ip.PolicyName {
					return true, nil
				}
			}
		}
		return false, nil
	}
	var kept []*policy.Policy
	for _, p := range pols {
		d, err := drop(p, false)
		if err != nil {
			return nil, nil, err
		}
		if !d {
			kept = append(kept, p)
		}
	}
	if boundary != nil {
		d, err := drop(boundary, true)
		if err != nil {
			return nil, nil, err
		}
		if d {
			boundary = nil
		}
	}
	return kept, boundary, nil
}

// simulation is one simulator request, ready to evaluate.
type simulation struct {
	set       policy.Set
	principal policy.Principal
	owner     string // ResourceOwner's account, or ""
	ctx       *policy.Context
	actions   []string
	resources []string
	// specific reports that ResourceArns named resources (not just "*"):
	// results then carry ResourceSpecificResults.
	specific bool
	// fingerprint identifies the request in its markers (simFingerprint).
	fingerprint string
	// bounds are the page bounds; zero means simDefaultBounds (tests set
	// small ones).
	bounds simBounds
	// orgOf, when set, holds for each resource the organization controls
	// its evaluation meets (SimulatePrincipalPolicy with Organizations).
	orgOf []*simOrg
}

// simOrg is the policy set and context of a simulated request with what the
// organization adds: the SCP levels over the principal's account, the RCP
// levels over the resource's account, and the organization condition keys.
type simOrg struct {
	set        policy.Set
	ctx        *policy.Context
	management bool
}

// resourceHandlingOptions are the scenarios ResourceHandlingOption accepts
// (API reference, SimulatePrincipalPolicy).
var resourceHandlingOptions = []string{
	"EC2-VPC-InstanceStore", "EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS", "EC2-VPC-EBS-Subnet",
	"EC2-Classic-InstanceStore", "EC2-Classic-EBS",
}

// simCommon reads the request members both Simulate operations share.
func (s *Service) simCommon(sim *simulation, actions, resources []string, entries []iamapi.ContextEntry, boundaries []string, resourcePolicy, owner, handling *string) error {
	for _, a := range actions {
		svc, name, ok := strings.Cut(a, ":")
		if !ok || svc == "" || name == "" {
			return awserr.InvalidInput("Action name %s is not valid: it must be of the form service:Action.", a)
		}
	}
	sim.actions = actions
	sim.resources = resources
	if len(resources) == 0 {
		sim.resources = []string{"*"}
	}
	for _, r := range sim.resources {
		if r == "*" {
			continue
		}
		sim.specific = true
		if _, err := arn.Parse(r); err != nil {
			return awserr.InvalidInput("Resource %s must be in ARN format or \"*\".", r)
		}
	}
	if handling != nil && !slices.Contains(resourceHandlingOptions, *handling) {
		return awserr.InvalidInput("Invalid ResourceHandlingOption: %s.", *handling)
	}
	var err error
	if sim.ctx, err = simContext(entries); err != nil {
		return err
	}
	if len(boundaries) > 1 {
		return awserr.InvalidInput("You can input only one permissions boundary policy.")
	}
	if len(boundaries) == 1 {
		bs, err := s.compileInputs(boundaries, simBoundaryName, policy.KindBoundary)
		if err != nil {
			return err
		}
		// An input boundary replaces the entity's own (API reference).
		sim.set.Boundary = bs[0]
	}
	if resourcePolicy != nil {
		p, err := s.dir.Compile(simResourceName, *resourcePolicy, policy.KindResource)
		if err != nil {
			return awserr.InvalidInput("%s: %s", simResourceName, err.Error()).WithCause(err)
		}
		sim.set.Resource = p
	}
	if owner != nil && *owner != "" {
		o := *owner
		if a, err := arn.Parse(o); err == nil {
			o = a.Account
		}
		if !store.IsAccountID(o) {
			return awserr.InvalidInput("Invalid ResourceOwner: %s.", *owner)
		}
		sim.owner = o
	}
	return nil
}

// simPrincipal describes the simulated caller from a user, group or role ARN. A
// role is simulated as a session of it; a group, which is no principal, as a
// user-like caller with the group's ARN.
func simPrincipal(e simEntity, account string) policy.Principal {
	if e.kind != store.EntityGroup {
		if p, ok := policy.PrincipalFromARN(e.arn); ok {
			return p
		}
	}
	return policy.Principal{Type: policy.PrincipalUser, ARN: e.arn, Account: account}
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, c *identity.Caller, in *iamapi.SimulatePrincipalPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	src, acct, err := parseSimEntity("PolicySourceArn", in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	if acct != c.Account {
		return nil, awserr.NoSuchEntity("The %s with name %s cannot be found.", src.kind, src.name)
	}
	var sim simulation
	if err := s.simCommon(&sim, in.ActionNames, in.ResourceArns, in.ContextEntries, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy, in.ResourceOwner, in.ResourceHandlingOption); err != nil {
		return nil, err
	}
	inputs, err := s.compileInputs(in.PolicyInputList, simInputName, policy.KindIdentity)
	if err != nil {
		return nil, err
	}
	pols, boundary, err := s.entityPolicies(ctx, c.Account, src)
	if err != nil {
		return nil, err
	}
	if pols, boundary, err = excludePolicies(in.PolicyExclusionList, pols, boundary); err != nil {
		return nil, err
	}
	sim.set.Identity = append(pols, inputs...)
	if sim.set.Boundary == nil {
		sim.set.Boundary = boundary
	}
	caller := src
	if in.CallerArn != nil {
		if caller, acct, err = parseSimEntity("CallerArn", *in.CallerArn); err != nil {
			return nil, err
		}
	} else if src.kind == store.EntityGroup && sim.set.Resource != nil {
		return nil, awserr.InvalidInput("CallerArn is required when ResourcePolicy is given and PolicySourceArn is a group.")
	}
	sim.principal = simPrincipal(caller, acct)
	if err := s.simGuardrails(ctx, &sim); err != nil {
		return nil, err
	}
	sim.fingerprint = simFingerprint("SimulatePrincipalPolicy "+in.PolicySourceArn, in.ActionNames, in.ResourceArns)
	return s.runSimulation(ctx, &sim, in.Marker, in.MaxItems)
}

// simGuardrails gives a SimulatePrincipalPolicy the organization controls the
// real request would meet (as the server's authorization applies them): the
// SCP levels of the principal's account, the RCP levels of each resource's
// account (ResourceOwner's, else the ARN's) and the organization condition
// keys aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID and
// aws:ResourceOrgPaths. SimulateCustomPolicy takes the SCPs it is given
// instead ("Use this parameter to simulate the effect of an SCP hierarchy
// without calling SimulatePrincipalPolicy", OrderedOrganizationPolicyInputList,
// SimulateCustomPolicy, IAM API Reference). A value the request's
// ContextEntries give for one of those keys is kept: the simulator simulates
// the context it is given. Only accounts Gatehouse knows can be in an
// organization; the controls of any other resource account are the
// principal's alone.
func (s *Service) simGuardrails(ctx context.Context, sim *simulation) error {
	if s.orgs == nil {
		return nil
	}
	byAcct := map[string]*simOrg{}
	orgFor := func(acct string) (*simOrg, error) {
		if _, known := s.dir.Account(acct); !known && acct != sim.principal.Account {
			acct = "" // no organization's resource
		}
		if o, ok := byAcct[acct]; ok {
			return o, nil
		}
		g, err := s.orgs.GuardrailsFor(ctx, sim.principal.Account, acct)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		o := &simOrg{set: *g.Apply(&sim.set), management: g.PrincipalManagement, ctx: policy.NewContext(len(g.Context))}
		g.SetContext(o.ctx)
		for _, k := range sim.ctx.Keys() {
			v, _ := sim.ctx.Get(k)
			o.ctx.Set(k, v...)
		}
		byAcct[acct] = o
		return o, nil
	}
	sim.orgOf = make([]*simOrg, len(sim.resources))
	for i, r := range sim.resources {
		acct := sim.owner
		if acct == "" {
			acct = arnAccountOf(r)
		}
		o, err := orgFor(acct)
		if err != nil {
			return err
		}
		sim.orgOf[i] = o
	}
	return nil
}

func (s *Service) simulateCustomPolicy(ctx context.Context, c *identity.Caller, in *iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	var sim simulation
	if err := s.simCommon(&sim, in.ActionNames, in.ResourceArns, in.ContextEntries, in.PermissionsBoundaryPolicyInputList, in.ResourcePolicy, in.ResourceOwner, in.ResourceHandlingOption); err != nil {
		return nil, err
	}
	var err error
	if sim.set.Identity, err = s.compileInputs(in.PolicyInputList, simInputName, policy.KindIdentity); err != nil {
		return nil, err
	}
	for i, level := range in.OrderedOrganizationPolicyInputList {
		scps, err := s.compileInputs(level.ServiceControlPolicyInputList, simSCPName+strconv.Itoa(i+1)+".", policy.KindSCP)
		if err != nil {
			return nil, err
		}
		sim.set.SCP = append(sim.set.SCP, scps)
	}
	switch {
	case in.CallerArn != nil:
		e, acct, err := parseSimEntity("CallerArn", *in.CallerArn)
		if err != nil {
			return nil, err
		}
		sim.principal = simPrincipal(e, acct)
	case sim.set.Resource != nil:
		// "CallerArn is required if you include a ResourcePolicy so that the
		// policy's Principal element has a value" (API reference).
		return nil, awserr.InvalidInput("CallerArn is required when ResourcePolicy is given.")
	default:
		// No caller: an unnamed principal of the calling account, which
		// owns the resources unless ResourceOwner says otherwise.
		sim.principal = policy.Principal{Type: policy.PrincipalUser, Account: c.Account}
	}
	sim.fingerprint = simFingerprint("SimulateCustomPolicy", in.ActionNames, in.ResourceArns)
	return s.runSimulation(ctx, &sim, in.Marker, in.MaxItems)
}

// Bounds of one page of simulation results. The API reference allows IAM to
// return fewer results than MaxItems while more are available ("Note that IAM
// might return fewer results, even when there are more results available. In
// that case, the IsTruncated response element returns true, and Marker
// contains a value to include in the subsequent call", MaxItems of
// SimulatePrincipalPolicy and SimulateCustomPolicy, IAM API Reference), so a
// page stops early when its actions have cost enough; it always holds at least
// one action, so every request makes progress.
type simBounds struct {
	// pageEvaluations bounds the action × resource evaluations one page
	// computes (a further action is taken only if its resources fit).
	pageEvaluations int
	// pageDetails bounds the MatchedStatements and MissingContextValues
	// entries one page holds, top-level and per resource together: a page
	// ends with the action that reaches it.
	pageDetails int
	// actionDetails bounds those entries in the results of one action: past
	// it, further statements and keys of that action are not listed. Only an
	// action matching thousands of statements across thousands of resources
	// reaches it; without it one action's results could grow with the
	// product of resources and statements that fit in one request body.
	actionDetails int
}

var simDefaultBounds = simBounds{pageEvaluations: 10_000, pageDetails: 10_000, actionDetails: 10_000}

// runSimulation runs sim once one of the simulation slots is free (half the
// cores, at least one): a page's work is bounded, but the heaviest legal
// page still costs seconds of CPU, and the callers the server authorizes
// must keep the other cores. A caller that gives up waiting gets its
// context's error.
func (s *Service) runSimulation(ctx context.Context, sim *simulation, marker *string, maxItems *int32) (*iamapi.SimulatePolicyResponse, error) {
	select {
	case s.simSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.simSlots }()
	return sim.run(marker, maxItems)
}

// run evaluates one page of actions on every resource and returns their
// EvaluationResults, one per action: at most MaxItems (default 100) actions,
// fewer when the page bounds above are reached.
func (sim *simulation) run(marker *string, maxItems *int32) (*iamapi.SimulatePolicyResponse, error) {
	limit := defaultMaxItems
	if maxItems != nil {
		limit = max(1, min(int(*maxItems), maxMaxItems))
	}
	start := 0
	if marker != nil {
		var err error
		if start, err = sim.parseMarker(*marker); err != nil {
			return nil, err
		}
	}
	if sim.bounds == (simBounds{}) {
		sim.bounds = simDefaultBounds
	}
	out := &iamapi.SimulatePolicyResponse{EvaluationResults: []iamapi.EvaluationResult{}}
	evals, details := 0, 0
	end := start
	for end < len(sim.actions) && len(out.EvaluationResults) < limit {
		if end > start && (evals+len(sim.resources) > sim.bounds.pageEvaluations || details >= sim.bounds.pageDetails) {
			break
		}
		res, n := sim.evaluateAction(sim.actions[end])
		out.EvaluationResults = append(out.EvaluationResults, res)
		evals += len(sim.resources)
		details += n
		end++
	}
	var next *string
	if end < len(sim.actions) {
		m := sim.marker(end)
		next = &m
	}
	out.IsTruncated, out.Marker = truncatedOut(next != nil, next)
	return out, nil
}

// markerPrefix starts every simulation marker (a version, should the form
// change).
const markerPrefix = "sim1."

// fingerprint identifies the request a marker belongs to: the operation and
// the lists the action index refers to. A marker carries it, so one taken
// from another request (or edited) is refused rather than applied to lists
// it does not describe.
func simFingerprint(op string, actions, resources []string) string {
	h := sha256.New()
	var n [8]byte
	write := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(op)
	for _, list := range [][]string{actions, resources} {
		binary.BigEndian.PutUint64(n[:], uint64(len(list)))
		h.Write(n[:])
		for _, s := range list {
			write(s)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// marker returns the Marker of the page starting at action index next.
func (sim *simulation) marker(next int) string {
	return encodeMarker(markerPrefix + strconv.Itoa(next) + "." + sim.fingerprint)
}

// parseMarker returns the action index a Marker of this request points at. A
// marker is strictly checked: well-formed, made for this very request (the
// same operation, actions and resources) and pointing inside its actions;
// anything else is InvalidInput, as for IAM's other paginated operations.
func (sim *simulation) parseMarker(m string) (int, error) {
	bad := awserr.InvalidInput("Invalid Marker.")
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, bad
	}
	rest, ok := strings.CutPrefix(string(b), markerPrefix)
	if !ok {
		return 0, bad
	}
	idx, fp, ok := strings.Cut(rest, ".")
	if !ok || fp != sim.fingerprint || idx == "" || (len(idx) > 1 && idx[0] == '0') {
		return 0, bad
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i <= 0 || i >= len(sim.actions) {
		return 0, bad
	}
	return i, nil
}

// decisionRank orders decisions from least to most restrictive.
func decisionRank(d iamapi.PolicyEvaluationDecisionType) int {
	switch d {
	case iamapi.PolicyEvaluationDecisionTypeAllowed:
		return 0
	case iamapi.PolicyEvaluationDecisionTypeImplicitDeny:
		return 1
	}
	return 2
}

func mostRestrictive(a, b iamapi.PolicyEvaluationDecisionType) iamapi.PolicyEvaluationDecisionType {
	if decisionRank(b) > decisionRank(a) {
		return b
	}
	return a
}

// Keys of EvalDecisionDetails: the policy types of a cross-account decision.
const (
	detailIAMPolicy      = "IAM Policy"
	detailResourcePolicy = "Resource Policy"
	detailBoundaryPolicy = "Permissions Boundary Policy"
)

// stmtKey identifies a statement of the simulation: its policy and position.
type stmtKey struct {
	policy       string
	line, column int32
}

// evaluateAction simulates one action on every resource. The top-level result
// aggregates the per-resource ones as the API reference describes: the most
// restrictive decision, the union of matched statements and missing context
// keys; EvalResourceName is the ARN template of the simulated resource type, or
// "*" when the action defines none (EvaluationResult, API reference). It also
// returns the number of MatchedStatements and MissingContextValues entries
// the result holds, at most bounds.actionDetails.
func (sim *simulation) evaluateAction(action string) (iamapi.EvaluationResult, int) {
	res := iamapi.EvaluationResult{EvalActionName: action, EvalDecision: iamapi.PolicyEvaluationDecisionTypeAllowed, MatchedStatements: []iamapi.Statement{}}
	res.EvalResourceName = str(resourceTemplate(action, sim.resources))
	left := sim.bounds.actionDetails // entries this action may still list
	var missing keyList
	seen := map[stmtKey]bool{}
	var boundaryAllowed, orgAllowed *bool
	if sim.specific {
		res.ResourceSpecificResults = make([]iamapi.ResourceSpecificResult, 0, len(sim.resources))
	}
	for i := range sim.resources {
		rr := sim.evaluate(action, i, &left)
		res.EvalDecision = mostRestrictive(res.EvalDecision, rr.EvalResourceDecision)
		for _, st := range rr.MatchedStatements {
			k := stmtKey{*st.SourcePolicyId, *st.StartPosition.Line, *st.StartPosition.Column}
			if !seen[k] && left > 0 {
				seen[k] = true
				left--
				res.MatchedStatements = append(res.MatchedStatements, st)
			}
		}
		for _, k := range rr.MissingContextValues {
			if left > 0 && missing.add(k) {
				left--
			}
		}
		if rr.PermissionsBoundaryDecisionDetail != nil {
			a := *rr.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary && (boundaryAllowed == nil || *boundaryAllowed)
			boundaryAllowed = &a
		}
		a := rr.orgAllowed && (orgAllowed == nil || *orgAllowed)
		orgAllowed = &a
		if rr.EvalDecisionDetails != nil {
			if res.EvalDecisionDetails == nil {
				res.EvalDecisionDetails = map[string]iamapi.PolicyEvaluationDecisionType{}
			}
			for k, d := range rr.EvalDecisionDetails {
				if old, ok := res.EvalDecisionDetails[k]; ok {
					d = mostRestrictive(old, d)
				}
				res.EvalDecisionDetails[k] = d
			}
		}
		if sim.specific {
			res.ResourceSpecificResults = append(res.ResourceSpecificResults, rr.ResourceSpecificResult)
		}
	}
	res.MissingContextValues = missing.list()
	if boundaryAllowed != nil {
		res.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: boundaryAllowed}
	}
	res.OrganizationsDecisionDetail = &iamapi.OrganizationsDecisionDetail{AllowedByOrganizations: orgAllowed}
	return res, sim.bounds.actionDetails - left
}

// resourceTemplate returns the ARN template, from the service authorization
// reference, of the resource type of action that the simulated resources name;
// "*" when they are all "*" or the action defines no such type.
func resourceTemplate(action string, resources []string) string {
	types, ok := authref.Lookup().ResourceTypesFor(action)
	if !ok {
		return "*"
	}
	for _, r := range resources {
		if r == "*" {
			continue
		}
		for _, t := range types {
			if t.Type.MatchesARN(r) {
				return t.Type.ARN
			}
		}
	}
	return "*"
}

// resourceResult is one resource's result with what aggregation needs.
type resourceResult struct {
	iamapi.ResourceSpecificResult
	orgAllowed bool
}

// evaluate simulates one action on the resource of index ri. Its
// MatchedStatements and MissingContextValues list at most *left entries,
// which it deducts.
func (sim *simulation) evaluate(action string, ri int, left *int) resourceResult {
	resource := sim.resources[ri]
	set, pctx, principal := &sim.set, sim.ctx, sim.principal
	if sim.orgOf != nil {
		o := sim.orgOf[ri]
		set, pctx = &o.set, o.ctx
		principal.ManagementAccount = principal.ManagementAccount || o.management
	}
	req := policy.Request{Principal: principal, Action: action, Resource: resource, ResourceAccount: sim.owner, Context: pctx}
	rr := resourceResult{orgAllowed: true}
	rr.EvalResourceName = resource
	var decided policy.Result
	if *left <= 0 {
		// Nothing more is listed for this action: the decision alone, from
		// the engine's allocation-free path.
		decided = policy.Evaluate(set, &req)
		rr.MatchedStatements, rr.MissingContextValues = []iamapi.Statement{}, []string{}
	} else {
		exp := policy.Explain(set, &req)
		decided = exp.Result
		rr.MatchedStatements = matchedStatements(exp, *left)
		*left -= len(rr.MatchedStatements)
		var missing keyList
		docs := make([]*policy.Policy, 0, len(sim.set.Identity)+2)
		docs = append(docs, sim.set.Identity...)
		if sim.set.Boundary != nil {
			docs = append(docs, sim.set.Boundary)
		}
		if sim.set.Resource != nil {
			docs = append(docs, sim.set.Resource)
		}
		for _, p := range docs {
			missingKeysOf(p.Doc, action, resource, pctx, &missing)
		}
		for _, k := range exp.MissingContextKeys {
			missing.add(k)
		}
		keys := missing.list()
		rr.MissingContextValues = keys[:min(len(keys), *left)]
		*left -= len(rr.MissingContextValues)
	}
	rr.EvalResourceDecision = iamapi.PolicyEvaluationDecisionType(decided.Decision.String())
	if _, _, reserved := Reserved(action, resource); reserved && rr.EvalResourceDecision == iamapi.PolicyEvaluationDecisionTypeAllowed {
		// AWS refuses these whatever the policies say (service-linked roles
		// are modified only through their service; AWS managed policies
		// are read-only): what a real request would meet is a refusal.
		rr.EvalResourceDecision = iamapi.PolicyEvaluationDecisionTypeImplicitDeny
	}

	one := func(set *policy.Set, sameAccount bool) iamapi.PolicyEvaluationDecisionType {
		r := req
		if sameAccount {
			r.ResourceAccount = sim.principal.Account
		}
		return iamapi.PolicyEvaluationDecisionType(policy.Evaluate(set, &r).Decision.String())
	}
	if sim.set.Boundary != nil {
		allowed := one(&policy.Set{Identity: []*policy.Policy{sim.set.Boundary}}, true) == iamapi.PolicyEvaluationDecisionTypeAllowed
		rr.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: &allowed}
	}
	if (decided.Layer == policy.LayerSCP || decided.Layer == policy.LayerRCP) && decided.Decision != policy.Allowed {
		rr.orgAllowed = false
		return rr // the simulation ends at the organization: no EvalDecisionDetails
	}
	// EvalDecisionDetails: absent for "*", empty within one account, and per
	// policy type across accounts (EvaluationResult, API reference).
	if resource != "*" {
		rr.EvalDecisionDetails = map[string]iamapi.PolicyEvaluationDecisionType{}
		owner := sim.owner
		if owner == "" {
			owner = arnAccountOf(resource)
		}
		if owner != "" && owner != sim.principal.Account {
			rr.EvalDecisionDetails[detailIAMPolicy] = one(&policy.Set{Identity: sim.set.Identity}, true)
			if sim.set.Resource != nil {
				rr.EvalDecisionDetails[detailResourcePolicy] = one(&policy.Set{Resource: sim.set.Resource}, true)
			}
			if sim.set.Boundary != nil {
				rr.EvalDecisionDetails[detailBoundaryPolicy] = one(&policy.Set{Identity: []*policy.Policy{sim.set.Boundary}}, true)
			}
		}
	}
	return rr
}

// arnAccountOf returns the account of an ARN, "" when it has none.
func arnAccountOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Account
}

// matchedStatements returns the statements that decided: for an explicit deny
// the deny statements only, for an allow the allow statements, for an implicit
// deny none (MatchedStatements, API reference). Statements of SCPs and RCPs are
// not reported, nor the allows of a permissions boundary. It lists at most
// limit statements.
func matchedStatements(exp *policy.Explanation, limit int) []iamapi.Statement {
	out := []iamapi.Statement{}
	var want string
	switch exp.Decision {
	case policy.Allowed:
		want = "Allow"
	case policy.ExplicitDeny:
		want = "Deny"
	default:
		return out
	}
	for _, m := range exp.MatchedStatements {
		if len(out) >= limit {
			break
		}
		if m.Effect != want || m.Layer == policy.LayerSCP.Key() || m.Layer == policy.LayerRCP.Key() {
			continue
		}
		if want == "Allow" && m.Layer == policy.LayerBoundary.Key() {
			continue // a boundary only limits: its allows decide nothing
		}
		id, typ := simSource(m.Policy)
		out = append(out, iamapi.Statement{
			SourcePolicyId: str(id), SourcePolicyType: ptr(typ),
			StartPosition: &iamapi.Position{Line: ptr(int32(m.Start.Line)), Column: ptr(int32(m.Start.Column))},
			EndPosition:   &iamapi.Position{Line: ptr(int32(m.End.Line)), Column: ptr(int32(m.End.Column))},
		})
	}
	return out
}

func (s *Service) getContextKeysForPrincipalPolicy(ctx context.Context, c *identity.Caller, in *iamapi.GetContextKeysForPrincipalPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	src, acct, err := parseSimEntity("PolicySourceArn", in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	if acct != c.Account {
		return nil, awserr.NoSuchEntity("The %s with name %s cannot be found.", src.kind, src.name)
	}
	inputs, err := s.compileInputs(in.PolicyInputList, simInputName, policy.KindIdentity)
	if err != nil {
		return nil, err
	}
	pols, boundary, err := s.entityPolicies(ctx, c.Account, src)
	if err != nil {
		return nil, err
	}
	if boundary != nil {
		pols = append(pols, boundary)
	}
	var keys keyList
	for _, p := range append(pols, inputs...) {
		contextKeysOf(p.Doc, &keys)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: keys.list()}, nil
}

func (s *Service) getContextKeysForCustomPolicy(ctx context.Context, c *identity.Caller, in *iamapi.GetContextKeysForCustomPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	inputs, err := s.compileInputs(in.PolicyInputList, simInputName, policy.KindIdentity)
	if err != nil {
		return nil, err
	}
	var keys keyList
	for _, p := range inputs {
		contextKeysOf(p.Doc, &keys)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: keys.list()}, nil
}
