//go:build race

package files_test

// raceEnabled reports that the tests run with the race detector; the backrest
// binary they build then has it too, so that CI compiles the packages once.
const raceEnabled = true
