package answers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// storeFile downloads a file uploaded in the modal with the bot token and
// keeps it in the evidence store. A file the store refuses (too large,
// empty) is a message for the person, not an error to retry.
func (s *SlackAnswerer) storeFile(ctx context.Context, fileID string) (compliance.Artifact, string, error) {
	if s.Slack == nil {
		return compliance.Artifact{}, "", errors.New("a file was uploaded but Slack is not configured to fetch it")
	}
	store := s.Blobs
	if store == nil {
		b, err := blob.FromEnv(ctx)
		if err != nil {
			return compliance.Artifact{}, "", err
		}
		s.Blobs, store = b, b
	}
	max := int64(blob.DefaultMaxSize)
	if v, err := strconv.ParseInt(os.Getenv(blob.EnvMaxSize), 10, 64); err == nil && v > 0 {
		max = v
	}
	var buf bytes.Buffer
	f, err := s.Slack.DownloadFile(ctx, fileID, max, &buf)
	if err != nil {
		if f.Size > 0 && int64(f.Size) > max {
			return compliance.Artifact{}, fmt.Sprintf("%s is too large to keep as evidence (%d bytes; the limit is %d). Link to it instead.", f.Name, f.Size, max), nil
		}
		return compliance.Artifact{}, "", err
	}
	obj, err := store.Put(ctx, &buf)
	switch {
	case errors.Is(err, blob.ErrEmpty):
		return compliance.Artifact{}, f.Name + " is empty: there is nothing to keep as evidence.", nil
	case errors.Is(err, blob.ErrTooLarge):
		return compliance.Artifact{}, fmt.Sprintf("%s is too large to keep as evidence. Link to it instead.", f.Name), nil
	case err != nil:
		return compliance.Artifact{}, "", fmt.Errorf("store slack file %s: %w", fileID, err)
	}
	a := compliance.Artifact{SHA256: obj.SHA256, Size: obj.Size, ContentType: obj.ContentType, Filename: f.Name}
	if a.Check() != nil {
		a.Filename = "upload"
	}
	return a, "", nil
}
