//go:build !unix

package scenario_test

// cpuSeconds and peakRSSMB are not measured on this system.
func cpuSeconds() float64 { return 0 }
func peakRSSMB() float64  { return 0 }
