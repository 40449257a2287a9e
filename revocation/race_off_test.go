//go:build !race

package revocation

// raceEnabled: timing goals are not checked under the race detector.
const raceEnabled = false
