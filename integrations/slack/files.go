package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// File is a file someone uploaded in a Steadfast modal.
type File struct {
	ID   string
	Name string
	Size int
}

// DownloadFile reads a file uploaded in a modal: files.info with the bot
// token for its private download URL, then the bytes from there, again
// with the bot token (Slack serves private files only to the app's token).
// w receives at most max bytes; a larger file is refused before its bytes
// are read when Slack states its size, and cut off otherwise.
func (c *Client) DownloadFile(ctx context.Context, fileID string, max int64, w io.Writer) (File, error) {
	if err := validFileID(fileID); err != nil {
		return File{}, err
	}
	f, _, _, err := c.api.GetFileInfoContext(ctx, fileID, 0, 0)
	if err != nil {
		return File{}, fmt.Errorf("slack file %s: %w", fileID, err)
	}
	out := File{ID: f.ID, Name: f.Name, Size: f.Size}
	if max > 0 && int64(f.Size) > max {
		return out, fmt.Errorf("slack file %s (%s) is %d bytes, over the %d the evidence store accepts", fileID, f.Name, f.Size, max)
	}
	url := f.URLPrivateDownload
	if url == "" {
		url = f.URLPrivate
	}
	if url == "" || !(strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) {
		return out, fmt.Errorf("slack file %s has no download URL", fileID)
	}
	lw := &limitedWriter{w: w, left: max, limited: max > 0}
	if err := c.api.GetFileContext(ctx, url, lw); err != nil {
		if errors.Is(err, errTooLarge) {
			return out, fmt.Errorf("slack file %s (%s) is over the %d bytes the evidence store accepts", fileID, f.Name, max)
		}
		return out, fmt.Errorf("download slack file %s: %w", fileID, err)
	}
	return out, nil
}

var errTooLarge = errors.New("file too large")

type limitedWriter struct {
	w       io.Writer
	left    int64
	limited bool
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.limited {
		if int64(len(p)) > l.left {
			return 0, errTooLarge
		}
		l.left -= int64(len(p))
	}
	return l.w.Write(p)
}
