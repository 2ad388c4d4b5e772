package s3_test

// Authorization scenarios of the IAM user guide
// (/work/shared/reference/aws-iam-user-guide/) and the S3 user guide, each
// decided by the server as AWS decides it.

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// wantDenied checks a 403 AccessDenied and, when msg is not "", its
// message.
func wantDenied(t *testing.T, err error, msg string) {
	t.Helper()
	ae := wantErr(t, err, "AccessDenied", 403)
	if ae != nil && msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("AccessDenied message\n got %q\nwant %q", ae.ErrorMessage(), msg)
	}
}

// TestIntegrationAuthzHomeDirectory is the IAM user guide's "Amazon S3:
// Allows IAM users access to their S3 home directory, programmatically and
// in the console"
// (reference_policies_examples_s3_home-directory-console.md): s3:ListBucket
// only for the prefixes "", "home/" and "home/${aws:username}/*", and s3:*
// on home/${aws:username} and under it.
func TestIntegrationAuthzHomeDirectory(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "home-bucket"
	mkBucket(t, root, b)
	put(t, root, b, "home/alice/a.txt", "alice's")
	put(t, root, b, "home/bob/b.txt", "bob's")
	put(t, root, b, "shared/s.txt", "shared")
	policy := `{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "S3ConsoleAccess", "Effect": "Allow",
         "Action": ["s3:GetAccountPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketPolicyStatus",
                    "s3:GetBucketPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
         "Resource": "*"},
        {"Sid": "ListObjectsInBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home-bucket",
         "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}},
        {"Effect": "Allow", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::home-bucket/home/${aws:username}", "arn:aws:s3:::home-bucket/home/${aws:username}/*"]}
    ]
}`
	alice := newUser(t, srv, "alice", policy).s3(srv)
	list := func(prefix string) error {
		_, err := alice.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
		return err
	}
	for _, p := range []string{"", "home/", "home/alice/", "home/alice/sub/"} {
		if err := list(p); err != nil {
			t.Errorf("alice lists prefix %q: %v", p, err)
		}
	}
	for _, p := range []string{"home/bob/", "shared/", "home"} {
		wantDenied(t, list(p), "")
	}
	// s3:prefix is "" when the request has no prefix.
	if _, err := alice.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)}); err != nil {
		t.Errorf("alice lists without a prefix: %v", err)
	}
	out, err := alice.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("home/alice/")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "home/alice/a.txt" {
		t.Errorf("alice's listing: %+v %v", out, err)
	}
	if _, err := alice.ListBuckets(ctx, &awss3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets (s3:ListAllMyBuckets): %v", err)
	}

	if got, err := get(alice, b, "home/alice/a.txt"); err != nil || got != "alice's" {
		t.Errorf("alice reads her file: %q %v", got, err)
	}
	put(t, alice, b, "home/alice/new.txt", "new")
	ok(t)(alice.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("home/alice/new.txt")}))

	// "Troubleshoot access denied (403 Forbidden) errors in Amazon S3"
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html#access-denied-message-examples):
	// a request of the bucket owner's account gets `User: <arn> is not
	// authorized to perform: <action> on resource: "<arn>" because no
	// identity-based policy allows the <action> action`.
	_, err = get(alice, b, "home/bob/b.txt")
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::home-bucket/home/bob/b.txt" because no identity-based policy allows the s3:GetObject action`)
	_, err = alice.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("home/bob/x"), Body: strings.NewReader("x")})
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::home-bucket/home/bob/x" because no identity-based policy allows the s3:PutObject action`)
	_, err = alice.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("home/bob/b.txt")})
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::home-bucket/home/bob/b.txt" because no identity-based policy allows the s3:DeleteObject action`)
	_, err = get(alice, b, "home/alicex/a.txt") // not her folder: home/alice* must not match
	wantDenied(t, err, "")
	if _, err := get(root, b, "home/bob/b.txt"); err != nil {
		t.Errorf("bob's file after alice's attempts: %v", err)
	}
}

