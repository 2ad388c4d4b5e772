package server

import (
	"fmt"
	"hash/maphash"
	"testing"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// TestAddResourceRemembersEachARNsOwn: the resources auditTrail keeps by
// slot are found again only by their own ARN. Many more ARNs than slots
// share the slots; each, asked for again in another order, is the
// resource trail.ResourceOf makes of it, and named once per record.
func TestAddResourceRemembersEachARNsOwn(t *testing.T) {
	a := &auditTrail{seed: maphash.MakeSeed()}
	var arns []string
	for i := range 4 * resourceSlots {
		switch i % 3 {
		case 0:
			arns = append(arns, fmt.Sprintf("arn:aws:iam::%012d:user/u%d", i, i))
		case 1:
			arns = append(arns, fmt.Sprintf("arn:aws:iam::123456789012:role/r%d", i))
		default:
			arns = append(arns, fmt.Sprintf("arn:aws:s3:::bucket-%d/key", i))
		}
	}
	for round := range 3 {
		for i := range arns {
			arn := arns[(i*7+round)%len(arns)]
			want, _ := trail.ResourceOf(arn)
			rs := a.addResource(nil, arn)
			rs = a.addResource(rs, arn)
			if len(rs) != 1 || rs[0] != want {
				t.Fatalf("round %d, %s: %+v, want [%+v]", round, arn, rs, want)
			}
		}
	}
	for _, s := range []string{"*", "", "user-name", "arn:aws"} {
		if rs := a.addResource(nil, s); len(rs) != 0 {
			t.Errorf("%q: %+v, want none", s, rs)
		}
	}
}
