package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// The library's versions must be the versions a spec is allowed to name, or
// every annual refresh would report a change that is only spelling.
func TestVersionIsTheSpecsVersion(t *testing.T) {
	l := Default()
	assert.Equal(t, compliance.SOC2Version, l.Version(compliance.SOC2))
	assert.Equal(t, compliance.ISO27001Version, l.Version(compliance.ISO27001))
	assert.Equal(t, compliance.PCIDSSVersion, l.Version(compliance.PCIDSS))
	assert.Empty(t, l.Version("nist-csf"))
}

func TestFutureDatedArePCITestableRequirements(t *testing.T) {
	fd := Default().FutureDated()
	require.NotEmpty(t, fd)
	for _, r := range fd {
		assert.Equal(t, compliance.PCIDSS, r.Framework, r.ID)
		assert.True(t, r.FutureDated, r.ID)
		assert.True(t, r.Assessable(), "%s: a future-dated requirement is a testable one", r.ID)
	}
	assert.Nil(t, (&Library{}).FutureDated(), "a library without PCI DSS has none")
}
