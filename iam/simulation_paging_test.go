package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// pagingSim is a small simulation with everything a result can carry: allows,
// an explicit deny, implicit denies, conditions on absent keys (missing
// context values), a permissions boundary and a resource of another account
// (EvalDecisionDetails).
func pagingSim(t *testing.T, actions, resources int) *simulation {
	t.Helper()
	compile := func(name, doc string, kind policy.Kind) *policy.Policy {
		p, err := policy.ParseAndCompile(name, doc, kind)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	id := compile(simInputName+"1", `{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:*","Resource":"*"},
  {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},
  {"Effect":"Deny","Action":"s3:Put*","Resource":"arn:aws:s3:::b/secret*"},
  {"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"x"}}},
  {"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, policy.KindIdentity)
	id2 := compile(simInputName+"2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:GetUser"],"Resource":"*"}]}`, policy.KindIdentity)
	boundary := compile(simBoundaryName+"1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}]}`, policy.KindBoundary)
	names := []string{"s3:GetObject", "s3:PutObject", "iam:GetUser", "ec2:RunInstances", "s3:ListBucket", "iam:CreateUser", "dynamodb:GetItem"}
	sim := &simulation{
		principal: policy.Principal{Type: policy.PrincipalUser, ARN: "arn:aws:iam::123456789012:user/dev", Account: "123456789012"},
		ctx:       policy.NewContext(0), specific: true,
	}
	sim.set.Identity = []*policy.Policy{id, id2}
	sim.set.Boundary = boundary
	for i := range actions {
		sim.actions = append(sim.actions, names[i%len(names)])
	}
	for i := range resources {
		switch i % 4 {
		case 0:
			sim.resources = append(sim.resources, "arn:aws:s3:::b/obj"+strconv.Itoa(i))
		case 1:
			sim.resources = append(sim.resources, "arn:aws:s3:::b/secret"+strconv.Itoa(i))
		case 2:
			sim.resources = append(sim.resources, "arn:aws:iam::111122223333:user/u"+strconv.Itoa(i))
		default:
			sim.resources = append(sim.resources, "arn:aws:ec2:us-east-1:123456789012:instance/i-"+strconv.Itoa(i))
		}
	}
	sim.fingerprint = simFingerprint("SimulateCustomPolicy", sim.actions, sim.resources)
	return sim
}

// walk pages through sim with maxItems per page and returns every result and
// the number of results on each page.
func walk(t *testing.T, sim *simulation, maxItems int32) ([]iamapi.EvaluationResult, []int) {
	t.Helper()
	var all []iamapi.EvaluationResult
	var sizes []int
	var marker *string
	for {
		out, err := sim.run(marker, &maxItems)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.EvaluationResults...)
		sizes = append(sizes, len(out.EvaluationResults))
		if len(out.EvaluationResults) == 0 {
			t.Fatal("an empty page")
		}
		if !*out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("a marker on the last page")
			}
			return all, sizes
		}
		if out.Marker == nil {
			t.Fatal("truncated without a marker")
		}
		if len(sizes) > len(sim.actions) {
			t.Fatal("more pages than actions")
		}
		marker = out.Marker
	}
}

// TestSimulationPagingMatchesFull: paging through a simulation, whatever the
// page size and the page bounds, yields exactly the results of evaluating
// every action on every resource at once.
func TestSimulationPagingMatchesFull(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ actions, resources int }{{1, 1}, {7, 1}, {7, 8}, {23, 5}, {3, 40}} {
		full := pagingSim(t, size.actions, size.resources)
		full.bounds = simBounds{pageEvaluations: 1 << 30, pageDetails: 1 << 30, actionDetails: 1 << 30}
		want, sizes := walk(t, full, 1000)
		if len(sizes) != 1 || len(want) != size.actions {
			t.Fatalf("%+v: the unbounded run took pages %v", size, sizes)
		}
		for _, bounds := range []simBounds{
			{pageEvaluations: 1, pageDetails: 1 << 30, actionDetails: 1 << 30},
			{pageEvaluations: 2 * size.resources, pageDetails: 1 << 30, actionDetails: 1 << 30},
			{pageEvaluations: 1 << 30, pageDetails: 3, actionDetails: 1 << 30},
			{pageEvaluations: 17, pageDetails: 9, actionDetails: 1 << 30},
		} {
			for _, maxItems := range []int32{1, 2, 5, 1000} {
				sim := pagingSim(t, size.actions, size.resources)
				sim.bounds = bounds
				got, sizes := walk(t, sim, maxItems)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%+v bounds %+v MaxItems %d: paged results differ from the full run", size, bounds, maxItems)
				}
				for _, n := range sizes {
					if n > int(maxItems) {
						t.Errorf("%+v bounds %+v: a page of %d results over MaxItems %d", size, bounds, n, maxItems)
					}
				}
			}
		}
	}
}

// TestSimulationPageBounds: a page of many resources holds fewer actions than
// MaxItems (at least one), and no page evaluates more than its bound unless
// its single action needs it.
func TestSimulationPageBounds(t *testing.T) {
	t.Parallel()
	sim := pagingSim(t, 10, 12)
	sim.bounds = simBounds{pageEvaluations: 30, pageDetails: 1 << 30, actionDetails: 1 << 30}
	_, sizes := walk(t, sim, 100)
	// 12 resources per action, 30 evaluations per page: 2 actions a page.
	if !reflect.DeepEqual(sizes, []int{2, 2, 2, 2, 2}) {
		t.Errorf("pages %v", sizes)
	}
	// One action alone is over the bound: one action a page.
	sim = pagingSim(t, 3, 12)
	sim.bounds = simBounds{pageEvaluations: 5, pageDetails: 1 << 30, actionDetails: 1 << 30}
	if _, sizes = walk(t, sim, 100); !reflect.DeepEqual(sizes, []int{1, 1, 1}) {
		t.Errorf("pages %v", sizes)
	}
	// The results' size ends a page too.
	sim = pagingSim(t, 6, 4)
	sim.bounds = simBounds{pageEvaluations: 1 << 30, pageDetails: 1, actionDetails: 1 << 30}
	if _, sizes = walk(t, sim, 100); len(sizes) < 2 {
		t.Errorf("pages %v", sizes)
	}
}

