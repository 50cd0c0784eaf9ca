package wisefuse

import (
	"slices"
	"testing"
)

// TestMapBundleSizes: worked by hand. 100 items of 128 MB, MaxBundle 10, largest VM 10240 MB
// (80 items): 1..10, then sizes of 9 VMs down to 2 (100 items in one VM do not fit), each at
// least 1.25 times the last: 13 (8 VMs; 12 < 12.5), 17 (6; 15 < 16.25), 25 (4; 20 < 21.25), 34,
// 50.
func TestMapBundleSizes(t *testing.T) {
	for _, c := range []struct {
		items, need, top, maxB int
		above                  bool
		want                   []int
	}{
		{100, 128, 10240, 10, true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 17, 25, 34, 50}},
		{100, 100, 10240, 10, true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 17, 25, 34, 50, 100}},
		{100, 128, 10240, 10, false, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{13, 256, 10240, 10, true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13}},
		{12, 256, 10240, 10, true, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12}}, // all in one VM, though 12 < 12.5,
		{4, 256, 10240, 10, true, []int{1, 2, 3, 4}},
		{30, 3008, 10240, 10, true, []int{1, 2, 3}}, // three items fill the largest VM
		{1, 20000, 10240, 10, true, []int{1}},
	} {
		if got := mapBundleSizes(c.items, c.need, c.top, c.maxB, c.above); !slices.Equal(got, c.want) {
			t.Errorf("mapBundleSizes(%d, %d, %d, %d, %v) = %v, want %v", c.items, c.need, c.top, c.maxB, c.above, got, c.want)
		}
	}
}