// TestIntegrationAuthzMissingKey: "If the object that you request doesn't
// exist, the error that Amazon S3 returns depends on whether you also have
// the s3:ListBucket permission" — 404 NoSuchKey with it, 403 AccessDenied
// without (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
// "Permissions").
func TestIntegrationAuthzMissingKey(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	mkBucket(t, srv.RootS3(), "missing-keys")
	getter := newUser(t, srv, "getter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::missing-keys/*"}]}`).s3(srv)
	lister := newUser(t, srv, "lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::missing-keys/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::missing-keys"}]}`).s3(srv)
	_, err := get(getter, "missing-keys", "missing")
	wantDenied(t, err, "")
	_, err = get(lister, "missing-keys", "missing")
	wantErr(t, err, "NoSuchKey", 404)
	// HeadObject alike: "If you don't have the s3:ListBucket permission,
	// Amazon S3 returns an HTTP status code 403 Forbidden error"
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
	_, err = getter.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("missing-keys"), Key: aws.String("missing")})
	if httpStatus(err) != 403 {
		t.Errorf("HeadObject of a missing key without s3:ListBucket: %v, want 403", err)
	}
	_, err = lister.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("missing-keys"), Key: aws.String("missing")})
	if httpStatus(err) != 404 {
		t.Errorf("HeadObject of a missing key with s3:ListBucket: %v, want 404", err)
	}
}

