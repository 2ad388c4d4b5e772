package sts

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Limits of session policies and tags (AssumeRole and GetFederationToken in
// the STS API reference).
const (
	// maxPolicyARNs: "You can provide up to 10 managed policy ARNs."
	maxPolicyARNs = 10
	// maxSessionPolicyChars: "The plaintext that you use for both inline and
	// managed session policies can't exceed 2,048 characters."
	maxSessionPolicyChars = 2048
	// packedLimit is the allotted space of the packed (compressed) session
	// policies and tags, the 100% of PackedPolicySize.
	packedLimit = 2048
	// chainedMaxDuration caps role chaining at one hour.
	chainedMaxDuration = 3600
	// rootMaxDuration caps GetSessionToken and GetFederationToken for the
	// root user at one hour.
	rootMaxDuration = 3600
)

// idAlphabet is the alphabet of the random part of AWS access key ids.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// secretAlphabet is the alphabet of AWS secret access keys.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// temporaryKeyID returns a new ASIA… access key id. Like AWS's, it encodes
// its account, so GetAccessKeyInfo answers for temporary keys without any
// record: characters 5–12 carry the 40-bit account number in base 32, the
// last eight are random.
func (s *Service) temporaryKeyID(account string) (string, error) {
	var n uint64
	for _, d := range []byte(account) {
		n = n*10 + uint64(d-'0')
	}
	var b [20]byte
	copy(b[:], ids.PrefixTemporaryKey)
	for i := 11; i >= 4; i-- {
		b[i] = idAlphabet[n&31]
		n >>= 5
	}
	if _, err := s.rand.Read(b[12:]); err != nil {
		return "", fmt.Errorf("sts: generating an access key id: %w", err)
	}
	for i := 12; i < 20; i++ {
		b[i] = idAlphabet[b[i]&31]
	}
	return string(b[:]), nil
}

// accountOfTemporaryKey decodes the account of an ASIA… id made by
// temporaryKeyID.
func accountOfTemporaryKey(id string) (string, bool) {
	if len(id) != 20 || !strings.HasPrefix(id, ids.PrefixTemporaryKey) {
		return "", false
	}
	var n uint64
	for i := 4; i < 12; i++ {
		v := strings.IndexByte(idAlphabet, id[i])
		if v < 0 {
			return "", false
		}
		n = n<<5 | uint64(v)
	}
	if n >= 1e12 {
		return "", false
	}
	acct := fmt.Sprintf("%012d", n)
	return acct, true
}

// newSecret returns a 40-character secret access key.
func (s *Service) newSecret() (string, error) {
	var b [40]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("sts: generating a secret access key: %w", err)
	}
	for i := range b {
		b[i] = secretAlphabet[int(b[i])&63]
	}
	return string(b[:]), nil
}

// issue completes sess with a new key, secret and validity and seals it.
func (s *Service) issue(sess *session.Session, now time.Time, duration int32) (*stsapi.Credentials, error) {
	id, err := s.temporaryKeyID(sess.Account)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	secret, err := s.newSecret()
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	sess.AccessKeyID, sess.Secret = id, secret
	sess.IssuedAt = now.UTC().Truncate(time.Second)
	sess.Expiration = sess.IssuedAt.Add(time.Duration(duration) * time.Second)
	tok, err := session.Seal(s.sealer, sess)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return &stsapi.Credentials{AccessKeyId: id, SecretAccessKey: secret, SessionToken: tok, Expiration: sess.Expiration}, nil
}

func (s *Service) getAccessKeyInfo(ctx context.Context, c *identity.Caller, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	if acct, ok := accountOfTemporaryKey(in.AccessKeyId); ok {
		return &stsapi.GetAccessKeyInfoResponse{Account: &acct}, nil
	}
	if k, ok := s.dir.AccessKey(in.AccessKeyId); ok {
		acct := k.Account
		return &stsapi.GetAccessKeyInfoResponse{Account: &acct}, nil
	}
	// AWS decodes the account from any well-formed key id; Gatehouse's
	// long-term key ids are random, so an unknown one names no account.
	return nil, awserr.InvalidParameterValue("The access key ID %s is not a valid access key ID.", in.AccessKeyId)
}

// sessionPolicies validates the session policies of a request: the inline
// document (parsed as a session policy) and the managed policy ARNs, which
// must name existing managed policies. It returns the packed size in percent
// of the allotted space, counting the session tags too.
func (s *Service) sessionPolicies(ctx context.Context, doc *string, arns []stsapi.PolicyDescriptorType, tags []session.Tag) (inline string, managed []string, packed int32, err error) {
	if len(arns) > maxPolicyARNs {
		return "", nil, 0, awserr.ValidationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyARNs)
	}
	chars := 0
	var buf bytes.Buffer
	if doc != nil {
		inline = *doc
		if _, err := policy.Parse(inline, policy.KindSession); err != nil {
			var se *policy.SyntaxError
			if errors.As(err, &se) {
				return "", nil, 0, awserr.MalformedPolicyDocument("%s", se.Message)
			}
			return "", nil, 0, awserr.MalformedPolicyDocument("Syntax errors in policy.")
		}
		chars += policy.Size(inline)
		buf.WriteString(minify(inline))
	}
	for _, a := range arns {
		if a.Arn == nil {
			continue
		}
		d, err := s.managedDocument(ctx, *a.Arn)
		if err != nil {
			return "", nil, 0, err
		}
		chars += policy.Size(d)
		managed = append(managed, *a.Arn)
		buf.WriteString("\x00" + *a.Arn)
	}
	if chars > maxSessionPolicyChars {
		return "", nil, 0, awserr.PackedPolicyTooLarge("Session policies cannot exceed %d characters.", maxSessionPolicyChars)
	}
	for _, t := range tags {
		buf.WriteString("\x00" + t.Key + "=" + t.Value)
	}
	if buf.Len() == 0 {
		return inline, managed, 0, nil
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(buf.Bytes()) //nolint:errcheck // writing to a bytes.Buffer cannot fail
	w.Close()            //nolint:errcheck // likewise
	pct := (z.Len()*100 + packedLimit - 1) / packedLimit
	if pct > 100 {
		return "", nil, 0, awserr.PackedPolicyTooLarge("Packed policy consumes %d%% of allotted space, please use smaller policy.", pct)
	}
	return inline, managed, int32(pct), nil
}

