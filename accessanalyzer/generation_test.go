package accessanalyzer

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
	storesqlite "github.com/gatehouse-iam/gatehouse/store/sqlite"
	"github.com/gatehouse-iam/gatehouse/trail"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

const devARN = "arn:aws:iam::" + own + ":user/dev"

// genService is a service over a real store and trail whose jobs wait in
// held until the test runs them, with a clock the test moves.
type genService struct {
	s    *Service
	held chan func()
	now  *time.Time
	c    *identity.Caller
}

func newGenService(t *testing.T, withTrail bool) *genService {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := storesqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindUser, own, store.UserKey("dev"), store.User{Name: "dev", Path: "/", ARN: devARN})
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	g := &genService{held: make(chan func(), 100), now: &now, c: &identity.Caller{Account: own, Region: "us-east-1"}}
	cfg := Config{Store: st, Now: func() time.Time { return *g.now }, Go: func(f func()) { g.held <- f }}
	if withTrail {
		tr, err := trailsqlite.Open(ctx, filepath.Join(dir, "trail.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		rec := `{"eventTime":"` + now.Add(-time.Minute).Format(time.RFC3339) + `","eventSource":"iam.amazonaws.com","eventName":"ListUsers","userIdentity":{"type":"IAMUser","arn":"` + devARN + `"}}`
		if err := tr.Append(ctx, []trail.Entry{{Account: own, EventID: "e1", Time: now.Add(-time.Minute), EventName: "ListUsers",
			EventSource: "iam.amazonaws.com", Principal: devARN, Management: true, JSON: []byte(rec)}}); err != nil {
			t.Fatal(err)
		}
		cfg.Trail = tr
	}
	g.s = New(cfg)
	return g
}

func (g *genService) start(t *testing.T) (string, error) {
	t.Helper()
	out, err := g.s.startPolicyGeneration(context.Background(), g.c, &analyzerapi.StartPolicyGenerationRequest{
		PolicyGenerationDetails: analyzerapi.PolicyGenerationDetails{PrincipalArn: devARN},
		CloudTrailDetails: &analyzerapi.CloudTrailDetails{Trails: []analyzerapi.Trail{{CloudTrailArn: "arn:aws:cloudtrail:us-east-1:" + own + ":trail/t"}},
			AccessRole: "arn:aws:iam::" + own + ":role/r", StartTime: g.now.Add(-time.Hour)},
	})
	if err != nil {
		return "", err
	}
	return out.JobId, nil
}

func (g *genService) get(t *testing.T, id string) *analyzerapi.GetGeneratedPolicyResponse {
	t.Helper()
	out, err := g.s.getGeneratedPolicy(context.Background(), g.c, &analyzerapi.GetGeneratedPolicyRequest{JobId: id})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (g *genService) runHeld(t *testing.T) {
	t.Helper()
	select {
	case f := <-g.held:
		f()
	default:
		t.Fatal("no job was started")
	}
}

func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Code != code || ae.Status != status {
		t.Errorf("error %v, want %s %d", err, code, status)
	}
}

// TestGenerationJobLifecycle: a job answers IN_PROGRESS until it has run;
// one job at a time ("Concurrent policy generations: 1", IAM User Guide,
// access-analyzer-quotas.md); a canceled job stays canceled when its run
// ends.
func TestGenerationJobLifecycle(t *testing.T) {
	t.Parallel()
	g := newGenService(t, true)
	ctx := context.Background()
	id, err := g.start(t)
	if err != nil {
		t.Fatal(err)
	}
	if d := g.get(t, id).JobDetails; d.Status != analyzerapi.JobStatusIN_PROGRESS || d.CompletedOn != nil {
		t.Errorf("before the run: %+v", d)
	}
	_, err = g.start(t)
	wantCode(t, err, "ServiceQuotaExceededException", 402)

	if _, err := g.s.cancelPolicyGeneration(ctx, g.c, &analyzerapi.CancelPolicyGenerationRequest{JobId: id}); err != nil {
		t.Fatal(err)
	}
	g.runHeld(t)
	out := g.get(t, id)
	if d := out.JobDetails; d.Status != analyzerapi.JobStatusCANCELED || d.CompletedOn == nil || out.GeneratedPolicyResult.GeneratedPolicies != nil {
		t.Errorf("canceled: %+v %+v", d, out.GeneratedPolicyResult)
	}
	if _, err := g.s.cancelPolicyGeneration(ctx, g.c, &analyzerapi.CancelPolicyGenerationRequest{JobId: id}); err != nil {
		t.Errorf("canceling again: %v", err)
	}

	// The canceled job no longer holds the one slot.
	id2, err := g.start(t)
	if err != nil {
		t.Fatal(err)
	}
	g.runHeld(t)
	out = g.get(t, id2)
	if out.JobDetails.Status != analyzerapi.JobStatusSUCCEEDED || len(out.GeneratedPolicyResult.GeneratedPolicies) != 1 {
		t.Fatalf("after the run: %+v %+v", out.JobDetails, out.GeneratedPolicyResult)
	}
	if got := out.GeneratedPolicyResult.GeneratedPolicies[0].Policy; got != `{"Version":"2012-10-17","Statement":[{"Sid":"Iam1","Effect":"Allow","Action":["iam:ListUsers"],"Resource":["*"]}]}` {
		t.Errorf("policy %s", got)
	}

	// Jobs of more than seven days ago are gone (API reference,
	// ListPolicyGenerations: "requested in the last seven days").
	*g.now = g.now.Add(8 * 24 * time.Hour)
	_, err = g.s.getGeneratedPolicy(ctx, g.c, &analyzerapi.GetGeneratedPolicyRequest{JobId: id2})
	wantCode(t, err, "ValidationException", 400)
	list, err := g.s.listPolicyGenerations(ctx, g.c, &analyzerapi.ListPolicyGenerationsRequest{})
	if err != nil || len(list.PolicyGenerations) != 0 {
		t.Errorf("ListPolicyGenerations after seven days: %+v %v", list, err)
	}
}

// TestGenerationDailyQuota: "Policy generations per day: 50 ... Canceled
// policy generation requests apply to the daily quota" (IAM User Guide,
// access-analyzer-quotas.md).
func TestGenerationDailyQuota(t *testing.T) {
	t.Parallel()
	g := newGenService(t, true)
	ctx := context.Background()
	for i := range maxGenerationsPerDay {
		id, err := g.start(t)
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		if _, err := g.s.cancelPolicyGeneration(ctx, g.c, &analyzerapi.CancelPolicyGenerationRequest{JobId: id}); err != nil {
			t.Fatal(err)
		}
		<-g.held
		*g.now = g.now.Add(time.Minute)
	}
	_, err := g.start(t)
	wantCode(t, err, "ServiceQuotaExceededException", 402)
	*g.now = g.now.Add(24 * time.Hour)
	if _, err := g.start(t); err != nil {
		t.Errorf("a day later: %v", err)
	}
}

// TestGenerationWithoutTrail: with the audit trail off there are no events,
// and the job fails with RESOURCE_NOT_FOUND_ERROR.
func TestGenerationWithoutTrail(t *testing.T) {
	t.Parallel()
	g := newGenService(t, false)
	id, err := g.start(t)
	if err != nil {
		t.Fatal(err)
	}
	g.runHeld(t)
	d := g.get(t, id).JobDetails
	if d.Status != analyzerapi.JobStatusFAILED || d.JobError == nil || d.JobError.Code != analyzerapi.JobErrorCodeRESOURCE_NOT_FOUND_ERROR {
		t.Errorf("job %+v", d)
	}
}

// TestGenerationOrphaned: a job whose server stopped before it finished is
// never run; past its deadline it reads FAILED (SERVICE_ERROR) and no
// longer holds the one-at-a-time slot.
func TestGenerationOrphaned(t *testing.T) {
	t.Parallel()
	g := newGenService(t, true)
	id, err := g.start(t)
	if err != nil {
		t.Fatal(err)
	}
	<-g.held // the process "stops": the job never runs
	_, err = g.start(t)
	wantCode(t, err, "ServiceQuotaExceededException", 402)
	*g.now = g.now.Add(defaultGenerationTimeout + 2*time.Minute)
	d := g.get(t, id).JobDetails
	if d.Status != analyzerapi.JobStatusFAILED || d.JobError == nil || d.JobError.Code != analyzerapi.JobErrorCodeSERVICE_ERROR || d.CompletedOn == nil {
		t.Errorf("orphaned job: %+v", d)
	}
	if _, err := g.start(t); err != nil {
		t.Errorf("starting after an orphaned job: %v", err)
	}
}
