// Package trail is Gatehouse's audit trail, in CloudTrail's model: every
// request produces one event in CloudTrail's record format (two for a call
// that crosses accounts, sharing a sharedEventID), secrets redacted as AWS
// redacts them, denied requests with the reason. The trail is kept in a
// Store (trail/sqlite, trail/postgres) and answers LookupEvents.
package trail
