package postgres_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
)

// BenchmarkAuthorizedReads measures authorized reads per second served by a
// cluster of one node and of three, the clients spread evenly over the nodes
// (8 concurrent clients per core). GetUser authenticates (SigV4, the key from
// the directory), authorizes (alice's compiled policies, cached) and reads the
// user in a PostgreSQL transaction; GetCallerIdentity authenticates only and
// reads nothing. The nodes run in this process, so on a small machine they
// share its cores: the figure shows the cluster's overhead more than its
// scaling, which needs a machine per node.
func BenchmarkAuthorizedReads(b *testing.B) {
	pgtest.DSN(b)
	for _, size := range []int{1, 3} {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			nodes := startCluster(b, size)
			ctx := b.Context()
			root := nodes[0].root()
			if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
				b.Fatal(err)
			}
			allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
			if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allow)}); err != nil {
				b.Fatal(err)
			}
			key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
			if err != nil {
				b.Fatal(err)
			}
			id, secret := *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey
			iamClients := make([]*awsiam.Client, size)
			stsClients := make([]*awssts.Client, size)
			// One transport keeping enough idle connections for every
			// client goroutine, so that no run pays for new TCP connections.
			httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
				tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 64
			})
			for i, n := range nodes {
				cfg := n.config(id, secret, "")
				cfg.HTTPClient = httpClient
				iamClients[i] = awsiam.NewFromConfig(cfg)
				stsClients[i] = awssts.NewFromConfig(cfg)
				// Wait until the key and policy are in force on every node.
				for deadline := time.Now().Add(propagationBound); ; {
					_, err := iamClients[i].GetUser(ctx, &awsiam.GetUserInput{})
					if err == nil {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("node %d: %v", i+1, err)
					}
					time.Sleep(time.Millisecond)
				}
			}
			ops := []struct {
				name string
				call func(node int) error
			}{
				{"GetUser", func(node int) error {
					_, err := iamClients[node].GetUser(ctx, &awsiam.GetUserInput{})
					return err
				}},
				{"GetCallerIdentity", func(node int) error {
					_, err := stsClients[node].GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
					return err
				}},
			}
			for _, op := range ops {
				b.Run(op.name, func(b *testing.B) {
					var next, failed atomic.Int64
					b.SetParallelism(8)
					b.RunParallel(func(pb *testing.PB) {
						node := int(next.Add(1)) % size
						for pb.Next() {
							if err := op.call(node); err != nil {
								failed.Add(1)
							}
						}
					})
					if f := failed.Load(); f > 0 {
						b.Fatalf("%d of %d requests failed", f, b.N)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
				})
			}
		})
	}
}
