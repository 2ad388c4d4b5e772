package sts_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

const readIAM = `{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}`

// BenchmarkAssumeRole measures AssumeRole calls over loopback with the AWS SDK
// as the client: SigV4 verification, the trust and identity decisions, and
// sealing a session token.
func BenchmarkAssumeRole(b *testing.B) {
	srv := testserver.Start(b)
	root := srv.RootIAM()
	roleARN := benchRole(b, root)
	user := benchUser(b, root, "assumer", allowAssume(roleARN))
	c := srv.STSClient(user.id, user.secret)
	ctx := context.Background()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			name := "s" + strconv.FormatInt(n.Add(1), 10)
			if _, err := c.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(name)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkGetUserCredentials measures the same signed, authorized IAM call
// (GetUser of a named user, allowed by the same policy) made with long-term
// keys and with role-session credentials, in one run, so that the cost of
// the session path (opening the sealed token, the role's policies) shows as
// the difference.
func BenchmarkGetUserCredentials(b *testing.B) {
	srv := testserver.Start(b)
	root := srv.RootIAM()
	roleARN := benchRole(b, root)
	user := benchUser(b, root, "reader", doc(readIAM, `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"}`))
	ctx := context.Background()
	out, err := srv.STSClient(user.id, user.secret).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		cfg  aws.Config
	}{
		{"long-term", srv.Config(user.id, user.secret)},
		{"session", sessionCfg(srv, out.Credentials)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := awsiam.NewFromConfig(bc.cfg)
			in := &awsiam.GetUserInput{UserName: aws.String("reader")}
			if _, err := c.GetUser(ctx, in); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.GetUser(ctx, in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// benchRole creates a role the account trusts, allowed to read IAM.
func benchRole(b *testing.B, root *awsiam.Client) string {
	b.Helper()
	out, err := root.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String("Bench"), AssumeRolePolicyDocument: aws.String(trustAccount(acct, ""))})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutRolePolicy(context.Background(), &awsiam.PutRolePolicyInput{RoleName: aws.String("Bench"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc(readIAM))}); err != nil {
		b.Fatal(err)
	}
	return *out.Role.Arn
}

// benchUser creates a user with an inline policy and an access key.
func benchUser(b *testing.B, root *awsiam.Client, name, policy string) key {
	b.Helper()
	ctx := context.Background()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
		b.Fatal(err)
	}
	out, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		b.Fatal(err)
	}
	return key{*out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey}
}
