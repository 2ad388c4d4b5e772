package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gatehouse-iam/gatehouse/iam"
)

// snsNotifier delivers IAM's delegation notifications to a partner's
// endpoint as Amazon SNS delivers a topic's message to an HTTP(S)
// subscription: a POST of the SNS notification document (Type
// "Notification", MessageId, TopicArn, Subject, Message, Timestamp) with
// the x-amz-sns-message-type and x-amz-sns-topic-arn headers. Gatehouse
// has no SNS, so the partner's endpoint stands for its topic's subscriber
// (registered with `gatehouse admin delegation-partner`). The message's
// fields are Gatehouse's own: the partner guide does not document the
// notification's content. The token is a secret: nothing here logs it.
type snsNotifier struct{ client *http.Client }

func newSNSNotifier() *snsNotifier {
	return &snsNotifier{client: &http.Client{
		Timeout: 10 * time.Second,
		// An endpoint is registered by an administrator; a redirect
		// elsewhere is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// DeliverDelegation posts the notification; any answer but 2xx fails.
func (n *snsNotifier) DeliverDelegation(ctx context.Context, endpoint string, dn iam.DelegationNotification) error {
	msg, err := json.Marshal(map[string]string{
		"eventType":           "DelegationTokenSent",
		"delegationRequestId": dn.RequestID,
		"requestorWorkflowId": dn.WorkflowID,
		"tradeInToken":        dn.Token,
		"expiration":          dn.Expiration.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return fmt.Errorf("app: encoding a delegation notification: %w", err)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("app: generating a message id: %w", err)
	}
	body, err := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": hex.EncodeToString(id[:]), "TopicArn": dn.TopicARN,
		"Subject": "IAM delegation request " + dn.RequestID, "Message": string(msg),
		"Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
	})
	if err != nil {
		return fmt.Errorf("app: encoding a delegation notification: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("app: delegation notification request: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("x-amz-sns-message-type", "Notification")
	req.Header.Set("x-amz-sns-topic-arn", dn.TopicARN)
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("app: delivering a delegation notification: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("app: the partner's endpoint answered %s", resp.Status)
	}
	return nil
}
