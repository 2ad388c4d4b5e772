package server

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestUnavailable: a server-side failure caused by an unreachable store is
// answered as ServiceUnavailable (503) with its cause kept; other errors are
// left alone.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	outage := fmt.Errorf("postgres: begin view: %w: dial error", store.ErrUnavailable)
	got := unavailable(awserr.InternalFailure(outage))
	if got.Code != awserr.CodeServiceUnavailable || got.Status != 503 || got.Sender || got.Message != unavailableMessage || !errors.Is(got, store.ErrUnavailable) {
		t.Errorf("InternalFailure caused by an outage became %+v", got)
	}
	other := awserr.InternalFailure(errors.New("boom"))
	if got := unavailable(other); got != other {
		t.Errorf("InternalFailure with another cause became %+v", got)
	}
	denied := awserr.AccessDenied("no").WithCause(outage)
	if got := unavailable(denied); got != denied {
		t.Errorf("a 4xx error became %+v", got)
	}
}
