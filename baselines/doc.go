// Package baselines holds the planners WiseFuse is compared with: User-Max, User-Min, Sonic,
// Photons and Faastlane. Each lives in its own file whose doc comment cites its paper and lists
// what is modelled and what is simplified.
package baselines
