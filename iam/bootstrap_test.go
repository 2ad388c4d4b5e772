package iam_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestBootstrapIdempotent: a second start reuses the account and the fixed root
// key; a different account id or another secret for the same key is refused; and
// concurrent starts agree on one management account.
func TestBootstrapIdempotent(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	res, err := srv.IAM.Bootstrap(ctx, iam.BootstrapOptions{AccountID: testserver.AccountID, RootAccessKeyID: testserver.RootKeyID, RootSecretAccessKey: testserver.RootSecretKey})
	if err != nil || res.Created || res.AccountID != testserver.AccountID || res.RootSecretAccessKey != "" {
		t.Fatalf("second bootstrap: %+v %v", res, err)
	}
	if _, err := srv.IAM.Bootstrap(ctx, iam.BootstrapOptions{AccountID: "999999999999"}); err == nil {
		t.Error("bootstrap accepted another management account id")
	}
	if _, err := srv.IAM.Bootstrap(ctx, iam.BootstrapOptions{RootAccessKeyID: testserver.RootKeyID, RootSecretAccessKey: "other"}); err == nil {
		t.Error("bootstrap accepted another secret for the root key")
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := srv.IAM.Bootstrap(ctx, iam.BootstrapOptions{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n := 0
	err = srv.Store.View(ctx, func(tx store.ReadTx) error {
		as, err := store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
		for _, a := range as {
			if a.IsManagement {
				n++
			}
		}
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("%d management accounts (%v)", n, err)
	}
}
