package cloudtrail

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/cloudtrailapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/trail"
)

// The limits of LookupEvents (API_LookupEvents and API_LookupAttribute,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
const (
	// defaultMaxResults is the page size when MaxResults is absent, also
	// its largest value: "The default is 50", "Possible values are 1
	// through 50".
	defaultMaxResults = 50
	// maxAttributeValue bounds an AttributeValue: "The maximum length for
	// the AttributeValue is 2000 characters" (API_LookupAttribute).
	maxAttributeValue = 2000
	// history is how far back LookupEvents reaches: "You can look up
	// events that occurred in a Region within the last 90 days."
	history = 90 * 24 * time.Hour
)

func (s *Service) lookupOps() []operation.Op {
	return []operation.Op{
		operation.New("LookupEvents", func(context.Context, *identity.Caller, *cloudtrailapi.LookupEventsRequest) (operation.Authz, error) {
			// LookupEvents names no resource: the Service Authorization
			// Reference lists cloudtrail:LookupEvents with no resource type.
			return operation.Authz{Action: "cloudtrail:LookupEvents", Resource: "*"}, nil
		}, s.LookupEvents),
	}
}

// lookup is a LookupEvents request once checked: its one filter, its time
// range as sent and its page.
type lookup struct {
	key        trail.AttributeKey
	value      string
	start, end *time.Time
	insight    bool
	limit      int
	// token is the NextToken sent, "" for the first page.
	token string
}

// LookupEvents returns one page of the management events of the caller's
// account, newest first, that match the request's lookup attribute and
// time range.
func (s *Service) LookupEvents(ctx context.Context, c *identity.Caller, in *cloudtrailapi.LookupEventsRequest) (*cloudtrailapi.LookupEventsResponse, error) {
	l, err := checkLookup(in)
	if err != nil {
		return nil, err
	}
	fp := l.fingerprint(c.Account)
	var after *trail.Cursor
	if l.token != "" {
		cur, err := parseToken(l.token, fp)
		if err != nil {
			return nil, err
		}
		after = &cur
	}
	out := &cloudtrailapi.LookupEventsResponse{Events: []cloudtrailapi.Event{}}
	// Gatehouse records no Insights events, and LookupEvents returns none
	// where Insights is not enabled: the EventCategory "insight" selects
	// Insights events only ("If you do not specify insight as the value of
	// EventCategory, no Insights events are returned").
	if l.insight {
		return out, nil
	}
	now := s.now()
	q := trail.Query{Account: c.Account, Key: l.key, Value: l.value, Start: now.Add(-history), End: now, Limit: l.limit, After: after}
	if l.start != nil && l.start.After(q.Start) {
		q.Start = *l.start
	}
	if l.end != nil {
		q.End = *l.end
	}
	if q.Start.After(q.End) {
		// The range asked for ends before the history begins.
		return out, nil
	}
	page, err := s.trail.Lookup(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("looking up events of account %s: %w", c.Account, trailErr(err))
	}
	for i := range page.Entries {
		out.Events = append(out.Events, event(&page.Entries[i]))
	}
	if page.Next != nil {
		t := formatToken(*page.Next, fp)
		out.NextToken = &t
	}
	return out, nil
}

// checkLookup checks a request as CloudTrail does, in the order of its
// members, each failure with the exception the model declares for it.
func checkLookup(in *cloudtrailapi.LookupEventsRequest) (lookup, error) {
	l := lookup{limit: defaultMaxResults}
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		a := in.LookupAttributes[0]
		if !slices.Contains(a.AttributeKey.Values(), a.AttributeKey) {
			return l, ctErr("InvalidLookupAttributesException", fmt.Sprintf("The attribute key %q is not valid. Valid keys: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.", string(a.AttributeKey)))
		}
		if a.AttributeValue == "" {
			return l, ctErr("InvalidLookupAttributesException", "The attribute value must not be empty.")
		}
		if attributeLength(a.AttributeValue) > maxAttributeValue {
			return l, ctErr("InvalidLookupAttributesException", fmt.Sprintf("The attribute value is longer than %d characters.", maxAttributeValue))
		}
		if a.AttributeKey == cloudtrailapi.LookupAttributeKeyReadOnly && a.AttributeValue != "true" && a.AttributeValue != "false" {
			// Event's ReadOnly is "true" or "false"; Gatehouse refuses any
			// other value as a lookup attribute that is not valid rather
			// than answer a lookup nothing can match.
			return l, ctErr("InvalidLookupAttributesException", "The value of the ReadOnly attribute must be true or false.")
		}
		l.key, l.value = trail.AttributeKey(a.AttributeKey), a.AttributeValue
	default:
		// "Currently the list can contain only one item."
		return l, ctErr("InvalidLookupAttributesException", "You can specify only one lookup attribute.")
	}
	l.start, l.end = in.StartTime, in.EndTime
	if l.start != nil && l.end != nil && l.start.After(*l.end) {
		// "If the specified start time is after the specified end time,
		// an error is returned."
		return l, ctErr("InvalidTimeRangeException", "The start time must not be after the end time.")
	}
	if in.EventCategory != nil {
		if *in.EventCategory != cloudtrailapi.EventCategoryInsight {
			return l, ctErr("InvalidEventCategoryException", fmt.Sprintf("The event category %q is not valid. Valid value: insight.", string(*in.EventCategory)))
		}
		l.insight = true
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > defaultMaxResults {
			return l, ctErr("InvalidMaxResultsException", fmt.Sprintf("MaxResults %d is not valid: specify a value from 1 through %d.", *in.MaxResults, defaultMaxResults))
		}
		l.limit = int(*in.MaxResults)
	}
	if in.NextToken != nil {
		l.token = *in.NextToken
	}
	return l, nil
}

// attributeLength is an AttributeValue's length as CloudTrail counts it
// against its limit: "The following characters ('_', ' ', ',', '\\n') count
// as two characters towards the 2000 character limit" (API_LookupAttribute,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupAttribute.html).
func attributeLength(v string) int {
	n := 0
	for _, r := range v {
		switch r {
		case '_', ' ', ',', '\n':
			n += 2
		default:
			n++
		}
	}
	return n
}

// event is an entry as LookupEvents reports it (API_Event): ReadOnly as the
// string "true" or "false", the resources' types and names (ARNs), and the
// whole record as CloudTrailEvent.
func event(e *trail.Entry) cloudtrailapi.Event {
	ev := cloudtrailapi.Event{
		EventId:         str(e.EventID),
		EventName:       str(e.EventName),
		ReadOnly:        str(strconv.FormatBool(e.ReadOnly)),
		EventTime:       &e.Time,
		EventSource:     str(e.EventSource),
		Resources:       make([]cloudtrailapi.Resource, 0, len(e.Resources)),
		CloudTrailEvent: str(string(e.JSON)),
	}
	if e.AccessKeyID != "" {
		ev.AccessKeyId = str(e.AccessKeyID)
	}
	if e.Username != "" {
		ev.Username = str(e.Username)
	}
	for _, r := range e.Resources {
		res := cloudtrailapi.Resource{ResourceName: str(r.ARN)}
		if r.Type != "" {
			res.ResourceType = str(r.Type)
		}
		ev.Resources = append(ev.Resources, res)
	}
	return ev
}

func str(s string) *string { return &s }
