package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCatalog(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newCatalogCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	err := cmd.Execute()
	return out.String(), err
}

func TestCatalogExportJSONShape(t *testing.T) {
	out, err := runCatalog(t, "export", "--format", "json")
	require.NoError(t, err)
	var doc struct {
		Frameworks []struct {
			ID           string           `json:"id"`
			Version      string           `json:"version"`
			Requirements []map[string]any `json:"requirements"`
		} `json:"frameworks"`
		Controls []struct {
			ID        string              `json:"id"`
			Title     string              `json:"title"`
			Frequency string              `json:"frequency"`
			Maps      map[string][]string `json:"maps"`
		} `json:"controls"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Frameworks, 3)
	assert.Equal(t, "soc2", doc.Frameworks[0].ID)
	assert.Equal(t, "iso27001", doc.Frameworks[1].ID)
	assert.Equal(t, "pci-dss", doc.Frameworks[2].ID)
	for _, k := range []string{"id", "title", "kind"} {
		assert.Contains(t, doc.Frameworks[0].Requirements[0], k)
	}
	require.NotEmpty(t, doc.Controls)
	assert.Len(t, doc.Controls[0].Maps, 3)

	_, err = runCatalog(t, "export", "--format", "xml")
	assert.ErrorContains(t, err, `--format "xml" is not supported`)
}

func TestCatalogShow(t *testing.T) {
	out, err := runCatalog(t, "show", "acc-04")
	require.NoError(t, err)
	assert.Contains(t, out, "ACC-04  User access review")
	assert.Contains(t, out, "pci-dss   7.2.4")

	out, err = runCatalog(t, "show", "8.3.6")
	require.NoError(t, err)
	assert.Contains(t, out, "PCI DSS 8.3.6")
	assert.Contains(t, out, "future-dated")
	assert.Contains(t, out, "ACC-11")

	out, err = runCatalog(t, "show", "A1.1")
	require.NoError(t, err)
	assert.Contains(t, out, "SOC 2 A1.1")
	assert.Contains(t, out, "PCI DSS A1.1")

	_, err = runCatalog(t, "show", "XYZ-1")
	assert.ErrorContains(t, err, `no control or requirement has ID "XYZ-1"`)
}

func TestCatalogApplicabilityAndDelta(t *testing.T) {
	out, err := runCatalog(t, "applicability", "-f", "../examples/payments-co.yaml")
	require.NoError(t, err)
	assert.Contains(t, out, "Applicable controls")
	assert.Contains(t, out, "ISO 27001 Statement of Applicability")
	assert.NotContains(t, out, "no control satisfies")

	out, err = runCatalog(t, "applicability", "-f", "../examples/saas-startup.yaml", "--format", "json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Contains(t, doc, "controls")

	out, err = runCatalog(t, "delta", "-f", "../examples/saas-startup.yaml", "--add", "iso27001")
	require.NoError(t, err)
	assert.Contains(t, out, "Adding iso27001 to a programme running soc2")
	assert.Contains(t, out, "already satisfied by existing controls")
	assert.Contains(t, out, "New controls to build")

	_, err = runCatalog(t, "delta", "-f", "../examples/saas-startup.yaml", "--add", "hipaa")
	assert.ErrorContains(t, err, `--add "hipaa" is not one of`)
	_, err = runCatalog(t, "delta", "-f", "../examples/saas-startup.yaml", "--add", "pci-dss", "--assessment", "saq", "--saq", "Z")
	assert.ErrorContains(t, err, `--saq "Z"`)
	_, err = runCatalog(t, "applicability", "-f", "does-not-exist.yaml")
	assert.Error(t, err)
}

func TestCatalogStats(t *testing.T) {
	out, err := runCatalog(t, "stats")
	require.NoError(t, err)
	assert.Contains(t, out, "controls serving 1 / 2 / 3 frameworks")
}

func TestCatalogCommandsHaveHelp(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		assert.NotEmpty(t, c.Short, c.CommandPath())
		assert.NotEmpty(t, strings.TrimSpace(c.Long), c.CommandPath())
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newCatalogCmd())
}
