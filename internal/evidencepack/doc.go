// Package evidencepack builds, writes and verifies the evidence pack an
// auditor works from: per control the population, the sample and its
// evidence, plus the parts the CLI adds (answered audit requests, accepted
// exceptions), a manifest of every file's SHA-256 and an Ed25519 signature
// of that manifest.
//
// What the signature proves, and what it does not:
//
//   - It proves that every file of the pack is byte for byte what a holder
//     of the deployment's signing key wrote: no file was edited, removed or
//     added since, and the manifest was not edited (an edit to a file and
//     to its manifest line no longer passes, as it did when the manifest
//     stood alone). The auditor must check it against the deployment's
//     public key obtained separately (not the one embedded in the pack,
//     which anyone re-signing a pack would replace with their own).
//   - It does not prove that the evidence is true, complete or that the
//     controls operated: it binds the pack to whoever held the key.
//   - It does not prove when the pack was signed: signed-at is the signer's
//     own clock. There is no RFC 3161 timestamp yet.
//   - It does not prove the key was not stolen or misused: anyone holding
//     STEADFAST_PACK_KEY can sign a pack that verifies.
//
// Writing creates the pack directory itself, or takes an existing empty
// directory, and writes every file through an os.Root opened on it with
// O_EXCL, so a symbolic link planted in the directory during the write
// cannot send a file outside the pack or over another file.
package evidencepack
