package organizations

import (
	"encoding/base64"
	"strconv"
)

// defaultPage is the page size when MaxResults is not given (the model
// bounds MaxResults to 1..20).
const defaultPage = 20

// page returns one page of items: NextToken is an opaque, encoded offset.
func page[T any](items []T, next *string, max *int32) ([]T, *string, error) {
	start := 0
	if next != nil && *next != "" {
		b, err := base64.RawURLEncoding.DecodeString(*next)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, nil, invalidInput("INVALID_NEXT_TOKEN", "The specified NextToken is invalid.")
		}
		start = n
	}
	size := defaultPage
	if max != nil {
		size = int(*max)
	}
	end := min(start+size, len(items))
	out := make([]T, 0, end-start)
	out = append(out, items[start:end]...)
	if end < len(items) {
		return out, str(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))), nil
	}
	return out, nil, nil
}