// TestIntegrationAuthzApplicationRole: an application's role, assumed with
// AssumeRole, reads one bucket and writes another
// (tutorial_cross-account-with-roles.md, id_roles_use_switch-role-api.md;
// the role's permissions are its identity-based policies).
func TestIntegrationAuthzApplicationRole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "app-input")
	mkBucket(t, root, "app-output")
	put(t, root, "app-input", "in/data.csv", "a,b,c")

	// The trust policy's principal must exist when the role is created.
	dep := newUser(t, srv, "deployer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/app"}]}`)
	iamc := srv.RootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/deployer"},"Action":"sts:AssumeRole"}]}`
	ok(t)(iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)}))
	perms := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::app-input/*"},
		{"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::app-input"},
		{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"arn:aws:s3:::app-output/*"}]}`
	ok(t)(iamc.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("io"), PolicyDocument: aws.String(perms)}))
	ar, err := srv.STSClient(dep.id, dep.secret).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/app"), RoleSessionName: aws.String("job-1")})
	if err != nil {
		t.Fatal(err)
	}
	cr := ar.Credentials
	app := srv.S3Client(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))

	got, err := get(app, "app-input", "in/data.csv")
	if err != nil || got != "a,b,c" {
		t.Errorf("role reads app-input: %q %v", got, err)
	}
	if _, err := app.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("app-input")}); err != nil {
		t.Errorf("role lists app-input: %v", err)
	}
	if _, err := app.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("app-output"), Key: aws.String("out/result.csv"), Body: strings.NewReader("1,2,3")}); err != nil {
		t.Errorf("role writes app-output: %v", err)
	}
	_, err = app.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("app-input"), Key: aws.String("in/x"), Body: strings.NewReader("x")})
	wantDenied(t, err, `User: arn:aws:sts::123456789012:assumed-role/app/job-1 is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::app-input/in/x" because no identity-based policy allows the s3:PutObject action`)
	_, err = get(app, "app-output", "out/result.csv")
	wantDenied(t, err, "")
	_, err = app.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("app-output")})
	wantDenied(t, err, `User: arn:aws:sts::123456789012:assumed-role/app/job-1 is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::app-output" because no identity-based policy allows the s3:ListBucket action`)
	// The deployer itself has no S3 permissions.
	_, err = get(dep.s3(srv), "app-input", "in/data.csv")
	wantDenied(t, err, "")
}

// TestIntegrationAuthzCrossAccountAndSCP: cross-account access needs both
// the bucket policy of the trusting account and the identity-based policy
// of the trusted one (reference_policies_evaluation-logic-cross-account.md,
// "Determining whether a cross-account request is allowed"); and a service
// control policy limits what a member account's principals may do
// (reference_policies_evaluation-logic.md; S3 user guide,
// troubleshoot-403-errors.html#troubleshoot-403-orgs).
func TestIntegrationAuthzCrossAccountAndSCP(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	member := srv.NewMember(t)
	mkBucket(t, root, "shared-data")
	mkBucket(t, root, "private-data")
	put(t, root, "shared-data", "report.csv", "numbers")
	put(t, root, "private-data", "secret.txt", "secret")
	putPolicy(t, root, "shared-data", `{"Version":"2012-10-17","Statement":[{"Sid":"MemberRead","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::`+member.Account+`:root"},
		"Action":["s3:GetObject","s3:ListBucket"],
		"Resource":["arn:aws:s3:::shared-data","arn:aws:s3:::shared-data/*"]}]}`)

	readPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	reader := testserver.S3FromConfig(member.NewUserWithKey(t, srv, "reader", readPolicy))
	noIdentity := testserver.S3FromConfig(member.NewUserWithKey(t, srv, "no-identity", ""))

	t.Run("BothPolicies", func(t *testing.T) {
		got, err := get(reader, "shared-data", "report.csv")
		if err != nil || got != "numbers" {
			t.Errorf("reader gets shared-data/report.csv: %q %v", got, err)
		}
		if _, err := reader.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("shared-data")}); err != nil {
			t.Errorf("reader lists shared-data: %v", err)
		}
		// The bucket policy grants reading only.
		_, err = reader.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("shared-data"), Key: aws.String("x"), Body: strings.NewReader("x")})
		wantDenied(t, err, "")
	})
	t.Run("NoIdentityPolicy", func(t *testing.T) {
		_, err := get(noIdentity, "shared-data", "report.csv")
		wantDenied(t, err, "")
	})
	t.Run("NoBucketPolicy", func(t *testing.T) {
		_, err := get(reader, "private-data", "secret.txt")
		wantDenied(t, err, "")
	})
	t.Run("SCP", func(t *testing.T) {
		admin := testserver.S3FromConfig(member.Admin)
		mkBucket(t, admin, "member-logs")
		for _, k := range []string{"a.log", "b.log", "c.log"} {
			put(t, admin, "member-logs", k, k)
		}
		id := member.AttachSCP(t, "DenyDeleteObject", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`)
		_, err := admin.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("member-logs"), Key: aws.String("a.log")})
		ae := wantErr(t, err, "AccessDenied", 403)
		// "... with an explicit deny in a service control policy"
		// (troubleshoot-403-errors.html#access-denied-message-examples).
		if ae != nil && !strings.Contains(ae.ErrorMessage(), "s3:DeleteObject") || ae != nil && !strings.Contains(ae.ErrorMessage(), "with an explicit deny in a service control policy") {
			t.Errorf("SCP denial message %q", ae.ErrorMessage())
		}
		// DeleteObjects decides each key as s3:DeleteObject: each is reported denied.
		do, err := admin.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("member-logs"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("b.log")}, {Key: aws.String("c.log")}}}})
		if err != nil || len(do.Deleted) != 0 || len(do.Errors) != 2 || aws.ToString(do.Errors[0].Code) != "AccessDenied" {
			t.Errorf("DeleteObjects under the SCP: %+v %v", do, err)
		}
		if got, err := get(admin, "member-logs", "a.log"); err != nil || got != "a.log" {
			t.Errorf("reading is not denied: %q %v", got, err)
		}
		// The SCP limits the member's principals in the other account too.
		_, err = reader.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("shared-data"), Key: aws.String("report.csv")})
		wantDenied(t, err, "")
		member.DetachSCP(t, id)
		ok(t)(admin.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("member-logs"), Key: aws.String("a.log")}))
	})
}

// TestIntegrationAuthzPublicAccess covers S3 Block Public Access
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)
// and Object Ownership
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html):
// new buckets block all public access and have ACLs disabled
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html).
func TestIntegrationAuthzPublicAccess(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	anon := srv.AnonymousS3()
	publicRead := func(b string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b + `/*"}]}`
	}
	setBPA := func(t *testing.T, b string, acls, ignore, policy, restrict bool) {
		t.Helper()
		ok(t)(root.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(acls), IgnorePublicAcls: aws.Bool(ignore), BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(restrict)}}))
	}

	t.Run("Defaults", func(t *testing.T) {
		mkBucket(t, root, "defaults")
		pab, err := root.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: aws.String("defaults")})
		if err != nil {
			t.Fatal(err)
		}
		c := pab.PublicAccessBlockConfiguration
		if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
			t.Errorf("new bucket's public access block: %+v", c)
		}
		oc, err := root.GetBucketOwnershipControls(ctx, &awss3.GetBucketOwnershipControlsInput{Bucket: aws.String("defaults")})
		if err != nil || len(oc.OwnershipControls.Rules) != 1 || oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
			t.Errorf("new bucket's ownership: %+v %v", oc, err)
		}
	})
	t.Run("PublicPolicy", func(t *testing.T) {
		const b = "public-site"
		mkBucket(t, root, b)
		put(t, root, b, "index.html", "<h1>hi</h1>")
		// "BlockPublicPolicy: Setting this option to TRUE for a bucket causes
		// Amazon S3 to reject calls to PUT Bucket policy if the specified
		// bucket policy allows public access" — 403 AccessDenied.
		_, err := root.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(publicRead(b))})
		wantDenied(t, err, "")
		_, err = get(anon, b, "index.html")
		wantDenied(t, err, "Access Denied")

		// With BlockPublicPolicy off the policy is accepted, but
		// RestrictPublicBuckets still "restricts access to ... only AWS service
		// principals and authorized users within the bucket owner's account".
		setBPA(t, b, true, true, false, true)
		putPolicy(t, root, b, publicRead(b))
		ps, err := root.GetBucketPolicyStatus(ctx, &awss3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
		if err != nil || !aws.ToBool(ps.PolicyStatus.IsPublic) {
			t.Errorf("GetBucketPolicyStatus: %+v %v", ps, err)
		}
		_, err = get(anon, b, "index.html")
		wantDenied(t, err, "Access Denied")

		setBPA(t, b, false, false, false, false)
		if got, err := get(anon, b, "index.html"); err != nil || got != "<h1>hi</h1>" {
			t.Errorf("anonymous GET of a public object: %q %v", got, err)
		}
		// The policy grants reading only.
		_, err = anon.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("defaced.html"), Body: strings.NewReader("x")})
		wantDenied(t, err, "Access Denied")
		_, err = anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)})
		wantDenied(t, err, "Access Denied")
		// An unsigned GET with a plain HTTP client, as a browser would.
		resp, body := do(t, must2(http.NewRequest("GET", srv.URL+"/"+b+"/index.html", nil)))
		if resp.StatusCode != 200 || string(body) != "<h1>hi</h1>" {
			t.Errorf("browser GET: %d %q", resp.StatusCode, body)
		}
		// Turning RestrictPublicBuckets back on cuts anonymous access again.
		setBPA(t, b, false, false, false, true)
		_, err = get(anon, b, "index.html")
		wantDenied(t, err, "Access Denied")
	})
	t.Run("PublicACLs", func(t *testing.T) {
		const b = "acl-bucket"
		ok(t)(root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
		put(t, root, b, "private.txt", "private")
		// "BlockPublicAcls: PUT Bucket acl and PUT Object acl calls fail if
		// the specified access control list (ACL) is public; PUT Object calls
		// fail if the request includes a public ACL" — 403 AccessDenied.
		_, err := root.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPublicRead})
		wantDenied(t, err, "")
		_, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("public.txt"), Body: strings.NewReader("public"), ACL: types.ObjectCannedACLPublicRead})
		wantDenied(t, err, "")
		_, err = root.PutObjectAcl(ctx, &awss3.PutObjectAclInput{Bucket: aws.String(b), Key: aws.String("private.txt"), ACL: types.ObjectCannedACLPublicRead})
		wantDenied(t, err, "")

		setBPA(t, b, false, false, true, true)
		ok(t)(root.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPublicRead}))
		acl, err := root.GetBucketAcl(ctx, &awss3.GetBucketAclInput{Bucket: aws.String(b)})
		if err != nil || !hasGrant(acl.Grants, "http://acs.amazonaws.com/groups/global/AllUsers", types.PermissionRead) {
			t.Errorf("GetBucketAcl after public-read: %+v %v", acl, err)
		}
		ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("public.txt"), Body: strings.NewReader("public"), ACL: types.ObjectCannedACLPublicRead}))
		// IgnorePublicAcls off: the object's public-read ACL lets anyone read it.
		if got, err := get(anon, b, "public.txt"); err != nil || got != "public" {
			t.Errorf("anonymous GET of a public-read object: %q %v", got, err)
		}
		_, err = get(anon, b, "private.txt")
		wantDenied(t, err, "Access Denied")
		// The bucket's public-read ACL lets anyone list it (READ on a bucket).
		if _, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)}); err != nil {
			t.Errorf("anonymous list of a public-read bucket: %v", err)
		}
		// "IgnorePublicAcls: Setting this option to TRUE causes Amazon S3 to
		// ignore all public ACLs on a bucket and any objects that it contains."
		setBPA(t, b, false, true, true, true)
		_, err = get(anon, b, "public.txt")
		wantDenied(t, err, "Access Denied")
	})
	t.Run("ACLsDisabled", func(t *testing.T) {
		// With BucketOwnerEnforced "ACLs are disabled ... requests to set
		// ACLs or update ACLs fail and return the
		// AccessControlListNotSupported error code. Requests to read ACLs are
		// still supported."; PUT requests with the bucket-owner-full-control
		// canned ACL succeed (about-object-ownership.html).
		const b = "enforced"
		mkBucket(t, root, b)
		setBPA(t, b, false, false, false, false)
		_, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
		wantErr(t, err, "AccessControlListNotSupported", 400)
		_, err = root.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String(b), ACL: types.BucketCannedACLPublicRead})
		wantErr(t, err, "AccessControlListNotSupported", 400)
		if _, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
			t.Errorf("PutObject with bucket-owner-full-control: %v", err)
		}
		acl, err := root.GetBucketAcl(ctx, &awss3.GetBucketAclInput{Bucket: aws.String(b)})
		if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl || acl.Owner == nil {
			t.Errorf("GetBucketAcl with ACLs disabled: %+v %v", acl, err)
		}
		_, err = get(anon, b, "k")
		wantDenied(t, err, "Access Denied")
	})
}

func hasGrant(gs []types.Grant, uri string, p types.Permission) bool {
	return slices.ContainsFunc(gs, func(g types.Grant) bool {
		return g.Grantee != nil && aws.ToString(g.Grantee.URI) == uri && g.Permission == p
	})
}

func must2(req *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return req
}

// TestIntegrationAuthzDenyAndConditions: an explicit Deny in a bucket policy
// beats an identity-based Allow (reference_policies_evaluation-logic.md);
// the S3 condition keys s3:authType
// (https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html)
// and aws:SecureTransport
// (reference_policies_condition-keys.md#condition-keys-securetransport);
// DeleteObjects reports a denied key in its Errors
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).
func TestIntegrationAuthzDenyAndConditions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	all := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	wk := newUser(t, srv, "writer", all)
	writer := wk.s3(srv)

	t.Run("ExplicitDeny", func(t *testing.T) {
		const b = "guarded"
		mkBucket(t, root, b)
		put(t, root, b, "keep.txt", "keep")
		putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny",
			"Principal":{"AWS":"arn:aws:iam::123456789012:user/writer"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::guarded/*"}]}`)
		_, err := writer.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("keep.txt")})
		wantDenied(t, err, `User: arn:aws:iam::123456789012:user/writer is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::guarded/keep.txt" with an explicit deny in a resource-based policy`)
		put(t, writer, b, "new.txt", "new")
		if got, err := get(writer, b, "keep.txt"); err != nil || got != "keep" {
			t.Errorf("writer reads: %q %v", got, err)
		}
	})
	t.Run("DeleteObjects", func(t *testing.T) {
		const b = "batch"
		mkBucket(t, root, b)
		cleaner := newUser(t, srv, "cleaner", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::batch/*"},
			{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::batch/keep"}]}`).s3(srv)
		for _, k := range []string{"a", "b", "keep", "c", "d"} {
			put(t, root, b, k, k)
		}
		ids := func(keys ...string) []types.ObjectIdentifier {
			var o []types.ObjectIdentifier
			for _, k := range keys {
				o = append(o, types.ObjectIdentifier{Key: aws.String(k)})
			}
			return o
		}
		out, err := cleaner.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids("a", "keep", "b", "missing")}})
		if err != nil {
			t.Fatal(err)
		}
		var deleted []string
		for _, d := range out.Deleted {
			deleted = append(deleted, aws.ToString(d.Key))
		}
		slices.Sort(deleted)
		// A key that does not exist is reported deleted.
		if !slices.Equal(deleted, []string{"a", "b", "missing"}) {
			t.Errorf("verbose Deleted %v", deleted)
		}
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "keep" || aws.ToString(out.Errors[0].Code) != "AccessDenied" || aws.ToString(out.Errors[0].Message) == "" {
			t.Errorf("verbose Errors %+v", out.Errors)
		}
		// "Quiet mode ... the response includes only keys where the delete
		// action encountered an error."
		out, err = cleaner.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids("c", "keep", "d"), Quiet: aws.Bool(true)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Deleted) != 0 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "keep" || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
			t.Errorf("quiet: Deleted %+v Errors %+v", out.Deleted, out.Errors)
		}
		lo, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Key) != "keep" {
			t.Errorf("left: %+v %v", lo, err)
		}
	})
	t.Run("AuthType", func(t *testing.T) {
		// s3:authType is REST-HEADER for a signed Authorization header and
		// REST-QUERY-STRING for a presigned URL.
		const b = "no-urls"
		mkBucket(t, root, b)
		put(t, root, b, "k", "v")
		putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Sid":"NoPresignedURLs","Effect":"Deny","Principal":"*",
			"Action":"s3:GetObject","Resource":"arn:aws:s3:::no-urls/*","Condition":{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}}]}`)
		if got, err := get(writer, b, "k"); err != nil || got != "v" {
			t.Errorf("header-signed GET: %q %v", got, err)
		}
		p, err := awss3.NewPresignClient(writer).PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		resp, body := do(t, must2(http.NewRequest("GET", p.URL, nil)))
		d := checkErrorDoc(t, resp, body, 403, "AccessDenied")
		if !strings.Contains(d.Message, "with an explicit deny in a resource-based policy") {
			t.Errorf("presigned GET denied with %q", d.Message)
		}
		// A bucket policy that allows only header authentication for PutObject,
		// by denying the other types.
		p, err = awss3.NewPresignClient(writer).PresignPutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("by-url")})
		if err != nil {
			t.Fatal(err)
		}
		req := must2(http.NewRequest("PUT", p.URL, strings.NewReader("x")))
		if resp, body := do(t, req); resp.StatusCode != 200 {
			t.Errorf("presigned PUT (not denied): %d %s", resp.StatusCode, body)
		}
	})
	t.Run("SecureTransport", func(t *testing.T) {
		// "aws:SecureTransport ... to check whether the request was sent using
		// TLS"; these requests are plain HTTP, so a Deny on false applies.
		const b = "tls-only"
		mkBucket(t, root, b)
		put(t, root, b, "k", "v")
		putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*",
			"Resource":["arn:aws:s3:::tls-only","arn:aws:s3:::tls-only/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
		_, err := get(writer, b, "k")
		wantDenied(t, err, `User: arn:aws:iam::123456789012:user/writer is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::tls-only/k" with an explicit deny in a resource-based policy`)
		_, err = writer.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k2"), Body: strings.NewReader("x")})
		wantDenied(t, err, "")
		_, err = writer.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b)})
		wantDenied(t, err, "")
	})
}