// details counts the MatchedStatements and MissingContextValues entries of a
// result.
func details(r iamapi.EvaluationResult) int {
	n := len(r.MatchedStatements) + len(r.MissingContextValues)
	for _, rr := range r.ResourceSpecificResults {
		n += len(rr.MatchedStatements) + len(rr.MissingContextValues)
	}
	return n
}

// TestSimulationActionDetailsBound: the statements and keys one action lists
// stop at the bound, and the decisions stay whole.
func TestSimulationActionDetailsBound(t *testing.T) {
	t.Parallel()
	full := pagingSim(t, 7, 20)
	full.bounds = simBounds{pageEvaluations: 1 << 30, pageDetails: 1 << 30, actionDetails: 1 << 30}
	want, _ := walk(t, full, 1000)
	sim := pagingSim(t, 7, 20)
	sim.bounds = simBounds{pageEvaluations: 1 << 30, pageDetails: 1 << 30, actionDetails: 6}
	got, _ := walk(t, sim, 1000)
	truncated := false
	for i := range got {
		if n := details(got[i]); n > 6 {
			t.Errorf("%s lists %d entries", got[i].EvalActionName, n)
		}
		if details(want[i]) > 6 {
			truncated = true
		}
		if got[i].EvalDecision != want[i].EvalDecision || len(got[i].ResourceSpecificResults) != len(want[i].ResourceSpecificResults) {
			t.Fatalf("%s: decision %s, want %s", got[i].EvalActionName, got[i].EvalDecision, want[i].EvalDecision)
		}
		for j, rr := range got[i].ResourceSpecificResults {
			if rr.EvalResourceDecision != want[i].ResourceSpecificResults[j].EvalResourceDecision {
				t.Errorf("%s on %s: %s", got[i].EvalActionName, rr.EvalResourceName, rr.EvalResourceDecision)
			}
		}
	}
	if !truncated {
		t.Fatal("the case never reaches the bound")
	}
}

// TestSimulationMarker: a marker is honoured only by the request that made it;
// edited, foreign or malformed markers are InvalidInput.
func TestSimulationMarker(t *testing.T) {
	t.Parallel()
	sim := pagingSim(t, 5, 2)
	one := int32(1)
	out, err := sim.run(nil, &one)
	if err != nil || !*out.IsTruncated {
		t.Fatalf("%+v %v", out, err)
	}
	good := *out.Marker
	if len(good) > 320 {
		t.Errorf("marker of %d characters, over the model's 320", len(good))
	}
	if out, err := sim.run(&good, &one); err != nil || out.EvaluationResults[0].EvalActionName != sim.actions[1] {
		t.Fatalf("the request's own marker: %+v %v", out, err)
	}
	// The same marker presented with other resources or other actions.
	other := pagingSim(t, 5, 3)
	fewer := pagingSim(t, 1, 2)
	custom := pagingSim(t, 5, 2)
	custom.fingerprint = simFingerprint("SimulatePrincipalPolicy arn:aws:iam::123456789012:user/dev", custom.actions, custom.resources)
	for name, s := range map[string]*simulation{"other resources": other, "fewer actions": fewer, "other operation": custom} {
		if _, err := s.run(&good, &one); !isInvalidInput(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	edited := []byte(sim.fingerprint)
	edited[len(edited)-1] ^= 1 // another hex digit
	for _, bad := range []string{
		"", "!!", enc("1"), enc(markerPrefix + "2." + string(edited)),
		enc(markerPrefix + "0." + sim.fingerprint), enc(markerPrefix + "5." + sim.fingerprint), enc(markerPrefix + "-1." + sim.fingerprint),
		enc(markerPrefix + "01." + sim.fingerprint), enc(markerPrefix + "99999999999999999999." + sim.fingerprint),
		enc(markerPrefix + "1." + sim.fingerprint + "x"),
	} {
		if _, err := sim.run(&bad, &one); !isInvalidInput(err) {
			t.Errorf("marker %q: %v", bad, err)
		}
	}
	// The last index is valid and ends the listing.
	last := enc(markerPrefix + "4." + sim.fingerprint)
	if out, err := sim.run(&last, &one); err != nil || *out.IsTruncated || len(out.EvaluationResults) != 1 {
		t.Errorf("last page: %+v %v", out, err)
	}
}

func isInvalidInput(err error) bool {
	ae, ok := awserr.As(err)
	return ok && ae.Code == awserr.CodeInvalidInput && ae.Status == 400 && ae.Message == "Invalid Marker."
}

// TestSimulationSlots checks that simulations beyond the slots wait, and that
// a caller who gives up while waiting gets its context's error, not a result.
func TestSimulationSlots(t *testing.T) {
	t.Parallel()
	s := &Service{simSlots: make(chan struct{}, 1)}
	sim := pagingSim(t, 3, 4)
	if _, err := s.runSimulation(context.Background(), sim, nil, nil); err != nil {
		t.Fatalf("free slot: %v", err)
	}
	s.simSlots <- struct{}{} // every slot busy
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.runSimulation(ctx, sim, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("busy slots: %v, want the deadline", err)
	}
	<-s.simSlots
	if _, err := s.runSimulation(context.Background(), sim, nil, nil); err != nil {
		t.Fatalf("slot freed: %v", err)
	}
}
