package engagement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// FileUpload is evidence that is a file: its name as uploaded and its
// bytes. The service stores the bytes in the blob store before the update,
// which carries only their hash.
type FileUpload struct {
	Name string
	Body io.Reader
}

func (s *Service) blobs(ctx context.Context) (blob.Store, error) {
	if s.Blobs != nil {
		return s.Blobs, nil
	}
	b, err := blob.FromEnv(ctx)
	if err != nil {
		return nil, err
	}
	s.Blobs = b
	return b, nil
}

// storeFile puts the upload's bytes in the blob store.
func (s *Service) storeFile(ctx context.Context, f *FileUpload) (compliance.Artifact, error) {
	name := strings.TrimSpace(filepath.Base(f.Name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == string(filepath.Separator) {
		return compliance.Artifact{}, errors.New("the evidence file needs a name")
	}
	if len(name) > 255 {
		name = name[len(name)-255:]
	}
	bs, err := s.blobs(ctx)
	if err != nil {
		return compliance.Artifact{}, err
	}
	obj, err := bs.Put(ctx, f.Body)
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return compliance.Artifact{}, fmt.Errorf("%s is too large for the evidence store (%v); link to it instead, or raise %s", name, err, blob.EnvMaxSize)
	case errors.Is(err, blob.ErrEmpty):
		return compliance.Artifact{}, fmt.Errorf("%s is empty: there is nothing to keep as evidence", name)
	case err != nil:
		return compliance.Artifact{}, fmt.Errorf("store %s: %w", name, err)
	}
	return compliance.Artifact{SHA256: obj.SHA256, Size: obj.Size, ContentType: obj.ContentType, Filename: name}, nil
}
