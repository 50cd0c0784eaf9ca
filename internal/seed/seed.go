// Package seed derives independent, well-mixed seeds from a seed and a key (a DAG's index or the
// hash of its id), so that parallel work draws from streams that depend only on what it is, never
// on the order it runs in.
package seed

// Mix returns SplitMix64's finalizer of seed + golden ratio x (key + 1): a different, well-mixed
// 64-bit seed for every (seed, key).
func Mix(seed, key uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15*(key+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
