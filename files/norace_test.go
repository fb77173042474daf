//go:build !race

package files_test

// raceEnabled reports that the tests run without the race detector.
const raceEnabled = false
