package access

import (
	"context"
	"fmt"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/identity"
)

// Assembler assembles what one check is decided against: the caller's
// identity-based policies, boundary, session policies, the organization's
// guardrails and the request context. *authz.Authorizer implements it.
type Assembler interface {
	Assemble(ctx context.Context, r authz.Request) (*authz.Assembled, error)
}

// Resources gives the facts of the bucket and the object a check concerns
// (Check.Bucket, Check.Key): the bucket (nil when it does not exist) and the
// object (nil for bucket checks and objects that do not exist).
type Resources func(ctx context.Context, c Check) (*Bucket, *Object, error)

// Authorize decides the checks Describe returned for a request by caller c,
// in order, and returns the first denial (S3 stops at the first; for
// DeleteObjects, which reports AccessDenied per key in its result, decide
// each check with Decide instead). Each
// check is assembled with the bucket owner as the resource's account, so
// the resource control policies of the bucket owner's organization apply.
func (d *Decider) Authorize(ctx context.Context, a Assembler, c *identity.Caller, checks []Check, res Resources) error {
	for _, ch := range checks {
		var b *Bucket
		var o *Object
		if ch.Bucket != "" && res != nil {
			var err error
			if b, o, err = res(ctx, ch); err != nil {
				return fmt.Errorf("s3 access: facts of %s: %w", ch.Resource, err)
			}
		}
		resAcct := ""
		if b != nil {
			resAcct = b.Owner
		}
		as, err := a.Assemble(ctx, authz.Request{Caller: c, Action: ch.Action, Resource: ch.Resource, ResourceAccount: resAcct, Context: ch.Context})
		if err != nil {
			return fmt.Errorf("s3 access: assemble %s: %w", ch.Action, err)
		}
		if err := d.Decide(as.Set, as.Request, b, o); err != nil {
			return err
		}
	}
	return nil
}
