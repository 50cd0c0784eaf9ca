package apps_test

import (
	"fmt"

	"github.com/wisefuse/wisefuse/apps"
)

// Lookup names a built-in workflow, as --workflow does.
func ExampleLookup() {
	w, ok := apps.Lookup("video")
	fmt.Println(ok, w.Name, len(w.Steps), "top-level steps")
	for _, a := range apps.All() {
		fmt.Print(a.Name, " ")
	}
	fmt.Println()
	// Output:
	// true video 3 top-level steps
	// chatbot ml svd video
}
