// Bundles above MaxBundle for a Map not fused with its neighbours: the simulator runs a bundle of
// any size in one VM, so the search weighs a few of them too.

package wisefuse

// bigBundleStep is the least ratio between two bundle sizes above MaxBundle.
const bigBundleStep = 1.25

// mapBundleSizes are the bundle sizes the search weighs for a Map of items items (its fixed count;
// 0 when drawn) whose items need need MB each: every size 1..min(maxB, items); then, when above
// is set, the sizes above maxB that split the items evenly into fewer VMs (ceil(items/k) for
// k = ceil(items/maxB)-1 down to 1), as far as the largest VM (top MB) holds them, each at least
// bigBundleStep times the last one kept, and all items in one VM. Sizes between two VM counts run
// as many VMs as the next larger size with a longer straggler, so they are left out; the
// geometric step keeps the extra options (each a processor-sharing replay per bundle and run) to
// a handful on a Map of 35,385 items as on one of 100.
func mapBundleSizes(items, need, top, maxB int, above bool) []int {
	fit := top / max(need, 1)
	out := []int{1}
	for b := 2; b <= min(maxB, items, fit); b++ {
		out = append(out, b)
	}
	if !above || items <= maxB {
		return out
	}
	for k := (items+maxB-1)/maxB - 1; k >= 1; k-- {
		b := (items + k - 1) / k
		if b > fit {
			break
		}
		if float64(b) >= bigBundleStep*float64(out[len(out)-1]) || k == 1 {
			out = append(out, b)
		}
	}
	return out
}
