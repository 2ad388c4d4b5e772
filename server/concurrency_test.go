package server_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestConcurrentWritesAndDecisions runs writers (users, policies, grants and
// revocations) beside callers whose permissions they change, so that the race
// detector sees the directory's caches, the store and the dispatcher under load.
// Every decision must be one of the two the policy history allows.
func TestConcurrentWritesAndDecisions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	reader := srv.NewUserWithKey(t, "reader")
	grant := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				name := fmt.Sprintf("w%d-u%d", w, i)
				if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
					errs <- err
					return
				}
				if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(grant)}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			var err error
			if i%2 == 0 {
				_, err = root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("g"), PolicyDocument: aws.String(grant)})
			} else {
				_, err = root.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("g")})
			}
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				_, err := reader.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(5)})
				if err != nil && apiCode(err) != "AccessDenied" {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := root.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(1000)})
	if err != nil || len(out.Users) != 76 {
		t.Fatalf("users after the run: %d, %v", len(out.Users), err)
	}
}

// apiCode returns the AWS error code of err ("" when it is not an API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
