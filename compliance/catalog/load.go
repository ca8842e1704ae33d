package catalog

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/steadfast-grc/steadfast/compliance"
)

// The catalog's content is data, versioned with the code and compiled in, so
// a running worker and the CLI always agree on what CC6.1 means.
//
//go:embed data/*.yaml data/controls/*.yaml
var dataFS embed.FS

// LibraryVersion versions the control library and its mappings; bump it when
// a control is added, removed or remapped so evidence and tickets created
// under an older library can be told apart.
const LibraryVersion = "2025.2"

var frameworkFiles = map[compliance.FrameworkID]string{
	compliance.SOC2:     "data/soc2.yaml",
	compliance.ISO27001: "data/iso27001.yaml",
	compliance.PCIDSS:   "data/pci-dss.yaml",
}

var (
	defaultOnce sync.Once
	defaultLib  *Library
	defaultErr  error
)

// Default returns the embedded library, loaded once. It panics if the
// embedded data is invalid, which the package's tests rule out.
func Default() *Library {
	defaultOnce.Do(func() { defaultLib, defaultErr = Load() })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultLib
}

// Load reads and validates the embedded catalogs and control library.
func Load() (*Library, error) {
	var fws []*FrameworkCatalog
	for _, id := range compliance.FrameworkIDs {
		fc, err := loadFramework(frameworkFiles[id])
		if err != nil {
			return nil, err
		}
		if fc.ID != id {
			return nil, fmt.Errorf("%s: framework is %q, want %q", frameworkFiles[id], fc.ID, id)
		}
		fws = append(fws, fc)
	}
	files, err := fs.Glob(dataFS, "data/controls/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("listing control files: %w", err)
	}
	sort.Strings(files)
	var controls []*Control
	for _, f := range files {
		var cs []*Control
		if err := decodeStrict(f, &cs); err != nil {
			return nil, err
		}
		controls = append(controls, cs...)
	}
	return New(fws, controls)
}

func loadFramework(name string) (*FrameworkCatalog, error) {
	var fc FrameworkCatalog
	if err := decodeStrict(name, &fc); err != nil {
		return nil, err
	}
	return &fc, nil
}

// decodeStrict decodes an embedded YAML file, rejecting unknown fields so a
// typo in the data fails the build's tests instead of silently dropping a
// mapping.
func decodeStrict(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding %s: %w", path.Base(name), err)
	}
	return nil
}

// errorList gathers every problem in the data so one test run shows them all.
type errorList []error

func (l *errorList) add(format string, args ...any) { *l = append(*l, fmt.Errorf(format, args...)) }

func (l errorList) err() error { return errors.Join(l...) }
