package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// moreRoutes registers the pages of the services beyond IAM: the audit
// trail (CloudTrail's LookupEvents) and S3's buckets.
func (c *Console) moreRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /ui/activity", c.authed(c.activity))
	m.HandleFunc("GET /ui/buckets", c.authed(c.buckets))
	m.HandleFunc("GET /ui/buckets/{name}", c.authed(c.bucket))
	m.HandleFunc("GET /ui/organization", c.authed(c.organization))
	m.HandleFunc("GET /ui/findings", c.authed(c.findings))
}

// activityRow is one event of the activity page.
type activityRow struct {
	Time                                     time.Time
	Name, Source, User, IP, Agent, ErrorCode string
	// Client names the client briefly (Agent is the whole User-Agent).
	Client string
	JSON   string
}

// activityData is the activity page's content.
type activityData struct {
	Rows        []activityRow
	User, Event string
	Next        string
}

// activity lists the account's recent events (LookupEvents, 50 a page),
// optionally of one user or one event name: who did what, from where, with
// what outcome.
func (c *Console) activity(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	q := r.URL.Query()
	d := activityData{User: strings.TrimSpace(q.Get("user")), Event: strings.TrimSpace(q.Get("event"))}
	in := &awsct.LookupEventsInput{MaxResults: aws.Int32(50)}
	switch {
	case d.User != "":
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String(d.User)}}
	case d.Event != "":
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(d.Event)}}
	}
	if n := q.Get("next"); n != "" {
		in.NextToken = aws.String(n)
	}
	out, err := cl.CloudTrail.LookupEvents(apiContext(r), in)
	if err != nil {
		c.showError(w, r, s, "activity", "Activity", "activity", err)
		return
	}
	for _, e := range out.Events {
		row := activityRow{Name: aws.ToString(e.EventName), Source: aws.ToString(e.EventSource), User: aws.ToString(e.Username)}
		if e.EventTime != nil {
			row.Time = *e.EventTime
		}
		var ev struct {
			SourceIPAddress string `json:"sourceIPAddress"`
			UserAgent       string `json:"userAgent"`
			ErrorCode       string `json:"errorCode"`
		}
		raw := []byte(aws.ToString(e.CloudTrailEvent))
		if json.Unmarshal(raw, &ev) == nil {
			row.IP, row.Agent, row.ErrorCode = ev.SourceIPAddress, ev.UserAgent, ev.ErrorCode
		}
		row.Client = clientName(row.Agent)
		var buf bytes.Buffer
		if json.Indent(&buf, raw, "", "  ") == nil {
			row.JSON = buf.String()
		}
		d.Rows = append(d.Rows, row)
	}
	d.Next = aws.ToString(out.NextToken)
	c.render(w, r, "activity", http.StatusOK, &page{Title: "Activity", S: s, Nav: "activity", Data: d})
}

func (c *Console) buckets(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	out, err := cl.S3.ListBuckets(apiContext(r), &awss3.ListBucketsInput{})
	if err != nil {
		c.showError(w, r, s, "buckets", "Buckets", "buckets", err)
		return
	}
	c.render(w, r, "buckets", http.StatusOK, &page{Title: "Buckets", S: s, Nav: "buckets", Data: out.Buckets})
}

// bucketData is a bucket's page.
type bucketData struct {
	Name      string
	Policy    string
	PolicyErr *apiError
	Block     *s3types.PublicAccessBlockConfiguration
	Objects   []s3types.Object
	ObjErr    *apiError
}

// bucket shows a bucket's policy, its Block Public Access settings and its
// first objects.
func (c *Console) bucket(w http.ResponseWriter, r *http.Request, s *sess, cl *clients) {
	ctx := apiContext(r)
	name := r.PathValue("name")
	d := bucketData{Name: name}
	pol, err := cl.S3.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
		d.Policy = policyDoc(pol.Policy)
	case apiErrorOf(err).Code == "NoSuchBucket":
		c.showError(w, r, s, "bucket", "Bucket "+name, "buckets", err)
		return
	case apiErrorOf(err).Code != "NoSuchBucketPolicy":
		d.PolicyErr = apiErrorOf(err)
	}
	if pab, err := cl.S3.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: aws.String(name)}); err == nil {
		d.Block = pab.PublicAccessBlockConfiguration
	}
	objs, err := cl.S3.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(name), MaxKeys: aws.Int32(100)})
	if err != nil {
		d.ObjErr = apiErrorOf(err)
	} else {
		d.Objects = objs.Contents
	}
	c.render(w, r, "bucket", http.StatusOK, &page{Title: "Bucket " + name, S: s, Nav: "buckets", Data: d})
}

// clientName names a User-Agent briefly: the console, the aws CLI, an SDK,
// else its first word.
func clientName(ua string) string {
	switch {
	case strings.Contains(ua, "app/"+UserAgent):
		return "Gatehouse console"
	case strings.HasPrefix(ua, "aws-cli/"):
		return "aws CLI"
	}
	first, _, _ := strings.Cut(ua, " ")
	if len(first) > 40 {
		first = first[:40] + "…"
	}
	return first
}
