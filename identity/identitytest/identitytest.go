// Package identitytest holds what the tests of identity's users share: the
// request context's builder as it was before a principal's keys were
// prepared once (#17), kept as the oracle of differential tests.
package identitytest

import (
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// OracleContext is identity.Caller.Context as it was before the principal's keys
// were prepared once (#17): every key set in one fresh context per
// request, kept as the oracle of differential tests: the contexts built
// now must hold exactly its keys and values.
func OracleContext(c *identity.Caller) *policy.Context {
	ctx := policy.NewContext(16 + len(c.Tags))
	if c.Principal.Type != policy.PrincipalAnonymous {
		ctx.SetOne("aws:principalarn", principalARN(c))
		ctx.SetOne("aws:principalaccount", c.Account)
		ctx.SetOne("aws:principaltype", c.Principal.Type.String())
	}
	if c.UserID != "" {
		ctx.SetOne("aws:userid", c.UserID)
	}
	if c.UserName != "" {
		ctx.SetOne("aws:username", c.UserName)
	}
	if c.SourceIP != "" {
		ctx.SetOne("aws:sourceip", c.SourceIP)
	}
	ctx.SetOne("aws:securetransport", strconv.FormatBool(c.SecureTransport))
	ctx.SetOne("aws:currenttime", c.Time.UTC().Format(time.RFC3339))
	ctx.SetOne("aws:epochtime", itoa(c.Time.Unix()))
	if c.Region != "" {
		ctx.SetOne("aws:requestedregion", c.Region)
	}
	ctx.SetOne("aws:viaawsservice", "false")
	ctx.SetOne("aws:principalisawsservice", "false")
	if !c.TokenIssueTime.IsZero() {
		ctx.SetOne("aws:tokenissuetime", c.TokenIssueTime.UTC().Format(time.RFC3339))
		ctx.SetOne("aws:multifactorauthpresent", strconv.FormatBool(c.MFAAuthenticated))
		if c.MFAAuthenticated {
			ctx.SetOne("aws:multifactorauthage", itoa(int64(c.Time.Sub(c.TokenIssueTime)/time.Second)))
		}
	}
	if c.SourceIdentity != "" {
		ctx.SetOne("aws:sourceidentity", c.SourceIdentity)
	}
	if c.FederatedProvider != "" {
		ctx.SetOne("aws:federatedprovider", c.FederatedProvider)
		for k, v := range c.FederatedKeys {
			ctx.SetOne(k, v)
		}
	}
	if c.SourceInstanceARN != "" {
		ctx.SetOne("ec2:sourceinstancearn", c.SourceInstanceARN)
	}
	if c.UserAgent != "" {
		ctx.SetOne("aws:useragent", c.UserAgent)
	}
	if c.Referer != "" {
		ctx.SetOne("aws:referer", c.Referer)
	}
	for k, v := range c.Tags {
		ctx.SetOne("aws:principaltag/"+k, v)
	}
	return ctx
}

// principalARN is aws:PrincipalArn: a role session reports its role's ARN.
func principalARN(c *identity.Caller) string {
	if c.Principal.Type == policy.PrincipalRoleSession && c.Principal.RoleARN != "" {
		return c.Principal.RoleARN
	}
	return c.Principal.ARN
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Map is a context's keys (lower case) and values (joined by NUL), for
// comparisons.
func Map(ctx *policy.Context) map[string]string {
	m := map[string]string{}
	for _, k := range ctx.Keys() {
		v, _ := ctx.Get(k)
		m[k] = strings.Join(v, "\x00")
	}
	return m
}
