package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

func newEvidencePackVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify DIR",
		Short: "Check an evidence pack against its MANIFEST.sha256",
		Long: `Recomputes the SHA-256 of every file MANIFEST.sha256 lists and checks that
no listed file is missing and no file is in DIR that the manifest does not
list. Exits non-zero naming every file that changed, went missing or was
added; an auditor runs it before relying on a pack.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			n, err := checkEvidencePack(dir)
			if err != nil {
				return fmt.Errorf("%s does not match its %s:\n%w", dir, manifestName, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: all %d files match %s\n", dir, n, manifestName)
			return nil
		},
	}
}

// verifyEvidencePack recomputes the SHA-256 of every file the manifest
// lists and checks that the pack holds no file it does not list. It returns
// every discrepancy.
func verifyEvidencePack(dir string) error {
	_, err := checkEvidencePack(dir)
	return err
}

// checkEvidencePack is verifyEvidencePack that also counts the files the
// manifest lists. Every discrepancy is one error naming the file.
func checkEvidencePack(dir string) (int, error) {
	f, err := os.Open(filepath.Join(dir, manifestName))
	if err != nil {
		return 0, fmt.Errorf("read the manifest: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	listed := map[string]bool{}
	var errs []error
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		switch {
		case !ok || len(sum) != sha256.Size*2:
			errs = append(errs, fmt.Errorf("%s line %d is not '<sha256>  <path>': %q", manifestName, line, sc.Text()))
			continue
		case !filepath.IsLocal(filepath.FromSlash(name)) || name == manifestName:
			// A manifest edited to point outside the pack proves nothing
			// about the pack.
			errs = append(errs, fmt.Errorf("%s line %d names %q, which is not a file of the pack", manifestName, line, name))
			continue
		case listed[name]:
			errs = append(errs, fmt.Errorf("%s: listed twice in the manifest", name))
			continue
		}
		listed[name] = true
		body, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%s: in the manifest but missing", name))
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != strings.ToLower(sum) {
			errs = append(errs, fmt.Errorf("%s: SHA-256 does not match the manifest", name))
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read the manifest: %w", err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); rel != manifestName && !listed[rel] {
			errs = append(errs, fmt.Errorf("%s: not in the manifest", rel))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("list the pack: %w", err)
	}
	return len(listed), errors.Join(errs...)
}
