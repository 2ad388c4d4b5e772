package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// principals holds the credentials the scenarios are run with, and what
// setup created so that cleanup deletes exactly that.
type principals struct {
	endpoint string
	iam      *iam.Client

	root aws.Credentials

	name      string // of the user and the role created
	userKeyID string // "" until the user's key exists
	user      aws.Credentials
	userMade  bool
	userPol   bool
	roleARN   string
	roleMade  bool
	rolePol   bool
	session   aws.Credentials
}

// needs tells which principals the scenarios call with or call on.
func needs(ss []scenario) (user, role bool) {
	for _, s := range ss {
		user = user || s.op != opGetCallerIdentity || s.creds != credsRoot
		role = role || s.op == opAssumeRole || s.creds == credsRole
	}
	return user, role
}

// setup reads the root key from the environment and creates, as root, what
// the scenarios need: a user with an access key and an inline policy allowing
// iam:GetUser and sts:AssumeRole, and a role trusting the account (so the
// user's and the role's sessions may assume it if their policies allow),
// whose inline policy allows the same; then a session of the role, assumed
// by the user. The names carry a random suffix, so runs never collide. The
// returned principals must be cleaned up even when err is not nil.
func setup(ctx context.Context, cfg config, log *slog.Logger) (*principals, error) {
	id, secret := os.Getenv("GATEHOUSE_ROOT_ACCESS_KEY_ID"), os.Getenv("GATEHOUSE_ROOT_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return nil, errors.New("GATEHOUSE_ROOT_ACCESS_KEY_ID and GATEHOUSE_ROOT_SECRET_ACCESS_KEY must hold the root key")
	}
	p := &principals{endpoint: cfg.endpoint, root: aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, Source: "environment"}}
	p.iam = iam.New(iam.Options{
		Region:       cfg.region,
		BaseEndpoint: aws.String(cfg.endpoint),
		Credentials:  credentials.StaticCredentialsProvider{Value: p.root},
	})
	wantUser, wantRole := needs(cfg.scenarios)
	if !wantUser {
		return p, nil
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:]) // crypto/rand.Read never fails
	p.name = "gatehouse-load-" + hex.EncodeToString(suffix[:])

	rootSTS := newSTS(cfg, p.root)
	me, err := rootSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return p, fmt.Errorf("GetCallerIdentity as root: %w", err)
	}
	account := aws.ToString(me.Account)
	p.roleARN = fmt.Sprintf("arn:aws:iam::%s:role/%s", account, p.name)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"},`+
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":%q}]}`, p.roleARN)

	if _, err := p.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: &p.name}); err != nil {
		return p, fmt.Errorf("CreateUser: %w", err)
	}
	p.userMade = true
	if _, err := p.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &p.name, PolicyName: aws.String("load"), PolicyDocument: &policy}); err != nil {
		return p, fmt.Errorf("PutUserPolicy: %w", err)
	}
	p.userPol = true
	key, err := p.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &p.name})
	if err != nil {
		return p, fmt.Errorf("CreateAccessKey: %w", err)
	}
	p.userKeyID = aws.ToString(key.AccessKey.AccessKeyId)
	p.user = aws.Credentials{AccessKeyID: p.userKeyID, SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey), Source: "CreateAccessKey"}
	log.Info("created user", "name", p.name, "access_key_id", p.userKeyID)
	if !wantRole {
		return p, nil
	}

	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, account)
	if _, err := p.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &p.name, AssumeRolePolicyDocument: &trust}); err != nil {
		return p, fmt.Errorf("CreateRole: %w", err)
	}
	p.roleMade = true
	if _, err := p.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &p.name, PolicyName: aws.String("load"), PolicyDocument: &policy}); err != nil {
		return p, fmt.Errorf("PutRolePolicy: %w", err)
	}
	p.rolePol = true
	log.Info("created role", "arn", p.roleARN)

	// IAM is eventually consistent on AWS; Gatehouse applies a change on the
	// writing node before answering, but a cluster's other nodes lag briefly.
	userSTS := newSTS(cfg, p.user)
	var out *sts.AssumeRoleOutput
	for attempt := range 10 {
		out, err = userSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &p.roleARN, RoleSessionName: aws.String("load"), DurationSeconds: aws.Int32(3600)})
		if err == nil || ctx.Err() != nil {
			break
		}
		log.Warn("AssumeRole failed, retrying", "attempt", attempt+1, "err", err)
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return p, fmt.Errorf("AssumeRole as the user: %w", err)
	}
	c := out.Credentials
	p.session = aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Source:          "AssumeRole",
		CanExpire:       true,
		Expires:         aws.ToTime(c.Expiration),
	}
	log.Info("assumed role", "access_key_id", p.session.AccessKeyID, "expires", p.session.Expires.Format(time.RFC3339))
	return p, nil
}

func newSTS(cfg config, creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:       cfg.region,
		BaseEndpoint: aws.String(cfg.endpoint),
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
	})
}

// target pre-builds the request of scenario s.
func (p *principals) target(cfg config, s scenario) (target, error) {
	var creds aws.Credentials
	switch s.creds {
	case credsRoot:
		creds = p.root
	case credsUser:
		creds = p.user
	case credsRole:
		creds = p.session
	}
	if creds.AccessKeyID == "" {
		return target{}, fmt.Errorf("scenario %s: no %s credentials were set up", s, s.creds)
	}
	switch s.op {
	case opGetCallerIdentity:
		return newTarget(s.String(), cfg.endpoint, "sts", cfg.region, getCallerIdentityForm(), creds), nil
	case opGetUser:
		form := url.Values{"Action": {"GetUser"}, "UserName": {p.name}, "Version": {"2010-05-08"}}
		return newTarget(s.String(), cfg.endpoint, "iam", cfg.region, form, creds), nil
	case opAssumeRole:
		form := url.Values{"Action": {"AssumeRole"}, "RoleArn": {p.roleARN}, "RoleSessionName": {"load"}, "Version": {"2011-06-15"}}
		return newTarget(s.String(), cfg.endpoint, "sts", cfg.region, form, creds), nil
	}
	return target{}, fmt.Errorf("scenario %s: unknown operation", s)
}

// cleanup deletes what setup created, in dependency order, logging (not
// returning) failures: it runs on every way out.
func (p *principals) cleanup(ctx context.Context, log *slog.Logger) {
	type step struct {
		done bool
		what string
		do   func() error
	}
	steps := []step{
		{p.rolePol, "DeleteRolePolicy", func() error {
			_, err := p.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &p.name, PolicyName: aws.String("load")})
			return err
		}},
		{p.roleMade, "DeleteRole", func() error {
			_, err := p.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &p.name})
			return err
		}},
		{p.userKeyID != "", "DeleteAccessKey", func() error {
			_, err := p.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &p.name, AccessKeyId: &p.userKeyID})
			return err
		}},
		{p.userPol, "DeleteUserPolicy", func() error {
			_, err := p.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &p.name, PolicyName: aws.String("load")})
			return err
		}},
		{p.userMade, "DeleteUser", func() error {
			_, err := p.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &p.name})
			return err
		}},
	}
	steps = slices.DeleteFunc(steps, func(s step) bool { return !s.done })
	for _, s := range steps {
		if err := s.do(); err != nil {
			log.Warn("cleanup failed", "step", s.what, "name", p.name, "err", err)
		}
	}
	if len(steps) > 0 {
		log.Info("deleted the principals", "name", p.name)
	}
}