// minify drops the whitespace of a document outside strings.
func minify(doc string) string {
	var b strings.Builder
	inStr, esc := false, false
	for _, r := range doc {
		switch {
		case esc:
			esc = false
		case inStr && r == '\\':
			esc = true
		case r == '"':
			inStr = !inStr
		case !inStr && (r == ' ' || r == '\n' || r == '\t' || r == '\r'):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// managedDocument returns the default version of a managed policy by ARN.
func (s *Service) managedDocument(ctx context.Context, policyARN string) (string, error) {
	notFound := awserr.InvalidParameterValue("The policy %s does not exist or is not attachable.", policyARN)
	if strings.HasPrefix(policyARN, "arn:aws:iam::aws:policy/") {
		if s.managed != nil {
			if d, ok := s.managed.Document(policyARN); ok {
				return d, nil
			}
		}
		return "", notFound
	}
	a, err := arn.Parse(policyARN)
	if err != nil || a.Partition != arn.Partition || a.Service != "iam" || a.Region != "" ||
		!store.IsAccountID(a.Account) || !strings.HasPrefix(a.Resource, "policy/") {
		return "", notFound
	}
	acct, name := a.Account, a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	var doc string
	err = s.st.View(ctx, func(tx store.ReadTx) error {
		mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, acct, store.PolicyKey(name))
		if err != nil {
			return err
		}
		if mp.ARN != policyARN {
			return store.ErrNotFound
		}
		v, err := store.GetJSON[store.PolicyVersion](ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey(name, mp.DefaultVersionID))
		if err != nil {
			return err
		}
		doc = v.Document
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", notFound
	}
	if err != nil {
		return "", awserr.InternalFailure(err)
	}
	return doc, nil
}

// sessionTags validates the Tags and TransitiveTagKeys of a request and merges
// them with the transitive tags a chained caller carries.
func sessionTags(parent *session.Session, tags []stsapi.Tag, transitive []string) ([]session.Tag, []string, error) {
	var out []session.Tag
	var outKeys []string
	seen := map[string]bool{}
	if parent != nil {
		inherited := map[string]bool{}
		for _, k := range parent.TransitiveTagKeys {
			inherited[strings.ToLower(k)] = true
		}
		for _, t := range parent.Tags {
			if inherited[strings.ToLower(t.Key)] {
				out = append(out, t)
				outKeys = append(outKeys, t.Key)
				seen[strings.ToLower(t.Key)] = true
			}
		}
	}
	given := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if given[k] {
			return nil, nil, awserr.InvalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		given[k] = true
		if seen[k] {
			// "you can't pass session tags with the same key as
			// transitive tags of the calling session" (id_session-tags).
			return nil, nil, awserr.InvalidParameterValue("Cannot set a session tag with key %s that overrides a transitive tag of the calling session.", t.Key)
		}
		out = append(out, session.Tag{Key: t.Key, Value: t.Value})
	}
	for _, k := range transitive {
		if !given[strings.ToLower(k)] {
			return nil, nil, awserr.InvalidParameterValue("The transitive tag key %s is not one of the session tags.", k)
		}
		outKeys = append(outKeys, k)
	}
	if len(out) > 50 {
		return nil, nil, awserr.InvalidParameterValue("A session cannot have more than 50 session tags, including transitive tags.")
	}
	return out, outKeys, nil
}

// requestTagContext adds aws:RequestTag/*, aws:TagKeys and
// sts:TransitiveTagKeys for the tags of a request.
func requestTagContext(ctx *policy.Context, tags []session.Tag, transitive []string) {
	if len(tags) == 0 {
		return
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		ctx.Set("aws:RequestTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	ctx.Set("aws:TagKeys", keys...)
	if len(transitive) > 0 {
		ctx.Set("sts:TransitiveTagKeys", transitive...)
	}
}

// duration returns the requested duration or def, capped at max.
func duration(d *int32, def, max int32) int32 {
	v := def
	if d != nil {
		v = *d
	}
	if v > max {
		v = max
	}
	return v
}

// denied is AWS's AccessDenied for a principal and an action on a resource.
func denied(c *identity.Caller, action, resource string) *awserr.Error {
	return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s", c.ARN(), action, resource)
}
