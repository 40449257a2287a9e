// Package doccheck holds tests that keep the documentation true to the
// code: SECURITY.md's table of bounds names constants and tests that must
// exist. It has no API.
package doccheck
