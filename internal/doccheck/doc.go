// Package doccheck holds tests that keep the documentation true to the
// code: SECURITY.md's table of bounds names constants and tests that must
// exist; docs/architecture.md's package table lists every package of the
// module and no other; the README's library snippet is client.Example's
// body and shows its output. It has no API.
package doccheck
