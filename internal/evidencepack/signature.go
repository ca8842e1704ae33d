package evidencepack

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// The manifest and its signature, beside the files they cover.
const (
	ManifestName  = "MANIFEST.sha256"
	SignatureName = "MANIFEST.sha256.sig"
)

// signatureMagic opens the signature file and the signed message, so a
// signature made for anything else never verifies as a pack's.
const signatureMagic = "steadfast evidence pack signature v1"

// signature is MANIFEST.sha256.sig: the public key it was made with (for
// naming "another key", never for trusting it), when the signer's clock
// said it signed, the manifest's lines themselves ("file: <sha256>  <path>"),
// and the Ed25519 signature over all of them. Carrying the lines lets
// verification name the file behind an edited manifest line, and check the
// files against what was signed rather than against MANIFEST.sha256, which
// is kept beside it for sha256sum.
type signature struct {
	PublicKey ed25519.PublicKey
	SignedAt  time.Time
	Manifest  []byte // the signed manifest, as MANIFEST.sha256 held it
	Sig       []byte
}

// message is what the signature covers.
func (s signature) message() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\npublic-key: %s\nsigned-at: %s\n", signatureMagic, FormatPublicKey(s.PublicKey), s.SignedAt.UTC().Format(time.RFC3339))
	for line := range strings.Lines(string(s.Manifest)) {
		fmt.Fprintf(&b, "file: %s\n", strings.TrimSuffix(line, "\n"))
	}
	return b.Bytes()
}

// sign makes the signature of a manifest.
func sign(key ed25519.PrivateKey, manifest []byte, at time.Time) signature {
	s := signature{PublicKey: key.Public().(ed25519.PublicKey), SignedAt: at.UTC().Truncate(time.Second), Manifest: manifest}
	s.Sig = ed25519.Sign(key, s.message())
	return s
}

// encode is the file's text: the signed fields, the key's fingerprint for
// people, and the signature.
func (s signature) encode() []byte {
	var b bytes.Buffer
	b.Write(s.message())
	fmt.Fprintf(&b, "key-id: %s\n", KeyID(s.PublicKey))
	fmt.Fprintf(&b, "signature: %s\n", base64.StdEncoding.EncodeToString(s.Sig))
	return b.Bytes()
}

// parseSignature reads the file encode writes; key-id is recomputed, not
// read.
func parseSignature(body []byte) (signature, error) {
	var s signature
	sc := bufio.NewScanner(bytes.NewReader(body))
	if !sc.Scan() || sc.Text() != signatureMagic {
		return s, fmt.Errorf("does not begin with %q", signatureMagic)
	}
	seen := map[string]bool{}
	var manifest bytes.Buffer
	for sc.Scan() {
		field, value, ok := strings.Cut(sc.Text(), ": ")
		if !ok || (seen[field] && field != "file") {
			return s, fmt.Errorf("malformed or repeated line %.80q", sc.Text())
		}
		seen[field] = true
		var err error
		switch field {
		case "public-key":
			s.PublicKey, err = ParsePublicKey(value)
		case "signed-at":
			s.SignedAt, err = time.Parse(time.RFC3339, value)
		case "file":
			manifest.WriteString(value + "\n")
		case "key-id":
		case "signature":
			s.Sig, err = base64.StdEncoding.DecodeString(value)
			if err == nil && len(s.Sig) != ed25519.SignatureSize {
				err = fmt.Errorf("signature is %d bytes, not %d", len(s.Sig), ed25519.SignatureSize)
			}
		default:
			err = fmt.Errorf("unknown field %.40q", field)
		}
		if err != nil {
			return s, err
		}
	}
	if err := sc.Err(); err != nil {
		return s, err
	}
	for _, f := range []string{"public-key", "signed-at", "signature"} {
		if !seen[f] {
			return s, fmt.Errorf("no %s line", f)
		}
	}
	s.Manifest = manifest.Bytes()
	return s, nil
}
